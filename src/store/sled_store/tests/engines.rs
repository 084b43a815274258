//! Both storage engines behind the store: a data directory written with
//! sled (before fjall became the default) keeps opening with sled and
//! reads back everything it holds; a new directory gets the engine of new
//! directories; the whole store works the same on either engine.

use super::super::Db;
use super::*;
use crate::model::Decision;
use crate::store::audit::ChainCheck;
use crate::store::kv::Engine;
use crate::store::tokens::{NewToken, token_hash};

/// Writes screenings (one CLEAR, two joining one case), a token and their
/// audit records; returns what to look for.
fn fill(s: &SledStore) -> (Vec<Recorded>, crate::store::tokens::TokenRecord) {
    let recs = vec![
        record(s, new_screening("ACME", "PO-1", Decision::Clear)),
        record(s, new_screening("ACME", "PO-2", Decision::Review)),
        record(s, new_screening("ACME", "PO-2", Decision::Review)),
    ];
    let token = s
        .insert_token(
            token_hash("secret"),
            NewToken {
                principal: "erp".into(),
                roles: vec!["SCREENER".into()],
                created_by: "tests".into(),
                ..NewToken::default()
            },
            5,
        )
        .wait()
        .unwrap();
    (recs, token)
}

/// Everything `fill` wrote reads back from `s`.
fn check(s: &SledStore, recs: &[Recorded], token: &crate::store::tokens::TokenRecord) {
    for r in recs {
        assert_eq!(s.screening(&r.record.screening_id).unwrap(), r.record);
    }
    let case_id = recs[1]
        .record
        .case_id
        .clone()
        .expect("a flagged screening opens a case");
    assert_eq!(recs[2].record.case_id.as_ref(), Some(&case_id), "joins it");
    let case = s.case(&case_id).unwrap();
    assert_eq!(case.screenings, 2);
    let members: Vec<_> = s
        .case_members(&case_id, 0, 10)
        .unwrap()
        .into_iter()
        .map(|m| m.screening_id)
        .collect();
    assert_eq!(
        members,
        [
            recs[1].record.screening_id.clone(),
            recs[2].record.screening_id.clone()
        ]
    );
    assert_eq!(
        s.open_case("ACME", "PO-2").unwrap().map(|c| c.case_id),
        Some(case_id)
    );
    assert_eq!(
        s.token_by_hash(&token_hash("secret")).unwrap().as_ref(),
        Some(token)
    );
    assert!(
        matches!(s.verify_audit().unwrap(), ChainCheck::Intact { records } if records >= 3),
        "{:?}",
        s.verify_audit()
    );
}

/// Opens `path` again once the previous handle has released it.
fn reopen(path: &std::path::Path) -> SledStore {
    SledStore::open_waiting(path, std::time::Duration::from_secs(10)).unwrap()
}

#[test]
fn a_sled_directory_keeps_opening_with_sled_and_reads_everything_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let (recs, token) = {
        let s = SledStore::from_db(Db::open_with(&path, Engine::Sled).unwrap()).unwrap();
        let written = fill(&s);
        s.close().wait().unwrap();
        written
    };
    // Opened as any data directory is: the engine comes from its files.
    let s = reopen(&path);
    assert_eq!(s.engine(), Engine::Sled);
    check(&s, &recs, &token);
    // It takes new writes, with fresh ids.
    let later = record(&s, new_screening("ACME", "PO-2", Decision::Review));
    assert!(
        recs.iter()
            .all(|r| r.record.screening_id != later.record.screening_id)
    );
    assert_eq!(later.record.case_id, recs[1].record.case_id);
}

#[test]
fn a_new_directory_gets_the_engine_of_new_directories() {
    let dir = tempfile::tempdir().unwrap();
    let s = SledStore::open(dir.path().join("db")).unwrap();
    assert_eq!(s.engine(), Engine::for_new().unwrap());
}

#[test]
fn the_store_reads_back_what_it_wrote_and_ids_stay_fresh_on_both_engines() {
    for engine in [Engine::Sled, Engine::Fjall] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let (recs, token) = {
            let s = SledStore::from_db(Db::open_with(&path, engine).unwrap()).unwrap();
            let written = fill(&s);
            check(&s, &written.0, &written.1);
            s.close().wait().unwrap();
            written
        };
        let s = reopen(&path);
        assert_eq!(s.engine(), engine);
        check(&s, &recs, &token);
        let later = record(&s, new_screening("ACME", "PO-3", Decision::Review));
        assert!(
            recs.iter()
                .all(|r| r.record.screening_id != later.record.screening_id
                    && r.record.case_id != later.record.case_id),
            "{engine:?}: ids after a reopen are new"
        );
    }
}
