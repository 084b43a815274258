//! Health and reflection: what load balancers and grpcurl see.

use exportscreen::api::pb::list_service_server::ListServiceServer;
use exportscreen::api::pb::screening_service_server::ScreeningServiceServer;
use tonic::Code;
use tonic::server::NamedService;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use crate::util::{TestServer, data_dir};

const SCREENING: &str =
    <ScreeningServiceServer<exportscreen::api::screening::ScreeningApi> as NamedService>::NAME;
const LISTS: &str = <ListServiceServer<exportscreen::api::lists::ListApi> as NamedService>::NAME;

#[tokio::test]
async fn health_reports_serving_for_the_server_and_each_service() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let mut health = HealthClient::new(server.channel.clone());
    for service in ["", SCREENING, LISTS] {
        let r = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .unwrap_or_else(|e| panic!("{service:?}: {e}"))
            .into_inner();
        assert_eq!(r.status, ServingStatus::Serving as i32, "{service:?}");
    }
    let unknown = health
        .check(HealthCheckRequest {
            service: "exportscreen.v1.Nope".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Code::NotFound);
    assert_eq!(SCREENING, "exportscreen.v1.ScreeningService");
    assert_eq!(LISTS, "exportscreen.v1.ListService");
    server.stop().await;
}

#[tokio::test]
async fn reflection_v1_lists_our_services() {
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let mut client = ServerReflectionClient::new(server.channel.clone());
    let req = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut answers = client
        .server_reflection_info(tokio_stream::iter(vec![req]))
        .await
        .unwrap()
        .into_inner();
    let resp = answers.message().await.unwrap().unwrap();
    let Some(MessageResponse::ListServicesResponse(list)) = resp.message_response else {
        panic!("unexpected answer: {resp:?}");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    for want in [
        SCREENING,
        LISTS,
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} missing from {names:?}"
        );
    }
    // Symbols resolve too: grpcurl describes messages this way, and decodes
    // the BadRequest details of errors.
    for symbol in [
        "exportscreen.v1.ScreenShipmentRequest",
        "grpc.health.v1.HealthCheckRequest",
        "google.rpc.BadRequest",
    ] {
        let req = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::FileContainingSymbol(symbol.into())),
        };
        let mut answers = client
            .server_reflection_info(tokio_stream::iter(vec![req]))
            .await
            .unwrap()
            .into_inner();
        let resp = answers.message().await.unwrap().unwrap();
        assert!(
            matches!(
                resp.message_response,
                Some(MessageResponse::FileDescriptorResponse(ref f)) if !f.file_descriptor_proto.is_empty()
            ),
            "{symbol}: {resp:?}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn reflection_v1alpha_lists_our_services() {
    use tonic_reflection::pb::v1alpha::ServerReflectionRequest;
    use tonic_reflection::pb::v1alpha::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1alpha::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1alpha::server_reflection_response::MessageResponse;

    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let mut client = ServerReflectionClient::new(server.channel.clone());
    let req = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut answers = client
        .server_reflection_info(tokio_stream::iter(vec![req]))
        .await
        .unwrap()
        .into_inner();
    let resp = answers.message().await.unwrap().unwrap();
    let Some(MessageResponse::ListServicesResponse(list)) = resp.message_response else {
        panic!("unexpected answer: {resp:?}");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    for want in [SCREENING, LISTS, "grpc.health.v1.Health"] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} missing from {names:?}"
        );
    }
    server.stop().await;
}
