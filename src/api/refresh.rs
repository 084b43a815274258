//! Scheduled refresh (optional): fetches official list files from URLs on a
//! schedule and imports them as new versions, through the same importers
//! and commit path as `ImportList`.
//!
//! Configured by `<data-dir>/config/refresh.toml`; without the file there
//! is no refresh. Example:
//!
//! ```toml
//! interval = "24h"          # default for every list: 90s, 30m, 12h, 7d, 1h 30m ...
//! timeout = "60s"           # per download
//!
//! [[list]]
//! list_id = "ofac-sdn"
//! format = "ofac-sdn-csv"
//! interval = "12h"          # optional, overrides the default
//! # Each file is imported under the last segment of its URL.
//! urls = [
//!   "https://example.org/sdn/sdn.csv",
//!   "https://example.org/sdn/alt.csv",
//!   "https://example.org/sdn/add.csv",
//! ]
//! ```
//!
//! Each list is fetched at start-up and then every interval. A download
//! that fails (unreachable, an HTTP error, a timeout, over 256 MiB) or a
//! file that does not parse is logged and leaves the current version live;
//! files identical to the current version's (same names and sha256) make no
//! new version. A new version is authored `refresh`, with the URLs as its
//! reason. An invalid `refresh.toml` stops the server at start-up with a
//! message naming the file. https downloads trust the platform's trust
//! store plus `serve --ca-cert` (a TLS-inspecting proxy's CA).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use tokio::task::JoinHandle;
use tracing::{info, warn};

use super::lists::MAX_UPLOAD;
use super::state::{AppState, NewVersion};
use crate::lists::{self, SourceData, describe_files};
use crate::store::keys::is_valid_list_id;

/// File name of the configuration, in the configuration directory.
pub const FILE: &str = "refresh.toml";
/// Author of refreshed versions.
pub const AUTHOR: &str = "refresh";

/// The refresh configuration file is invalid.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct RefreshConfigError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default = "default_interval")]
    interval: String,
    #[serde(default = "default_timeout")]
    timeout: String,
    #[serde(default)]
    list: Vec<FileList>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileList {
    list_id: String,
    format: String,
    #[serde(default)]
    interval: Option<String>,
    urls: Vec<String>,
}

fn default_interval() -> String {
    "24h".into()
}

fn default_timeout() -> String {
    "60s".into()
}

/// One list to refresh.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshList {
    /// List id.
    pub list_id: String,
    /// Import format.
    pub format: String,
    /// How often.
    pub interval: Duration,
    /// The files' URLs.
    pub urls: Vec<String>,
}

/// The refresh configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshConfig {
    /// Lists to refresh.
    pub lists: Vec<RefreshList>,
    /// Longest a download may take.
    pub timeout: Duration,
    /// A CA certificate (PEM) trusted besides the platform's trust store
    /// (`serve --ca-cert`: a TLS-inspecting proxy's CA).
    pub ca_cert: Option<PathBuf>,
}

/// A positive duration in the project's one grammar ([`crate::duration`]:
/// `90s`, `30m`, `12h`, `7d`, `1h 30m`).
pub fn parse_duration(text: &str) -> Option<Duration> {
    crate::duration::parse(text).ok().filter(|d| !d.is_zero())
}

/// The file name a URL's file is imported under: its last path segment.
fn file_name(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let name = path.rsplit('/').next()?.trim();
    (!name.is_empty() && !path.ends_with("//")).then(|| name.to_string())
}

/// Parses a refresh configuration (`path` names it in errors).
///
/// # Errors
/// [`RefreshConfigError`] for invalid TOML, an unknown key, a bad list id,
/// format, interval or URL.
pub fn parse(text: &str, path: &Path) -> Result<RefreshConfig, RefreshConfigError> {
    let err = |message: String| RefreshConfigError {
        path: path.to_path_buf(),
        message,
    };
    let f: FileConfig = toml::from_str(text).map_err(|e| err(e.to_string()))?;
    let duration = |what: &str, v: &str| {
        parse_duration(v).ok_or_else(|| {
            err(format!(
                "{what} = {v:?}: a positive duration such as \"90s\", \"30m\", \"12h\", \"7d\" or \"1h 30m\""
            ))
        })
    };
    let interval = duration("interval", &f.interval)?;
    let timeout = duration("timeout", &f.timeout)?;
    let mut lists: Vec<RefreshList> = Vec::new();
    for (i, l) in f.list.into_iter().enumerate() {
        let at = format!("list[{i}]");
        if !is_valid_list_id(&l.list_id) {
            return Err(err(format!(
                "{at}.list_id {:?} is not a list id",
                l.list_id
            )));
        }
        if lists.iter().any(|x| x.list_id == l.list_id) {
            return Err(err(format!("{at}: list {} appears twice", l.list_id)));
        }
        if !lists::FORMATS.contains(&l.format.as_str()) {
            return Err(err(format!(
                "{at}.format {:?}: one of {}",
                l.format,
                lists::FORMATS.join(", ")
            )));
        }
        if l.urls.is_empty() {
            return Err(err(format!("{at}.urls: at least one URL")));
        }
        for u in &l.urls {
            if !(u.starts_with("http://") || u.starts_with("https://")) || file_name(u).is_none() {
                return Err(err(format!(
                    "{at}.urls: {u:?} is not an http(s) URL ending in a file name"
                )));
            }
        }
        let interval = match &l.interval {
            Some(v) => duration(&format!("{at}.interval"), v)?,
            None => interval,
        };
        lists.push(RefreshList {
            list_id: l.list_id,
            format: l.format,
            interval,
            urls: l.urls,
        });
    }
    Ok(RefreshConfig {
        lists,
        timeout,
        ca_cert: None,
    })
}

/// Reads `<config_dir>/refresh.toml`; `None` when there is none.
///
/// # Errors
/// [`RefreshConfigError`] when it cannot be read or is invalid.
pub fn load(config_dir: &Path) -> Result<Option<RefreshConfig>, RefreshConfigError> {
    let path = config_dir.join(FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&text, &path).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(RefreshConfigError {
            path,
            message: e.to_string(),
        }),
    }
}

/// What one refresh did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refreshed {
    /// A new version is live.
    Imported {
        /// Its number.
        version: u64,
    },
    /// The files are those of the current version: nothing to do.
    Unchanged,
    /// A download or the import failed; the current version stays live.
    Failed {
        /// Why.
        reason: String,
    },
}

/// The roots an https download trusts: the platform's trust store (the
/// certificates the operating system trusts, as `rustls-native-certs`
/// finds them) plus the PEM certificates of `ca_cert`. Without either, the
/// bundled Mozilla roots.
///
/// # Errors
/// `ca_cert` cannot be read or holds no certificate.
pub fn trust_roots(ca_cert: Option<&Path>) -> Result<ureq::tls::RootCerts, String> {
    let native = rustls_native_certs::load_native_certs();
    for e in &native.errors {
        warn!(error = %e, "platform trust store: a certificate could not be read");
    }
    let mut certs: Vec<ureq::tls::Certificate<'static>> = native
        .certs
        .iter()
        .map(|c| ureq::tls::Certificate::from_der(c.as_ref()).to_owned())
        .collect();
    if let Some(path) = ca_cert {
        let pem = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let before = certs.len();
        for item in ureq::tls::parse_pem(&pem) {
            if let ureq::tls::PemItem::Certificate(c) =
                item.map_err(|e| format!("{}: {e}", path.display()))?
            {
                certs.push(c);
            }
        }
        if certs.len() == before {
            return Err(format!("{}: no PEM certificate in it", path.display()));
        }
    }
    if certs.is_empty() {
        return Ok(ureq::tls::RootCerts::WebPki);
    }
    Ok(ureq::tls::RootCerts::Specific(Arc::new(certs)))
}

/// Downloads `urls` (blocking), each whole, at most [`MAX_UPLOAD`] bytes in
/// all, trusting the platform's roots and `ca_cert` for https.
fn download(
    urls: &[String],
    timeout: Duration,
    ca_cert: Option<&Path>,
) -> Result<Vec<SourceData>, String> {
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(trust_roots(ca_cert)?)
        .build();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(true)
        .tls_config(tls)
        .build()
        .into();
    let mut files = Vec::with_capacity(urls.len());
    let mut total = 0usize;
    for url in urls {
        let name = file_name(url).ok_or_else(|| format!("{url}: no file name"))?;
        let mut resp = agent.get(url).call().map_err(|e| format!("{url}: {e}"))?;
        let limit = MAX_UPLOAD.saturating_sub(total) as u64;
        let data = resp
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| format!("{url}: {e}"))?;
        total += data.len();
        files.push(SourceData { name, data });
    }
    Ok(files)
}

/// Fetches one list once and imports it if it changed. Never fails: a
/// problem is logged and returned as [`Refreshed::Failed`].
pub async fn refresh_once(
    state: &AppState,
    list: &RefreshList,
    timeout: Duration,
    ca_cert: Option<&Path>,
) -> Refreshed {
    let failed = |reason: String| {
        warn!(list_id = %list.list_id, %reason, "refresh failed: the current version stays live");
        Refreshed::Failed { reason }
    };
    let urls = list.urls.clone();
    let ca_cert = ca_cert.map(Path::to_path_buf);
    let files =
        match tokio::task::spawn_blocking(move || download(&urls, timeout, ca_cert.as_deref()))
            .await
        {
            Ok(Ok(f)) => f,
            Ok(Err(reason)) => return failed(reason),
            Err(e) => return failed(format!("download task failed: {e}")),
        };
    let described = describe_files(&files);
    if let Some(current) = state.current_lists().get(&list.list_id) {
        let same = current.meta.format == list.format
            && current.meta.files.len() == described.len()
            && current
                .meta
                .files
                .iter()
                .zip(&described)
                .all(|(a, b)| a.name == b.name && a.sha256 == b.sha256);
        if same {
            info!(list_id = %list.list_id, "refresh: files unchanged");
            return Refreshed::Unchanged;
        }
    }
    let format = list.format.clone();
    let imported = match tokio::task::spawn_blocking(move || lists::import(&format, &files)).await {
        Ok(Ok(i)) => i,
        Ok(Err(e)) => return failed(e.to_string()),
        Err(e) => return failed(format!("import task failed: {e}")),
    };
    let version = NewVersion {
        list_id: list.list_id.clone(),
        format: list.format.clone(),
        author: AUTHOR.into(),
        reason: format!("scheduled refresh from {}", list.urls.join(", ")),
        files: described,
        warnings: imported.warnings,
        content: imported.content,
        origin: "refresh".into(),
        entry_id: String::new(),
    };
    match state.commit(vec![version]).await {
        Ok(metas) => {
            let version = metas.first().map_or(0, |m| m.version);
            info!(list_id = %list.list_id, version, "refresh: new version live");
            Refreshed::Imported { version }
        }
        Err(e) => failed(e.to_string()),
    }
}

/// Starts one task per list: a refresh now, then every interval. Abort
/// the handles to stop.
pub fn start(state: Arc<AppState>, config: RefreshConfig) -> Vec<JoinHandle<()>> {
    config
        .lists
        .into_iter()
        .map(|list| {
            let state = Arc::clone(&state);
            let timeout = config.timeout;
            let ca_cert = config.ca_cert.clone();
            info!(list_id = %list.list_id, interval_secs = list.interval.as_secs(), "scheduled refresh on");
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(list.interval);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tick.tick().await;
                    refresh_once(&state, &list, timeout, ca_cert.as_deref()).await;
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;
    use crate::engine::reference::ReferenceFiles;
    use crate::store::Store;

    const DPL: &[u8] = include_bytes!("../../tests/fixtures/service/dpl-3-rows.txt");

    /// A tiny HTTP server on loopback: `/dpl.txt` serves `body()`, `/bad.txt`
    /// garbage, anything else 404. Answers `n` requests, then stops.
    fn serve(n: usize, body: impl Fn() -> Vec<u8> + Send + 'static) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(n) {
                let Ok(mut s) = stream else { continue };
                let mut buf = [0u8; 4096];
                let len = s.read(&mut buf).unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..len]).to_string();
                let path = req.split_whitespace().nth(1).unwrap_or("").to_string();
                let (status, data) = match path.as_str() {
                    "/dpl.txt" => ("200 OK", body()),
                    "/bad.txt" => ("200 OK", b"\"Name\"\n\"unclosed\n".to_vec()),
                    _ => ("404 Not Found", b"no such file".to_vec()),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    data.len()
                );
                let _ = s.write_all(head.as_bytes());
                let _ = s.write_all(&data);
            }
        });
        format!("http://{addr}")
    }

    fn list(urls: Vec<String>) -> RefreshList {
        RefreshList {
            list_id: "bis-dpl".into(),
            format: "bis-dpl-tsv".into(),
            interval: Duration::from_secs(3600),
            urls,
        }
    }

    #[test]
    fn configuration_is_checked() {
        let p = Path::new("config/refresh.toml");
        let ok = parse(
            "interval = \"12h\"\n[[list]]\nlist_id = \"ofac-sdn\"\nformat = \"ofac-sdn-csv\"\n\
             interval = \"90s\"\nurls = [\"https://x.org/a/sdn.csv?v=1\"]\n",
            p,
        )
        .unwrap();
        assert_eq!(ok.lists[0].interval, Duration::from_secs(90));
        assert_eq!(ok.timeout, Duration::from_secs(60));
        assert_eq!(file_name(&ok.lists[0].urls[0]).as_deref(), Some("sdn.csv"));
        for (text, what) in [
            ("interval = \"soon\"", "interval"),
            ("colour = 1", "unknown field"),
            (
                "[[list]]\nlist_id = \"X\"\nformat = \"ofac-sdn-csv\"\nurls = [\"https://a/b.csv\"]",
                "list_id",
            ),
            (
                "[[list]]\nlist_id = \"x\"\nformat = \"pdf\"\nurls = [\"https://a/b.csv\"]",
                "format",
            ),
            (
                "[[list]]\nlist_id = \"x\"\nformat = \"bis-dpl-tsv\"\nurls = [\"ftp://a/b.txt\"]",
                "urls",
            ),
            (
                "[[list]]\nlist_id = \"x\"\nformat = \"bis-dpl-tsv\"\nurls = []",
                "urls",
            ),
        ] {
            let e = parse(text, p).unwrap_err();
            assert!(e.to_string().contains(what), "{text}: {e}");
            assert!(e.to_string().starts_with("config/refresh.toml"), "{e}");
        }
        for (t, secs) in [
            ("90s", 90),
            ("15m", 900),
            ("2h", 7200),
            ("7d", 604_800),
            ("1h 30m", 5400),
        ] {
            assert_eq!(parse_duration(t), Some(Duration::from_secs(secs)), "{t}");
        }
        // The same grammar as --ttl: no bare numbers, nothing empty.
        assert_eq!(parse_duration("0s"), None);
        assert_eq!(parse_duration("90"), None);
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()).unwrap(), None);
    }

    #[test]
    fn https_trusts_the_platform_roots_and_the_given_ca() {
        let platform = match trust_roots(None).unwrap() {
            ureq::tls::RootCerts::Specific(c) => c.len(),
            _ => 0,
        };
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("proxy-ca.pem");
        let cert = rcgen::generate_simple_self_signed(vec!["proxy.example".into()]).unwrap();
        std::fs::write(&ca, cert.cert.pem()).unwrap();
        match trust_roots(Some(&ca)).unwrap() {
            ureq::tls::RootCerts::Specific(c) => {
                assert_eq!(c.len(), platform + 1);
                assert_eq!(c.last().unwrap().der(), cert.cert.der().as_ref());
            }
            _ => panic!("the CA must be trusted"),
        }
        std::fs::write(&ca, "not a certificate").unwrap();
        assert!(
            trust_roots(Some(&ca))
                .unwrap_err()
                .contains("no PEM certificate")
        );
        assert!(trust_roots(Some(&dir.path().join("missing.pem"))).is_err());
    }

    #[tokio::test]
    async fn refresh_imports_new_files_skips_unchanged_and_survives_failures() {
        let state = AppState::new(
            Store::temporary().unwrap(),
            ReferenceFiles::embedded(),
            vec![],
        )
        .await
        .unwrap();
        let url = serve(10, || DPL.to_vec());
        let t = Duration::from_secs(10);

        let good = list(vec![format!("{url}/dpl.txt")]);
        assert_eq!(
            refresh_once(&state, &good, t, None).await,
            Refreshed::Imported { version: 1 }
        );
        let meta = state.current_lists()["bis-dpl"].meta.clone();
        assert_eq!((meta.author.as_str(), meta.entries), (AUTHOR, 3));
        assert!(meta.reason.contains("/dpl.txt"), "{}", meta.reason);
        assert_eq!(meta.files[0].name, "dpl.txt");
        assert_eq!(
            refresh_once(&state, &good, t, None).await,
            Refreshed::Unchanged
        );

        // A missing file, an unparsable file, a closed port: logged, and the
        // current version stays.
        let closed = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}/dpl.txt", l.local_addr().unwrap())
        };
        for urls in [
            vec![format!("{url}/dpl.txt"), format!("{url}/missing.txt")],
            vec![format!("{url}/bad.txt")],
            vec![closed],
        ] {
            let r = refresh_once(&state, &list(urls.clone()), t, None).await;
            assert!(matches!(r, Refreshed::Failed { .. }), "{urls:?}: {r:?}");
        }
        assert_eq!(state.store().latest_version("bis-dpl").unwrap(), 1);
        assert_eq!(state.current_lists()["bis-dpl"].meta.version, 1);
        let change = state.store().version_change("bis-dpl", 1).unwrap().unwrap();
        assert_eq!(change.origin, "refresh");
    }

    #[tokio::test]
    async fn the_schedule_fetches_at_start_and_again_after_the_interval() {
        let state = Arc::new(
            AppState::new(
                Store::temporary().unwrap(),
                ReferenceFiles::embedded(),
                vec![],
            )
            .await
            .unwrap(),
        );
        // Every download returns other bytes: each fetch makes a version.
        let n = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let body = {
            let n = Arc::clone(&n);
            move || {
                let i = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let mut d = DPL.to_vec();
                d.extend_from_slice(format!("\"ROW {i} PARTY\"").as_bytes());
                d.extend_from_slice(&b"\t\"\"".repeat(11));
                d.push(b'\n');
                d
            }
        };
        let url = serve(4, body);
        let mut l = list(vec![format!("{url}/dpl.txt")]);
        l.interval = Duration::from_millis(200);
        let handles = start(
            Arc::clone(&state),
            RefreshConfig {
                lists: vec![l],
                timeout: Duration::from_secs(5),
                ca_cert: None,
            },
        );
        let mut version = 0;
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            version = state.store().latest_version("bis-dpl").unwrap();
            if version >= 2 {
                break;
            }
        }
        for h in handles {
            h.abort();
        }
        assert!(version >= 2, "two scheduled fetches, got version {version}");
    }
}
