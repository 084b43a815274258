//! Connecting the client commands to a running server.

use std::time::Duration;

use anyhow::Context;
use tonic::transport::{Channel, Endpoint};

use crate::api::pb::audit_service_client::AuditServiceClient;
use crate::api::pb::case_service_client::CaseServiceClient;
use crate::api::pb::list_service_client::ListServiceClient;
use crate::api::pb::screening_service_client::ScreeningServiceClient;

/// Largest answer a client accepts.
const MAX_MESSAGE: usize = 64 << 20;

/// A channel to `url` (`http://host:port`).
///
/// # Errors
/// A malformed URL, or no server answering there.
pub async fn channel(url: &str) -> anyhow::Result<Channel> {
    let endpoint = Endpoint::from_shared(url.to_string())
        .with_context(|| format!("invalid server URL {url} (expected http://host:port)"))?
        .connect_timeout(Duration::from_secs(5));
    endpoint.connect().await.with_context(|| {
        format!("cannot connect to {url}: is the server running (`exportscreen serve`)?")
    })
}

/// A ScreeningService client.
///
/// # Errors
/// See [`channel`].
pub async fn screening(url: &str) -> anyhow::Result<ScreeningServiceClient<Channel>> {
    Ok(ScreeningServiceClient::new(channel(url).await?).max_decoding_message_size(MAX_MESSAGE))
}

/// A ListService client.
///
/// # Errors
/// See [`channel`].
pub async fn lists(url: &str) -> anyhow::Result<ListServiceClient<Channel>> {
    Ok(ListServiceClient::new(channel(url).await?)
        .max_decoding_message_size(MAX_MESSAGE)
        .max_encoding_message_size(MAX_MESSAGE))
}

/// A CaseService client.
///
/// # Errors
/// See [`channel`].
pub async fn cases(url: &str) -> anyhow::Result<CaseServiceClient<Channel>> {
    Ok(CaseServiceClient::new(channel(url).await?).max_decoding_message_size(MAX_MESSAGE))
}

/// An AuditService client.
///
/// # Errors
/// See [`channel`].
pub async fn audit(url: &str) -> anyhow::Result<AuditServiceClient<Channel>> {
    Ok(AuditServiceClient::new(channel(url).await?).max_decoding_message_size(MAX_MESSAGE))
}

/// A gRPC error as one line: code and message.
pub fn status_error(s: tonic::Status) -> anyhow::Error {
    anyhow::anyhow!("{:?}: {}", s.code(), s.message())
}
