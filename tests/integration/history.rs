//! List history over a real server: versions with their origin and counts,
//! entries as of a version, diffs, edits by hand (recorded as such, each a
//! new version, audited), optimistic concurrency, and the replay of a
//! stored screening against the versions it used.

use exportscreen::api::pb;
use exportscreen::api::pb::list_entry::Body;
use exportscreen::api::startup::DB_DIR;
use exportscreen::store::{SledStore, Store};
use tonic::Code;

use crate::util::{DENIAL_ID, TestServer, assert_field_error, data_dir, plain_shipment};

fn party(id: &str, name: &str, aliases: &[&str]) -> pb::ListEntry {
    let mut names = vec![pb::EntryName {
        name: name.into(),
        kind: "primary".into(),
    }];
    names.extend(aliases.iter().map(|a| pb::EntryName {
        name: a.to_string(),
        kind: "alias".into(),
    }));
    pb::ListEntry {
        entry_id: id.into(),
        identity_key: String::new(),
        body: Some(Body::Denial(pb::DenialEntry {
            entry_id: id.into(),
            kind: "organization".into(),
            names,
            programs: vec!["TEAM".into()],
            countries: vec!["AE".into()],
            ..pb::DenialEntry::default()
        })),
    }
}

fn with_actor<T>(msg: T, actor: &str) -> tonic::Request<T> {
    let mut r = tonic::Request::new(msg);
    r.metadata_mut()
        .insert("x-exportscreen-actor", actor.parse().unwrap());
    r
}

fn shipment_to(name: &str, reference: &str) -> pb::Shipment {
    let mut s = plain_shipment(reference);
    s.parties[1].name = name.into();
    s.parties[1].country = String::new();
    s
}

async fn screen(server: &TestServer, s: pb::Shipment) -> pb::ScreenShipmentResponse {
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

fn primary(e: &pb::ListEntry) -> &str {
    match &e.body {
        Some(Body::Denial(d)) => &d.names[0].name,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn edits_make_versions_that_are_listed_diffed_audited_and_screened() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let mut lists = server.lists();
    let newcomer = "Gryphon Vector Aerospace Trading";

    // Before: the newcomer is not listed.
    let before = screen(&server, shipment_to(newcomer, "PO-H1")).await;
    assert_eq!(before.decision, pb::Decision::Clear as i32);

    // Add, update, remove: each a new version, authored and explained.
    let added = lists
        .add_entry(with_actor(
            pb::AddEntryRequest {
                list_id: DENIAL_ID.into(),
                reason: "found in a trade press report".into(),
                entry: Some(party("T-1", newcomer, &["GVAT"])),
                expected_version: 1,
            },
            "officer-3",
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((added.version, added.entry_id.as_str()), (2, "T-1"));
    let info = added.info.unwrap();
    assert_eq!((info.author.as_str(), info.entries), ("officer-3", 3));
    assert!(
        info.files
            .iter()
            .any(|f| f.name.starts_with("edit-2-entry.add-T-1")),
        "{:?}",
        info.files
    );

    // The new entry is live: the same shipment is now prohibited, citing it.
    let after = screen(&server, shipment_to(newcomer, "PO-H2")).await;
    assert_eq!(after.decision, pb::Decision::Prohibited as i32);
    assert!(after.findings.iter().any(|f| f.entry_id == "T-1"));
    assert!(
        after
            .list_versions
            .iter()
            .any(|v| v.list_id == DENIAL_ID && v.version == 2)
    );

    // A stale expected version is refused; nothing changes.
    let err = lists
        .remove_entry(pb::RemoveEntryRequest {
            list_id: DENIAL_ID.into(),
            entry_id: "101".into(),
            reason: "x".into(),
            expected_version: 1,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Aborted, "{err:?}");

    lists
        .update_entry(pb::UpdateEntryRequest {
            list_id: DENIAL_ID.into(),
            entry_id: "T-1".into(),
            reason: "alias confirmed".into(),
            entry: Some(party("", newcomer, &["GVAT", "Gryphon Vector FZE"])),
            expected_version: 2,
        })
        .await
        .unwrap();
    let removed = lists
        .remove_entry(pb::RemoveEntryRequest {
            list_id: DENIAL_ID.into(),
            entry_id: "102".into(),
            reason: "delisted".into(),
            expected_version: 0,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(removed.version, 4);

    // Refusals name the field or the entry.
    let err = lists
        .add_entry(pb::AddEntryRequest {
            list_id: DENIAL_ID.into(),
            reason: String::new(),
            entry: Some(party("T-1", "Someone Else", &[])),
            expected_version: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists, "{err:?}");
    let err = lists
        .add_entry(pb::AddEntryRequest {
            list_id: DENIAL_ID.into(),
            reason: String::new(),
            entry: Some(party("T-9", " ", &[])),
            expected_version: 0,
        })
        .await
        .unwrap_err();
    assert_field_error(&err, Code::InvalidArgument, "entry.names[0]");
    let err = lists
        .remove_entry(pb::RemoveEntryRequest {
            list_id: DENIAL_ID.into(),
            entry_id: "no-such".into(),
            reason: String::new(),
            expected_version: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound, "{err:?}");

    // The history, oldest first.
    let versions = lists
        .list_versions(pb::ListVersionsRequest {
            list_id: DENIAL_ID.into(),
        })
        .await
        .unwrap()
        .into_inner()
        .versions;
    let summary: Vec<(u64, &str, &str, u64, u32, u32, u32)> = versions
        .iter()
        .map(|v| {
            (
                v.info.as_ref().unwrap().version,
                v.origin.as_str(),
                v.entry_id.as_str(),
                v.previous_version,
                v.added,
                v.removed,
                v.changed,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (1, "", "", 0, 0, 0, 0),
            (2, "entry.add", "T-1", 1, 1, 0, 0),
            (3, "entry.update", "T-1", 2, 0, 0, 1),
            (4, "entry.remove", "102", 3, 0, 1, 0),
        ]
    );
    assert_eq!(versions[3].info.as_ref().unwrap().reason, "delisted");

    // Entries as of a version.
    let get = |version: u64, entry_id: &str| {
        let mut c = server.lists();
        let req = pb::GetEntryRequest {
            list_id: DENIAL_ID.into(),
            version,
            entry_id: entry_id.into(),
        };
        async move { c.get_entry(req).await }
    };
    let old = get(1, "102").await.unwrap().into_inner();
    assert_eq!(
        primary(old.entry.as_ref().unwrap()),
        "Quillon Anvil Heavy Industries"
    );
    assert_eq!(get(0, "102").await.unwrap_err().code(), Code::NotFound);
    let current = get(0, "T-1").await.unwrap().into_inner();
    assert_eq!(current.version, 4);

    // The diff between the first and the current version.
    let d = lists
        .diff_versions(pb::DiffVersionsRequest {
            list_id: DENIAL_ID.into(),
            from_version: 1,
            to_version: 0,
            limit: 0,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            d.added_count,
            d.removed_count,
            d.changed_count,
            d.to_version
        ),
        (1, 1, 0, 4)
    );
    assert_eq!(d.added[0].entry_id, "T-1");
    assert_eq!(d.removed[0].entry_id, "102");
    let d = lists
        .diff_versions(pb::DiffVersionsRequest {
            list_id: DENIAL_ID.into(),
            from_version: 2,
            to_version: 3,
            limit: 0,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(d.changed[0].fields, ["names"]);

    // A team's own list, created explicitly, then filled by hand.
    let created = lists
        .create_list(pb::CreateListRequest {
            list_id: "team-watch".into(),
            kind: pb::ListKind::Denial.into(),
            reason: "our own list".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((created.version, created.entries), (1, 0));
    let team = lists
        .add_entry(pb::AddEntryRequest {
            list_id: "team-watch".into(),
            reason: "our own list".into(),
            entry: Some(party("W-1", "Kestrel Shadow Imports", &[])),
            expected_version: 0,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(team.version, 2);
    assert_eq!(team.info.unwrap().format, "exportscreen-toml");

    // Replaying the first screening uses version 1 and comes out the same.
    let replay = lists
        .replay_screening(pb::ReplayScreeningRequest {
            screening_id: before.screening_id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(replay.same_decision && replay.same_findings, "{replay:?}");
    assert!(!replay.policy_changed);
    assert!(
        replay
            .list_versions
            .iter()
            .any(|v| v.list_id == DENIAL_ID && v.version == 1)
    );
    let replay = lists
        .replay_screening(pb::ReplayScreeningRequest {
            screening_id: after.screening_id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(replay.replayed_decision, pb::Decision::Prohibited as i32);
    assert!(replay.same_decision && replay.same_findings, "{replay:?}");
    let err = lists
        .replay_screening(pb::ReplayScreeningRequest {
            screening_id: "scr-ffffffffffffffff".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    server.stop().await;

    // Every change is in the audit trail, with its actor and reason.
    let store = SledStore::open(dir.path().join(DB_DIR)).unwrap();
    let audit = store.audit_range(0, i64::MAX).unwrap();
    let changes: Vec<(&str, &str, &str)> = audit
        .iter()
        .filter(|r| r.action.as_str().starts_with("list."))
        .map(|r| (r.action.as_str(), r.subject.as_str(), r.actor.as_str()))
        .collect();
    assert_eq!(
        changes,
        vec![
            ("list.entry.add", "test-denial@2", "officer-3"),
            ("list.entry.update", "test-denial@3", "test-admin"),
            ("list.entry.remove", "test-denial@4", "test-admin"),
            ("list.create", "team-watch@1", "test-admin"),
            ("list.entry.add", "team-watch@2", "test-admin"),
        ]
    );
    assert!(audit.iter().any(|r| r.reason == "delisted"));
    assert!(matches!(
        store.verify_audit().unwrap(),
        exportscreen::store::audit::ChainCheck::Intact { .. }
    ));
}
