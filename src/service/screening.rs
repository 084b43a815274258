//! Screening: a shipment screened and recorded with its case
//! ([`Screening::screen_and_record`]), a party or an item screened, a stored
//! screening read back.
//!
//! One shipment: the engine screens it on the engine pool (stopping early
//! if the call goes away), earlier "not a match" judgements and the
//! parties' history are read there too ([`super::intake`]), then the
//! screening goes to the store as one atomic write whose case the workflow
//! plans against the shipment's active case as stored at that moment
//! ([`plan_intake`]); the answer leaves once that write is durable, and
//! consoles hear of the case. A client request id makes a retry return the
//! stored answer instead of a second screening.

use std::sync::Arc;
use std::time::Instant;

use sha2::{Digest, Sha256};

use super::{Cancel, Core, Reply, Scope, Snapshot, intake};
use crate::cases::workflow::{Intake, plan_intake};
use crate::engine::item::ItemMatch;
use crate::engine::party::{PartyMatch, PartyQuery};
use crate::ids::{Actor, ScreeningId};
use crate::model::{Item, ListKind, ListVersionRef, Party, Shipment};
use crate::store::{
    AckSender, IdempotencyKey, IntakePlanner, NewScreening, Recorded, ScreeningRecord, StoreError,
};

/// A shipment to screen and record.
#[derive(Clone, Debug)]
pub struct ScreenRequest {
    /// The shipment (validated; its exporter is the one it is recorded
    /// under).
    pub shipment: Shipment,
    /// Who screens (the audit record's actor).
    pub actor: Actor,
    /// The client's request id (AIP-155), if it sent one.
    pub request_id: Option<String>,
}

/// A recorded screening.
#[derive(Clone, Debug, PartialEq)]
pub struct Screened {
    /// The screening as stored.
    pub record: ScreeningRecord,
    /// True when the request id named an earlier screening: this is it,
    /// nothing new was screened or recorded.
    pub replayed: bool,
}

/// One party against every denial list.
#[derive(Clone, Debug)]
pub struct PartyScreening {
    /// Matches at or above the review threshold, best first.
    pub matches: Vec<PartyMatch>,
    /// The denial lists used.
    pub list_versions: Vec<ListVersionRef>,
    /// The review threshold applied.
    pub threshold: f64,
}

/// One item against the control lists.
#[derive(Clone, Debug)]
pub struct ItemScreening {
    /// Controlled and uncertain matches, best first.
    pub matches: Vec<ItemMatch>,
    /// The control lists used.
    pub list_versions: Vec<ListVersionRef>,
}

/// The screening service.
#[derive(Clone, Debug)]
pub struct Screening {
    core: Arc<Core>,
}

/// sha256 of a shipment as screened: the same request id with another
/// shipment is refused.
fn fingerprint(shipment: &Shipment) -> String {
    let bytes = serde_json::to_vec(shipment).unwrap_or_default();
    hex::encode(Sha256::digest(&bytes))
}

impl Screening {
    /// Serves from `core`.
    pub fn new(core: Arc<Core>) -> Screening {
        Screening { core }
    }

    /// Screens a shipment and records it with its case; the answer comes
    /// once the record is durable.
    ///
    /// # Errors
    /// [`StoreError::RequestIdReused`] when the request id named another
    /// shipment within 24 h; storage failures (nothing is recorded then);
    /// [`crate::Error::Internal`] when the engine job failed.
    pub async fn screen_and_record(&self, req: ScreenRequest) -> Result<Screened, crate::Error> {
        let ScreenRequest {
            shipment,
            actor,
            request_id,
        } = req;
        let snapshot = self.core.snapshot();
        let idempotency = request_id.map(|request_id| IdempotencyKey {
            exporter: shipment.exporter.trim().to_string(),
            request_id,
            fingerprint: fingerprint(&shipment),
        });
        let core = Arc::clone(&self.core);
        let recorded = self
            .core
            .pool()
            .run_answering(
                move |cancel, reply: Reply<Result<Recorded, crate::Error>>| {
                    let prepared = prepare(&core, &snapshot, shipment, &actor, idempotency, cancel);
                    match prepared {
                        // Handed to the store's writer from here, and answered
                        // from there once durable: the answer does not come
                        // back through this thread.
                        Ok(Some(Prepared::New(new))) => core.store().record_screening_to(
                            *new,
                            planner(actor),
                            AckSender::to(move |r: Result<Recorded, StoreError>| {
                                reply.send(r.map_err(Into::into));
                            }),
                        ),
                        Ok(Some(Prepared::Replayed(record))) => {
                            reply.send(Ok(Recorded {
                                record: *record,
                                change: None,
                                replayed: true,
                            }));
                        }
                        // Stopped because this call went away: nobody reads this.
                        Ok(None) => reply.send(Err(crate::Error::Cancelled)),
                        Err(e) => reply.send(Err(e)),
                    }
                },
            )
            .await??;
        if let Some(change) = recorded.change {
            self.core.events().publish(change);
        }
        Ok(Screened {
            record: recorded.record,
            replayed: recorded.replayed,
        })
    }

    /// Screens one party against every denial list: matches at or above
    /// the review threshold, best first (`limit` 0: the policy's default).
    ///
    /// # Errors
    /// [`crate::Error::Internal`] when the engine job failed.
    pub async fn screen_party(
        &self,
        party: Party,
        limit: usize,
    ) -> Result<PartyScreening, crate::Error> {
        let engine = self.core.engine();
        self.core
            .pool()
            .run(move |_cancel| {
                let query = PartyQuery {
                    name: &party.name,
                    country: &party.country,
                    address: &party.address,
                };
                PartyScreening {
                    matches: engine.screen_party(&query, limit),
                    list_versions: versions_of_kind(&engine, ListKind::Denial),
                    threshold: engine.policy().party.review_threshold,
                }
            })
            .await
    }

    /// Classifies one item against the control lists.
    ///
    /// # Errors
    /// [`crate::Error::Internal`] when the engine job failed.
    pub async fn screen_item(&self, item: Item) -> Result<ItemScreening, crate::Error> {
        let engine = self.core.engine();
        self.core
            .pool()
            .run(move |_cancel| ItemScreening {
                matches: engine.screen_item(&item),
                list_versions: versions_of_kind(&engine, ListKind::Control),
            })
            .await
    }

    /// A stored screening the caller may see (another exporter's is
    /// NOT_FOUND, exactly like an unknown id).
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; storage failures.
    pub async fn get(
        &self,
        id: ScreeningId,
        scope: Scope,
    ) -> Result<ScreeningRecord, crate::Error> {
        let store = Arc::clone(self.core.store());
        super::blocking(move || {
            let record = store.screening(&id)?;
            if !scope.may_see(&record.shipment.exporter) {
                return Err(StoreError::NotFound {
                    what: "screening",
                    id: id.to_string(),
                }
                .into());
            }
            Ok(record)
        })
        .await
    }
}

/// On the engine thread: the stored answer when the request id names an
/// earlier screening of the same shipment, else the shipment screened with
/// its intake (earlier judgements, history) as a new screening; `None`
/// when the call went away meanwhile.
fn prepare(
    core: &Core,
    snapshot: &Snapshot,
    shipment: Shipment,
    actor: &Actor,
    idempotency: Option<IdempotencyKey>,
    cancel: &Cancel,
) -> Result<Option<Prepared>, crate::Error> {
    // A retry answers what was recorded, without screening again.
    if let Some(k) = &idempotency {
        let now = super::now_unix_ms();
        if let Some((record, fp)) = core.store().idempotent(&k.exporter, &k.request_id, now)? {
            if fp != k.fingerprint {
                return Err(StoreError::RequestIdReused {
                    request_id: k.request_id.clone(),
                    screening_id: record.screening_id,
                }
                .into());
            }
            return Ok(Some(Prepared::Replayed(Box::new(record))));
        }
    }
    let engine = &snapshot.engine;
    let started = Instant::now();
    let stop = || cancel.is_cancelled();
    let Some(mut outcome) = engine.screen_shipment_until(&shipment, &stop) else {
        return Ok(None);
    };
    let engine_micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let intake = intake::prepare(
        core.store().as_ref(),
        core.events(),
        engine,
        &shipment,
        &mut outcome,
    )?;
    Ok(Some(Prepared::New(Box::new(NewScreening {
        shipment,
        outcome,
        engine_micros,
        screened_at_unix_ms: super::now_unix_ms(),
        actor: actor.clone(),
        engine_decision: intake.engine_decision,
        suppressed: intake.suppressed,
        facts: intake.facts,
        invalidated: intake.invalidated,
        idempotency,
    }))))
}

/// What the engine thread prepared for a screening.
enum Prepared {
    /// A new screening, to submit to the store.
    New(Box<NewScreening>),
    /// The request id named this recorded screening.
    Replayed(Box<ScreeningRecord>),
}

/// The case planner of a screening by `actor`: the workflow's
/// [`plan_intake`] over the stored record (what
/// [`Screening::screen_and_record`] hands the store; public for tools that
/// record screenings directly, such as benchmarks).
pub fn planner(actor: Actor) -> IntakePlanner {
    Box::new(move |active, record, fresh| {
        plan_intake(
            active,
            fresh,
            &Intake {
                screening_id: &record.screening_id,
                exporter: record.shipment.exporter.trim(),
                reference: record.shipment.reference.trim(),
                actor: &actor,
                at_unix_ms: record.screened_at_unix_ms,
                findings: &record.outcome.findings,
                suppressed: &record.suppressed,
                facts: &record.facts,
                parties: &record.shipment.parties,
                cause: None,
            },
        )
    })
}

/// Versions of the engine's lists of one kind (the lists a party or item
/// screening used).
fn versions_of_kind(engine: &crate::engine::Engine, kind: ListKind) -> Vec<ListVersionRef> {
    engine
        .lists()
        .iter()
        .filter(|m| m.kind == kind)
        .map(|m| m.version_ref())
        .collect()
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::sync::Arc;

    use crate::engine::reference::ReferenceFiles;
    use crate::engine::{Engine, LoadedList};
    use crate::model::{
        DenialEntry, EntryName, Item, ListContent, ListKind, ListMeta, Party, PartyRole, Shipment,
    };

    fn engine() -> Engine {
        let content = ListContent::Denial(vec![DenialEntry {
            entry_id: "1".into(),
            names: vec![EntryName {
                name: "Zephyr Orbital Propulsion Works".into(),
                ..EntryName::default()
            }],
            ..DenialEntry::default()
        }]);
        let list = LoadedList {
            meta: ListMeta {
                list_id: "d".into(),
                version: 1,
                kind: ListKind::Denial,
                ..ListMeta::default()
            },
            content: Arc::new(content),
        };
        Engine::build(&[list], &ReferenceFiles::embedded()).unwrap()
    }

    fn shipment(parties: usize, items: usize) -> Shipment {
        Shipment {
            parties: (0..parties)
                .map(|i| Party {
                    role: PartyRole::Consignee,
                    name: if i == 0 {
                        "Zephyr Orbital Propulsion Works".into()
                    } else {
                        format!("Invented Trading {i}")
                    },
                    ..Party::default()
                })
                .collect(),
            items: (0..items)
                .map(|i| Item {
                    description: format!("office chair {i}"),
                    ..Item::default()
                })
                .collect(),
            destination_country: "JP".into(),
            ..Shipment::default()
        }
    }

    #[test]
    fn a_stopped_screening_ends_between_parties_and_items() {
        let e = engine();
        let s = shipment(50, 50);
        // Never stopped: the same answer as an ordinary screening.
        let never = || false;
        let full = e.screen_shipment_until(&s, &never).unwrap();
        assert_eq!(full, e.screen_shipment(&s));
        assert!(!full.findings.is_empty());
        // Asked before each of the 100 parties and items; stopped at the
        // tenth question, it answers nothing and asks no more.
        let asked = Cell::new(0u32);
        let stop = || {
            asked.set(asked.get() + 1);
            asked.get() >= 10
        };
        assert_eq!(e.screen_shipment_until(&s, &stop), None);
        assert_eq!(asked.get(), 10);
    }
}
