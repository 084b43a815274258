//! The service's closed vocabularies, as enums: what an audit record says
//! was done ([`AuditAction`]) and how a list version came to be
//! ([`Origin`]). Each serialises as the string stored before these types
//! existed (`case.decide`, `entry.add` ...), so stored records and audit
//! hashes are unchanged.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Defines a string enum: variants with their stored names, `as_str`,
/// `ALL`, `FromStr` and serde as that string.
macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stored name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<$name, String> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| format!("unknown {} {s:?}", stringify!($name)))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

string_enum!(
    /// What an audit record says was done.
    AuditAction {
        /// A shipment was screened (and its case opened or joined).
        Screening => "screening",
        /// A list change opened a case for a stored screening.
        CaseOpen => "case.open",
        /// An officer claimed (or reassigned) a case.
        CaseClaim => "case.claim",
        /// An officer asked the exporter for information.
        CaseRequestInfo => "case.request_info",
        /// An officer approved or denied a case.
        CaseDecide => "case.decide",
        /// An officer judged a finding.
        CaseMark => "case.mark",
        /// The first of two approvals a four-eyes case needs.
        CaseApprovePending => "case.approve_pending",
        /// An officer reopened a decided or closed case.
        CaseReopen => "case.reopen",
        /// A "not a match" in another case closed this one (bulk).
        CaseCloseNotAMatch => "case.close_not_a_match",
        /// A post-shipment check was scheduled.
        CaseScheduleCheck => "case.schedule_check",
        /// A certificate or post-shipment check result was recorded.
        CaseRecordCheck => "case.record_check",
        /// A "not a match" created a suppression.
        SuppressionCreate => "suppression.create",
        /// A newer suppression replaced an active one.
        SuppressionSupersede => "suppression.supersede",
        /// A confirmed match revoked a suppression.
        SuppressionRevoke => "suppression.revoke",
        /// A list version changed the suppressed entry.
        SuppressionInvalidate => "suppression.invalidate",
        /// A list version was imported (seed and refresh included).
        ListImport => "list.import",
        /// An entry was added by hand.
        ListEntryAdd => "list.entry.add",
        /// An entry was changed by hand.
        ListEntryUpdate => "list.entry.update",
        /// An entry was removed by hand.
        ListEntryRemove => "list.entry.remove",
        /// An empty list was created (CreateList).
        ListCreate => "list.create",
        /// A list was retired (RetireList): kept for replay, no longer screened.
        ListRetire => "list.retire",
        /// An access token was created.
        TokenCreate => "token.create",
        /// An access token was revoked.
        TokenRevoke => "token.revoke",
    }
);

impl AuditAction {
    /// The word a case's history uses for an officer's action
    /// (`case.decide` -> `decide`).
    pub fn history_name(self) -> &'static str {
        let s = self.as_str();
        s.strip_prefix("case.").unwrap_or(s)
    }
}

string_enum!(
    /// How a list version came to be.
    Origin {
        /// A bundled list imported into a fresh data directory.
        Seed => "seed",
        /// Imported by a user (`ImportList`).
        Import => "import",
        /// Fetched by the scheduled refresh.
        Refresh => "refresh",
        /// An entry added by hand.
        EntryAdd => "entry.add",
        /// An entry changed by hand.
        EntryUpdate => "entry.update",
        /// An entry removed by hand.
        EntryRemove => "entry.remove",
        /// An empty list created by hand (CreateList).
        Create => "create",
        /// The list retired (RetireList): its last version, kept for replay.
        Retire => "retire",
    }
);

impl Origin {
    /// True for the edits by hand.
    pub fn is_edit(self) -> bool {
        matches!(
            self,
            Origin::EntryAdd | Origin::EntryUpdate | Origin::EntryRemove
        )
    }

    /// The audit action of a version of this origin: `list.import` for
    /// imports (seed and refresh included), `list.entry.*` for edits.
    pub fn audit_action(self) -> AuditAction {
        match self {
            Origin::Seed | Origin::Import | Origin::Refresh => AuditAction::ListImport,
            Origin::EntryAdd => AuditAction::ListEntryAdd,
            Origin::EntryUpdate => AuditAction::ListEntryUpdate,
            Origin::EntryRemove => AuditAction::ListEntryRemove,
            Origin::Create => AuditAction::ListCreate,
            Origin::Retire => AuditAction::ListRetire,
        }
    }
}

// The enum is defined by a macro, which cannot derive `Default`.
#[allow(clippy::derivable_impls)]
impl Default for Origin {
    fn default() -> Self {
        Origin::Import
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_through_its_stored_name() {
        for a in AuditAction::ALL {
            let json = serde_json::to_string(a).unwrap();
            assert_eq!(json, format!("\"{}\"", a.as_str()));
            assert_eq!(serde_json::from_str::<AuditAction>(&json).unwrap(), *a);
        }
        assert_eq!(AuditAction::CaseDecide.history_name(), "decide");
        assert_eq!(AuditAction::Screening.history_name(), "screening");
        assert!("case.nope".parse::<AuditAction>().is_err());
    }

    #[test]
    fn origins_keep_their_names_and_pick_the_audit_action() {
        let table = [
            (Origin::Seed, "seed", AuditAction::ListImport),
            (Origin::Import, "import", AuditAction::ListImport),
            (Origin::Refresh, "refresh", AuditAction::ListImport),
            (Origin::EntryAdd, "entry.add", AuditAction::ListEntryAdd),
            (
                Origin::EntryUpdate,
                "entry.update",
                AuditAction::ListEntryUpdate,
            ),
            (
                Origin::EntryRemove,
                "entry.remove",
                AuditAction::ListEntryRemove,
            ),
            (Origin::Create, "create", AuditAction::ListCreate),
            (Origin::Retire, "retire", AuditAction::ListRetire),
        ];
        assert_eq!(table.len(), Origin::ALL.len());
        for (o, name, action) in table {
            assert_eq!(o.as_str(), name);
            assert_eq!(name.parse::<Origin>().unwrap(), o);
            assert_eq!(o.audit_action(), action);
            assert_eq!(o.is_edit(), name.starts_with("entry."));
        }
    }
}
