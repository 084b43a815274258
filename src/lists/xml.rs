//! XML helpers shared by the XML importers: line numbers of reader
//! positions (for errors that name the line) and entity references.

use quick_xml::events::BytesRef;

/// Counts lines while the reader moves forward through the text.
pub(crate) struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    /// Starts at line 1 of `bytes`.
    pub(crate) fn new(bytes: &'a [u8]) -> Lines<'a> {
        Lines {
            bytes,
            pos: 0,
            line: 1,
        }
    }

    /// The 1-based line of byte `offset` (offsets must not go backwards by
    /// much: counting restarts from the top if they do).
    pub(crate) fn at(&mut self, offset: u64) -> u64 {
        let offset = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        if offset < self.pos {
            self.pos = 0;
            self.line = 1;
        }
        self.line += self.bytes[self.pos..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.pos = offset;
        self.line
    }
}

/// The text of an entity or character reference.
pub(crate) fn resolve(reference: &BytesRef<'_>) -> Option<char> {
    if reference.is_char_ref() {
        return reference.resolve_char_ref().ok().flatten();
    }
    match reference.as_ref() {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    }
}
