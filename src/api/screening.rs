//! ScreeningService: screens shipments (one, or a stream of them), parties
//! and items, and returns stored screenings. Each handler checks the
//! caller, converts the request, calls [`crate::service::Screening`] and
//! converts the answer; the service screens, records, and answers only
//! once the record is durable.
//!
//! Access: the layer has checked the caller's roles. A caller bound to an
//! exporter (an EXPORTER token) screens under that exporter whatever the
//! body says, and sees only its own screenings (another exporter's is
//! NOT_FOUND, like an unknown id). Rate: each shipment costs its parties
//! and items ([`MessageBudget`]); a unary call over budget is refused, a
//! stream over budget is slowed down (it stops reading, and HTTP/2 flow
//! control holds the client back).
//!
//! A stream answers in request order, each answer with its `index`; a
//! request that cannot be screened gets an answer with `error` set and the
//! stream goes on. Only a broken stream (an undecodable message, a reset)
//! or an invalid actor ends it with a status.

use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};
use tracing::{Instrument, debug, info, info_span, instrument};

use super::auth::layer::MessageBudget;
use super::caller::Caller;
use super::cases::boundary;
use super::cases::{actor_of, scope_of};
use super::convert::{self, required};
use super::pb;
use super::pb::screening_service_server::ScreeningService;
use super::status::{ApiError, shipment_error};
use super::{log_status, request_id, respond};
use super::{protocol, validate};
use crate::ids::{Actor, ScreeningId};
use crate::service::{ScreenRequest, Screened, Services};

/// Largest ScreenParty `limit`.
pub const MAX_PARTY_LIMIT: u32 = 1000;
/// Longest screening id accepted by GetScreening.
const MAX_ID: usize = 128;
/// Answers buffered ahead of a slow ScreenShipments reader.
const STREAM_BUFFER: usize = 16;
/// Most shipments in one ScreenShipments stream.
pub const MAX_STREAM_MESSAGES: usize = 100_000;

/// The screening service.
#[derive(Clone, Debug)]
pub struct ScreeningApi {
    services: Services,
}

/// What a shipment costs against the caller's rate: its parties and items
/// (at least one).
pub fn cost(s: &pb::Shipment) -> u64 {
    (s.parties.len() + s.items.len()).max(1) as u64
}

impl ScreeningApi {
    /// Serves from `services`.
    pub fn new(services: Services) -> ScreeningApi {
        ScreeningApi { services }
    }

    /// Converts a request (`field` is its path in error messages), screens
    /// and records it. A caller bound to an exporter screens under that
    /// exporter.
    async fn screen(
        &self,
        caller: &Caller,
        req: pb::ScreenShipmentRequest,
        field: &str,
        actor: &Actor,
    ) -> Result<pb::ScreenShipmentResponse, ApiError> {
        let pb::ScreenShipmentRequest {
            shipment,
            request_id,
        } = req;
        let mut shipment = convert::shipment(required(shipment, field)?, field)?;
        {
            let engine = self.services.engine();
            validate::shipment(&shipment, engine.geo(), field)?;
        }
        let prefix = field.strip_suffix(".shipment").unwrap_or("");
        let request_id = convert::request_id(
            request_id,
            &if prefix.is_empty() {
                "request_id".to_string()
            } else {
                format!("{prefix}.request_id")
            },
        )?;
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
        let Screened { record, replayed } = self
            .services
            .screening
            .screen_and_record(ScreenRequest {
                shipment,
                actor: actor.clone(),
                request_id,
            })
            .await?;
        if replayed {
            info!(screening_id = %record.screening_id, "request id seen before: the stored answer");
        } else {
            super::metrics::global().record_screening(&record.outcome, record.engine_micros);
            info!(
                screening_id = %record.screening_id,
                decision = record.outcome.decision.as_str(),
                findings = record.outcome.findings.len(),
                case_id = record.case_id.as_ref().map_or("", |c| c.as_str()),
                engine_micros = record.engine_micros,
                "screened"
            );
        }
        Ok(boundary::screening(
            caller,
            convert::screening_response(record),
        ))
    }

    #[instrument(name = "ScreenShipment", skip_all, fields(request_id = %request_id(&req)))]
    async fn screen_shipment_traced(
        &self,
        req: Request<pb::ScreenShipmentRequest>,
    ) -> Result<Response<pb::ScreenShipmentResponse>, Status> {
        let caller = Caller::of(&req);
        let budget = req.extensions().get::<MessageBudget>().cloned();
        let actor = match actor_of(&req) {
            Ok(a) => Actor::new(a),
            Err(e) => return respond(Err(e)),
        };
        let req = req.into_inner();
        if let (Some(budget), Some(s)) = (&budget, &req.shipment) {
            if let Err(e) = budget.take_cost(cost(s)) {
                return respond(Err(e));
            }
        }
        respond(self.screen(&caller, req, "shipment", &actor).await)
    }

    fn screen_shipments_stream(
        &self,
        req: Request<Streaming<pb::ScreenShipmentRequest>>,
    ) -> ReceiverStream<Result<pb::ScreenShipmentResponse, Status>> {
        let span = info_span!("ScreenShipments", request_id = %request_id(&req));
        let caller = Caller::of(&req);
        let budget = req.extensions().get::<MessageBudget>().cloned();
        // An invalid actor fails the first answer (and so the stream).
        let actor = actor_of(&req).map(Actor::new).map_err(|e| Status::from(&e));
        let mut inbound = req.into_inner();
        let (tx, rx) = mpsc::channel(STREAM_BUFFER);
        let this = self.clone();
        // One task per stream, screening in request order: answers leave in
        // the order the requests came. It ends when the client stops
        // sending or stops reading.
        tokio::spawn(
            async move {
                let actor = match actor {
                    Ok(a) => a,
                    Err(status) => {
                        log_status(&status);
                        let _ = tx.send(Err(status)).await;
                        return;
                    }
                };
                let mut index = 0usize;
                let mut failed = 0usize;
                loop {
                    let msg = tokio::select! {
                        m = inbound.message() => m,
                        () = tx.closed() => break,
                    };
                    let msg = match msg {
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
                    if index >= MAX_STREAM_MESSAGES {
                        let status = Status::from(ApiError::TooMany {
                            field: format!("requests[{index}]"),
                            message: format!("at most {MAX_STREAM_MESSAGES} shipments per stream"),
                        });
                        log_status(&status);
                        let _ = tx.send(Err(status)).await;
                        break;
                    }
                    // Over the caller's rate: wait (reading nothing meanwhile).
                    if let Some(budget) = &budget {
                        let units = msg.shipment.as_ref().map_or(1, cost);
                        tokio::select! {
                            () = budget.wait(index > 0, units) => {}
                            () = tx.closed() => break,
                        }
                    }
                    let field = format!("requests[{index}].shipment");
                    let answer = tokio::select! {
                        a = this.screen(&caller, msg, &field, &actor) => a,
                        // The client went away: dropping the call cancels its work.
                        () = tx.closed() => break,
                    };
                    let answer = match answer {
                        Ok(mut a) => {
                            a.index = u32::try_from(index).unwrap_or(u32::MAX);
                            a
                        }
                        Err(e) => {
                            failed += 1;
                            let status = Status::from(&e);
                            log_status(&status);
                            pb::ScreenShipmentResponse {
                                index: u32::try_from(index).unwrap_or(u32::MAX),
                                error: Some(shipment_error(&status)),
                                ..pb::ScreenShipmentResponse::default()
                            }
                        }
                    };
                    if tx.send(Ok(answer)).await.is_err() {
                        break;
                    }
                    index += 1;
                }
                info!(answered = index, failed, "stream done");
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
        respond(self.screen_party_inner(req.into_inner()).await)
    }

    async fn screen_party_inner(
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
        // A name lookup does not fail on a country it cannot resolve: the
        // name is screened, the country ignored, and the answer says so.
        let mut party = party;
        let warnings: Vec<String> = {
            let engine = self.services.engine();
            validate::party_country_warning(&party.country, engine.geo(), "party.country")
                .into_iter()
                .collect()
        };
        if !warnings.is_empty() {
            party.country.clear();
        }
        let r = self
            .services
            .screening
            .screen_party(party, limit as usize)
            .await?;
        debug!(matches = r.matches.len(), "party screened");
        Ok(pb::ScreenPartyResponse {
            matches: r
                .matches
                .into_iter()
                .map(convert::party_match_to_pb)
                .collect(),
            list_versions: r
                .list_versions
                .into_iter()
                .map(convert::list_version_to_pb)
                .collect(),
            threshold: r.threshold,
            warnings,
        })
    }

    #[instrument(name = "ScreenItem", skip_all, fields(request_id = %request_id(&req)))]
    async fn screen_item_traced(
        &self,
        req: Request<pb::ScreenItemRequest>,
    ) -> Result<Response<pb::ScreenItemResponse>, Status> {
        respond(self.screen_item_inner(req.into_inner()).await)
    }

    async fn screen_item_inner(
        &self,
        req: pb::ScreenItemRequest,
    ) -> Result<pb::ScreenItemResponse, ApiError> {
        let pb::ScreenItemRequest { item } = req;
        let item = convert::item(required(item, "item")?, "item")?;
        let r = self.services.screening.screen_item(item).await?;
        debug!(matches = r.matches.len(), "item screened");
        Ok(pb::ScreenItemResponse {
            matches: r
                .matches
                .into_iter()
                .map(convert::item_match_to_pb)
                .collect(),
            list_versions: r
                .list_versions
                .into_iter()
                .map(convert::list_version_to_pb)
                .collect(),
        })
    }

    #[instrument(name = "GetScreening", skip_all, fields(request_id = %request_id(&req)))]
    async fn get_screening_traced(
        &self,
        req: Request<pb::GetScreeningRequest>,
    ) -> Result<Response<pb::GetScreeningResponse>, Status> {
        let caller = Caller::of(&req);
        respond(self.get_screening_inner(&caller, req.into_inner()).await)
    }

    async fn get_screening_inner(
        &self,
        caller: &Caller,
        req: pb::GetScreeningRequest,
    ) -> Result<pb::GetScreeningResponse, ApiError> {
        let pb::GetScreeningRequest { screening_id } = req;
        let id = convert::text(screening_id, "screening_id", MAX_ID, true)?;
        let record = self
            .services
            .screening
            .get(ScreeningId::new(id), scope_of(caller))
            .await?;
        Ok(boundary::get_screening(
            caller,
            convert::get_screening_response(record),
        ))
    }
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
