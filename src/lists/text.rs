//! Text helpers shared by the importers: decoding bytes as published (BOM,
//! trailing 0x1A, UTF-8 with a per-line Windows-1252 fallback), whitespace
//! clean-up of names, placeholders and line numbers.

use std::borrow::Cow;

use super::ImportError;

/// The DOS end-of-file marker some agencies still append (OFAC legacy CSVs).
const DOS_EOF: u8 = 0x1A;

/// What to do with bytes that are not valid UTF-8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fallback {
    /// Read each offending line as Windows-1252 and warn (legacy CSV/TSV
    /// files, which predate UTF-8 at their publishers).
    Windows1252,
    /// Reject the file, naming the line (XML and TOML are UTF-8 by spec).
    Reject,
}

/// Decodes a published file: drops a UTF-8 byte-order mark and trailing
/// 0x1A bytes, then reads UTF-8. Lines that are not valid UTF-8 are read as
/// Windows-1252 (with a warning) or rejected, per `fallback`. Nothing is
/// dropped silently.
///
/// Line endings are left alone: the record readers accept CRLF and LF.
pub(crate) fn decode<'a>(
    file: &str,
    data: &'a [u8],
    fallback: Fallback,
    warnings: &mut Vec<String>,
) -> Result<Cow<'a, str>, ImportError> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let end = data
        .iter()
        .rposition(|&b| b != DOS_EOF)
        .map_or(0, |last| last + 1);
    let data = &data[..end];
    match std::str::from_utf8(data) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(err) => {
            let bad_line = line_of_offset(data, err.valid_up_to());
            if fallback == Fallback::Reject {
                return Err(ImportError::malformed(
                    file,
                    bad_line,
                    "not valid UTF-8 text",
                ));
            }
            let mut out = String::with_capacity(data.len() + data.len() / 16);
            let mut converted = 0u64;
            let mut first = 0u64;
            for (i, line) in data.split_inclusive(|&b| b == b'\n').enumerate() {
                match std::str::from_utf8(line) {
                    Ok(s) => out.push_str(s),
                    Err(_) => {
                        converted += 1;
                        if first == 0 {
                            first = i as u64 + 1;
                        }
                        out.extend(line.iter().map(|&b| windows_1252(b)));
                    }
                }
            }
            warnings.push(format!(
                "{file}: {converted} line(s) are not valid UTF-8 and were read as \
                 Windows-1252 (first: line {first})"
            ));
            Ok(Cow::Owned(out))
        }
    }
}

/// One byte of Windows-1252 as a char (0x80-0x9F per the code page, the
/// five unassigned bytes and everything else as Latin-1).
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}',
        '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}',
        '\u{2014}', '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}',
        '\u{178}',
    ];
    match b {
        0x80..=0x9F => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// 1-based line number of byte `offset` in `data`.
pub(crate) fn line_of_offset(data: &[u8], offset: usize) -> u64 {
    let end = offset.min(data.len());
    data[..end].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

/// Trims and collapses every internal run of whitespace to one space.
/// C1 control characters (U+0080-U+009F, left behind when Windows-1252
/// text was decoded as Latin-1, as in `CAST Xi\u{92}an`) are read as the
/// Windows-1252 characters they stand for; other control characters are
/// dropped. Borrows when the text is already clean.
pub(crate) fn clean(s: &str) -> Cow<'_, str> {
    let t = s.trim();
    let mut prev_space = false;
    let needs_work = t.chars().any(|c| {
        let bad = (c.is_whitespace() && (c != ' ' || prev_space)) || c.is_control();
        prev_space = c.is_whitespace();
        bad
    });
    if !needs_work {
        return Cow::Borrowed(t);
    }
    let mut out = String::with_capacity(t.len());
    let mut pending_space = false;
    for c in t.chars() {
        let c = match c {
            '\u{80}'..='\u{9F}' => {
                let mapped = windows_1252(c as u8);
                if mapped.is_control() {
                    continue;
                } else {
                    mapped
                }
            }
            c if c.is_whitespace() => {
                pending_space = true;
                continue;
            }
            c if c.is_control() => continue,
            c => c,
        };
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    Cow::Owned(out)
}

/// [`clean`] into an owned string.
pub(crate) fn clean_owned(s: &str) -> String {
    clean(s).into_owned()
}

/// A field value with OFAC's `-0-` placeholder read as empty, cleaned.
pub(crate) fn ofac_field(s: &str) -> Cow<'_, str> {
    let c = clean(s);
    if c == "-0-" { Cow::Borrowed("") } else { c }
}

/// Splits a multi-valued field on `sep`, cleaning each value and dropping
/// empty ones.
pub(crate) fn split_multi(s: &str, sep: char) -> impl Iterator<Item = String> + '_ {
    s.split(sep)
        .map(clean)
        .filter(|v| !v.is_empty())
        .map(Cow::into_owned)
}

/// Pushes `value` unless it is empty or already present.
pub(crate) fn push_unique(list: &mut Vec<String>, value: &str) {
    let value = value.trim();
    if !value.is_empty() && !list.iter().any(|v| v == value) {
        list.push(value.to_string());
    }
}

/// Legal forms and organisation words that mark a name as a company or
/// organisation (compared per word, dots removed).
#[rustfmt::skip]
const LEGAL_FORMS: &[&str] = &[
    // Legal forms.
    "AG", "ASA", "BHD", "BV", "CJSC", "CO", "COMPANY", "CORP", "CORPORATION", "CV", "EST",
    "ESTABLISHMENT", "FZC", "FZCO", "FZE", "GIE", "GMBH", "INC", "INCORPORATED", "JSC", "KG",
    "LLC", "LLP", "LP", "LTD", "LIMITED", "NV", "OAO", "OJSC", "OOO", "PAO", "PJSC", "PLC", "PTE",
    "PTY", "PVT", "SA", "SAS", "SARL", "SDN", "SL", "SPA", "SPZOO", "SRL", "ZAO",
    // Words persons are not named with.
    "AIR", "AIRLINES", "AIRWAYS", "AVIATION", "BANK", "COMMUNICATIONS", "ELECTRONIC",
    "ELECTRONICS", "ENTERPRISE", "ENTERPRISES", "EXPORT", "FREIGHT", "GROUP", "IMPORT",
    "INDUSTRIES", "INDUSTRY", "INSTITUTE", "INTERNATIONAL", "LOGISTICS", "MARITIME", "SERVICES",
    "SHIPPING", "SOLUTIONS", "SYSTEMS", "TECHNOLOGIES", "TECHNOLOGY", "TRADE", "TRADING",
    "UNIVERSITY",
];

/// True when the name carries a legal form or an organisation word
/// (`INC`, `LTD`, `S.A.`, `GMBH`, `AIRLINES` ...). Dots are ignored, so
/// `S.A.` and `CO.` count.
pub(crate) fn looks_like_organization(name: &str) -> bool {
    let upper = name.to_uppercase().replace('.', "");
    upper
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| LEGAL_FORMS.contains(&w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_strips_bom_and_dos_eof() {
        let mut w = Vec::new();
        let text = decode("f", b"\xEF\xBB\xBFa,b\r\n\x1A", Fallback::Reject, &mut w).unwrap();
        assert_eq!(text, "a,b\r\n");
        assert!(matches!(text, Cow::Borrowed(_)));
        assert!(w.is_empty());
    }

    #[test]
    fn decode_reads_invalid_lines_as_windows_1252_and_warns() {
        let mut w = Vec::new();
        let text = decode(
            "sdn.csv",
            b"ok \xC3\xA9\r\nCAF\xC9 \x80 \x93x\x94\r\nend",
            Fallback::Windows1252,
            &mut w,
        )
        .unwrap();
        assert_eq!(
            text,
            "ok \u{e9}\r\nCAF\u{c9} \u{20ac} \u{201c}x\u{201d}\r\nend"
        );
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("line 2"), "{w:?}");
    }

    #[test]
    fn decode_rejects_invalid_utf8_with_line() {
        let mut w = Vec::new();
        let err = decode("x.xml", b"<a>\n<b>\xFF</b>\n</a>", Fallback::Reject, &mut w).unwrap_err();
        assert!(
            matches!(err, ImportError::Malformed { line: 2, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn clean_trims_and_collapses() {
        for (input, want) in [
            ("  AL-NASER  AIRLINES ", "AL-NASER AIRLINES"),
            ("a\tb\r\nc", "a b c"),
            ("plain name", "plain name"),
            ("", ""),
            ("\u{a0}x\u{a0}\u{a0}y", "x y"),
            ("CAST Xi\u{92}an", "CAST Xi\u{2019}an"),
            ("a\u{0}b\u{81}c", "abc"),
        ] {
            assert_eq!(clean(input), want, "{input:?}");
        }
        assert!(matches!(clean("plain name"), Cow::Borrowed(_)));
    }

    #[test]
    fn ofac_placeholder_is_empty() {
        assert_eq!(ofac_field("-0- "), "");
        assert_eq!(ofac_field("-0-"), "");
        assert_eq!(ofac_field("CUBA"), "CUBA");
        assert_eq!(ofac_field("US FEIN CH-217-0-431"), "US FEIN CH-217-0-431");
    }

    #[test]
    fn legal_forms_mark_organizations() {
        for (name, org) in [
            ("ARROWTRONIC, LLC", true),
            ("EMPRESA DE TRANSPORTE AEROCARGO DEL SUR, S.A.", true),
            ("ANNEXFIELD , LTD.", true),
            ("SIBERIAN AIRLINES D/B/A S7 AIRLINES", true),
            ("AARON ABRAHAM VILLA", false),
            ("HERSEL LINCOLN MCKENZIE, JR.", false),
            ("COLIN SMITH", false),
            ("PETROM INTERNACIONAL TRADE, S.L.", true),
            ("GREENLINE AVIATION", true),
            ("JUAN JOSE ESTRADA", false),
        ] {
            assert_eq!(looks_like_organization(name), org, "{name}");
        }
    }
}
