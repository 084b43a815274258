//! List hygiene end to end: a mistyped list id is NOT_FOUND instead of a
//! new list; lists to edit by hand are created explicitly; official lists
//! refuse hand edits and are overlaid by a local list; retired lists stay
//! for replay but are no longer screened; ListLists shows the publication
//! date the source states.

use exportscreen::api::pb;
use exportscreen::api::pb::import_list_request::Msg;
use exportscreen::api::pb::list_entry::Body;
use serde_json::json;
use tonic::Code;

use crate::http::request;
use crate::util::{ADMIN_SECRET, DENIAL_ID, TestServer, data_dir, plain_shipment};

const OVERLAY: &str = "un-sc-local";
const NEWCOMER: &str = "Gryphon Vector Aerospace Trading";

fn party(id: &str, name: &str) -> pb::ListEntry {
    pb::ListEntry {
        entry_id: id.into(),
        identity_key: String::new(),
        body: Some(Body::Denial(pb::DenialEntry {
            entry_id: id.into(),
            kind: "organization".into(),
            names: vec![pb::EntryName {
                name: name.into(),
                kind: "primary".into(),
            }],
            ..pb::DenialEntry::default()
        })),
    }
}

fn add(list_id: &str, entry: pb::ListEntry) -> pb::AddEntryRequest {
    pb::AddEntryRequest {
        list_id: list_id.into(),
        reason: "trade press report".into(),
        entry: Some(entry),
        expected_version: 0,
    }
}

async fn screen_newcomer(server: &TestServer, reference: &str) -> pb::ScreenShipmentResponse {
    let mut s = plain_shipment(reference);
    s.parties[1].name = NEWCOMER.into();
    s.parties[1].country = String::new();
    server
        .screening()
        .screen_shipment(pb::ScreenShipmentRequest {
            shipment: Some(s),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
}

#[tokio::test]
async fn lists_are_created_explicitly_official_ones_overlaid_and_retired_ones_kept() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let mut lists = server.lists();
    let count = |r: &pb::ListListsResponse| r.lists.len();
    let before = lists
        .list_lists(pb::ListListsRequest {})
        .await
        .unwrap()
        .into_inner();

    // A mistyped id creates nothing.
    let err = lists
        .add_entry(add("test-denail", party("T-1", NEWCOMER)))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound, "{err:?}");
    assert!(err.message().contains("CreateList"), "{err:?}");
    let after = lists
        .list_lists(pb::ListListsRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(count(&after), count(&before));

    // An official list (imported from the UN's format) with its publication date.
    let xml = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/lists/un-sc-xml/consolidated.xml"
    ))
    .unwrap();
    let msgs = vec![
        pb::ImportListRequest {
            msg: Some(Msg::Header(pb::ImportHeader {
                list_id: "un-sc".into(),
                format: "un-sc-xml".into(),
                reason: "monthly update".into(),
                options: Default::default(),
            })),
        },
        pb::ImportListRequest {
            msg: Some(Msg::Chunk(pb::FileChunk {
                file_name: "consolidated.xml".into(),
                data: xml,
            })),
        },
    ];
    lists.import_list(tokio_stream::iter(msgs)).await.unwrap();
    let un = lists
        .get_list(pb::GetListRequest {
            list_id: "un-sc".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(un.published, "2026-02-27");
    assert!(un.official && !un.retired);
    let err = lists
        .add_entry(add("un-sc", party("T-1", NEWCOMER)))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");
    assert!(err.message().contains("overlay"), "{err:?}");
    let err = lists
        .remove_entry(pb::RemoveEntryRequest {
            list_id: "un-sc".into(),
            entry_id: "6907993".into(),
            reason: "x".into(),
            expected_version: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");
    // The test lists (not official) still take edits.
    let test_denial = lists
        .get_list(pb::GetListRequest {
            list_id: DENIAL_ID.into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!test_denial.official);

    // The overlay: created with its kind, then edited; screened at once.
    let err = lists
        .create_list(pb::CreateListRequest {
            list_id: OVERLAY.into(),
            kind: pb::ListKind::Unspecified.into(),
            reason: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument, "{err:?}");
    let created = lists
        .create_list(pb::CreateListRequest {
            list_id: OVERLAY.into(),
            kind: pb::ListKind::Denial.into(),
            reason: "local additions to the UN list".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((created.version, created.kind.as_str()), (1, "denial"));
    assert!(!created.official);
    let err = lists
        .create_list(pb::CreateListRequest {
            list_id: OVERLAY.into(),
            kind: pb::ListKind::Denial.into(),
            reason: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists, "{err:?}");
    lists
        .add_entry(add(OVERLAY, party("L-1", NEWCOMER)))
        .await
        .unwrap();
    let flagged = screen_newcomer(&server, "HY-1").await;
    assert_eq!(flagged.decision, pb::Decision::Prohibited as i32);
    assert!(flagged.findings.iter().any(|f| f.list_id == OVERLAY));

    // Retired: no longer screened, kept for replay, refuses changes.
    let err = lists
        .retire_list(pb::RetireListRequest {
            list_id: OVERLAY.into(),
            reason: String::new(),
            expected_version: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument, "{err:?}");
    let retired = lists
        .retire_list(pb::RetireListRequest {
            list_id: OVERLAY.into(),
            reason: "merged into the team list".into(),
            expected_version: 2,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(retired.retired);
    assert_eq!((retired.version, retired.entries), (3, 1));
    let clear = screen_newcomer(&server, "HY-2").await;
    assert_eq!(clear.decision, pb::Decision::Clear as i32, "{clear:?}");
    assert!(!clear.list_versions.iter().any(|v| v.list_id == OVERLAY));
    let replay = lists
        .replay_screening(pb::ReplayScreeningRequest {
            screening_id: flagged.screening_id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(replay.same_decision && replay.same_findings, "{replay:?}");
    assert_eq!(replay.replayed_decision, pb::Decision::Prohibited as i32);
    let err = lists
        .add_entry(add(OVERLAY, party("L-2", "Someone Else Ltd")))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");
    assert!(err.message().contains("retired"), "{err:?}");
    let all = lists
        .list_lists(pb::ListListsRequest {})
        .await
        .unwrap()
        .into_inner();
    assert!(all.lists.iter().any(|l| l.list_id == OVERLAY && l.retired));
    let versions = lists
        .list_versions(pb::ListVersionsRequest {
            list_id: OVERLAY.into(),
        })
        .await
        .unwrap()
        .into_inner();
    let origins: Vec<&str> = versions
        .versions
        .iter()
        .map(|v| v.origin.as_str())
        .collect();
    assert_eq!(origins, ["create", "entry.add", "retire"]);

    // The same rules over HTTP/JSON: 404, 409 with the reason.
    let typo = request(
        &server.http_url,
        "POST",
        "/v1/exportscreen.v1.ListService/AddEntry",
        Some(ADMIN_SECRET),
        Some(
            &json!({"listId": "ofac-sdnn", "reason": "x",
                    "entry": {"entryId": "X-1", "denial": {"entryId": "X-1", "names": [{"name": "X Co", "kind": "primary"}]}}})
            .to_string(),
        ),
    )
    .await;
    assert_eq!(typo.status, 404, "{}", typo.json);
    let official = request(
        &server.http_url,
        "POST",
        "/v1/exportscreen.v1.ListService/AddEntry",
        Some(ADMIN_SECRET),
        Some(
            &json!({"listId": "un-sc", "reason": "x",
                    "entry": {"entryId": "X-1", "denial": {"entryId": "X-1", "names": [{"name": "X Co", "kind": "primary"}]}}})
            .to_string(),
        ),
    )
    .await;
    assert_eq!(official.status, 409, "{}", official.json);
    assert_eq!(official.json["code"], "FAILED_PRECONDITION");
    let listed = request(
        &server.http_url,
        "GET",
        "/v1/lists",
        Some(ADMIN_SECRET),
        None,
    )
    .await;
    let un = listed.json["lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["listId"] == "un-sc")
        .unwrap()
        .clone();
    assert_eq!(un["published"], "2026-02-27");
    assert_eq!(un["official"], true);
    server.stop().await;
}

async fn cli(server: &TestServer, args: &[&str]) -> (bool, String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_exportscreen"))
        .args(args)
        .env("EXPORTSCREEN_SERVER", &server.url)
        .env("EXPORTSCREEN_TOKEN", &server.admin_token)
        .output()
        .await
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_command_line_creates_edits_and_retires_lists() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_seeded(dir.path()).await;
    let entry = dir.path().join("entry.toml");
    std::fs::write(
        &entry,
        "[[entry]]\nid = \"L-1\"\ntype = \"organization\"\nname = \"Gryphon Vector Aerospace Trading\"\n",
    )
    .unwrap();
    let entry = entry.to_str().unwrap();

    // A typo is refused and says how to create a list.
    let (ok, _, err) = cli(
        &server,
        &["entry", "add", "ofac-sdnn", entry, "--reason", "x"],
    )
    .await;
    assert!(!ok && err.contains("create it first"), "{err}");
    // The official list refuses; the overlay takes the entry.
    let (ok, _, err) = cli(
        &server,
        &["entry", "add", "ofac-sdn", entry, "--reason", "x"],
    )
    .await;
    assert!(!ok && err.contains("overlay"), "{err}");
    let (ok, out, err) = cli(
        &server,
        &[
            "create-list",
            "ofac-sdn-local",
            "--kind",
            "denial",
            "--reason",
            "local additions",
        ],
    )
    .await;
    assert!(ok, "{err}");
    assert!(
        out.contains("created ofac-sdn-local (denial), version 1"),
        "{out}"
    );
    let (ok, _, err) = cli(
        &server,
        &["entry", "add", "ofac-sdn-local", entry, "--reason", "press"],
    )
    .await;
    assert!(ok, "{err}");

    // The table: publication dates of the bundled lists, official or local.
    let (ok, table, err) = cli(&server, &["lists"]).await;
    assert!(ok, "{err}");
    let line = |id: &str| {
        table
            .lines()
            .find(|l| l.split_whitespace().next() == Some(id))
            .unwrap_or_else(|| panic!("{id} in\n{table}"))
            .to_string()
    };
    assert!(
        table.lines().next().unwrap().contains("PUBLISHED"),
        "{table}"
    );
    assert!(line("ofac-sdn").contains("2023-12-28") && line("ofac-sdn").contains("official"));
    assert!(line("un-sc").contains("2026-02-27"));
    assert!(line("ofac-sdn-local").contains("local"));

    let (ok, _, err) = cli(&server, &["retire-list", "ofac-sdn-local"]).await;
    assert!(!ok && err.contains("reason"), "a reason is required: {err}");
    let (ok, out, err) = cli(
        &server,
        &[
            "retire-list",
            "ofac-sdn-local",
            "--reason",
            "merged into team-watch",
        ],
    )
    .await;
    assert!(ok, "{err}");
    assert!(out.contains("retired ofac-sdn-local at version 3"), "{out}");
    let (_, table, _) = cli(&server, &["lists"]).await;
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("ofac-sdn-local") && l.contains("retired")),
        "{table}"
    );
    server.stop().await;
}
