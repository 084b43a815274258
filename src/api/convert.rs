//! Protobuf <-> model conversions, with request validation.
//!
//! Every conversion destructures its source by field name, so a field added
//! to a proto or a model type breaks the build here until someone decides
//! what it maps to. Validation names the offending field by its path in the
//! request (`shipment.items[2].parameters["range_km"]`).
//!
//! Limits: strings at most [`MAX_TEXT`] bytes ([`MAX_END_USE`] for the end
//! use), at most [`MAX_ITEMS`] items, [`MAX_PARTIES`] parties and
//! [`MAX_PARAMETERS`] parameters per item; no control characters other than
//! tab, line feed and carriage return; numbers finite. Party names hold at
//! most [`MAX_NAME_WORDS`] words of at most [`MAX_WORD_CHARS`] characters
//! each (what a screening of one name may cost is bounded by them).
//! Parameter keys are the canonical keys of the control list
//! ([`units::PARAMS`]), each value within its key's range.

use std::collections::HashMap;
use std::fmt::{self, Display};

use super::pb;
use super::status::ApiError;
use crate::engine::item::ItemMatch;
use crate::engine::party::PartyMatch;
use crate::engine::units;
use crate::model::{
    self, Decision, Finding, FindingKind, Item, ListMeta, ListVersionRef, Party, PartyRole,
    PolicyRef, Shipment, SourceFile,
};
use crate::store::ScreeningRecord;

/// Longest string field in bytes (names, addresses, descriptions ...).
pub const MAX_TEXT: usize = 4 * 1024;
/// Longest stated end use in bytes.
pub const MAX_END_USE: usize = 64 * 1024;
/// Most items in one shipment.
pub const MAX_ITEMS: usize = 1000;
/// Most parties in one shipment.
pub const MAX_PARTIES: usize = 1000;
/// Most technical parameters of one item.
pub const MAX_PARAMETERS: usize = 100;
/// Longest parameter key in bytes.
pub const MAX_PARAMETER_KEY: usize = 64;
/// Most words in a party name: the engine's own bound
/// (`party::limits`), so the API and the engine count alike.
pub const MAX_NAME_WORDS: usize = crate::engine::party::limits::MAX_NAME_WORDS;
/// Longest word of a party name, in characters (`party::limits`).
pub const MAX_WORD_CHARS: usize = crate::engine::party::limits::MAX_WORD_CHARS;

type Result<T> = std::result::Result<T, ApiError>;

// ---------------------------------------------------------------------------
// Validation helpers

/// A field's path in error messages (`shipment.items[2].description`),
/// written out only when an error names it: a valid request formats no
/// path at all.
#[derive(Clone, Copy)]
pub struct Path<'a> {
    parent: &'a dyn Display,
    name: &'static str,
    index: Option<usize>,
}

impl<'a> Path<'a> {
    /// `parent.name`.
    pub fn member(parent: &'a dyn Display, name: &'static str) -> Path<'a> {
        Path {
            parent,
            name,
            index: None,
        }
    }

    /// `parent.name[index]`.
    pub fn index(parent: &'a dyn Display, name: &'static str, index: usize) -> Path<'a> {
        Path {
            parent,
            name,
            index: Some(index),
        }
    }
}

impl Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.parent, self.name)?;
        match self.index {
            Some(i) => write!(f, "[{i}]"),
            None => Ok(()),
        }
    }
}

/// Checks a string field: length, control characters and (when `required`)
/// non-blank. Returns it unchanged: the engine sees what was sent.
pub fn text(
    value: String,
    field: &(impl Display + ?Sized),
    max: usize,
    required: bool,
) -> Result<String> {
    if value.len() > max {
        return Err(ApiError::invalid(
            field.to_string(),
            format!("at most {max} bytes, got {}", value.len()),
        ));
    }
    if let Some((at, c)) = value
        .char_indices()
        .find(|(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(ApiError::invalid(
            field.to_string(),
            format!(
                "control character U+{:04X} at byte {at} (only tab and line breaks are allowed)",
                u32::from(c)
            ),
        ));
    }
    if required && value.trim().is_empty() {
        return Err(ApiError::invalid(
            field.to_string(),
            "required: must not be blank",
        ));
    }
    Ok(value)
}

/// Checks a number: finite and, when `non_negative`, at least 0.
fn number(value: f64, field: &(impl Display + ?Sized), non_negative: bool) -> Result<f64> {
    if !value.is_finite() {
        return Err(ApiError::invalid(
            field.to_string(),
            format!("must be a finite number, got {value}"),
        ));
    }
    if non_negative && value < 0.0 {
        return Err(ApiError::invalid(
            field.to_string(),
            format!("must not be negative, got {value}"),
        ));
    }
    Ok(value)
}

/// The words of a name as [`party_name`] counts them: maximal runs of letters,
/// digits and combining marks (any script); everything else separates.
pub fn name_words(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(|c: char| {
            !(c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c))
        })
        .filter(|w| !w.is_empty())
}

/// Checks a party name: a required [`text`] of at most [`MAX_NAME_WORDS`]
/// words of at most [`MAX_WORD_CHARS`] characters.
pub fn party_name(value: String, field: &(impl Display + ?Sized)) -> Result<String> {
    let value = text(value, field, MAX_TEXT, true)?;
    let mut words = 0usize;
    for w in name_words(&value) {
        words += 1;
        let chars = w.chars().count();
        if chars > MAX_WORD_CHARS {
            let start: String = w.chars().take(12).collect();
            return Err(ApiError::invalid(
                field.to_string(),
                format!(
                    "a word of at most {MAX_WORD_CHARS} characters, got {chars} (\"{start}...\")"
                ),
            ));
        }
    }
    if words > MAX_NAME_WORDS {
        return Err(ApiError::invalid(
            field.to_string(),
            format!("at most {MAX_NAME_WORDS} words, got {words}"),
        ));
    }
    Ok(value)
}

/// Checks one technical parameter: a canonical key whose value is finite
/// and within the key's range.
fn parameter(key: &str, value: f64, field: &str) -> Result<()> {
    let Some(spec) = units::spec(key) else {
        let near = units::PARAMS
            .iter()
            .map(|p| (strsim::jaro_winkler(key, p.key), p.key))
            .filter(|(score, _)| *score >= 0.85)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, k)| format!("did you mean {k}? "))
            .unwrap_or_default();
        return Err(ApiError::invalid(
            field,
            format!(
                "unknown parameter key: {near}accepted keys (unit in the name): {}",
                accepted_keys()
            ),
        ));
    };
    number(value, field, false)?;
    if !spec.admits(value) {
        let unit = match spec.unit {
            "" | "flag" => String::new(),
            u => format!(" {u}"),
        };
        let range = if spec.max.is_infinite() {
            format!("at least {}{unit}", units::format_number(spec.min))
        } else {
            format!(
                "from {} to {}{unit}",
                units::format_number(spec.min),
                units::format_number(spec.max)
            )
        };
        return Err(ApiError::invalid(
            field,
            format!("out of range: must be {range}, got {value}"),
        ));
    }
    Ok(())
}

/// Every accepted parameter key, comma-separated.
pub fn accepted_keys() -> String {
    units::PARAMS
        .iter()
        .map(|p| p.key)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A key for messages: quoted, escaped and cut short.
fn quoted(k: &str) -> String {
    let short: String = k.chars().take(MAX_PARAMETER_KEY).collect();
    let ellipsis = if short.len() < k.len() { "..." } else { "" };
    format!("{short:?}{ellipsis}")
}

// ---------------------------------------------------------------------------
// Requests -> model

/// Longest client request id (AIP-155).
pub const MAX_REQUEST_ID: usize = 128;

/// An optional client request id: empty is none; otherwise 1 to
/// [`MAX_REQUEST_ID`] printable ASCII characters (a UUID is a good choice).
///
/// # Errors
/// INVALID_ARGUMENT naming `field`.
pub fn request_id(value: String, field: &str) -> Result<Option<String>> {
    if value.is_empty() {
        return Ok(None);
    }
    if value.len() > MAX_REQUEST_ID || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid(
            field,
            format!(
                "1 to {MAX_REQUEST_ID} printable ASCII characters without spaces (a UUID is a good choice)"
            ),
        ));
    }
    Ok(Some(value))
}

/// A required message field.
pub fn required<T>(value: Option<T>, field: &str) -> Result<T> {
    value.ok_or_else(|| ApiError::invalid(field, "required"))
}

/// Validates and converts a shipment; `field` is its path (`shipment`).
///
/// # Errors
/// INVALID_ARGUMENT naming the first offending field.
pub fn shipment(s: pb::Shipment, field: &(impl Display + ?Sized)) -> Result<Shipment> {
    let pb::Shipment {
        reference,
        exporter,
        items,
        parties,
        destination_country,
        end_use,
    } = s;
    if items.len() > MAX_ITEMS {
        return Err(ApiError::invalid(
            format!("{field}.items"),
            format!("at most {MAX_ITEMS} items, got {}", items.len()),
        ));
    }
    if parties.len() > MAX_PARTIES {
        return Err(ApiError::invalid(
            format!("{field}.parties"),
            format!("at most {MAX_PARTIES} parties, got {}", parties.len()),
        ));
    }
    Ok(Shipment {
        reference: text(
            reference,
            &Path::member(&field, "reference"),
            MAX_TEXT,
            false,
        )?,
        exporter: text(exporter, &Path::member(&field, "exporter"), MAX_TEXT, false)?,
        items: items
            .into_iter()
            .enumerate()
            .map(|(i, it)| item(it, &Path::index(&field, "items", i)))
            .collect::<Result<_>>()?,
        parties: parties
            .into_iter()
            .enumerate()
            .map(|(i, p)| party(p, &Path::index(&field, "parties", i)))
            .collect::<Result<_>>()?,
        destination_country: text(
            destination_country,
            &Path::member(&field, "destination_country"),
            MAX_TEXT,
            false,
        )?,
        end_use: text(
            end_use,
            &Path::member(&field, "end_use"),
            MAX_END_USE,
            false,
        )?,
    })
}

/// Validates and converts a party: `name` is required.
///
/// # Errors
/// INVALID_ARGUMENT naming the first offending field.
pub fn party(p: pb::Party, field: &(impl Display + ?Sized)) -> Result<Party> {
    let pb::Party {
        role,
        name,
        address,
        country,
    } = p;
    Ok(Party {
        role: party_role(role, &Path::member(&field, "role"))?,
        name: party_name(name, &Path::member(&field, "name"))?,
        address: text(address, &Path::member(&field, "address"), MAX_TEXT, false)?,
        country: text(country, &Path::member(&field, "country"), MAX_TEXT, false)?,
    })
}

/// Validates and converts an item: `description` is required; parameters
/// come out sorted by key.
///
/// # Errors
/// INVALID_ARGUMENT naming the first offending field.
pub fn item(i: pb::Item, field: &(impl Display + ?Sized)) -> Result<Item> {
    let pb::Item {
        description,
        declared_code,
        quantity,
        unit,
        parameters,
    } = i;
    if parameters.len() > MAX_PARAMETERS {
        return Err(ApiError::invalid(
            format!("{field}.parameters"),
            format!(
                "at most {MAX_PARAMETERS} parameters, got {}",
                parameters.len()
            ),
        ));
    }
    let mut params: Vec<(String, f64)> = parameters.into_iter().collect();
    // Sorted first so that the error for several bad keys is deterministic.
    params.sort_by(|a, b| a.0.cmp(&b.0));
    for (k, v) in &params {
        parameter(k, *v, &format!("{field}.parameters[{}]", quoted(k)))?;
    }
    Ok(Item {
        description: text(
            description,
            &Path::member(&field, "description"),
            MAX_TEXT,
            true,
        )?,
        declared_code: text(
            declared_code,
            &Path::member(&field, "declared_code"),
            MAX_TEXT,
            false,
        )?,
        quantity: number(quantity, &Path::member(&field, "quantity"), true)?,
        unit: text(unit, &Path::member(&field, "unit"), MAX_TEXT, false)?,
        parameters: params,
    })
}

/// A party role from its wire number; unknown numbers are refused.
fn party_role(n: i32, field: &(impl Display + ?Sized)) -> Result<PartyRole> {
    let role = pb::PartyRole::try_from(n).map_err(|_| {
        ApiError::invalid(
            field.to_string(),
            format!("unknown PartyRole value {n} (known: 0 to 6, e.g. PARTY_ROLE_CONSIGNEE = 1)"),
        )
    })?;
    Ok(match role {
        pb::PartyRole::Unspecified => PartyRole::Unspecified,
        pb::PartyRole::Consignee => PartyRole::Consignee,
        pb::PartyRole::EndUser => PartyRole::EndUser,
        pb::PartyRole::IntermediateConsignee => PartyRole::IntermediateConsignee,
        pb::PartyRole::FreightForwarder => PartyRole::FreightForwarder,
        pb::PartyRole::Purchaser => PartyRole::Purchaser,
        pb::PartyRole::Exporter => PartyRole::Exporter,
    })
}

// ---------------------------------------------------------------------------
// Model -> responses

/// The wire value of a party role.
pub fn party_role_to_pb(r: PartyRole) -> pb::PartyRole {
    match r {
        PartyRole::Unspecified => pb::PartyRole::Unspecified,
        PartyRole::Consignee => pb::PartyRole::Consignee,
        PartyRole::EndUser => pb::PartyRole::EndUser,
        PartyRole::IntermediateConsignee => pb::PartyRole::IntermediateConsignee,
        PartyRole::FreightForwarder => pb::PartyRole::FreightForwarder,
        PartyRole::Purchaser => pb::PartyRole::Purchaser,
        PartyRole::Exporter => pb::PartyRole::Exporter,
    }
}

/// The wire value of a decision.
pub fn decision_to_pb(d: Decision) -> pb::Decision {
    match d {
        Decision::Clear => pb::Decision::Clear,
        Decision::Review => pb::Decision::Review,
        Decision::LicenseRequired => pb::Decision::LicenseRequired,
        Decision::Prohibited => pb::Decision::Prohibited,
    }
}

fn finding_kind_to_pb(k: FindingKind) -> pb::FindingKind {
    match k {
        FindingKind::Item => pb::FindingKind::Item,
        FindingKind::Party => pb::FindingKind::Party,
        FindingKind::Destination => pb::FindingKind::Destination,
        FindingKind::EndUse => pb::FindingKind::EndUse,
    }
}

/// A shipment as stored, back on the wire.
pub fn shipment_to_pb(s: Shipment) -> pb::Shipment {
    let Shipment {
        reference,
        exporter,
        items,
        parties,
        destination_country,
        end_use,
    } = s;
    pb::Shipment {
        reference,
        exporter,
        items: items.into_iter().map(item_to_pb).collect(),
        parties: parties.into_iter().map(party_to_pb).collect(),
        destination_country,
        end_use,
    }
}

/// An item on the wire.
pub fn item_to_pb(i: Item) -> pb::Item {
    let Item {
        description,
        declared_code,
        quantity,
        unit,
        parameters,
    } = i;
    pb::Item {
        description,
        declared_code,
        quantity,
        unit,
        parameters: parameters.into_iter().collect::<HashMap<_, _>>(),
    }
}

/// A party on the wire.
pub fn party_to_pb(p: Party) -> pb::Party {
    let Party {
        role,
        name,
        address,
        country,
    } = p;
    pb::Party {
        role: party_role_to_pb(role).into(),
        name,
        address,
        country,
    }
}

/// A finding on the wire.
pub fn finding_to_pb(f: Finding) -> pb::Finding {
    let Finding {
        kind,
        target,
        list_id,
        entry_id,
        entry_name,
        score,
        matched_text,
        matched_terms,
        reason,
        explanation,
        decision,
        rule,
        category,
    } = f;
    pb::Finding {
        kind: finding_kind_to_pb(kind).into(),
        target: target.to_string(),
        list_id,
        entry_id,
        score,
        matched_text,
        reason,
        decision: decision_to_pb(decision).into(),
        entry_name,
        matched_terms,
        explanation,
        rule,
        // Set by `screening_response` from the screening's suppressions.
        suppressed: false,
        suppressed_by: String::new(),
        suppressed_by_case: String::new(),
        category: category.map(|c| c.as_str().to_string()).unwrap_or_default(),
    }
}

/// The destination facts on the wire.
pub fn destination_to_pb(d: model::DestinationFacts) -> pb::DestinationFacts {
    let summary = d.describe();
    let model::DestinationFacts {
        declared,
        ultimate,
        basis,
        from_address: _,
        groups,
        embargo,
        region,
    } = d;
    let basis_name = match basis {
        model::UltimateBasis::EndUser { .. } => "end_user",
        model::UltimateBasis::Consignee { .. } => "consignee",
        model::UltimateBasis::Declared => "declared",
        model::UltimateBasis::Unknown => "unknown",
    };
    pb::DestinationFacts {
        declared: declared.unwrap_or_default(),
        ultimate: ultimate.unwrap_or_default(),
        basis: basis_name.to_string(),
        party_index: basis
            .party()
            .and_then(|i| u32::try_from(i).ok())
            .unwrap_or_default(),
        groups,
        embargo_group: embargo.map(|e| e.group).unwrap_or_default(),
        sanctioned_region: region.map(|r| r.id).unwrap_or_default(),
        summary,
    }
}

/// A list version reference on the wire.
pub fn list_version_to_pb(r: ListVersionRef) -> pb::ListVersionRef {
    let ListVersionRef {
        list_id,
        version,
        checksum,
    } = r;
    pb::ListVersionRef {
        list_id,
        version,
        checksum,
    }
}

/// A policy reference on the wire.
pub fn policy_to_pb(p: PolicyRef) -> pb::PolicyRef {
    let PolicyRef {
        version,
        party_review_threshold,
        party_near_exact_threshold,
    } = p;
    pb::PolicyRef {
        version,
        party_review_threshold,
        party_near_exact_threshold,
    }
}

/// The response for a stored screening (also what GetScreening returns as
/// `result`).
pub fn screening_response(r: ScreeningRecord) -> pb::ScreenShipmentResponse {
    let ScreeningRecord {
        screening_id,
        screened_at_unix_ms: _,
        shipment: _,
        outcome,
        engine_micros,
        case_id,
        engine_decision,
        suppressed,
        // Workflow inputs (priority), shown with the case.
        facts: _,
    } = r;
    let model::ScreeningOutcome {
        decision,
        findings,
        list_versions,
        policy,
        destination,
        rule,
    } = outcome;
    let mut findings: Vec<pb::Finding> = findings.into_iter().map(finding_to_pb).collect();
    for s in suppressed {
        if let Some(f) = findings.get_mut(s.index) {
            f.suppressed = true;
            f.suppressed_by = s.suppression_id.into_string();
            f.suppressed_by_case = s.case_id.into_string();
        }
    }
    pb::ScreenShipmentResponse {
        decision: decision_to_pb(decision).into(),
        unsuppressed_decision: decision_to_pb(engine_decision.unwrap_or(decision)).into(),
        findings,
        case_id: case_id.map(String::from).unwrap_or_default(),
        screening_id: screening_id.into_string(),
        list_versions: list_versions.into_iter().map(list_version_to_pb).collect(),
        policy: Some(policy_to_pb(policy)),
        engine_micros,
        destination: Some(destination_to_pb(destination)),
        rule: rule.map(|r| r.as_str().to_string()).unwrap_or_default(),
        // Set by the stream handler.
        index: 0,
        error: None,
    }
}

/// A stored screening as GetScreening returns it.
pub fn get_screening_response(mut r: ScreeningRecord) -> pb::GetScreeningResponse {
    let shipment = shipment_to_pb(std::mem::take(&mut r.shipment));
    let (screening_id, screened_at_unix_ms) = (r.screening_id.to_string(), r.screened_at_unix_ms);
    pb::GetScreeningResponse {
        screening_id,
        shipment: Some(shipment),
        result: Some(screening_response(r)),
        screened_at_unix_ms,
    }
}

/// A party match on the wire.
pub fn party_match_to_pb(m: PartyMatch) -> pb::PartyMatch {
    let PartyMatch {
        list_id,
        entry_id,
        entry_name,
        matched_name,
        score,
        near_exact,
        entry_kind,
        programs,
        // The explanation names the token pairs; the proto has no field for them.
        matched_terms: _,
        explanation,
    } = m;
    pb::PartyMatch {
        list_id,
        entry_id,
        entry_name,
        matched_name,
        score,
        explanation,
        near_exact,
        entry_type: entry_kind.as_str().to_string(),
        programs,
    }
}

/// An item match on the wire.
pub fn item_match_to_pb(m: ItemMatch) -> pb::ItemMatch {
    let ItemMatch {
        list_id,
        code,
        title,
        category,
        score,
        status,
        matched_terms,
        // The request's own words; ScreenItem answers with the terms instead.
        matched_text: _,
        explanation,
    } = m;
    pb::ItemMatch {
        list_id,
        entry_id: code,
        title,
        category: category.as_str().to_string(),
        score,
        matched_terms,
        explanation,
        status: status.as_str().to_string(),
    }
}

/// A list version's metadata as ListInfo.
pub fn list_info(m: &ListMeta) -> pb::ListInfo {
    let version_ref = list_version_to_pb(m.version_ref());
    let official = crate::lists::hygiene::is_official(m);
    let ListMeta {
        list_id,
        version,
        kind,
        format,
        entries,
        names,
        imported_at_unix_ms,
        author,
        reason,
        files,
        warnings,
        checksum: _, // carried by `ref`
        published,
        retired,
    } = m.clone();
    let source = format!(
        "{format}: {}",
        files
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    pb::ListInfo {
        list_id,
        version,
        kind: kind.as_str().to_string(),
        format,
        entries,
        names,
        imported_at_unix_ms,
        source,
        reason,
        author,
        files: files.into_iter().map(source_file_to_pb).collect(),
        warnings,
        r#ref: Some(version_ref),
        published,
        official,
        retired,
    }
}

fn source_file_to_pb(f: SourceFile) -> pb::SourceFile {
    let SourceFile {
        name,
        bytes,
        sha256,
    } = f;
    pb::SourceFile {
        name,
        bytes,
        sha256,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ScreeningOutcome;

    fn good_item() -> pb::Item {
        pb::Item {
            description: "Fibre optic gyro, bias stability 0.1 deg/h".into(),
            declared_code: "7A102".into(),
            quantity: 2.0,
            unit: "pcs".into(),
            parameters: HashMap::from([
                ("bias_stability_deg_h".to_string(), 0.1),
                ("axes".to_string(), 3.0),
            ]),
        }
    }

    fn good_shipment() -> pb::Shipment {
        pb::Shipment {
            reference: "PO-1".into(),
            exporter: "Kestrel Instruments Inc.".into(),
            items: vec![good_item()],
            parties: vec![pb::Party {
                role: pb::PartyRole::Consignee.into(),
                name: "Hokuriku Precision Devices K.K.".into(),
                address: "3-8-1 Minato\nKanazawa".into(),
                country: "JP".into(),
            }],
            destination_country: "JP".into(),
            end_use: "Laboratory use".into(),
        }
    }

    /// Applies `edit` to a valid shipment; the conversion must fail naming `field`.
    fn rejects(name: &str, edit: impl FnOnce(&mut pb::Shipment), field: &str) {
        let mut s = good_shipment();
        edit(&mut s);
        let err = shipment(s, "shipment").expect_err(name);
        match err {
            ApiError::Lib(crate::Error::InvalidArgument { field: f, message }) => {
                assert_eq!(f, field, "{name}: {message}")
            }
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn a_valid_shipment_converts_with_sorted_parameters() {
        let s = shipment(good_shipment(), "shipment").unwrap();
        assert_eq!(
            s.items[0].parameters,
            vec![
                ("axes".to_string(), 3.0),
                ("bias_stability_deg_h".to_string(), 0.1)
            ]
        );
        assert_eq!(s.parties[0].role, PartyRole::Consignee);
        assert_eq!(s.parties[0].address, "3-8-1 Minato\nKanazawa");
        // And back: the round trip loses nothing.
        assert_eq!(shipment_to_pb(s), good_shipment());
    }

    #[test]
    fn invalid_fields_are_named() {
        rejects(
            "blank party name",
            |s| s.parties[0].name = "  \t".into(),
            "shipment.parties[0].name",
        );
        rejects(
            "blank description",
            |s| s.items[0].description = String::new(),
            "shipment.items[0].description",
        );
        rejects(
            "unknown role",
            |s| s.parties[0].role = 42,
            "shipment.parties[0].role",
        );
        rejects(
            "negative quantity",
            |s| s.items[0].quantity = -1.0,
            "shipment.items[0].quantity",
        );
        rejects(
            "NaN quantity",
            |s| s.items[0].quantity = f64::NAN,
            "shipment.items[0].quantity",
        );
        rejects(
            "NaN parameter",
            |s| {
                s.items[0].parameters.insert("range_km".into(), f64::NAN);
            },
            "shipment.items[0].parameters[\"range_km\"]",
        );
        rejects(
            "infinite parameter",
            |s| {
                s.items[0]
                    .parameters
                    .insert("range_km".into(), f64::INFINITY);
            },
            "shipment.items[0].parameters[\"range_km\"]",
        );
        rejects(
            "bad parameter key",
            |s| {
                s.items[0].parameters.insert("Range km".into(), 1.0);
            },
            "shipment.items[0].parameters[\"Range km\"]",
        );
        rejects(
            "unknown parameter key",
            |s| {
                s.items[0]
                    .parameters
                    .insert("bias_stability_deg_hr".into(), 0.5);
            },
            "shipment.items[0].parameters[\"bias_stability_deg_hr\"]",
        );
        rejects(
            "negative range",
            |s| {
                s.items[0].parameters.insert("range_km".into(), -300.0);
            },
            "shipment.items[0].parameters[\"range_km\"]",
        );
        rejects(
            "purity over 100 %",
            |s| {
                s.items[0].parameters.insert("purity_pct".into(), 101.0);
            },
            "shipment.items[0].parameters[\"purity_pct\"]",
        );
        rejects(
            "a flag of 2",
            |s| {
                s.items[0].parameters.insert("slip_rings".into(), 2.0);
            },
            "shipment.items[0].parameters[\"slip_rings\"]",
        );
        rejects(
            "a name of many words",
            |s| s.parties[0].name = "al ".repeat(MAX_NAME_WORDS + 1),
            "shipment.parties[0].name",
        );
        rejects(
            "a name of one long word",
            |s| s.parties[0].name = "x".repeat(MAX_WORD_CHARS + 1),
            "shipment.parties[0].name",
        );
        rejects(
            "too many parameters",
            |s| {
                for i in 0..=MAX_PARAMETERS {
                    s.items[0].parameters.insert(format!("p{i}"), 1.0);
                }
            },
            "shipment.items[0].parameters",
        );
        rejects(
            "too many items",
            |s| s.items = vec![good_item(); MAX_ITEMS + 1],
            "shipment.items",
        );
        rejects(
            "too many parties",
            |s| s.parties = vec![s.parties[0].clone(); MAX_PARTIES + 1],
            "shipment.parties",
        );
        rejects(
            "long name",
            |s| s.parties[0].name = "x".repeat(MAX_TEXT + 1),
            "shipment.parties[0].name",
        );
        rejects(
            "control char",
            |s| s.reference = "PO\u{0}1".into(),
            "shipment.reference",
        );
        rejects(
            "C1 control char",
            |s| s.exporter = "A\u{85}B".into(),
            "shipment.exporter",
        );
        rejects(
            "long end use",
            |s| s.end_use = "x".repeat(MAX_END_USE + 1),
            "shipment.end_use",
        );
        rejects(
            "second item",
            |s| {
                let mut bad = good_item();
                bad.unit = "kg\u{7}".into();
                s.items.push(bad);
            },
            "shipment.items[1].unit",
        );
    }

    #[test]
    fn limits_are_inclusive_and_defaults_are_accepted() {
        let mut s = good_shipment();
        s.items = vec![good_item(); MAX_ITEMS];
        s.end_use = "x".repeat(MAX_END_USE);
        s.parties[0].role = 0;
        s.items[0].quantity = 0.0;
        s.items[0].parameters.insert("temperature_c".into(), -40.0);
        s.items[0].parameters.insert("purity_pct".into(), 100.0);
        s.parties[0].name = vec!["ab"; MAX_NAME_WORDS].join(" ");
        let out = shipment(s, "shipment").unwrap();
        assert!(party_name("w".repeat(MAX_WORD_CHARS), "n").is_ok());
        assert_eq!(out.items.len(), MAX_ITEMS);
        assert_eq!(out.parties[0].role, PartyRole::Unspecified);
    }

    #[test]
    fn what_real_names_contain_stays_valid() {
        // Zero-width non-joiner and joiner shape Persian and Indic names;
        // any script, tabs and line breaks in addresses are fine.
        for name in [
            "\u{645}\u{62d}\u{645}\u{62f}\u{200c}\u{631}\u{636}\u{627}",
            "\u{915}\u{94d}\u{200d}\u{937}\u{924}\u{94d}\u{930}\u{93f}\u{92f}",
            "\u{5317}\u{4eac}\u{822a}\u{5929}",
            "O'Brien-M\u{fc}ller & S\u{f6}hne GmbH",
            "Line one\nLine two\tand a tab",
        ] {
            assert_eq!(text(name.into(), "n", MAX_TEXT, true).unwrap(), name);
        }
        let mut s = good_shipment();
        s.parties[0].name = "\u{645}\u{62d}\u{645}\u{62f}\u{200c}\u{631}\u{636}\u{627}".into();
        assert!(shipment(s, "shipment").is_ok());
    }

    #[test]
    fn unknown_keys_are_refused_listing_the_accepted_ones() {
        let err = parameter("bias_stability_deg_hr", 1.0, "item.parameters").unwrap_err();
        let msg = tonic::Status::from(err).message().to_string();
        assert!(msg.contains("did you mean bias_stability_deg_h?"), "{msg}");
        for p in units::PARAMS {
            assert!(msg.contains(p.key), "{msg} lacks {}", p.key);
        }
        let err = parameter("range_km", -1.0, "item.parameters").unwrap_err();
        let msg = tonic::Status::from(err).message().to_string();
        assert!(msg.contains("must be at least 0 km, got -1"), "{msg}");
    }

    #[test]
    fn words_are_counted_in_any_script() {
        let count = |s: &str| name_words(s).count();
        assert_eq!(count("Kestrel Instruments, Inc."), 3);
        assert_eq!(count("  --  "), 0);
        // Marks stay inside their word (Devanagari virama, Arabic vowels).
        assert_eq!(
            count("\u{915}\u{94d}\u{937}\u{924}\u{94d}\u{930}\u{93f}\u{92f}"),
            1
        );
        assert_eq!(count("\u{5317}\u{4eac}\u{822a}\u{5929}"), 1);
    }

    #[test]
    fn the_error_message_names_the_field() {
        let err = text("a\u{1b}b".into(), "party.name", MAX_TEXT, true).unwrap_err();
        let msg = tonic::Status::from(err).message().to_string();
        assert!(
            msg.starts_with("party.name: control character U+001B"),
            "{msg}"
        );
    }

    #[test]
    fn screening_records_become_responses() {
        let r = ScreeningRecord {
            screening_id: "scr-1".into(),
            screened_at_unix_ms: 5,
            shipment: shipment(good_shipment(), "shipment").unwrap(),
            outcome: ScreeningOutcome {
                decision: Decision::Review,
                findings: vec![Finding {
                    kind: FindingKind::EndUse,
                    target: crate::model::Target::EndUse,
                    list_id: String::new(),
                    entry_id: String::new(),
                    entry_name: String::new(),
                    score: 1.0,
                    matched_text: "missile".into(),
                    matched_terms: vec!["missile".into()],
                    reason: "r".into(),
                    explanation: "e".into(),
                    decision: Decision::Review,
                    rule: "red_flags.missile".into(),
                    category: None,
                }],
                list_versions: vec![ListVersionRef {
                    list_id: "un-sc".into(),
                    version: 3,
                    checksum: "abc".into(),
                }],
                policy: PolicyRef {
                    version: "p".into(),
                    party_review_threshold: 0.8,
                    party_near_exact_threshold: 0.99,
                },
                ..ScreeningOutcome::default()
            },
            engine_micros: 42,
            case_id: Some("case-1".into()),
            engine_decision: Some(Decision::Prohibited),
            suppressed: vec![crate::cases::SuppressedFinding {
                index: 0,
                suppression_id: "sup-7".into(),
                case_id: "case-0".into(),
            }],
            facts: Default::default(),
        };
        let g = get_screening_response(r);
        let res = g.result.unwrap();
        assert_eq!(res.decision, pb::Decision::Review as i32);
        assert_eq!(res.case_id, "case-1");
        assert_eq!(res.screening_id, "scr-1");
        assert_eq!(res.engine_micros, 42);
        assert_eq!(res.findings[0].kind, pb::FindingKind::EndUse as i32);
        assert_eq!(res.findings[0].rule, "red_flags.missile");
        assert!(res.findings[0].suppressed);
        assert_eq!(res.findings[0].suppressed_by, "sup-7");
        assert_eq!(res.findings[0].suppressed_by_case, "case-0");
        assert_eq!(res.unsuppressed_decision, pb::Decision::Prohibited as i32);
        assert_eq!(res.list_versions[0].version, 3);
        assert_eq!(res.policy.unwrap().party_review_threshold, 0.8);
        assert_eq!(g.shipment.unwrap(), good_shipment());
        assert_eq!(g.screened_at_unix_ms, 5);
    }

    #[test]
    fn list_info_names_its_source_files() {
        let m = ListMeta {
            list_id: "ofac-sdn".into(),
            version: 2,
            kind: crate::model::ListKind::Denial,
            format: "ofac-sdn-csv".into(),
            files: vec![
                SourceFile {
                    name: "sdn.csv".into(),
                    bytes: 10,
                    sha256: "aa".into(),
                },
                SourceFile {
                    name: "alt.csv".into(),
                    bytes: 5,
                    sha256: "bb".into(),
                },
            ],
            checksum: "cc".into(),
            ..ListMeta::default()
        };
        let info = list_info(&m);
        assert_eq!(info.source, "ofac-sdn-csv: sdn.csv, alt.csv");
        assert_eq!(info.r#ref.unwrap().checksum, "cc");
        assert_eq!(info.files[1].bytes, 5);
    }
}
