//! Re-screening after a denial-list change, in the background: the
//! screenings of the look-back window are re-checked against the added and
//! changed entries ([`crate::engine::rescreen`]), and every shipment that
//! would now be flagged gets a case marked as caused by the change, citing
//! the entries ([`Store::open_list_change_case`]; planned by the same
//! workflow function as every case, [`plan_intake`]), with a `case.open`
//! audit record by [`Actor::system`]. The result is stored per list version
//! ([`RescreenSummary`]) and shown by `ListVersions`. The run is a task
//! owned by the server's [`Tasks`](crate::shutdown::Tasks): shutdown waits
//! for it.
//!
//! Only changes that can make a party match count: added entries, and
//! changed entries whose names, kind, countries or addresses changed.
//! Runs are serialised; a failure is logged and recorded, never fatal.
//! The cases opened are announced to consoles and webhooks once the run
//! is done.
//! Opening is idempotent per (screening, list version).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Mutex;
use tracing::{error, info, warn};

use super::lists::Committed;
use super::{Core, now_unix_ms};
use crate::actions::AuditAction;
use crate::cases::workflow::{Intake, plan_intake};
use crate::cases::{CaseCause, CaseChange, ChangeKind, ScreeningFacts};
use crate::engine::Engine;
use crate::engine::rescreen::{ChangedEntries, Citation, Stored, rescreen};
use crate::ids::{Actor, CaseId};
use crate::lists::diff::MATCHING_FIELDS;
use crate::lists::{identity_keys, positional_ids};
use crate::model::ListContent;
use crate::store::audit::NewAudit;
use crate::store::{NewListChangeCase, RescreenSummary, ScreeningDigest, Store, StoreError};

/// Milliseconds in a day.
const DAY_MS: i64 = 24 * 3600 * 1000;

/// One list version to re-screen against.
#[derive(Clone, Debug)]
struct Job {
    list_id: String,
    version: u64,
    previous_version: u64,
    format: String,
    changed: ChangedEntries,
}

/// The added entries and the changed entries that can match differently.
fn job(c: &Committed) -> Option<Job> {
    let ListContent::Denial(entries) = c.list.content.as_ref() else {
        return None;
    };
    let format = c.list.meta.format.clone();
    let positions: Vec<usize> = c
        .diff
        .added
        .iter()
        .copied()
        .chain(
            c.diff
                .changed
                .iter()
                .filter(|ch| ch.fields.iter().any(|f| MATCHING_FIELDS.contains(f)))
                .map(|ch| ch.new),
        )
        .collect();
    if positions.is_empty() {
        return None;
    }
    let keys = identity_keys(&format, &c.list.content);
    Some(Job {
        list_id: c.list.meta.list_id.clone(),
        version: c.list.meta.version,
        previous_version: c.change.previous_version,
        changed: ChangedEntries {
            list_id: c.list.meta.list_id.clone(),
            entries: positions.iter().map(|&i| entries[i].clone()).collect(),
            keys: positions.iter().map(|&i| keys[i].clone()).collect(),
        },
        format,
    })
}

/// True when a commit changed a denial list in a way that can make a
/// party match (cheap: no entries are copied).
fn matters(c: &Committed) -> bool {
    matches!(c.list.content.as_ref(), ListContent::Denial(_))
        && (!c.diff.added.is_empty()
            || c.diff
                .changed
                .iter()
                .any(|ch| ch.fields.iter().any(|f| MATCHING_FIELDS.contains(f))))
}

/// Re-screening runs: serialised, and counted so that shutdown (and tests)
/// can wait until none is pending.
#[derive(Debug, Default)]
pub struct Runs {
    lock: Mutex<()>,
    pending: watch_count::Count,
}

impl Runs {
    /// Waits until every run started so far has finished.
    pub async fn idle(&self) {
        self.pending.zero().await;
    }
}

/// A counter whose zero can be awaited.
mod watch_count {
    use tokio::sync::watch;

    /// The counter.
    #[derive(Debug)]
    pub struct Count(watch::Sender<usize>);

    impl Default for Count {
        fn default() -> Self {
            Count(watch::channel(0).0)
        }
    }

    impl Count {
        pub fn up(&self) {
            self.0.send_modify(|n| *n += 1);
        }

        pub fn down(&self) {
            self.0.send_modify(|n| *n = n.saturating_sub(1));
        }

        pub async fn zero(&self) {
            let mut rx = self.0.subscribe();
            // The sender lives as long as `self`: waiting cannot fail.
            let _ = rx.wait_for(|n| *n == 0).await;
        }
    }
}

/// Tells consoles and webhooks of the cases a re-screening opened (as
/// cases opened by the service itself).
async fn announce_opened(core: &Arc<Core>, summaries: &[RescreenSummary]) {
    let ids: Vec<CaseId> = summaries
        .iter()
        .flat_map(|s| s.case_ids.iter().cloned())
        .collect();
    if ids.is_empty() {
        return;
    }
    let store = Arc::clone(core.store());
    let read = tokio::task::spawn_blocking(move || {
        ids.iter()
            .map(|id| store.case(id))
            .collect::<Result<Vec<_>, _>>()
    })
    .await;
    match read {
        Ok(Ok(cases)) => {
            for case in cases {
                core.events().publish(CaseChange {
                    kind: ChangeKind::Opened,
                    action: "opened".to_string(),
                    actor: Actor::system(),
                    at_unix_ms: case.created_at_unix_ms,
                    summary: case.summary(),
                });
            }
        }
        Ok(Err(e)) => warn!(error = %e, "re-screening: opened cases unreadable; not announced"),
        Err(e) => warn!(error = %e, "re-screening: announcing opened cases failed"),
    }
}

/// Starts the re-screening for the denial lists of a commit (if any
/// changed in a way that matters) as a task owned by the server.
pub fn spawn(core: &Arc<Core>, engine: Arc<Engine>, committed: &[Committed]) {
    let committed: Vec<Committed> = committed.iter().filter(|c| matters(c)).cloned().collect();
    if committed.is_empty() {
        return;
    }
    let runs = Arc::clone(&core.rescreens);
    let store = Arc::clone(core.store());
    let days = core.rescreen_days();
    let announce = Arc::clone(core);
    runs.pending.up();
    let name = format!(
        "re-screening after {}",
        committed
            .iter()
            .map(|c| format!("{}@{}", c.list.meta.list_id, c.list.meta.version))
            .collect::<Vec<_>>()
            .join(", ")
    );
    core.tasks().spawn(name, async move {
        let _guard = runs.lock.lock().await;
        let ids: Vec<String> = committed
            .iter()
            .map(|c| format!("{}@{}", c.list.meta.list_id, c.list.meta.version))
            .collect();
        let task = tokio::task::spawn_blocking({
            let store = Arc::clone(&store);
            let committed = committed.clone();
            move || run(store.as_ref(), &engine, &committed, days, now_unix_ms())
        });
        let result = match task.await {
            Ok(r) => r,
            Err(e) => Err(format!("re-screening task failed: {e}")),
        };
        match result {
            Ok(summaries) => {
                announce_opened(&announce, &summaries).await;
                for s in &summaries {
                    info!(
                        list_id = %s.list_id,
                        version = s.version,
                        screenings = s.screenings_checked,
                        entries = s.entries_checked,
                        candidates = s.candidates,
                        cases = s.case_ids.len(),
                        millis = s.millis,
                        "re-screening done"
                    );
                }
            }
            Err(message) => {
                error!(lists = %ids.join(", "), error = %message, "re-screening failed");
                for c in &committed {
                    let s = RescreenSummary {
                        list_id: c.list.meta.list_id.clone(),
                        version: c.list.meta.version,
                        lookback_days: days,
                        finished_at_unix_ms: now_unix_ms(),
                        error: message.clone(),
                        ..RescreenSummary::default()
                    };
                    if let Err(e) = store.put_rescreen(s).await {
                        error!(error = %e, "recording the failed re-screening failed");
                    }
                }
            }
        }
        runs.pending.down();
    });
}

/// Identity keys of entries cited by stored screenings, by version of
/// positional lists (loaded once per version).
struct Keys<'a> {
    store: &'a dyn Store,
    cache: HashMap<(String, u64), HashMap<String, String>>,
}

impl Keys<'_> {
    fn key(&mut self, list_id: &str, version: u64, entry_id: &str) -> Result<String, StoreError> {
        let k = (list_id.to_string(), version);
        if !self.cache.contains_key(&k) {
            let map = match (
                self.store.list_meta(list_id, version),
                self.store.list_content(list_id, version),
            ) {
                (Ok(meta), Ok(content)) => {
                    let ids = (0..content.len()).map(|i| match &content {
                        ListContent::Denial(e) => e[i].entry_id.clone(),
                        ListContent::Control(e) => e[i].code.clone(),
                    });
                    ids.zip(identity_keys(&meta.format, &content)).collect()
                }
                // A version no longer readable: its rows cannot be keyed.
                (Err(StoreError::NotFound { .. }), _) | (_, Err(StoreError::NotFound { .. })) => {
                    HashMap::new()
                }
                (Err(e), _) | (_, Err(e)) => return Err(e),
            };
            self.cache.insert(k.clone(), map);
        }
        Ok(self
            .cache
            .get(&k)
            .and_then(|m| m.get(entry_id))
            .cloned()
            .unwrap_or_else(|| format!("{entry_id}@{version}")))
    }
}

/// The entries of `jobs`' lists that a stored screening cited, keyed.
fn citations(
    keys: &mut Keys<'_>,
    jobs: &[Job],
    d: &ScreeningDigest,
) -> Result<Vec<Citation>, StoreError> {
    let mut out: Vec<Citation> = Vec::new();
    for f in &d.outcome.findings {
        let Some(job) = jobs.iter().find(|j| j.list_id == f.list_id) else {
            continue;
        };
        if f.entry_id.is_empty() {
            continue;
        }
        let key = if positional_ids(&job.format) {
            let used = d
                .outcome
                .list_versions
                .iter()
                .find(|v| v.list_id == f.list_id)
                .map_or(0, |v| v.version);
            keys.key(&f.list_id, used, &f.entry_id)?
        } else {
            f.entry_id.clone()
        };
        match out
            .iter_mut()
            .find(|c| c.list_id == f.list_id && c.key == key)
        {
            Some(c) => c.decision = c.decision.max(f.decision),
            None => out.push(Citation {
                list_id: f.list_id.clone(),
                key,
                decision: f.decision,
            }),
        }
    }
    Ok(out)
}

/// Re-screens the window ending `now` against the changes of `committed`
/// with `engine`, opens the cases and records one summary per list.
fn run(
    store: &dyn Store,
    engine: &Engine,
    committed: &[Committed],
    days: u32,
    now: i64,
) -> Result<Vec<RescreenSummary>, String> {
    let started = Instant::now();
    let since = now.saturating_sub(i64::from(days) * DAY_MS);
    let digests = store.screenings_since(since).map_err(|e| e.to_string())?;
    // Entries are copied only when there is something to re-check.
    let jobs: Vec<Job> = if digests.is_empty() {
        Vec::new()
    } else {
        committed.iter().filter_map(job).collect()
    };
    if jobs.is_empty() {
        let summaries: Vec<RescreenSummary> = committed
            .iter()
            .map(|c| RescreenSummary {
                list_id: c.list.meta.list_id.clone(),
                version: c.list.meta.version,
                lookback_days: days,
                millis: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                finished_at_unix_ms: now_unix_ms(),
                ..RescreenSummary::default()
            })
            .collect();
        for s in &summaries {
            store
                .put_rescreen(s.clone())
                .wait()
                .map_err(|e| e.to_string())?;
        }
        return Ok(summaries);
    }
    let jobs = &jobs[..];
    let mut keys = Keys {
        store,
        cache: HashMap::new(),
    };
    let cited: Vec<Vec<Citation>> = digests
        .iter()
        .map(|d| citations(&mut keys, jobs, d))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let stored: Vec<Stored<'_>> = digests
        .iter()
        .zip(&cited)
        .map(|(d, c)| Stored {
            shipment: &d.shipment,
            cited: c,
        })
        .collect();
    let changed: Vec<ChangedEntries> = jobs.iter().map(|j| j.changed.clone()).collect();
    let (flagged, stats) = rescreen(engine, &changed, &stored);

    let mut summaries = Vec::with_capacity(jobs.len());
    for job in jobs {
        let mut summary = RescreenSummary {
            list_id: job.list_id.clone(),
            version: job.version,
            entries_checked: u32::try_from(job.changed.entries.len()).unwrap_or(u32::MAX),
            screenings_checked: digests.len() as u64,
            parties_checked: stats.parties_checked,
            candidates: stats.candidates,
            lookback_days: days,
            ..RescreenSummary::default()
        };
        for f in &flagged {
            let findings: Vec<_> = f
                .findings
                .iter()
                .filter(|x| x.list_id == job.list_id)
                .cloned()
                .collect();
            let Some(decision) = findings.iter().map(|x| x.decision).max() else {
                continue;
            };
            let d = &digests[f.index];
            let mut entry_ids: Vec<String> = findings.iter().map(|x| x.entry_id.clone()).collect();
            entry_ids.dedup();
            let cause = CaseCause {
                kind: CaseCause::LIST_CHANGE.into(),
                list_id: job.list_id.clone(),
                version: job.version,
                previous_version: job.previous_version,
                entry_ids: entry_ids.clone(),
                screening_id: d.screening_id.clone(),
            };
            let audit = NewAudit {
                actor: Actor::system(),
                action: AuditAction::CaseOpen,
                subject: String::new(),
                reason: format!(
                    "{} version {} lists {} (re-screening of {})",
                    job.list_id,
                    job.version,
                    entry_ids.join(", "),
                    d.screening_id
                ),
                details: serde_json::json!({
                    "cause": CaseCause::LIST_CHANGE,
                    "list_id": job.list_id,
                    "version": job.version,
                    "entry_ids": entry_ids,
                    "screening_id": d.screening_id,
                    "decision": decision.as_str(),
                }),
            };
            let opened = store
                .open_list_change_case(NewListChangeCase {
                    exporter: d.shipment.exporter.clone(),
                    reference: d.shipment.reference.clone(),
                    plan: list_change_planner(&d.shipment, cause.clone(), findings.clone(), now),
                    cause,
                    findings,
                    audit,
                })
                .wait()
                .map_err(|e| e.to_string())?;
            let Some(case) = opened else {
                continue;
            };
            summary.case_ids.push(case.case.case_id);
            summary.screening_ids.push(d.screening_id.clone());
        }
        summary.millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        summary.finished_at_unix_ms = now_unix_ms();
        store
            .put_rescreen(summary.clone())
            .wait()
            .map_err(|e| e.to_string())?;
        summaries.push(summary);
    }
    Ok(summaries)
}

/// The planner of a list-change case: the workflow's [`plan_intake`] with
/// the change as its cause, by [`Actor::system`].
fn list_change_planner(
    shipment: &crate::model::Shipment,
    cause: CaseCause,
    findings: Vec<crate::model::Finding>,
    now: i64,
) -> crate::store::ListChangePlanner {
    let exporter = shipment.exporter.trim().to_string();
    let reference = shipment.reference.trim().to_string();
    let parties = shipment.parties.clone();
    let actor = Actor::system();
    let facts = ScreeningFacts::default();
    Box::new(move |active, fresh| {
        let intake = Intake {
            screening_id: &cause.screening_id,
            exporter: &exporter,
            reference: &reference,
            actor: &actor,
            at_unix_ms: now,
            findings: &findings,
            suppressed: &[],
            facts: &facts,
            parties: &parties,
            cause: Some(&cause),
        };
        match plan_intake(active.cloned(), fresh, &intake) {
            Some(plan) => plan,
            None => unreachable!("a list change always plans a case"),
        }
    })
}
