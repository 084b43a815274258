//! ListService over a real server: listing, lookups, and imports that must
//! be refused while the previous version stays live.

use exportscreen::api::pb;
use exportscreen::api::pb::import_list_request::Msg;
use tonic::Code;

use crate::util::{CONTROL_ID, DENIAL_ID, TestServer, assert_field_error, data_dir};

fn header(list_id: &str, format: &str) -> pb::ImportListRequest {
    pb::ImportListRequest {
        msg: Some(Msg::Header(pb::ImportHeader {
            list_id: list_id.into(),
            format: format.into(),
            reason: "test".into(),
            options: Default::default(),
        })),
    }
}

fn chunk(name: &str, data: &[u8]) -> pb::ImportListRequest {
    pb::ImportListRequest {
        msg: Some(Msg::Chunk(pb::FileChunk {
            file_name: name.into(),
            data: data.to_vec(),
        })),
    }
}

async fn import(server: &TestServer, msgs: Vec<pb::ImportListRequest>) -> tonic::Status {
    server
        .lists()
        .import_list(tokio_stream::iter(msgs))
        .await
        .expect_err("import should be refused")
}

/// (list id, version) of every listed list.
async fn listed(server: &TestServer) -> Vec<(String, u64)> {
    server
        .lists()
        .list_lists(pb::ListListsRequest {})
        .await
        .unwrap()
        .into_inner()
        .lists
        .into_iter()
        .map(|l| (l.list_id, l.version))
        .collect()
}

#[tokio::test]
async fn lists_are_listed_and_looked_up() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    assert_eq!(
        listed(&server).await,
        vec![(CONTROL_ID.to_string(), 1), (DENIAL_ID.to_string(), 1)]
    );
    let info = server
        .lists()
        .get_list(pb::GetListRequest {
            list_id: DENIAL_ID.into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(info.kind, "denial");
    assert_eq!((info.entries, info.names), (2, 3));
    assert_eq!(info.author, "tests");
    assert_eq!(info.source, format!("model: {DENIAL_ID}.json"));
    assert_eq!(
        info.r#ref.unwrap().checksum,
        format!("checksum-{DENIAL_ID}-1")
    );

    let err = server
        .lists()
        .get_list(pb::GetListRequest {
            list_id: "no-such-list".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert!(err.message().contains("no-such-list"), "{}", err.message());
    server.stop().await;
}

#[tokio::test]
async fn a_failed_import_keeps_the_previous_version() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let before = listed(&server).await;

    // An unknown format is refused before any data is taken.
    let err = import(
        &server,
        vec![
            header(DENIAL_ID, "no-such-format"),
            chunk("x.csv", b"a,b\n"),
        ],
    )
    .await;
    assert_field_error(&err, Code::InvalidArgument, "header.format");
    assert!(
        err.message().contains("no-such-format"),
        "{}",
        err.message()
    );

    // A file the importer cannot read is refused naming the file.
    let err = import(
        &server,
        vec![
            header(DENIAL_ID, "bis-dpl-tsv"),
            chunk("dpl.txt", b"\x00\x01 not a list"),
        ],
    )
    .await;
    assert_eq!(err.code(), Code::InvalidArgument, "{err:?}");

    assert_eq!(listed(&server).await, before);
    server.stop().await;
}

#[tokio::test]
async fn malformed_import_streams_are_refused_naming_the_message() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let big = vec![b'x'; (1 << 20) + 1];
    let cases: Vec<(&str, Vec<pb::ImportListRequest>, Code, &str)> = vec![
        (
            "missing header",
            vec![chunk("sdn.csv", b"x")],
            Code::InvalidArgument,
            "requests[0].header",
        ),
        (
            "empty stream",
            vec![],
            Code::InvalidArgument,
            "requests[0].header",
        ),
        (
            "bad list id",
            vec![header("Bad_ID", "ofac-sdn-csv")],
            Code::InvalidArgument,
            "header.list_id",
        ),
        (
            "empty list id",
            vec![header("", "ofac-sdn-csv")],
            Code::InvalidArgument,
            "header.list_id",
        ),
        (
            "second header",
            vec![
                header("x", "ofac-sdn-csv"),
                chunk("sdn.csv", b"x"),
                header("x", "ofac-sdn-csv"),
            ],
            Code::InvalidArgument,
            "requests[2].header",
        ),
        (
            "empty message",
            vec![
                header("x", "ofac-sdn-csv"),
                pb::ImportListRequest { msg: None },
            ],
            Code::InvalidArgument,
            "requests[1]",
        ),
        (
            "blank file name",
            vec![header("x", "ofac-sdn-csv"), chunk(" ", b"x")],
            Code::InvalidArgument,
            "requests[1].chunk.file_name",
        ),
        (
            "path as file name",
            vec![header("x", "ofac-sdn-csv"), chunk("../sdn.csv", b"x")],
            Code::InvalidArgument,
            "requests[1].chunk.file_name",
        ),
        (
            "file sent twice",
            vec![
                header("x", "ofac-sdn-csv"),
                chunk("sdn.csv", b"x"),
                chunk("alt.csv", b"x"),
                chunk("sdn.csv", b"x"),
            ],
            Code::InvalidArgument,
            "requests[3].chunk.file_name",
        ),
        (
            "oversized chunk",
            vec![header("x", "ofac-sdn-csv"), chunk("sdn.csv", &big)],
            Code::ResourceExhausted,
            "requests[1].chunk.data",
        ),
    ];
    for (name, msgs, code, field) in cases {
        let err = import(&server, msgs).await;
        assert_eq!(err.code(), code, "{name}: {err:?}");
        assert_field_error(&err, code, field);
    }
    server.stop().await;
}

/// The first three rows of the BIS Denied Persons List of 2023-11, as published.
const DPL_3_ROWS: &[u8] = include_bytes!("../fixtures/service/dpl-3-rows.txt");

#[tokio::test]
async fn a_successful_import_becomes_the_live_version() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let import_dpl = |list_id: &'static str| {
        let mut req = tonic::Request::new(tokio_stream::iter(vec![
            header(list_id, "bis-dpl-tsv"),
            chunk("dpl.txt", &DPL_3_ROWS[..100]),
            chunk("dpl.txt", &DPL_3_ROWS[100..]),
        ]));
        req.metadata_mut()
            .insert("x-exportscreen-actor", "officer-7".parse().unwrap());
        let mut c = server.lists();
        async move { c.import_list(req).await }
    };

    let first = import_dpl("dpl-test").await.unwrap().into_inner();
    assert_eq!(
        (first.list_id.as_str(), first.version, first.entries),
        ("dpl-test", 1, 3)
    );
    assert!(first.names >= first.entries, "{first:?}");
    let second = import_dpl("dpl-test").await.unwrap().into_inner();
    assert_eq!(second.version, 2);

    let info = server
        .lists()
        .get_list(pb::GetListRequest {
            list_id: "dpl-test".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((info.version, info.kind.as_str()), (2, "denial"));
    assert_eq!(info.author, "officer-7");
    assert_eq!(info.reason, "test");
    assert_eq!(info.files.len(), 1);
    assert_eq!(info.files[0].name, "dpl.txt");
    assert_eq!(info.files[0].bytes, DPL_3_ROWS.len() as u64);
    assert_eq!(info.files[0].sha256.len(), 64);

    // Screenings now name the new version.
    let r = server
        .screening()
        .screen_shipment(pb::ScreenShipmentRequest {
            shipment: Some(crate::util::plain_shipment("PO-after-import")),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        r.list_versions
            .iter()
            .any(|v| v.list_id == "dpl-test" && v.version == 2),
        "{:?}",
        r.list_versions
    );

    // A denial list cannot replace a control list.
    let err = import_dpl(CONTROL_ID).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");

    // The versions survive a restart.
    server.stop().await;
    let server = TestServer::start(dir.path()).await;
    assert!(listed(&server).await.contains(&("dpl-test".to_string(), 2)));
    assert!(listed(&server).await.contains(&(CONTROL_ID.to_string(), 1)));
    server.stop().await;
}

/// Real files: a CSL slice, and the real partial CSL copy, cut off inside
/// its last row (rejected whole by design).
const CSL: &[u8] = include_bytes!("../fixtures/lists/trade-gov-csl-csv/consolidated.csv");
const CSL_TRUNCATED: &[u8] = include_bytes!("../fixtures/lists/malformed/csl-truncated.csv");
const SDN: &[u8] = include_bytes!("../fixtures/lists/ofac-sdn-csv/sdn.csv");

#[tokio::test]
async fn a_broken_real_file_is_refused_naming_file_and_line_and_the_old_version_stays() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let mut c = server.lists();
    let ok = c
        .import_list(tokio_stream::iter(vec![
            header("csl", "trade-gov-csl-csv"),
            chunk("consolidated.csv", CSL),
        ]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ok.version, 1);

    let err = import(
        &server,
        vec![
            header("csl", "trade-gov-csl-csv"),
            chunk("csl-truncated.csv", CSL_TRUNCATED),
        ],
    )
    .await;
    assert_field_error(&err, Code::InvalidArgument, "files[csl-truncated.csv]");
    assert!(
        err.message().contains("csl-truncated.csv, line 3"),
        "{}",
        err.message()
    );

    // An SDN file whose 5th record lost a field, behind valid ones.
    let text = String::from_utf8_lossy(SDN).into_owned();
    let mut lines: Vec<String> = text.split("\r\n").map(str::to_string).collect();
    lines[4] = lines[4].replacen(",-0- ", "", 1);
    let broken = lines.join("\r\n");
    let err = import(
        &server,
        vec![
            header("csl", "ofac-sdn-csv"),
            chunk("sdn.csv", broken.as_bytes()),
        ],
    )
    .await;
    assert!(
        err.message().contains("sdn.csv, line 5"),
        "{}",
        err.message()
    );

    // Version 1 is still the one listed, screened against and in the history.
    assert!(listed(&server).await.contains(&("csl".to_string(), 1)));
    let versions = c
        .list_versions(pb::ListVersionsRequest {
            list_id: "csl".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .versions;
    assert_eq!(versions.len(), 1);
    let r = server
        .screening()
        .screen_shipment(pb::ScreenShipmentRequest {
            shipment: Some(crate::util::plain_shipment("PO-after-refusal")),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        r.list_versions
            .iter()
            .any(|v| v.list_id == "csl" && v.version == 1)
    );
    server.stop().await;
}
