//! Typed identities of what the service keeps (screenings, cases,
//! suppressions, lists, list entries) and who acts ([`Actor`]), so that a
//! case id is never passed where a screening id is expected and the
//! service's own actor is one value, not a string repeated in five places.
//!
//! Every type serialises as the plain string it wraps (`scr-000000000000002a`,
//! `case-...`, `ofac-sdn`, `system`): stored JSON keeps its shape.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! record_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The prefix every id of this kind starts with.
            pub const PREFIX: &'static str = $prefix;

            /// The id numbered `n` by the store: the prefix and 16 hex
            /// digits, so that ids sort in creation order.
            pub fn from_seq(n: u64) -> Self {
                $name(format!("{}{n:016x}", $prefix))
            }

            /// An id as a client sent it (trimmed). It may name nothing: the
            /// store answers NOT_FOUND for an id it does not have.
            pub fn new(id: impl AsRef<str>) -> Self {
                $name(id.as_ref().trim().to_string())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id as bytes (store keys).
            pub fn as_bytes(&self) -> &[u8] {
                self.0.as_bytes()
            }

            /// The id as an owned string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> $name {
                $name::new(id)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> $name {
                $name::new(id)
            }
        }
    };
}

record_id!(
    /// A stored screening: `scr-` and 16 hex digits.
    ScreeningId,
    "scr-"
);
record_id!(
    /// A case: `case-` and 16 hex digits.
    CaseId,
    "case-"
);
record_id!(
    /// An officer's "not a match" judgement: `sup-` and 16 hex digits.
    SuppressionId,
    "sup-"
);
record_id!(
    /// A webhook subscription: `wh-` and 16 hex digits.
    WebhookId,
    "wh-"
);
record_id!(
    /// One event to deliver to one webhook (the same id on every attempt,
    /// for receivers to deduplicate): `dlv-` and 16 hex digits.
    DeliveryId,
    "dlv-"
);

/// A list id: 1 to 64 lower-case letters, digits and dashes, starting with
/// a letter or digit (`ofac-sdn`, `mtcr`). Only valid ids can be built.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ListId(String);

/// A text that is not a list id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a list id: use 1 to 64 lower-case letters, digits and dashes, starting with a letter or digit"
)]
pub struct InvalidListId(pub String);

impl ListId {
    /// True when `id` follows the naming rule.
    pub fn is_valid(id: &str) -> bool {
        let b = id.as_bytes();
        !b.is_empty()
            && b.len() <= 64
            && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
            && b.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
    }

    /// The list id `id`.
    ///
    /// # Errors
    /// [`InvalidListId`] (holding at most 80 characters of the text) when
    /// `id` breaks the naming rule.
    pub fn parse(id: &str) -> Result<ListId, InvalidListId> {
        if ListId::is_valid(id) {
            Ok(ListId(id.to_string()))
        } else {
            Err(InvalidListId(id.chars().take(80).collect()))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for ListId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ListId::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for ListId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for ListId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The id of an entry within a list (`36`, `2.A.1.a`, `ACME-0001`).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EntryId(String);

impl EntryId {
    /// The entry id `id` (trimmed).
    pub fn new(id: impl AsRef<str>) -> EntryId {
        EntryId(id.as_ref().trim().to_string())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Serde for an optional entry id stored as a string that is empty when
/// there is none (the representation records written before the type had).
pub mod optional_entry {
    use super::*;

    /// Writes `None` as `""`.
    pub fn serialize<S: Serializer>(v: &Option<EntryId>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.as_ref().map_or("", EntryId::as_str))
    }

    /// Reads `""` (or a missing field, with `#[serde(default)]`) as `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<EntryId>, D::Error> {
        let s = String::deserialize(d)?;
        Ok((!s.trim().is_empty()).then(|| EntryId::new(s)))
    }
}

/// A list entry cited by a finding: the list and the entry in it. Findings
/// of configuration rules (destination, end use, party rules) cite none.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntryRef {
    /// The list.
    pub list_id: String,
    /// The entry.
    pub entry_id: String,
}

impl EntryRef {
    /// The entry a finding cites, `None` for a configuration rule.
    pub fn of(f: &crate::model::Finding) -> Option<EntryRef> {
        (!f.list_id.is_empty() && !f.entry_id.is_empty()).then(|| EntryRef {
            list_id: f.list_id.clone(),
            entry_id: f.entry_id.clone(),
        })
    }
}

/// Who does something: a caller's principal, or the service itself
/// ([`Actor::system`]: stale suppressions, re-screening cases, the first
/// ADMIN token). Audit records and case histories name it.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Actor(String);

impl Actor {
    /// The name of the service's own actor.
    pub const SYSTEM: &'static str = "system";

    /// The service itself.
    pub fn system() -> Actor {
        Actor(Actor::SYSTEM.to_string())
    }

    /// A named actor (a principal).
    pub fn new(name: impl Into<String>) -> Actor {
        Actor(name.into())
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for the service's own actor.
    pub fn is_system(&self) -> bool {
        self.0 == Actor::SYSTEM
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ids_keep_their_stored_form_and_sort_in_numeric_order() {
        assert_eq!(ScreeningId::from_seq(42).as_str(), "scr-000000000000002a");
        assert_eq!(CaseId::from_seq(42).as_str(), "case-000000000000002a");
        assert_eq!(SuppressionId::from_seq(42).as_str(), "sup-000000000000002a");
        let mut ids: Vec<ScreeningId> = [300u64, 2, 17, 1 << 40]
            .iter()
            .map(|n| ScreeningId::from_seq(*n))
            .collect();
        ids.sort();
        let n: Vec<u64> = ids
            .iter()
            .map(|i| u64::from_str_radix(&i.as_str()[4..], 16).unwrap())
            .collect();
        assert_eq!(n, vec![2, 17, 300, 1 << 40]);
        // JSON is the bare string, both ways.
        let json = serde_json::to_string(&CaseId::from_seq(1)).unwrap();
        assert_eq!(json, "\"case-0000000000000001\"");
        assert_eq!(
            serde_json::from_str::<CaseId>(&json).unwrap(),
            CaseId::from_seq(1)
        );
        assert_eq!(ScreeningId::new("  scr-1 ").as_str(), "scr-1");
    }

    #[test]
    fn list_ids_follow_the_naming_rule() {
        let cases: &[(&str, bool)] = &[
            ("ofac-sdn", true),
            ("mtcr", true),
            ("0list", true),
            ("a", true),
            (&"a".repeat(64), true),
            (&"a".repeat(65), false),
            ("", false),
            ("-sdn", false),
            ("OFAC", false),
            ("ofac_sdn", false),
            ("ofac sdn", false),
            ("ofac/sdn", false),
            ("ofäc", false),
        ];
        for (id, ok) in cases {
            assert_eq!(ListId::parse(id).is_ok(), *ok, "{id:?}");
        }
        assert!(serde_json::from_str::<ListId>("\"Bad Id\"").is_err());
        assert_eq!(
            serde_json::from_str::<ListId>("\"ofac-sdn\"")
                .unwrap()
                .as_str(),
            "ofac-sdn"
        );
    }

    #[test]
    fn an_optional_entry_is_an_empty_string_when_absent() {
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct R {
            #[serde(default, with = "optional_entry")]
            entry_id: Option<EntryId>,
        }
        let table = [
            (r#"{"entry_id":""}"#, None),
            (r#"{}"#, None),
            (r#"{"entry_id":"36"}"#, Some(EntryId::new("36"))),
        ];
        for (json, want) in table {
            let r: R = serde_json::from_str(json).unwrap();
            assert_eq!(r.entry_id, want, "{json}");
        }
        assert_eq!(
            serde_json::to_string(&R { entry_id: None }).unwrap(),
            r#"{"entry_id":""}"#
        );
    }

    #[test]
    fn the_system_actor_is_one_value() {
        assert!(Actor::system().is_system());
        assert_eq!(Actor::system().as_str(), "system");
        assert!(!Actor::new("alice").is_system());
    }
}
