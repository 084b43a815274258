//! ListService: imports list files (client stream of a header and 1 MiB
//! chunks), reports lists and their history (versions, entries as of a
//! version, diffs), edits single entries by hand, and replays stored
//! screenings against the list versions they used.
//!
//! An import is received whole, parsed on a blocking thread, and committed
//! through [`AppState::commit`]: the new version is live only if every file
//! parsed and the engine built; otherwise the previous version stays live
//! and the client gets INVALID_ARGUMENT naming the file and line. An edit
//! is applied to the current version under the same lock
//! ([`AppState::edit`]) and becomes a version like an import.
//!
//! The author of a change is the caller's principal; without access control
//! (the anonymous caller) the `x-exportscreen-actor` metadata names it.

use std::sync::Arc;
use std::time::Instant;

use tonic::{Request, Response, Status, Streaming};
use tracing::{info, instrument};

use super::convert::{self, MAX_TEXT, list_info, text};
use super::entries::{entry_from_pb, entry_to_pb, version_to_pb};
use super::pb;
use super::pb::import_list_request::Msg;
use super::pb::list_service_server::ListService;
use super::state::{AppState, EditInfo, NewVersion};
use super::status::ApiError;
use super::{request_id, respond};
use crate::engine::{Engine, LoadedList};
use crate::lists::describe_files;
use crate::lists::{self, ImportError, NewEntry, SourceData, identity_keys};
use crate::model::{Finding, ListContent};
use crate::store::keys::is_valid_list_id;

/// Most data in one chunk.
pub const MAX_CHUNK: usize = 1 << 20;
/// Most data in one import (all files).
pub const MAX_UPLOAD: usize = 256 << 20;
/// Most files in one import.
pub const MAX_FILES: usize = 64;
/// Longest file name in bytes.
pub const MAX_FILE_NAME: usize = 255;
/// Longest author name in bytes.
/// Author recorded when the client does not name one.
pub const ANONYMOUS: &str = "anonymous";

/// The list service.
#[derive(Clone, Debug)]
pub struct ListApi {
    state: Arc<AppState>,
}

/// A received import: the validated header and the files.
#[derive(Debug)]
struct Upload {
    list_id: String,
    format: String,
    reason: String,
    files: Vec<SourceData>,
}

impl ListApi {
    /// Serves from `state`.
    pub fn new(state: Arc<AppState>) -> ListApi {
        ListApi { state }
    }

    #[instrument(name = "ImportList", skip_all, fields(request_id = %request_id(&req)))]
    async fn import_traced(
        &self,
        req: Request<Streaming<pb::ImportListRequest>>,
    ) -> Result<Response<pb::ImportListResponse>, Status> {
        respond(self.import(req).await)
    }

    async fn import(
        &self,
        req: Request<Streaming<pb::ImportListRequest>>,
    ) -> Result<pb::ImportListResponse, ApiError> {
        let author = author(&req)?;
        let upload = receive(req.into_inner()).await?;
        // swap_millis counts from here: the last chunk is in.
        let received = Instant::now();
        let Upload {
            list_id,
            format,
            reason,
            files,
        } = upload;
        info!(
            %list_id,
            %format,
            files = files.len(),
            bytes = files.iter().map(|f| f.data.len()).sum::<usize>(),
            %author,
            "import received"
        );

        let parse_format = format.clone();
        let (imported, described) = tokio::task::spawn_blocking(move || {
            let described = describe_files(&files);
            lists::import(&parse_format, &files).map(|i| (i, described))
        })
        .await??;
        let lists::Imported { content, warnings } = imported;

        let metas = self
            .state
            .commit(vec![NewVersion {
                list_id,
                format,
                author,
                reason,
                files: described,
                warnings,
                content,
                origin: "import".into(),
                entry_id: String::new(),
            }])
            .await?;
        let meta = metas
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::Internal("commit returned no version".into()))?;
        let swap_millis = u64::try_from(received.elapsed().as_millis()).unwrap_or(u64::MAX);
        info!(
            list_id = %meta.list_id,
            version = meta.version,
            swap_millis,
            "import live"
        );
        Ok(pb::ImportListResponse {
            list_id: meta.list_id,
            version: meta.version,
            entries: meta.entries,
            names: meta.names,
            warnings: meta.warnings,
            swap_millis,
        })
    }

    #[instrument(name = "GetList", skip_all, fields(request_id = %request_id(&req)))]
    async fn get_list_traced(
        &self,
        req: Request<pb::GetListRequest>,
    ) -> Result<Response<pb::ListInfo>, Status> {
        respond(self.get_list_inner(req.into_inner()))
    }

    fn get_list_inner(&self, req: pb::GetListRequest) -> Result<pb::ListInfo, ApiError> {
        let pb::GetListRequest { list_id } = req;
        let list_id = text(list_id, "list_id", MAX_TEXT, true)?;
        let engine = self.state.engine();
        engine
            .lists()
            .iter()
            .find(|m| m.list_id == list_id)
            .map(super::convert::list_info)
            .ok_or_else(|| ApiError::not_found(format!("list {list_id}")))
    }

    #[instrument(name = "ListLists", skip_all, fields(request_id = %request_id(&req)))]
    async fn list_lists_traced(
        &self,
        req: Request<pb::ListListsRequest>,
    ) -> Result<Response<pb::ListListsResponse>, Status> {
        let pb::ListListsRequest {} = req.into_inner();
        let engine = self.state.engine();
        respond(Ok(pb::ListListsResponse {
            lists: engine
                .lists()
                .iter()
                .map(super::convert::list_info)
                .collect(),
        }))
    }
}

/// The author of a change: the caller's principal (an ADMIN or the
/// anonymous caller may name a person with `x-exportscreen-actor`).
fn author<T>(req: &Request<T>) -> Result<String, ApiError> {
    super::cases::actor_of(req)
}

/// Receives the header and the files; checks sizes as data arrives.
async fn receive(mut inbound: Streaming<pb::ImportListRequest>) -> Result<Upload, ApiError> {
    let first = inbound.message().await.map_err(|s| stream_error(s, 0))?;
    let header = match first.and_then(|m| m.msg) {
        Some(Msg::Header(h)) => h,
        Some(Msg::Chunk(_)) | None => {
            return Err(ApiError::invalid(
                "requests[0].header",
                "the first message must be a header (list_id, format, reason)",
            ));
        }
    };
    let pb::ImportHeader {
        list_id,
        format,
        reason,
    } = header;
    if !is_valid_list_id(&list_id) {
        return Err(ApiError::invalid(
            "header.list_id",
            format!(
                "{:?} is not a list id: use 1 to 64 lower-case letters, digits and dashes, starting with a letter or digit",
                list_id.chars().take(80).collect::<String>()
            ),
        ));
    }
    // Checked before any data arrives, so a typo costs no upload.
    if !lists::FORMATS.contains(&format.as_str()) {
        return Err(ImportError::UnknownFormat {
            format: format.chars().take(80).collect(),
            known: lists::FORMATS.join(", "),
        }
        .into());
    }
    let reason = text(reason, "header.reason", MAX_TEXT, false)?;

    let mut files: Vec<SourceData> = Vec::new();
    let mut total = 0usize;
    let mut index = 0usize;
    while let Some(msg) = inbound
        .message()
        .await
        .map_err(|s| stream_error(s, index + 1))?
    {
        index += 1;
        let chunk = match msg.msg {
            Some(Msg::Chunk(c)) => c,
            Some(Msg::Header(_)) => {
                return Err(ApiError::invalid(
                    format!("requests[{index}].header"),
                    "only the first message may be a header",
                ));
            }
            None => {
                return Err(ApiError::invalid(
                    format!("requests[{index}]"),
                    "empty message: set header or chunk",
                ));
            }
        };
        let pb::FileChunk { file_name, data } = chunk;
        let name_field = format!("requests[{index}].chunk.file_name");
        let file_name = text(file_name, &name_field, MAX_FILE_NAME, true)?;
        if file_name.contains(['/', '\\']) {
            return Err(ApiError::invalid(
                name_field,
                "a file name, not a path (no / or \\)",
            ));
        }
        if data.len() > MAX_CHUNK {
            return Err(ApiError::TooLarge {
                field: format!("requests[{index}].chunk.data"),
                message: format!(
                    "at most {MAX_CHUNK} bytes per chunk, got {}: split files into chunks of 1 MiB",
                    data.len()
                ),
            });
        }
        total += data.len();
        if total > MAX_UPLOAD {
            return Err(ApiError::TooLarge {
                field: format!("requests[{index}].chunk.data"),
                message: format!("an import may hold at most {MAX_UPLOAD} bytes in all"),
            });
        }
        match files.last_mut() {
            Some(last) if last.name == file_name => last.data.extend_from_slice(&data),
            _ => {
                if files.iter().any(|f| f.name == file_name) {
                    return Err(ApiError::invalid(
                        name_field,
                        format!(
                            "file {file_name} was already sent: send each file's chunks one after another"
                        ),
                    ));
                }
                if files.len() == MAX_FILES {
                    return Err(ApiError::invalid(
                        name_field,
                        format!("at most {MAX_FILES} files per import"),
                    ));
                }
                files.push(SourceData {
                    name: file_name,
                    data,
                });
            }
        }
    }
    Ok(Upload {
        list_id,
        format,
        reason,
        files,
    })
}

/// The client's stream broke (cancelled, reset) or its message `index`
/// does not decode.
fn stream_error(status: Status, index: usize) -> ApiError {
    super::protocol::request_error(status, &format!("requests[{index}]"))
}

#[tonic::async_trait]
impl ListService for ListApi {
    async fn import_list(
        &self,
        request: Request<Streaming<pb::ImportListRequest>>,
    ) -> Result<Response<pb::ImportListResponse>, Status> {
        self.import_traced(request).await
    }

    async fn get_list(
        &self,
        request: Request<pb::GetListRequest>,
    ) -> Result<Response<pb::ListInfo>, Status> {
        self.get_list_traced(request).await
    }

    async fn list_lists(
        &self,
        request: Request<pb::ListListsRequest>,
    ) -> Result<Response<pb::ListListsResponse>, Status> {
        self.list_lists_traced(request).await
    }

    #[instrument(name = "ListVersions", skip_all, fields(request_id = %request_id(&request)))]
    async fn list_versions(
        &self,
        request: Request<pb::ListVersionsRequest>,
    ) -> Result<Response<pb::ListVersionsResponse>, Status> {
        respond(self.list_versions_inner(request.into_inner()).await)
    }

    #[instrument(name = "GetEntry", skip_all, fields(request_id = %request_id(&request)))]
    async fn get_entry(
        &self,
        request: Request<pb::GetEntryRequest>,
    ) -> Result<Response<pb::GetEntryResponse>, Status> {
        respond(self.get_entry_inner(request.into_inner()).await)
    }

    #[instrument(name = "DiffVersions", skip_all, fields(request_id = %request_id(&request)))]
    async fn diff_versions(
        &self,
        request: Request<pb::DiffVersionsRequest>,
    ) -> Result<Response<pb::DiffVersionsResponse>, Status> {
        respond(self.diff_inner(request.into_inner()).await)
    }

    #[instrument(name = "AddEntry", skip_all, fields(request_id = %request_id(&request)))]
    async fn add_entry(
        &self,
        request: Request<pb::AddEntryRequest>,
    ) -> Result<Response<pb::EditEntryResponse>, Status> {
        respond(self.add_entry_inner(request).await)
    }

    #[instrument(name = "UpdateEntry", skip_all, fields(request_id = %request_id(&request)))]
    async fn update_entry(
        &self,
        request: Request<pb::UpdateEntryRequest>,
    ) -> Result<Response<pb::EditEntryResponse>, Status> {
        respond(self.update_entry_inner(request).await)
    }

    #[instrument(name = "RemoveEntry", skip_all, fields(request_id = %request_id(&request)))]
    async fn remove_entry(
        &self,
        request: Request<pb::RemoveEntryRequest>,
    ) -> Result<Response<pb::EditEntryResponse>, Status> {
        respond(self.remove_entry_inner(request).await)
    }

    #[instrument(name = "ReplayScreening", skip_all, fields(request_id = %request_id(&request)))]
    async fn replay_screening(
        &self,
        request: Request<pb::ReplayScreeningRequest>,
    ) -> Result<Response<pb::ReplayScreeningResponse>, Status> {
        respond(self.replay_inner(request.into_inner()).await)
    }
}

/// Longest entry or screening id accepted.
const MAX_ID: usize = 256;

/// Format of a list created by adding its first entry by hand.
const HAND_MADE_FORMAT: &str = "exportscreen-toml";

fn list_id_field(list_id: String) -> Result<String, ApiError> {
    let list_id = text(list_id, "list_id", MAX_TEXT, true)?;
    if !is_valid_list_id(&list_id) {
        return Err(ApiError::invalid(
            "list_id",
            format!("{list_id:?} is not a list id"),
        ));
    }
    Ok(list_id)
}

impl ListApi {
    /// A list version with its content: the current one from memory, older
    /// ones from the store.
    async fn version(&self, list_id: &str, version: u64) -> Result<LoadedList, ApiError> {
        let current = self.state.current_lists();
        if let Some(l) = current.get(list_id) {
            if version == 0 || version == l.meta.version {
                return Ok(l.clone());
            }
        } else if version == 0 {
            return Err(ApiError::not_found(format!("list {list_id}")));
        }
        let store = self.state.store().clone();
        let id = list_id.to_string();
        let (meta, content) = tokio::task::spawn_blocking(move || {
            Ok::<_, ApiError>((
                store.list_meta(&id, version)?,
                store.list_content(&id, version)?,
            ))
        })
        .await??;
        Ok(LoadedList {
            meta,
            content: Arc::new(content),
        })
    }

    async fn list_versions_inner(
        &self,
        req: pb::ListVersionsRequest,
    ) -> Result<pb::ListVersionsResponse, ApiError> {
        let list_id = list_id_field(req.list_id)?;
        let store = self.state.store().clone();
        let versions = tokio::task::spawn_blocking(move || {
            let history = store.list_history(&list_id)?;
            if history.is_empty() {
                return Err(ApiError::not_found(format!("list {list_id}")));
            }
            history
                .iter()
                .map(|m| {
                    Ok(version_to_pb(
                        m,
                        store.version_change(&m.list_id, m.version)?,
                        store.rescreen(&m.list_id, m.version)?,
                    ))
                })
                .collect::<Result<Vec<_>, ApiError>>()
        })
        .await??;
        Ok(pb::ListVersionsResponse { versions })
    }

    async fn get_entry_inner(
        &self,
        req: pb::GetEntryRequest,
    ) -> Result<pb::GetEntryResponse, ApiError> {
        let pb::GetEntryRequest {
            list_id,
            version,
            entry_id,
        } = req;
        let list_id = list_id_field(list_id)?;
        let entry_id = text(entry_id, "entry_id", MAX_ID, true)?;
        let l = self.version(&list_id, version).await?;
        let keys = identity_keys(&l.meta.format, &l.content);
        let at = lists::edit::position(&l.content, entry_id.trim())
            .or_else(|| keys.iter().position(|k| k == entry_id.trim()))
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "entry {entry_id} in {list_id} version {}",
                    l.meta.version
                ))
            })?;
        Ok(pb::GetEntryResponse {
            list_id,
            version: l.meta.version,
            entry: Some(entry_to_pb(&l.content, at, &keys[at])),
        })
    }

    async fn diff_inner(
        &self,
        req: pb::DiffVersionsRequest,
    ) -> Result<pb::DiffVersionsResponse, ApiError> {
        let pb::DiffVersionsRequest {
            list_id,
            from_version,
            to_version,
            limit,
        } = req;
        let list_id = list_id_field(list_id)?;
        if from_version == 0 {
            return Err(ApiError::invalid(
                "from_version",
                "required: a version number",
            ));
        }
        let from = self.version(&list_id, from_version).await?;
        let to = self.version(&list_id, to_version).await?;
        let limit = if limit == 0 {
            usize::MAX
        } else {
            limit as usize
        };
        tokio::task::spawn_blocking(move || {
            let d = lists::diff(
                &from.meta.format,
                &from.content,
                &to.meta.format,
                &to.content,
            );
            let old_keys = identity_keys(&from.meta.format, &from.content);
            let new_keys = identity_keys(&to.meta.format, &to.content);
            let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
            Ok(pb::DiffVersionsResponse {
                list_id: from.meta.list_id.clone(),
                from_version: from.meta.version,
                to_version: to.meta.version,
                added_count: count(d.added.len()),
                removed_count: count(d.removed.len()),
                changed_count: count(d.changed.len()),
                added: d
                    .added
                    .iter()
                    .take(limit)
                    .map(|&i| entry_to_pb(&to.content, i, &new_keys[i]))
                    .collect(),
                removed: d
                    .removed
                    .iter()
                    .take(limit)
                    .map(|&i| entry_to_pb(&from.content, i, &old_keys[i]))
                    .collect(),
                changed: d
                    .changed
                    .iter()
                    .take(limit)
                    .map(|c| pb::ChangedEntry {
                        identity_key: c.key.clone(),
                        fields: c.fields.iter().map(|f| f.to_string()).collect(),
                        before: Some(entry_to_pb(&from.content, c.old, &old_keys[c.old])),
                        after: Some(entry_to_pb(&to.content, c.new, &new_keys[c.new])),
                    })
                    .collect(),
            })
        })
        .await?
    }

    /// Applies an edit and answers with the new version.
    async fn edit<F>(
        &self,
        list_id: &str,
        expected_version: u64,
        info: EditInfo,
        edit: F,
    ) -> Result<pb::EditEntryResponse, ApiError>
    where
        F: FnOnce(Option<&LoadedList>) -> Result<(ListContent, String, String), ApiError>,
    {
        let done = self
            .state
            .edit(list_id, expected_version, info, edit)
            .await?;
        let meta = &done.list.meta;
        info!(
            list_id = %meta.list_id,
            version = meta.version,
            origin = %done.change.origin,
            entry_id = %done.change.entry_id,
            author = %meta.author,
            "entry edited"
        );
        Ok(pb::EditEntryResponse {
            list_id: meta.list_id.clone(),
            version: meta.version,
            entry_id: done.change.entry_id.clone(),
            info: Some(list_info(meta)),
        })
    }

    async fn add_entry_inner(
        &self,
        req: Request<pb::AddEntryRequest>,
    ) -> Result<pb::EditEntryResponse, ApiError> {
        let author = author(&req)?;
        let pb::AddEntryRequest {
            list_id,
            reason,
            entry,
            expected_version,
        } = req.into_inner();
        let list_id = list_id_field(list_id)?;
        let reason = text(reason, "reason", MAX_TEXT, false)?;
        let entry = entry_from_pb(entry, "entry")?;
        let info = EditInfo {
            author,
            reason,
            origin: "entry.add".into(),
        };
        let id = list_id.clone();
        self.edit(&list_id, expected_version, info, move |base| {
            let (format, content) = match base {
                Some(b) => (b.meta.format.clone(), b.content.as_ref().clone()),
                // A new list, made by hand.
                None => (
                    HAND_MADE_FORMAT.to_string(),
                    match &entry {
                        NewEntry::Denial(_) => ListContent::Denial(Vec::new()),
                        NewEntry::Control(_) => ListContent::Control(Vec::new()),
                    },
                ),
            };
            let (next, entry_id) = lists::edit::add(&id, &format, &content, entry)?;
            Ok((next, entry_id, format))
        })
        .await
    }

    async fn update_entry_inner(
        &self,
        req: Request<pb::UpdateEntryRequest>,
    ) -> Result<pb::EditEntryResponse, ApiError> {
        let author = author(&req)?;
        let pb::UpdateEntryRequest {
            list_id,
            entry_id,
            reason,
            entry,
            expected_version,
        } = req.into_inner();
        let list_id = list_id_field(list_id)?;
        let entry_id = text(entry_id, "entry_id", MAX_ID, true)?.trim().to_string();
        let reason = text(reason, "reason", MAX_TEXT, false)?;
        let entry = entry_from_pb(entry, "entry")?;
        let info = EditInfo {
            author,
            reason,
            origin: "entry.update".into(),
        };
        let id = list_id.clone();
        self.edit(&list_id, expected_version, info, move |base| {
            let b = base.ok_or_else(|| ApiError::not_found(format!("list {id}")))?;
            let next = lists::edit::update(&id, &b.meta.format, &b.content, &entry_id, entry)?;
            Ok((next, entry_id, b.meta.format.clone()))
        })
        .await
    }

    async fn remove_entry_inner(
        &self,
        req: Request<pb::RemoveEntryRequest>,
    ) -> Result<pb::EditEntryResponse, ApiError> {
        let author = author(&req)?;
        let pb::RemoveEntryRequest {
            list_id,
            entry_id,
            reason,
            expected_version,
        } = req.into_inner();
        let list_id = list_id_field(list_id)?;
        let entry_id = text(entry_id, "entry_id", MAX_ID, true)?.trim().to_string();
        let reason = text(reason, "reason", MAX_TEXT, false)?;
        let info = EditInfo {
            author,
            reason,
            origin: "entry.remove".into(),
        };
        let id = list_id.clone();
        self.edit(&list_id, expected_version, info, move |base| {
            let b = base.ok_or_else(|| ApiError::not_found(format!("list {id}")))?;
            let next = lists::edit::remove(&id, &b.meta.format, &b.content, &entry_id)?;
            Ok((next, entry_id, b.meta.format.clone()))
        })
        .await
    }

    async fn replay_inner(
        &self,
        req: pb::ReplayScreeningRequest,
    ) -> Result<pb::ReplayScreeningResponse, ApiError> {
        let id = text(req.screening_id, "screening_id", MAX_ID, true)?;
        let id = id.trim().to_string();
        let store = self.state.store().clone();
        let record = tokio::task::spawn_blocking(move || store.screening(&id)).await??;
        let used = record.outcome.list_versions.clone();
        let live = self.state.engine();
        let engine = if live.list_versions() == used {
            live
        } else {
            let mut lists = Vec::with_capacity(used.len());
            for v in &used {
                let l = self.version(&v.list_id, v.version).await?;
                if l.meta.checksum != v.checksum {
                    return Err(ApiError::Internal(format!(
                        "stored {}@{} has checksum {}, the screening recorded {}",
                        v.list_id, v.version, l.meta.checksum, v.checksum
                    )));
                }
                lists.push(l);
            }
            let reference = self.state.reference().clone();
            Arc::new(tokio::task::spawn_blocking(move || Engine::build(&lists, &reference)).await??)
        };
        let replayed = engine.screen_shipment(&record.shipment);
        let differences = finding_differences(&record.outcome.findings, &replayed.findings);
        Ok(pb::ReplayScreeningResponse {
            screening_id: record.screening_id,
            list_versions: used.into_iter().map(convert::list_version_to_pb).collect(),
            original_decision: convert::decision_to_pb(record.outcome.decision).into(),
            replayed_decision: convert::decision_to_pb(replayed.decision).into(),
            same_decision: record.outcome.decision == replayed.decision,
            same_findings: differences.is_empty(),
            differences,
            policy_changed: record.outcome.policy.version != replayed.policy.version,
            findings: replayed
                .findings
                .into_iter()
                .map(convert::finding_to_pb)
                .collect(),
        })
    }
}

/// Findings one side has and the other lacks, compared by target, list,
/// entry, rule, decision and score (to 4 decimals).
fn finding_differences(original: &[Finding], replayed: &[Finding]) -> Vec<String> {
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
