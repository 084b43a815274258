//! Lists: importing a list's files as a new version, editing single entries
//! by hand (each edit a new version), replaying a stored screening against
//! the versions it used, and reading a list's history (versions, an entry
//! as of a version, the diff between two versions).
//!
//! Every change goes through [`Lists::commit`]: serialised, it builds the
//! next engine off the async workers from the current lists with the new
//! versions in (beside the diffs against the versions they replace),
//! writes the versions with their change and audit records in one store
//! write, waits until it is durable, and only then swaps the new
//! [`Snapshot`] in. A failure at any step leaves the store and the live
//! snapshot as they were. A denial-list change then starts the
//! re-screening of recent screenings in the background.

use std::sync::Arc;

use sha2::{Digest, Sha256};
use tracing::info;

use super::snapshot::{CurrentLists, Snapshot};
use super::webhooks::ListChanged;
use super::{Core, blocking, now_unix_ms, rescreen};
use crate::actions::Origin;
use crate::engine::{Engine, LoadedList};
use crate::ids::{Actor, EntryId, ListId, ScreeningId};
use crate::lists::{
    self, EditError, ImportError, ListDiff, NewEntry, SourceData, describe_files, diff, hygiene,
    identity_keys, version_checksum,
};
use crate::model::{Finding, ListContent, ListKind, ListMeta, ScreeningOutcome, SourceFile};
use crate::store::audit::NewAudit;
use crate::store::{NewListVersion, RescreenSummary, ScreeningRecord, VersionChange};

/// A list version about to be committed; the version number and time are
/// assigned by [`Lists::commit`].
#[derive(Clone, Debug)]
pub struct NewVersion {
    /// List id.
    pub list_id: ListId,
    /// Import format.
    pub format: String,
    /// Who made it.
    pub author: Actor,
    /// Why.
    pub reason: String,
    /// Source files with sizes and checksums.
    pub files: Vec<SourceFile>,
    /// Importer warnings.
    pub warnings: Vec<String>,
    /// The entries.
    pub content: ListContent,
    /// How it came to be.
    pub origin: Origin,
    /// The entry edited by hand (edits only).
    pub entry_id: Option<EntryId>,
    /// Publication date the source states (`YYYY-MM-DD`), or empty.
    pub published: String,
}

/// A committed version and what changed against the version it replaced.
#[derive(Clone, Debug)]
pub struct Committed {
    /// The new version.
    pub list: LoadedList,
    /// The version it replaced, if any.
    pub previous: Option<LoadedList>,
    /// Added, removed and changed entries against `previous` (everything
    /// added for a new list).
    pub diff: ListDiff,
    /// How it came to be.
    pub change: VersionChange,
}

/// Files to import as a list's next version.
#[derive(Clone, Debug)]
pub struct ImportRequest {
    /// The list.
    pub list_id: ListId,
    /// One of [`lists::FORMATS`].
    pub format: String,
    /// Why (recorded with the version).
    pub reason: String,
    /// Who imports it.
    pub author: Actor,
    /// The files, each whole.
    pub files: Vec<SourceData>,
    /// Import options of the format (e.g. the CSL sources to take).
    pub options: lists::ImportOptions,
}

/// Who edits and why.
#[derive(Clone, Debug)]
pub struct EditInfo {
    /// Author of the new version.
    pub author: Actor,
    /// Why.
    pub reason: String,
}

/// A change of a list by hand: an entry added, changed or removed (lists
/// edited by hand only: [`hygiene::editable`]), an empty list created, a
/// list retired.
#[derive(Clone, Debug)]
pub enum EntryEdit {
    /// Add an entry.
    Add(NewEntry),
    /// Replace an entry.
    Update(EntryId, NewEntry),
    /// Remove an entry.
    Remove(EntryId),
    /// Create an empty list of this kind (the list must not exist).
    Create(ListKind),
    /// Retire the list: kept for replay, no longer screened, imported or
    /// edited.
    Retire,
}

impl EntryEdit {
    fn origin(&self) -> Origin {
        match self {
            EntryEdit::Add(_) => Origin::EntryAdd,
            EntryEdit::Update(..) => Origin::EntryUpdate,
            EntryEdit::Remove(_) => Origin::EntryRemove,
            EntryEdit::Create(_) => Origin::Create,
            EntryEdit::Retire => Origin::Retire,
        }
    }
}

/// A list version with its change record and re-screening summary.
#[derive(Clone, Debug)]
pub struct VersionInfo {
    /// The version.
    pub meta: ListMeta,
    /// How it came to be (`None` when stored without a record).
    pub change: Option<VersionChange>,
    /// What re-screening after it found, when it ran.
    pub rescreen: Option<RescreenSummary>,
}

/// An entry as of a version.
#[derive(Clone, Debug)]
pub struct EntryView {
    /// The version (with its content).
    pub list: LoadedList,
    /// The entry's position in the content.
    pub index: usize,
    /// Its identity key (what pairs entries across versions).
    pub identity_key: String,
}

/// Two versions of a list and what changed between them.
#[derive(Clone, Debug)]
pub struct VersionDiff {
    /// The older version.
    pub from: LoadedList,
    /// The newer version.
    pub to: LoadedList,
    /// Entries added, removed, changed (positions in `from` / `to`).
    pub diff: ListDiff,
    /// Identity keys of `from`'s entries.
    pub from_keys: Vec<String>,
    /// Identity keys of `to`'s entries.
    pub to_keys: Vec<String>,
}

/// A stored screening screened again with the list versions it used.
#[derive(Clone, Debug)]
pub struct Replay {
    /// The screening as stored.
    pub record: ScreeningRecord,
    /// The engine's answer now.
    pub replayed: ScreeningOutcome,
    /// Findings one side has and the other lacks.
    pub differences: Vec<String>,
    /// The configuration differs from the one the screening used.
    pub policy_changed: bool,
}

/// The list service.
#[derive(Clone, Debug)]
pub struct Lists {
    core: Arc<Core>,
}

impl Lists {
    /// Serves from `core`.
    pub fn new(core: Arc<Core>) -> Lists {
        Lists { core }
    }

    /// The current version of every list, with the engine built from them.
    pub fn current(&self) -> Arc<Snapshot> {
        self.core.snapshot()
    }

    /// The current version of a list, if it exists.
    pub fn get(&self, list_id: &str) -> Option<ListMeta> {
        self.core
            .snapshot()
            .lists
            .get(list_id)
            .map(|l| l.meta.clone())
    }

    /// Parses `files` (off the async workers) and commits them as the list's
    /// next version.
    ///
    /// # Errors
    /// [`ImportError`] naming the file and line of a malformed file;
    /// as [`Lists::commit`].
    pub async fn import(&self, req: ImportRequest) -> Result<Committed, crate::Error> {
        let ImportRequest {
            list_id,
            format,
            reason,
            author,
            files,
            options,
        } = req;
        if !lists::FORMATS.contains(&format.as_str()) {
            return Err(ImportError::UnknownFormat {
                format: format.chars().take(80).collect(),
                known: lists::FORMATS.join(", "),
            }
            .into());
        }
        let parse_format = format.clone();
        let (imported, (described, published)) = blocking(move || {
            let described = describe_files(&files);
            let published = lists::published::published(&parse_format, &files);
            Ok(lists::import_with(&parse_format, &files, &options)
                .map(|i| (i, (described, published)))?)
        })
        .await?;
        let lists::Imported { content, warnings } = imported;
        let mut done = self
            .commit(vec![NewVersion {
                list_id,
                format,
                author,
                reason,
                files: described,
                warnings,
                content,
                origin: Origin::Import,
                entry_id: None,
                published,
            }])
            .await?;
        done.pop()
            .ok_or_else(|| crate::Error::Internal("commit returned no version".into()))
    }

    /// Applies an edit of one entry to the list's current version (or
    /// starts a new list with an added entry) and commits the result as a
    /// new version, recording the edit in its files.
    ///
    /// # Errors
    /// [`EditError::VersionConflict`] when `expected_version` is set and
    /// the list is at another version; the edit's own error; NOT_FOUND for
    /// an update or removal in a list that does not exist; as
    /// [`Lists::commit`].
    pub async fn edit(
        &self,
        list_id: &ListId,
        expected_version: u64,
        info: EditInfo,
        edit: EntryEdit,
    ) -> Result<Committed, crate::Error> {
        let _change = self.core.change.lock().await;
        let current = self.core.snapshot();
        let base = current.lists.get(list_id.as_str());
        let at = base.map_or(0, |l| l.meta.version);
        if expected_version != 0 && expected_version != at {
            return Err(EditError::VersionConflict {
                list_id: list_id.to_string(),
                expected: expected_version,
                current: at,
            }
            .into());
        }
        let origin = edit.origin();
        let id = list_id.as_str().to_string();
        let base_owned = base.cloned();
        let (content, entry_id, format) =
            blocking(move || apply_edit(&id, base_owned.as_ref(), edit)).await?;
        let published = base.map(|b| b.meta.published.clone()).unwrap_or_default();
        let mut files = base.map(|b| b.meta.files.clone()).unwrap_or_default();
        files.push(edit_file(origin, at + 1, entry_id.as_ref(), &content));
        let version = NewVersion {
            list_id: list_id.clone(),
            format,
            author: info.author,
            reason: info.reason,
            files,
            warnings: Vec::new(),
            content,
            origin,
            entry_id,
            published,
        };
        let mut done = self.commit_locked(&current, vec![version]).await?;
        done.pop()
            .ok_or_else(|| crate::Error::Internal("commit returned no version".into()))
    }

    /// Makes new list versions live: numbers them, builds the next engine
    /// off the async workers, writes the versions with their change and
    /// audit records (one durable store write), and swaps the new snapshot
    /// in. Returns what changed, in input order.
    ///
    /// # Errors
    /// [`StoreError::KindChanged`] when a version would change its list's
    /// kind; [`crate::engine::EngineError`] when the engine cannot be built
    /// with it; storage errors. The live snapshot is unchanged on error.
    pub async fn commit(&self, new: Vec<NewVersion>) -> Result<Vec<Committed>, crate::Error> {
        let _change = self.core.change.lock().await;
        let current = self.core.snapshot();
        self.commit_locked(&current, new).await
    }

    /// [`Lists::commit`] with the change lock held and `current` the live
    /// snapshot.
    async fn commit_locked(
        &self,
        current: &Snapshot,
        new: Vec<NewVersion>,
    ) -> Result<Vec<Committed>, crate::Error> {
        let now = now_unix_ms();
        let store = Arc::clone(self.core.store());
        let mut next: CurrentLists = current.lists.clone();
        for v in &new {
            hygiene::may_replace(
                v.list_id.as_str(),
                current.lists.get(v.list_id.as_str()).map(|l| &l.meta),
            )?;
        }
        let checks: Vec<(String, ListKind)> = new
            .iter()
            .map(|v| (v.list_id.to_string(), v.content.kind()))
            .collect();
        let latest = blocking(move || {
            checks
                .iter()
                .map(|(id, kind)| {
                    store.check_kind(id, *kind)?;
                    Ok(store.latest_version(id)?)
                })
                .collect::<Result<Vec<u64>, crate::Error>>()
        })
        .await?;
        let mut added: Vec<(LoadedList, Option<LoadedList>, Origin, Option<EntryId>)> =
            Vec::with_capacity(new.len());
        for (v, latest) in new.into_iter().zip(latest) {
            if added
                .iter()
                .any(|(l, ..)| l.meta.list_id == v.list_id.as_str())
            {
                return Err(crate::Error::Internal(format!(
                    "list {} appears twice in one commit",
                    v.list_id
                )));
            }
            let NewVersion {
                list_id,
                format,
                author,
                reason,
                files,
                warnings,
                content,
                origin,
                entry_id,
                published,
            } = v;
            let meta = ListMeta {
                version: latest + 1,
                kind: content.kind(),
                format,
                entries: u32::try_from(content.len()).unwrap_or(u32::MAX),
                names: u32::try_from(content.name_count()).unwrap_or(u32::MAX),
                imported_at_unix_ms: now,
                author: author.to_string(),
                reason,
                checksum: version_checksum(&files),
                published,
                retired: origin == Origin::Retire,
                files,
                warnings,
                list_id: list_id.to_string(),
            };
            let loaded = LoadedList {
                meta,
                content: Arc::new(content),
            };
            let previous = current.lists.get(&loaded.meta.list_id).cloned();
            next.insert(loaded.meta.list_id.clone(), loaded.clone());
            added.push((loaded, previous, origin, entry_id));
        }

        // The next engine and the diffs against the replaced versions, side
        // by side off the async workers.
        let all: Vec<LoadedList> = next.values().cloned().collect();
        let reference = Arc::clone(self.core.reference());
        let build = tokio::task::spawn_blocking(move || Snapshot::build(all, &reference));
        let pairs: Vec<(LoadedList, Option<LoadedList>)> = added
            .iter()
            .map(|(l, p, ..)| (l.clone(), p.clone()))
            .collect();
        let diffs = tokio::task::spawn_blocking(move || {
            pairs
                .iter()
                .map(|(l, p)| version_diff(l, p.as_ref()))
                .collect::<Vec<ListDiff>>()
        });
        let (snapshot, diffs) = tokio::join!(build, diffs);
        let join = |e: tokio::task::JoinError| {
            crate::Error::Internal(format!("background task failed: {e}"))
        };
        let snapshot = snapshot.map_err(join)??;
        let diffs = diffs.map_err(join)?;

        let committed: Vec<Committed> = added
            .into_iter()
            .zip(diffs)
            .map(|((list, previous, origin, entry_id), diff)| {
                let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
                let change = VersionChange {
                    origin,
                    entry_id,
                    previous_version: previous.as_ref().map_or(0, |p| p.meta.version),
                    added: count(diff.added.len()),
                    removed: count(diff.removed.len()),
                    changed: count(diff.changed.len()),
                };
                Committed {
                    list,
                    previous,
                    diff,
                    change,
                }
            })
            .collect();

        let writes: Vec<NewListVersion> = committed
            .iter()
            .map(|c| NewListVersion {
                meta: c.list.meta.clone(),
                content: Arc::clone(&c.list.content),
                change: Some(c.change.clone()),
                audit: Some(audit_record(c)),
            })
            .collect();
        self.core.store().put_list_versions(writes).await?;

        let engine = Arc::clone(&snapshot.engine);
        self.core.snapshot.store(Arc::new(snapshot));
        for c in &committed {
            let m = &c.list.meta;
            info!(
                list_id = %m.list_id,
                version = m.version,
                entries = m.entries,
                names = m.names,
                author = %m.author,
                origin = %c.change.origin,
                added = c.change.added,
                removed = c.change.removed,
                changed = c.change.changed,
                "list version live"
            );
        }
        for c in &committed {
            let m = &c.list.meta;
            self.core.list_events().publish(ListChanged {
                list_id: m.list_id.clone(),
                version: m.version,
                origin: c.change.origin,
                added: c.change.added,
                removed: c.change.removed,
                changed: c.change.changed,
                published: m.published.clone(),
                retired: m.retired,
                at_unix_ms: now,
            });
        }
        if self.core.rescreen_days() > 0 {
            rescreen::spawn(&self.core, engine, &committed);
        }
        Ok(committed)
    }

    /// A list version with its content: the current one from memory, older
    /// ones from the store (`version` 0: the current one).
    ///
    /// # Errors
    /// NOT_FOUND for an unknown list or version; storage failures.
    pub async fn version(
        &self,
        list_id: &ListId,
        version: u64,
    ) -> Result<LoadedList, crate::Error> {
        let current = self.core.snapshot();
        if let Some(l) = current.lists.get(list_id.as_str()) {
            if version == 0 || version == l.meta.version {
                return Ok(l.clone());
            }
        } else if version == 0 {
            return Err(crate::Error::NotFound(format!("list {list_id}")));
        }
        let store = Arc::clone(self.core.store());
        let id = list_id.to_string();
        blocking(move || {
            Ok(LoadedList {
                meta: store.list_meta(&id, version)?,
                content: Arc::new(store.list_content(&id, version)?),
            })
        })
        .await
    }

    /// Every version of a list, oldest first, with how each came to be and
    /// what its re-screening found.
    ///
    /// # Errors
    /// NOT_FOUND for a list never stored; storage failures.
    pub async fn versions(&self, list_id: &ListId) -> Result<Vec<VersionInfo>, crate::Error> {
        let store = Arc::clone(self.core.store());
        let id = list_id.to_string();
        blocking(move || {
            let history = store.list_history(&id)?;
            if history.is_empty() {
                return Err(crate::Error::NotFound(format!("list {id}")));
            }
            history
                .into_iter()
                .map(|meta| {
                    Ok(VersionInfo {
                        change: store.version_change(&meta.list_id, meta.version)?,
                        rescreen: store.rescreen(&meta.list_id, meta.version)?,
                        meta,
                    })
                })
                .collect()
        })
        .await
    }

    /// An entry as of a version (`version` 0: the current one), by entry id
    /// or identity key.
    ///
    /// # Errors
    /// NOT_FOUND for an unknown list, version or entry.
    pub async fn entry(
        &self,
        list_id: &ListId,
        version: u64,
        entry_id: &str,
    ) -> Result<EntryView, crate::Error> {
        let list = self.version(list_id, version).await?;
        let entry_id = entry_id.trim().to_string();
        let id = list_id.to_string();
        blocking(move || {
            let keys = identity_keys(&list.meta.format, &list.content);
            let index = lists::edit::position(&list.content, &entry_id)
                .or_else(|| keys.iter().position(|k| *k == entry_id))
                .ok_or_else(|| {
                    crate::Error::NotFound(format!(
                        "entry {entry_id} in {id} version {}",
                        list.meta.version
                    ))
                })?;
            Ok(EntryView {
                identity_key: keys[index].clone(),
                list,
                index,
            })
        })
        .await
    }

    /// What changed between two versions of a list (`to` 0: the current one).
    ///
    /// # Errors
    /// NOT_FOUND for an unknown list or version.
    pub async fn diff(
        &self,
        list_id: &ListId,
        from: u64,
        to: u64,
    ) -> Result<VersionDiff, crate::Error> {
        let from = self.version(list_id, from).await?;
        let to = self.version(list_id, to).await?;
        blocking(move || {
            let d = diff(
                &from.meta.format,
                &from.content,
                &to.meta.format,
                &to.content,
            );
            Ok(VersionDiff {
                from_keys: identity_keys(&from.meta.format, &from.content),
                to_keys: identity_keys(&to.meta.format, &to.content),
                diff: d,
                from,
                to,
            })
        })
        .await
    }

    /// Screens a stored screening's shipment again with the list versions
    /// it used (and the current configuration), and says what differs.
    ///
    /// # Errors
    /// NOT_FOUND for an unknown screening; [`crate::Error::Internal`] when
    /// a stored version no longer has the checksum the screening recorded.
    pub async fn replay(&self, id: ScreeningId) -> Result<Replay, crate::Error> {
        let store = Arc::clone(self.core.store());
        let record = blocking(move || Ok(store.screening(&id)?)).await?;
        let used = record.outcome.list_versions.clone();
        let live = self.core.engine();
        let engine = if live.list_versions() == used {
            live
        } else {
            let mut lists = Vec::with_capacity(used.len());
            for v in &used {
                let list_id =
                    ListId::parse(&v.list_id).map_err(|e| crate::Error::Internal(e.to_string()))?;
                let l = self.version(&list_id, v.version).await?;
                if l.meta.checksum != v.checksum {
                    return Err(crate::Error::Internal(format!(
                        "stored {}@{} has checksum {}, the screening recorded {}",
                        v.list_id, v.version, l.meta.checksum, v.checksum
                    )));
                }
                lists.push(l);
            }
            let reference = Arc::clone(self.core.reference());
            Arc::new(blocking(move || Ok(Engine::build(&lists, &reference)?)).await?)
        };
        let shipment = record.shipment.clone();
        let replayed = self
            .core
            .pool()
            .run(move |_cancel| engine.screen_shipment(&shipment))
            .await?;
        let differences = finding_differences(&record.outcome.findings, &replayed.findings);
        let policy_changed = record.outcome.policy.version != replayed.policy.version;
        Ok(Replay {
            record,
            replayed,
            differences,
            policy_changed,
        })
    }
}

/// Applies an edit to `base` (the list's current version, `None` for a
/// list never stored); returns the next content, the entry's id (edits of
/// entries) and the version's format.
fn apply_edit(
    list_id: &str,
    base: Option<&LoadedList>,
    edit: EntryEdit,
) -> Result<(ListContent, Option<EntryId>, String), crate::Error> {
    // The list an entry edit applies to: it exists, is not retired, and is
    // not an official list (those change by import only).
    let editable = || -> Result<&LoadedList, crate::Error> {
        hygiene::editable(list_id, base.map(|b| &b.meta))?;
        base.ok_or_else(|| {
            EditError::UnknownList {
                list_id: list_id.to_string(),
            }
            .into()
        })
    };
    match edit {
        EntryEdit::Add(entry) => {
            let b = editable()?;
            let (next, entry_id) = lists::edit::add(list_id, &b.meta.format, &b.content, entry)?;
            Ok((next, Some(EntryId::new(entry_id)), b.meta.format.clone()))
        }
        EntryEdit::Update(entry_id, entry) => {
            let b = editable()?;
            let next = lists::edit::update(
                list_id,
                &b.meta.format,
                &b.content,
                entry_id.as_str(),
                entry,
            )?;
            Ok((next, Some(entry_id), b.meta.format.clone()))
        }
        EntryEdit::Remove(entry_id) => {
            let b = editable()?;
            let next = lists::edit::remove(list_id, &b.meta.format, &b.content, entry_id.as_str())?;
            Ok((next, Some(entry_id), b.meta.format.clone()))
        }
        EntryEdit::Create(kind) => match base {
            Some(_) => Err(EditError::ListExists {
                list_id: list_id.to_string(),
            }
            .into()),
            None => Ok((
                match kind {
                    ListKind::Denial => ListContent::Denial(Vec::new()),
                    ListKind::Control => ListContent::Control(Vec::new()),
                },
                None,
                hygiene::LOCAL_FORMAT.to_string(),
            )),
        },
        EntryEdit::Retire => {
            let b = base.ok_or_else(|| EditError::UnknownList {
                list_id: list_id.to_string(),
            })?;
            Ok((b.content.as_ref().clone(), None, b.meta.format.clone()))
        }
    }
}

/// The pseudo source file that records an edit in a version's files, so
/// that the version checksum identifies the edited content:
/// `edit-<version>-<origin>-<entry>.json` with the sha256 of the edited
/// entry (or, for a removal, of its id).
fn edit_file(
    origin: Origin,
    version: u64,
    entry_id: Option<&EntryId>,
    content: &ListContent,
) -> SourceFile {
    let entry_id = entry_id.map_or("", EntryId::as_str);
    let body = lists::edit::position(content, entry_id)
        .and_then(|i| match content {
            ListContent::Denial(e) => serde_json::to_vec(&e[i]).ok(),
            ListContent::Control(e) => serde_json::to_vec(&e[i]).ok(),
        })
        .unwrap_or_else(|| entry_id.as_bytes().to_vec());
    let safe: String = entry_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    SourceFile {
        name: format!("edit-{version}-{origin}-{safe}.json"),
        bytes: body.len() as u64,
        sha256: hex::encode(Sha256::digest(&body)),
    }
}

/// Entries added, removed and changed against the replaced version.
fn version_diff(new: &LoadedList, previous: Option<&LoadedList>) -> ListDiff {
    match previous {
        Some(p) => diff(&p.meta.format, &p.content, &new.meta.format, &new.content),
        None => ListDiff {
            added: (0..new.content.len()).collect(),
            ..ListDiff::default()
        },
    }
}

/// The audit record of a list change: `list.import` for imports (seed and
/// refresh included), `list.entry.add|update|remove` for edits.
fn audit_record(c: &Committed) -> NewAudit {
    let m = &c.list.meta;
    NewAudit {
        actor: Actor::new(m.author.clone()),
        action: c.change.origin.audit_action(),
        subject: format!("{}@{}", m.list_id, m.version),
        reason: m.reason.clone(),
        details: serde_json::json!({
            "origin": c.change.origin,
            "format": m.format,
            "entry_id": c.change.entry_id.as_ref().map_or("", EntryId::as_str),
            "previous_version": c.change.previous_version,
            "entries": m.entries,
            "names": m.names,
            "added": c.change.added,
            "removed": c.change.removed,
            "changed": c.change.changed,
            "checksum": m.checksum,
            "files": m.files.iter().map(|f| serde_json::json!({"name": f.name, "sha256": f.sha256, "bytes": f.bytes})).collect::<Vec<_>>(),
        }),
    }
}

/// Findings one side has and the other lacks, compared by target, list,
/// entry, rule, decision and score (to 4 decimals).
pub fn finding_differences(original: &[Finding], replayed: &[Finding]) -> Vec<String> {
    let key = |f: &Finding| {
        format!(
            "{} {} {}{} score {:.4}",
            f.target,
            f.decision.as_str(),
            if f.list_id.is_empty() {
                &f.rule
            } else {
                &f.list_id
            },
            if f.entry_id.is_empty() {
                String::new()
            } else {
                format!(" entry {}", f.entry_id)
            },
            f.score
        )
    };
    let a: Vec<String> = original.iter().map(key).collect();
    let b: Vec<String> = replayed.iter().map(key).collect();
    let mut out: Vec<String> = a
        .iter()
        .filter(|k| !b.contains(k))
        .map(|k| format!("only in the original: {k}"))
        .collect();
    out.extend(
        b.iter()
            .filter(|k| !a.contains(k))
            .map(|k| format!("only in the replay: {k}")),
    );
    out
}
