//! Domain types shared by importers, engine, storage and API: list entries,
//! list versions, shipments, findings and decisions.
//!
//! These are plain data (serde-serialisable, no I/O). The protobuf types stay
//! in `api`; `api::convert` maps between the two at the edge.

use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------
// Denial lists

/// What kind of party a denial-list entry is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// The source does not say.
    #[default]
    Unknown,
    /// A natural person.
    Person,
    /// A company, organisation, government body or group.
    Organization,
    /// A ship.
    Vessel,
    /// An aircraft.
    Aircraft,
}

impl EntityKind {
    /// Lower-case name used in responses and files.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Unknown => "unknown",
            EntityKind::Person => "person",
            EntityKind::Organization => "organization",
            EntityKind::Vessel => "vessel",
            EntityKind::Aircraft => "aircraft",
        }
    }
}

/// How an entry carries a name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    /// The entry's primary name (always `names[0]`).
    #[default]
    Primary,
    /// A strong alias (OFAC a.k.a., UN alias of good quality).
    Alias,
    /// A weak or low-quality alias (OFAC "weak a.k.a.", UN quality "Low").
    WeakAlias,
    /// A former name (f.k.a.) or a new name (n.k.a.).
    FormerName,
    /// The name in its original, non-Latin script.
    OriginalScript,
}

/// One name of a denial-list entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EntryName {
    /// The name as the source writes it.
    pub name: String,
    /// Primary name, alias, weak alias ...
    pub kind: NameKind,
}

/// A postal address as the source gives it. Any part may be empty.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Address {
    /// Street, building, district.
    pub street: String,
    /// City or town.
    pub city: String,
    /// State, province or region.
    pub region: String,
    /// Postal code.
    pub postal_code: String,
    /// Country as the source writes it (a name, not necessarily an ISO code).
    pub country: String,
}

impl Address {
    /// The non-empty parts joined with ", ".
    pub fn one_line(&self) -> String {
        [
            &self.street,
            &self.city,
            &self.region,
            &self.postal_code,
            &self.country,
        ]
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim())
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// An identifier: passport, registration number, tax id, IMO number ...
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Identifier {
    /// What kind of identifier ("Passport", "IMO", "Tax ID No." ...).
    pub kind: String,
    /// The identifier itself.
    pub value: String,
    /// Issuing country as written, if known.
    pub country: String,
}

/// One entry of a denial list (a listed person, company, vessel or aircraft).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DenialEntry {
    /// The source's own identifier: SDN `ent_num`, UN `DATAID`, CSL `_id`,
    /// the 1-based data-row position for the BIS DPL.
    pub entry_id: String,
    /// Person, organisation, vessel, aircraft.
    pub kind: EntityKind,
    /// All names; `names[0]` is the primary name.
    pub names: Vec<EntryName>,
    /// Sanctions programmes or source lists (e.g. `NPWMD`, `IRAN`, `DPRK`).
    pub programs: Vec<String>,
    /// Known addresses.
    pub addresses: Vec<Address>,
    /// Countries of nationality, citizenship or incorporation, as written.
    pub countries: Vec<String>,
    /// Identifiers (passports, registration numbers ...).
    pub identifiers: Vec<Identifier>,
    /// Dates of birth as written.
    pub dates_of_birth: Vec<String>,
    /// Free-text remarks.
    pub remarks: String,
    /// The terms of an end-user listing as published (BIS Entity List,
    /// Unverified List, MEU List, CSL rows with licence columns): licence
    /// requirement, review policy, Federal Register citations. `None` for
    /// lists that publish none (SDN, UN, DPL ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listing: Option<ListingTerms>,
}

/// Which items an end-user listing's licence requirement covers, read from
/// the published requirement ("For all items subject to the EAR" ...).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenseScope {
    /// The listing states no licence requirement (Unverified List, MEU List
    /// rows, a hand-made entry).
    #[default]
    Unstated,
    /// "For all items subject to the EAR" (possibly with narrow exceptions).
    AllItems,
    /// Only some items ("items on the CCL", listed ECCNs, projects of
    /// § 746.8(a)(4) ...): a licence only when such an item is present.
    SomeItems,
}

impl LicenseScope {
    /// Lower-case name used in explanations.
    pub fn as_str(self) -> &'static str {
        match self {
            LicenseScope::Unstated => "unstated",
            LicenseScope::AllItems => "all_items",
            LicenseScope::SomeItems => "some_items",
        }
    }
}

/// The terms of an end-user listing, as the source publishes them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListingTerms {
    /// The licence requirement as written ("For all items subject to the EAR. (See § 744.11 of the EAR)").
    #[serde(default)]
    pub license_requirement: String,
    /// What the requirement covers.
    #[serde(default)]
    pub license_scope: LicenseScope,
    /// The licence review policy as written ("Presumption of denial").
    #[serde(default)]
    pub license_review_policy: String,
    /// Federal Register citations ("76 FR 71869, 11/21/11").
    #[serde(default)]
    pub federal_register: Vec<String>,
}

impl DenialEntry {
    /// The primary name (empty if the entry has none).
    pub fn primary_name(&self) -> &str {
        self.names.first().map(|n| n.name.as_str()).unwrap_or("")
    }
}

// ---------------------------------------------------------------------------
// Control lists

/// MTCR category of a control-list entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ControlCategory {
    /// Category I: complete systems and complete subsystems (strong presumption of denial).
    #[serde(rename = "I")]
    I,
    /// Category II: components, materials, equipment, software, technology.
    #[serde(rename = "II")]
    II,
}

impl ControlCategory {
    /// `I` or `II`.
    pub fn as_str(self) -> &'static str {
        match self {
            ControlCategory::I => "I",
            ControlCategory::II => "II",
        }
    }
}

/// Comparison used by a threshold condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
    /// value > limit
    #[serde(rename = ">")]
    Gt,
    /// value >= limit
    #[serde(rename = ">=")]
    Ge,
    /// value < limit
    #[serde(rename = "<")]
    Lt,
    /// value <= limit
    #[serde(rename = "<=")]
    Le,
}

impl Comparison {
    /// True when `value <op> limit` holds.
    pub fn holds(self, value: f64, limit: f64) -> bool {
        match self {
            Comparison::Gt => value > limit,
            Comparison::Ge => value >= limit,
            Comparison::Lt => value < limit,
            Comparison::Le => value <= limit,
        }
    }

    /// The operator as written in the control list.
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Gt => ">",
            Comparison::Ge => ">=",
            Comparison::Lt => "<",
            Comparison::Le => "<=",
        }
    }
}

/// One technical condition: `param <op> value` (e.g. `concentration_pct > 70`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    /// Canonical parameter key with the unit in its name (`range_km`, `flow_l_min` ...).
    pub param: String,
    /// Comparison.
    pub op: Comparison,
    /// Limit in the key's canonical unit.
    pub value: f64,
}

/// A set of conditions that must all hold for the entry to apply.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ThresholdRule {
    /// Short label for explanations ("servo valves", "Category I capability" ...).
    #[serde(default)]
    pub label: String,
    /// All must hold.
    pub all: Vec<Condition>,
}

/// A cross-reference from a national code (EU Annex I / US ECCN) to this entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NationalCode {
    /// e.g. `9A104`, `7A103.b`.
    pub code: String,
    /// Confirmed by a "SEE ALSO" or matching text; false for domain-knowledge mappings.
    #[serde(default)]
    pub confirmed: bool,
}

/// One entry of an MTCR-style control list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ControlEntry {
    /// Code exactly as numbered, e.g. `4.C.2.b`.
    pub code: String,
    /// Short title.
    pub title: String,
    /// Category I or II.
    pub category: ControlCategory,
    /// Plain-language note for officers.
    #[serde(default)]
    pub notes: String,
    /// Words or phrases naming the item; any one of them is an anchor.
    pub terms: Vec<String>,
    /// Context groups: every group needs at least one of its phrases in the
    /// description as well as an anchor term.
    #[serde(default)]
    pub context: Vec<Vec<String>>,
    /// Phrases that place goods outside the entry (civil certified, hobby ...).
    #[serde(default)]
    pub exclusions: Vec<String>,
    /// Threshold rules; the entry applies when any rule holds. Empty: the entry
    /// applies whenever it is named.
    #[serde(default)]
    pub rules: Vec<ThresholdRule>,
    /// National codes (EU Annex I / US ECCN) that cross-reference this entry.
    #[serde(default)]
    pub national_codes: Vec<NationalCode>,
}

// ---------------------------------------------------------------------------
// Lists and versions

/// What a list holds: denied parties or controlled items. A list's kind
/// never changes across its versions. Stored as `denial` / `control`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// Denied or restricted parties.
    #[default]
    Denial,
    /// Controlled items.
    Control,
}

impl ListKind {
    /// `denial` or `control`.
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Denial => "denial",
            ListKind::Control => "control",
        }
    }
}

impl std::fmt::Display for ListKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The content of one list version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "entries", rename_all = "snake_case")]
pub enum ListContent {
    /// Denied or restricted parties.
    Denial(Vec<DenialEntry>),
    /// Controlled items.
    Control(Vec<ControlEntry>),
}

impl ListContent {
    /// Denial or control.
    pub fn kind(&self) -> ListKind {
        match self {
            ListContent::Denial(_) => ListKind::Denial,
            ListContent::Control(_) => ListKind::Control,
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        match self {
            ListContent::Denial(e) => e.len(),
            ListContent::Control(e) => e.len(),
        }
    }

    /// True when the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of names (denial lists: all names and aliases; control lists: entries).
    pub fn name_count(&self) -> usize {
        match self {
            ListContent::Denial(e) => e.iter().map(|e| e.names.len()).sum(),
            ListContent::Control(e) => e.len(),
        }
    }
}

/// A source file of a list version.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceFile {
    /// File name as uploaded.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// sha256 of the content, hex.
    pub sha256: String,
}

/// Metadata of one list version.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListMeta {
    /// e.g. `ofac-sdn`, `mtcr`.
    pub list_id: String,
    /// 1, 2, 3 ... per list.
    pub version: u64,
    /// Denial or control.
    pub kind: ListKind,
    /// Import format name.
    pub format: String,
    /// Number of entries.
    pub entries: u32,
    /// Number of names (all names and aliases).
    pub names: u32,
    /// Unix time in milliseconds.
    pub imported_at_unix_ms: i64,
    /// Who imported it.
    pub author: String,
    /// Why.
    pub reason: String,
    /// Source files with checksums.
    pub files: Vec<SourceFile>,
    /// Importer warnings.
    pub warnings: Vec<String>,
    /// sha256 over the files' checksums, hex: identifies the content.
    pub checksum: String,
    /// Publication date as the source states it (`YYYY-MM-DD`), empty when
    /// it carries none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub published: String,
    /// Retired: kept for replay, no longer screened.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
}

impl ListMeta {
    /// The version reference recorded by screenings.
    pub fn version_ref(&self) -> ListVersionRef {
        ListVersionRef {
            list_id: self.list_id.clone(),
            version: self.version,
            checksum: self.checksum.clone(),
        }
    }
}

/// A list at one version (as recorded by screenings).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ListVersionRef {
    /// List id.
    pub list_id: String,
    /// Version number.
    pub version: u64,
    /// Content checksum.
    pub checksum: String,
}

// ---------------------------------------------------------------------------
// Shipments

/// Role of a party in a shipment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PartyRole {
    /// Not given.
    #[default]
    Unspecified,
    /// Receives the goods.
    Consignee,
    /// Uses the goods.
    EndUser,
    /// Receives the goods on their way.
    IntermediateConsignee,
    /// Moves the goods.
    FreightForwarder,
    /// Pays for the goods.
    Purchaser,
    /// Sends the goods.
    Exporter,
}

impl PartyRole {
    /// Roles whose listing makes a shipment PROHIBITED.
    pub fn is_receiving(self) -> bool {
        matches!(
            self,
            PartyRole::Consignee | PartyRole::EndUser | PartyRole::IntermediateConsignee
        )
    }

    /// Upper-case name (`END_USER` ...).
    pub fn as_str(self) -> &'static str {
        match self {
            PartyRole::Unspecified => "UNSPECIFIED",
            PartyRole::Consignee => "CONSIGNEE",
            PartyRole::EndUser => "END_USER",
            PartyRole::IntermediateConsignee => "INTERMEDIATE_CONSIGNEE",
            PartyRole::FreightForwarder => "FREIGHT_FORWARDER",
            PartyRole::Purchaser => "PURCHASER",
            PartyRole::Exporter => "EXPORTER",
        }
    }
}

/// A party to a shipment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Party {
    /// Role in the shipment.
    pub role: PartyRole,
    /// Name as sent.
    pub name: String,
    /// Address as sent (may be empty).
    pub address: String,
    /// Country as sent: ISO alpha-2 or a name (may be empty).
    pub country: String,
}

/// One line of a shipment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Free-text description.
    pub description: String,
    /// Declared code (MTCR, ECCN, HS ...), may be empty or wrong.
    pub declared_code: String,
    /// Quantity (0 when not given).
    pub quantity: f64,
    /// Unit of the quantity.
    pub unit: String,
    /// Technical parameters, canonical keys (`range_km` ...), sorted by key.
    pub parameters: Vec<(String, f64)>,
}

/// A proposed export shipment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Shipment {
    /// Exporter's reference.
    pub reference: String,
    /// Exporter id or name.
    pub exporter: String,
    /// Items.
    pub items: Vec<Item>,
    /// Parties (the exporter may be among them).
    pub parties: Vec<Party>,
    /// Destination country: ISO alpha-2 or a name.
    pub destination_country: String,
    /// Stated end use.
    pub end_use: String,
}

// ---------------------------------------------------------------------------
// Results

/// Decision on a shipment; the order is the strength (`Clear` weakest).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Decision {
    /// Nothing found.
    #[default]
    Clear,
    /// A person must look at it.
    Review,
    /// A controlled item: licence required.
    LicenseRequired,
    /// A listed receiving party, or a controlled item to an embargoed destination.
    Prohibited,
}

impl Decision {
    /// Upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Clear => "CLEAR",
            Decision::Review => "REVIEW",
            Decision::LicenseRequired => "LICENSE_REQUIRED",
            Decision::Prohibited => "PROHIBITED",
        }
    }
}

/// What a finding points at: a party or an item of the shipment (0-based
/// indices as sent), the destination or the stated end use.
///
/// Written `party:<i>`, `item:<i>`, `destination`, `end_use` on the wire
/// and in stored JSON (serde uses the same text), so earlier records stay
/// readable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// The destination (country, region, country group).
    Destination,
    /// The stated end use.
    EndUse,
    /// `items[i]`.
    Item(usize),
    /// `parties[i]` (the exporter included).
    Party(usize),
}

impl Target {
    /// The party index, for a party target.
    pub fn party(self) -> Option<usize> {
        match self {
            Target::Party(i) => Some(i),
            Target::Destination | Target::EndUse | Target::Item(_) => None,
        }
    }

    /// The item index, for an item target.
    pub fn item(self) -> Option<usize> {
        match self {
            Target::Item(i) => Some(i),
            Target::Destination | Target::EndUse | Target::Party(_) => None,
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Destination => f.write_str("destination"),
            Target::EndUse => f.write_str("end_use"),
            Target::Item(i) => write!(f, "item:{i}"),
            Target::Party(i) => write!(f, "party:{i}"),
        }
    }
}

/// A target text that is none of `party:<i>`, `item:<i>`, `destination`, `end_use`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a finding target (party:<i>, item:<i>, destination or end_use)")]
pub struct TargetParseError(pub String);

impl std::str::FromStr for Target {
    type Err = TargetParseError;

    fn from_str(s: &str) -> Result<Target, TargetParseError> {
        let bad = || TargetParseError(s.to_string());
        let index = |rest: &str| rest.parse::<usize>().map_err(|_| bad());
        match s {
            "destination" => Ok(Target::Destination),
            "end_use" => Ok(Target::EndUse),
            _ => {
                if let Some(rest) = s.strip_prefix("party:") {
                    index(rest).map(Target::Party)
                } else if let Some(rest) = s.strip_prefix("item:") {
                    index(rest).map(Target::Item)
                } else {
                    Err(bad())
                }
            }
        }
    }
}

impl Serialize for Target {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Target, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// What a finding concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FindingKind {
    /// An item matched a control-list entry.
    Item,
    /// A party matched a denial-list entry or a party rule fired.
    Party,
    /// A destination rule fired.
    Destination,
    /// An end-use red flag.
    EndUse,
}

/// One piece of evidence behind a decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Item, party, destination or end use.
    pub kind: FindingKind,
    /// What the finding points at (`party:<i>`, `item:<i>`, `destination`, `end_use`).
    pub target: Target,
    /// Cited list (empty for configuration rules).
    pub list_id: String,
    /// Cited entry (empty for configuration rules).
    pub entry_id: String,
    /// Name or title of the cited entry.
    pub entry_name: String,
    /// Strength in [0, 1].
    pub score: f64,
    /// Words of the request that matched.
    pub matched_text: String,
    /// Terms or tokens that matched.
    pub matched_terms: Vec<String>,
    /// One sentence.
    pub reason: String,
    /// Token pairing, thresholds, score adjustments.
    pub explanation: String,
    /// The decision this finding alone leads to.
    pub decision: Decision,
    /// The decision rule that made the finding, with the configuration it
    /// rests on (`listed_party:ofac-sdn`, `embargoed_destination:embargoed`).
    pub rule: String,
    /// MTCR category of the cited control-list entry (item findings and the
    /// destination findings that cite an item).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<ControlCategory>,
}

/// Thresholds and configuration a screening used.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicyRef {
    /// Hash of the configuration files.
    pub version: String,
    /// Party review threshold.
    pub party_review_threshold: f64,
    /// Score at or above which a party match counts as near-exact.
    pub party_near_exact_threshold: f64,
}

/// The decision rules of the engine (`crates/engine/src/decision/rules.rs`),
/// selected by `policy.toml` `[rules] active`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleId {
    /// A party matches a list entry; the consequence comes from the list's policy.
    ListedParty,
    /// A party's address is in a city of an embargoed country it does not declare.
    PartyAddressEmbargoed,
    /// A receiving party declares an embargoed country the goods do not go to.
    ReceivingPartyEmbargoed,
    /// An item is controlled (or may be).
    ControlledItem,
    /// Goods go to an embargoed destination (declared or ultimate).
    EmbargoedDestination,
    /// Goods go to a sanctioned region (Crimea ...), read from an address.
    SanctionedRegion,
    /// The goods are declared for one country and end up in another of concern.
    Diversion,
    /// A controlled-adjacent item goes to a transshipment hub.
    HubAdjacentItem,
    /// A missile, rocket or UAV end use in a missile-concern country (EAR 744.3).
    CatchAll,
    /// Red-flag terms in the stated end use.
    EndUseRedFlags,
    /// A freight forwarder as the only receiving party.
    ForwarderAsFinalConsignee,
}

impl RuleId {
    /// Every rule, in table order.
    pub const ALL: [RuleId; 11] = [
        RuleId::ListedParty,
        RuleId::PartyAddressEmbargoed,
        RuleId::ReceivingPartyEmbargoed,
        RuleId::ControlledItem,
        RuleId::EmbargoedDestination,
        RuleId::SanctionedRegion,
        RuleId::Diversion,
        RuleId::HubAdjacentItem,
        RuleId::CatchAll,
        RuleId::EndUseRedFlags,
        RuleId::ForwarderAsFinalConsignee,
    ];

    /// The name used in `policy.toml` and in findings (`listed_party` ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::ListedParty => "listed_party",
            RuleId::PartyAddressEmbargoed => "party_address_embargoed",
            RuleId::ReceivingPartyEmbargoed => "receiving_party_embargoed",
            RuleId::ControlledItem => "controlled_item",
            RuleId::EmbargoedDestination => "embargoed_destination",
            RuleId::SanctionedRegion => "sanctioned_region",
            RuleId::Diversion => "diversion",
            RuleId::HubAdjacentItem => "hub_adjacent_item",
            RuleId::CatchAll => "catch_all",
            RuleId::EndUseRedFlags => "end_use_red_flags",
            RuleId::ForwarderAsFinalConsignee => "forwarder_as_final_consignee",
        }
    }
}

/// Where the ultimate destination was read from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum UltimateBasis {
    /// The end user's country (`party` is its index).
    EndUser {
        /// Index of the party.
        party: usize,
    },
    /// The consignee's country (no end user gave one).
    Consignee {
        /// Index of the party.
        party: usize,
    },
    /// The declared `destination_country` (no end user or consignee gave a country).
    Declared,
    /// Nothing resolvable.
    #[default]
    Unknown,
}

impl UltimateBasis {
    /// Words for explanations: `end user`, `consignee`, `declared`.
    pub fn label(self) -> &'static str {
        match self {
            UltimateBasis::EndUser { .. } => "end user",
            UltimateBasis::Consignee { .. } => "consignee",
            UltimateBasis::Declared => "declared",
            UltimateBasis::Unknown => "unknown",
        }
    }

    /// The party the ultimate destination was read from.
    pub fn party(self) -> Option<usize> {
        match self {
            UltimateBasis::EndUser { party } | UltimateBasis::Consignee { party } => Some(party),
            UltimateBasis::Declared | UltimateBasis::Unknown => None,
        }
    }
}

/// A sanctioned region (Crimea ...) named in a receiving party's address.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RegionFact {
    /// Region id as `policy.toml` names it (`crimea`).
    pub id: String,
    /// Display name ("Crimea region of Ukraine").
    pub name: String,
    /// ISO code of the country the region is in.
    pub country: String,
    /// Index of the party whose address names it.
    pub party: usize,
    /// The place found (`Sevastopol`) and the words of the address that matched.
    pub place: String,
    /// The words of the address that matched.
    pub matched_text: String,
}

/// Which destination an embargo applies to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmbargoBasis {
    /// The ultimate destination (and maybe the declared one too).
    #[default]
    Ultimate,
    /// Only the declared destination.
    Declared,
}

/// An embargo group a destination of the shipment is in.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EmbargoFact {
    /// ISO code of the embargoed country.
    pub country: String,
    /// The group (`embargoed`) of `policy.toml` `destination.embargo_groups`.
    pub group: String,
    /// Declared or ultimate destination.
    pub basis: EmbargoBasis,
}

/// Where the goods go, resolved once by the engine: the rules and the case
/// workflow read these facts instead of computing them again.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DestinationFacts {
    /// `destination_country` as an ISO code, when known.
    pub declared: Option<String>,
    /// The ultimate destination: the end user's country, else the
    /// consignee's, else the declared destination (ISO code).
    pub ultimate: Option<String>,
    /// Where `ultimate` was read from.
    pub basis: UltimateBasis,
    /// True when the ultimate country came from a gazetteer place in the
    /// party's address (the party declared no country).
    pub from_address: bool,
    /// Country groups (`countries.toml`) the ultimate destination is in.
    pub groups: Vec<String>,
    /// The embargo the declared or ultimate destination falls under.
    pub embargo: Option<EmbargoFact>,
    /// A sanctioned region named in a consignee's or end user's address.
    pub region: Option<RegionFact>,
}

impl DestinationFacts {
    /// True when the goods go to an embargoed country or a sanctioned region.
    pub fn embargoed(&self) -> bool {
        self.embargo.is_some() || self.region.is_some()
    }

    /// "declared destination TR, ultimate destination IR (end user)".
    pub fn describe(&self) -> String {
        use std::fmt::Write as _;
        let declared = self.declared.as_deref().unwrap_or("not given");
        // Pushed piece by piece: this runs for several findings of most
        // shipments, and the formatter costs more than the copies.
        let mut out = String::with_capacity(96);
        out.push_str("declared destination ");
        out.push_str(declared);
        match (&self.ultimate, &self.region) {
            (_, Some(r)) => {
                out.push_str(", ultimate destination ");
                out.push_str(&r.name);
                out.push_str(" (");
                out.push_str(&r.country);
                out.push_str(", ");
                out.push_str(&r.place);
                let _ = write!(out, " of party {})", r.party);
            }
            (Some(u), None) => {
                out.push_str(", ultimate destination ");
                out.push_str(u);
                out.push_str(" (");
                out.push_str(self.basis.label());
                if self.from_address {
                    out.push_str(", from its address");
                }
                out.push(')');
            }
            (None, None) => out.push_str(", ultimate destination unknown"),
        }
        out
    }
}

/// The engine's answer for one shipment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScreeningOutcome {
    /// Strongest applicable decision.
    pub decision: Decision,
    /// All findings, strongest first.
    pub findings: Vec<Finding>,
    /// List versions used.
    pub list_versions: Vec<ListVersionRef>,
    /// Policy used.
    pub policy: PolicyRef,
    /// Where the goods go (declared and ultimate destination, groups,
    /// embargo, sanctioned region), as the rules used it.
    #[serde(default)]
    pub destination: DestinationFacts,
    /// The rule behind the decision (the strongest finding's); `None` when CLEAR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<RuleId>,
}
