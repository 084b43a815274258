//! Data at rest: the real binary, started under a permissive umask (000),
//! keeps its data directory 0700 and every file in it 0600, tightens a
//! directory left open to reading, and refuses to start on a directory
//! others may write to.

#![cfg(unix)]

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};
use tonic::transport::Endpoint;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// `exportscreen serve` on `dir` under umask 000.
fn spawn(dir: &Path, addr: SocketAddr) -> Child {
    Command::new("sh")
        .arg("-c")
        .arg("umask 000 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_exportscreen"))
        .args(["serve", "--no-seed", "--listen", &addr.to_string()])
        .arg("--data-dir")
        .arg(dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

async fn serving(addr: SocketAddr, child: &mut Child) -> bool {
    let raw = Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect_lazy();
    let mut health = HealthClient::new(raw);
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        let r = health
            .check(HealthCheckRequest {
                service: String::new(),
            })
            .await;
        if r.is_ok_and(|r| r.into_inner().status == ServingStatus::Serving as i32) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("server neither SERVING nor stopped after 60 s");
}

async fn stop(mut child: Child) {
    let pid = child.id().unwrap().to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("server did not stop after SIGTERM")
        .unwrap();
    assert!(exit.success(), "{exit:?}");
}

/// Every path under `dir` (itself included) whose mode is not 0700 for a
/// directory or 0600 for a file.
fn loose(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        let meta = std::fs::symlink_metadata(&p).unwrap();
        let mode = meta.permissions().mode() & 0o777;
        let want = if meta.is_dir() { 0o700 } else { 0o600 };
        if mode != want {
            out.push(format!("{} {mode:03o}", p.display()));
        }
        if meta.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        }
    }
    out
}

fn set_mode(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[tokio::test]
async fn the_data_directory_is_private_whatever_the_umask() {
    // (what, prepare the directory, starts)
    type Prepare = fn(&Path);
    let table: &[(&str, Prepare, bool)] = &[
        ("a fresh directory", |_| {}, true),
        (
            "a directory readable by others, with a readable file",
            |d| {
                std::fs::create_dir_all(d.join("config")).unwrap();
                std::fs::write(d.join("config/refresh.toml"), "").unwrap();
                set_mode(&d.join("config/refresh.toml"), 0o644);
                set_mode(&d.join("config"), 0o755);
                set_mode(d, 0o755);
            },
            true,
        ),
        (
            "a world-writable directory",
            |d| {
                std::fs::create_dir_all(d).unwrap();
                set_mode(d, 0o777);
            },
            false,
        ),
        (
            "a group-writable directory",
            |d| {
                std::fs::create_dir_all(d).unwrap();
                set_mode(d, 0o770);
            },
            false,
        ),
    ];
    for (what, prepare, starts) in table {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        prepare(&dir);
        let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let mut child = spawn(&dir, addr);
        let up = serving(addr, &mut child).await;
        assert_eq!(up, *starts, "{what}");
        if up {
            stop(child).await;
            assert!(dir.join("db").is_dir(), "{what}");
            assert!(dir.join("admin.token").is_file(), "{what}");
            let loose = loose(&dir);
            assert!(loose.is_empty(), "{what}: {loose:?}");
        } else {
            let out = child.wait_with_output().await.unwrap();
            assert!(!out.status.success(), "{what}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr.contains(&dir.display().to_string()) && stderr.contains("-writable"),
                "{what}: {stderr}"
            );
            assert!(!dir.join("db").exists(), "{what}: nothing written");
        }
    }
}
