//! Item classification against a control list (STUB: to be replaced by the
//! real matcher: aho-corasick terms, unit-aware thresholds, exclusions).

use crate::model::{ControlCategory, ControlEntry, Item};

use super::EngineError;

/// How an item stands against one control-list entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemStatus {
    /// Named and every deciding threshold met (or the entry has none).
    Controlled,
    /// Named but a deciding figure is missing: a human must check.
    Uncertain,
    /// Named but outside the thresholds or under an exclusion: not
    /// controlled, remembered for the destination rules.
    Adjacent,
}

impl ItemStatus {
    /// `CONTROLLED`, `UNCERTAIN` or `ADJACENT`.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Controlled => "CONTROLLED",
            ItemStatus::Uncertain => "UNCERTAIN",
            ItemStatus::Adjacent => "ADJACENT",
        }
    }
}

/// An item matched against one control-list entry.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemMatch {
    /// Control list id.
    pub list_id: String,
    /// Entry code exactly as numbered.
    pub code: String,
    /// Entry title.
    pub title: String,
    /// Category I or II.
    pub category: ControlCategory,
    /// Strength in [0, 1].
    pub score: f64,
    /// Controlled, uncertain or adjacent.
    pub status: ItemStatus,
    /// Terms that matched.
    pub matched_terms: Vec<String>,
    /// The words of the description that matched.
    pub matched_text: String,
    /// Thresholds checked, exclusions seen, declared code.
    pub explanation: String,
}

/// The result of classifying one item.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ItemAssessment {
    /// Controlled and uncertain matches, strongest first.
    pub matches: Vec<ItemMatch>,
    /// Adjacent matches (not controlled).
    pub adjacent: Vec<ItemMatch>,
}

/// Matcher over one control list.
#[derive(Debug)]
pub struct ItemIndex {
    list_id: String,
    entries: Vec<ControlEntry>,
}

impl ItemIndex {
    /// Builds the matcher.
    ///
    /// # Errors
    /// [`EngineError::ControlEntry`] for an unusable entry.
    pub fn build(list_id: &str, entries: &[ControlEntry]) -> Result<ItemIndex, EngineError> {
        Ok(ItemIndex {
            list_id: list_id.to_string(),
            entries: entries.to_vec(),
        })
    }

    /// The control list id.
    pub fn list_id(&self) -> &str {
        &self.list_id
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the list is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Classifies one item.
    pub fn classify(&self, _item: &Item) -> ItemAssessment {
        ItemAssessment::default()
    }
}
