//! Start-up: the reference configuration in the data directory.

use std::time::Duration;

use exportscreen::api::startup::CONFIG_DIR;
use exportscreen::api::{ServeError, ServerConfig};
use exportscreen::engine::reference::ReferenceFiles;

use crate::util::{TestServer, data_dir};

#[tokio::test]
async fn first_start_writes_the_editable_configuration() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    server.stop().await;
    let config = dir.path().join(CONFIG_DIR);
    let embedded = ReferenceFiles::embedded();
    for (name, text) in embedded.files() {
        assert_eq!(
            std::fs::read_to_string(config.join(name)).unwrap(),
            text,
            "{name}"
        );
    }
}

#[tokio::test]
async fn an_invalid_configuration_file_stops_start_up_with_its_name() {
    let dir = data_dir();
    let config = dir.path().join(CONFIG_DIR);
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("policy.toml"),
        "[party]\nreview_threshold = \"high\"\n",
    )
    .unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let run = exportscreen::api::run(
        listener,
        ServerConfig::new(dir.path()).seed_defaults(false),
        std::future::pending(),
    );
    let err = tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .expect("start-up should fail, not serve")
        .unwrap_err();
    assert!(matches!(err, ServeError::Config { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("policy.toml"), "{msg}");
    assert!(msg.contains(&config.display().to_string()), "{msg}");
}
