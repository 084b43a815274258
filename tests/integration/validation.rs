//! Invalid requests get the right code and name the offending field, in
//! the message and in a google.rpc.BadRequest detail: limits, bounded
//! names, and no silent CLEAR (no items, no party besides the exporter, no
//! or an unknown destination, unknown parameter keys, values out of range).

use exportscreen::api::pb;
use tonic::Code;

use crate::util::{LISTED_NAME, TestServer, assert_field_error, data_dir, plain_shipment};

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
    // No silent CLEAR: what the service would not understand is refused.
    ("no items", |s| s.items.clear(), "shipment.items"),
    ("no parties", |s| s.parties.clear(), "shipment.parties"),
    (
        "only the exporter",
        |s| s.parties.truncate(1),
        "shipment.parties",
    ),
    (
        "no destination",
        |s| s.destination_country = String::new(),
        "shipment.destination_country",
    ),
    (
        "an unknown country code",
        |s| s.destination_country = "XX".into(),
        "shipment.destination_country",
    ),
    (
        "a misspelt country",
        |s| s.destination_country = "Syrai".into(),
        "shipment.destination_country",
    ),
    (
        "an unknown party country",
        |s| s.parties[1].country = "Atlantis".into(),
        "shipment.parties[1].country",
    ),
    (
        "an unknown parameter key",
        |s| {
            s.items[0]
                .parameters
                .insert("bias_stability_deg_hr".into(), 0.5);
        },
        "shipment.items[0].parameters[\"bias_stability_deg_hr\"]",
    ),
    (
        "a negative range",
        |s| {
            s.items[0].parameters.insert("range_km".into(), -300.0);
        },
        "shipment.items[0].parameters[\"range_km\"]",
    ),
    (
        "a negative payload",
        |s| {
            s.items[0].parameters.insert("payload_kg".into(), -1.0);
        },
        "shipment.items[0].parameters[\"payload_kg\"]",
    ),
    (
        "a purity over 100 %",
        |s| {
            s.items[0].parameters.insert("purity_pct".into(), 100.5);
        },
        "shipment.items[0].parameters[\"purity_pct\"]",
    ),
    // Bounded input: a name's words and their length.
    (
        "a name of 65 words",
        |s| s.parties[1].name = "al ".repeat(65),
        "shipment.parties[1].name",
    ),
    (
        "a name with a 65-character word",
        |s| s.parties[1].name = format!("{} Trading", "m".repeat(65)),
        "shipment.parties[1].name",
    ),
];

/// Edits that stay valid: blank party countries, names and codes of
/// countries, keys at the edges of their ranges, the longest names.
const VALID_CASES: &[(&str, Edit)] = &[
    ("a blank party country", |s| {
        s.parties[1].country = String::new()
    }),
    ("a country name", |s| s.destination_country = "Japan".into()),
    ("an alpha-3 code", |s| s.destination_country = "JPN".into()),
    ("a range of 0", |s| {
        s.items[0].parameters.insert("range_km".into(), 0.0);
    }),
    ("a temperature below zero", |s| {
        s.items[0].parameters.insert("temperature_c".into(), -55.0);
    }),
    ("a name of 64 words", |s| {
        s.parties[1].name = "al ".repeat(64)
    }),
    ("a 64-character word", |s| {
        s.parties[1].name = "m".repeat(64)
    }),
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
    for (name, edit) in VALID_CASES {
        let mut s = plain_shipment("PO-ok");
        edit(&mut s);
        c.screen_shipment(pb::ScreenShipmentRequest {
            shipment: Some(s),
            ..Default::default()
        })
        .await
        .unwrap_or_else(|e| panic!("{name}: {e:?}"));
    }
    server.stop().await;
}

#[tokio::test]
async fn a_shipment_not_understood_in_a_stream_is_named_by_its_index() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let mut bad = plain_shipment("PO-3");
    bad.destination_country = "XX".into();
    let requests = [plain_shipment("PO-1"), plain_shipment("PO-2"), bad]
        .into_iter()
        .map(|s| pb::ScreenShipmentRequest {
            shipment: Some(s),
            ..Default::default()
        });
    let mut answers = server
        .screening()
        .screen_shipments(tokio_stream::iter(requests))
        .await
        .unwrap()
        .into_inner();
    for i in 0..2 {
        let a = answers.message().await.unwrap().unwrap();
        assert_eq!((a.index, a.error), (i, None));
    }
    // The request not understood gets an answer naming it; the stream goes on.
    let a = answers.message().await.unwrap().unwrap();
    assert_eq!(a.index, 2);
    let e = a.error.expect("an error answer");
    assert_eq!(
        (e.code, e.code_name.as_str(), e.field.as_str()),
        (
            Code::InvalidArgument as i32,
            "INVALID_ARGUMENT",
            "requests[2].shipment.destination_country"
        ),
        "{e:?}"
    );
    assert!(a.screening_id.is_empty() && a.findings.is_empty());
    assert!(answers.message().await.unwrap().is_none());
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
    // (name, country, field): bounded names here too.
    let parties = [
        ("al ".repeat(65), "", "party.name"),
        ("x".repeat(65), "", "party.name"),
    ];
    for (name, country, field) in parties {
        let err = c
            .screen_party(pb::ScreenPartyRequest {
                party: Some(pb::Party {
                    name,
                    country: country.into(),
                    ..pb::Party::default()
                }),
                limit: 0,
            })
            .await
            .unwrap_err();
        assert_field_error(&err, Code::InvalidArgument, field);
    }
    // A country no code or name resolves does not fail a name lookup: the
    // name is screened as without a country, and a warning names the field.
    let lookup = |country: &str| pb::ScreenPartyRequest {
        party: Some(pb::Party {
            name: LISTED_NAME.into(),
            country: country.into(),
            ..pb::Party::default()
        }),
        limit: 0,
    };
    let plain = c.screen_party(lookup("")).await.unwrap().into_inner();
    assert!(!plain.matches.is_empty(), "{plain:?}");
    assert!(plain.warnings.is_empty(), "{:?}", plain.warnings);
    for country in ["Narnia", "NM"] {
        let r = c.screen_party(lookup(country)).await.unwrap().into_inner();
        assert_eq!(r.matches, plain.matches, "{country}");
        assert_eq!(r.warnings.len(), 1, "{country}: {:?}", r.warnings);
        assert!(
            r.warnings[0].starts_with("party.country: unknown country")
                && r.warnings[0].contains(country),
            "{:?}",
            r.warnings
        );
    }
    let err = c
        .screen_item(pb::ScreenItemRequest {
            item: Some(pb::Item {
                description: "Solid rocket motor".into(),
                parameters: [("total_impulse_ns".to_string(), -5.0)].into(),
                ..pb::Item::default()
            }),
        })
        .await
        .unwrap_err();
    assert_field_error(
        &err,
        Code::InvalidArgument,
        "item.parameters[\"total_impulse_ns\"]",
    );
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
