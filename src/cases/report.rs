//! The figures officers and managers ask for, computed from the cases:
//! the open queue by priority and age, decisions per officer, mean time to
//! decision, false-positive rates (from "not a match" marks) per list and
//! per match kind, and the list entries hit most.
//!
//! The open queue is a snapshot at `now`; decisions and marks count when
//! they fall in the period, cited entries when their case was opened in it.

use std::collections::{BTreeMap, HashMap};

use super::priority::CasePriority;
use super::record::{CaseRecord, Verdict};
use super::status::CaseStatus;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// Age buckets of open cases: label and upper bound (exclusive) in ms.
pub const AGE_BUCKETS: [(&str, i64); 5] = [
    ("<1d", DAY),
    ("1-3d", 3 * DAY),
    ("3-7d", 7 * DAY),
    ("7-30d", 30 * DAY),
    (">30d", i64::MAX),
];

/// How many entries the top list holds.
pub const TOP_ENTITIES: usize = 10;

/// A period; `None` bounds are open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Period {
    /// From (inclusive), Unix ms.
    pub from_unix_ms: Option<i64>,
    /// To (exclusive), Unix ms.
    pub to_unix_ms: Option<i64>,
}

impl Period {
    /// True when `t` falls in the period.
    pub fn contains(&self, t: i64) -> bool {
        self.from_unix_ms.is_none_or(|f| t >= f) && self.to_unix_ms.is_none_or(|e| t < e)
    }
}

/// Open cases of one priority, by age.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenRow {
    /// The priority.
    pub priority: CasePriority,
    /// Counts per [`AGE_BUCKETS`] entry.
    pub by_age: [u32; 5],
    /// Their sum.
    pub total: u32,
}

/// One officer's decisions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficerRow {
    /// The officer.
    pub officer: String,
    /// Approvals.
    pub approved: u32,
    /// Denials.
    pub denied: u32,
    /// Mean time from opening to decision, ms.
    pub mean_millis_to_decision: i64,
}

/// Judged findings of one list or match kind.
#[derive(Clone, Debug, PartialEq)]
pub struct FalsePositiveRow {
    /// List id or match kind.
    pub key: String,
    /// Marked "not a match".
    pub not_a_match: u32,
    /// Marked "confirmed match".
    pub confirmed: u32,
    /// `not_a_match / (not_a_match + confirmed)`.
    pub rate: f64,
}

/// A list entry and the number of cases citing it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntityRow {
    /// List id.
    pub list_id: String,
    /// Entry id.
    pub entry_id: String,
    /// Entry name.
    pub entry_name: String,
    /// Cases citing it.
    pub cases: u32,
}

/// Weeks shown in [`Report::weeks`].
pub const WEEKS: usize = 8;

/// Cases opened and decided in one ISO week.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeekRow {
    /// `2026-W49`.
    pub week: String,
    /// Cases created that week.
    pub opened: u32,
    /// Cases approved or denied that week.
    pub decided: u32,
}

/// The ISO week of a Unix time in milliseconds (`2026-W49`).
pub fn iso_week(unix_ms: i64) -> String {
    use chrono::Datelike as _;
    chrono::DateTime::from_timestamp_millis(unix_ms).map_or_else(String::new, |t| {
        let w = t.iso_week();
        format!("{}-W{:02}", w.year(), w.week())
    })
}

/// The report.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// When it was computed.
    pub generated_at_unix_ms: i64,
    /// The period of decisions, marks and cited entries.
    pub period: Period,
    /// Open cases (OPEN, IN_REVIEW, INFO_REQUESTED) by priority (highest
    /// first) and age.
    pub open: Vec<OpenRow>,
    /// Approved cases with a post-shipment check due.
    pub checks_due: u32,
    /// ... of which past their due date.
    pub checks_overdue: u32,
    /// Decisions per officer, by name.
    pub officers: Vec<OfficerRow>,
    /// Decisions in the period.
    pub decided: u32,
    /// Mean time from opening to decision, ms (0 without decisions).
    pub mean_millis_to_decision: i64,
    /// False-positive rates per list.
    pub per_list: Vec<FalsePositiveRow>,
    /// False-positive rates per match kind.
    pub per_match_kind: Vec<FalsePositiveRow>,
    /// Entries cited by the most cases, most first.
    pub top_entities: Vec<EntityRow>,
    /// Cases opened and decided in each of the last [`WEEKS`] ISO weeks
    /// up to `generated_at_unix_ms`, oldest first.
    pub weeks: Vec<WeekRow>,
}

fn age_bucket(age: i64) -> usize {
    AGE_BUCKETS
        .iter()
        .position(|(_, upper)| age < *upper)
        .unwrap_or(AGE_BUCKETS.len() - 1)
}

fn mean(total: i128, n: u32) -> i64 {
    if n == 0 {
        0
    } else {
        i64::try_from(total / i128::from(n)).unwrap_or(i64::MAX)
    }
}

fn fp_rows(counts: BTreeMap<String, (u32, u32)>) -> Vec<FalsePositiveRow> {
    counts
        .into_iter()
        .map(|(key, (nam, conf))| FalsePositiveRow {
            key,
            not_a_match: nam,
            confirmed: conf,
            rate: f64::from(nam) / f64::from((nam + conf).max(1)),
        })
        .collect()
}

/// Computes the report over `cases` at `now`.
pub fn report<'a>(
    cases: impl IntoIterator<Item = &'a CaseRecord>,
    now: i64,
    period: Period,
) -> Report {
    let mut open: BTreeMap<CasePriority, [u32; 5]> = BTreeMap::new();
    let mut checks_due = 0;
    let mut checks_overdue = 0;
    let mut officers: BTreeMap<String, (u32, u32, i128)> = BTreeMap::new();
    let (mut decided, mut decision_total) = (0u32, 0i128);
    let mut per_list: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut per_kind: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut entities: HashMap<(String, String), (String, u32)> = HashMap::new();
    let mut weeks: Vec<WeekRow> = (0..WEEKS)
        .rev()
        .map(|i| WeekRow {
            week: iso_week(now - i as i64 * 7 * 86_400_000),
            opened: 0,
            decided: 0,
        })
        .collect();

    for c in cases {
        let created = iso_week(c.created_at_unix_ms);
        if let Some(w) = weeks.iter_mut().find(|w| w.week == created) {
            w.opened += 1;
        }
        if let Some(at) = c.decided_at_unix_ms {
            let decided_week = iso_week(at);
            if let Some(w) = weeks.iter_mut().find(|w| w.week == decided_week) {
                w.decided += 1;
            }
        }
        if c.status.is_active() {
            open.entry(c.priority).or_default()[age_bucket(now - c.created_at_unix_ms)] += 1;
        }
        if c.status == CaseStatus::PostShipmentCheckDue {
            checks_due += 1;
            if c.check_due_unix_ms.is_some_and(|d| d < now) {
                checks_overdue += 1;
            }
        }
        if let (Some(at), Some(by)) = (c.decided_at_unix_ms, &c.decided_by) {
            if period.contains(at) {
                let took = i128::from(at - c.created_at_unix_ms);
                let row = officers.entry(by.clone()).or_default();
                // DENIED is the only status a denial leads to; every other
                // decided status follows an approval.
                if c.status == CaseStatus::Denied {
                    row.1 += 1;
                } else {
                    row.0 += 1;
                }
                row.2 += took;
                decided += 1;
                decision_total += took;
            }
        }
        // The latest mark of each finding counts.
        let mut latest: HashMap<(&str, usize), &super::record::FindingMark> = HashMap::new();
        for m in &c.marks {
            latest.insert((m.screening_id.as_str(), m.finding_index), m);
        }
        for m in latest.values().filter(|m| period.contains(m.at_unix_ms)) {
            let (nam, conf) = match m.verdict {
                Verdict::NotAMatch => (1, 0),
                Verdict::ConfirmedMatch => (0, 1),
            };
            for (map, key) in [(&mut per_list, &m.list_id), (&mut per_kind, &m.match_kind)] {
                let key = if key.is_empty() {
                    "(rule)"
                } else {
                    key.as_str()
                };
                let row = map.entry(key.to_string()).or_default();
                row.0 += nam;
                row.1 += conf;
            }
        }
        if period.contains(c.created_at_unix_ms) {
            for e in &c.entries {
                let row = entities
                    .entry((e.list_id.clone(), e.entry_id.clone()))
                    .or_insert_with(|| (e.entry_name.clone(), 0));
                row.1 += 1;
            }
        }
    }

    let mut top: Vec<EntityRow> = entities
        .into_iter()
        .map(|((list_id, entry_id), (entry_name, cases))| EntityRow {
            list_id,
            entry_id,
            entry_name,
            cases,
        })
        .collect();
    top.sort_by(|a, b| {
        b.cases
            .cmp(&a.cases)
            .then_with(|| a.list_id.cmp(&b.list_id))
            .then_with(|| a.entry_id.cmp(&b.entry_id))
    });
    top.truncate(TOP_ENTITIES);

    Report {
        generated_at_unix_ms: now,
        period,
        open: CasePriority::ALL
            .iter()
            .rev()
            .map(|p| {
                let by_age = open.get(p).copied().unwrap_or_default();
                OpenRow {
                    priority: *p,
                    by_age,
                    total: by_age.iter().sum(),
                }
            })
            .collect(),
        checks_due,
        checks_overdue,
        officers: officers
            .into_iter()
            .map(|(officer, (approved, denied, total))| OfficerRow {
                officer,
                approved,
                denied,
                mean_millis_to_decision: mean(total, approved + denied),
            })
            .collect(),
        decided,
        mean_millis_to_decision: mean(decision_total, decided),
        per_list: fp_rows(per_list),
        per_match_kind: fp_rows(per_kind),
        top_entities: top,
        weeks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::priority::Signals;
    use crate::cases::record::{CitedEntry, FindingMark};
    use crate::model::{Decision, FindingKind};

    fn case(id: &str, status: CaseStatus, priority: CasePriority, created: i64) -> CaseRecord {
        CaseRecord {
            case_id: id.into(),
            exporter: "ACME".into(),
            reference: id.into(),
            status,
            decision: Decision::Review,
            priority,
            priority_score: 0,
            signals: Signals::default(),
            screenings: 1,
            latest_screening: Some("scr-1".into()),
            assignee: None,
            created_at_unix_ms: created,
            updated_at_unix_ms: created,
            decided_at_unix_ms: None,
            decided_by: None,
            check_due_unix_ms: None,
            entries: vec![],
            marks: vec![],
            checks: vec![],
            history: vec![],
            pending_approval: None,
            sole_match: None,
            parties: vec![],
        }
    }

    fn decided(mut c: CaseRecord, status: CaseStatus, by: &str, took: i64) -> CaseRecord {
        c.status = status;
        c.decided_at_unix_ms = Some(c.created_at_unix_ms + took);
        c.decided_by = Some(by.into());
        c
    }

    fn mark(index: usize, list: &str, kind: &str, verdict: Verdict, at: i64) -> FindingMark {
        FindingMark {
            screening_id: "scr-1".into(),
            finding_index: index,
            verdict,
            officer: "alice".into(),
            reason: "r".into(),
            at_unix_ms: at,
            list_id: list.into(),
            entry_id: "1".into(),
            entry_name: "E".into(),
            finding_kind: FindingKind::Party,
            match_kind: kind.into(),
            suppression_id: None,
            four_eyes: false,
        }
    }

    fn entry(list: &str, id: &str) -> CitedEntry {
        CitedEntry {
            list_id: list.into(),
            entry_id: id.into(),
            entry_name: format!("{list} {id}"),
        }
    }

    #[test]
    fn the_open_queue_is_counted_by_priority_and_age() {
        let now = 100 * DAY;
        let cases = [
            case("a", CaseStatus::Open, CasePriority::High, now - HOUR),
            case("b", CaseStatus::InReview, CasePriority::High, now - 2 * DAY),
            case(
                "c",
                CaseStatus::InfoRequested,
                CasePriority::Low,
                now - 40 * DAY,
            ),
            case("d", CaseStatus::Denied, CasePriority::High, now - HOUR),
            {
                let mut c = case(
                    "e",
                    CaseStatus::PostShipmentCheckDue,
                    CasePriority::Medium,
                    0,
                );
                c.check_due_unix_ms = Some(now - 1);
                c
            },
            {
                let mut c = case(
                    "f",
                    CaseStatus::PostShipmentCheckDue,
                    CasePriority::Medium,
                    0,
                );
                c.check_due_unix_ms = Some(now + DAY);
                c
            },
        ];
        let r = report(&cases, now, Period::default());
        assert_eq!(r.open[0].priority, CasePriority::High);
        assert_eq!(r.open[0].by_age, [1, 1, 0, 0, 0]);
        assert_eq!(r.open[1].total, 0);
        assert_eq!(r.open[2].by_age, [0, 0, 0, 0, 1]);
        assert_eq!((r.checks_due, r.checks_overdue), (2, 1));
    }

    #[test]
    fn decisions_are_counted_per_officer_within_the_period() {
        let c = |id| case(id, CaseStatus::Open, CasePriority::Low, 1000);
        let cases = [
            decided(c("a"), CaseStatus::Approved, "alice", 2 * HOUR),
            decided(c("b"), CaseStatus::Verified, "alice", 4 * HOUR),
            decided(c("c"), CaseStatus::Denied, "bob", 6 * HOUR),
            decided(c("d"), CaseStatus::Denied, "bob", 100 * DAY),
        ];
        let period = Period {
            from_unix_ms: None,
            to_unix_ms: Some(1000 + 50 * DAY),
        };
        let r = report(&cases, 200 * DAY, period);
        assert_eq!(r.decided, 3);
        assert_eq!(r.mean_millis_to_decision, 4 * HOUR);
        assert_eq!(
            r.officers,
            vec![
                OfficerRow {
                    officer: "alice".into(),
                    approved: 2,
                    denied: 0,
                    mean_millis_to_decision: 3 * HOUR,
                },
                OfficerRow {
                    officer: "bob".into(),
                    approved: 0,
                    denied: 1,
                    mean_millis_to_decision: 6 * HOUR,
                },
            ]
        );
        assert_eq!(report(&[], 0, Period::default()).mean_millis_to_decision, 0);
    }

    #[test]
    fn false_positive_rates_use_the_latest_mark_of_each_finding() {
        let mut a = case("a", CaseStatus::InReview, CasePriority::Low, 0);
        a.marks = vec![
            mark(0, "sdn", "party.fuzzy", Verdict::ConfirmedMatch, 10),
            mark(0, "sdn", "party.fuzzy", Verdict::NotAMatch, 20),
            mark(1, "sdn", "party.exact", Verdict::ConfirmedMatch, 30),
            mark(2, "un", "party.fuzzy", Verdict::NotAMatch, 40),
            mark(3, "", "end_use", Verdict::NotAMatch, 50),
        ];
        let r = report([&a], 100, Period::default());
        let rows: Vec<(&str, u32, u32, f64)> = r
            .per_list
            .iter()
            .map(|x| (x.key.as_str(), x.not_a_match, x.confirmed, x.rate))
            .collect();
        assert_eq!(
            rows,
            vec![("(rule)", 1, 0, 1.0), ("sdn", 1, 1, 0.5), ("un", 1, 0, 1.0)]
        );
        let kinds: Vec<(&str, f64)> = r
            .per_match_kind
            .iter()
            .map(|x| (x.key.as_str(), x.rate))
            .collect();
        assert_eq!(
            kinds,
            vec![("end_use", 1.0), ("party.exact", 0.0), ("party.fuzzy", 1.0)]
        );
    }

    #[test]
    fn top_entities_count_cases_most_first() {
        let mut cases = Vec::new();
        for (i, entries) in [
            vec![entry("sdn", "1"), entry("un", "9")],
            vec![entry("sdn", "1")],
            vec![entry("bis", "3")],
        ]
        .into_iter()
        .enumerate()
        {
            let mut c = case(
                &format!("c{i}"),
                CaseStatus::Open,
                CasePriority::Low,
                i as i64,
            );
            c.entries = entries;
            cases.push(c);
        }
        let r = report(&cases, 10, Period::default());
        let top: Vec<(&str, &str, u32)> = r
            .top_entities
            .iter()
            .map(|e| (e.list_id.as_str(), e.entry_id.as_str(), e.cases))
            .collect();
        assert_eq!(top, vec![("sdn", "1", 2), ("bis", "3", 1), ("un", "9", 1)]);
        assert_eq!(r.top_entities[0].entry_name, "sdn 1");
        let later = Period {
            from_unix_ms: Some(1),
            to_unix_ms: None,
        };
        assert_eq!(report(&cases, 10, later).top_entities[0].cases, 1);
    }

    #[test]
    fn cases_are_counted_per_iso_week_opened_and_decided() {
        const DAY: i64 = 86_400_000;
        // 2026-12-07 is a Monday (ISO week 50).
        let monday = 1_796_601_600_000;
        assert_eq!(iso_week(monday), "2026-W50");
        assert_eq!(iso_week(monday - 1), "2026-W49");
        let cases = vec![
            case("a", CaseStatus::Open, CasePriority::Low, monday + DAY),
            decided(
                case("b", CaseStatus::Open, CasePriority::Low, monday - 3 * DAY),
                CaseStatus::Approved,
                "olga",
                4 * DAY,
            ),
            // Too old for the chart.
            case("c", CaseStatus::Open, CasePriority::Low, monday - 70 * DAY),
        ];
        let r = report(&cases, monday + 2 * DAY, Period::default());
        assert_eq!(r.weeks.len(), WEEKS);
        let row = |w: &str| {
            let x = r.weeks.iter().find(|x| x.week == w).unwrap();
            (x.opened, x.decided)
        };
        assert_eq!(r.weeks.last().unwrap().week, "2026-W50");
        assert_eq!(row("2026-W50"), (1, 1));
        assert_eq!(row("2026-W49"), (1, 0));
        assert_eq!(r.weeks.iter().map(|w| w.opened).sum::<u32>(), 2);
    }
}
