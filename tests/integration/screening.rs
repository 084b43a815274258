//! ScreeningService over a real server: answers name the lists they used,
//! screenings are stored durably, batches answer in order.

use exportscreen::api::pb;
use exportscreen::engine::policy::Policy;
use exportscreen::engine::reference::ReferenceFiles;
use tonic::Code;

use crate::util::{CONTROL_ID, DENIAL_ID, LISTED_NAME, TestServer, data_dir, plain_shipment};

fn request(s: pb::Shipment) -> pb::ScreenShipmentRequest {
    pb::ScreenShipmentRequest {
        shipment: Some(s),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_plain_shipment_is_clear_stored_and_names_its_lists() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let mut c = server.screening();
    let r = c
        .screen_shipment(request(plain_shipment("PO-1")))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.decision, pb::Decision::Clear as i32);
    assert!(r.screening_id.starts_with("scr-"), "{}", r.screening_id);
    assert_eq!(r.case_id, "", "a CLEAR screening opens no case");
    let versions: Vec<(String, u64, String)> = r
        .list_versions
        .iter()
        .map(|v| (v.list_id.clone(), v.version, v.checksum.clone()))
        .collect();
    assert_eq!(
        versions,
        vec![
            (
                CONTROL_ID.to_string(),
                1,
                format!("checksum-{CONTROL_ID}-1")
            ),
            (DENIAL_ID.to_string(), 1, format!("checksum-{DENIAL_ID}-1")),
        ]
    );
    let policy = r.policy.clone().expect("policy");
    assert_eq!(policy.version, ReferenceFiles::embedded().version());

    let stored = c
        .get_screening(pb::GetScreeningRequest {
            screening_id: r.screening_id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stored.screening_id, r.screening_id);
    assert_eq!(stored.shipment, Some(plain_shipment("PO-1")));
    assert_eq!(stored.result, Some(r));
    assert!(stored.screened_at_unix_ms > 1_600_000_000_000);
    server.stop().await;
}

#[tokio::test]
async fn screenings_survive_a_restart() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let first = server
        .screening()
        .screen_shipment(request(plain_shipment("PO-restart")))
        .await
        .unwrap()
        .into_inner();
    server.stop().await;

    let server = TestServer::start(dir.path()).await;
    let mut c = server.screening();
    let stored = c
        .get_screening(pb::GetScreeningRequest {
            screening_id: first.screening_id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stored.shipment.unwrap().reference, "PO-restart");
    assert_eq!(stored.result.as_ref(), Some(&first));
    // Ids keep increasing across the restart.
    let second = c
        .screen_shipment(request(plain_shipment("PO-after")))
        .await
        .unwrap()
        .into_inner();
    assert!(second.screening_id > first.screening_id);
    server.stop().await;
}

#[tokio::test]
async fn unknown_screenings_are_not_found() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let err = server
        .screening()
        .get_screening(pb::GetScreeningRequest {
            screening_id: "scr-00000000deadbeef".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert!(
        err.message().contains("scr-00000000deadbeef"),
        "{}",
        err.message()
    );
    server.stop().await;
}

#[tokio::test]
async fn non_clear_screenings_of_one_shipment_share_a_case() {
    // The listed name as end user: with the real engine this is not CLEAR
    // and both screenings join one case; whatever the decision, case id and
    // decision must agree.
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let mut c = server.screening();
    let mut s = plain_shipment("PO-case");
    s.parties.push(pb::Party {
        role: pb::PartyRole::EndUser as i32,
        name: LISTED_NAME.into(),
        address: String::new(),
        country: String::new(),
    });
    let a = c
        .screen_shipment(request(s.clone()))
        .await
        .unwrap()
        .into_inner();
    let b = c.screen_shipment(request(s)).await.unwrap().into_inner();
    for r in [&a, &b] {
        assert_eq!(
            r.case_id.is_empty(),
            r.decision == pb::Decision::Clear as i32,
            "{r:?}"
        );
    }
    assert_eq!(a.case_id, b.case_id);
    assert_ne!(a.screening_id, b.screening_id);
    server.stop().await;
}

#[tokio::test]
async fn a_batch_is_answered_in_request_order() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let mut c = server.screening();
    let refs: Vec<String> = (0..50).map(|i| format!("BATCH-{i:02}")).collect();
    let reqs: Vec<_> = refs.iter().map(|r| request(plain_shipment(r))).collect();
    let mut answers = c
        .screen_shipments(tokio_stream::iter(reqs))
        .await
        .unwrap()
        .into_inner();
    let mut ids = Vec::new();
    while let Some(a) = answers.message().await.unwrap() {
        ids.push(a.screening_id);
    }
    assert_eq!(ids.len(), refs.len());
    for (id, want) in ids.iter().zip(&refs) {
        let stored = c
            .get_screening(pb::GetScreeningRequest {
                screening_id: id.clone(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(&stored.shipment.unwrap().reference, want, "{id}");
    }
    server.stop().await;
}

#[tokio::test]
async fn a_bad_message_gets_its_own_error_answer_and_the_batch_goes_on() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let mut c = server.screening();
    let mut bad = plain_shipment("BAD");
    bad.parties[1].name = "   ".into();
    let reqs = vec![
        request(plain_shipment("OK-0")),
        request(plain_shipment("OK-1")),
        request(plain_shipment("OK-2")),
        request(bad),
        request(plain_shipment("OK-4")),
    ];
    let mut answers = c
        .screen_shipments(tokio_stream::iter(reqs))
        .await
        .unwrap()
        .into_inner();
    let mut all = Vec::new();
    while let Some(a) = answers.message().await.unwrap() {
        all.push(a);
    }
    let indexes: Vec<u32> = all.iter().map(|a| a.index).collect();
    assert_eq!(indexes, vec![0, 1, 2, 3, 4]);
    for (i, a) in all.iter().enumerate() {
        assert_eq!(a.error.is_some(), i == 3, "{a:?}");
        assert_eq!(a.screening_id.is_empty(), i == 3, "{a:?}");
    }
    let e = all[3].error.as_ref().unwrap();
    assert_eq!(
        (e.code, e.code_name.as_str()),
        (Code::InvalidArgument as i32, "INVALID_ARGUMENT")
    );
    assert_eq!(e.field, "requests[3].shipment.parties[1].name");
    assert!(
        e.message
            .starts_with("requests[3].shipment.parties[1].name: "),
        "{}",
        e.message
    );
    // The answers after it are real screenings, stored.
    let stored = c
        .get_screening(pb::GetScreeningRequest {
            screening_id: all[4].screening_id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stored.shipment.unwrap().reference, "OK-4");
    server.stop().await;
}

#[tokio::test]
async fn party_and_item_screening_name_the_lists_they_used() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let mut c = server.screening();
    let policy = Policy::from_toml(&ReferenceFiles::embedded().policy).unwrap();

    let p = c
        .screen_party(pb::ScreenPartyRequest {
            party: Some(pb::Party {
                name: LISTED_NAME.into(),
                ..pb::Party::default()
            }),
            limit: 0,
        })
        .await
        .unwrap()
        .into_inner();
    let ids: Vec<&str> = p.list_versions.iter().map(|v| v.list_id.as_str()).collect();
    assert_eq!(ids, vec![DENIAL_ID]);
    assert_eq!(p.threshold, policy.party.review_threshold);
    for m in &p.matches {
        assert!(m.score >= p.threshold, "{m:?}");
        assert_eq!(m.list_id, DENIAL_ID);
    }

    let i = c
        .screen_item(pb::ScreenItemRequest {
            item: Some(pb::Item {
                description: "Second rocket stage, solid propellant".into(),
                ..pb::Item::default()
            }),
        })
        .await
        .unwrap()
        .into_inner();
    let ids: Vec<&str> = i.list_versions.iter().map(|v| v.list_id.as_str()).collect();
    assert_eq!(ids, vec![CONTROL_ID]);
    for m in &i.matches {
        assert_eq!(m.list_id, CONTROL_ID);
        assert!(
            ["CONTROLLED", "UNCERTAIN"].contains(&m.status.as_str()),
            "{m:?}"
        );
    }
    server.stop().await;
}
