//! Protocol errors over a real connection: request messages that are not
//! valid protobuf (invalid UTF-8 in a string field, a length running past
//! the end, a wrong wire type) and gRPC frames cut short answer
//! INVALID_ARGUMENT naming the field, and inside a ScreenShipments stream
//! the message's index; never INTERNAL. The bytes are written by hand and
//! sent through a codec that passes them as they are (or, for a cut frame,
//! straight over HTTP/2).

use bytes::{BufMut, Bytes};
use exportscreen::api::pb;
use http::uri::PathAndQuery;
use prost::Message;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::{Code, Status};

use crate::util::{ADMIN_SECRET, TestServer, assert_field_error, data_dir, plain_shipment};

const SCREEN_SHIPMENT: &str = "/exportscreen.v1.ScreeningService/ScreenShipment";
const SCREEN_SHIPMENTS: &str = "/exportscreen.v1.ScreeningService/ScreenShipments";
const SCREEN_PARTY: &str = "/exportscreen.v1.ScreeningService/ScreenParty";

/// Sends request bytes as they are; decodes answers of type `R`.
struct RawCodec<R>(std::marker::PhantomData<R>);

impl<R> RawCodec<R> {
    fn new() -> Self {
        RawCodec(std::marker::PhantomData)
    }
}

struct RawEncoder;

impl Encoder for RawEncoder {
    type Item = Vec<u8>;
    type Error = Status;

    fn encode(&mut self, item: Vec<u8>, buf: &mut EncodeBuf<'_>) -> Result<(), Status> {
        buf.put_slice(&item);
        Ok(())
    }
}

struct AnswerDecoder<R>(std::marker::PhantomData<R>);

impl<R: Message + Default> Decoder for AnswerDecoder<R> {
    type Item = R;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<R>, Status> {
        R::decode(buf)
            .map(Some)
            .map_err(|e| Status::internal(e.to_string()))
    }
}

impl<R: Message + Default + Send + 'static> Codec for RawCodec<R> {
    type Encode = Vec<u8>;
    type Decode = R;
    type Encoder = RawEncoder;
    type Decoder = AnswerDecoder<R>;

    fn encoder(&mut self) -> RawEncoder {
        RawEncoder
    }

    fn decoder(&mut self) -> AnswerDecoder<R> {
        AnswerDecoder(std::marker::PhantomData)
    }
}

/// An Item whose description (field 1) is not UTF-8, inside a Shipment's
/// items (field 3), inside the request's shipment (field 1).
fn invalid_utf8_request() -> Vec<u8> {
    let item = [0x0A, 0x02, 0xFF, 0xFE];
    let mut shipment = vec![0x1A, item.len() as u8];
    shipment.extend(item);
    let mut request = vec![0x0A, shipment.len() as u8];
    request.extend(shipment);
    request
}

async fn unary<R: Message + Default + Send + 'static>(
    server: &TestServer,
    path: &'static str,
    bytes: Vec<u8>,
) -> Result<R, Status> {
    let mut grpc = tonic::client::Grpc::new(server.channel.clone());
    grpc.ready().await.unwrap();
    grpc.unary(
        tonic::Request::new(bytes),
        PathAndQuery::from_static(path),
        RawCodec::<R>::new(),
    )
    .await
    .map(tonic::Response::into_inner)
}

#[tokio::test]
async fn undecodable_unary_requests_name_the_field() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    // (what, method, bytes, field)
    let table: Vec<(&str, &'static str, Vec<u8>, &str)> = vec![
        (
            "invalid UTF-8 in a nested string",
            SCREEN_SHIPMENT,
            invalid_utf8_request(),
            "shipment.items.description",
        ),
        (
            "a varint where the shipment message belongs",
            SCREEN_SHIPMENT,
            vec![0x08, 0x01],
            "shipment",
        ),
        (
            "a length running past the end",
            SCREEN_SHIPMENT,
            vec![0x0A, 0x10, 0x1A, 0x00],
            "shipment",
        ),
        (
            "a party name that is not UTF-8",
            SCREEN_PARTY,
            vec![0x0A, 0x03, 0x12, 0x01, 0xC3],
            "party.name",
        ),
        (
            "a key with field number 0",
            SCREEN_PARTY,
            vec![0x00],
            "request",
        ),
    ];
    for (what, path, bytes, field) in table {
        let err = if path == SCREEN_PARTY {
            unary::<pb::ScreenPartyResponse>(&server, path, bytes)
                .await
                .map(|_| ())
                .expect_err(what)
        } else {
            unary::<pb::ScreenShipmentResponse>(&server, path, bytes)
                .await
                .map(|_| ())
                .expect_err(what)
        };
        assert_field_error(&err, Code::InvalidArgument, field);
        assert!(
            err.message().contains("not a valid protobuf message"),
            "{what}: {}",
            err.message()
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn an_undecodable_message_in_a_stream_is_named_by_its_index() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let good = pb::ScreenShipmentRequest {
        shipment: Some(plain_shipment("PROTO-1")),
    }
    .encode_to_vec();
    let messages = vec![good.clone(), good, invalid_utf8_request()];
    let mut grpc = tonic::client::Grpc::new(server.channel.clone());
    grpc.ready().await.unwrap();
    let mut answers = grpc
        .streaming(
            tonic::Request::new(tokio_stream::iter(messages)),
            PathAndQuery::from_static(SCREEN_SHIPMENTS),
            RawCodec::<pb::ScreenShipmentResponse>::new(),
        )
        .await
        .unwrap()
        .into_inner();
    for i in 0..2 {
        let a = answers.message().await.unwrap().unwrap();
        assert!(a.screening_id.starts_with("scr-"), "answer {i}: {a:?}");
    }
    let err = answers.message().await.unwrap_err();
    assert_field_error(
        &err,
        Code::InvalidArgument,
        "requests[2].shipment.items.description",
    );
    server.stop().await;
}

/// Sends one gRPC frame that declares `declared` bytes but carries `body`,
/// then ends the stream; returns grpc-status and grpc-message.
async fn cut_frame(server: &TestServer, path: &str, declared: u32, body: &[u8]) -> (i32, String) {
    let addr = server.url.trim_start_matches("http://");
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (client, connection) = h2::client::handshake(tcp).await.unwrap();
    tokio::spawn(connection);
    let mut client = client.ready().await.unwrap();
    let request = http::Request::builder()
        .method("POST")
        .uri(format!("{}{path}", server.url))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .header("authorization", format!("Bearer {ADMIN_SECRET}"))
        .body(())
        .unwrap();
    let (response, mut send) = client.send_request(request, false).unwrap();
    let mut frame = vec![0u8];
    frame.extend(declared.to_be_bytes());
    frame.extend(body);
    send.send_data(Bytes::from(frame), true).unwrap();
    let response = response.await.unwrap();
    let (parts, mut body) = response.into_parts();
    let mut headers = parts.headers;
    while let Some(chunk) = body.data().await {
        chunk.unwrap();
    }
    if let Some(trailers) = body.trailers().await.unwrap() {
        headers.extend(trailers);
    }
    let status = headers["grpc-status"].to_str().unwrap().parse().unwrap();
    let message = headers
        .get("grpc-message")
        .map(|m| m.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, message)
}

#[tokio::test]
async fn frames_cut_short_are_invalid_arguments_not_internal_errors() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let (code, message) = cut_frame(&server, SCREEN_SHIPMENT, 100, &[0x0A, 0x00]).await;
    assert_eq!(Code::from_i32(code), Code::InvalidArgument, "{message}");
    assert!(message.contains("truncated"), "{message}");
    let (code, message) = cut_frame(&server, SCREEN_SHIPMENTS, 50, &[0x0A]).await;
    assert_eq!(Code::from_i32(code), Code::InvalidArgument, "{message}");
    assert!(
        message.starts_with("requests%5B0%5D") || message.starts_with("requests[0]"),
        "{message}"
    );
    server.stop().await;
}
