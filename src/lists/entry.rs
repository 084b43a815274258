//! Building [`DenialEntry`] values the same way in every importer: names
//! cleaned and de-duplicated, the primary name first, warnings counted once
//! per kind of problem rather than once per row.

use crate::model::{DenialEntry, EntryName, NameKind};

use super::text::clean;

/// Adds a name unless it is empty or the entry already has it (compared
/// case-insensitively, so the first and strongest kind wins).
pub(crate) fn push_name(entry: &mut DenialEntry, name: &str, kind: NameKind) {
    let name = clean(name);
    if name.is_empty() {
        return;
    }
    let exists = entry
        .names
        .iter()
        .any(|n| same_ignoring_case(&n.name, &name));
    if !exists {
        entry.names.push(EntryName {
            name: name.into_owned(),
            kind,
        });
    }
}

/// Case-insensitive equality without allocating.
pub(crate) fn same_ignoring_case(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// Counts rows skipped for one reason and turns them into one warning.
#[derive(Debug, Default)]
pub(crate) struct Skipped {
    count: u64,
    first_line: u64,
}

impl Skipped {
    /// Records a skipped row at `line`.
    pub fn add(&mut self, line: u64) {
        if self.count == 0 {
            self.first_line = line;
        }
        self.count += 1;
    }

    /// Pushes `"{file}: {n} row(s) {what} (first: line {l})"` if any.
    pub fn warn(&self, file: &str, what: &str, warnings: &mut Vec<String>) {
        if self.count > 0 {
            warnings.push(format!(
                "{file}: {} row(s) {what} (first: line {})",
                self.count, self.first_line
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_and_deduplicated() {
        let mut e = DenialEntry::default();
        push_name(&mut e, " BANCO  NACIONAL DE CUBA ", NameKind::Primary);
        push_name(&mut e, "Banco Nacional de Cuba", NameKind::Alias);
        push_name(&mut e, "  ", NameKind::Alias);
        push_name(&mut e, "BNC", NameKind::WeakAlias);
        let got: Vec<(&str, NameKind)> =
            e.names.iter().map(|n| (n.name.as_str(), n.kind)).collect();
        assert_eq!(
            got,
            [
                ("BANCO NACIONAL DE CUBA", NameKind::Primary),
                ("BNC", NameKind::WeakAlias)
            ]
        );
    }

    #[test]
    fn skipped_rows_make_one_warning() {
        let mut s = Skipped::default();
        let mut w = Vec::new();
        s.warn("alt.csv", "were skipped", &mut w);
        assert!(w.is_empty());
        s.add(7);
        s.add(9);
        s.warn("alt.csv", "were skipped", &mut w);
        assert_eq!(w, ["alt.csv: 2 row(s) were skipped (first: line 7)"]);
    }
}
