//! Facts hidden in OFAC remarks (`DOB 1967; nationality Algeria; a.k.a.
//! 'DJANET, el Hadj Hama'; Passport 123 (Iran); Linked To: ...`) and the
//! identifier kinds shared with the trade.gov CSL `ids` column.
//!
//! In OFAC's legacy CSV the *weak* a.k.a.s live only in the remarks, single
//! quoted (`a.k.a. 'BNC'`), while the strong ones are rows of `alt.csv`: in
//! the 2023-12-28 SDN file none of the 3,371 remark a.k.a./f.k.a./n.k.a.
//! names appears in `alt.csv`. So every remark name is a
//! [`NameKind::WeakAlias`], including the rare weak f.k.a./n.k.a. (weakness
//! is what matters to screening). `Linked To: NAME` names *another* entry
//! and is never read as a name.

use crate::model::{Identifier, NameKind};

use super::text::{clean_owned, push_unique};

/// What the remarks of one entry add to it.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct RemarkFacts {
    /// Weak aliases, in order.
    pub names: Vec<(String, NameKind)>,
    /// Dates of birth as written (`30 Sep 1966`, `circa 1944`).
    pub dates_of_birth: Vec<String>,
    /// Nationality and citizenship countries.
    pub countries: Vec<String>,
    /// Identifiers with a known kind.
    pub identifiers: Vec<Identifier>,
    /// The remarks end inside a quoted name (cut at OFAC's 1,000-character
    /// limit); that partial name was skipped.
    pub truncated_name: bool,
}

/// Name markers as they start a remark segment.
const NAME_MARKERS: &[&str] = &["a.k.a. '", "f.k.a. '", "n.k.a. '"];

/// Identifier kinds as OFAC writes them, most specific first. The first
/// column is the text that starts a remark segment (or a CSL `ids` item),
/// the second the kind recorded.
const IDENTIFIER_KINDS: &[(&str, &str)] = &[
    ("Vessel Registration Identification IMO", "IMO"),
    ("Identification Number IMO", "IMO"),
    ("IMO", "IMO"),
    ("MMSI", "MMSI"),
    ("Aircraft Tail Number", "Aircraft Tail Number"),
    (
        "Aircraft Manufacturer's Serial Number (MSN)",
        "Aircraft Manufacturer's Serial Number (MSN)",
    ),
    ("SWIFT/BIC", "SWIFT/BIC"),
    ("ISIN", "ISIN"),
    ("Passport", "Passport"),
    ("Diplomatic Passport", "Diplomatic Passport"),
    ("Travel Document Number", "Travel Document Number"),
    ("National ID No.", "National ID No."),
    ("National Foreign ID Number", "National Foreign ID Number"),
    ("Personal ID Card", "Personal ID Card"),
    ("Identification Number", "Identification Number"),
    (
        "Turkish Identification Number",
        "Turkish Identification Number",
    ),
    ("Citizen's Card Number", "Citizen's Card Number"),
    ("Birth Certificate Number", "Birth Certificate Number"),
    ("Residency Number", "Residency Number"),
    ("Driver's License No.", "Driver's License No."),
    ("Electoral Registry No.", "Electoral Registry No."),
    ("Credencial electoral", "Credencial electoral"),
    ("Numero de Identidad", "Numero de Identidad"),
    ("Italian Fiscal Code", "Italian Fiscal Code"),
    ("Cedula No.", "Cedula No."),
    ("C.U.R.P.", "C.U.R.P."),
    ("R.F.C.", "R.F.C."),
    ("RFC", "RFC"),
    ("I.F.E.", "I.F.E."),
    ("D.N.I.", "D.N.I."),
    ("C.U.I.", "C.U.I."),
    ("C.U.I.T.", "C.U.I.T."),
    ("SSN", "SSN"),
    ("US FEIN", "US FEIN"),
    ("Tax ID No.", "Tax ID No."),
    ("V.A.T. Number", "V.A.T. Number"),
    ("NIT #", "NIT #"),
    ("RUC #", "RUC #"),
    ("RIF #", "RIF #"),
    ("LE Number", "LE Number"),
    ("Registration Number", "Registration Number"),
    ("Registration ID", "Registration ID"),
    ("Public Registration Number", "Public Registration Number"),
    (
        "Business Registration Number",
        "Business Registration Number",
    ),
    (
        "Business Registration Document #",
        "Business Registration Document #",
    ),
    ("Business Number", "Business Number"),
    ("Enterprise Number", "Enterprise Number"),
    ("Branch Unit Number", "Branch Unit Number"),
    ("Company Number", "Company Number"),
    ("UK Company Number", "UK Company Number"),
    ("Commercial Registry Number", "Commercial Registry Number"),
    (
        "Central Registration System Number",
        "Central Registration System Number",
    ),
    (
        "Certificate of Incorporation Number",
        "Certificate of Incorporation Number",
    ),
    ("Chamber of Commerce Number", "Chamber of Commerce Number"),
    (
        "Istanbul Chamber of Comm. No.",
        "Istanbul Chamber of Comm. No.",
    ),
    (
        "Dubai Chamber of Commerce Membership No.",
        "Dubai Chamber of Commerce Membership No.",
    ),
    ("Folio Mercantil No.", "Folio Mercantil No."),
    ("Matricula Mercantil No", "Matricula Mercantil No"),
    ("C.R. No.", "C.R. No."),
    ("Trade License No.", "Trade License No."),
    ("Permit Number", "Permit Number"),
    ("Government Gazette Number", "Government Gazette Number"),
    ("Legal Entity Number", "Legal Entity Number"),
    (
        "Unified Social Credit Code (USCC)",
        "Unified Social Credit Code (USCC)",
    ),
    (
        "United Social Credit Code Certificate (USCCC)",
        "United Social Credit Code Certificate (USCCC)",
    ),
    (
        "Economic Register Number (CBLS)",
        "Economic Register Number (CBLS)",
    ),
    ("Registered Charity No.", "Registered Charity No."),
    ("BIK (RU)", "BIK (RU)"),
    ("License", "License"),
];

/// The prefix a digital-currency address segment starts with.
const CURRENCY_ADDRESS: &str = "Digital Currency Address - ";

/// The recorded kind for an identifier label written exactly as `label`
/// (case-insensitive), if it is one we keep.
pub(crate) fn identifier_kind(label: &str) -> Option<&'static str> {
    IDENTIFIER_KINDS
        .iter()
        .find(|(prefix, _)| prefix.eq_ignore_ascii_case(label))
        .map(|&(_, kind)| kind)
}

/// Reads the facts out of one entry's remarks.
pub(crate) fn parse(remarks: &str) -> RemarkFacts {
    let mut facts = RemarkFacts::default();
    weak_names(remarks, &mut facts);
    let remarks = remarks.trim();
    let body = remarks.strip_suffix('.').unwrap_or(remarks);
    for segment in body.split("; ") {
        let segment = segment.trim();
        let segment = segment.strip_prefix("alt. ").unwrap_or(segment);
        if let Some(dob) = segment.strip_prefix("DOB ") {
            push_unique(&mut facts.dates_of_birth, &clean_owned(dob));
        } else if let Some(country) = segment
            .strip_prefix("nationality ")
            .or_else(|| segment.strip_prefix("citizen "))
        {
            push_unique(&mut facts.countries, &clean_owned(country));
        } else if let Some(id) = identifier(segment) {
            facts.identifiers.push(id);
        }
    }
    facts
}

/// Finds the quoted remark names: a marker at the start of a segment, the
/// name up to the first quote that ends the segment (`'; `, `'.` at the end,
/// or `'` at the end). Quotes inside names (`ABU 'AMMAR`) stay.
fn weak_names(remarks: &str, facts: &mut RemarkFacts) {
    let mut from = 0;
    while let Some((at, marker)) = NAME_MARKERS
        .iter()
        .filter_map(|m| remarks[from..].find(m).map(|i| (from + i, *m)))
        .min_by_key(|&(i, _)| i)
    {
        let start = at + marker.len();
        from = start;
        let at_segment_start = at == 0 || remarks[..at].ends_with("; ");
        if !at_segment_start {
            continue;
        }
        let rest = &remarks[start..];
        let close = rest.match_indices('\'').map(|(i, _)| i).find(|&i| {
            let after = rest[i + 1..].trim_end();
            after.is_empty() || after == "." || rest[i + 1..].starts_with("; ")
        });
        let Some(close) = close else {
            facts.truncated_name = true;
            break;
        };
        let mut name = &rest[..close];
        // `a.k.a. ''FUPI''`: a nickname quoted inside the quotes.
        if name.len() >= 2 && name.starts_with('\'') && name.ends_with('\'') {
            name = &name[1..name.len() - 1];
        }
        let name = clean_owned(name);
        if !name.is_empty() {
            facts.names.push((name, NameKind::WeakAlias));
        }
        from = start + close + 1;
    }
}

/// Reads one remark segment as an identifier when it starts with a known
/// kind: `Passport K34433062 (Iran) expires 02 Aug 2020`.
fn identifier(segment: &str) -> Option<Identifier> {
    if let Some(rest) = segment.strip_prefix(CURRENCY_ADDRESS) {
        let (currency, value) = rest.split_once(' ')?;
        return Some(Identifier {
            kind: format!("{CURRENCY_ADDRESS}{currency}"),
            value: value.trim().to_string(),
            country: String::new(),
        });
    }
    let (kind, rest) = IDENTIFIER_KINDS.iter().find_map(|&(prefix, kind)| {
        segment
            .strip_prefix(prefix)
            .and_then(|r| r.strip_prefix(' '))
            .map(|r| (kind, r))
    })?;
    // Drop `issued ...` / `expires ...` tails.
    let rest = [" issued ", " expires "]
        .iter()
        .filter_map(|t| rest.find(t))
        .min()
        .map_or(rest, |i| &rest[..i]);
    let rest = rest.trim();
    let (value, country) = match rest.strip_suffix(')').and_then(|r| r.rsplit_once(" (")) {
        Some((value, country)) => (value, country),
        None => (rest, ""),
    };
    let value = clean_owned(value);
    if value.is_empty() {
        return None;
    }
    Some(Identifier {
        kind: kind.to_string(),
        value,
        country: clean_owned(country),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weak(names: &[&str]) -> Vec<(String, NameKind)> {
        names
            .iter()
            .map(|n| (n.to_string(), NameKind::WeakAlias))
            .collect()
    }

    #[test]
    fn remark_names_are_weak_and_linked_to_is_not_a_name() {
        let cases: &[(&str, &[&str])] = &[
            ("a.k.a. 'BNC'.", &["BNC"]),
            ("a.k.a. 'ELA'; a.k.a. 'JUNE 78'.", &["ELA", "JUNE 78"]),
            (
                "DOB 1967; nationality Algeria; a.k.a. 'DJANET, el Hadj Hama'; Linked To: ISLAMIC STATE OF IRAQ AND THE LEVANT.",
                &["DJANET, el Hadj Hama"],
            ),
            ("Linked To: AL-QA'IDA; Linked To: HIZBALLAH.", &[]),
            ("a.k.a. 'ABU-'UMAR'.", &["ABU-'UMAR"]),
            (
                "a.k.a. 'ABU 'ABDALLAH'; a.k.a. 'ABU 'AZZAM'.",
                &["ABU 'ABDALLAH", "ABU 'AZZAM"],
            ),
            ("a.k.a. ''FOOPIE''; a.k.a. ''FUPI''.", &["FOOPIE", "FUPI"]),
            (
                "f.k.a. 'OLD NAME'; n.k.a. 'NEW NAME'.",
                &["OLD NAME", "NEW NAME"],
            ),
            ("a.k.a. 'JSC 'SMN''; Linked To: X.", &["JSC 'SMN'"]),
            ("Website www.example.com/a.k.a. 'x'.", &[]),
        ];
        for (remarks, names) in cases {
            assert_eq!(parse(remarks).names, weak(names), "{remarks}");
        }
    }

    #[test]
    fn a_name_cut_by_the_length_limit_is_skipped_and_flagged() {
        let facts = parse("a.k.a. 'HIDDEN COBRA'; a.k.a. 'WHOIS HACKIN");
        assert_eq!(facts.names, weak(&["HIDDEN COBRA"]));
        assert!(facts.truncated_name);
        assert!(!parse("a.k.a. 'HIDDEN COBRA'.").truncated_name);
    }

    #[test]
    fn dates_countries_and_identifiers() {
        let facts = parse(
            "DOB 14 May 1983; alt. DOB circa 1980; nationality Iran; citizen Korea, North; \
             Gender Male; Passport K34433062 (Iran) expires 02 Aug 2020; alt. Passport RL 1794375 \
             (Lebanon); National ID No. 0063410176 (Iran); Registration Number HRA 738077 \
             (Stuttgart) (Germany); Vessel Registration Identification IMO 9872224; SWIFT/BIC \
             REBSSYDA; Digital Currency Address - XBT 134r8iHv69; Tax ID No. 7805753313 (Russia).",
        );
        assert_eq!(facts.dates_of_birth, ["14 May 1983", "circa 1980"]);
        assert_eq!(facts.countries, ["Iran", "Korea, North"]);
        let ids: Vec<(&str, &str, &str)> = facts
            .identifiers
            .iter()
            .map(|i| (i.kind.as_str(), i.value.as_str(), i.country.as_str()))
            .collect();
        assert_eq!(
            ids,
            [
                ("Passport", "K34433062", "Iran"),
                ("Passport", "RL 1794375", "Lebanon"),
                ("National ID No.", "0063410176", "Iran"),
                ("Registration Number", "HRA 738077 (Stuttgart)", "Germany"),
                ("IMO", "9872224", ""),
                ("SWIFT/BIC", "REBSSYDA", ""),
                ("Digital Currency Address - XBT", "134r8iHv69", ""),
                ("Tax ID No.", "7805753313", "Russia"),
            ]
        );
    }

    #[test]
    fn identifier_labels_are_matched_whole() {
        assert_eq!(identifier_kind("Passport"), Some("Passport"));
        assert_eq!(identifier_kind("tax id no."), Some("Tax ID No."));
        assert_eq!(identifier_kind("Website"), None);
        assert_eq!(identifier_kind("Pass"), None);
    }
}
