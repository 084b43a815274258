//! List versions: metadata and content per version, the current version of
//! each list, how each version came to be and what the re-screening after
//! it found. A version is written in one operation of the writer, with its
//! audit record, so it is either wholly there or not at all. Versions are
//! never changed or deleted; every version's full content is kept
//! (start-up reads only the current ones).

use std::sync::Arc;

use super::txn::{T, Txn};
use super::{SledStore, audit, keys};
use crate::engine::LoadedList;
use crate::model::{ListContent, ListMeta};
use crate::store::{NewListVersion, StoreError};

/// Versions checked before they are handed to the writer.
pub(super) struct Prepared(Vec<NewListVersion>);

/// Checks each version's metadata against its content, and that no list
/// appears twice.
///
/// # Errors
/// [`StoreError::InvalidListId`], [`StoreError::InvalidVersion`].
pub(super) fn prepare(versions: Vec<NewListVersion>) -> Result<Prepared, StoreError> {
    for (i, v) in versions.iter().enumerate() {
        check_version(&v.meta, &v.content)?;
        if versions[..i]
            .iter()
            .any(|other| other.meta.list_id == v.meta.list_id)
        {
            return Err(StoreError::InvalidVersion {
                list_id: v.meta.list_id.clone(),
                version: v.meta.version,
                message: "the list appears twice in one write".into(),
            });
        }
    }
    Ok(Prepared(versions))
}

/// The writer's operation: see [`crate::store::Store::put_list_versions`].
pub(super) fn put(txn: &mut Txn<'_>, prepared: Prepared) -> Result<(), StoreError> {
    for v in prepared.0 {
        let NewListVersion {
            meta,
            content,
            change,
            audit: record,
        } = v;
        let id = meta.list_id.as_bytes();
        let key = keys::version_key(&meta.list_id, meta.version);
        if txn.get(T::Versions, &key)?.is_some() {
            return Err(StoreError::VersionExists {
                list_id: meta.list_id.clone(),
                version: meta.version,
            });
        }
        if let Some(cur) = txn.get(T::Lists, id)? {
            let cur = decode_version(id, &cur)?;
            if cur >= meta.version {
                return Err(StoreError::InvalidVersion {
                    list_id: meta.list_id.clone(),
                    version: meta.version,
                    message: format!("the current version is {cur}; a new version must be higher"),
                });
            }
            let cur_key = keys::version_key(&meta.list_id, cur);
            let cur_meta: ListMeta =
                txn.get_json(T::Versions, &cur_key)?
                    .ok_or_else(|| StoreError::Corrupt {
                        key: keys::printable(&cur_key),
                        message: "the current list version is missing".into(),
                    })?;
            if cur_meta.kind != meta.kind {
                return Err(StoreError::KindChanged {
                    list_id: meta.list_id.clone(),
                    current: cur_meta.kind,
                    new: meta.kind,
                });
            }
        }
        txn.put_json(T::Versions, key.clone(), "list metadata", &meta)?;
        txn.put_json(T::Contents, key.clone(), "list content", content.as_ref())?;
        if let Some(change) = &change {
            txn.put_json(T::Changes, key, "list version change", change)?;
        }
        txn.insert(T::Lists, id.to_vec(), meta.version.to_be_bytes().to_vec());
        if let Some(record) = record {
            audit::append(txn, record, meta.imported_at_unix_ms)?;
        }
    }
    Ok(())
}

/// See [`crate::store::Store::list_ids`].
pub(super) fn ids(s: &SledStore) -> Result<Vec<String>, StoreError> {
    s.tree(T::Lists)
        .iter()
        .keys()
        .map(|k| {
            let k = k?;
            String::from_utf8(k.to_vec()).map_err(|_| StoreError::Corrupt {
                key: keys::printable(&k),
                message: "list id is not UTF-8".into(),
            })
        })
        .collect()
}

/// See [`crate::store::Store::current_version`].
pub(super) fn current_version(s: &SledStore, list_id: &str) -> Result<Option<u64>, StoreError> {
    match s.tree(T::Lists).get(list_id.as_bytes())? {
        None => Ok(None),
        Some(v) => Ok(Some(decode_version(list_id.as_bytes(), &v)?)),
    }
}

/// See [`crate::store::Store::latest_version`].
pub(super) fn latest_version(s: &SledStore, list_id: &str) -> Result<u64, StoreError> {
    let Some(last) = s
        .tree(T::Versions)
        .scan_prefix(keys::version_prefix(list_id))
        .keys()
        .next_back()
    else {
        return Ok(0);
    };
    let last = last?;
    keys::parse_version_key(&last)
        .map(|(_, v)| v)
        .ok_or_else(|| StoreError::Corrupt {
            key: keys::printable(&last),
            message: "malformed list version key".into(),
        })
}

/// See [`crate::store::Store::load_current_lists`].
pub(super) fn load_current(s: &SledStore) -> Result<Vec<LoadedList>, StoreError> {
    use crate::store::Store;
    let mut out = Vec::new();
    for kv in s.tree(T::Lists).iter() {
        let (k, v) = kv?;
        let list_id = String::from_utf8(k.to_vec()).map_err(|_| StoreError::Corrupt {
            key: keys::printable(&k),
            message: "list id is not UTF-8".into(),
        })?;
        let version = decode_version(&k, &v)?;
        let missing = |e: StoreError| match e {
            StoreError::NotFound { what, id } => StoreError::Corrupt {
                key: id,
                message: format!("the current {what} is missing"),
            },
            other => other,
        };
        let meta = s.list_meta(&list_id, version).map_err(missing)?;
        let content = s.list_content(&list_id, version).map_err(missing)?;
        out.push(LoadedList {
            meta,
            content: Arc::new(content),
        });
    }
    Ok(out)
}

/// Checks a version's metadata against its content before writing.
fn check_version(meta: &ListMeta, content: &ListContent) -> Result<(), StoreError> {
    keys::check_list_id(&meta.list_id)?;
    let invalid = |message: String| StoreError::InvalidVersion {
        list_id: meta.list_id.clone(),
        version: meta.version,
        message,
    };
    if meta.version == 0 {
        return Err(invalid("versions start at 1".into()));
    }
    if meta.kind != content.kind() {
        return Err(invalid(format!(
            "metadata says kind {} but the content is a {} list",
            meta.kind,
            content.kind()
        )));
    }
    if meta.entries as usize != content.len() || meta.names as usize != content.name_count() {
        return Err(invalid(format!(
            "metadata counts {} entries and {} names, the content has {} and {}",
            meta.entries,
            meta.names,
            content.len(),
            content.name_count()
        )));
    }
    Ok(())
}

fn decode_version(key: &[u8], v: &[u8]) -> Result<u64, StoreError> {
    let b: [u8; 8] = v.try_into().map_err(|_| StoreError::Corrupt {
        key: keys::printable(key),
        message: format!("current version has {} bytes, expected 8", v.len()),
    })?;
    Ok(u64::from_be_bytes(b))
}
