//! List versions: metadata and content per version, the current version of
//! each list, how each version came to be ([`VersionChange`]) and what the
//! re-screening after it found ([`RescreenSummary`]). A version is written
//! in one transaction over the list trees, so it is either wholly there or
//! not at all. Versions are never changed or deleted; every version's full
//! content is kept (start-up reads only the current ones).

use std::sync::Arc;

use sled::Transactional;
use sled::transaction::ConflictableTransactionError::Abort;

use serde::{Deserialize, Serialize};

use super::{Store, StoreError, decode, encode, keys, tx_error};
use crate::engine::LoadedList;
use crate::model::{ListContent, ListMeta};

/// How a list version came to be, recorded with it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionChange {
    /// `import`, `seed`, `refresh`, `entry.add`, `entry.update` or
    /// `entry.remove`.
    pub origin: String,
    /// The entry edited by hand (edits only).
    #[serde(default)]
    pub entry_id: String,
    /// The version this one replaced (0 for a list's first version).
    pub previous_version: u64,
    /// Entries added against the previous version.
    pub added: u32,
    /// Entries removed against the previous version.
    pub removed: u32,
    /// Entries changed against the previous version.
    pub changed: u32,
}

/// What re-screening the stored screenings after a denial-list change found.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RescreenSummary {
    /// List id.
    pub list_id: String,
    /// The new version.
    pub version: u64,
    /// Added and changed entries the screenings were checked against.
    pub entries_checked: u32,
    /// Screenings in the look-back window.
    pub screenings_checked: u64,
    /// Distinct (name, country) parties searched.
    pub parties_checked: u64,
    /// Screenings a full check confirmed (candidates of the quick pass).
    pub candidates: u64,
    /// Cases opened because of the change.
    pub case_ids: Vec<String>,
    /// Screenings that gained a case.
    pub screening_ids: Vec<String>,
    /// Look-back window in days.
    pub lookback_days: u32,
    /// Unix time in milliseconds when it finished.
    pub finished_at_unix_ms: i64,
    /// How long it took.
    pub millis: u64,
    /// Why it failed, if it did (empty on success).
    #[serde(default)]
    pub error: String,
}

impl Store {
    /// Ids of every stored list, sorted.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    pub fn list_ids(&self) -> Result<Vec<String>, StoreError> {
        self.lists
            .iter()
            .keys()
            .map(|k| {
                let k = k?;
                String::from_utf8(k.to_vec()).map_err(|_| StoreError::Corrupt {
                    key: keys::printable(&k),
                    message: "list id is not UTF-8".into(),
                })
            })
            .collect()
    }

    /// The current version number of a list, `None` when the list was never
    /// imported.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    pub fn current_version(&self, list_id: &str) -> Result<Option<u64>, StoreError> {
        match self.lists.get(list_id.as_bytes())? {
            None => Ok(None),
            Some(v) => Ok(Some(decode_version(list_id.as_bytes(), &v)?)),
        }
    }

    /// The highest version number stored for a list (0 when none): the next
    /// version is this plus one.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    pub fn latest_version(&self, list_id: &str) -> Result<u64, StoreError> {
        let Some(last) = self
            .versions
            .scan_prefix(keys::version_prefix(list_id))
            .keys()
            .next_back()
        else {
            return Ok(0);
        };
        let last = last?;
        keys::parse_version_key(&last)
            .map(|(_, v)| v)
            .ok_or_else(|| StoreError::Corrupt {
                key: keys::printable(&last),
                message: "malformed list version key".into(),
            })
    }

    /// Metadata of one list version.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the version does not exist.
    pub fn list_meta(&self, list_id: &str, version: u64) -> Result<ListMeta, StoreError> {
        let key = keys::version_key(list_id, version);
        match self.versions.get(&key)? {
            Some(v) => decode(&key, &v),
            None => Err(StoreError::NotFound {
                what: "list version",
                id: format!("{list_id}@{version}"),
            }),
        }
    }

    /// Metadata of every version of a list, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read or a value is corrupt.
    pub fn list_history(&self, list_id: &str) -> Result<Vec<ListMeta>, StoreError> {
        self.versions
            .scan_prefix(keys::version_prefix(list_id))
            .map(|kv| {
                let (k, v) = kv?;
                decode(&k, &v)
            })
            .collect()
    }

    /// Content of one list version.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the version does not exist.
    pub fn list_content(&self, list_id: &str, version: u64) -> Result<ListContent, StoreError> {
        let key = keys::version_key(list_id, version);
        match self.contents.get(&key)? {
            Some(v) => decode(&key, &v),
            None => Err(StoreError::NotFound {
                what: "list content",
                id: format!("{list_id}@{version}"),
            }),
        }
    }

    /// The current version of every list with its content, sorted by list
    /// id: what the engine is built from at start-up.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read; [`StoreError::Corrupt`]
    /// when a current version's metadata or content is missing or damaged.
    pub fn load_current_lists(&self) -> Result<Vec<LoadedList>, StoreError> {
        let mut out = Vec::new();
        for kv in self.lists.iter() {
            let (k, v) = kv?;
            let list_id = String::from_utf8(k.to_vec()).map_err(|_| StoreError::Corrupt {
                key: keys::printable(&k),
                message: "list id is not UTF-8".into(),
            })?;
            let version = decode_version(&k, &v)?;
            let missing = |e: StoreError| match e {
                StoreError::NotFound { what, id } => StoreError::Corrupt {
                    key: id,
                    message: format!("the current {what} is missing"),
                },
                other => other,
            };
            let meta = self.list_meta(&list_id, version).map_err(missing)?;
            let content = self.list_content(&list_id, version).map_err(missing)?;
            out.push(LoadedList {
                meta,
                content: Arc::new(content),
            });
        }
        Ok(out)
    }

    /// How a version came to be; `None` for versions stored without a
    /// record (written before records were kept, or by tests).
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read or the record is corrupt.
    pub fn version_change(
        &self,
        list_id: &str,
        version: u64,
    ) -> Result<Option<VersionChange>, StoreError> {
        let key = keys::version_key(list_id, version);
        match self.changes.get(&key)? {
            Some(v) => Ok(Some(decode(&key, &v)?)),
            None => Ok(None),
        }
    }

    /// Records the result of the re-screening after a version (replacing an
    /// earlier record of the same version).
    ///
    /// # Errors
    /// [`StoreError`] when the write fails.
    pub fn put_rescreen(&self, summary: &RescreenSummary) -> Result<(), StoreError> {
        let key = keys::version_key(&summary.list_id, summary.version);
        self.rescreens
            .insert(key, encode("re-screening summary", summary)?)?;
        Ok(())
    }

    /// The re-screening record of a version, if it ran.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read or the record is corrupt.
    pub fn rescreen(
        &self,
        list_id: &str,
        version: u64,
    ) -> Result<Option<RescreenSummary>, StoreError> {
        let key = keys::version_key(list_id, version);
        match self.rescreens.get(&key)? {
            Some(v) => Ok(Some(decode(&key, &v)?)),
            None => Ok(None),
        }
    }

    /// Fails with [`StoreError::KindChanged`] when `list_id` exists with
    /// another kind than `kind` (`denial` or `control`): a list's kind never
    /// changes. Lets callers refuse an import before doing expensive work;
    /// [`Store::put_list_version`] checks again inside its transaction.
    ///
    /// # Errors
    /// [`StoreError::KindChanged`], or a read failure.
    pub fn check_kind(&self, list_id: &str, kind: &str) -> Result<(), StoreError> {
        match self.current_version(list_id)? {
            None => Ok(()),
            Some(v) => {
                let current = self.list_meta(list_id, v)?;
                if current.kind == kind {
                    Ok(())
                } else {
                    Err(StoreError::KindChanged {
                        list_id: list_id.to_string(),
                        current: current.kind,
                        new: kind.to_string(),
                    })
                }
            }
        }
    }

    /// Writes a new version of a list (metadata and content) and makes it
    /// the current one, atomically. Call [`Store::flush`] before
    /// acknowledging it.
    ///
    /// `meta.version` must be above every stored version of the list (use
    /// [`Store::latest_version`] + 1), and `meta.kind`, `meta.entries` and
    /// `meta.names` must agree with `content`.
    ///
    /// # Errors
    /// [`StoreError::InvalidListId`], [`StoreError::InvalidVersion`] when
    /// the metadata disagrees with the content or the version is not new,
    /// [`StoreError::VersionExists`], [`StoreError::KindChanged`], or a
    /// write failure. Nothing is written on error.
    pub fn put_list_version(
        &self,
        meta: &ListMeta,
        content: &ListContent,
    ) -> Result<(), StoreError> {
        self.put_list_versions(&[(meta, content)])
    }

    /// Writes new versions of several different lists in one transaction:
    /// all of them or none. See [`Store::put_list_version`].
    ///
    /// # Errors
    /// As [`Store::put_list_version`]; also [`StoreError::InvalidVersion`]
    /// when a list appears twice.
    pub fn put_list_versions(
        &self,
        versions: &[(&ListMeta, &ListContent)],
    ) -> Result<(), StoreError> {
        let with: Vec<(&ListMeta, &ListContent, Option<&VersionChange>)> =
            versions.iter().map(|(m, c)| (*m, *c, None)).collect();
        self.put_list_versions_with(&with)
    }

    /// [`Store::put_list_versions`], recording with each version how it came
    /// to be (import or edit, and what changed against the previous one).
    ///
    /// # Errors
    /// As [`Store::put_list_versions`].
    pub fn put_list_versions_with(
        &self,
        versions: &[(&ListMeta, &ListContent, Option<&VersionChange>)],
    ) -> Result<(), StoreError> {
        let mut prepared = Vec::with_capacity(versions.len());
        for (i, (meta, content, change)) in versions.iter().enumerate() {
            check_version(meta, content)?;
            if versions[..i]
                .iter()
                .any(|(m, ..)| m.list_id == meta.list_id)
            {
                return Err(StoreError::InvalidVersion {
                    list_id: meta.list_id.clone(),
                    version: meta.version,
                    message: "the list appears twice in one write".into(),
                });
            }
            let change = match change {
                Some(c) => Some(encode("list version change", *c)?),
                None => None,
            };
            prepared.push((
                *meta,
                keys::version_key(&meta.list_id, meta.version),
                encode("list metadata", *meta)?,
                encode("list content", *content)?,
                change,
            ));
        }

        (&self.lists, &self.versions, &self.contents, &self.changes)
            .transaction(|(lists, versions, contents, changes)| {
                for (meta, key, meta_bytes, content_bytes, change) in &prepared {
                    let id = meta.list_id.as_bytes();
                    if versions.get(key)?.is_some() {
                        return Err(Abort(StoreError::VersionExists {
                            list_id: meta.list_id.clone(),
                            version: meta.version,
                        }));
                    }
                    if let Some(cur) = lists.get(id)? {
                        let cur = decode_version(id, &cur).map_err(Abort)?;
                        if cur >= meta.version {
                            return Err(Abort(StoreError::InvalidVersion {
                                list_id: meta.list_id.clone(),
                                version: meta.version,
                                message: format!(
                                    "the current version is {cur}; a new version must be higher"
                                ),
                            }));
                        }
                        let cur_key = keys::version_key(&meta.list_id, cur);
                        let cur_meta: ListMeta = match versions.get(&cur_key)? {
                            Some(v) => decode(&cur_key, &v).map_err(Abort)?,
                            None => {
                                return Err(Abort(StoreError::Corrupt {
                                    key: keys::printable(&cur_key),
                                    message: "the current list version is missing".into(),
                                }));
                            }
                        };
                        if cur_meta.kind != meta.kind {
                            return Err(Abort(StoreError::KindChanged {
                                list_id: meta.list_id.clone(),
                                current: cur_meta.kind,
                                new: meta.kind.clone(),
                            }));
                        }
                    }
                    versions.insert(key.as_slice(), meta_bytes.as_slice())?;
                    contents.insert(key.as_slice(), content_bytes.as_slice())?;
                    if let Some(change) = change {
                        changes.insert(key.as_slice(), change.as_slice())?;
                    }
                    lists.insert(id, &meta.version.to_be_bytes())?;
                }
                Ok(())
            })
            .map_err(tx_error)
    }
}

/// Checks a version's metadata against its content before writing.
fn check_version(meta: &ListMeta, content: &ListContent) -> Result<(), StoreError> {
    keys::check_list_id(&meta.list_id)?;
    let invalid = |message: String| StoreError::InvalidVersion {
        list_id: meta.list_id.clone(),
        version: meta.version,
        message,
    };
    if meta.version == 0 {
        return Err(invalid("versions start at 1".into()));
    }
    if meta.kind != content.kind() {
        return Err(invalid(format!(
            "metadata says kind {} but the content is a {} list",
            meta.kind,
            content.kind()
        )));
    }
    if meta.entries as usize != content.len() || meta.names as usize != content.name_count() {
        return Err(invalid(format!(
            "metadata counts {} entries and {} names, the content has {} and {}",
            meta.entries,
            meta.names,
            content.len(),
            content.name_count()
        )));
    }
    Ok(())
}

fn decode_version(key: &[u8], v: &[u8]) -> Result<u64, StoreError> {
    let b: [u8; 8] = v.try_into().map_err(|_| StoreError::Corrupt {
        key: keys::printable(key),
        message: format!("current version has {} bytes, expected 8", v.len()),
    })?;
    Ok(u64::from_be_bytes(b))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{ControlCategory, ControlEntry, DenialEntry, EntryName, NameKind};

    pub(crate) fn denial(n: usize) -> ListContent {
        ListContent::Denial(
            (0..n)
                .map(|i| DenialEntry {
                    entry_id: (i + 1).to_string(),
                    names: vec![
                        EntryName {
                            name: format!("Example Trading Company {i}"),
                            kind: NameKind::Primary,
                        },
                        EntryName {
                            name: format!("ETC {i}"),
                            kind: NameKind::Alias,
                        },
                    ],
                    programs: vec!["NPWMD".into()],
                    ..DenialEntry::default()
                })
                .collect(),
        )
    }

    pub(crate) fn control() -> ListContent {
        ListContent::Control(vec![ControlEntry {
            code: "2.A.1".into(),
            title: "Rocket stages".into(),
            category: ControlCategory::I,
            notes: String::new(),
            terms: vec!["rocket stage".into()],
            context: vec![],
            exclusions: vec![],
            rules: vec![],
            national_codes: vec![],
        }])
    }

    pub(crate) fn meta(list_id: &str, version: u64, content: &ListContent) -> ListMeta {
        ListMeta {
            list_id: list_id.into(),
            version,
            kind: content.kind().into(),
            format: "test".into(),
            entries: content.len() as u32,
            names: content.name_count() as u32,
            checksum: format!("sum-{list_id}-{version}"),
            ..ListMeta::default()
        }
    }

    #[test]
    fn versions_are_stored_and_the_latest_is_current() {
        let s = Store::temporary().unwrap();
        assert_eq!(s.latest_version("ofac-sdn").unwrap(), 0);
        assert_eq!(s.current_version("ofac-sdn").unwrap(), None);
        let (c1, c2) = (denial(2), denial(3));
        s.put_list_version(&meta("ofac-sdn", 1, &c1), &c1).unwrap();
        s.put_list_version(&meta("ofac-sdn", 2, &c2), &c2).unwrap();
        s.put_list_version(&meta("mtcr", 1, &control()), &control())
            .unwrap();

        assert_eq!(s.list_ids().unwrap(), vec!["mtcr", "ofac-sdn"]);
        assert_eq!(s.current_version("ofac-sdn").unwrap(), Some(2));
        assert_eq!(s.latest_version("ofac-sdn").unwrap(), 2);
        assert_eq!(s.list_content("ofac-sdn", 1).unwrap(), c1);
        assert_eq!(
            s.list_history("ofac-sdn")
                .unwrap()
                .iter()
                .map(|m| m.version)
                .collect::<Vec<_>>(),
            vec![1, 2]
        );
        let loaded = s.load_current_lists().unwrap();
        let summary: Vec<(&str, u64, usize)> = loaded
            .iter()
            .map(|l| (l.meta.list_id.as_str(), l.meta.version, l.content.len()))
            .collect();
        assert_eq!(summary, vec![("mtcr", 1, 1), ("ofac-sdn", 2, 3)]);
    }

    #[test]
    fn a_taken_or_older_version_is_refused_and_nothing_changes() {
        let s = Store::temporary().unwrap();
        let c = denial(1);
        s.put_list_version(&meta("x", 2, &c), &c).unwrap();
        let err = s.put_list_version(&meta("x", 2, &c), &c).unwrap_err();
        assert!(
            matches!(err, StoreError::VersionExists { version: 2, .. }),
            "{err:?}"
        );
        let err = s.put_list_version(&meta("x", 1, &c), &c).unwrap_err();
        assert!(matches!(err, StoreError::InvalidVersion { .. }), "{err:?}");
        assert_eq!(s.current_version("x").unwrap(), Some(2));
        assert!(matches!(
            s.list_meta("x", 1),
            Err(StoreError::NotFound { .. })
        ));
    }

    #[test]
    fn the_kind_of_a_list_never_changes() {
        let s = Store::temporary().unwrap();
        let d = denial(1);
        s.put_list_version(&meta("x", 1, &d), &d).unwrap();
        assert!(s.check_kind("x", "denial").is_ok());
        assert!(s.check_kind("new-list", "control").is_ok());
        assert!(matches!(
            s.check_kind("x", "control"),
            Err(StoreError::KindChanged { .. })
        ));
        let err = s
            .put_list_version(&meta("x", 2, &control()), &control())
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::KindChanged { current, new, .. } if current == "denial" && new == "control"),
            "{err:?}"
        );
        assert_eq!(s.current_version("x").unwrap(), Some(1));
        assert_eq!(s.latest_version("x").unwrap(), 1);
    }

    #[test]
    fn metadata_must_agree_with_content() {
        let s = Store::temporary().unwrap();
        let c = denial(2);
        let bad: &[(&str, ListMeta)] = &[
            (
                "zero version",
                ListMeta {
                    version: 0,
                    ..meta("x", 1, &c)
                },
            ),
            (
                "kind",
                ListMeta {
                    kind: "control".into(),
                    ..meta("x", 1, &c)
                },
            ),
            (
                "entries",
                ListMeta {
                    entries: 7,
                    ..meta("x", 1, &c)
                },
            ),
            (
                "names",
                ListMeta {
                    names: 1,
                    ..meta("x", 1, &c)
                },
            ),
        ];
        for (what, m) in bad {
            let err = s.put_list_version(m, &c).unwrap_err();
            assert!(
                matches!(err, StoreError::InvalidVersion { .. }),
                "{what}: {err:?}"
            );
        }
        let err = s.put_list_version(&meta("Bad_Id", 1, &c), &c).unwrap_err();
        assert!(matches!(err, StoreError::InvalidListId { .. }), "{err:?}");
        assert!(s.list_ids().unwrap().is_empty());
    }

    #[test]
    fn several_versions_are_written_all_or_none() {
        let s = Store::temporary().unwrap();
        let d = denial(1);
        s.put_list_version(&meta("x", 1, &d), &d).unwrap();
        // y would be fine, but x changes kind: neither is written.
        let (m_y, m_x) = (meta("y", 1, &d), meta("x", 2, &control()));
        let err = s
            .put_list_versions(&[(&m_y, &d), (&m_x, &control())])
            .unwrap_err();
        assert!(matches!(err, StoreError::KindChanged { .. }), "{err:?}");
        assert_eq!(s.list_ids().unwrap(), vec!["x"]);
        // The same list twice is refused before anything is written.
        let m_x3 = meta("x", 3, &d);
        let err = s
            .put_list_versions(&[(&meta("x", 2, &d), &d), (&m_x3, &d)])
            .unwrap_err();
        assert!(matches!(err, StoreError::InvalidVersion { .. }), "{err:?}");
        // Both good: both written.
        let m_x2 = meta("x", 2, &d);
        s.put_list_versions(&[(&m_y, &d), (&m_x2, &d)]).unwrap();
        assert_eq!(s.current_version("x").unwrap(), Some(2));
        assert_eq!(s.current_version("y").unwrap(), Some(1));
    }

    #[test]
    fn a_large_list_round_trips() {
        let s = Store::temporary().unwrap();
        let c = denial(20_000);
        s.put_list_version(&meta("big", 1, &c), &c).unwrap();
        let loaded = s.load_current_lists().unwrap();
        assert_eq!(*loaded[0].content, c);
    }

    #[test]
    fn corrupt_content_is_reported_with_its_key() {
        let s = Store::temporary().unwrap();
        let c = denial(1);
        s.put_list_version(&meta("x", 1, &c), &c).unwrap();
        s.contents
            .insert(keys::version_key("x", 1), &b"{not json"[..])
            .unwrap();
        let err = s.load_current_lists().unwrap_err();
        assert!(
            matches!(&err, StoreError::Corrupt { key, .. } if key == "x@1"),
            "{err:?}"
        );
    }
}
