//! Hot swap under load: several tasks screen continuously while new
//! versions of a list are imported. No call may fail, and every answer must
//! name a complete, consistent set of list versions: every list, each at a
//! version that was committed, with that version's checksum, and findings
//! citing entries of exactly that version (never a half-built list).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use exportscreen::api::pb;
use exportscreen::api::pb::import_list_request::Msg;

use crate::util::{CONTROL_ID, DENIAL_ID, TestServer, data_dir, plain_shipment};

const LIST: &str = "swap-list";
const VERSIONS: u64 = 4;
const ENTRIES: usize = 400;
const SCREENERS: usize = 3;
/// The party every screening sends; entry 0 of every version has this name.
const TARGET: &str = "Basilisk Turbine Export Company";

/// Version `n` of the list: entry ids `v<n>-<i>`, entry 0 named [`TARGET`].
fn version_file(n: u64) -> Vec<u8> {
    let mut s = String::from("[list]\nkind = \"denial\"\n");
    for i in 0..ENTRIES {
        let name = if i == 0 {
            TARGET.to_string()
        } else {
            format!("Filler Holding {n} Number {i} Ventures")
        };
        s.push_str(&format!(
            "\n[[entry]]\nid = \"v{n}-{i}\"\ntype = \"organization\"\nname = \"{name}\"\n"
        ));
    }
    s.into_bytes()
}

#[tokio::test]
async fn screening_never_fails_nor_sees_a_half_built_list_during_imports() {
    let dir = data_dir();
    let server = Arc::new(TestServer::start(dir.path()).await);
    let done = Arc::new(AtomicBool::new(false));

    let mut tasks = Vec::new();
    for t in 0..SCREENERS {
        let server = Arc::clone(&server);
        let done = Arc::clone(&done);
        tasks.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            let mut i = 0;
            // Bounded: stops when the imports are done (or after 20,000 calls).
            while !done.load(Ordering::Relaxed) && i < 20_000 {
                let mut s = plain_shipment(&format!("HS-{t}-{i}"));
                s.parties[1].name = TARGET.into();
                s.parties[1].country = String::new();
                let r = server
                    .screening()
                    .screen_shipment(pb::ScreenShipmentRequest {
                        shipment: Some(s),
                        ..Default::default()
                    })
                    .await
                    .unwrap_or_else(|e| panic!("screening failed during a swap: {e:?}"))
                    .into_inner();
                answers.push(r);
                i += 1;
            }
            answers
        }));
    }

    let mut checksums: BTreeMap<u64, String> = BTreeMap::new();
    for n in 1..=VERSIONS {
        let msgs = vec![
            pb::ImportListRequest {
                msg: Some(Msg::Header(pb::ImportHeader {
                    list_id: LIST.into(),
                    format: "exportscreen-toml".into(),
                    reason: format!("version {n}"),
                    options: Default::default(),
                })),
            },
            pb::ImportListRequest {
                msg: Some(Msg::Chunk(pb::FileChunk {
                    file_name: "swap.toml".into(),
                    data: version_file(n),
                })),
            },
        ];
        let r = server
            .lists()
            .import_list(tokio_stream::iter(msgs))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(r.version, n);
        let info = server
            .lists()
            .get_list(pb::GetListRequest {
                list_id: LIST.into(),
            })
            .await
            .unwrap()
            .into_inner();
        checksums.insert(n, info.r#ref.unwrap().checksum);
    }
    done.store(true, Ordering::Relaxed);

    let mut seen: BTreeSet<u64> = BTreeSet::new();
    let mut total = 0;
    for t in tasks {
        let answers = t.await.unwrap();
        total += answers.len();
        for a in answers {
            let lists: BTreeMap<&str, (u64, &str)> = a
                .list_versions
                .iter()
                .map(|v| (v.list_id.as_str(), (v.version, v.checksum.as_str())))
                .collect();
            let cited: Vec<&str> = a
                .findings
                .iter()
                .filter(|f| f.list_id == LIST)
                .map(|f| f.entry_id.as_str())
                .collect();
            assert_eq!(lists[CONTROL_ID].0, 1);
            assert_eq!(lists[DENIAL_ID].0, 1);
            match lists.get(LIST) {
                None => {
                    assert_eq!(lists.len(), 2, "{lists:?}");
                    assert!(cited.is_empty(), "{cited:?}");
                }
                Some(&(n, checksum)) => {
                    assert_eq!(lists.len(), 3, "{lists:?}");
                    assert_eq!(checksum, checksums[&n], "version {n}");
                    assert_eq!(cited, [format!("v{n}-0")], "answer names version {n}");
                    assert_eq!(a.decision, pb::Decision::Prohibited as i32);
                    seen.insert(n);
                }
            }
        }
    }
    assert!(total >= SCREENERS * 2, "{total} answers");
    assert!(
        seen.len() >= 2,
        "screenings should have run across swaps; saw versions {seen:?}"
    );
    Arc::try_unwrap(server)
        .unwrap_or_else(|_| panic!("server still shared"))
        .stop()
        .await;
}
