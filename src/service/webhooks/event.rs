//! What a webhook is told: events made from case changes (the broadcast
//! the consoles hear) and from committed list versions, and which
//! subscriptions take each one. Pure: the facts a case change lacks (the
//! status before, the question asked) are passed in by the caller, who
//! reads them from the store.

use tokio::sync::broadcast;

use crate::actions::Origin;
use crate::cases::{CaseChange, CasePriority, CaseStatus, ChangeKind};
use crate::model::Decision;
use crate::store::webhooks::{EventType, WebhookRecord};

/// List changes buffered for a slow dispatcher.
const LIST_EVENT_BUFFER: usize = 256;

/// A committed list version, as webhooks see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListChanged {
    /// The list.
    pub list_id: String,
    /// The new version.
    pub version: u64,
    /// How it came to be.
    pub origin: Origin,
    /// Entries added, removed and changed against the version replaced.
    pub added: u32,
    /// See `added`.
    pub removed: u32,
    /// See `added`.
    pub changed: u32,
    /// Publication date the source states, or empty.
    pub published: String,
    /// The list is retired.
    pub retired: bool,
    /// When it was committed.
    pub at_unix_ms: i64,
}

/// The broadcast of committed list versions (one per server).
#[derive(Debug)]
pub struct ListEvents {
    tx: broadcast::Sender<ListChanged>,
}

impl Default for ListEvents {
    fn default() -> Self {
        ListEvents {
            tx: broadcast::channel(LIST_EVENT_BUFFER).0,
        }
    }
}

impl ListEvents {
    /// Tells every listener (none is fine).
    pub fn publish(&self, change: ListChanged) {
        let _ = self.tx.send(change);
    }

    /// A listener.
    pub fn subscribe(&self) -> broadcast::Receiver<ListChanged> {
        self.tx.subscribe()
    }
}

/// A case as a case event shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseFacts {
    /// The case.
    pub case_id: String,
    /// Its exporter.
    pub exporter: String,
    /// The exporter's shipment reference.
    pub reference: String,
    /// Its status now.
    pub status: CaseStatus,
    /// Its status before (`None` for a new case).
    pub previous: Option<CaseStatus>,
    /// The screening decision.
    pub decision: Decision,
    /// Queue priority (licensing office subscriptions only).
    pub priority: CasePriority,
    /// The question addressed to the exporter (information requested).
    pub question: String,
}

/// What an event is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A case.
    Case(CaseFacts),
    /// A list.
    List(ListChanged),
}

/// One event, before it is rendered for a subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// `evt-...`, shared by every delivery of the event.
    pub event_id: String,
    /// Its type.
    pub event_type: EventType,
    /// When it happened.
    pub at_unix_ms: i64,
    /// What it is about.
    pub subject: Subject,
}

/// Who a rendered event is for: the licensing office sees the queue
/// priority, an exporter does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// An exporter's subscription.
    Exporter,
    /// A licensing office subscription.
    Office,
}

impl Audience {
    /// The audience of a subscription.
    pub fn of(hook: &WebhookRecord) -> Audience {
        if hook.exporter.is_some() {
            Audience::Exporter
        } else {
            Audience::Office
        }
    }
}

/// Joins of a screening: the exporter's own doing.
const OPENED: &str = "opened";
const RESUBMITTED: &str = "resubmitted";
const SCREENING: &str = "screening";

/// The status a case had before `change`, when the change says so itself
/// (a screening opening or joining it); `None` when the caller must look
/// it up in the case's history (an officer's action).
pub fn known_previous(change: &CaseChange) -> Option<Option<CaseStatus>> {
    match change.action.as_str() {
        OPENED => Some(None),
        RESUBMITTED => Some(Some(CaseStatus::InfoRequested)),
        SCREENING => Some(Some(change.summary.status)),
        _ => None,
    }
}

/// The case history's name of a change's action (`case.decide` ->
/// `decide`).
pub fn history_action(change: &CaseChange) -> &str {
    change
        .action
        .strip_prefix("case.")
        .unwrap_or(change.action.as_str())
}

/// The event types a case change makes, with the case's facts.
/// `previous` is the status before; `question` the reason of an
/// information request.
pub fn case_events(
    change: &CaseChange,
    previous: Option<CaseStatus>,
    question: String,
) -> Vec<(EventType, CaseFacts)> {
    let s = &change.summary;
    let action = history_action(change);
    let facts = CaseFacts {
        case_id: s.case_id.to_string(),
        exporter: s.exporter.trim().to_string(),
        reference: s.reference.clone(),
        status: s.status,
        previous,
        decision: s.decision,
        priority: s.priority,
        question: if action == "request_info" {
            question
        } else {
            String::new()
        },
    };
    let mut out = Vec::new();
    if previous != Some(s.status) {
        out.push(EventType::CaseStatusChanged);
    }
    if action == "request_info" && s.status == CaseStatus::InfoRequested {
        out.push(EventType::CaseInfoRequested);
    }
    if action == "decide" && matches!(s.status, CaseStatus::Approved | CaseStatus::Denied) {
        out.push(EventType::CaseDecided);
    }
    if change.kind == ChangeKind::Opened && s.priority == CasePriority::High {
        out.push(EventType::CaseHighPriority);
    }
    out.into_iter().map(|t| (t, facts.clone())).collect()
}

/// True when `hook` takes `event`: it asked for the type, and a case event
/// is about its exporter's case (an exporter's subscription) or any case
/// (the licensing office's); list events go to the office only.
pub fn wants(hook: &WebhookRecord, event: &Event) -> bool {
    if !hook.events.contains(&event.event_type) {
        return false;
    }
    match (&event.subject, &hook.exporter) {
        (Subject::Case(_), None) => true,
        (Subject::Case(c), Some(own)) => {
            event.event_type.for_exporters() && own.trim() == c.exporter.trim()
        }
        (Subject::List(_), None) => true,
        (Subject::List(_), Some(_)) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::CaseSummary;
    use crate::ids::{Actor, CaseId, WebhookId};

    fn change(
        kind: ChangeKind,
        action: &str,
        status: CaseStatus,
        priority: CasePriority,
    ) -> CaseChange {
        CaseChange {
            kind,
            action: action.into(),
            actor: Actor::new("olga"),
            at_unix_ms: 5,
            summary: CaseSummary {
                case_id: CaseId::new("case-1"),
                exporter: "ACME".into(),
                reference: "PO-1".into(),
                status,
                decision: Decision::Review,
                priority,
                priority_score: 1,
                assignee: Some("olga".into()),
                created_at_unix_ms: 1,
                updated_at_unix_ms: 5,
                decided_at_unix_ms: None,
                check_due_unix_ms: None,
                screenings: 1,
                entries: vec![],
                parties: vec![],
            },
        }
    }

    fn types(v: &[(EventType, CaseFacts)]) -> Vec<EventType> {
        v.iter().map(|(t, _)| *t).collect()
    }

    #[test]
    fn case_changes_make_the_events_they_should() {
        use CaseStatus::*;
        use EventType::*;
        let opened = change(ChangeKind::Opened, "opened", Open, CasePriority::High);
        assert_eq!(known_previous(&opened), Some(None));
        assert_eq!(
            types(&case_events(&opened, None, String::new())),
            vec![CaseStatusChanged, CaseHighPriority]
        );
        let low = change(ChangeKind::Opened, "opened", Open, CasePriority::Low);
        assert_eq!(
            types(&case_events(&low, None, String::new())),
            vec![CaseStatusChanged]
        );

        let joined = change(ChangeKind::Updated, "screening", Open, CasePriority::High);
        let prev = known_previous(&joined).unwrap();
        assert!(case_events(&joined, prev, String::new()).is_empty());

        let asked = change(
            ChangeKind::Updated,
            "case.request_info",
            InfoRequested,
            CasePriority::Low,
        );
        assert_eq!(known_previous(&asked), None);
        let ev = case_events(&asked, Some(InReview), "Send the EUC".into());
        assert_eq!(types(&ev), vec![CaseStatusChanged, CaseInfoRequested]);
        assert_eq!(ev[1].1.question, "Send the EUC");
        assert_eq!(ev[1].1.previous, Some(InReview));

        let decided = change(
            ChangeKind::Updated,
            "case.decide",
            Denied,
            CasePriority::Low,
        );
        let ev = case_events(&decided, Some(InReview), "internal reason".into());
        assert_eq!(types(&ev), vec![CaseStatusChanged, CaseDecided]);
        assert!(
            ev.iter().all(|(_, f)| f.question.is_empty()),
            "a decision's reason is internal"
        );

        let marked = change(
            ChangeKind::Updated,
            "case.mark",
            InReview,
            CasePriority::Low,
        );
        assert!(case_events(&marked, Some(InReview), "note".into()).is_empty());
    }

    #[test]
    fn subscriptions_take_their_own_events() {
        let hook = |exporter: Option<&str>, events: Vec<EventType>| WebhookRecord {
            webhook_id: WebhookId::from_seq(1),
            url: "http://x/".into(),
            events,
            exporter: exporter.map(str::to_string),
            secret: String::new(),
            description: String::new(),
            created_by: String::new(),
            created_at_unix_ms: 0,
        };
        let decided = change(
            ChangeKind::Updated,
            "case.decide",
            CaseStatus::Approved,
            CasePriority::Low,
        );
        let (t, facts) = case_events(&decided, Some(CaseStatus::InReview), String::new())
            .pop()
            .unwrap();
        let event = Event {
            event_id: "evt-1".into(),
            event_type: t,
            at_unix_ms: 5,
            subject: Subject::Case(facts),
        };
        assert!(wants(
            &hook(Some("ACME"), vec![EventType::CaseDecided]),
            &event
        ));
        assert!(!wants(
            &hook(Some("Globex"), vec![EventType::CaseDecided]),
            &event
        ));
        assert!(!wants(
            &hook(Some("ACME"), vec![EventType::CaseStatusChanged]),
            &event
        ));
        assert!(wants(&hook(None, vec![EventType::CaseDecided]), &event));
        let list = Event {
            event_id: "evt-2".into(),
            event_type: EventType::ListChanged,
            at_unix_ms: 5,
            subject: Subject::List(ListChanged {
                list_id: "sdn".into(),
                version: 2,
                origin: Origin::Import,
                added: 1,
                removed: 0,
                changed: 0,
                published: String::new(),
                retired: false,
                at_unix_ms: 5,
            }),
        };
        assert!(wants(&hook(None, vec![EventType::ListChanged]), &list));
        assert!(!wants(
            &hook(Some("ACME"), vec![EventType::ListChanged]),
            &list
        ));
    }
}
