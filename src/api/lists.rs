//! ListService: imports list files (client stream of a header and 1 MiB
//! chunks) and reports list versions.
//!
//! An import is received whole, parsed on a blocking thread, and committed
//! through [`AppState::commit`]: the new version is live only if every file
//! parsed and the engine built; otherwise the previous version stays live
//! and the client gets INVALID_ARGUMENT naming the file and line.

use std::sync::Arc;
use std::time::Instant;

use tonic::{Request, Response, Status, Streaming};
use tracing::{info, instrument};

use super::convert::{MAX_TEXT, text};
use super::pb;
use super::pb::import_list_request::Msg;
use super::pb::list_service_server::ListService;
use super::state::{AppState, NewVersion};
use super::status::ApiError;
use super::{ACTOR_HEADER, request_id, respond};
use crate::lists::describe_files;
use crate::lists::{self, ImportError, SourceData};
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
const MAX_ACTOR: usize = 128;
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
        let author = actor(&req)?;
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

/// The author of a change: `x-exportscreen-actor` metadata, else anonymous.
fn actor<T>(req: &Request<T>) -> Result<String, ApiError> {
    let Some(v) = req.metadata().get(ACTOR_HEADER) else {
        return Ok(ANONYMOUS.to_string());
    };
    let field = format!("metadata.{ACTOR_HEADER}");
    let v = v
        .to_str()
        .map_err(|_| ApiError::invalid(&field, "must be printable ASCII"))?;
    let v = text(v.trim().to_string(), &field, MAX_ACTOR, true)?;
    Ok(v)
}

/// Receives the header and the files; checks sizes as data arrives.
async fn receive(mut inbound: Streaming<pb::ImportListRequest>) -> Result<Upload, ApiError> {
    let first = inbound.message().await.map_err(stream_error)?;
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
    while let Some(msg) = inbound.message().await.map_err(stream_error)? {
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

/// The client's stream broke (cancelled, reset, undecodable message).
fn stream_error(status: Status) -> ApiError {
    ApiError::Stream(Box::new(status))
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
}
