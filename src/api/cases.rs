//! CaseService and AuditService: the licensing officers' queue, cases with
//! their evidence, officers' commands, the console stream, reports, and the
//! audit trail's verification and export.
//!
//! Handlers are thin: validate ([`convert`]), derive the caller's
//! [`Scope`] (another exporter's case is NOT_FOUND, as if it did not
//! exist) and actor ([`actor_of`]), call [`crate::service::Cases`], convert
//! the answer. The service runs the pure workflow inside one store write,
//! waits until it is durable and tells consoles.
//! What an exporter may see of its cases is decided in one place
//! ([`boundary`]).

pub mod boundary;
pub mod convert;

use std::pin::Pin;

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
use super::status::ApiError;
use super::{ACTOR_HEADER, request_id, respond};
use crate::actions::AuditAction;
use crate::cases::report::Period;
use crate::cases::{CaseChange, CaseFilter, CasePriority, CheckKind};
use crate::ids::{Actor, CaseId, ScreeningId, SuppressionId};
use crate::service::{CaseView, MAX_MEMBERS_PAGE, Scope, Services};
use crate::store::CaseUpdate;
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
/// Most bytes of the screenings of one GetCase page (the whole message
/// stays under 1 MiB: marks, checks and officers' history are bounded by
/// officers' work).
const MAX_CASE_SCREENING_BYTES: usize = 768 << 10;

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

/// An exporter name no shipment can have (control characters are refused):
/// a caller who may not see it is limited to its own exporter.
const NO_EXPORTER: &str = "\u{0}";

/// The exporters whose records a caller may see.
pub fn scope_of(caller: &Caller) -> Scope {
    if caller.may_see_exporter(NO_EXPORTER) {
        return Scope::All;
    }
    match caller
        .exporter
        .as_deref()
        .filter(|e| caller.may_see_exporter(e))
    {
        Some(own) => Scope::Exporter(own.to_string()),
        None => Scope::Nothing,
    }
}

/// Restricts a queue filter to what the caller may see; `None` when the
/// answer is empty whatever the store holds (an exporter asking for
/// another exporter's cases).
pub fn scope_filter(caller: &Caller, filter: CaseFilter) -> Option<CaseFilter> {
    scope_of(caller).restrict(filter)
}

/// A required id field.
fn id(value: String, field: &str) -> Result<String, ApiError> {
    Ok(text(value, field, MAX_ID, true)?.trim().to_string())
}

/// A required reason.
fn reason(value: String) -> Result<String, ApiError> {
    Ok(text(value, "reason", MAX_TEXT, true)?.trim().to_string())
}

/// The answer to an officer's command.
fn action_response(update: CaseUpdate) -> pb::CaseActionResponse {
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
        .find(|a| a.action == AuditAction::SuppressionCreate)
        .map(|a| a.subject.clone())
        .unwrap_or_default();
    pb::CaseActionResponse {
        case: Some(convert::summary_to_pb(update.case.summary())),
        audit_seqs: update.audit.iter().map(|a| a.seq).collect(),
        suppression_id,
        closed_case_ids: Vec::new(),
    }
}

/// The case service.
#[derive(Clone, Debug)]
pub struct CaseApi {
    services: Services,
}

/// Who acts and what they may see.
fn who<T>(req: &Request<T>) -> Result<(Scope, Actor), ApiError> {
    Ok((scope_of(&Caller::of(req)), Actor::new(actor_of(req)?)))
}

impl CaseApi {
    /// Serves from `services`.
    pub fn new(services: Services) -> CaseApi {
        CaseApi { services }
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
        let bad_token = || ApiError::invalid("page_token", "not a token from a previous answer");
        let after = match req.page_token.trim() {
            "" => None,
            t => Some(hex::decode(t).map_err(|_| bad_token())?),
        };
        let page = self
            .services
            .cases
            .list(filter, after, size, scope_of(caller))
            .await
            .map_err(|e| match e {
                crate::Error::Store(crate::store::StoreError::InvalidCursor) => bad_token(),
                other => other.into(),
            })?;
        debug!(
            cases = page.cases.len(),
            more = page.next.is_some(),
            "queue page"
        );
        Ok(pb::ListCasesResponse {
            cases: page.cases.into_iter().map(convert::summary_to_pb).collect(),
            next_page_token: page.next.map(hex::encode).unwrap_or_default(),
        })
    }

    async fn get_case_inner(
        &self,
        caller: &Caller,
        req: pb::GetCaseRequest,
    ) -> Result<pb::Case, ApiError> {
        let pb::GetCaseRequest {
            case_id,
            page_size,
            page_token,
        } = req;
        let case_id = CaseId::new(id(case_id, "case_id")?);
        if page_size as usize > MAX_MEMBERS_PAGE {
            return Err(ApiError::invalid(
                "page_size",
                format!("at most {MAX_MEMBERS_PAGE}, got {page_size} (0 means 100)"),
            ));
        }
        let after = match page_token.trim() {
            "" => 0,
            t => t.parse::<u32>().map_err(|_| {
                ApiError::invalid("page_token", "not a token from a previous answer")
            })?,
        };
        let view: CaseView = self
            .services
            .cases
            .get(case_id, after, page_size as usize, scope_of(caller))
            .await?;
        Ok(convert::case_to_pb(view, MAX_CASE_SCREENING_BYTES))
    }

    async fn claim_inner(
        &self,
        req: Request<pb::ClaimCaseRequest>,
    ) -> Result<pb::CaseActionResponse, ApiError> {
        let (scope, actor) = who(&req)?;
        let pb::ClaimCaseRequest {
            case_id,
            assignee,
            reason,
        } = req.into_inner();
        let case_id = CaseId::new(id(case_id, "case_id")?);
        let assignee = text(assignee, "assignee", MAX_ACTOR, false)?
            .trim()
            .to_string();
        let assignee = if assignee.is_empty() {
            actor.to_string()
        } else {
            assignee
        };
        let reason = self::reason(reason)?;
        let update = self
            .services
            .cases
            .claim(case_id, actor, assignee, reason, scope)
            .await?;
        Ok(action_response(update))
    }

    async fn request_info_inner(
        &self,
        req: Request<pb::RequestInfoRequest>,
    ) -> Result<pb::CaseActionResponse, ApiError> {
        let (scope, actor) = who(&req)?;
        let pb::RequestInfoRequest { case_id, reason: r } = req.into_inner();
        let case_id = CaseId::new(id(case_id, "case_id")?);
        let r = reason(r)?;
        let update = self
            .services
            .cases
            .request_info(case_id, actor, r, scope)
            .await?;
        Ok(action_response(update))
    }

    async fn decide_inner(
        &self,
        req: Request<pb::DecideCaseRequest>,
    ) -> Result<pb::CaseActionResponse, ApiError> {
        let (scope, actor) = who(&req)?;
        let pb::DecideCaseRequest {
            case_id,
            decision,
            reason: r,
            post_shipment_check_due_unix_ms,
        } = req.into_inner();
        let case_id = CaseId::new(id(case_id, "case_id")?);
        let decision = convert::case_decision(decision, "decision")?;
        let r = reason(r)?;
        let due = convert::optional_time(post_shipment_check_due_unix_ms);
        if due.is_some() && decision == crate::cases::CaseDecision::Deny {
            return Err(ApiError::invalid(
                "post_shipment_check_due_unix_ms",
                "only an approval can have a post-shipment check",
            ));
        }
        let update = self
            .services
            .cases
            .decide(case_id, actor, decision, due, r, scope)
            .await?;
        Ok(action_response(update))
    }

    async fn mark_inner(
        &self,
        req: Request<pb::MarkFindingRequest>,
    ) -> Result<pb::CaseActionResponse, ApiError> {
        let (scope, actor) = who(&req)?;
        let pb::MarkFindingRequest {
            case_id,
            screening_id,
            finding_index,
            verdict,
            reason: r,
            close_others,
        } = req.into_inner();
        let case_id = CaseId::new(id(case_id, "case_id")?);
        let screening_id = ScreeningId::new(id(screening_id, "screening_id")?);
        let verdict = convert::verdict(verdict, "verdict")?;
        let r = reason(r)?;
        if close_others && verdict != crate::cases::Verdict::NotAMatch {
            return Err(ApiError::invalid(
                "close_others",
                "only a \"not a match\" closes other cases",
            ));
        }
        let update = self
            .services
            .cases
            .mark(
                case_id,
                screening_id,
                finding_index as usize,
                verdict,
                actor.clone(),
                r.clone(),
                scope.clone(),
            )
            .await?;
        let closed = if close_others {
            if update
                .case
                .marks
                .last()
                .is_none_or(|m| m.suppression_id.is_none())
            {
                return Err(ApiError::invalid(
                    "close_others",
                    "the finding is not a party match against a list entry: nothing to close",
                ));
            }
            self.services
                .cases
                .close_others(&update, actor, r, scope)
                .await?
        } else {
            Vec::new()
        };
        let mut response = action_response(update);
        response.closed_case_ids = closed.into_iter().map(CaseId::into_string).collect();
        Ok(response)
    }

    async fn reopen_inner(
        &self,
        req: Request<pb::ReopenCaseRequest>,
    ) -> Result<pb::CaseActionResponse, ApiError> {
        let (scope, actor) = who(&req)?;
        let pb::ReopenCaseRequest { case_id, reason: r } = req.into_inner();
        let case_id = CaseId::new(id(case_id, "case_id")?);
        let r = reason(r)?;
        let update = self.services.cases.reopen(case_id, actor, r, scope).await?;
        Ok(action_response(update))
    }

    async fn schedule_inner(
        &self,
        req: Request<pb::ScheduleCheckRequest>,
    ) -> Result<pb::CaseActionResponse, ApiError> {
        let (scope, actor) = who(&req)?;
        let pb::ScheduleCheckRequest {
            case_id,
            due_unix_ms,
            reason: r,
        } = req.into_inner();
        let case_id = CaseId::new(id(case_id, "case_id")?);
        let Some(due) = convert::optional_time(due_unix_ms).filter(|t| *t > 0) else {
            return Err(ApiError::invalid(
                "due_unix_ms",
                "required: when the check is due",
            ));
        };
        let r = reason(r)?;
        let update = self
            .services
            .cases
            .schedule_check(case_id, actor, due, r, scope)
            .await?;
        Ok(action_response(update))
    }

    async fn record_check_inner(
        &self,
        req: Request<pb::RecordCheckRequest>,
    ) -> Result<pb::CaseActionResponse, ApiError> {
        let (scope, actor) = who(&req)?;
        let pb::RecordCheckRequest {
            case_id,
            kind,
            document,
            reason: r,
        } = req.into_inner();
        let case_id = CaseId::new(id(case_id, "case_id")?);
        let kind: CheckKind = convert::check_kind(kind, "kind")?;
        let document = text(document, "document", MAX_TEXT, false)?
            .trim()
            .to_string();
        let r = reason(r)?;
        let update = self
            .services
            .cases
            .record_check(case_id, actor, kind, document, r, scope)
            .await?;
        Ok(action_response(update))
    }

    async fn get_suppression_inner(
        &self,
        caller: &Caller,
        req: pb::GetSuppressionRequest,
    ) -> Result<pb::Suppression, ApiError> {
        let sid = SuppressionId::new(id(req.suppression_id, "suppression_id")?);
        let s = self
            .services
            .cases
            .suppression(sid, scope_of(caller))
            .await?;
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
        let r = self.services.cases.report(period, scope_of(caller)).await?;
        Ok(convert::report_to_pb(r))
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
        let mut events = self.services.cases.subscribe();
        let tasks = self.services.core().tasks();
        let mut shutdown = tasks.shutdown();
        let (tx, rx) = mpsc::channel(STREAM_BUFFER);
        // Owned by the server: shutdown ends it (a console stream never
        // ends by itself).
        tasks.spawn(
            "console stream",
            async move {
                info!("console connected");
                let mut sent = 0u64;
                loop {
                    let event = tokio::select! {
                        () = shutdown.recv() => break,
                        () = tx.closed() => break,
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

    #[instrument(name = "ReopenCase", skip_all, fields(request_id = %request_id(&request)))]
    async fn reopen_case(
        &self,
        request: Request<pb::ReopenCaseRequest>,
    ) -> Result<Response<pb::CaseActionResponse>, Status> {
        respond(self.reopen_inner(request).await)
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
    services: Services,
}

impl AuditApi {
    /// Serves from `services`.
    pub fn new(services: Services) -> AuditApi {
        AuditApi { services }
    }

    async fn verify(&self) -> Result<pb::VerifyAuditResponse, ApiError> {
        let check = self.services.cases.verify_audit().await?;
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
        let records = self.services.cases.export_audit(from, to).await?;
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

    fn case(exporter: &str) -> crate::cases::CaseRecord {
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
            screening_id: &ScreeningId::new("scr-1"),
            exporter,
            reference: "PO-1",
            actor: &Actor::new("erp"),
            at_unix_ms: 1,
            findings: &[f],
            suppressed: &[],
            facts: &Default::default(),
            parties: &[],
            cause: None,
        };
        crate::cases::workflow::plan_intake(None, &CaseId::new("case-1"), &intake)
            .unwrap()
            .case
    }

    #[test]
    fn another_exporters_records_are_out_of_scope() {
        assert!(scope_of(&exporter(Some("ACME"))).may_see(&case("ACME").exporter));
        assert!(!scope_of(&exporter(Some("ACME"))).may_see(&case("Globex").exporter));
        assert!(scope_of(&officer()).may_see(&case("Globex").exporter));
        assert_eq!(scope_of(&exporter(None)), Scope::Nothing);
        assert_eq!(scope_of(&Caller::anonymous()), Scope::All);
    }

    fn change(exporter: &str, status: CaseStatus, priority: CasePriority) -> CaseChange {
        CaseChange {
            kind: ChangeKind::Updated,
            action: "case.claim".into(),
            actor: Actor::new("alice"),
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
