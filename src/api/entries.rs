//! List entries, versions and diffs on the wire: model <-> protobuf for the
//! ListService's history and editing calls, with validation of what
//! clients send (named fields in errors).

use super::convert::{MAX_TEXT, list_info, text};
use super::pb;
use super::status::ApiError;
use crate::lists::NewEntry;
use crate::model::{
    Address, ControlEntry, DenialEntry, EntityKind, EntryName, Identifier, LicenseScope,
    ListContent, ListingTerms, NameKind,
};
use crate::service::VersionInfo;

/// Most names, addresses, identifiers ... in one entry sent by hand.
const MAX_VALUES: usize = 1000;

fn name_kind_str(k: NameKind) -> &'static str {
    match k {
        NameKind::Primary => "primary",
        NameKind::Alias => "alias",
        NameKind::WeakAlias => "weak_alias",
        NameKind::FormerName => "former_name",
        NameKind::OriginalScript => "original_script",
    }
}

fn name_kind(s: &str, field: &str) -> Result<NameKind, ApiError> {
    Ok(match s.trim().to_ascii_lowercase().as_str() {
        "primary" => NameKind::Primary,
        "" | "alias" | "aka" => NameKind::Alias,
        "weak_alias" | "weak" => NameKind::WeakAlias,
        "former_name" | "fka" => NameKind::FormerName,
        "original_script" => NameKind::OriginalScript,
        other => {
            return Err(ApiError::invalid(
                field,
                format!(
                    "unknown name kind {other:?}: primary, alias, weak_alias, former_name or original_script"
                ),
            ));
        }
    })
}

fn entity_kind(s: &str, field: &str) -> Result<EntityKind, ApiError> {
    Ok(match s.trim().to_ascii_lowercase().as_str() {
        "" | "unknown" => EntityKind::Unknown,
        "person" | "individual" => EntityKind::Person,
        "organization" | "organisation" | "entity" => EntityKind::Organization,
        "vessel" => EntityKind::Vessel,
        "aircraft" => EntityKind::Aircraft,
        other => {
            return Err(ApiError::invalid(
                field,
                format!(
                    "unknown entry kind {other:?}: person, organization, vessel, aircraft or unknown"
                ),
            ));
        }
    })
}

/// A denial entry on the wire.
pub fn denial_to_pb(e: &DenialEntry) -> pb::DenialEntry {
    pb::DenialEntry {
        entry_id: e.entry_id.clone(),
        kind: e.kind.as_str().to_string(),
        names: e
            .names
            .iter()
            .map(|n| pb::EntryName {
                name: n.name.clone(),
                kind: name_kind_str(n.kind).to_string(),
            })
            .collect(),
        programs: e.programs.clone(),
        addresses: e
            .addresses
            .iter()
            .map(|a| pb::EntryAddress {
                street: a.street.clone(),
                city: a.city.clone(),
                region: a.region.clone(),
                postal_code: a.postal_code.clone(),
                country: a.country.clone(),
            })
            .collect(),
        countries: e.countries.clone(),
        identifiers: e
            .identifiers
            .iter()
            .map(|i| pb::EntryIdentifier {
                kind: i.kind.clone(),
                value: i.value.clone(),
                country: i.country.clone(),
            })
            .collect(),
        dates_of_birth: e.dates_of_birth.clone(),
        remarks: e.remarks.clone(),
        listing: e.listing.as_ref().map(|t| pb::ListingTerms {
            license_requirement: t.license_requirement.clone(),
            license_scope: t.license_scope.as_str().to_string(),
            license_review_policy: t.license_review_policy.clone(),
            federal_register: t.federal_register.clone(),
        }),
    }
}

/// Entry `i` of `content` on the wire, with its identity key.
pub fn entry_to_pb(content: &ListContent, i: usize, key: &str) -> pb::ListEntry {
    match content {
        ListContent::Denial(e) => pb::ListEntry {
            entry_id: e[i].entry_id.clone(),
            identity_key: key.to_string(),
            body: Some(pb::list_entry::Body::Denial(denial_to_pb(&e[i]))),
        },
        ListContent::Control(e) => pb::ListEntry {
            entry_id: e[i].code.clone(),
            identity_key: key.to_string(),
            body: Some(pb::list_entry::Body::ControlJson(
                serde_json::to_string(&e[i]).unwrap_or_default(),
            )),
        },
    }
}

fn many<T>(v: Vec<T>, field: &str) -> Result<Vec<T>, ApiError> {
    if v.len() > MAX_VALUES {
        return Err(ApiError::invalid(
            field,
            format!("at most {MAX_VALUES} values, got {}", v.len()),
        ));
    }
    Ok(v)
}

fn texts(v: Vec<String>, field: &str) -> Result<Vec<String>, ApiError> {
    many(v, field)?
        .into_iter()
        .enumerate()
        .map(|(i, s)| text(s, &format!("{field}[{i}]"), MAX_TEXT, false))
        .collect()
}

/// A denial entry sent by a client, validated (`field` names it in errors).
///
/// # Errors
/// INVALID_ARGUMENT naming the offending field.
pub fn denial_from_pb(e: pb::DenialEntry, field: &str) -> Result<DenialEntry, ApiError> {
    let pb::DenialEntry {
        entry_id,
        kind,
        names,
        programs,
        addresses,
        countries,
        identifiers,
        dates_of_birth,
        remarks,
        listing,
    } = e;
    let listing = listing
        .map(|t| {
            let f = |p: &str| format!("{field}.listing.{p}");
            let scope = match t.license_scope.as_str() {
                "" | "unstated" => LicenseScope::Unstated,
                "all_items" => LicenseScope::AllItems,
                "some_items" => LicenseScope::SomeItems,
                other => {
                    return Err(ApiError::invalid(
                        f("license_scope"),
                        format!("unknown scope {other:?}: all_items, some_items or unstated"),
                    ));
                }
            };
            Ok(ListingTerms {
                license_requirement: text(
                    t.license_requirement,
                    &f("license_requirement"),
                    MAX_TEXT,
                    false,
                )?,
                license_scope: scope,
                license_review_policy: text(
                    t.license_review_policy,
                    &f("license_review_policy"),
                    MAX_TEXT,
                    false,
                )?,
                federal_register: texts(t.federal_register, &f("federal_register"))?,
            })
        })
        .transpose()?;
    let names = many(names, &format!("{field}.names"))?
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            let f = format!("{field}.names[{i}]");
            Ok(EntryName {
                name: text(n.name, &format!("{f}.name"), MAX_TEXT, false)?,
                kind: name_kind(&n.kind, &format!("{f}.kind"))?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let addresses = many(addresses, &format!("{field}.addresses"))?
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            let f = |p: &str| format!("{field}.addresses[{i}].{p}");
            Ok(Address {
                street: text(a.street, &f("street"), MAX_TEXT, false)?,
                city: text(a.city, &f("city"), MAX_TEXT, false)?,
                region: text(a.region, &f("region"), MAX_TEXT, false)?,
                postal_code: text(a.postal_code, &f("postal_code"), MAX_TEXT, false)?,
                country: text(a.country, &f("country"), MAX_TEXT, false)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let identifiers = many(identifiers, &format!("{field}.identifiers"))?
        .into_iter()
        .enumerate()
        .map(|(i, x)| {
            let f = |p: &str| format!("{field}.identifiers[{i}].{p}");
            Ok(Identifier {
                kind: text(x.kind, &f("kind"), MAX_TEXT, false)?,
                value: text(x.value, &f("value"), MAX_TEXT, false)?,
                country: text(x.country, &f("country"), MAX_TEXT, false)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(DenialEntry {
        entry_id: text(entry_id, &format!("{field}.entry_id"), MAX_TEXT, false)?,
        kind: entity_kind(&kind, &format!("{field}.kind"))?,
        names,
        programs: texts(programs, &format!("{field}.programs"))?,
        addresses,
        countries: texts(countries, &format!("{field}.countries"))?,
        identifiers,
        dates_of_birth: texts(dates_of_birth, &format!("{field}.dates_of_birth"))?,
        remarks: text(remarks, &format!("{field}.remarks"), MAX_TEXT * 16, false)?,
        listing,
    })
}

/// An entry sent by a client: a party, or a control entry as JSON.
///
/// # Errors
/// INVALID_ARGUMENT naming the offending field.
pub fn entry_from_pb(e: Option<pb::ListEntry>, field: &str) -> Result<NewEntry, ApiError> {
    let Some(e) = e else {
        return Err(ApiError::invalid(field, "required"));
    };
    match e.body {
        Some(pb::list_entry::Body::Denial(d)) => {
            let mut d = denial_from_pb(d, &format!("{field}.denial"))?;
            if d.entry_id.trim().is_empty() {
                d.entry_id = e.entry_id;
            }
            Ok(NewEntry::Denial(d))
        }
        Some(pb::list_entry::Body::ControlJson(json)) => {
            let f = format!("{field}.control_json");
            let json = text(json, &f, MAX_TEXT * 64, true)?;
            let c: ControlEntry = serde_json::from_str(&json)
                .map_err(|err| ApiError::invalid(&f, format!("not a control entry: {err}")))?;
            Ok(NewEntry::Control(c))
        }
        None => Err(ApiError::invalid(
            format!("{field}.body"),
            "required: denial (a party) or control_json (an item)",
        )),
    }
}

/// A version with its change record and re-screening summary.
pub fn version_to_pb(v: VersionInfo) -> pb::ListVersion {
    let VersionInfo {
        meta,
        change,
        rescreen,
    } = v;
    // A version stored without a record (tests) has no origin.
    let origin = change
        .as_ref()
        .map_or(String::new(), |c| c.origin.as_str().to_string());
    let change = change.unwrap_or_default();
    pb::ListVersion {
        info: Some(list_info(&meta)),
        origin,
        entry_id: change.entry_id.map(|e| e.to_string()).unwrap_or_default(),
        previous_version: change.previous_version,
        added: change.added,
        removed: change.removed,
        changed: change.changed,
        rescreen: rescreen.map(|r| pb::RescreenInfo {
            entries_checked: r.entries_checked,
            screenings_checked: r.screenings_checked,
            candidates: r.candidates,
            case_ids: r.case_ids.into_iter().map(String::from).collect(),
            screening_ids: r.screening_ids.into_iter().map(String::from).collect(),
            lookback_days: r.lookback_days,
            finished_at_unix_ms: r.finished_at_unix_ms,
            millis: r.millis,
            error: r.error,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denial_entries_round_trip() {
        let e = DenialEntry {
            entry_id: "36".into(),
            kind: EntityKind::Organization,
            names: vec![
                EntryName {
                    name: "AEROCARIBBEAN AIRLINES".into(),
                    kind: NameKind::Primary,
                },
                EntryName {
                    name: "AERO-CARIBBEAN".into(),
                    kind: NameKind::WeakAlias,
                },
            ],
            programs: vec!["CUBA".into()],
            addresses: vec![Address {
                city: "Havana".into(),
                country: "Cuba".into(),
                ..Address::default()
            }],
            countries: vec!["Cuba".into()],
            identifiers: vec![Identifier {
                kind: "IMO".into(),
                value: "1".into(),
                country: String::new(),
            }],
            dates_of_birth: vec![],
            remarks: "r".into(),
            listing: Some(ListingTerms {
                license_requirement: "For all items subject to the EAR.".into(),
                license_scope: LicenseScope::AllItems,
                license_review_policy: "Presumption of denial".into(),
                federal_register: vec!["76 FR 71869, 11/21/11".into()],
            }),
        };
        assert_eq!(denial_from_pb(denial_to_pb(&e), "entry").unwrap(), e);
    }

    #[test]
    fn bad_kinds_name_the_field() {
        let mut p = denial_to_pb(&DenialEntry::default());
        p.kind = "ship".into();
        let err = denial_from_pb(p.clone(), "entry.denial").unwrap_err();
        assert!(err.to_string().contains("entry.denial.kind"), "{err}");
        p.kind = String::new();
        p.names = vec![pb::EntryName {
            name: "X".into(),
            kind: "nickname".into(),
        }];
        let err = denial_from_pb(p, "entry.denial").unwrap_err();
        assert!(
            err.to_string().contains("entry.denial.names[0].kind"),
            "{err}"
        );
        let err = entry_from_pb(None, "entry").unwrap_err();
        assert!(err.to_string().contains("entry"), "{err}");
        let bad_json = pb::ListEntry {
            body: Some(pb::list_entry::Body::ControlJson("{".into())),
            ..pb::ListEntry::default()
        };
        let err = entry_from_pb(Some(bad_json), "entry").unwrap_err();
        assert!(err.to_string().contains("entry.control_json"), "{err}");
    }
}
