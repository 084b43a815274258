//! List versions: stored and current, refused when not new or of another
//! kind or disagreeing with their content, written all or none, and
//! re-screening summaries.

use std::sync::Arc;

use super::*;
use crate::model::{
    ControlCategory, ControlEntry, DenialEntry, EntryName, ListContent, ListKind, ListMeta,
    NameKind,
};
use crate::store::{NewListVersion, StoreError};

/// Writes one version (no change record) and waits.
fn put(s: &SledStore, meta: ListMeta, content: &ListContent) -> Result<(), StoreError> {
    puts(s, vec![(meta, content.clone())])
}

/// Writes several versions in one write and waits.
fn puts(s: &SledStore, versions: Vec<(ListMeta, ListContent)>) -> Result<(), StoreError> {
    s.put_list_versions(
        versions
            .into_iter()
            .map(|(meta, content)| NewListVersion {
                meta,
                content: Arc::new(content),
                change: None,
                audit: None,
            })
            .collect(),
    )
    .wait()
}

pub(crate) fn denial(n: usize) -> ListContent {
    ListContent::Denial(
        (0..n)
            .map(|i| DenialEntry {
                entry_id: (i + 1).to_string(),
                names: vec![
                    EntryName {
                        name: format!("Example Trading Company {i}"),
                        kind: NameKind::Primary,
                    },
                    EntryName {
                        name: format!("ETC {i}"),
                        kind: NameKind::Alias,
                    },
                ],
                programs: vec!["NPWMD".into()],
                ..DenialEntry::default()
            })
            .collect(),
    )
}

pub(crate) fn control() -> ListContent {
    ListContent::Control(vec![ControlEntry {
        code: "2.A.1".into(),
        title: "Rocket stages".into(),
        category: ControlCategory::I,
        notes: String::new(),
        terms: vec!["rocket stage".into()],
        context: vec![],
        exclusions: vec![],
        rules: vec![],
        national_codes: vec![],
    }])
}

pub(crate) fn meta(list_id: &str, version: u64, content: &ListContent) -> ListMeta {
    ListMeta {
        list_id: list_id.into(),
        version,
        kind: content.kind(),
        format: "test".into(),
        entries: content.len() as u32,
        names: content.name_count() as u32,
        checksum: format!("sum-{list_id}-{version}"),
        ..ListMeta::default()
    }
}

#[test]
fn versions_are_stored_and_the_latest_is_current() {
    let s = SledStore::temporary().unwrap();
    assert_eq!(s.latest_version("ofac-sdn").unwrap(), 0);
    assert_eq!(s.current_version("ofac-sdn").unwrap(), None);
    let (c1, c2) = (denial(2), denial(3));
    put(&s, meta("ofac-sdn", 1, &c1), &c1).unwrap();
    put(&s, meta("ofac-sdn", 2, &c2), &c2).unwrap();
    put(&s, meta("mtcr", 1, &control()), &control()).unwrap();

    assert_eq!(s.list_ids().unwrap(), vec!["mtcr", "ofac-sdn"]);
    assert_eq!(s.current_version("ofac-sdn").unwrap(), Some(2));
    assert_eq!(s.latest_version("ofac-sdn").unwrap(), 2);
    assert_eq!(s.list_content("ofac-sdn", 1).unwrap(), c1);
    assert_eq!(
        s.list_history("ofac-sdn")
            .unwrap()
            .iter()
            .map(|m| m.version)
            .collect::<Vec<_>>(),
        vec![1, 2]
    );
    let loaded = s.load_current_lists().unwrap();
    let summary: Vec<(&str, u64, usize)> = loaded
        .iter()
        .map(|l| (l.meta.list_id.as_str(), l.meta.version, l.content.len()))
        .collect();
    assert_eq!(summary, vec![("mtcr", 1, 1), ("ofac-sdn", 2, 3)]);
}

#[test]
fn a_taken_or_older_version_is_refused_and_nothing_changes() {
    let s = SledStore::temporary().unwrap();
    let c = denial(1);
    put(&s, meta("x", 2, &c), &c).unwrap();
    let err = put(&s, meta("x", 2, &c), &c).unwrap_err();
    assert!(
        matches!(err, StoreError::VersionExists { version: 2, .. }),
        "{err:?}"
    );
    let err = put(&s, meta("x", 1, &c), &c).unwrap_err();
    assert!(matches!(err, StoreError::InvalidVersion { .. }), "{err:?}");
    assert_eq!(s.current_version("x").unwrap(), Some(2));
    assert!(matches!(
        s.list_meta("x", 1),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn the_kind_of_a_list_never_changes() {
    let s = SledStore::temporary().unwrap();
    let d = denial(1);
    put(&s, meta("x", 1, &d), &d).unwrap();
    assert!(s.check_kind("x", ListKind::Denial).is_ok());
    assert!(s.check_kind("new-list", ListKind::Control).is_ok());
    assert!(matches!(
        s.check_kind("x", ListKind::Control),
        Err(StoreError::KindChanged { .. })
    ));
    let err = put(&s, meta("x", 2, &control()), &control()).unwrap_err();
    assert!(
        matches!(&err, StoreError::KindChanged { current, new, .. } if *current == ListKind::Denial && *new == ListKind::Control),
        "{err:?}"
    );
    assert_eq!(s.current_version("x").unwrap(), Some(1));
    assert_eq!(s.latest_version("x").unwrap(), 1);
}

#[test]
fn metadata_must_agree_with_content() {
    let s = SledStore::temporary().unwrap();
    let c = denial(2);
    let bad: &[(&str, ListMeta)] = &[
        (
            "zero version",
            ListMeta {
                version: 0,
                ..meta("x", 1, &c)
            },
        ),
        (
            "kind",
            ListMeta {
                kind: ListKind::Control,
                ..meta("x", 1, &c)
            },
        ),
        (
            "entries",
            ListMeta {
                entries: 7,
                ..meta("x", 1, &c)
            },
        ),
        (
            "names",
            ListMeta {
                names: 1,
                ..meta("x", 1, &c)
            },
        ),
    ];
    for (what, m) in bad {
        let err = put(&s, m.clone(), &c).unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidVersion { .. }),
            "{what}: {err:?}"
        );
    }
    let err = put(&s, meta("Bad_Id", 1, &c), &c).unwrap_err();
    assert!(matches!(err, StoreError::InvalidListId { .. }), "{err:?}");
    assert!(s.list_ids().unwrap().is_empty());
}

#[test]
fn several_versions_are_written_all_or_none() {
    let s = SledStore::temporary().unwrap();
    let d = denial(1);
    put(&s, meta("x", 1, &d), &d).unwrap();
    // y would be fine, but x changes kind: neither is written.
    let (m_y, m_x) = (meta("y", 1, &d), meta("x", 2, &control()));
    let err = puts(&s, vec![(m_y.clone(), d.clone()), (m_x, control())]).unwrap_err();
    assert!(matches!(err, StoreError::KindChanged { .. }), "{err:?}");
    assert_eq!(s.list_ids().unwrap(), vec!["x"]);
    // The same list twice is refused before anything is written.
    let m_x3 = meta("x", 3, &d);
    let err = puts(&s, vec![(meta("x", 2, &d), d.clone()), (m_x3, d.clone())]).unwrap_err();
    assert!(matches!(err, StoreError::InvalidVersion { .. }), "{err:?}");
    // Both good: both written.
    let m_x2 = meta("x", 2, &d);
    puts(&s, vec![(m_y, d.clone()), (m_x2, d.clone())]).unwrap();
    assert_eq!(s.current_version("x").unwrap(), Some(2));
    assert_eq!(s.current_version("y").unwrap(), Some(1));
}

#[test]
fn a_large_list_round_trips() {
    let s = SledStore::temporary().unwrap();
    let c = denial(20_000);
    put(&s, meta("big", 1, &c), &c).unwrap();
    let loaded = s.load_current_lists().unwrap();
    assert_eq!(*loaded[0].content, c);
}

#[test]
fn corrupt_content_is_reported_with_its_key() {
    let s = SledStore::temporary().unwrap();
    let c = denial(1);
    put(&s, meta("x", 1, &c), &c).unwrap();
    s.raw_insert_for_tests(
        "list_contents",
        &crate::store::sled_store::keys::version_key("x", 1),
        b"{not json",
    )
    .unwrap();
    let err = s.load_current_lists().unwrap_err();
    assert!(
        matches!(&err, StoreError::Corrupt { key, .. } if key == "x@1"),
        "{err:?}"
    );
}

#[test]
fn a_version_is_written_with_its_change_and_audit_record() {
    use crate::actions::{AuditAction, Origin};
    use crate::store::VersionChange;
    use crate::store::audit::NewAudit;
    let s = SledStore::temporary().unwrap();
    let c = denial(2);
    let change = VersionChange {
        origin: Origin::EntryAdd,
        entry_id: Some(crate::ids::EntryId::new("2")),
        previous_version: 0,
        added: 2,
        removed: 0,
        changed: 0,
    };
    s.put_list_versions(vec![NewListVersion {
        meta: meta("x", 1, &c),
        content: Arc::new(c),
        change: Some(change.clone()),
        audit: Some(NewAudit {
            actor: Actor::new("alice"),
            action: AuditAction::ListEntryAdd,
            subject: "x@1".into(),
            reason: "by hand".into(),
            details: serde_json::json!({}),
        }),
    }])
    .wait()
    .unwrap();
    assert_eq!(s.version_change("x", 1).unwrap(), Some(change));
    let audit = s.audit_range(i64::MIN, i64::MAX).unwrap();
    assert_eq!(
        (audit[0].action, audit[0].subject.as_str()),
        (AuditAction::ListEntryAdd, "x@1")
    );
}

#[test]
fn rescreen_summaries_are_kept_per_version() {
    use crate::store::RescreenSummary;
    let s = SledStore::temporary().unwrap();
    assert_eq!(s.rescreen("x", 1).unwrap(), None);
    let r = RescreenSummary {
        list_id: "x".into(),
        version: 1,
        candidates: 3,
        ..RescreenSummary::default()
    };
    s.put_rescreen(r.clone()).wait().unwrap();
    assert_eq!(s.rescreen("x", 1).unwrap(), Some(r));
}
