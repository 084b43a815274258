//! AdminService: create, list and revoke access tokens; WhoAmI.
//!
//! Who may call which method is decided by the access-control layer (the
//! role table); these handlers validate, write (token and audit record),
//! flush, and only then answer.

use std::sync::Arc;

use tonic::{Request, Response, Status};
use tracing::{info, instrument};

use super::token::generate_secret;
use crate::api::caller::{Caller, Role};
use crate::api::convert::{MAX_TEXT, text};
use crate::api::pb;
use crate::api::pb::admin_service_server::AdminService;
use crate::api::state::{AppState, now_unix_ms};
use crate::api::status::ApiError;
use crate::api::{request_id, respond};
use crate::store::audit::NewAudit;
use crate::store::tokens::{NewToken, TokenRecord};

/// Longest principal name in bytes.
pub const MAX_PRINCIPAL: usize = 128;
/// Longest token description in bytes.
pub const MAX_DESCRIPTION: usize = 1024;
/// Longest token lifetime: ten years.
pub const MAX_TTL_SECONDS: u64 = 10 * 366 * 24 * 3600;
/// Principals the service itself acts under (the first ADMIN token, the
/// re-screening and case system, callers without access control, the
/// scheduled refresh, the bundled seed lists): a token may not take them,
/// so that an audit actor is never ambiguous. Compared case-insensitively.
pub const RESERVED_PRINCIPALS: &[&str] = &["admin", "system", "anonymous", "refresh", "seed"];

/// The admin service.
#[derive(Clone, Debug)]
pub struct AdminApi {
    state: Arc<AppState>,
    /// Revocations one at a time: two concurrent revocations of the last
    /// two ADMIN tokens must not both pass the last-ADMIN check.
    revoking: Arc<tokio::sync::Mutex<()>>,
}

/// The wire value of a role.
pub fn role_to_pb(r: Role) -> pb::AccessRole {
    match r {
        Role::Exporter => pb::AccessRole::Exporter,
        Role::Officer => pb::AccessRole::Officer,
        Role::Compliance => pb::AccessRole::Compliance,
        Role::Auditor => pb::AccessRole::Auditor,
        Role::Admin => pb::AccessRole::Admin,
    }
}

/// A role from its wire number.
///
/// # Errors
/// INVALID_ARGUMENT naming `field` for UNSPECIFIED or an unknown number.
pub fn role_from_pb(n: i32, field: &str) -> Result<Role, ApiError> {
    match pb::AccessRole::try_from(n) {
        Ok(pb::AccessRole::Exporter) => Ok(Role::Exporter),
        Ok(pb::AccessRole::Officer) => Ok(Role::Officer),
        Ok(pb::AccessRole::Compliance) => Ok(Role::Compliance),
        Ok(pb::AccessRole::Auditor) => Ok(Role::Auditor),
        Ok(pb::AccessRole::Admin) => Ok(Role::Admin),
        Ok(pb::AccessRole::Unspecified) | Err(_) => Err(ApiError::invalid(
            field,
            format!("unknown role {n} (EXPORTER = 1, OFFICER, COMPLIANCE, AUDITOR, ADMIN = 5)"),
        )),
    }
}

/// A stored token on the wire (never a secret).
pub fn token_info(r: TokenRecord) -> pb::TokenInfo {
    let TokenRecord {
        token_id,
        principal,
        roles,
        exporter,
        description,
        created_at_unix_ms,
        expires_at_unix_ms,
        revoked_at_unix_ms,
        created_by,
    } = r;
    pb::TokenInfo {
        token_id,
        principal,
        roles: roles
            .iter()
            .filter_map(|r| Role::parse(r))
            .map(|r| role_to_pb(r).into())
            .collect(),
        exporter: exporter.unwrap_or_default(),
        description,
        created_at_unix_ms,
        expires_at_unix_ms: expires_at_unix_ms.unwrap_or(0),
        revoked_at_unix_ms: revoked_at_unix_ms.unwrap_or(0),
        created_by,
    }
}

/// Validates a CreateToken request into the token to store, at `now`.
///
/// # Errors
/// INVALID_ARGUMENT naming the first offending field.
pub fn new_token(
    req: pb::CreateTokenRequest,
    created_by: &str,
    now_unix_ms: i64,
) -> Result<NewToken, ApiError> {
    let pb::CreateTokenRequest {
        principal,
        roles,
        exporter,
        ttl_seconds,
        description,
        no_expiry,
    } = req;
    let principal = text(principal, "principal", MAX_PRINCIPAL, true)?
        .trim()
        .to_string();
    if RESERVED_PRINCIPALS
        .iter()
        .any(|r| r.eq_ignore_ascii_case(&principal))
    {
        return Err(ApiError::invalid(
            "principal",
            format!(
                "{principal:?} is reserved for the service's own actions ({}): choose another name",
                RESERVED_PRINCIPALS.join(", ")
            ),
        ));
    }
    if roles.is_empty() {
        return Err(ApiError::invalid("roles", "required: at least one role"));
    }
    let mut parsed = roles
        .iter()
        .enumerate()
        .map(|(i, r)| role_from_pb(*r, &format!("roles[{i}]")))
        .collect::<Result<Vec<Role>, ApiError>>()?;
    parsed.sort();
    parsed.dedup();
    let exporter = text(exporter, "exporter", MAX_TEXT, false)?
        .trim()
        .to_string();
    let exporter = match (parsed.contains(&Role::Exporter), exporter.is_empty()) {
        (true, true) => {
            return Err(ApiError::invalid(
                "exporter",
                "required with the EXPORTER role: the exporter its shipments are recorded under",
            ));
        }
        (true, false) => Some(exporter),
        (false, true) => None,
        (false, false) => {
            return Err(ApiError::invalid(
                "exporter",
                "only an EXPORTER token is bound to an exporter",
            ));
        }
    };
    let expires_at_unix_ms = match (ttl_seconds, no_expiry) {
        (0, true) => None,
        (0, false) => {
            return Err(ApiError::invalid(
                "ttl_seconds",
                "required: a lifetime of at least 1 second, or no_expiry = true for a token that never expires",
            ));
        }
        (_, true) => {
            return Err(ApiError::invalid(
                "ttl_seconds",
                "must be 0 with no_expiry: a token either expires or does not",
            ));
        }
        (ttl, false) if ttl > MAX_TTL_SECONDS => {
            return Err(ApiError::invalid(
                "ttl_seconds",
                format!("at most {MAX_TTL_SECONDS} (ten years), got {ttl}"),
            ));
        }
        // Bounded by MAX_TTL_SECONDS: no overflow.
        (ttl, false) => {
            Some(now_unix_ms.saturating_add(i64::try_from(ttl * 1000).unwrap_or(i64::MAX)))
        }
    };
    Ok(NewToken {
        principal,
        roles: parsed.iter().map(|r| r.as_str().to_string()).collect(),
        exporter,
        description: text(description, "description", MAX_DESCRIPTION, false)?,
        expires_at_unix_ms,
        created_by: created_by.to_string(),
    })
}

impl AdminApi {
    /// Serves from `state`.
    pub fn new(state: Arc<AppState>) -> AdminApi {
        AdminApi {
            state,
            revoking: Arc::default(),
        }
    }

    async fn create(
        &self,
        caller: Caller,
        req: pb::CreateTokenRequest,
    ) -> Result<pb::CreateTokenResponse, ApiError> {
        let now = now_unix_ms();
        let new = new_token(req, &caller.principal, now)?;
        let secret =
            generate_secret().map_err(|e| ApiError::Internal(format!("random source: {e}")))?;
        let store = self.state.store();
        let record = store.insert_token(&secret, new, now)?;
        store.append_audit(
            NewAudit {
                actor: caller.principal,
                action: "token.create".into(),
                subject: record.token_id.clone(),
                reason: record.description.clone(),
                details: serde_json::json!({
                    "principal": record.principal,
                    "roles": record.roles,
                    "exporter": record.exporter,
                    "expires_at_unix_ms": record.expires_at_unix_ms,
                }),
            },
            now,
        )?;
        store.flush().await?;
        info!(token_id = %record.token_id, principal = %record.principal, roles = ?record.roles, "token created");
        Ok(pb::CreateTokenResponse {
            token: secret,
            info: Some(token_info(record)),
        })
    }

    async fn revoke(
        &self,
        caller: Caller,
        req: pb::RevokeTokenRequest,
    ) -> Result<pb::TokenInfo, ApiError> {
        let pb::RevokeTokenRequest { token_id } = req;
        let token_id = text(token_id, "token_id", MAX_PRINCIPAL, true)?;
        let now = now_unix_ms();
        let store = self.state.store();
        let _one_at_a_time = self.revoking.lock().await;
        let tokens = store.tokens()?;
        if leaves_no_admin(&tokens, token_id.trim(), now) {
            return Err(ApiError::LastAdmin);
        }
        let record = store.revoke_token(token_id.trim(), now)?;
        store.append_audit(
            NewAudit {
                actor: caller.principal,
                action: "token.revoke".into(),
                subject: record.token_id.clone(),
                reason: String::new(),
                details: serde_json::json!({ "principal": record.principal }),
            },
            now,
        )?;
        store.flush().await?;
        info!(token_id = %record.token_id, principal = %record.principal, "token revoked");
        Ok(token_info(record))
    }
}

/// True when revoking `token_id` at `now` would leave no live ADMIN token.
pub fn leaves_no_admin(tokens: &[TokenRecord], token_id: &str, now: i64) -> bool {
    let live_admin = |t: &TokenRecord| {
        t.is_live(now) && t.roles.iter().any(|r| Role::parse(r) == Some(Role::Admin))
    };
    tokens
        .iter()
        .any(|t| t.token_id == token_id && live_admin(t))
        && !tokens
            .iter()
            .any(|t| t.token_id != token_id && live_admin(t))
}

#[tonic::async_trait]
impl AdminService for AdminApi {
    #[instrument(name = "CreateToken", skip_all, fields(request_id = %request_id(&request)))]
    async fn create_token(
        &self,
        request: Request<pb::CreateTokenRequest>,
    ) -> Result<Response<pb::CreateTokenResponse>, Status> {
        let caller = Caller::of(&request);
        respond(self.create(caller, request.into_inner()).await)
    }

    #[instrument(name = "ListTokens", skip_all, fields(request_id = %request_id(&request)))]
    async fn list_tokens(
        &self,
        request: Request<pb::ListTokensRequest>,
    ) -> Result<Response<pb::ListTokensResponse>, Status> {
        let pb::ListTokensRequest {} = request.into_inner();
        respond(
            self.state
                .store()
                .tokens()
                .map(|t| pb::ListTokensResponse {
                    tokens: t.into_iter().map(token_info).collect(),
                })
                .map_err(ApiError::from),
        )
    }

    #[instrument(name = "RevokeToken", skip_all, fields(request_id = %request_id(&request)))]
    async fn revoke_token(
        &self,
        request: Request<pb::RevokeTokenRequest>,
    ) -> Result<Response<pb::TokenInfo>, Status> {
        let caller = Caller::of(&request);
        respond(self.revoke(caller, request.into_inner()).await)
    }

    #[instrument(name = "WhoAmI", skip_all, fields(request_id = %request_id(&request)))]
    async fn who_am_i(
        &self,
        request: Request<pb::WhoAmIRequest>,
    ) -> Result<Response<pb::TokenInfo>, Status> {
        let Caller {
            principal,
            roles,
            exporter,
        } = Caller::of(&request);
        Ok(Response::new(pb::TokenInfo {
            principal,
            roles: roles.into_iter().map(|r| role_to_pb(r).into()).collect(),
            exporter: exporter.unwrap_or_default(),
            ..pb::TokenInfo::default()
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(principal: &str, roles: &[pb::AccessRole], exporter: &str) -> pb::CreateTokenRequest {
        pb::CreateTokenRequest {
            principal: principal.into(),
            roles: roles.iter().map(|r| *r as i32).collect(),
            exporter: exporter.into(),
            ttl_seconds: 3600,
            description: "erp".into(),
            no_expiry: false,
        }
    }

    fn field_of(e: ApiError) -> String {
        match e {
            ApiError::Lib(crate::Error::InvalidArgument { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_valid_request_becomes_a_token() {
        let t = new_token(
            req(" acme-erp ", &[pb::AccessRole::Exporter], " acme "),
            "admin",
            1_000,
        )
        .unwrap();
        assert_eq!(t.principal, "acme-erp");
        assert_eq!(t.roles, vec!["EXPORTER"]);
        assert_eq!(t.exporter.as_deref(), Some("acme"));
        assert_eq!(t.expires_at_unix_ms, Some(1_000 + 3_600_000));
        assert_eq!(t.created_by, "admin");
        let mut r = req(
            "ops",
            &[pb::AccessRole::Officer, pb::AccessRole::Auditor],
            "",
        );
        r.ttl_seconds = 0;
        r.no_expiry = true;
        let t = new_token(r, "admin", 1_000).unwrap();
        assert_eq!(t.expires_at_unix_ms, None);
        assert_eq!(t.roles, vec!["OFFICER", "AUDITOR"]);
    }

    #[test]
    fn invalid_requests_name_the_field() {
        use pb::AccessRole::{Exporter, Officer};
        let table: Vec<(&str, pb::CreateTokenRequest, &str)> = vec![
            ("blank principal", req(" ", &[Officer], ""), "principal"),
            ("no roles", req("p", &[], ""), "roles"),
            (
                "unspecified role",
                req("p", &[pb::AccessRole::Unspecified], ""),
                "roles[0]",
            ),
            ("exporter without id", req("p", &[Exporter], ""), "exporter"),
            (
                "id without exporter",
                req("p", &[Officer], "acme"),
                "exporter",
            ),
            ("control char", req("p\u{7}", &[Officer], ""), "principal"),
            (
                "ttl",
                pb::CreateTokenRequest {
                    ttl_seconds: MAX_TTL_SECONDS + 1,
                    ..req("p", &[Officer], "")
                },
                "ttl_seconds",
            ),
            (
                "a lifetime of 0 without no_expiry",
                pb::CreateTokenRequest {
                    ttl_seconds: 0,
                    ..req("p", &[Officer], "")
                },
                "ttl_seconds",
            ),
            (
                "a lifetime and no_expiry",
                pb::CreateTokenRequest {
                    no_expiry: true,
                    ..req("p", &[Officer], "")
                },
                "ttl_seconds",
            ),
            ("reserved admin", req("admin", &[Officer], ""), "principal"),
            (
                "reserved System",
                req(" System ", &[Officer], ""),
                "principal",
            ),
            (
                "reserved anonymous",
                req("anonymous", &[Officer], ""),
                "principal",
            ),
        ];
        for (name, r, field) in table {
            let e = new_token(r, "admin", 0).expect_err(name);
            assert_eq!(field_of(e), field, "{name}");
        }
        let mut bad = req("p", &[Officer], "");
        bad.roles = vec![42];
        assert_eq!(field_of(new_token(bad, "a", 0).unwrap_err()), "roles[0]");
    }

    #[test]
    fn the_last_live_admin_token_stays() {
        let t =
            |id: &str, roles: &[&str], expires: Option<i64>, revoked: Option<i64>| TokenRecord {
                token_id: id.into(),
                principal: id.into(),
                roles: roles.iter().map(|r| r.to_string()).collect(),
                exporter: None,
                description: String::new(),
                created_at_unix_ms: 0,
                expires_at_unix_ms: expires,
                revoked_at_unix_ms: revoked,
                created_by: "tests".into(),
            };
        let tokens = vec![
            t("a1", &["ADMIN"], None, None),
            t("a2", &["ADMIN"], Some(50), None),
            t("a3", &["ADMIN"], None, Some(5)),
            t("o1", &["OFFICER"], None, None),
        ];
        // (token to revoke, at, refused)
        let table = [
            ("a1", 10, false), // a2 is still live
            ("a1", 60, true),  // a2 expired, a3 revoked
            ("a2", 60, false), // already expired: not live, nothing lost
            ("o1", 60, false), // not an ADMIN token
            ("nope", 60, false),
        ];
        for (id, now, refused) in table {
            assert_eq!(leaves_no_admin(&tokens, id, now), refused, "{id} at {now}");
        }
    }

    #[test]
    fn roles_round_trip_through_the_wire() {
        for r in Role::ALL {
            let n = role_to_pb(r) as i32;
            assert_eq!(role_from_pb(n, "r").unwrap(), r);
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(Role::parse(role_to_pb(r).as_str_name()), Some(r));
        }
    }
}
