//! The case status machine.
//!
//! ```text
//! OPEN ──claim──> IN_REVIEW ──decide──> APPROVED ──schedule check──> POST_SHIPMENT_CHECK_DUE
//!                  │   ^   └──decide──> DENIED                        │            │
//!       request info│   │resubmission                          verified│    diverted│
//!                  v   │                                              v            v
//!               INFO_REQUESTED ──deny──> DENIED                    VERIFIED     DIVERTED
//!
//! OPEN ──bulk "not a match"──> CLOSED
//! APPROVED, DENIED, POST_SHIPMENT_CHECK_DUE, VERIFIED, DIVERTED, CLOSED ──reopen──> IN_REVIEW
//! ```
//!
//! - A case is *active* (OPEN, IN_REVIEW, INFO_REQUESTED) until it is
//!   decided: new screenings of the same exporter and reference join it.
//! - Claiming assigns the case (OPEN -> IN_REVIEW); claiming an assigned
//!   case reassigns it (the status stays).
//! - Deciding needs the assigned officer and a reason. APPROVE needs
//!   IN_REVIEW (the answer to an information request must be reviewed
//!   first); DENY is also allowed while information is requested (the
//!   exporter may never answer).
//! - A resubmission to an INFO_REQUESTED case sends it back to IN_REVIEW
//!   (to its officer), or to OPEN when nobody holds it.
//! - An approval with a check due goes on to POST_SHIPMENT_CHECK_DUE; a
//!   check can also be scheduled later. The check's result ends the case:
//!   VERIFIED or DIVERTED.
//! - An OPEN case whose only open findings are one party matched against
//!   one entry is CLOSED when an officer marks that same party and entry
//!   "not a match" in another case (bulk "not a match"): nothing is left
//!   to decide.
//! - Any decided or closed case can be reopened (with a reason): it goes
//!   back to IN_REVIEW, held by the officer who reopened it; the earlier
//!   decision stays in its history.

use serde::{Deserialize, Serialize};

/// State of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CaseStatus {
    /// Waiting for an officer; new screenings of the same shipment join it.
    Open,
    /// Assigned to an officer who is working on it.
    InReview,
    /// The officer asked the exporter for information; a resubmission of
    /// the shipment answers it.
    InfoRequested,
    /// Licensed (or found not to need one) by an officer.
    Approved,
    /// Refused by an officer.
    Denied,
    /// Approved, and a post-shipment verification is due.
    PostShipmentCheckDue,
    /// The post-shipment check found the goods where and with whom they
    /// should be.
    Verified,
    /// The post-shipment check found the goods diverted.
    Diverted,
    /// Closed without a decision: its only open findings were judged "not
    /// a match" in another case (bulk "not a match").
    Closed,
}

impl CaseStatus {
    /// Every status, in workflow order.
    pub const ALL: [CaseStatus; 9] = [
        CaseStatus::Open,
        CaseStatus::InReview,
        CaseStatus::InfoRequested,
        CaseStatus::Approved,
        CaseStatus::Denied,
        CaseStatus::PostShipmentCheckDue,
        CaseStatus::Verified,
        CaseStatus::Diverted,
        CaseStatus::Closed,
    ];

    /// Upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "OPEN",
            CaseStatus::InReview => "IN_REVIEW",
            CaseStatus::InfoRequested => "INFO_REQUESTED",
            CaseStatus::Approved => "APPROVED",
            CaseStatus::Denied => "DENIED",
            CaseStatus::PostShipmentCheckDue => "POST_SHIPMENT_CHECK_DUE",
            CaseStatus::Verified => "VERIFIED",
            CaseStatus::Diverted => "DIVERTED",
            CaseStatus::Closed => "CLOSED",
        }
    }

    /// A stable one-byte code (the first byte of queue index keys).
    pub fn code(self) -> u8 {
        match self {
            CaseStatus::Open => 1,
            CaseStatus::InReview => 2,
            CaseStatus::InfoRequested => 3,
            CaseStatus::Approved => 4,
            CaseStatus::Denied => 5,
            CaseStatus::PostShipmentCheckDue => 6,
            CaseStatus::Verified => 7,
            CaseStatus::Diverted => 8,
            CaseStatus::Closed => 9,
        }
    }

    /// The status of a [`CaseStatus::code`].
    pub fn from_code(code: u8) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Not yet decided: new screenings of the shipment join the case.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            CaseStatus::Open | CaseStatus::InReview | CaseStatus::InfoRequested
        )
    }
}

impl std::fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An officer's decision on a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CaseDecision {
    /// The shipment may go (under licence where one is required).
    Approve,
    /// The shipment may not go.
    Deny,
}

impl CaseDecision {
    /// Upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseDecision::Approve => "APPROVE",
            CaseDecision::Deny => "DENY",
        }
    }
}

/// A status change an officer (or a resubmission) asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    /// Assign the case to an officer.
    Claim,
    /// Ask the exporter for information.
    RequestInfo,
    /// Approve, or deny.
    Decide(CaseDecision),
    /// Mark a finding (no status change; the case must be in review).
    Mark,
    /// Schedule a post-shipment check of an approved case.
    ScheduleCheck,
    /// Record an end-use certificate (no status change).
    RecordCertificate,
    /// Record a post-shipment check's result: verified (true) or diverted.
    RecordVerification {
        /// True: verified; false: diverted.
        verified: bool,
    },
    /// Reopen a decided or closed case.
    Reopen,
    /// Close an OPEN case whose only open findings were judged "not a
    /// match" in another case.
    CloseNotAMatch,
    /// The exporter resubmitted the shipment (a new screening joined).
    Resubmission {
        /// Whether an officer holds the case.
        assigned: bool,
    },
}

impl Transition {
    /// What the action is called in messages.
    pub fn label(self) -> &'static str {
        match self {
            Transition::Claim => "claim it",
            Transition::RequestInfo => "request information",
            Transition::Decide(CaseDecision::Approve) => "approve it",
            Transition::Decide(CaseDecision::Deny) => "deny it",
            Transition::Mark => "mark findings",
            Transition::ScheduleCheck => "schedule a post-shipment check",
            Transition::RecordCertificate => "record an end-use certificate",
            Transition::RecordVerification { .. } => "record a post-shipment check result",
            Transition::Reopen => "reopen it",
            Transition::CloseNotAMatch => "close it as not a match",
            Transition::Resubmission { .. } => "take a resubmission",
        }
    }

    /// The statuses that allow this transition.
    pub fn allowed_from(self) -> &'static [CaseStatus] {
        use CaseStatus::*;
        match self {
            Transition::Claim => &[Open, InReview, InfoRequested],
            Transition::RequestInfo => &[InReview],
            Transition::Decide(CaseDecision::Approve) => &[InReview],
            Transition::Decide(CaseDecision::Deny) => &[InReview, InfoRequested],
            Transition::Mark => &[InReview, InfoRequested],
            Transition::ScheduleCheck => &[Approved],
            Transition::RecordCertificate => {
                &[InReview, InfoRequested, Approved, PostShipmentCheckDue]
            }
            Transition::RecordVerification { .. } => &[PostShipmentCheckDue],
            Transition::Reopen => &[
                Approved,
                Denied,
                PostShipmentCheckDue,
                Verified,
                Diverted,
                Closed,
            ],
            Transition::CloseNotAMatch => &[Open],
            Transition::Resubmission { .. } => &[Open, InReview, InfoRequested],
        }
    }

    /// The status after the transition from `from`, or `None` when `from`
    /// does not allow it.
    pub fn apply(self, from: CaseStatus) -> Option<CaseStatus> {
        if !self.allowed_from().contains(&from) {
            return None;
        }
        Some(match self {
            Transition::Claim => match from {
                CaseStatus::Open => CaseStatus::InReview,
                other => other,
            },
            Transition::RequestInfo => CaseStatus::InfoRequested,
            Transition::Decide(CaseDecision::Approve) => CaseStatus::Approved,
            Transition::Decide(CaseDecision::Deny) => CaseStatus::Denied,
            Transition::Mark | Transition::RecordCertificate => from,
            Transition::ScheduleCheck => CaseStatus::PostShipmentCheckDue,
            Transition::RecordVerification { verified: true } => CaseStatus::Verified,
            Transition::RecordVerification { verified: false } => CaseStatus::Diverted,
            Transition::Reopen => CaseStatus::InReview,
            Transition::CloseNotAMatch => CaseStatus::Closed,
            Transition::Resubmission { assigned } => match from {
                CaseStatus::InfoRequested if assigned => CaseStatus::InReview,
                CaseStatus::InfoRequested => CaseStatus::Open,
                other => other,
            },
        })
    }

    /// The allowed statuses as text (`IN_REVIEW or INFO_REQUESTED`).
    pub fn allowed_text(self) -> String {
        let names: Vec<&str> = self.allowed_from().iter().map(|s| s.as_str()).collect();
        match names.split_last() {
            None => String::from("never"),
            Some((last, [])) => (*last).to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CaseStatus::*;
    use super::*;

    #[test]
    fn transitions_follow_the_machine() {
        use CaseDecision::*;
        let table: &[(Transition, CaseStatus, Option<CaseStatus>)] = &[
            (Transition::Claim, Open, Some(InReview)),
            (Transition::Claim, InReview, Some(InReview)),
            (Transition::Claim, InfoRequested, Some(InfoRequested)),
            (Transition::Claim, Approved, None),
            (Transition::Claim, Denied, None),
            (Transition::RequestInfo, InReview, Some(InfoRequested)),
            (Transition::RequestInfo, Open, None),
            (Transition::RequestInfo, InfoRequested, None),
            (Transition::Decide(Approve), InReview, Some(Approved)),
            (Transition::Decide(Approve), Open, None),
            (Transition::Decide(Approve), InfoRequested, None),
            (Transition::Decide(Deny), InReview, Some(Denied)),
            (Transition::Decide(Deny), InfoRequested, Some(Denied)),
            (Transition::Decide(Deny), Approved, None),
            (Transition::Decide(Deny), Denied, None),
            (Transition::Mark, InReview, Some(InReview)),
            (Transition::Mark, Open, None),
            (Transition::Mark, Approved, None),
            (
                Transition::ScheduleCheck,
                Approved,
                Some(PostShipmentCheckDue),
            ),
            (Transition::ScheduleCheck, InReview, None),
            (Transition::ScheduleCheck, PostShipmentCheckDue, None),
            (Transition::RecordCertificate, Approved, Some(Approved)),
            (Transition::RecordCertificate, Open, None),
            (Transition::RecordCertificate, Verified, None),
            (
                Transition::RecordVerification { verified: true },
                PostShipmentCheckDue,
                Some(Verified),
            ),
            (
                Transition::RecordVerification { verified: false },
                PostShipmentCheckDue,
                Some(Diverted),
            ),
            (
                Transition::RecordVerification { verified: true },
                Approved,
                None,
            ),
            (
                Transition::RecordVerification { verified: true },
                Verified,
                None,
            ),
            (
                Transition::Resubmission { assigned: true },
                InfoRequested,
                Some(InReview),
            ),
            (
                Transition::Resubmission { assigned: false },
                InfoRequested,
                Some(Open),
            ),
            (
                Transition::Resubmission { assigned: true },
                Open,
                Some(Open),
            ),
            (Transition::Resubmission { assigned: true }, Denied, None),
            (Transition::Reopen, Approved, Some(InReview)),
            (Transition::Reopen, Denied, Some(InReview)),
            (Transition::Reopen, Closed, Some(InReview)),
            (Transition::Reopen, Verified, Some(InReview)),
            (Transition::Reopen, Open, None),
            (Transition::Reopen, InReview, None),
            (Transition::CloseNotAMatch, Open, Some(Closed)),
            (Transition::CloseNotAMatch, InReview, None),
            (Transition::CloseNotAMatch, Closed, None),
        ];
        for (t, from, to) in table {
            assert_eq!(t.apply(*from), *to, "{t:?} from {from}");
        }
    }

    #[test]
    fn only_undecided_cases_are_active() {
        let active: Vec<CaseStatus> = CaseStatus::ALL
            .into_iter()
            .filter(|s| s.is_active())
            .collect();
        assert_eq!(active, vec![Open, InReview, InfoRequested]);
    }

    #[test]
    fn codes_round_trip_and_are_distinct() {
        for s in CaseStatus::ALL {
            assert_eq!(CaseStatus::from_code(s.code()), Some(s));
        }
        assert_eq!(CaseStatus::from_code(0), None);
        assert_eq!(CaseStatus::from_code(10), None);
    }

    #[test]
    fn allowed_statuses_read_as_a_list() {
        assert_eq!(Transition::RequestInfo.allowed_text(), "IN_REVIEW");
        assert_eq!(
            Transition::Decide(CaseDecision::Deny).allowed_text(),
            "IN_REVIEW or INFO_REQUESTED"
        );
        assert_eq!(
            Transition::Claim.allowed_text(),
            "OPEN, IN_REVIEW or INFO_REQUESTED"
        );
    }
}
