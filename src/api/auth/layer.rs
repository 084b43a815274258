//! The tower layer in front of every gRPC service.
//!
//! For each call it:
//! 1. gives the call a request id (the client's `x-request-id`, else a
//!    generated one written into the request, so the handler's spans carry
//!    the same id) and opens the `rpc` span every log line of the call
//!    falls under (method, request id, principal);
//! 2. looks the method up in the role table ([`policy`](super::policy)):
//!    open services pass; otherwise the bearer token is checked against the
//!    store (UNAUTHENTICATED when missing, unknown, expired or revoked), the
//!    caller's roles against the table (PERMISSION_DENIED) and its rate
//!    limit (RESOURCE_EXHAUSTED; ADMIN exempt);
//! 3. inserts the [`Caller`] (and a [`MessageBudget`] for streams) into the
//!    request's extensions, where handlers find them;
//! 4. records the call's status and duration when its response ends
//!    (metrics), mapping tonic's OUT_OF_RANGE for an oversized message to
//!    RESOURCE_EXHAUSTED on the way, and answering a request message tonic
//!    could not decode with INVALID_ARGUMENT naming the field
//!    ([`protocol`](crate::api::protocol)) instead of tonic's INTERNAL.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use tonic::{Code, Status};
use tower::{Layer, Service};
use tracing::{Instrument, Span, field, info_span};

use super::AuthError;
use super::policy::{self, Access};
use super::rate::{RateLimit, RateLimiter};
use super::token;
use crate::api::caller::{Caller, Role};
use crate::api::protocol;
use crate::api::state::now_unix_ms;
use crate::api::status::{ApiError, transport_code};
use crate::api::{REQUEST_ID_HEADER, log_status, metrics, new_request_id, valid_request_id};
use crate::store::Store;

/// What the layer needs: the token store and the rate limiter.
#[derive(Debug)]
pub struct AccessControl {
    store: Store,
    limiter: RateLimiter,
}

impl AccessControl {
    /// Access control over the tokens in `store`, with `limit` per principal.
    pub fn new(store: Store, limit: RateLimit) -> AccessControl {
        AccessControl {
            store,
            limiter: RateLimiter::new(limit),
        }
    }

    /// Decides a call of `path` with `headers`: `Ok(None)` for an open
    /// service, `Ok(Some(caller))` for an admitted call.
    ///
    /// # Errors
    /// [`AuthError`] saying why the call is refused.
    pub fn admit(
        &self,
        path: &str,
        headers: &http::HeaderMap,
    ) -> Result<Option<Caller>, AuthError> {
        let roles = match policy::access(path) {
            Access::Open => return Ok(None),
            Access::Roles(roles) => roles,
        };
        let secret = token::bearer(headers)?.ok_or(AuthError::Missing)?;
        let caller = token::authenticate(&self.store, secret, now_unix_ms())?;
        if !policy::permits(roles, &caller) {
            return Err(AuthError::Forbidden {
                principal: caller.principal,
                method: path.to_string(),
                allowed: policy::describe(roles),
            });
        }
        self.charge(&caller)?;
        Ok(Some(caller))
    }

    /// Takes one call from `caller`'s rate budget (ADMIN: free).
    ///
    /// # Errors
    /// [`AuthError::RateLimited`] when the budget is spent.
    pub fn charge(&self, caller: &Caller) -> Result<(), AuthError> {
        if caller.has(Role::Admin) {
            return Ok(());
        }
        self.limiter
            .take(&caller.principal, Instant::now())
            .map_err(|retry_after| {
                let limit = self.limiter.limit();
                AuthError::RateLimited {
                    principal: caller.principal.clone(),
                    per_second: limit.per_second,
                    burst: limit.burst,
                    retry_after,
                }
            })
    }
}

/// The caller's rate budget, for handlers of streams: each message after
/// the first (which the call paid for) takes one more token.
#[derive(Clone, Debug)]
pub struct MessageBudget {
    control: Arc<AccessControl>,
    caller: Caller,
}

impl MessageBudget {
    /// Takes one message from the budget.
    ///
    /// # Errors
    /// [`ApiError`] RESOURCE_EXHAUSTED when the budget is spent.
    pub fn take(&self) -> Result<(), ApiError> {
        self.control.charge(&self.caller).map_err(ApiError::Auth)
    }
}

/// The layer (see the module documentation).
#[derive(Clone, Debug)]
pub struct AccessLayer {
    control: Arc<AccessControl>,
}

impl AccessLayer {
    /// A layer deciding with `control`.
    pub fn new(control: Arc<AccessControl>) -> AccessLayer {
        AccessLayer { control }
    }
}

impl<S> Layer<S> for AccessLayer {
    type Service = AccessService<S>;

    fn layer(&self, inner: S) -> AccessService<S> {
        AccessService {
            inner,
            control: Arc::clone(&self.control),
        }
    }
}

/// The service the layer wraps around the router.
#[derive(Clone, Debug)]
pub struct AccessService<S> {
    inner: S,
    control: Arc<AccessControl>,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

impl<S, B> Service<http::Request<B>> for AccessService<S>
where
    S: Service<http::Request<B>, Response = http::Response<tonic::body::Body>>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    B: Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: http::Request<B>) -> Self::Future {
        // The clone that was driven to readiness serves this call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let control = Arc::clone(&self.control);

        let method = req.uri().path().to_string();
        let label = policy::metric_label(&method).to_string();
        let request_id = ensure_request_id(&mut req);
        let span = info_span!("rpc", %method, %request_id, principal = field::Empty);
        let started = Instant::now();
        let fut = async move {
            match control.admit(&method, req.headers()) {
                Err(e) => {
                    let status = Status::from(ApiError::Auth(e));
                    log_status(&status);
                    metrics::global().record_call(&label, status.code(), started.elapsed());
                    let mut resp = status.into_http::<tonic::body::Body>();
                    echo_request_id(&mut resp, &request_id);
                    return Ok(resp);
                }
                Ok(Some(caller)) => {
                    Span::current().record("principal", caller.principal.as_str());
                    req.extensions_mut().insert(MessageBudget {
                        control: Arc::clone(&control),
                        caller: caller.clone(),
                    });
                    req.extensions_mut().insert(caller);
                }
                Ok(None) => {}
            }
            let mut resp = inner.call(req).await?;
            echo_request_id(&mut resp, &request_id);
            Ok(meter(resp, label, started))
        };
        Box::pin(fut.instrument(span))
    }
}

/// The call's request id, written into the request when the client sent
/// none (or an unusable one).
fn ensure_request_id<B>(req: &mut http::Request<B>) -> String {
    if let Some(id) = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| valid_request_id(v))
    {
        return id.to_string();
    }
    let id = new_request_id();
    if let Ok(v) = http::HeaderValue::from_str(&id) {
        req.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    id
}

fn echo_request_id<B>(resp: &mut http::Response<B>, request_id: &str) {
    if let Ok(v) = http::HeaderValue::from_str(request_id) {
        resp.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
}

/// The gRPC status in a header map (`grpc-status`, `grpc-message`).
fn status_in(headers: &http::HeaderMap) -> Option<(Code, String)> {
    let code = headers
        .get("grpc-status")?
        .to_str()
        .ok()?
        .parse::<i32>()
        .ok()?;
    let message = headers
        .get("grpc-message")
        .and_then(|v| v.to_str().ok())
        .map(percent_decode)
        .unwrap_or_default();
    Some((Code::from_i32(code), message))
}

/// `grpc-message` is percent-encoded.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                // Two hex digits: at most 255.
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Records the call when its response ends (a trailers-only response, an
/// error answered at once, now), mapping tonic's transport codes in the
/// status it carries ([`transport_code`]).
fn meter(
    mut resp: http::Response<tonic::body::Body>,
    method: String, // the metric label
    started: Instant,
) -> http::Response<tonic::body::Body> {
    if let Some((code, message)) = status_in(resp.headers()) {
        if let Some(error) = protocol::rewrite(code, &message) {
            // A request message that cannot be read: the client's mistake,
            // named by field (tonic says INTERNAL).
            let status = Status::from(error);
            log_status(&status);
            metrics::global().record_call(&method, status.code(), started.elapsed());
            let mut answer = status.into_http::<tonic::body::Body>();
            if let Some(id) = resp.headers().get(REQUEST_ID_HEADER) {
                answer.headers_mut().insert(REQUEST_ID_HEADER, id.clone());
            }
            return answer;
        }
        let mapped = transport_code(code, &message);
        if mapped != code {
            resp.headers_mut()
                .insert("grpc-status", http::HeaderValue::from(mapped as i32));
        }
        metrics::global().record_call(&method, mapped, started.elapsed());
        return resp;
    }
    if resp.body().is_end_stream() {
        metrics::global().record_call(&method, Code::Unknown, started.elapsed());
        return resp;
    }
    resp.map(|inner| {
        tonic::body::Body::new(Metered {
            inner,
            call: Some((method, started)),
        })
    })
}

/// A response body that records its call when the trailers pass (or when
/// it is dropped early: the client went away).
struct Metered {
    inner: tonic::body::Body,
    call: Option<(String, Instant)>,
}

impl Metered {
    fn finish(&mut self, code: Code) {
        if let Some((method, started)) = self.call.take() {
            metrics::global().record_call(&method, code, started.elapsed());
        }
    }
}

impl Body for Metered {
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => match frame.into_trailers() {
                Ok(mut trailers) => {
                    let code = match status_in(&trailers) {
                        Some((code, message)) => {
                            let mapped = transport_code(code, &message);
                            if mapped != code {
                                trailers
                                    .insert("grpc-status", http::HeaderValue::from(mapped as i32));
                            }
                            mapped
                        }
                        None => Code::Unknown,
                    };
                    this.finish(code);
                    Poll::Ready(Some(Ok(Frame::trailers(trailers))))
                }
                Err(data) => Poll::Ready(Some(Ok(data))),
            },
            Poll::Ready(Some(Err(status))) => {
                this.finish(status.code());
                Poll::Ready(Some(Err(status)))
            }
            Poll::Ready(None) => {
                this.finish(Code::Unknown);
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for Metered {
    fn drop(&mut self) {
        self.finish(Code::Cancelled);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_messages_are_percent_decoded() {
        assert_eq!(percent_decode("a%20b%2Cc%"), "a b,c%");
        assert_eq!(percent_decode("%E2%9C%93 ok"), "\u{2713} ok");
        let mut h = http::HeaderMap::new();
        h.insert("grpc-status", http::HeaderValue::from(11));
        h.insert(
            "grpc-message",
            http::HeaderValue::from_static("decoded%20message%20length%20too%20large"),
        );
        let (code, message) = status_in(&h).unwrap();
        assert_eq!(code, Code::OutOfRange);
        assert_eq!(transport_code(code, &message), Code::ResourceExhausted);
    }
}
