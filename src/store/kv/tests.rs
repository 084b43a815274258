//! The key-value interface behaves the same on both engines: reads,
//! scans both ways, atomic batches, durable flushes that survive a
//! reopen, ids that grow across restarts, and engine detection.

use super::*;

const ENGINES: [Engine; 2] = [Engine::Sled, Engine::Fjall];

fn put(db: &Db, t: &Tree, k: &[u8], v: Option<&[u8]>) {
    db.apply(&[(t, vec![(k.to_vec(), v.map(::sled::IVec::from))])])
        .unwrap();
}

fn keys(it: Iter) -> Vec<Vec<u8>> {
    it.keys().map(|k| k.unwrap().to_vec()).collect()
}

#[test]
fn reads_scans_and_batches_agree_on_both_engines() {
    for engine in ENGINES {
        let db = Db::temporary_with(engine).unwrap();
        assert_eq!(db.engine(), engine);
        let a = db.open_tree("a").unwrap();
        let b = db.open_tree("b").unwrap();
        for k in [b"k1".as_slice(), b"k2", b"k3", b"x1"] {
            put(&db, &a, k, Some(k));
        }
        assert_eq!(a.get(b"k2").unwrap().as_deref(), Some(&b"k2"[..]));
        assert_eq!(a.get(b"nope").unwrap(), None);
        assert_eq!(keys(a.iter()), [b"k1", b"k2", b"k3", b"x1"], "{engine:?}");
        assert_eq!(keys(a.scan_prefix(b"k")), [b"k1", b"k2", b"k3"]);
        let rev: Vec<Vec<u8>> = a
            .scan_prefix(b"k")
            .rev()
            .map(|kv| kv.unwrap().0.to_vec())
            .collect();
        assert_eq!(rev, [b"k3", b"k2", b"k1"], "{engine:?}: reverse scan");
        assert_eq!(keys(a.range(b"k2".as_slice()..b"x1")), [b"k2", b"k3"]);
        assert_eq!(a.len().unwrap(), 4);
        // One batch across trees: a removal and inserts in two trees.
        db.apply(&[
            (&a, vec![(b"k1".to_vec(), None)]),
            (&b, vec![(b"z".to_vec(), Some(b"1".as_slice().into()))]),
        ])
        .unwrap();
        assert_eq!(a.get(b"k1").unwrap(), None);
        assert_eq!(b.get(b"z").unwrap().as_deref(), Some(&b"1"[..]));
        assert!(!b.is_empty().unwrap());
    }
}

#[test]
fn flushed_writes_and_ids_survive_a_reopen_on_both_engines() {
    for engine in ENGINES {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let mut last_id = 0;
        {
            let db = Db::open_with(&path, engine).unwrap();
            let t = db.open_tree("t").unwrap();
            put(&db, &t, b"k", Some(b"v"));
            for _ in 0..3 {
                let id = db.generate_id().unwrap();
                assert!(id >= last_id);
                last_id = id;
            }
            db.flush().unwrap();
        }
        assert_eq!(Engine::detect(&path), Some(engine));
        let db = reopen(&path);
        assert_eq!(
            db.engine(),
            engine,
            "an existing directory keeps its engine"
        );
        let t = db.open_tree("t").unwrap();
        assert_eq!(t.get(b"k").unwrap().as_deref(), Some(&b"v"[..]));
        assert!(db.generate_id().unwrap() > last_id, "{engine:?}: ids grow");
    }
}

/// Opens again, waiting for the previous handle's background threads to
/// release the lock.
fn reopen(path: &Path) -> Db {
    for _ in 0..150 {
        match Db::open(path) {
            Ok(db) => return db,
            Err(e) if e.locked => std::thread::sleep(std::time::Duration::from_millis(20)),
            Err(e) => panic!("{e:?}"),
        }
    }
    panic!("still locked")
}

#[test]
fn a_missing_or_empty_directory_has_no_engine_yet() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(Engine::detect(dir.path()), None);
    assert_eq!(Engine::detect(&dir.path().join("missing")), None);
}
