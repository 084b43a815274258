//! Which lists take hand edits: the rules of list hygiene.
//!
//! - A hand edit (AddEntry, UpdateEntry, RemoveEntry) needs an existing
//!   list: a mistyped id is an error, not a new list. Lists to edit by hand
//!   are made with CreateList (with their kind).
//! - Official lists refuse hand edits: the bundled ones and every list
//!   imported from an agency format (OFAC, UN, BIS, trade.gov): the next
//!   import would silently drop the edit. Corrections go into a separate
//!   local list (an overlay), screened beside the official one.
//! - A retired list is kept (every version, for replay) and never changes
//!   again: no edits, no imports.

use super::FORMATS;
use super::edit::EditError;
use crate::bundled::BUNDLED;
use crate::model::ListMeta;

/// Our own format: lists made by hand, or a team's own TOML.
pub const LOCAL_FORMAT: &str = "exportscreen-toml";

/// True for an official list: bundled, or in an agency's format.
pub fn is_official(meta: &ListMeta) -> bool {
    BUNDLED.iter().any(|b| b.list_id == meta.list_id)
        || (meta.format != LOCAL_FORMAT && FORMATS.contains(&meta.format.as_str()))
}

/// The list a hand edit of `list_id` applies to.
///
/// # Errors
/// [`EditError::UnknownList`], [`EditError::Official`] or
/// [`EditError::Retired`].
pub fn editable<'a>(
    list_id: &str,
    current: Option<&'a ListMeta>,
) -> Result<&'a ListMeta, EditError> {
    let meta = current.ok_or_else(|| EditError::UnknownList {
        list_id: list_id.to_string(),
    })?;
    if meta.retired {
        return Err(EditError::Retired {
            list_id: list_id.to_string(),
        });
    }
    if is_official(meta) {
        let bundled = BUNDLED.iter().any(|b| b.list_id == meta.list_id);
        return Err(EditError::Official {
            list_id: list_id.to_string(),
            format: if bundled {
                format!("bundled, {}", meta.format)
            } else {
                meta.format.clone()
            },
        });
    }
    Ok(meta)
}

/// A new version (import, refresh, retirement) may replace `current`.
///
/// # Errors
/// [`EditError::Retired`] when the list is retired.
pub fn may_replace(list_id: &str, current: Option<&ListMeta>) -> Result<(), EditError> {
    match current {
        Some(m) if m.retired => Err(EditError::Retired {
            list_id: list_id.to_string(),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(list_id: &str, format: &str) -> ListMeta {
        ListMeta {
            list_id: list_id.into(),
            format: format.into(),
            ..ListMeta::default()
        }
    }

    #[test]
    fn official_lists_refuse_hand_edits_and_local_ones_take_them() {
        let table = [
            ("ofac-sdn", "ofac-sdn-csv", false),
            ("mtcr", "exportscreen-toml", false),
            ("my-import", "un-sc-xml", false),
            ("team-watch", "exportscreen-toml", true),
            ("ofac-sdn-local", "exportscreen-toml", true),
        ];
        for (id, format, ok) in table {
            let m = meta(id, format);
            let res = editable(id, Some(&m));
            assert_eq!(res.is_ok(), ok, "{id} {format}: {res:?}");
            if let Err(e) = res {
                assert!(matches!(e, EditError::Official { .. }));
                assert!(e.to_string().contains("overlay"), "{e}");
            }
        }
        assert!(matches!(
            editable("typo", None),
            Err(EditError::UnknownList { .. })
        ));
        let mut retired = meta("team-watch", LOCAL_FORMAT);
        retired.retired = true;
        assert!(matches!(
            editable("team-watch", Some(&retired)),
            Err(EditError::Retired { .. })
        ));
        assert!(may_replace("team-watch", Some(&retired)).is_err());
        assert!(may_replace("ofac-sdn", Some(&meta("ofac-sdn", "ofac-sdn-csv"))).is_ok());
    }
}
