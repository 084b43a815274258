//! No silent CLEAR: checks of a converted request against what the service
//! knows, so that input it would not understand is refused instead of
//! screened as if nothing were wrong.
//!
//! [`convert`](super::convert) checks each field on its own (lengths,
//! characters, parameter keys and ranges, name sizes). This module checks
//! what needs the whole request or the live configuration:
//!
//! - a shipment carries at least one item, at least one party besides the
//!   exporter, and a destination;
//! - the destination and every party's country is an ISO 3166-1 code or a
//!   country name `countries.toml` knows (a party's country may be blank).
//!
//! Each refusal is INVALID_ARGUMENT naming the field (`shipment.items`,
//! `shipment.parties[2].country` ...).

use std::fmt::Display;

use super::convert::Path;
use super::status::ApiError;
use crate::engine::geo::Geo;
use crate::model::{PartyRole, Shipment};

type Result<T> = std::result::Result<T, ApiError>;

/// Checks a converted shipment; `field` is its path (`shipment`,
/// `requests[3].shipment`).
///
/// # Errors
/// INVALID_ARGUMENT naming the first offending field.
pub fn shipment(s: &Shipment, geo: &Geo, field: &str) -> Result<()> {
    if s.items.is_empty() {
        return Err(ApiError::invalid(
            format!("{field}.items"),
            "required: at least one item (a shipment without goods cannot be cleared)",
        ));
    }
    if s.parties.iter().all(|p| p.role == PartyRole::Exporter) {
        return Err(ApiError::invalid(
            format!("{field}.parties"),
            "required: at least one party besides the exporter (the consignee, end user ...)",
        ));
    }
    if s.destination_country.trim().is_empty() {
        return Err(ApiError::invalid(
            format!("{field}.destination_country"),
            "required: the country the goods go to (ISO 3166-1 code or name)",
        ));
    }
    country(
        &s.destination_country,
        geo,
        &Path::member(&field, "destination_country"),
    )?;
    for (i, p) in s.parties.iter().enumerate() {
        let party = Path::index(&field, "parties", i);
        party_country(&p.country, geo, &Path::member(&party, "country"))?;
    }
    Ok(())
}

/// Checks a party's country: blank, or a country [`country`] accepts.
///
/// # Errors
/// INVALID_ARGUMENT naming `field`.
pub fn party_country(value: &str, geo: &Geo, field: &(impl Display + ?Sized)) -> Result<()> {
    if value.trim().is_empty() {
        return Ok(());
    }
    country(value, geo, field)
}

/// A party country a name lookup cannot use: blank or resolvable gives
/// `None`; otherwise a warning naming `field` (ScreenParty screens the name
/// and ignores the country for matching rather than failing the lookup).
pub fn party_country_warning(value: &str, geo: &Geo, field: &str) -> Option<String> {
    if value.trim().is_empty() || geo.resolve_country(value).is_some() {
        return None;
    }
    let shown: String = value.trim().chars().take(64).collect();
    Some(format!(
        "{field}: unknown country {shown:?} ignored for matching (use an ISO 3166-1 code such as JP or JPN, or a country name such as Japan)"
    ))
}

/// Checks a country: an ISO 3166-1 alpha-2 or alpha-3 code or a name or
/// alias of `countries.toml` (`JP`, `JPN`, `Japan`, `Korea, North`).
///
/// # Errors
/// INVALID_ARGUMENT naming `field`, with the value.
pub fn country(value: &str, geo: &Geo, field: &(impl Display + ?Sized)) -> Result<()> {
    if geo.resolve_country(value).is_some() {
        return Ok(());
    }
    let shown: String = value.trim().chars().take(64).collect();
    Err(ApiError::invalid(
        field.to_string(),
        format!(
            "unknown country {shown:?}: use an ISO 3166-1 code (JP, JPN) or a country name (Japan)"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::reference::ReferenceFiles;
    use crate::model::{Item, Party};

    fn geo() -> Geo {
        let r = ReferenceFiles::embedded();
        Geo::from_toml(&r.countries, &r.gazetteer).unwrap()
    }

    fn party(role: PartyRole, country: &str) -> Party {
        Party {
            role,
            name: "Hokuriku Precision Devices K.K.".into(),
            address: String::new(),
            country: country.into(),
        }
    }

    fn good() -> Shipment {
        Shipment {
            reference: "PO-1".into(),
            exporter: "Kestrel".into(),
            items: vec![Item {
                description: "Office chairs".into(),
                ..Item::default()
            }],
            parties: vec![
                party(PartyRole::Exporter, "US"),
                party(PartyRole::Consignee, "Japan"),
            ],
            destination_country: "JP".into(),
            end_use: String::new(),
        }
    }

    #[test]
    fn what_a_shipment_needs() {
        let geo = geo();
        assert!(shipment(&good(), &geo, "shipment").is_ok());
        type Edit = fn(&mut Shipment);
        let table: &[(&str, Edit, &str)] = &[
            ("no items", |s| s.items.clear(), "shipment.items"),
            ("no parties", |s| s.parties.clear(), "shipment.parties"),
            (
                "only the exporter",
                |s| s.parties.truncate(1),
                "shipment.parties",
            ),
            (
                "no destination",
                |s| s.destination_country = " ".into(),
                "shipment.destination_country",
            ),
            (
                "unknown code",
                |s| s.destination_country = "XX".into(),
                "shipment.destination_country",
            ),
            (
                "misspelt name",
                |s| s.destination_country = "Syrai".into(),
                "shipment.destination_country",
            ),
            (
                "unknown party country",
                |s| s.parties[1].country = "Narnia".into(),
                "shipment.parties[1].country",
            ),
        ];
        for (name, edit, field) in table {
            let mut s = good();
            edit(&mut s);
            match shipment(&s, &geo, "shipment") {
                Err(ApiError::Lib(crate::Error::InvalidArgument { field: f, .. })) => {
                    assert_eq!(f, *field, "{name}")
                }
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    #[test]
    fn codes_names_and_blank_party_countries_pass() {
        let geo = geo();
        for c in ["JP", "jp", "JPN", "Japan", "Korea, North", "U.A.E.", "Iran"] {
            assert!(country(c, &geo, "c").is_ok(), "{c}");
        }
        assert!(party_country("", &geo, "c").is_ok());
        assert!(country("", &geo, "c").is_err());
        let mut s = good();
        s.parties[1].country = String::new();
        s.parties[0].role = PartyRole::Unspecified;
        assert!(shipment(&s, &geo, "shipment").is_ok());
    }

    #[test]
    fn a_name_lookup_warns_about_a_country_it_cannot_resolve() {
        let geo = geo();
        for c in ["", "  ", "JP", "Japan", "Korea, North"] {
            assert_eq!(party_country_warning(c, &geo, "party.country"), None, "{c}");
        }
        for c in ["NM", "Narnia"] {
            let w = party_country_warning(c, &geo, "party.country")
                .unwrap_or_else(|| panic!("{c}: no warning"));
            assert!(w.starts_with("party.country: unknown country"), "{w}");
            assert!(w.contains(&format!("{c:?}")), "{w}");
        }
    }
}
