//! Which exporters' records a caller may see: all of them, one, or none.
//! The API derives it from the caller's token; services filter with it,
//! and another exporter's record looks exactly like a missing one.

use crate::cases::CaseFilter;

/// The exporters whose screenings and cases a caller may see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every exporter (officers, auditors, administrators).
    All,
    /// One exporter (an exporter's system).
    Exporter(String),
    /// None (an exporter token bound to no exporter).
    Nothing,
}

impl Scope {
    /// True when records of `exporter` are visible.
    pub fn may_see(&self, exporter: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Exporter(own) => own == exporter.trim(),
            Scope::Nothing => false,
        }
    }

    /// Restricts a queue filter to what is visible; `None` when the answer
    /// is empty whatever is stored (an exporter asking for another
    /// exporter's cases).
    pub fn restrict(&self, mut filter: CaseFilter) -> Option<CaseFilter> {
        match self {
            Scope::All => Some(filter),
            Scope::Nothing => None,
            Scope::Exporter(own) => {
                if filter.exporter.as_deref().is_some_and(|e| e.trim() != own) {
                    return None;
                }
                filter.exporter = Some(own.clone());
                Some(filter)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_see_what_they_should() {
        let acme = Scope::Exporter("ACME".into());
        assert!(Scope::All.may_see("anyone"));
        assert!(acme.may_see("ACME"));
        assert!(acme.may_see(" ACME "));
        assert!(!acme.may_see("Globex"));
        assert!(!Scope::Nothing.may_see("ACME"));

        let all = CaseFilter::default();
        assert_eq!(Scope::All.restrict(all.clone()), Some(all.clone()));
        assert_eq!(
            acme.restrict(all.clone()).unwrap().exporter.as_deref(),
            Some("ACME")
        );
        let other = CaseFilter {
            exporter: Some("Globex".into()),
            ..CaseFilter::default()
        };
        assert_eq!(acme.restrict(other), None);
        assert_eq!(Scope::Nothing.restrict(all), None);
    }
}
