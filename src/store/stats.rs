//! Counts for monitoring (metrics), read without decoding more than needed.

use super::{Store, StoreError};
use crate::cases::CaseStatus;

impl Store {
    /// Number of cases waiting for an officer (status OPEN).
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read or a case is corrupt.
    pub fn open_case_count(&self) -> Result<u64, StoreError> {
        // The queue index is keyed by status first: count its OPEN range.
        let mut n = 0;
        for kv in self.case_queue.scan_prefix([CaseStatus::Open.code()]) {
            kv?;
            n += 1;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Decision;
    use crate::store::cases::tests::new_screening;

    #[test]
    fn open_cases_are_counted() {
        let s = Store::temporary().unwrap();
        assert_eq!(s.open_case_count().unwrap(), 0);
        for (exporter, reference, decision) in [
            ("A", "1", Decision::Review),
            ("A", "1", Decision::Prohibited),
            ("A", "2", Decision::Clear),
            ("B", "1", Decision::LicenseRequired),
        ] {
            s.record_screening(new_screening(exporter, reference, decision))
                .unwrap();
        }
        assert_eq!(s.open_case_count().unwrap(), 2);
    }
}
