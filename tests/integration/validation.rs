//! Invalid requests get the right code and name the offending field, in
//! the message and in a google.rpc.BadRequest detail.

use exportscreen::api::pb;
use tonic::Code;

use crate::util::{TestServer, assert_field_error, data_dir, plain_shipment};

type Edit = fn(&mut pb::Shipment);

const SHIPMENT_CASES: &[(&str, Edit, &str)] = &[
    (
        "blank party name",
        |s| s.parties[1].name = " ".into(),
        "shipment.parties[1].name",
    ),
    (
        "blank item description",
        |s| s.items[0].description = "".into(),
        "shipment.items[0].description",
    ),
    (
        "NaN parameter",
        |s| {
            s.items[0].parameters.insert("range_km".into(), f64::NAN);
        },
        "shipment.items[0].parameters[\"range_km\"]",
    ),
    (
        "bad parameter key",
        |s| {
            s.items[0].parameters.insert("Range-KM".into(), 1.0);
        },
        "shipment.items[0].parameters[\"Range-KM\"]",
    ),
    (
        "negative quantity",
        |s| s.items[0].quantity = -3.0,
        "shipment.items[0].quantity",
    ),
    (
        "infinite quantity",
        |s| s.items[0].quantity = f64::INFINITY,
        "shipment.items[0].quantity",
    ),
    (
        "unknown enum value",
        |s| s.parties[0].role = 99,
        "shipment.parties[0].role",
    ),
    (
        "2000 items",
        |s| s.items = vec![s.items[0].clone(); 2000],
        "shipment.items",
    ),
    (
        "control character",
        |s| s.end_use = "ok\u{7}".into(),
        "shipment.end_use",
    ),
    (
        "long address",
        |s| s.parties[0].address = "a".repeat(5000),
        "shipment.parties[0].address",
    ),
];

#[tokio::test]
async fn invalid_shipments_name_the_field() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let mut c = server.screening();

    let missing = c
        .screen_shipment(pb::ScreenShipmentRequest {
            shipment: None,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_field_error(&missing, Code::InvalidArgument, "shipment");

    for (name, edit, field) in SHIPMENT_CASES {
        let mut s = plain_shipment("PO-bad");
        edit(&mut s);
        let err = c
            .screen_shipment(pb::ScreenShipmentRequest {
                shipment: Some(s),
                ..Default::default()
            })
            .await
            .expect_err(name);
        assert_field_error(&err, Code::InvalidArgument, field);
    }
    server.stop().await;
}

#[tokio::test]
async fn invalid_party_item_and_lookup_requests_name_the_field() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let mut c = server.screening();

    let err = c
        .screen_party(pb::ScreenPartyRequest {
            party: None,
            limit: 0,
        })
        .await
        .unwrap_err();
    assert_field_error(&err, Code::InvalidArgument, "party");
    let err = c
        .screen_party(pb::ScreenPartyRequest {
            party: Some(pb::Party {
                name: "ACME".into(),
                ..pb::Party::default()
            }),
            limit: 1_000_000,
        })
        .await
        .unwrap_err();
    assert_field_error(&err, Code::InvalidArgument, "limit");
    let err = c
        .screen_item(pb::ScreenItemRequest {
            item: Some(pb::Item {
                description: "\t".into(),
                ..pb::Item::default()
            }),
        })
        .await
        .unwrap_err();
    assert_field_error(&err, Code::InvalidArgument, "item.description");
    let err = c
        .get_screening(pb::GetScreeningRequest {
            screening_id: String::new(),
        })
        .await
        .unwrap_err();
    assert_field_error(&err, Code::InvalidArgument, "screening_id");
    server.stop().await;
}
