//! The publication date a list's source files state, as `YYYY-MM-DD`
//! (empty when they state none). Only what the files say: the UN
//! consolidated list's `dateGenerated`; OFAC, BIS and trade.gov files carry
//! no date of their own (bundled lists give theirs in
//! [`crate::bundled::BundledList::published`]).

use super::SourceData;

/// How far into a file the date may be (it is in the root element).
const HEAD: usize = 4096;

/// The publication date `files` in `format` state, or `""`.
pub fn published(format: &str, files: &[SourceData]) -> String {
    match format {
        "un-sc-xml" => files
            .iter()
            .find_map(|f| attribute_date(&f.data, "dateGenerated=\""))
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// The `YYYY-MM-DD` starting right after `key` in the head of `data`.
fn attribute_date(data: &[u8], key: &str) -> Option<String> {
    let head = &data[..data.len().min(HEAD)];
    let text = String::from_utf8_lossy(head);
    let at = text.find(key)? + key.len();
    let date = text.get(at..at + 10)?;
    is_date(date).then(|| date.to_string())
}

/// `YYYY-MM-DD` with digits where digits belong.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(data: &str) -> SourceData {
        SourceData {
            name: "consolidated.xml".into(),
            data: data.as_bytes().to_vec(),
        }
    }

    #[test]
    fn the_un_list_states_its_date_and_others_none() {
        let xml = r#"<?xml version="1.0"?><CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z"><INDIVIDUALS/></CONSOLIDATED_LIST>"#;
        assert_eq!(published("un-sc-xml", &[file(xml)]), "2026-02-27");
        assert_eq!(published("un-sc-xml", &[file("<CONSOLIDATED_LIST>")]), "");
        assert_eq!(
            published("un-sc-xml", &[file(r#"<X dateGenerated="soon">"#)]),
            ""
        );
        assert_eq!(published("ofac-sdn-csv", &[file(xml)]), "");
        assert!(is_date("2023-12-28") && !is_date("2023-12") && !is_date("20231228xx"));
    }
}
