//! ScreeningService: screens shipments (one, or a stream of them), parties
//! and items, and returns stored screenings.
//!
//! A shipment screening is validated, screened inline (the engine takes
//! microseconds), recorded with its case, flushed, and only then answered,
//! so every screening id a client sees is durable.
//!
//! Access: the layer has checked the caller's roles. A caller bound to an
//! exporter (an EXPORTER token) screens under that exporter whatever the
//! body says, and sees only its own screenings (another exporter's is
//! NOT_FOUND, like an unknown id).

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};
use tracing::{Instrument, debug, info, info_span, instrument};

use super::auth::layer::MessageBudget;
use super::caller::Caller;
use super::cases::{self, actor_of};
use super::convert::{self, required};
use super::pb;
use super::pb::screening_service_server::ScreeningService;
use super::state::{AppState, now_unix_ms};
use super::status::ApiError;
use super::{log_status, request_id, respond};
use super::{protocol, validate};
use crate::engine::party::PartyQuery;

/// Largest ScreenParty `limit`.
pub const MAX_PARTY_LIMIT: u32 = 1000;
/// Longest screening id accepted by GetScreening.
const MAX_ID: usize = 128;
/// Answers buffered ahead of a slow ScreenShipments reader.
const STREAM_BUFFER: usize = 16;
/// Most shipments in one ScreenShipments stream.
pub const MAX_STREAM_MESSAGES: usize = 100_000;

/// List kinds as [`crate::model::ListContent::kind`] names them.
const DENIAL: &str = "denial";
const CONTROL: &str = "control";

/// The screening service.
#[derive(Clone, Debug)]
pub struct ScreeningApi {
    state: Arc<AppState>,
}

impl ScreeningApi {
    /// Serves from `state`.
    pub fn new(state: Arc<AppState>) -> ScreeningApi {
        ScreeningApi { state }
    }

    /// Validates, screens, records (with its case) and flushes one shipment.
    /// `field` is the request's path in error messages. A caller bound to an
    /// exporter screens under that exporter.
    async fn screen(
        &self,
        caller: &Caller,
        req: pb::ScreenShipmentRequest,
        field: &str,
        actor: &str,
    ) -> Result<pb::ScreenShipmentResponse, ApiError> {
        let pb::ScreenShipmentRequest { shipment } = req;
        let mut shipment = convert::shipment(required(shipment, field)?, field)?;
        let engine = self.state.engine();
        validate::shipment(&shipment, engine.geo(), field)?;
        if let Some(exporter) = &caller.exporter {
            if shipment.exporter.trim() != exporter {
                info!(
                    exporter_in_body = %shipment.exporter,
                    exporter = %exporter,
                    "exporter taken from the token"
                );
            }
            shipment.exporter = exporter.clone();
        }
        let started = Instant::now();
        let outcome = engine.screen_shipment(&shipment);
        let engine_micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);

        // Suppressions, case, audit record; flushed before the answer.
        let record = cases::intake::record_screening(
            &self.state,
            &engine,
            shipment,
            outcome,
            engine_micros,
            now_unix_ms(),
            actor,
        )
        .await?;
        drop(engine);
        super::metrics::global().record_screening(&record.outcome, engine_micros);
        info!(
            screening_id = %record.screening_id,
            decision = record.outcome.decision.as_str(),
            findings = record.outcome.findings.len(),
            case_id = record.case_id.as_deref().unwrap_or(""),
            engine_micros,
            "screened"
        );
        Ok(convert::screening_response(&record))
    }

    #[instrument(name = "ScreenShipment", skip_all, fields(request_id = %request_id(&req)))]
    async fn screen_shipment_traced(
        &self,
        req: Request<pb::ScreenShipmentRequest>,
    ) -> Result<Response<pb::ScreenShipmentResponse>, Status> {
        let caller = Caller::of(&req);
        let actor = match actor_of(&req) {
            Ok(a) => a,
            Err(e) => return respond(Err(e)),
        };
        respond(
            self.screen(&caller, req.into_inner(), "shipment", &actor)
                .await,
        )
    }

    fn screen_shipments_stream(
        &self,
        req: Request<Streaming<pb::ScreenShipmentRequest>>,
    ) -> ReceiverStream<Result<pb::ScreenShipmentResponse, Status>> {
        let span = info_span!("ScreenShipments", request_id = %request_id(&req));
        let caller = Caller::of(&req);
        let budget = req.extensions().get::<MessageBudget>().cloned();
        // An invalid actor fails the first answer (and so the stream).
        let actor = actor_of(&req).map_err(|e| Status::from(&e));
        let mut inbound = req.into_inner();
        let (tx, rx) = mpsc::channel(STREAM_BUFFER);
        let this = self.clone();
        // One task per stream, screening in request order: answers leave in
        // the order the requests came.
        tokio::spawn(
            async move {
                let mut index = 0usize;
                loop {
                    let msg = match inbound.message().await {
                        Ok(Some(m)) => m,
                        Ok(None) => break,
                        Err(status) => {
                            // An undecodable message or a broken stream: say so,
                            // rather than end as if every request was answered.
                            let status = Status::from(protocol::request_error(
                                status,
                                &format!("requests[{index}]"),
                            ));
                            log_status(&status);
                            let _ = tx.send(Err(status)).await;
                            break;
                        }
                    };
                    let answer = async {
                        let actor = actor.clone().map_err(|s| ApiError::Stream(Box::new(s)))?;
                        if index >= MAX_STREAM_MESSAGES {
                            return Err(ApiError::TooMany {
                                field: format!("requests[{index}]"),
                                message: format!(
                                    "at most {MAX_STREAM_MESSAGES} shipments per stream"
                                ),
                            });
                        }
                        // The call paid for the first message.
                        if let (Some(budget), true) = (&budget, index > 0) {
                            budget.take()?;
                        }
                        this.screen(&caller, msg, &format!("requests[{index}].shipment"), &actor)
                            .await
                    }
                    .await
                    .map_err(|e| {
                        let status = Status::from(&e);
                        log_status(&status);
                        status
                    });
                    let failed = answer.is_err();
                    if tx.send(answer).await.is_err() || failed {
                        break;
                    }
                    index += 1;
                }
                info!(answered = index, "stream done");
            }
            .instrument(span),
        );
        ReceiverStream::new(rx)
    }

    #[instrument(name = "ScreenParty", skip_all, fields(request_id = %request_id(&req)))]
    async fn screen_party_traced(
        &self,
        req: Request<pb::ScreenPartyRequest>,
    ) -> Result<Response<pb::ScreenPartyResponse>, Status> {
        respond(self.screen_party_inner(req.into_inner()))
    }

    fn screen_party_inner(
        &self,
        req: pb::ScreenPartyRequest,
    ) -> Result<pb::ScreenPartyResponse, ApiError> {
        let pb::ScreenPartyRequest { party, limit } = req;
        let party = convert::party(required(party, "party")?, "party")?;
        if limit > MAX_PARTY_LIMIT {
            return Err(ApiError::invalid(
                "limit",
                format!("at most {MAX_PARTY_LIMIT}, got {limit} (0 means the default)"),
            ));
        }
        let engine = self.state.engine();
        validate::party_country(&party.country, engine.geo(), "party.country")?;
        let query = PartyQuery {
            name: &party.name,
            country: &party.country,
            address: &party.address,
        };
        let matches = engine.screen_party(&query, limit as usize);
        debug!(matches = matches.len(), "party screened");
        Ok(pb::ScreenPartyResponse {
            matches: matches
                .into_iter()
                .map(convert::party_match_to_pb)
                .collect(),
            list_versions: versions_of_kind(&engine, DENIAL),
            threshold: engine.policy().party.review_threshold,
        })
    }

    #[instrument(name = "ScreenItem", skip_all, fields(request_id = %request_id(&req)))]
    async fn screen_item_traced(
        &self,
        req: Request<pb::ScreenItemRequest>,
    ) -> Result<Response<pb::ScreenItemResponse>, Status> {
        respond(self.screen_item_inner(req.into_inner()))
    }

    fn screen_item_inner(
        &self,
        req: pb::ScreenItemRequest,
    ) -> Result<pb::ScreenItemResponse, ApiError> {
        let pb::ScreenItemRequest { item } = req;
        let item = convert::item(required(item, "item")?, "item")?;
        let engine = self.state.engine();
        let matches = engine.screen_item(&item);
        debug!(matches = matches.len(), "item screened");
        Ok(pb::ScreenItemResponse {
            matches: matches.into_iter().map(convert::item_match_to_pb).collect(),
            list_versions: versions_of_kind(&engine, CONTROL),
        })
    }

    #[instrument(name = "GetScreening", skip_all, fields(request_id = %request_id(&req)))]
    async fn get_screening_traced(
        &self,
        req: Request<pb::GetScreeningRequest>,
    ) -> Result<Response<pb::GetScreeningResponse>, Status> {
        let caller = Caller::of(&req);
        respond(self.get_screening_inner(&caller, req.into_inner()))
    }

    fn get_screening_inner(
        &self,
        caller: &Caller,
        req: pb::GetScreeningRequest,
    ) -> Result<pb::GetScreeningResponse, ApiError> {
        let pb::GetScreeningRequest { screening_id } = req;
        let id = convert::text(screening_id, "screening_id", MAX_ID, true)?;
        let record = self.state.store().screening(id.trim())?;
        // Another exporter's screening looks exactly like a missing one.
        if !caller.may_see_exporter(record.shipment.exporter.trim()) {
            return Err(crate::store::StoreError::NotFound {
                what: "screening",
                id: id.trim().to_string(),
            }
            .into());
        }
        Ok(convert::get_screening_response(record))
    }
}

/// Versions of the engine's lists of one kind (the lists a party or item
/// screening used).
fn versions_of_kind(engine: &crate::engine::Engine, kind: &str) -> Vec<pb::ListVersionRef> {
    engine
        .lists()
        .iter()
        .filter(|m| m.kind == kind)
        .map(|m| convert::list_version_to_pb(m.version_ref()))
        .collect()
}

#[tonic::async_trait]
impl ScreeningService for ScreeningApi {
    async fn screen_shipment(
        &self,
        request: Request<pb::ScreenShipmentRequest>,
    ) -> Result<Response<pb::ScreenShipmentResponse>, Status> {
        self.screen_shipment_traced(request).await
    }

    type ScreenShipmentsStream = ReceiverStream<Result<pb::ScreenShipmentResponse, Status>>;

    async fn screen_shipments(
        &self,
        request: Request<Streaming<pb::ScreenShipmentRequest>>,
    ) -> Result<Response<Self::ScreenShipmentsStream>, Status> {
        Ok(Response::new(self.screen_shipments_stream(request)))
    }

    async fn screen_party(
        &self,
        request: Request<pb::ScreenPartyRequest>,
    ) -> Result<Response<pb::ScreenPartyResponse>, Status> {
        self.screen_party_traced(request).await
    }

    async fn screen_item(
        &self,
        request: Request<pb::ScreenItemRequest>,
    ) -> Result<Response<pb::ScreenItemResponse>, Status> {
        self.screen_item_traced(request).await
    }

    async fn get_screening(
        &self,
        request: Request<pb::GetScreeningRequest>,
    ) -> Result<Response<pb::GetScreeningResponse>, Status> {
        self.get_screening_traced(request).await
    }

    #[instrument(name = "ListParameters", skip_all, fields(request_id = %request_id(&request)))]
    async fn list_parameters(
        &self,
        request: Request<pb::ListParametersRequest>,
    ) -> Result<Response<pb::ListParametersResponse>, Status> {
        let pb::ListParametersRequest {} = request.into_inner();
        Ok(Response::new(super::parameters::list_parameters()))
    }
}
