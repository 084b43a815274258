//! `exportscreen import --list ID --format F FILES...`: sends the files as
//! 1 MiB chunks and prints the new version (`-` sends standard input, under
//! `--stdin-name` or the format's main file name).

use std::collections::HashSet;
use std::path::Path;

use anyhow::{Context, bail};

use crate::api::pb::import_list_request::Msg;
use crate::api::pb::{FileChunk, ImportHeader, ImportListRequest};
use crate::api::{ACTOR_HEADER, lists::MAX_CHUNK};
use crate::cli::args::ImportArgs;
use crate::cli::{client, exit, input};

/// The request stream for an import: the header, then each file in chunks
/// of at most [`MAX_CHUNK`] bytes (an empty file is one empty chunk).
pub fn import_messages(
    header: ImportHeader,
    files: &[(String, Vec<u8>)],
) -> Vec<ImportListRequest> {
    let mut out = vec![ImportListRequest {
        msg: Some(Msg::Header(header)),
    }];
    for (name, data) in files {
        let chunk = |data: &[u8]| ImportListRequest {
            msg: Some(Msg::Chunk(FileChunk {
                file_name: name.clone(),
                data: data.to_vec(),
            })),
        };
        if data.is_empty() {
            out.push(chunk(&[]));
        }
        out.extend(data.chunks(MAX_CHUNK).map(chunk));
    }
    out
}

/// Imports the files.
///
/// # Errors
/// A file cannot be read, two files share a base name, the server cannot be
/// reached, or it refuses the import (the message names file and line).
pub async fn run(args: ImportArgs) -> anyhow::Result<()> {
    // Files are read whole before anything is sent: a read error half-way
    // must not leave the server with a truncated file that looks complete.
    let mut files = Vec::with_capacity(args.files.len());
    let mut names = HashSet::new();
    for path in &args.files {
        let name = if input::is_stdin(path) {
            stdin_name(&args.format, args.stdin_name.as_deref()).map_err(exit::usage)?
        } else {
            base_name(path).map_err(exit::usage)?
        };
        if !names.insert(name.clone()) {
            return Err(exit::usage(anyhow::anyhow!(
                "two files are named {name}: the server tells files apart by name"
            )));
        }
        let data = input::read(path)?;
        files.push((name, data));
    }
    let header = ImportHeader {
        list_id: args.list_id.clone(),
        format: args.format.clone(),
        reason: args.reason.clone(),
    };
    let mut request = tonic::Request::new(tokio_stream::iter(import_messages(header, &files)));
    if let Some(actor) = &args.actor {
        let value = actor
            .parse()
            .with_context(|| format!("--actor {actor:?}: must be printable ASCII"))?;
        request.metadata_mut().insert(ACTOR_HEADER, value);
    }
    let mut c = client::lists().await?;
    let r = c
        .import_list(request)
        .await
        .map_err(client::status_error)?
        .into_inner();
    println!(
        "imported {} version {}: {} entries, {} names (live {} ms after upload)",
        r.list_id, r.version, r.entries, r.names, r.swap_millis
    );
    // Identical warnings (a skipped row kind, a missing optional file) once, counted.
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for w in &r.warnings {
        match seen.iter_mut().find(|(t, _)| t == w) {
            Some((_, n)) => *n += 1,
            None => seen.push((w, 1)),
        }
    }
    for (w, n) in seen {
        if n > 1 {
            println!("warning (x{n}): {w}");
        } else {
            println!("warning: {w}");
        }
    }
    Ok(())
}

/// The name standard input is sent under: `--stdin-name`, else the
/// format's main file.
fn stdin_name(format: &str, given: Option<&str>) -> anyhow::Result<String> {
    if let Some(name) = given {
        return Ok(name.to_string());
    }
    let main = match format {
        "ofac-sdn-csv" => "sdn.csv",
        "ofac-cons-csv" => "cons_prim.csv",
        "un-sc-xml" => "consolidated.xml",
        "bis-dpl-tsv" => "dpl.txt",
        "trade-gov-csl-csv" => "consolidated.csv",
        "exportscreen-toml" => "list.toml",
        _ => bail!("standard input needs --stdin-name with format {format}"),
    };
    Ok(main.to_string())
}

fn base_name(path: &Path) -> anyhow::Result<String> {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_string)
        .with_context(|| format!("{}: not a file name in UTF-8", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_input_is_named_after_the_format() {
        assert_eq!(stdin_name("bis-dpl-tsv", None).unwrap(), "dpl.txt");
        assert_eq!(stdin_name("ofac-sdn-csv", None).unwrap(), "sdn.csv");
        assert_eq!(
            stdin_name("ofac-sdn-csv", Some("alt.csv")).unwrap(),
            "alt.csv"
        );
        assert!(stdin_name("new-format", None).is_err());
    }

    #[test]
    fn files_are_split_into_chunks_of_at_most_one_mib() {
        let big = vec![7u8; MAX_CHUNK * 2 + 5];
        let files = vec![
            ("a.csv".to_string(), big.clone()),
            ("b.csv".to_string(), vec![]),
        ];
        let msgs = import_messages(ImportHeader::default(), &files);
        assert!(matches!(msgs[0].msg, Some(Msg::Header(_))));
        let chunks: Vec<&FileChunk> = msgs[1..]
            .iter()
            .map(|m| match &m.msg {
                Some(Msg::Chunk(c)) => c,
                other => panic!("{other:?}"),
            })
            .collect();
        let sizes: Vec<(&str, usize)> = chunks
            .iter()
            .map(|c| (c.file_name.as_str(), c.data.len()))
            .collect();
        assert_eq!(
            sizes,
            vec![
                ("a.csv", MAX_CHUNK),
                ("a.csv", MAX_CHUNK),
                ("a.csv", 5),
                ("b.csv", 0)
            ]
        );
        let joined: Vec<u8> = chunks[..3].iter().flat_map(|c| c.data.clone()).collect();
        assert_eq!(joined, big);
    }
}
