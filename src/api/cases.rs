//! CaseService and AuditService: the licensing officers' queue, cases with
//! their evidence, officers' commands, the console stream, reports, and the
//! audit trail's verification and export.
//!
//! Handlers are thin: validate ([`convert`]), check the caller may see the
//! case's exporter (another exporter's case is NOT_FOUND, as if it did not
//! exist), run the pure workflow ([`crate::cases::workflow`]) inside one
//! store transaction, flush, tell consoles ([`hub`]), answer. The actor of
//! every change is the caller's principal ([`actor_of`]). What an exporter
//! may see of its cases is decided in one place ([`boundary`]).

pub mod boundary;
pub mod convert;
pub mod hub;
pub mod intake;

use std::pin::Pin;
use std::sync::Arc;

use futures::Stream;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};
use tracing::{Instrument, debug, info, info_span, instrument};

use super::caller::{Caller, Role};
use super::convert::{MAX_TEXT, text};
use super::pb;
use super::pb::audit_service_server::AuditService;
use super::pb::case_service_server::CaseService;
use super::state::{AppState, now_unix_ms};
use super::status::ApiError;
use super::{ACTOR_HEADER, request_id, respond};
use crate::cases::keys;
use crate::cases::report::{Period, report};
use crate::cases::workflow::{self, Command, Ctx, MarkTarget, ScreeningView, SuppressionKey};
use crate::cases::{CaseChange, CaseFilter, CasePriority, CaseRecord, CheckKind, facts};
use crate::store::audit::ChainCheck;

/// Longest id accepted (case, screening, suppression).
const MAX_ID: usize = 128;
/// Longest officer name in bytes.
const MAX_ACTOR: usize = 128;
/// Default queue page.
pub const DEFAULT_PAGE: usize = 50;
/// Largest queue page.
pub const MAX_PAGE: usize = 1000;
/// Events buffered ahead of a slow console.
const STREAM_BUFFER: usize = 64;
/// An exporter name no shipment can have (control characters are refused):
/// a caller who may not see it is limited to its own exporter.
const NO_EXPORTER: &str = "\u{0}";

/// Who acts: the caller's principal. An ADMIN caller (a console or
/// integration acting for people) and the anonymous caller (no access
/// control) may name the person with the `x-exportscreen-actor` metadata;
/// for every other caller the metadata is ignored.
///
/// # Errors
/// INVALID_ARGUMENT for unprintable or over-long metadata.
pub fn actor_of<T>(req: &Request<T>) -> Result<String, ApiError> {
    let caller = Caller::of(req);
    if caller != Caller::anonymous() && !caller.roles.contains(&Role::Admin) {
        return Ok(caller.principal);
    }
    let Some(v) = req.metadata().get(ACTOR_HEADER) else {
        return Ok(caller.principal);
    };
    let field = format!("metadata.{ACTOR_HEADER}");
    let v = v
        .to_str()
        .map_err(|_| ApiError::invalid(&field, "must be printable ASCII"))?;
    text(v.trim().to_string(), &field, MAX_ACTOR, true)
}

/// The exporter a caller is limited to: `None` when it sees every exporter,
/// `Some(None)` when it sees none, `Some(Some(e))` for exporter `e`.
fn exporter_scope(caller: &Caller) -> Option<Option<&str>> {
    if caller.may_see_exporter(NO_EXPORTER) {
        return None;
    }
    Some(
        caller
            .exporter
            .as_deref()
            .filter(|e| caller.may_see_exporter(e)),
    )
}

/// Restricts a queue filter to what the caller may see; `None` when the
/// answer is empty whatever the store holds (an exporter asking for
/// another exporter's cases).
pub fn scope_filter(caller: &Caller, mut filter: CaseFilter) -> Option<CaseFilter> {
    match exporter_scope(caller) {
        None => Some(filter),
        Some(None) => None,
        Some(Some(own)) => {
            if filter.exporter.as_deref().is_some_and(|e| e.trim() != own) {
                return None;
            }
            filter.exporter = Some(own.to_string());
            Some(filter)
        }
    }
}

/// A case the caller may see, or NOT_FOUND (also for other exporters'
/// cases: their existence is not revealed).
fn visible(caller: &Caller, case: CaseRecord) -> Result<CaseRecord, ApiError> {
    if caller.may_see_exporter(&case.exporter) {
        Ok(case)
    } else {
        Err(crate::store::StoreError::NotFound {
            what: "case",
            id: case.case_id,
        }
        .into())
    }
}

/// A required id field.
fn id(value: String, field: &str) -> Result<String, ApiError> {
    Ok(text(value, field, MAX_ID, true)?.trim().to_string())
}

/// A required reason.
fn reason(value: String) -> Result<String, ApiError> {
    Ok(text(value, "reason", MAX_TEXT, true)?.trim().to_string())
}

/// The case service.
#[derive(Clone, Debug)]
pub struct CaseApi {
    state: Arc<AppState>,
}

impl CaseApi {
    /// Serves from `state`.
    pub fn new(state: Arc<AppState>) -> CaseApi {
        CaseApi { state }
    }

    /// Reads a case the caller may see.
    async fn read_case(&self, caller: &Caller, case_id: &str) -> Result<CaseRecord, ApiError> {
        let store = self.state.store().clone();
        let id = case_id.to_string();
        let case = tokio::task::spawn_blocking(move || store.case(&id)).await??;
        visible(caller, case)
    }

    /// Runs a command on a case in one transaction; flushes; tells consoles.
    async fn act(
        &self,
        caller: &Caller,
        actor: String,
        case_id: String,
        reason: String,
        cmd: Command,
    ) -> Result<pb::CaseActionResponse, ApiError> {
        self.read_case(caller, &case_id).await?;
        let store = self.state.store().clone();
        let at = now_unix_ms();
        let update = tokio::task::spawn_blocking(move || {
            store.update_case::<ApiError, _>(&case_id, &actor, at, |case, latest| {
                let ctx = Ctx {
                    actor: &actor,
                    reason: &reason,
                    at_unix_ms: at,
                    latest: latest.map(|r| ScreeningView {
                        screening_id: &r.screening_id,
                        findings: &r.outcome.findings,
                        suppressed: &r.suppressed,
                        facts: &r.facts,
                        parties: &r.shipment.parties,
                    }),
                };
                Ok(workflow::apply(case, &cmd, &ctx).map_err(crate::Error::from)?)
            })
        })
        .await??;
        self.state.store().flush().await?;
        info!(
            case_id = %update.case.case_id,
            action = %update.change.action,
            actor = %update.change.actor,
            status = update.case.status.as_str(),
            "case changed"
        );
        let suppression_id = update
            .audit
            .iter()
            .find(|a| a.action == "suppression.create")
            .map(|a| a.subject.clone())
            .unwrap_or_default();
        let audit_seqs = update.audit.iter().map(|a| a.seq).collect();
        self.state.cases().publish(update.change);
        Ok(pb::CaseActionResponse {
            case: Some(convert::summary_to_pb(update.case.summary())),
            audit_seqs,
            suppression_id,
        })
    }

    async fn list_cases_inner(
        &self,
        caller: &Caller,
        req: pb::ListCasesRequest,
    ) -> Result<pb::ListCasesResponse, ApiError> {
        let filter = convert::filter(&req)?;
        let size = match req.page_size as usize {
            0 => DEFAULT_PAGE,
            n if n > MAX_PAGE => {
                return Err(ApiError::invalid(
                    "page_size",
                    format!("at most {MAX_PAGE}, got {n} (0 means {DEFAULT_PAGE})"),
                ));
            }
            n => n,
        };
        let after = match req.page_token.trim() {
            "" => None,
            t => Some(
                hex::decode(t)
                    .ok()
                    .filter(|p| crate::store::keys::is_queue_position(p))
                    .ok_or_else(|| {
                        ApiError::invalid("page_token", "not a token from a previous answer")
                    })?,
            ),
        };
        let Some(filter) = scope_filter(caller, filter) else {
            return Ok(pb::ListCasesResponse::default());
        };
        let store = self.state.store().clone();
        let page =
            tokio::task::spawn_blocking(move || store.list_cases(&filter, after.as_deref(), size))
                .await??;
        debug!(
            cases = page.cases.len(),
            more = page.next.is_some(),
            "queue page"
        );
        Ok(pb::ListCasesResponse {
            cases: page
                .cases
                .into_iter()
                .filter(|c| caller.may_see_exporter(&c.exporter))
                .map(convert::summary_to_pb)
                .collect(),
            next_page_token: page.next.map(hex::encode).unwrap_or_default(),
        })
    }

    async fn get_case_inner(
        &self,
        caller: &Caller,
        req: pb::GetCaseRequest,
    ) -> Result<pb::Case, ApiError> {
        let case_id = id(req.case_id, "case_id")?;
        let case = self.read_case(caller, &case_id).await?;
        let store = self.state.store().clone();
        let ids = case.screening_ids.clone();
        let screenings = tokio::task::spawn_blocking(move || {
            ids.iter()
                .map(|id| store.screening(id))
                .collect::<Result<Vec<_>, _>>()
        })
        .await??;
        Ok(convert::case_to_pb(case, screenings))
    }

    async fn claim_inner(
        &self,
        req: Request<pb::ClaimCaseRequest>,
    ) -> Result<pb::CaseActionResponse, ApiError> {
        let (caller, actor) = (Caller::of(&req), actor_of(&req)?);
        let pb::ClaimCaseRequest {
            case_id,
            assignee,
            reason,
        } = req.into_inner();
        let case_id = id(case_id, "case_id")?;
        let assignee = text(assignee, "assignee", MAX_ACTOR, false)?
            .trim()
            .to_string();
        let assignee = if assignee.is_empty() {
            actor.clone()
        } else {
            assignee
        };
        let reason = text(reason, "reason", MAX_TEXT, false)?.trim().to_string();
        self.act(&caller, actor, case_id, reason, Command::Claim { assignee })
            .await
    }

    async fn request_info_inner(
        &self,
        req: Request<pb::RequestInfoRequest>,
    ) -> Result<pb::CaseActionResponse, ApiError> {
        let (caller, actor) = (Caller::of(&req), actor_of(&req)?);
        let pb::RequestInfoRequest { case_id, reason: r } = req.into_inner();
        let case_id = id(case_id, "case_id")?;
        let r = reason(r)?;
        self.act(&caller, actor, case_id, r, Command::RequestInfo)
            .await
    }

    async fn decide_inner(
        &self,
        req: Request<pb::DecideCaseRequest>,
    ) -> Result<pb::CaseActionResponse, ApiError> {
        let (caller, actor) = (Caller::of(&req), actor_of(&req)?);
        let pb::DecideCaseRequest {
            case_id,
            decision,
            reason: r,
            post_shipment_check_due_unix_ms,
        } = req.into_inner();
        let case_id = id(case_id, "case_id")?;
        let decision = convert::case_decision(decision, "decision")?;
        let r = reason(r)?;
        let due = convert::optional_time(post_shipment_check_due_unix_ms);
        if due.is_some() && decision == crate::cases::CaseDecision::Deny {
            return Err(ApiError::invalid(
                "post_shipment_check_due_unix_ms",
                "only an approval can have a post-shipment check",
            ));
        }
        self.act(
            &caller,
            actor,
            case_id,
            r,
            Command::Decide {
                decision,
                check_due_unix_ms: due,
            },
        )
        .await
    }

    async fn mark_inner(
        &self,
        req: Request<pb::MarkFindingRequest>,
    ) -> Result<pb::CaseActionResponse, ApiError> {
        let (caller, actor) = (Caller::of(&req), actor_of(&req)?);
        let pb::MarkFindingRequest {
            case_id,
            screening_id,
            finding_index,
            verdict,
            reason: r,
        } = req.into_inner();
        let case_id = id(case_id, "case_id")?;
        let screening_id = id(screening_id, "screening_id")?;
        let verdict = convert::verdict(verdict, "verdict")?;
        let r = reason(r)?;
        let case = self.read_case(&caller, &case_id).await?;
        if !case.screening_ids.contains(&screening_id) {
            return Err(
                crate::Error::from(crate::cases::CaseError::ScreeningNotInCase {
                    case_id,
                    screening_id,
                })
                .into(),
            );
        }
        let store = self.state.store();
        let screening = store.screening(&screening_id)?;
        let index = finding_index as usize;
        let finding = screening.outcome.findings.get(index).cloned();
        let party = finding
            .as_ref()
            .and_then(|f| keys::finding_party(f, &screening.shipment.parties))
            .cloned();
        let match_kind = finding
            .as_ref()
            .map(|f| keys::match_kind(f, screening.outcome.policy.party_near_exact_threshold))
            .unwrap_or_default()
            .to_string();
        let mut key = None;
        if let (Some(f), Some(p)) = (finding.as_ref().filter(|f| keys::suppressible(f)), &party) {
            if let Some(version) = screening
                .outcome
                .list_versions
                .iter()
                .find(|v| v.list_id == f.list_id)
            {
                let engine = self.state.engine();
                let party_key = facts::party_key(&engine, p);
                drop(engine);
                let fingerprint = self
                    .state
                    .cases()
                    .fingerprint(store, &f.list_id, version.version, &f.entry_id)
                    .await?;
                if let Some(entry_fingerprint) = fingerprint {
                    key = Some(SuppressionKey {
                        party_key,
                        entry_fingerprint,
                        judged_version: version.clone(),
                        new_id: store.new_suppression_id()?,
                    });
                }
            }
        }
        let target = MarkTarget {
            screening_id,
            finding_index: index,
            findings_count: screening.outcome.findings.len(),
            finding,
            party,
            match_kind,
            key,
            verdict,
        };
        self.act(&caller, actor, case_id, r, Command::Mark(Box::new(target)))
            .await
    }

    async fn schedule_inner(
        &self,
        req: Request<pb::ScheduleCheckRequest>,
    ) -> Result<pb::CaseActionResponse, ApiError> {
        let (caller, actor) = (Caller::of(&req), actor_of(&req)?);
        let pb::ScheduleCheckRequest {
            case_id,
            due_unix_ms,
            reason: r,
        } = req.into_inner();
        let case_id = id(case_id, "case_id")?;
        let Some(due) = convert::optional_time(due_unix_ms).filter(|t| *t > 0) else {
            return Err(ApiError::invalid(
                "due_unix_ms",
                "required: when the check is due",
            ));
        };
        let r = text(r, "reason", MAX_TEXT, false)?.trim().to_string();
        self.act(
            &caller,
            actor,
            case_id,
            r,
            Command::ScheduleCheck { due_unix_ms: due },
        )
        .await
    }

    async fn record_check_inner(
        &self,
        req: Request<pb::RecordCheckRequest>,
    ) -> Result<pb::CaseActionResponse, ApiError> {
        let (caller, actor) = (Caller::of(&req), actor_of(&req)?);
        let pb::RecordCheckRequest {
            case_id,
            kind,
            document,
            reason: r,
        } = req.into_inner();
        let case_id = id(case_id, "case_id")?;
        let kind: CheckKind = convert::check_kind(kind, "kind")?;
        let document = text(document, "document", MAX_TEXT, false)?
            .trim()
            .to_string();
        let r = reason(r)?;
        self.act(
            &caller,
            actor,
            case_id,
            r,
            Command::RecordCheck { kind, document },
        )
        .await
    }

    async fn get_suppression_inner(
        &self,
        caller: &Caller,
        req: pb::GetSuppressionRequest,
    ) -> Result<pb::Suppression, ApiError> {
        let sid = id(req.suppression_id, "suppression_id")?;
        let s = self.state.store().suppression(&sid)?;
        // It came from a case: the caller must be able to see that case.
        let case = self.state.store().case(&s.case_id)?;
        if !caller.may_see_exporter(&case.exporter) {
            return Err(crate::store::StoreError::NotFound {
                what: "suppression",
                id: sid,
            }
            .into());
        }
        Ok(convert::suppression_to_pb(s))
    }

    async fn report_inner(
        &self,
        caller: &Caller,
        req: pb::GetReportRequest,
    ) -> Result<pb::Report, ApiError> {
        let period = Period {
            from_unix_ms: convert::optional_time(req.from_unix_ms),
            to_unix_ms: convert::optional_time(req.to_unix_ms),
        };
        let store = self.state.store().clone();
        let cases = tokio::task::spawn_blocking(move || store.all_cases()).await??;
        let now = now_unix_ms();
        let mine = cases
            .iter()
            .filter(|c| caller.may_see_exporter(&c.exporter));
        Ok(convert::report_to_pb(report(mine, now, period)))
    }

    fn watch(&self, req: Request<pb::WatchCasesRequest>) -> Result<WatchStream, ApiError> {
        let span = info_span!("WatchCases", request_id = %request_id(&req));
        let caller = Caller::of(&req);
        let pb::WatchCasesRequest {
            statuses,
            assignee,
            min_priority,
        } = req.into_inner();
        let statuses = statuses
            .iter()
            .enumerate()
            .map(|(i, n)| convert::status(*n, &format!("statuses[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        let min_priority = convert::priority(min_priority, "min_priority")?;
        let assignee = text(assignee, "assignee", MAX_ACTOR, false)?
            .trim()
            .to_string();
        let filter = CaseFilter {
            statuses,
            assignee: (!assignee.is_empty()).then_some(assignee),
            ..CaseFilter::default()
        };
        let scoped = scope_filter(&caller, filter);
        let mut events = self.state.cases().subscribe();
        let mut closed = self.state.cases().closed();
        let (tx, rx) = mpsc::channel(STREAM_BUFFER);
        tokio::spawn(
            async move {
                info!("console connected");
                let mut sent = 0u64;
                loop {
                    let event = tokio::select! {
                        _ = closed.wait_for(|c| *c) => break,
                        _ = tx.closed() => break,
                        e = events.recv() => e,
                    };
                    let msg = match event {
                        Ok(change) => {
                            if !wanted(&caller, scoped.as_ref(), min_priority, &change) {
                                continue;
                            }
                            boundary::event(&caller, convert::change_to_event(change))
                        }
                        Err(broadcast::error::RecvError::Lagged(missed)) => pb::CaseEvent {
                            kind: pb::case_event::Kind::Resync.into(),
                            missed,
                            ..pb::CaseEvent::default()
                        },
                        Err(broadcast::error::RecvError::Closed) => break,
                    };
                    if tx.send(Ok(msg)).await.is_err() {
                        break;
                    }
                    sent += 1;
                }
                info!(sent, "console disconnected");
            }
            .instrument(span),
        );
        Ok(Box::pin(ReceiverStream::new(rx)))
    }
}

/// True when a console with this scope wants to hear of `change`.
pub fn wanted(
    caller: &Caller,
    scope: Option<&CaseFilter>,
    min_priority: Option<CasePriority>,
    change: &CaseChange,
) -> bool {
    let s = &change.summary;
    scope.is_some_and(|f| f.matches(s))
        && caller.may_see_exporter(&s.exporter)
        && min_priority.is_none_or(|p| s.priority >= p)
}

/// The console stream.
pub type WatchStream = Pin<Box<dyn Stream<Item = Result<pb::CaseEvent, Status>> + Send>>;

#[tonic::async_trait]
impl CaseService for CaseApi {
    #[instrument(name = "ListCases", skip_all, fields(request_id = %request_id(&request)))]
    async fn list_cases(
        &self,
        request: Request<pb::ListCasesRequest>,
    ) -> Result<Response<pb::ListCasesResponse>, Status> {
        let caller = Caller::of(&request);
        let page = self.list_cases_inner(&caller, request.into_inner()).await;
        respond(page.map(|mut p| {
            p.cases = p
                .cases
                .into_iter()
                .map(|c| boundary::summary(&caller, c))
                .collect();
            p
        }))
    }

    #[instrument(name = "GetCase", skip_all, fields(request_id = %request_id(&request)))]
    async fn get_case(
        &self,
        request: Request<pb::GetCaseRequest>,
    ) -> Result<Response<pb::Case>, Status> {
        let caller = Caller::of(&request);
        let case = self.get_case_inner(&caller, request.into_inner()).await;
        respond(case.map(|c| boundary::case(&caller, c)))
    }

    #[instrument(name = "ClaimCase", skip_all, fields(request_id = %request_id(&request)))]
    async fn claim_case(
        &self,
        request: Request<pb::ClaimCaseRequest>,
    ) -> Result<Response<pb::CaseActionResponse>, Status> {
        respond(self.claim_inner(request).await)
    }

    #[instrument(name = "RequestInfo", skip_all, fields(request_id = %request_id(&request)))]
    async fn request_info(
        &self,
        request: Request<pb::RequestInfoRequest>,
    ) -> Result<Response<pb::CaseActionResponse>, Status> {
        respond(self.request_info_inner(request).await)
    }

    #[instrument(name = "DecideCase", skip_all, fields(request_id = %request_id(&request)))]
    async fn decide_case(
        &self,
        request: Request<pb::DecideCaseRequest>,
    ) -> Result<Response<pb::CaseActionResponse>, Status> {
        respond(self.decide_inner(request).await)
    }

    #[instrument(name = "MarkFinding", skip_all, fields(request_id = %request_id(&request)))]
    async fn mark_finding(
        &self,
        request: Request<pb::MarkFindingRequest>,
    ) -> Result<Response<pb::CaseActionResponse>, Status> {
        respond(self.mark_inner(request).await)
    }

    #[instrument(name = "ScheduleCheck", skip_all, fields(request_id = %request_id(&request)))]
    async fn schedule_check(
        &self,
        request: Request<pb::ScheduleCheckRequest>,
    ) -> Result<Response<pb::CaseActionResponse>, Status> {
        respond(self.schedule_inner(request).await)
    }

    #[instrument(name = "RecordCheck", skip_all, fields(request_id = %request_id(&request)))]
    async fn record_check(
        &self,
        request: Request<pb::RecordCheckRequest>,
    ) -> Result<Response<pb::CaseActionResponse>, Status> {
        respond(self.record_check_inner(request).await)
    }

    #[instrument(name = "GetSuppression", skip_all, fields(request_id = %request_id(&request)))]
    async fn get_suppression(
        &self,
        request: Request<pb::GetSuppressionRequest>,
    ) -> Result<Response<pb::Suppression>, Status> {
        let caller = Caller::of(&request);
        let s = self
            .get_suppression_inner(&caller, request.into_inner())
            .await;
        respond(s.map(|s| boundary::suppression(&caller, s)))
    }

    type WatchCasesStream = WatchStream;

    async fn watch_cases(
        &self,
        request: Request<pb::WatchCasesRequest>,
    ) -> Result<Response<Self::WatchCasesStream>, Status> {
        respond(self.watch(request))
    }

    #[instrument(name = "GetReport", skip_all, fields(request_id = %request_id(&request)))]
    async fn get_report(
        &self,
        request: Request<pb::GetReportRequest>,
    ) -> Result<Response<pb::Report>, Status> {
        let caller = Caller::of(&request);
        respond(self.report_inner(&caller, request.into_inner()).await)
    }
}

/// The audit service.
#[derive(Clone, Debug)]
pub struct AuditApi {
    state: Arc<AppState>,
}

impl AuditApi {
    /// Serves from `state`.
    pub fn new(state: Arc<AppState>) -> AuditApi {
        AuditApi { state }
    }

    async fn verify(&self) -> Result<pb::VerifyAuditResponse, ApiError> {
        let store = self.state.store().clone();
        let check = tokio::task::spawn_blocking(move || store.verify_audit()).await??;
        Ok(match check {
            ChainCheck::Intact { records } => pb::VerifyAuditResponse {
                intact: true,
                records,
                ..pb::VerifyAuditResponse::default()
            },
            ChainCheck::Broken { seq, problem } => pb::VerifyAuditResponse {
                intact: false,
                records: 0,
                broken_seq: seq,
                problem,
            },
        })
    }

    async fn export(&self, req: pb::ExportAuditRequest) -> Result<AuditStream, ApiError> {
        let from = convert::optional_time(req.from_unix_ms).unwrap_or(i64::MIN);
        let to = convert::optional_time(req.to_unix_ms).unwrap_or(i64::MAX);
        if from >= to {
            return Err(ApiError::invalid(
                "to_unix_ms",
                format!("must be after from_unix_ms ({from}), got {to}"),
            ));
        }
        let store = self.state.store().clone();
        let records = tokio::task::spawn_blocking(move || store.audit_range(from, to)).await??;
        debug!(records = records.len(), "audit export");
        Ok(Box::pin(tokio_stream::iter(
            records.into_iter().map(|r| Ok(convert::audit_to_pb(r))),
        )))
    }
}

/// The audit export stream.
pub type AuditStream = Pin<Box<dyn Stream<Item = Result<pb::AuditRecord, Status>> + Send>>;

#[tonic::async_trait]
impl AuditService for AuditApi {
    #[instrument(name = "VerifyAudit", skip_all, fields(request_id = %request_id(&request)))]
    async fn verify_audit(
        &self,
        request: Request<pb::VerifyAuditRequest>,
    ) -> Result<Response<pb::VerifyAuditResponse>, Status> {
        let pb::VerifyAuditRequest {} = request.into_inner();
        let res = self.verify().await;
        if let Ok(v) = &res {
            info!(
                intact = v.intact,
                records = v.records,
                broken_seq = v.broken_seq,
                "audit verified"
            );
        }
        respond(res)
    }

    type ExportAuditStream = AuditStream;

    #[instrument(name = "ExportAudit", skip_all, fields(request_id = %request_id(&request)))]
    async fn export_audit(
        &self,
        request: Request<pb::ExportAuditRequest>,
    ) -> Result<Response<Self::ExportAuditStream>, Status> {
        respond(self.export(request.into_inner()).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::caller::Role;
    use crate::cases::{CaseStatus, CaseSummary, ChangeKind};
    use crate::model::Decision;

    fn exporter(name: Option<&str>) -> Caller {
        Caller {
            principal: "erp".into(),
            roles: vec![Role::Exporter],
            exporter: name.map(str::to_string),
        }
    }

    fn officer() -> Caller {
        Caller {
            principal: "alice".into(),
            roles: vec![Role::Officer],
            exporter: None,
        }
    }

    #[test]
    fn exporters_see_only_their_own_queue() {
        let all = CaseFilter::default();
        assert_eq!(scope_filter(&officer(), all.clone()), Some(all.clone()));
        assert_eq!(
            scope_filter(&Caller::anonymous(), all.clone()),
            Some(all.clone())
        );
        let acme = scope_filter(&exporter(Some("ACME")), all.clone()).unwrap();
        assert_eq!(acme.exporter.as_deref(), Some("ACME"));
        let asks_other = CaseFilter {
            exporter: Some("Globex".into()),
            ..CaseFilter::default()
        };
        assert_eq!(scope_filter(&exporter(Some("ACME")), asks_other), None);
        assert_eq!(
            scope_filter(&exporter(None), all),
            None,
            "an exporter without an id sees nothing"
        );
        // An exporter who is also an officer sees everything.
        let both = Caller {
            roles: vec![Role::Exporter, Role::Officer],
            ..exporter(Some("ACME"))
        };
        assert_eq!(
            scope_filter(&both, CaseFilter::default()),
            Some(CaseFilter::default())
        );
    }

    fn case(exporter: &str) -> CaseRecord {
        let f = crate::model::Finding {
            kind: crate::model::FindingKind::EndUse,
            target: crate::model::Target::EndUse,
            list_id: String::new(),
            entry_id: String::new(),
            entry_name: String::new(),
            score: 1.0,
            matched_text: String::new(),
            matched_terms: vec![],
            reason: String::new(),
            explanation: String::new(),
            decision: Decision::Review,
            rule: String::new(),
            category: None,
        };
        let intake = crate::cases::workflow::Intake {
            screening_id: "scr-1",
            exporter,
            reference: "PO-1",
            actor: "erp",
            at_unix_ms: 1,
            findings: &[f],
            suppressed: &[],
            facts: &Default::default(),
        };
        crate::cases::workflow::intake(None, "case-1", &intake)
            .unwrap()
            .0
    }

    #[test]
    fn another_exporters_case_is_not_found() {
        assert!(visible(&exporter(Some("ACME")), case("ACME")).is_ok());
        let err = visible(&exporter(Some("ACME")), case("Globex")).unwrap_err();
        assert_eq!(err.code(), tonic::Code::NotFound);
        assert_eq!(err.to_string(), "case case-1 not found");
        assert!(visible(&officer(), case("Globex")).is_ok());
    }

    fn change(exporter: &str, status: CaseStatus, priority: CasePriority) -> CaseChange {
        CaseChange {
            kind: ChangeKind::Updated,
            action: "case.claim".into(),
            actor: "alice".into(),
            at_unix_ms: 1,
            summary: CaseSummary {
                status,
                priority,
                exporter: exporter.into(),
                ..case(exporter).summary()
            },
        }
    }

    #[test]
    fn consoles_hear_only_what_they_may_see_and_asked_for() {
        let anyone = scope_filter(&officer(), CaseFilter::default());
        let high = Some(CasePriority::Medium);
        let table = [
            (
                officer(),
                anyone.clone(),
                None,
                change("Globex", CaseStatus::Open, CasePriority::Low),
                true,
            ),
            (
                officer(),
                anyone.clone(),
                high,
                change("Globex", CaseStatus::Open, CasePriority::Low),
                false,
            ),
            (
                officer(),
                anyone.clone(),
                high,
                change("Globex", CaseStatus::Open, CasePriority::High),
                true,
            ),
            (
                officer(),
                scope_filter(
                    &officer(),
                    CaseFilter {
                        statuses: vec![CaseStatus::InReview],
                        ..CaseFilter::default()
                    },
                ),
                None,
                change("Globex", CaseStatus::Open, CasePriority::High),
                false,
            ),
            (
                exporter(Some("ACME")),
                scope_filter(&exporter(Some("ACME")), CaseFilter::default()),
                None,
                change("ACME", CaseStatus::Open, CasePriority::Low),
                true,
            ),
            (
                exporter(Some("ACME")),
                scope_filter(&exporter(Some("ACME")), CaseFilter::default()),
                None,
                change("Globex", CaseStatus::Open, CasePriority::Low),
                false,
            ),
            (
                exporter(None),
                None,
                None,
                change("ACME", CaseStatus::Open, CasePriority::Low),
                false,
            ),
        ];
        for (i, (caller, scope, min, ch, want)) in table.into_iter().enumerate() {
            assert_eq!(wanted(&caller, scope.as_ref(), min, &ch), want, "row {i}");
        }
    }

    #[test]
    fn the_actor_is_the_principal_or_without_access_control_the_metadata() {
        let mut req = Request::new(());
        assert_eq!(actor_of(&req).unwrap(), "anonymous");
        req.metadata_mut()
            .insert(ACTOR_HEADER, " alice ".parse().unwrap());
        assert_eq!(actor_of(&req).unwrap(), "alice");
        req.extensions_mut().insert(officer());
        assert_eq!(
            actor_of(&req).unwrap(),
            "alice",
            "the principal, not the metadata"
        );
        let mut req = Request::new(());
        req.metadata_mut()
            .insert(ACTOR_HEADER, "bob".parse().unwrap());
        req.extensions_mut().insert(Caller {
            principal: "carol".into(),
            ..officer()
        });
        assert_eq!(actor_of(&req).unwrap(), "carol");
    }
}
