//! Reading the terms of an end-user listing as agencies publish them: what
//! a licence requirement covers ("For all items subject to the EAR" or
//! only some items) and the Federal Register citations of a cell.

use crate::model::{LicenseScope, ListingTerms};

use super::text::clean_owned;

/// What a published licence requirement covers.
///
/// "For all items subject to the EAR" (with or without a section reference,
/// "All Items Subject to the EAR", narrow exceptions such as crude oil or a
/// licence exception) covers all items; a requirement limited to items of
/// the CCL, listed ECCNs or supplements, or to items "when used in" named
/// projects covers some items; an empty one is unstated.
pub(crate) fn license_scope(requirement: &str) -> LicenseScope {
    let t = requirement.to_lowercase();
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() {
        LicenseScope::Unstated
    } else if t.contains("all items subject to the ear")
        && !t.contains("when used in")
        && !t.contains("for use in")
    {
        LicenseScope::AllItems
    } else {
        LicenseScope::SomeItems
    }
}

/// The Federal Register citations of a cell: each `<volume> FR <page>` with
/// the date that follows it ("76 FR 71869, 11/21/11"); a cell with none
/// (`Vol. 86, No. 71, 04/15/2021`) is one citation as written.
pub(crate) fn fr_citations(cell: &str) -> Vec<String> {
    let text = clean_owned(cell);
    let words: Vec<&str> = text.split(' ').collect();
    // Word positions where a citation starts: "<digits> FR <digits...>".
    let starts: Vec<usize> = (0..words.len().saturating_sub(2))
        .filter(|&i| {
            words[i].chars().all(|c| c.is_ascii_digit())
                && !words[i].is_empty()
                && words[i + 1] == "FR"
                && words[i + 2].starts_with(|c: char| c.is_ascii_digit())
        })
        .collect();
    if starts.is_empty() {
        return if text.is_empty() {
            Vec::new()
        } else {
            vec![text]
        };
    }
    let mut out = Vec::new();
    for (n, &s) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(words.len());
        let c = words[s..end]
            .join(" ")
            .trim_end_matches([' ', '.', ';', ','])
            .to_string();
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// Listing terms from the three published cells, `None` when all are empty.
pub(crate) fn terms(requirement: &str, policy: &str, citations: &str) -> Option<ListingTerms> {
    let requirement = clean_owned(requirement);
    let policy = clean_owned(policy);
    let federal_register = fr_citations(citations);
    if requirement.is_empty() && policy.is_empty() && federal_register.is_empty() {
        return None;
    }
    Some(ListingTerms {
        license_scope: license_scope(&requirement),
        license_requirement: requirement,
        license_review_policy: policy,
        federal_register,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Requirements as the Entity List writes them (copied from the eCFR
    /// text of 2026-07-23), with what they cover.
    const SCOPES: &[(&str, LicenseScope)] = &[
        (
            "For all items subject to the EAR. (See § 744.11 of the EAR)",
            LicenseScope::AllItems,
        ),
        ("All Items Subject to the EAR", LicenseScope::AllItems),
        (
            "For all items subject to the EAR, see §§ 734.9(e) 1 and 744.11 of the EAR 2",
            LicenseScope::AllItems,
        ),
        (
            "All items subject to the EAR except for: —crude oil, condensates, aromatics",
            LicenseScope::AllItems,
        ),
        (
            "For all items subject to the EAR. (See § 744.11 of the EAR). This license requirement may be overcome by License Exception GOV under § 740.11(b)(2) and (e)",
            LicenseScope::AllItems,
        ),
        (
            "For all items subject to the EAR when used in projects specified in § 746.8(a)(4) of the EAR",
            LicenseScope::SomeItems,
        ),
        (
            "For items on the CCL and listed in supplement no. 7 to part 746 of the EAR",
            LicenseScope::SomeItems,
        ),
        (
            "For items on the CCL and EAR99 items listed in supplement no. 7 to part 746 of the EAR",
            LicenseScope::SomeItems,
        ),
        ("", LicenseScope::Unstated),
    ];

    #[test]
    fn scopes_of_published_requirements() {
        for (text, want) in SCOPES {
            assert_eq!(license_scope(text), *want, "{text}");
        }
    }

    #[test]
    fn federal_register_citations_are_split() {
        let cases: &[(&str, &[&str])] = &[
            ("76 FR 71869, 11/21/11.\n", &["76 FR 71869, 11/21/11"]),
            (
                "84 FR 22963, 5/21/19. 85 FR 29853, 5/19/20. 84 FR 22963, 5/21/19.",
                &["84 FR 22963, 5/21/19", "85 FR 29853, 5/19/20"],
            ),
            (
                "73 FR 54504, 9/22/08. 77 FR 24590, 4/25/12.",
                &["73 FR 54504, 9/22/08", "77 FR 24590, 4/25/12"],
            ),
            (
                "Vol. 86, No. 71, 04/15/2021",
                &["Vol. 86, No. 71, 04/15/2021"],
            ),
            (
                "85 FR 64017, October 9, 2020.",
                &["85 FR 64017, October 9, 2020"],
            ),
            ("  ", &[]),
        ];
        for (cell, want) in cases {
            assert_eq!(fr_citations(cell), *want, "{cell:?}");
        }
    }

    #[test]
    fn empty_cells_give_no_terms() {
        assert_eq!(terms(" ", "", "\n"), None);
        let t = terms(
            "For all items subject to the EAR.",
            "Presumption of denial",
            "",
        )
        .unwrap();
        assert_eq!(t.license_scope, LicenseScope::AllItems);
        assert_eq!(t.license_review_policy, "Presumption of denial");
        assert!(t.federal_register.is_empty());
    }
}
