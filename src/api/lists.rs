//! ListService: imports list files (client stream of a header and 1 MiB
//! chunks), reports lists and their history (versions, entries as of a
//! version, diffs), edits single entries by hand, and replays stored
//! screenings against the list versions they used.
//!
//! An import is received whole here (sizes checked as data arrives), then
//! handed to [`crate::service::Lists::import`]: the new version is live
//! only if every file parsed and the engine built; otherwise the previous
//! version stays live and the client gets INVALID_ARGUMENT naming the file
//! and line. An edit becomes a version like an import
//! ([`crate::service::Lists::edit`]).
//!
//! The author of a change is the caller's principal; without access control
//! (the anonymous caller) the `x-exportscreen-actor` metadata names it.

use std::time::Instant;

use tonic::{Request, Response, Status, Streaming};
use tracing::{info, instrument};

use super::convert::{self, MAX_TEXT, list_info, text};
use super::entries::{entry_from_pb, entry_to_pb, version_to_pb};
use super::pb;
use super::pb::import_list_request::Msg;
use super::pb::list_service_server::ListService;
use super::status::ApiError;
use super::{request_id, respond};
use crate::ids::{Actor, EntryId, ListId, ScreeningId};
use crate::lists::{self, ImportError, SourceData};
use crate::model::ListKind;
use crate::service::{Committed, EditInfo, EntryEdit, ImportRequest, Services};

/// Most data in one chunk.
pub const MAX_CHUNK: usize = 1 << 20;
/// Most data in one import (all files).
pub use crate::service::refresh::MAX_UPLOAD;
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
    services: Services,
}

/// A received import: the validated header and the files.
#[derive(Debug)]
struct Upload {
    list_id: ListId,
    format: String,
    reason: String,
    options: lists::ImportOptions,
    files: Vec<SourceData>,
}

impl ListApi {
    /// Serves from `services`.
    pub fn new(services: Services) -> ListApi {
        ListApi { services }
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
            options,
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

        let Committed { list, .. } = self
            .services
            .lists
            .import(ImportRequest {
                list_id,
                format,
                reason,
                author: Actor::new(author),
                files,
                options,
            })
            .await?;
        let meta = list.meta;
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
        self.services
            .lists
            .get(&list_id)
            .map(|m| list_info(&m))
            .ok_or_else(|| ApiError::not_found(format!("list {list_id}")))
    }

    #[instrument(name = "ListLists", skip_all, fields(request_id = %request_id(&req)))]
    async fn list_lists_traced(
        &self,
        req: Request<pb::ListListsRequest>,
    ) -> Result<Response<pb::ListListsResponse>, Status> {
        let pb::ListListsRequest {} = req.into_inner();
        // The screened lists, then the retired ones (kept for replay).
        let current = self.services.lists.current();
        let retired = current.lists.values().filter(|l| l.meta.retired);
        respond(Ok(pb::ListListsResponse {
            lists: current
                .engine
                .lists()
                .iter()
                .chain(retired.map(|l| &l.meta))
                .map(list_info)
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
        options,
    } = header;
    let list_id =
        ListId::parse(&list_id).map_err(|e| ApiError::invalid("header.list_id", e.to_string()))?;
    // Checked before any data arrives, so a typo costs no upload.
    if !lists::FORMATS.contains(&format.as_str()) {
        return Err(ImportError::UnknownFormat {
            format: format.chars().take(80).collect(),
            known: lists::FORMATS.join(", "),
        }
        .into());
    }
    let reason = text(reason, "header.reason", MAX_TEXT, false)?;
    let mut opts = lists::ImportOptions::new();
    for (k, v) in options {
        let v = text(v, &format!("header.options[{k}]"), MAX_TEXT, false)?;
        opts.insert(k, v);
    }
    // Also before any data arrives.
    if let Ok(f) = lists::format(&format) {
        lists::format::check_options(f, &opts)?;
    }

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
        options: opts,
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

    #[instrument(name = "CreateList", skip_all, fields(request_id = %request_id(&request)))]
    async fn create_list(
        &self,
        request: Request<pb::CreateListRequest>,
    ) -> Result<Response<pb::ListInfo>, Status> {
        respond(self.create_list_inner(request).await)
    }

    #[instrument(name = "RetireList", skip_all, fields(request_id = %request_id(&request)))]
    async fn retire_list(
        &self,
        request: Request<pb::RetireListRequest>,
    ) -> Result<Response<pb::ListInfo>, Status> {
        respond(self.retire_list_inner(request).await)
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

fn list_id_field(list_id: String) -> Result<ListId, ApiError> {
    let list_id = text(list_id, "list_id", MAX_TEXT, true)?;
    ListId::parse(&list_id).map_err(|e| ApiError::invalid("list_id", e.to_string()))
}

impl ListApi {
    async fn list_versions_inner(
        &self,
        req: pb::ListVersionsRequest,
    ) -> Result<pb::ListVersionsResponse, ApiError> {
        let list_id = list_id_field(req.list_id)?;
        let versions = self.services.lists.versions(&list_id).await?;
        Ok(pb::ListVersionsResponse {
            versions: versions.into_iter().map(version_to_pb).collect(),
        })
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
        let e = self
            .services
            .lists
            .entry(&list_id, version, &entry_id)
            .await?;
        Ok(pb::GetEntryResponse {
            list_id: list_id.to_string(),
            version: e.list.meta.version,
            entry: Some(entry_to_pb(&e.list.content, e.index, &e.identity_key)),
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
        let limit = if limit == 0 {
            usize::MAX
        } else {
            limit as usize
        };
        let v = self
            .services
            .lists
            .diff(&list_id, from_version, to_version)
            .await?;
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let (from, to, d) = (&v.from, &v.to, &v.diff);
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
                .map(|&i| entry_to_pb(&to.content, i, &v.to_keys[i]))
                .collect(),
            removed: d
                .removed
                .iter()
                .take(limit)
                .map(|&i| entry_to_pb(&from.content, i, &v.from_keys[i]))
                .collect(),
            changed: d
                .changed
                .iter()
                .take(limit)
                .map(|c| pb::ChangedEntry {
                    identity_key: c.key.clone(),
                    fields: c.fields.iter().map(|f| f.to_string()).collect(),
                    before: Some(entry_to_pb(&from.content, c.old, &v.from_keys[c.old])),
                    after: Some(entry_to_pb(&to.content, c.new, &v.to_keys[c.new])),
                })
                .collect(),
        })
    }

    /// Applies an edit and answers with the new version.
    async fn edit(
        &self,
        list_id: ListId,
        expected_version: u64,
        info: EditInfo,
        edit: EntryEdit,
    ) -> Result<pb::EditEntryResponse, ApiError> {
        let done = self
            .services
            .lists
            .edit(&list_id, expected_version, info, edit)
            .await?;
        let meta = &done.list.meta;
        let entry_id = done
            .change
            .entry_id
            .as_ref()
            .map_or(String::new(), |e| e.to_string());
        info!(
            list_id = %meta.list_id,
            version = meta.version,
            origin = %done.change.origin,
            entry_id = %entry_id,
            author = %meta.author,
            "entry edited"
        );
        Ok(pb::EditEntryResponse {
            list_id: meta.list_id.clone(),
            version: meta.version,
            entry_id,
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
            author: Actor::new(author),
            reason,
        };
        self.edit(list_id, expected_version, info, EntryEdit::Add(entry))
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
        let entry_id = EntryId::new(text(entry_id, "entry_id", MAX_ID, true)?);
        let reason = text(reason, "reason", MAX_TEXT, false)?;
        let entry = entry_from_pb(entry, "entry")?;
        let info = EditInfo {
            author: Actor::new(author),
            reason,
        };
        self.edit(
            list_id,
            expected_version,
            info,
            EntryEdit::Update(entry_id, entry),
        )
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
        let entry_id = EntryId::new(text(entry_id, "entry_id", MAX_ID, true)?);
        let reason = text(reason, "reason", MAX_TEXT, false)?;
        let info = EditInfo {
            author: Actor::new(author),
            reason,
        };
        self.edit(list_id, expected_version, info, EntryEdit::Remove(entry_id))
            .await
    }

    async fn create_list_inner(
        &self,
        req: Request<pb::CreateListRequest>,
    ) -> Result<pb::ListInfo, ApiError> {
        let author = author(&req)?;
        let pb::CreateListRequest {
            list_id,
            kind,
            reason,
        } = req.into_inner();
        let list_id = list_id_field(list_id)?;
        let reason = text(reason, "reason", MAX_TEXT, false)?;
        let kind = match pb::ListKind::try_from(kind) {
            Ok(pb::ListKind::Denial) => ListKind::Denial,
            Ok(pb::ListKind::Control) => ListKind::Control,
            Ok(pb::ListKind::Unspecified) | Err(_) => {
                return Err(ApiError::invalid(
                    "kind",
                    format!("LIST_KIND_DENIAL or LIST_KIND_CONTROL, got {kind}"),
                ));
            }
        };
        let info = EditInfo {
            author: Actor::new(author),
            reason,
        };
        let done = self
            .services
            .lists
            .edit(&list_id, 0, info, EntryEdit::Create(kind))
            .await?;
        info!(list_id = %list_id, kind = %done.list.meta.kind, "list created");
        Ok(list_info(&done.list.meta))
    }

    async fn retire_list_inner(
        &self,
        req: Request<pb::RetireListRequest>,
    ) -> Result<pb::ListInfo, ApiError> {
        let author = author(&req)?;
        let pb::RetireListRequest {
            list_id,
            reason,
            expected_version,
        } = req.into_inner();
        let list_id = list_id_field(list_id)?;
        let reason = text(reason, "reason", MAX_TEXT, true)?;
        let info = EditInfo {
            author: Actor::new(author),
            reason,
        };
        let done = self
            .services
            .lists
            .edit(&list_id, expected_version, info, EntryEdit::Retire)
            .await?;
        info!(list_id = %list_id, version = done.list.meta.version, "list retired");
        Ok(list_info(&done.list.meta))
    }

    async fn replay_inner(
        &self,
        req: pb::ReplayScreeningRequest,
    ) -> Result<pb::ReplayScreeningResponse, ApiError> {
        let id = text(req.screening_id, "screening_id", MAX_ID, true)?;
        let r = self.services.lists.replay(ScreeningId::new(id)).await?;
        let record = r.record;
        Ok(pb::ReplayScreeningResponse {
            screening_id: record.screening_id.into_string(),
            list_versions: record
                .outcome
                .list_versions
                .into_iter()
                .map(convert::list_version_to_pb)
                .collect(),
            original_decision: convert::decision_to_pb(record.outcome.decision).into(),
            replayed_decision: convert::decision_to_pb(r.replayed.decision).into(),
            same_decision: record.outcome.decision == r.replayed.decision,
            same_findings: r.differences.is_empty(),
            differences: r.differences,
            policy_changed: r.policy_changed,
            findings: r
                .replayed
                .findings
                .into_iter()
                .map(convert::finding_to_pb)
                .collect(),
        })
    }
}
