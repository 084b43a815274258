//! Cases: officers' commands (claim, request information, decide, mark a
//! finding, bulk "not a match", reopen, schedule and record checks), each
//! one atomic store write whose
//! change the pure workflow ([`workflow::apply`]) decides against the case
//! as stored at that moment; the queue; a case with its screenings a page
//! at a time; suppressions; reports; and the audit trail.
//!
//! Every method takes the caller's [`Scope`]: another exporter's case is
//! NOT_FOUND, exactly as if it did not exist. Consoles hear of every
//! change ([`Cases::subscribe`]).

use std::sync::Arc;

use tokio::sync::broadcast;

use super::{Core, Scope, blocking, now_unix_ms};
use crate::cases::keys;
use crate::cases::report::{Period, Report, report};
use crate::cases::workflow::{self, Command, Ctx, MarkTarget, ScreeningView, SuppressionKey};
use crate::cases::{
    CaseChange, CaseDecision, CaseError, CaseFilter, CaseMember, CaseRecord, CheckKind,
    Suppression, Verdict, facts,
};
use crate::ids::{Actor, CaseId, ScreeningId, SuppressionId};
use crate::store::audit::{AuditRecord, ChainCheck};
use crate::store::{CaseCommand, CasePage, CaseUpdate, ScreeningRecord, StoreError};

/// Most other cases one bulk "not a match" closes (the index holds only
/// OPEN cases whose sole open match is the one judged).
pub const MAX_BULK_CLOSE: usize = 10_000;

/// Screenings of a case per page by default.
pub const DEFAULT_MEMBERS_PAGE: usize = 100;
/// Most screenings of a case per page.
pub const MAX_MEMBERS_PAGE: usize = 1000;

/// A case with one page of its screenings.
#[derive(Clone, Debug)]
pub struct CaseView {
    /// The case.
    pub case: CaseRecord,
    /// Screenings of the page, in joining order, with the history entry
    /// of each joining.
    pub members: Vec<(CaseMember, ScreeningRecord)>,
    /// The position to continue after, when there are more.
    pub next: Option<u32>,
}

/// The case service.
#[derive(Clone, Debug)]
pub struct Cases {
    core: Arc<Core>,
}

fn not_found(what: &'static str, id: &str) -> crate::Error {
    StoreError::NotFound {
        what,
        id: id.to_string(),
    }
    .into()
}

impl Cases {
    /// Serves from `core`.
    pub fn new(core: Arc<Core>) -> Cases {
        Cases { core }
    }

    /// Console events: every case change from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<CaseChange> {
        self.core.events().subscribe()
    }

    /// A case the caller may see (blocking read).
    fn visible(
        store: &dyn crate::store::Store,
        id: &CaseId,
        scope: &Scope,
    ) -> Result<CaseRecord, crate::Error> {
        let case = store.case(id)?;
        if scope.may_see(&case.exporter) {
            Ok(case)
        } else {
            Err(not_found("case", id.as_str()))
        }
    }

    /// Applies an officer's command to a case in one atomic store write,
    /// waits until it is durable, and tells consoles.
    ///
    /// # Errors
    /// NOT_FOUND for a case the caller may not see; the workflow's refusal
    /// ([`CaseError`]); storage failures.
    pub async fn act(
        &self,
        case_id: CaseId,
        actor: Actor,
        reason: String,
        cmd: Command,
        scope: Scope,
    ) -> Result<CaseUpdate, crate::Error> {
        let store = Arc::clone(self.core.store());
        let id = case_id.clone();
        blocking(move || Cases::visible(store.as_ref(), &id, &scope).map(drop)).await?;
        let at = now_unix_ms();
        let command_actor = actor.clone();
        let command: CaseCommand = Box::new(move |case, latest| {
            let ctx = Ctx {
                actor: &command_actor,
                reason: &reason,
                at_unix_ms: at,
                latest: latest.map(|r| ScreeningView {
                    screening_id: &r.screening_id,
                    findings: &r.outcome.findings,
                    suppressed: &r.suppressed,
                    facts: &r.facts,
                    parties: &r.shipment.parties,
                }),
            };
            Ok(workflow::apply(case, &cmd, &ctx)?)
        });
        let update = self
            .core
            .store()
            .update_case(&case_id, &actor, at, command)
            .await?;
        self.core.events().publish(update.change.clone());
        Ok(update)
    }

    /// Assigns a case to `assignee` (OPEN -> IN_REVIEW; an assigned case is
    /// reassigned).
    ///
    /// # Errors
    /// As [`Cases::act`].
    pub async fn claim(
        &self,
        case_id: CaseId,
        actor: Actor,
        assignee: String,
        reason: String,
        scope: Scope,
    ) -> Result<CaseUpdate, crate::Error> {
        self.act(case_id, actor, reason, Command::Claim { assignee }, scope)
            .await
    }

    /// Asks the exporter for information (the reason is the question).
    ///
    /// # Errors
    /// As [`Cases::act`].
    pub async fn request_info(
        &self,
        case_id: CaseId,
        actor: Actor,
        reason: String,
        scope: Scope,
    ) -> Result<CaseUpdate, crate::Error> {
        self.act(case_id, actor, reason, Command::RequestInfo, scope)
            .await
    }

    /// Approves or denies; an approval may set a post-shipment check.
    ///
    /// # Errors
    /// As [`Cases::act`].
    pub async fn decide(
        &self,
        case_id: CaseId,
        actor: Actor,
        decision: CaseDecision,
        check_due_unix_ms: Option<i64>,
        reason: String,
        scope: Scope,
    ) -> Result<CaseUpdate, crate::Error> {
        let cmd = Command::Decide {
            decision,
            check_due_unix_ms,
        };
        self.act(case_id, actor, reason, cmd, scope).await
    }

    /// Reopens a decided or closed case (back to IN_REVIEW, held by the
    /// actor; the earlier decision stays in the history).
    ///
    /// # Errors
    /// As [`Cases::act`].
    pub async fn reopen(
        &self,
        case_id: CaseId,
        actor: Actor,
        reason: String,
        scope: Scope,
    ) -> Result<CaseUpdate, crate::Error> {
        self.act(case_id, actor, reason, Command::Reopen, scope)
            .await
    }

    /// Bulk "not a match": after `update` (a "not a match" that created a
    /// suppression for a party against an entry), closes every other
    /// OPEN case whose only open findings are that party against that
    /// entry, each in its own atomic write with its own history entry and
    /// audit record naming the originating case and the reason. Returns
    /// the ids of the cases closed. A case that changed in between (it was
    /// claimed, or a new screening joined) is left alone: the workflow
    /// checks each case as stored when it is written.
    ///
    /// # Errors
    /// Storage failures reading the index.
    pub async fn close_others(
        &self,
        update: &CaseUpdate,
        actor: Actor,
        reason: String,
        scope: Scope,
    ) -> Result<Vec<CaseId>, crate::Error> {
        let origin = update.case.case_id.clone();
        let Some(mark) = update.case.marks.last() else {
            return Ok(Vec::new());
        };
        let Some(suppression) = mark.suppression_id.clone() else {
            return Ok(Vec::new());
        };
        let store = Arc::clone(self.core.store());
        let sid = suppression.clone();
        let (key, candidates) = blocking(move || {
            let s = store.suppression(&sid)?;
            let key = crate::cases::MatchKey {
                party_key: s.party_key,
                list_id: s.list_id,
                entry_id: s.entry_id,
            };
            let ids = store.sole_match_cases(&key, MAX_BULK_CLOSE)?;
            let mut visible = Vec::with_capacity(ids.len());
            for id in ids {
                if id != origin && Cases::visible(store.as_ref(), &id, &scope).is_ok() {
                    visible.push(id);
                }
            }
            Ok((key, visible))
        })
        .await?;
        let at = now_unix_ms();
        // Submit every write at once: the writer commits them in groups.
        let mut pending = Vec::with_capacity(candidates.len());
        for id in candidates {
            let cmd = Command::CloseNotAMatch {
                key: key.clone(),
                origin: update.case.case_id.clone(),
                suppression: Some(suppression.clone()),
            };
            let (command_actor, why) = (actor.clone(), reason.clone());
            let command: CaseCommand = Box::new(move |case, _latest| {
                let ctx = Ctx {
                    actor: &command_actor,
                    reason: &why,
                    at_unix_ms: at,
                    latest: None,
                };
                Ok(workflow::apply(case, &cmd, &ctx)?)
            });
            pending.push((
                id.clone(),
                self.core.store().update_case(&id, &actor, at, command),
            ));
        }
        let mut closed = Vec::new();
        for (id, ack) in pending {
            match ack.await {
                Ok(u) => {
                    self.core.events().publish(u.change.clone());
                    closed.push(id);
                }
                Err(crate::Error::Case(_)) => {} // changed since: left alone
                Err(e) => return Err(e),
            }
        }
        Ok(closed)
    }

    /// Schedules a post-shipment check of an approved case.
    ///
    /// # Errors
    /// As [`Cases::act`].
    pub async fn schedule_check(
        &self,
        case_id: CaseId,
        actor: Actor,
        due_unix_ms: i64,
        reason: String,
        scope: Scope,
    ) -> Result<CaseUpdate, crate::Error> {
        let cmd = Command::ScheduleCheck { due_unix_ms };
        self.act(case_id, actor, reason, cmd, scope).await
    }

    /// Records an end-use certificate or a post-shipment check's result.
    ///
    /// # Errors
    /// As [`Cases::act`].
    pub async fn record_check(
        &self,
        case_id: CaseId,
        actor: Actor,
        kind: CheckKind,
        document: String,
        reason: String,
        scope: Scope,
    ) -> Result<CaseUpdate, crate::Error> {
        let cmd = Command::RecordCheck { kind, document };
        self.act(case_id, actor, reason, cmd, scope).await
    }

    /// Judges a finding of one of the case's screenings. A "not a match" on
    /// a party match records a suppression of that party against that
    /// entry's content; a confirmed match revokes one and counts in the
    /// party's history.
    ///
    /// # Errors
    /// [`CaseError::ScreeningNotInCase`], [`CaseError::NoSuchFinding`]; as
    /// [`Cases::act`].
    #[allow(clippy::too_many_arguments)]
    pub async fn mark(
        &self,
        case_id: CaseId,
        screening_id: ScreeningId,
        finding_index: usize,
        verdict: Verdict,
        actor: Actor,
        reason: String,
        scope: Scope,
    ) -> Result<CaseUpdate, crate::Error> {
        let core = Arc::clone(&self.core);
        let (id, sid, mark_scope) = (case_id.clone(), screening_id, scope.clone());
        let target = blocking(move || {
            let store = core.store().as_ref();
            Cases::visible(store, &id, &mark_scope)?;
            if store.case_member(&id, &sid)?.is_none() {
                return Err(CaseError::ScreeningNotInCase {
                    case_id: id,
                    screening_id: sid,
                }
                .into());
            }
            let screening = store.screening(&sid)?;
            let finding = screening.outcome.findings.get(finding_index).cloned();
            let party = finding
                .as_ref()
                .and_then(|f| keys::finding_party(f, &screening.shipment.parties))
                .cloned();
            let match_kind = finding
                .as_ref()
                .map(|f| keys::match_kind(f, screening.outcome.policy.party_near_exact_threshold))
                .unwrap_or_default()
                .to_string();
            let four_eyes_list = finding.as_ref().is_some_and(|f| {
                keys::suppressible(f)
                    && core
                        .engine()
                        .policy()
                        .listing_rules(&f.list_id, &[])
                        .iter()
                        .any(|r| r.consequence != crate::engine::policy::Consequence::Review)
            });
            let mut key = None;
            if let (Some(f), Some(p)) = (finding.as_ref().filter(|f| keys::suppressible(f)), &party)
            {
                if let Some(version) = screening
                    .outcome
                    .list_versions
                    .iter()
                    .find(|v| v.list_id == f.list_id)
                {
                    let party_key = facts::party_key(&core.engine(), p);
                    if let Some(entry_fingerprint) = core.events().fingerprint(
                        store,
                        &f.list_id,
                        version.version,
                        &f.entry_id,
                    )? {
                        key = Some(SuppressionKey {
                            party_key,
                            entry_fingerprint,
                            judged_version: version.clone(),
                            new_id: store.new_suppression_id()?,
                        });
                    }
                }
            }
            Ok(MarkTarget {
                screening_id: sid,
                in_case: true,
                finding_index,
                findings_count: screening.outcome.findings.len(),
                finding,
                party,
                match_kind,
                key,
                verdict,
                four_eyes_list,
            })
        })
        .await?;
        self.act(
            case_id,
            actor,
            reason,
            Command::Mark(Box::new(target)),
            scope,
        )
        .await
    }

    /// A case with one page of its screenings: those after position
    /// `after` (0: from the first), at most `limit` (0: the default).
    ///
    /// # Errors
    /// NOT_FOUND for a case the caller may not see; storage failures.
    pub async fn get(
        &self,
        case_id: CaseId,
        after: u32,
        limit: usize,
        scope: Scope,
    ) -> Result<CaseView, crate::Error> {
        let limit = match limit {
            0 => DEFAULT_MEMBERS_PAGE,
            n => n.min(MAX_MEMBERS_PAGE),
        };
        let store = Arc::clone(self.core.store());
        blocking(move || {
            let case = Cases::visible(store.as_ref(), &case_id, &scope)?;
            // One more than asked tells whether a next page exists.
            let mut members = store.case_members(&case_id, after, limit + 1)?;
            let next = if members.len() > limit {
                members.truncate(limit);
                members.last().map(|m| m.seq)
            } else {
                None
            };
            let members = members
                .into_iter()
                .map(|m| {
                    let r = store.screening(&m.screening_id)?;
                    Ok((m, r))
                })
                .collect::<Result<Vec<_>, crate::Error>>()?;
            Ok(CaseView {
                case,
                members,
                next,
            })
        })
        .await
    }

    /// One page of the queue: visible cases passing `filter`, by priority
    /// then age, after cursor `after`, at most `limit`.
    ///
    /// # Errors
    /// [`StoreError::InvalidCursor`] for a cursor not from a previous page;
    /// storage failures.
    pub async fn list(
        &self,
        filter: CaseFilter,
        after: Option<Vec<u8>>,
        limit: usize,
        scope: Scope,
    ) -> Result<CasePage, crate::Error> {
        let Some(filter) = scope.restrict(filter) else {
            return Ok(CasePage {
                cases: Vec::new(),
                next: None,
            });
        };
        let store = Arc::clone(self.core.store());
        blocking(move || {
            let mut page = store.list_cases(&filter, after.as_deref(), limit)?;
            page.cases.retain(|c| scope.may_see(&c.exporter));
            Ok(page)
        })
        .await
    }

    /// The judgement behind a suppressed finding (active or ended).
    ///
    /// # Errors
    /// NOT_FOUND for an unknown suppression or one from a case the caller
    /// may not see.
    pub async fn suppression(
        &self,
        id: SuppressionId,
        scope: Scope,
    ) -> Result<Suppression, crate::Error> {
        let store = Arc::clone(self.core.store());
        blocking(move || {
            let s = store.suppression(&id)?;
            // It came from a case: the caller must be able to see that case.
            let case = store.case(&s.case_id)?;
            if !scope.may_see(&case.exporter) {
                return Err(not_found("suppression", id.as_str()));
            }
            Ok(s)
        })
        .await
    }

    /// Queue, decision and false-positive figures over the visible cases.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn report(&self, period: Period, scope: Scope) -> Result<Report, crate::Error> {
        let store = Arc::clone(self.core.store());
        blocking(move || {
            let cases = store.all_cases()?;
            let mine = cases.iter().filter(|c| scope.may_see(&c.exporter));
            Ok(report(mine, now_unix_ms(), period))
        })
        .await
    }

    /// Checks the whole audit chain.
    ///
    /// # Errors
    /// Storage failures (a tampered record is a [`ChainCheck::Broken`]).
    pub async fn verify_audit(&self) -> Result<ChainCheck, crate::Error> {
        let store = Arc::clone(self.core.store());
        blocking(move || Ok(store.verify_audit()?)).await
    }

    /// The audit records of `[from, to)`, in order.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn export_audit(&self, from: i64, to: i64) -> Result<Vec<AuditRecord>, crate::Error> {
        let store = Arc::clone(self.core.store());
        blocking(move || Ok(store.audit_range(from, to)?)).await
    }
}
