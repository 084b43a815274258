//! Reads one supplement's table out of the eCFR XML of 15 CFR part 744:
//! the `DIV9` whose `N` is `Supplement No. <n> to Part 744`, its `TABLE`'s
//! header cells, body rows (cells as text with line breaks and markers) and
//! footnotes (`TFOOT` rows).
//!
//! A cell's text keeps what the prose parser needs: `<br/>` is a line
//! break, italic runs (`<E T="03">`) are wrapped in [`ITALIC_START`] and
//! [`ITALIC_END`], superscripts (`<sup>`) in [`SUP_START`] and [`SUP_END`];
//! character references are resolved; line ends of the XML source are
//! white space. Errors name the line.

use quick_xml::events::Event;

use super::super::ImportError;
use super::super::xml::{Lines, resolve};

/// Marks the start of an italic run in cell text.
pub(crate) const ITALIC_START: char = '\u{E000}';
/// Marks the end of an italic run.
pub(crate) const ITALIC_END: char = '\u{E001}';
/// Marks the start of a superscript (a footnote number, a fraction part).
pub(crate) const SUP_START: char = '\u{E002}';
/// Marks the end of a superscript.
pub(crate) const SUP_END: char = '\u{E003}';

/// One body row.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Row {
    /// Line of the `<TR>`.
    pub line: u64,
    /// Cell texts, in order.
    pub cells: Vec<String>,
}

/// A supplement's table.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Table {
    /// Header cell texts.
    pub header: Vec<String>,
    /// Body rows.
    pub rows: Vec<Row>,
    /// Footnotes from the table's foot: (number, text).
    pub footnotes: Vec<(String, String)>,
}

/// Where the reader is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Head,
    Body,
    Foot,
}

/// Reads the table of `Supplement No. <supplement> to Part 744` from `text`.
///
/// # Errors
/// [`ImportError::Malformed`] for XML that does not parse, a file without
/// that supplement or without a table in it, or a table left open.
pub(crate) fn read(file: &str, text: &str, supplement: u8) -> Result<Table, ImportError> {
    let wanted = format!("Supplement No. {supplement} to Part 744");
    let mut lines = Lines::new(text.as_bytes());
    let mut reader = quick_xml::Reader::from_str(text);
    // Depth of the wanted DIV9 while inside it.
    let mut depth = 0usize;
    let mut inside: Option<usize> = None;
    let mut found_div = false;
    let mut table = Table::default();
    let mut table_seen = false;
    let mut in_table = false;
    let mut part = Part::Body;
    let mut row: Option<Row> = None;
    let mut cell: Option<String> = None;
    loop {
        let before = reader.buffer_position();
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let line = lines.at(reader.error_position());
                return Err(ImportError::malformed(file, line, format!("bad XML: {e}")));
            }
        };
        match event {
            Event::Start(e) => {
                depth += 1;
                let tag = e.local_name();
                let tag = tag.as_ref();
                if inside.is_none() && tag == "DIV9" {
                    let n = e
                        .try_get_attribute("N")
                        .ok()
                        .flatten()
                        .map(|a| a.value.to_string());
                    if n.as_deref().map(str::trim) == Some(wanted.as_str()) {
                        inside = Some(depth);
                        found_div = true;
                    }
                    continue;
                }
                if inside.is_none() {
                    continue;
                }
                match tag {
                    "TABLE" if !table_seen => {
                        table_seen = true;
                        in_table = true;
                    }
                    "THEAD" if in_table => part = Part::Head,
                    "TBODY" if in_table => part = Part::Body,
                    "TFOOT" if in_table => part = Part::Foot,
                    "TR" if in_table => {
                        row = Some(Row {
                            line: lines.at(before),
                            cells: Vec::new(),
                        });
                    }
                    "TD" | "TH" if row.is_some() => cell = Some(String::new()),
                    "E" => push(&mut cell, ITALIC_START),
                    "sup" => push(&mut cell, SUP_START),
                    _ => {}
                }
            }
            Event::Empty(e) => {
                if inside.is_none() {
                    continue;
                }
                match e.local_name().as_ref() {
                    "br" => push(&mut cell, '\n'),
                    "TD" | "TH" => {
                        if let Some(r) = row.as_mut() {
                            r.cells.push(String::new());
                        }
                    }
                    _ => {}
                }
            }
            Event::End(e) => {
                let closing = depth;
                depth = depth.saturating_sub(1);
                if inside == Some(closing) {
                    inside = None;
                    break;
                }
                if inside.is_none() {
                    continue;
                }
                match e.local_name().as_ref() {
                    "TABLE" => in_table = false,
                    "E" => push(&mut cell, ITALIC_END),
                    "sup" => push(&mut cell, SUP_END),
                    "TD" | "TH" => {
                        if let (Some(r), Some(c)) = (row.as_mut(), cell.take()) {
                            r.cells.push(c);
                        }
                    }
                    "TR" => {
                        if let Some(r) = row.take() {
                            match part {
                                Part::Head => table.header = r.cells,
                                Part::Body => table.rows.push(r),
                                Part::Foot => table.footnotes.extend(footnote(&r.cells)),
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) => {
                if let Some(c) = cell.as_mut() {
                    // Line ends in the source are white space; only <br/> breaks a line.
                    c.extend(
                        t.xml10_content()
                            .chars()
                            .map(|ch| if ch.is_whitespace() { ' ' } else { ch }),
                    );
                }
            }
            Event::GeneralRef(r) => {
                let Some(ch) = resolve(&r) else {
                    return Err(ImportError::malformed(
                        file,
                        lines.at(before),
                        format!("unknown entity reference &{};", r.as_ref()),
                    ));
                };
                push(&mut cell, ch);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !found_div {
        return Err(ImportError::malformed(
            file,
            0,
            format!("the file has no {wanted} (a DIV9 element with N=\"{wanted}\")"),
        ));
    }
    if inside.is_some() || row.is_some() || in_table {
        let last = lines.at(text.len() as u64);
        return Err(ImportError::malformed(
            file,
            last,
            format!("{wanted} is never closed: the file ends at line {last} (truncated?)"),
        ));
    }
    if !table_seen {
        return Err(ImportError::malformed(
            file,
            0,
            format!("{wanted} has no table"),
        ));
    }
    Ok(table)
}

fn push(cell: &mut Option<String>, c: char) {
    if let Some(s) = cell.as_mut() {
        s.push(c);
    }
}

/// A footnote row: `<sup>1</sup> text` -> ("1", "text").
fn footnote(cells: &[String]) -> Option<(String, String)> {
    let text = cells.first()?;
    let rest = text.trim_start().strip_prefix(SUP_START)?;
    let (number, body) = rest.split_once(SUP_END)?;
    Some((
        number.trim().to_string(),
        super::prose::plain(body).trim().to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<DIV8 N="744">
<DIV9 N="Supplement No. 6 to Part 744" TYPE="APPENDIX">
<TABLE>
<THEAD><TR><TH>Country</TH><TH>Listed person and address</TH><TH>Federal Register citation</TH></TR></THEAD>
<TBODY>
<TR>
<TD>ARMENIA</TD>
<TD>Atlas &amp; Co, a.k.a.<br/>&#x2014;Atlas. Komitas <E T="03">and</E> 26</TD>
<TD>85 FR 64017<sup>1</sup></TD>
</TR>
<TR><TD/><TD>B</TD><TD class="left"/></TR>
</TBODY>
<TFOOT><TR><TD colspan="3"><sup>2</sup> A note.</TD></TR></TFOOT>
</TABLE>
</DIV9>
</DIV8>
"#;

    #[test]
    fn reads_header_rows_cells_and_footnotes() {
        let t = read("f.xml", SMALL, 6).unwrap();
        assert_eq!(t.header.len(), 3);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].line, 7);
        assert_eq!(
            t.rows[0].cells[1],
            "Atlas & Co, a.k.a.\n\u{2014}Atlas. Komitas \u{E000}and\u{E001} 26"
        );
        assert_eq!(t.rows[0].cells[2], "85 FR 64017\u{E002}1\u{E003}");
        assert_eq!(t.rows[1].cells, ["", "B", ""]);
        assert_eq!(t.footnotes, [("2".to_string(), "A note.".to_string())]);
    }

    #[test]
    fn a_missing_supplement_or_truncated_table_is_an_error() {
        let err = read("f.xml", SMALL, 4).unwrap_err().to_string();
        assert!(err.contains("Supplement No. 4 to Part 744"), "{err}");
        let cut = &SMALL[..SMALL.find("</TBODY>").unwrap()];
        let err = read("f.xml", cut, 6).unwrap_err().to_string();
        assert!(
            err.contains("never closed") || err.contains("bad XML"),
            "{err}"
        );
    }
}
