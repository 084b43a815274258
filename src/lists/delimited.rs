//! A small reader for delimited text (CSV, TSV) as the agencies publish it:
//! quoted fields with `""` escapes and embedded line breaks, CRLF or LF line
//! endings, blank lines ignored, and every record tagged with the physical
//! line it starts on so errors can name it.
//!
//! Stricter than the `csv` crate where it matters for rejecting broken
//! files: an unclosed quote or text after a closing quote is an error, not a
//! silently merged field.

use std::borrow::Cow;

use super::ImportError;

/// One record: its fields and the 1-based line it starts on.
#[derive(Debug)]
pub(crate) struct Record<'a> {
    /// Physical line of the record's first byte.
    pub line: u64,
    /// Fields, unquoted and unescaped (not trimmed).
    pub fields: Vec<Cow<'a, str>>,
}

impl Record<'_> {
    /// Field `i`, or `""` when the record is shorter.
    pub fn get(&self, i: usize) -> &str {
        self.fields.get(i).map_or("", |f| f.as_ref())
    }
}

/// Iterates over the records of `text`.
pub(crate) struct Reader<'a> {
    file: &'a str,
    text: &'a str,
    pos: usize,
    line: u64,
    delim: u8,
    failed: bool,
}

impl<'a> Reader<'a> {
    /// A reader over `text` (already decoded), splitting fields on `delim`.
    pub fn new(file: &'a str, text: &'a str, delim: u8) -> Self {
        Reader {
            file,
            text,
            pos: 0,
            line: 1,
            delim,
            failed: false,
        }
    }

    fn error(&mut self, line: u64, message: impl Into<String>) -> ImportError {
        self.failed = true;
        ImportError::malformed(self.file, line, message)
    }

    /// Skips blank lines; false at the end of the text.
    fn skip_blank_lines(&mut self) -> bool {
        let bytes = self.text.as_bytes();
        let mut i = self.pos;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'\n' => {
                    self.pos = i + 1;
                    self.line += 1;
                }
                b if b.is_ascii_whitespace() => {}
                _ => return true,
            }
            i += 1;
        }
        self.pos = bytes.len();
        false
    }

    /// Reads one quoted field starting at the opening quote.
    fn quoted(&mut self) -> Result<Cow<'a, str>, ImportError> {
        let bytes = self.text.as_bytes();
        let open_line = self.line;
        let mut start = self.pos + 1;
        let mut owned: Option<String> = None;
        loop {
            let Some(q) = bytes[start..].iter().position(|&b| b == b'"') else {
                return Err(self.error(
                    open_line,
                    "unclosed quote: the file ends inside this quoted field",
                ));
            };
            let q = start + q;
            self.line += bytes[start..q].iter().filter(|&&b| b == b'\n').count() as u64;
            if bytes.get(q + 1) == Some(&b'"') {
                // An escaped quote: keep one.
                owned
                    .get_or_insert_with(String::new)
                    .push_str(&self.text[start..=q]);
                start = q + 2;
                continue;
            }
            let value = match owned {
                Some(mut s) => {
                    s.push_str(&self.text[start..q]);
                    Cow::Owned(s)
                }
                None => Cow::Borrowed(&self.text[self.pos + 1..q]),
            };
            self.pos = q + 1;
            // Tolerate spaces between the closing quote and the delimiter.
            while bytes.get(self.pos) == Some(&b' ') && self.delim != b' ' {
                self.pos += 1;
            }
            return match bytes.get(self.pos) {
                None | Some(b'\n') => Ok(value),
                Some(&b) if b == self.delim => Ok(value),
                Some(b'\r') if matches!(bytes.get(self.pos + 1), None | Some(b'\n')) => Ok(value),
                Some(_) if open_line == self.line => Err(self.error(
                    open_line,
                    "unexpected text after a closing quote (a quote missing or unescaped?)",
                )),
                Some(_) => {
                    let close_line = self.line;
                    Err(self.error(
                        open_line,
                        format!(
                            "the quoted field opened here runs to line {close_line} and is \
                             followed by unexpected text (a closing quote missing?)"
                        ),
                    ))
                }
            };
        }
    }

    /// Reads one unquoted field up to the delimiter or the line end.
    fn unquoted(&mut self) -> Cow<'a, str> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let end = bytes[start..]
            .iter()
            .position(|&b| b == self.delim || b == b'\n')
            .map_or(bytes.len(), |n| start + n);
        self.pos = end;
        let field = &self.text[start..end];
        Cow::Borrowed(field.strip_suffix('\r').unwrap_or(field))
    }
}

impl<'a> Iterator for Reader<'a> {
    type Item = Result<Record<'a>, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || !self.skip_blank_lines() {
            return None;
        }
        let bytes = self.text.as_bytes();
        let line = self.line;
        let mut fields = Vec::with_capacity(12);
        loop {
            let field = if bytes.get(self.pos) == Some(&b'"') {
                match self.quoted() {
                    Ok(f) => f,
                    Err(e) => return Some(Err(e)),
                }
            } else {
                self.unquoted()
            };
            fields.push(field);
            match bytes.get(self.pos) {
                Some(&b) if b == self.delim => self.pos += 1,
                Some(b'\r') => {
                    // CR before LF (or a lone CR at the very end).
                    self.pos += 1;
                    if bytes.get(self.pos) == Some(&b'\n') {
                        self.pos += 1;
                    }
                    self.line += 1;
                    break;
                }
                Some(b'\n') => {
                    self.pos += 1;
                    self.line += 1;
                    break;
                }
                _ => break,
            }
        }
        Some(Ok(Record { line, fields }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, delim: u8) -> Result<Vec<(u64, Vec<String>)>, ImportError> {
        Reader::new("t.csv", text, delim)
            .map(|r| r.map(|r| (r.line, r.fields.iter().map(|f| f.to_string()).collect())))
            .collect()
    }

    fn fields(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn reads_quoted_unquoted_crlf_and_blank_lines() {
        let got = read(
            "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\"\r\n\r\n306,\"A, \"\"B\"\"\",-0- ,x\r\n",
            b',',
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                (1, fields(&["36", "AEROCARIBBEAN AIRLINES", "-0- ", "CUBA"])),
                (3, fields(&["306", "A, \"B\"", "-0- ", "x"])),
            ]
        );
    }

    #[test]
    fn embedded_line_breaks_keep_physical_line_numbers() {
        let got = read("a,\"x\ny\nz\",b\nc,d,e\n", b',').unwrap();
        assert_eq!(got[0], (1, fields(&["a", "x\ny\nz", "b"])));
        assert_eq!(got[1], (4, fields(&["c", "d", "e"])));
    }

    #[test]
    fn tabs_and_empty_fields() {
        let got = read("\"a\"\t\"\"\t\n", b'\t').unwrap();
        assert_eq!(got, vec![(1, fields(&["a", "", ""]))]);
    }

    #[test]
    fn last_line_without_newline() {
        let got = read("a,b\r\nc,d", b',').unwrap();
        assert_eq!(got[1], (2, fields(&["c", "d"])));
    }

    #[test]
    fn errors_name_the_line() {
        for (text, line, what) in [
            ("a,b\nc,\"unclosed\nmore\n", 2, "unclosed quote"),
            ("a,b\n\"x\"y,z\n", 2, "after a closing quote"),
            ("a,\"x\ny\"z\n", 1, "runs to line 2"),
        ] {
            match read(text, b',') {
                Err(ImportError::Malformed {
                    line: l, message, ..
                }) => {
                    assert_eq!(l, line, "{text:?}");
                    assert!(message.contains(what), "{message}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }
}
