//! Identity of the two sides of a judgement: a normalised party key (name,
//! address, country) and a fingerprint of a list entry's content.
//!
//! An officer's "not a match" holds for *this* party against *this* entry
//! as they were judged: a party whose name, address or country differs
//! (after normalisation) is another party, and an entry whose content
//! changed in a later list version is another entry. Normalisation is
//! deliberately light (case, diacritics, punctuation, spacing): it must not
//! make two different parties equal, since a wrongly shared key would hide
//! a real match.

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::model::{DenialEntry, Finding, FindingKind, Party};

/// Separates the parts of a party key (cannot occur in normalised text).
const SEP: char = '\u{1f}';

/// Lower-case, diacritics removed, every run of characters that are not
/// letters or digits one space, trimmed.
pub fn normalize_text(s: &str) -> String {
    if s.is_ascii() {
        normalize_ascii(s)
    } else {
        normalize_any(s)
    }
}

/// [`normalize_text`] of any text: compatibility decomposition, combining
/// marks dropped, Unicode letters and digits lower-cased.
fn normalize_any(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfkd().filter(|c| !is_combining_mark(*c)) {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// [`normalize_text`] of ASCII text, byte by byte: decomposition changes
/// no ASCII character, none is a combining mark, and letters and digits
/// are the ASCII ones (most names and addresses screened are ASCII: this
/// runs for every party of every screening).
fn normalize_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(char::from(b.to_ascii_lowercase()));
        } else {
            pending_space = true;
        }
    }
    out
}

/// The key of a party as judged: normalised name, address and country.
/// `country` should already be resolved (an ISO code when the engine knows
/// the country), so that `JP` and `Japan` agree.
pub fn party_key(name: &str, address: &str, country: &str) -> String {
    format!(
        "{}{SEP}{}{SEP}{}",
        normalize_text(name),
        normalize_text(address),
        normalize_text(country)
    )
}

/// The key of a party's history (denials, confirmed matches): its
/// normalised name, whatever address it gives this time.
pub fn history_key(name: &str) -> String {
    normalize_text(name)
}

/// Fingerprint of a denial-list entry's content: sha256 over its canonical
/// JSON (every field: names, aliases, addresses, countries, identifiers,
/// programmes, remarks), hex, 32 characters. Any edit changes it.
pub fn entry_fingerprint(entry: &DenialEntry) -> String {
    // Serialising plain data to JSON cannot fail; an empty body would still
    // give a (useless but harmless) fingerprint.
    let bytes = serde_json::to_vec(entry).unwrap_or_default();
    let digest = Sha256::digest(&bytes);
    hex::encode(&digest[..16])
}

/// The index of the party a finding concerns.
pub fn party_index(f: &Finding) -> Option<usize> {
    f.target.party()
}

/// True when an officer's "not a match" on this finding can suppress it in
/// later screenings: a party matched against a list entry.
pub fn suppressible(f: &Finding) -> bool {
    f.kind == FindingKind::Party && crate::ids::EntryRef::of(f).is_some()
}

/// The finding's party, if it names one of `parties`.
pub fn finding_party<'a>(f: &Finding, parties: &'a [Party]) -> Option<&'a Party> {
    parties.get(party_index(f)?)
}

/// The kind of match, for false-positive rates: `party.exact` (at or above
/// the near-exact threshold), `party.fuzzy`, `party.rule` (address and
/// country rules, forwarders), `item`, `destination`, `end_use`.
pub fn match_kind(f: &Finding, near_exact_threshold: f64) -> &'static str {
    match f.kind {
        FindingKind::Party if f.entry_id.is_empty() => "party.rule",
        FindingKind::Party if f.score >= near_exact_threshold => "party.exact",
        FindingKind::Party => "party.fuzzy",
        FindingKind::Item => "item",
        FindingKind::Destination => "destination",
        FindingKind::EndUse => "end_use",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Address, Decision, EntryName};

    #[test]
    fn normalisation_ignores_case_accents_punctuation_and_spacing() {
        let table = [
            ("  Zéphyr   Orbital, Ltd. ", "zephyr orbital ltd"),
            ("ZEPHYR-ORBITAL LTD", "zephyr orbital ltd"),
            ("Ünal & Söhne GmbH", "unal sohne gmbh"),
            ("", ""),
            ("  ..  ", ""),
            ("Москва", "москва"),
        ];
        for (input, want) in table {
            assert_eq!(normalize_text(input), want, "{input:?}");
        }
    }

    #[test]
    fn ascii_text_normalises_as_through_decomposition() {
        // Every ASCII character, alone and between letters, and a few
        // names: the byte path and the general one agree.
        let mut inputs: Vec<String> = (0u8..128)
            .map(|b| format!("Ab{}9z {}", char::from(b), char::from(b)))
            .collect();
        inputs.extend(
            [
                "  Kestrel Instruments Inc. ",
                "A-1 (Pty) Ltd",
                "\t\nX\u{7f}Y",
                "",
            ]
            .map(String::from),
        );
        for input in &inputs {
            assert!(input.is_ascii());
            assert_eq!(normalize_ascii(input), normalize_any(input), "{input:?}");
        }
    }

    #[test]
    fn a_party_key_changes_with_name_address_or_country_only() {
        let k = party_key("Zephyr Orbital", "1 Main St, Kyiv", "UA");
        assert_eq!(k, party_key("ZEPHYR ORBITAL", "1 Main St. Kyiv", "ua"));
        assert_ne!(k, party_key("Zephyr Orbitals", "1 Main St, Kyiv", "UA"));
        assert_ne!(k, party_key("Zephyr Orbital", "2 Main St, Kyiv", "UA"));
        assert_ne!(k, party_key("Zephyr Orbital", "1 Main St, Kyiv", "PL"));
        // The separator keeps the parts apart.
        assert_ne!(party_key("a b", "", ""), party_key("a", "b", ""));
    }

    #[test]
    fn an_entry_fingerprint_changes_with_any_field() {
        let e = DenialEntry {
            entry_id: "101".into(),
            names: vec![EntryName {
                name: "Zephyr".into(),
                ..EntryName::default()
            }],
            ..DenialEntry::default()
        };
        let fp = entry_fingerprint(&e);
        assert_eq!(fp.len(), 32);
        assert_eq!(fp, entry_fingerprint(&e.clone()));
        let edits: Vec<(&str, DenialEntry)> = vec![
            (
                "alias",
                DenialEntry {
                    names: vec![
                        e.names[0].clone(),
                        EntryName {
                            name: "ZOPW".into(),
                            ..EntryName::default()
                        },
                    ],
                    ..e.clone()
                },
            ),
            (
                "address",
                DenialEntry {
                    addresses: vec![Address {
                        city: "Tehran".into(),
                        ..Address::default()
                    }],
                    ..e.clone()
                },
            ),
            (
                "remarks",
                DenialEntry {
                    remarks: "x".into(),
                    ..e.clone()
                },
            ),
        ];
        for (name, edited) in edits {
            assert_ne!(entry_fingerprint(&edited), fp, "{name}");
        }
    }

    fn finding(kind: FindingKind, target: &str, entry: &str, score: f64) -> Finding {
        Finding {
            kind,
            target: target.parse().expect("a finding target"),
            list_id: if entry.is_empty() { "" } else { "sdn" }.into(),
            entry_id: entry.into(),
            entry_name: String::new(),
            score,
            matched_text: String::new(),
            matched_terms: vec![],
            reason: String::new(),
            explanation: String::new(),
            decision: Decision::Review,
            rule: String::new(),
            category: None,
        }
    }

    #[test]
    fn match_kinds_and_suppressibility() {
        let table = [
            (
                finding(FindingKind::Party, "party:1", "7", 1.0),
                "party.exact",
                true,
            ),
            (
                finding(FindingKind::Party, "party:1", "7", 0.85),
                "party.fuzzy",
                true,
            ),
            (
                finding(FindingKind::Party, "party:0", "", 1.0),
                "party.rule",
                false,
            ),
            (
                finding(FindingKind::Item, "item:0", "2.A.1", 1.0),
                "item",
                false,
            ),
            (
                finding(FindingKind::Destination, "destination", "2.A.1", 1.0),
                "destination",
                false,
            ),
            (
                finding(FindingKind::EndUse, "end_use", "", 1.0),
                "end_use",
                false,
            ),
        ];
        for (f, kind, supp) in table {
            assert_eq!(match_kind(&f, 0.99), kind, "{f:?}");
            assert_eq!(suppressible(&f), supp, "{f:?}");
        }
        let parties = vec![
            Party::default(),
            Party {
                name: "B".into(),
                ..Party::default()
            },
        ];
        assert_eq!(
            finding_party(&finding(FindingKind::Party, "party:1", "7", 1.0), &parties)
                .map(|p| p.name.as_str()),
            Some("B")
        );
        assert!(
            finding_party(&finding(FindingKind::Party, "party:9", "7", 1.0), &parties).is_none()
        );
        assert!(
            finding_party(&finding(FindingKind::EndUse, "end_use", "", 1.0), &parties).is_none()
        );
    }
}
