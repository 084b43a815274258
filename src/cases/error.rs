//! Refused case commands: a transition the status machine does not allow,
//! an officer acting on a case assigned to someone else, a finding that is
//! not part of the case. `api::status` maps each to a gRPC code.

use thiserror::Error;

use super::status::CaseStatus;
use crate::ids::{CaseId, ScreeningId};

/// A case command was refused.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CaseError {
    /// The case's status does not allow the action.
    #[error("case {case_id} is {status}: cannot {action} (allowed when {allowed}){hint}")]
    InvalidTransition {
        /// The case.
        case_id: CaseId,
        /// Its current status.
        status: CaseStatus,
        /// What was asked (`decide`, `request information` ...).
        action: String,
        /// The statuses that allow it.
        allowed: String,
        /// What to do first (`; claim it first`), or empty.
        hint: String,
    },
    /// Only the assigned officer may do this.
    #[error("case {case_id} is assigned to {assignee}, not {actor}: claim it first")]
    NotAssignee {
        /// The case.
        case_id: CaseId,
        /// Its officer ("nobody" when unassigned).
        assignee: String,
        /// Who asked.
        actor: String,
    },
    /// A PROHIBITED case cannot be approved.
    #[error(
        "case {case_id} is PROHIBITED: it cannot be approved; mark the prohibiting findings \"not a match\" if they are false positives, or deny it"
    )]
    ProhibitedApproval {
        /// The case.
        case_id: CaseId,
    },
    /// The screening named is not one of the case's.
    #[error("screening {screening_id} is not part of case {case_id}")]
    ScreeningNotInCase {
        /// The case.
        case_id: CaseId,
        /// The screening named.
        screening_id: ScreeningId,
    },
    /// Every officer's action needs a reason.
    #[error("case {case_id}: a reason is required to {action}")]
    ReasonRequired {
        /// The case.
        case_id: CaseId,
        /// What was asked.
        action: String,
    },
    /// The same officer approved twice a case that needs two.
    #[error(
        "case {case_id}: four-eyes rule: a confirmed match on a deny or licence list needs the approval of a second officer; {officer} approved first and cannot approve again"
    )]
    FourEyes {
        /// The case.
        case_id: CaseId,
        /// The officer who approved first.
        officer: String,
    },
    /// Bulk "not a match": the case has other open findings than the party
    /// and entry judged (it changed since it was found).
    #[error("case {case_id} has other open findings than the party and entry judged")]
    NotSoleMatch {
        /// The case.
        case_id: CaseId,
    },
    /// The finding index is beyond the screening's findings.
    #[error("screening {screening_id} has {count} findings; there is no finding {index}")]
    NoSuchFinding {
        /// The screening.
        screening_id: ScreeningId,
        /// The index asked for (0-based).
        index: usize,
        /// How many findings it has.
        count: usize,
    },
}
