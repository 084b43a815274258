//! Control-list codes: the MTCR numbering (`4.C.2.b`), tolerant reading of
//! declared codes (`4C2b`, `4.c.2.b`, `MTCR 9.A.4`), national codes (EU Annex I
//! / US ECCN: `7A103`, `7A103.b`, `1C111.a.2.a`) and the dotted-prefix
//! relation used to compare them. HS codes (`8471.30`) are neither.

/// True when `code` is an MTCR code exactly as numbered: item 1-20, group
/// A-E, a number, then optional sub-paragraphs starting with a letter
/// (`1.A.1`, `2.A.1.c.1`, `4.C.2.b`, `9.B.2.e`).
pub(crate) fn is_valid_code(code: &str) -> bool {
    canonical_mtcr(code).as_deref() == Some(code)
}

/// The MTCR code written in `s`, in canonical form, tolerating missing dots,
/// lower-case group letters and an `MTCR`/`M` prefix (`4C2b` -> `4.C.2.b`).
pub(crate) fn canonical_mtcr(s: &str) -> Option<String> {
    let mut t: String = s.trim().chars().filter(|c| !c.is_whitespace()).collect();
    let lower = t.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("mtcr") {
        t = rest.trim_start_matches([':', '-', '.']).to_string();
    } else if (lower.starts_with('m') || lower.starts_with('M'))
        && t.chars().nth(1).is_some_and(|c| c.is_ascii_digit())
    {
        t = t[1..].to_string();
    }
    let b: Vec<char> = t.chars().collect();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let from = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        b[from..*i].iter().collect::<String>()
    };
    let item = digits(&mut i);
    let item_n: u32 = item.parse().ok()?;
    if item.len() > 2 || item.starts_with('0') || !(1..=20).contains(&item_n) {
        return None;
    }
    if b.get(i) == Some(&'.') {
        i += 1;
    }
    let group = b.get(i)?.to_ascii_uppercase();
    if !('A'..='E').contains(&group) {
        return None;
    }
    i += 1;
    if b.get(i) == Some(&'.') {
        i += 1;
    }
    let number = digits(&mut i);
    if number.is_empty() || number.len() > 2 || number.starts_with('0') {
        return None;
    }
    let mut out = format!("{item_n}.{group}.{number}");
    let mut expect_letter = true;
    while i < b.len() {
        if b[i] == '.' {
            i += 1;
        }
        let c = *b.get(i)?;
        if c.is_ascii_alphabetic() {
            // A sub-paragraph letter (one letter, lower case).
            if b.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic()) {
                return None;
            }
            out.push('.');
            out.push(c.to_ascii_lowercase());
            i += 1;
            expect_letter = false;
        } else if c.is_ascii_digit() && !expect_letter {
            let n = digits(&mut i);
            if n.len() > 2 || n.starts_with('0') {
                return None;
            }
            out.push('.');
            out.push_str(&n);
            expect_letter = true;
        } else {
            return None;
        }
    }
    Some(out)
}

/// A national code split into its base (`7A103`) and its full form
/// (`7A103.b`, sub-paragraphs in lower case).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NationalCode {
    pub base: String,
    pub full: String,
}

/// Reads an EU Annex I / US ECCN code: digit, category letter A-E, three
/// digits, optional sub-paragraphs (`9A104`, `7A103.b`, `1C111a2a`).
pub(crate) fn parse_national(s: &str) -> Option<NationalCode> {
    let t: String = s.trim().chars().filter(|c| !c.is_whitespace()).collect();
    let b: Vec<char> = t.chars().collect();
    if b.len() < 5
        || !b[0].is_ascii_digit()
        || !('A'..='E').contains(&b[1].to_ascii_uppercase())
        || !b[2..5].iter().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let base = format!(
        "{}{}{}",
        b[0],
        b[1].to_ascii_uppercase(),
        b[2..5].iter().collect::<String>()
    );
    let mut full = base.clone();
    let mut i = 5;
    while i < b.len() {
        if b[i] == '.' {
            i += 1;
            continue;
        }
        if !b[i].is_ascii_alphanumeric() {
            return None;
        }
        let from = i;
        let alpha = b[i].is_ascii_alphabetic();
        while i < b.len() && b[i].is_ascii_alphanumeric() && b[i].is_ascii_alphabetic() == alpha {
            i += 1;
        }
        full.push('.');
        full.push_str(&b[from..i].iter().collect::<String>().to_ascii_lowercase());
    }
    Some(NationalCode { base, full })
}

/// True when `a` equals `b` or is a dotted prefix of it (`4.C.2` ~
/// `4.C.2.b`; `1.A.1` is not a prefix of `1.A.10`).
pub(crate) fn dotted_prefix(a: &str, b: &str) -> bool {
    a == b || (b.len() > a.len() && b.starts_with(a) && b.as_bytes()[a.len()] == b'.')
}

/// True when either code is a dotted prefix of the other.
pub fn codes_related(a: &str, b: &str) -> bool {
    dotted_prefix(a, b) || dotted_prefix(b, a)
}

/// How a declared code relates to an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum CodeAgreement {
    /// Same national base, another sub-paragraph (`7A103.b` vs `7A103.a`).
    NationalBase,
    /// National code equal or one a sub-paragraph of the other.
    National,
    /// MTCR code equal or one a dotted prefix of the other.
    Mtcr,
}

/// A declared code, read once per item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Declared {
    /// Nothing usable (empty, HS code, free text).
    None,
    /// An MTCR code in canonical form.
    Mtcr(String),
    /// An EU/ECCN code.
    National(NationalCode),
}

impl Declared {
    /// Reads `s`; MTCR form first (an MTCR number has at most two digits
    /// after the group letter, an ECCN exactly three).
    pub fn parse(s: &str) -> Declared {
        if s.trim().is_empty() {
            return Declared::None;
        }
        if let Some(c) = canonical_mtcr(s) {
            return Declared::Mtcr(c);
        }
        match parse_national(s) {
            Some(n) => Declared::National(n),
            None => Declared::None,
        }
    }

    /// How this declared code relates to an entry with `code` and national
    /// cross-references `national`.
    pub fn agreement(&self, code: &str, national: &[NationalCode]) -> Option<CodeAgreement> {
        match self {
            Declared::None => None,
            Declared::Mtcr(c) => codes_related(c, code).then_some(CodeAgreement::Mtcr),
            Declared::National(d) => national
                .iter()
                .filter(|n| n.base == d.base)
                .map(|n| {
                    if codes_related(&n.full, &d.full) {
                        CodeAgreement::National
                    } else {
                        CodeAgreement::NationalBase
                    }
                })
                .max(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_mtcr_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("4.C.2.b", Some("4.C.2.b")),
            ("4C2b", Some("4.C.2.b")),
            ("4.c.2.b", Some("4.C.2.b")),
            ("MTCR 9.A.4", Some("9.A.4")),
            ("M13A1", Some("13.A.1")),
            ("2.A.1.c.1", Some("2.A.1.c.1")),
            ("20.A.1.b", Some("20.A.1.b")),
            ("9A104", None),
            ("21.A.1", None),
            ("8471.30", None),
            ("2825.10", None),
            ("4.C.2.bb", None),
            ("4.F.2", None),
            ("", None),
        ];
        for (input, want) in cases {
            assert_eq!(canonical_mtcr(input).as_deref(), *want, "input {input:?}");
        }
        assert!(is_valid_code("6.B.1.a"));
        assert!(!is_valid_code("6B1a"));
    }

    #[test]
    fn national_codes() {
        let n = parse_national("7A103.b").unwrap();
        assert_eq!((n.base.as_str(), n.full.as_str()), ("7A103", "7A103.b"));
        let n = parse_national("1c111a2a").unwrap();
        assert_eq!(n.full, "1C111.a.2.a");
        assert_eq!(parse_national("8471.30"), None);
        assert_eq!(parse_national("EAR99"), None);
    }

    #[test]
    fn declared_codes_agree_with_entries() {
        let nat = |s: &str| parse_national(s).unwrap();
        let entry_nat = vec![nat("7A103.a")];
        let cases: &[(&str, &str, Option<CodeAgreement>)] = &[
            ("9.A.6", "9.A.6", Some(CodeAgreement::Mtcr)),
            ("9A6", "9.A.6", Some(CodeAgreement::Mtcr)),
            ("4.C.2", "4.C.2.b", Some(CodeAgreement::Mtcr)),
            ("1.A.1", "1.A.10", None),
            ("7A103", "9.A.6", Some(CodeAgreement::National)),
            ("7A103.a", "9.A.6", Some(CodeAgreement::National)),
            ("7A103.b", "9.A.6", Some(CodeAgreement::NationalBase)),
            ("7A102", "9.A.6", None),
            ("8471.30", "9.A.6", None),
        ];
        for (declared, code, want) in cases {
            assert_eq!(
                Declared::parse(declared).agreement(code, &entry_nat),
                *want,
                "{declared} vs {code}"
            );
        }
        assert!(dotted_prefix("4.C.2", "4.C.2.b"));
        assert!(!dotted_prefix("1.A.1", "1.A.10"));
    }
}
