//! The UN Security Council consolidated list (`consolidated.xml`), read as a
//! stream with quick-xml.
//!
//! `INDIVIDUALS/INDIVIDUAL` become persons, `ENTITIES/ENTITY` organisations;
//! `DATAID` is the entry id. An individual's primary name is `FIRST_NAME`
//! .. `FOURTH_NAME` joined with spaces; an entity's is `FIRST_NAME`. Alias
//! `QUALITY` `Low` gives a weak alias, `f.k.a.` a former name, anything else
//! (`Good`, `a.k.a.`, empty) an alias; empty aliases (`<ALIAS_NAME/>`) are
//! skipped. `NAME_ORIGINAL_SCRIPT` (Arabic, Cyrillic, Chinese ...) is kept as
//! written. `UN_LIST_TYPE` is the programme, `COMMENTS1` the remarks, and
//! `REFERENCE_NUMBER` (`QDi.001`) an identifier.
//!
//! Errors name the line of the offending element; a file that ends with
//! elements still open (a truncated download) is rejected.

use std::collections::HashMap;

use quick_xml::events::Event;

use crate::model::{Address, DenialEntry, EntityKind, Identifier, ListContent, NameKind};

use super::entry::push_name;
use super::text::{Fallback, clean, clean_owned, decode, push_unique};
use super::xml::{Lines, resolve};
use super::{ImportError, ImportOptions, Imported, ListFormat, SourceData, pick_single};

const FORMAT: &str = "un-sc-xml";

/// The child elements of one group (`INDIVIDUAL_ALIAS`, `..._ADDRESS` ...),
/// as (name, text) pairs in order.
#[derive(Default)]
struct Group {
    fields: Vec<(String, String)>,
}

impl Group {
    fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One entry while its elements are read.
struct Builder {
    line: u64,
    element: &'static str,
    depth: usize,
    data_id: String,
    name_parts: [String; 4],
    aliases: Vec<(String, NameKind)>,
    original_script: Vec<String>,
    entry: DenialEntry,
    group: Group,
}

impl Builder {
    fn new(element: &'static str, kind: EntityKind, line: u64, depth: usize) -> Self {
        Builder {
            line,
            element,
            depth,
            data_id: String::new(),
            name_parts: Default::default(),
            aliases: Vec::new(),
            original_script: Vec::new(),
            entry: DenialEntry {
                kind,
                ..DenialEntry::default()
            },
            group: Group::default(),
        }
    }

    /// A direct child of the entry ended.
    fn field(&mut self, name: &str, text: &str) {
        let value = clean(text);
        match name {
            "DATAID" => self.data_id = value.into_owned(),
            "FIRST_NAME" => self.name_parts[0] = value.into_owned(),
            "SECOND_NAME" => self.name_parts[1] = value.into_owned(),
            "THIRD_NAME" => self.name_parts[2] = value.into_owned(),
            "FOURTH_NAME" => self.name_parts[3] = value.into_owned(),
            "NAME_ORIGINAL_SCRIPT" if !value.is_empty() => {
                self.original_script.push(value.into_owned());
            }
            "UN_LIST_TYPE" => push_unique(&mut self.entry.programs, &value),
            "COMMENTS1" => self.entry.remarks = value.into_owned(),
            "REFERENCE_NUMBER" if !value.is_empty() => self.entry.identifiers.push(Identifier {
                kind: "UN Reference Number".to_string(),
                value: value.into_owned(),
                country: String::new(),
            }),
            "NATIONALITY" => {
                // `na` (not available) is a placeholder, not a country.
                for v in self.group.all("VALUE") {
                    if !v.eq_ignore_ascii_case("na") && !v.eq_ignore_ascii_case("n/a") {
                        push_unique(&mut self.entry.countries, v);
                    }
                }
            }
            "INDIVIDUAL_ALIAS" | "ENTITY_ALIAS" => {
                let alias = self.group.get("ALIAS_NAME");
                if !alias.is_empty() {
                    let kind = match self.group.get("QUALITY").to_ascii_lowercase().as_str() {
                        "low" => NameKind::WeakAlias,
                        "f.k.a." | "fka" => NameKind::FormerName,
                        _ => NameKind::Alias,
                    };
                    self.aliases.push((alias.to_string(), kind));
                }
            }
            "INDIVIDUAL_ADDRESS" | "ENTITY_ADDRESS" => {
                let g = &self.group;
                let address = Address {
                    street: g.get("STREET").to_string(),
                    city: g.get("CITY").to_string(),
                    region: g.get("STATE_PROVINCE").to_string(),
                    postal_code: g.get("ZIP_CODE").to_string(),
                    country: g.get("COUNTRY").to_string(),
                };
                if !address.one_line().is_empty() {
                    self.entry.addresses.push(address);
                }
            }
            "INDIVIDUAL_DATE_OF_BIRTH" => {
                if let Some(date) = date_of_birth(&self.group) {
                    push_unique(&mut self.entry.dates_of_birth, &date);
                }
            }
            "INDIVIDUAL_DOCUMENT" => {
                let g = &self.group;
                let number = g.get("NUMBER");
                if !number.is_empty() {
                    let kind = match (g.get("TYPE_OF_DOCUMENT"), g.get("TYPE_OF_DOCUMENT2")) {
                        ("", "") => "Document".to_string(),
                        (t, "") | ("", t) => t.to_string(),
                        (t, t2) => format!("{t} ({t2})"),
                    };
                    let country = match g.get("ISSUING_COUNTRY") {
                        "" => g.get("COUNTRY_OF_ISSUE"),
                        c => c,
                    };
                    self.entry.identifiers.push(Identifier {
                        kind,
                        value: number.to_string(),
                        country: country.to_string(),
                    });
                }
            }
            _ => {}
        }
    }

    fn finish(mut self, file: &str) -> Result<(String, DenialEntry), ImportError> {
        if self.data_id.is_empty() {
            return Err(ImportError::malformed(
                file,
                self.line,
                format!("{} without a DATAID", self.element),
            ));
        }
        let primary = self
            .name_parts
            .iter()
            .filter(|p| !p.is_empty())
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ");
        if primary.is_empty() {
            return Err(ImportError::malformed(
                file,
                self.line,
                format!("{} {} has no name", self.element, self.data_id),
            ));
        }
        self.entry.entry_id = self.data_id.clone();
        push_name(&mut self.entry, &primary, NameKind::Primary);
        for (alias, kind) in &self.aliases {
            push_name(&mut self.entry, alias, *kind);
        }
        for name in &self.original_script {
            push_name(&mut self.entry, name, NameKind::OriginalScript);
        }
        Ok((self.data_id, self.entry))
    }
}

/// `1962-03-07`, `1948`, `circa 1944` or `1960-1962`.
fn date_of_birth(g: &Group) -> Option<String> {
    let approx = g.get("TYPE_OF_DATE").eq_ignore_ascii_case("APPROXIMATELY");
    let date = match (g.get("DATE"), g.get("YEAR")) {
        ("", "") => match (g.get("FROM_YEAR"), g.get("TO_YEAR")) {
            ("", "") => return None,
            (from, "") | ("", from) => from.to_string(),
            (from, to) => format!("{from}-{to}"),
        },
        ("", year) => year.to_string(),
        (date, _) => date.to_string(),
    };
    Some(if approx {
        format!("circa {date}")
    } else {
        date
    })
}

/// `un-sc-xml`.
pub(crate) struct UnScXml;

impl ListFormat for UnScXml {
    fn name(&self) -> &'static str {
        FORMAT
    }
    fn files(&self) -> &'static str {
        "one .xml file (consolidated.xml)"
    }
    fn import(&self, files: &[SourceData], _: &ImportOptions) -> Result<Imported, ImportError> {
        import(files)
    }
}

/// Imports the UN consolidated list.
pub(crate) fn import(files: &[SourceData]) -> Result<Imported, ImportError> {
    let file = pick_single(FORMAT, files, &["xml"], "consolidated.xml")?;
    let name = file.name.as_str();
    let mut warnings = Vec::new();
    let text = decode(name, &file.data, Fallback::Reject, &mut warnings)?;
    let mut lines = Lines::new(text.as_bytes());
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut stack: Vec<(String, u64)> = Vec::new();
    let mut buf = String::new();
    let mut current: Option<Builder> = None;
    let mut entries: Vec<DenialEntry> = Vec::new();
    let mut ids: HashMap<String, u64> = HashMap::new();

    loop {
        let before = reader.buffer_position();
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let line = lines.at(reader.error_position());
                return Err(ImportError::malformed(name, line, format!("bad XML: {e}")));
            }
        };
        let (start, end) = match &event {
            Event::Start(e) => (Some(e.local_name()), None),
            Event::Empty(e) => (Some(e.local_name()), Some(e.local_name())),
            Event::End(e) => (None, Some(e.local_name())),
            Event::Text(t) => {
                buf.push_str(&t.xml10_content());
                (None, None)
            }
            Event::CData(t) => {
                buf.push_str(&t.xml10_content());
                (None, None)
            }
            Event::GeneralRef(r) => {
                let Some(c) = resolve(r) else {
                    let line = lines.at(before);
                    return Err(ImportError::malformed(
                        name,
                        line,
                        format!("unknown entity reference &{};", r.as_ref()),
                    ));
                };
                buf.push(c);
                (None, None)
            }
            Event::Eof => break,
            _ => (None, None),
        };
        if let Some(element) = start {
            let element = element.as_ref().to_string();
            let line = lines.at(before);
            let parent = stack.last().map_or("", |(n, _)| n.as_str());
            let kind = match (parent, element.as_str()) {
                ("INDIVIDUALS", "INDIVIDUAL") => Some(("INDIVIDUAL", EntityKind::Person)),
                ("ENTITIES", "ENTITY") => Some(("ENTITY", EntityKind::Organization)),
                _ => None,
            };
            if let Some((tag, kind)) = kind {
                if current.is_some() {
                    return Err(ImportError::malformed(
                        name,
                        line,
                        format!("<{tag}> inside another entry"),
                    ));
                }
                current = Some(Builder::new(tag, kind, line, stack.len()));
            } else if let Some(b) = current.as_mut() {
                if stack.len() == b.depth + 1 {
                    // A direct child of the entry starts: a new group.
                    b.group.fields.clear();
                }
            }
            stack.push((element, line));
            buf.clear();
        }
        if let Some(element) = end {
            let Some((open, _)) = stack.pop() else {
                return Err(ImportError::malformed(
                    name,
                    lines.at(before),
                    "closing tag without an opening tag",
                ));
            };
            if open != element.as_ref() {
                return Err(ImportError::malformed(
                    name,
                    lines.at(before),
                    format!("</{}> closes <{open}>", element.as_ref()),
                ));
            }
            let depth = stack.len();
            let entry_depth = current.as_ref().map(|b| b.depth);
            if let Some(b) = current.as_mut() {
                if depth == b.depth + 2 {
                    b.group.fields.push((open, clean_owned(&buf)));
                } else if depth == b.depth + 1 {
                    b.field(&open, &buf);
                }
            }
            if entry_depth == Some(depth) {
                if let Some(b) = current.take() {
                    let line = b.line;
                    let (id, entry) = b.finish(name)?;
                    if let Some(first) = ids.insert(id.clone(), line) {
                        return Err(ImportError::malformed(
                            name,
                            line,
                            format!("DATAID {id} appears twice (first on line {first})"),
                        ));
                    }
                    entries.push(entry);
                }
            }
            buf.clear();
        }
    }
    if let Some((open, line)) = stack.last() {
        let last = lines.at(text.len() as u64);
        return Err(ImportError::malformed(
            name,
            *line,
            format!("<{open}> is never closed: the file ends at line {last} (truncated?)"),
        ));
    }
    if entries.is_empty() {
        return Err(ImportError::Empty {
            file: file.name.clone(),
        });
    }
    Ok(Imported {
        content: ListContent::Denial(entries),
        warnings,
    })
}
