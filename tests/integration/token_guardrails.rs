//! Token administration guardrails against a real server, one table per
//! rule: the last live ADMIN token cannot be revoked; a lifetime is
//! positive or explicitly none; reserved principals cannot be taken; one
//! `authorization` header exactly; refusals never name a token id.

use exportscreen::api::pb;
use exportscreen::api::pb::admin_service_client::AdminServiceClient;
use tonic::Code;

use crate::util::{ADMIN_SECRET, TestServer, assert_field_error, data_dir};

fn request(
    principal: &str,
    role: pb::AccessRole,
    ttl: u64,
    no_expiry: bool,
) -> pb::CreateTokenRequest {
    pb::CreateTokenRequest {
        principal: principal.into(),
        roles: vec![role as i32],
        exporter: String::new(),
        ttl_seconds: ttl,
        description: String::new(),
        no_expiry,
    }
}

#[tokio::test]
async fn token_creation_is_refused_naming_the_field() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let mut admin = AdminServiceClient::new(server.channel.clone());
    use pb::AccessRole::{Admin, Officer};
    // (what, request, field); every refusal is INVALID_ARGUMENT.
    let table = [
        (
            "a lifetime of 0",
            request("olga", Officer, 0, false),
            "ttl_seconds",
        ),
        (
            "a lifetime and no expiry",
            request("olga", Officer, 60, true),
            "ttl_seconds",
        ),
        (
            "principal admin",
            request("admin", Admin, 60, false),
            "principal",
        ),
        (
            "principal SYSTEM",
            request("SYSTEM", Officer, 60, false),
            "principal",
        ),
        (
            "principal anonymous",
            request(" anonymous ", Officer, 60, false),
            "principal",
        ),
        (
            "principal refresh",
            request("refresh", Officer, 60, false),
            "principal",
        ),
    ];
    for (what, req, field) in table {
        let err = admin.create_token(req).await.expect_err(what);
        assert_field_error(&err, Code::InvalidArgument, field);
    }
    // What is allowed: a positive lifetime, or no expiry asked for.
    let timed = admin
        .create_token(request("olga", Officer, 60, false))
        .await
        .unwrap()
        .into_inner();
    assert!(timed.info.unwrap().expires_at_unix_ms > 0);
    let forever = admin
        .create_token(request("ops-2", Admin, 0, true))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(forever.info.unwrap().expires_at_unix_ms, 0);
    server.stop().await;
}

#[tokio::test]
async fn the_last_live_admin_token_cannot_be_revoked() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let mut admin = AdminServiceClient::new(server.channel.clone());
    let tokens = admin
        .list_tokens(pb::ListTokensRequest {})
        .await
        .unwrap()
        .into_inner()
        .tokens;
    assert_eq!(tokens.len(), 1, "{tokens:?}");
    let first = tokens[0].token_id.clone();
    let revoke = |id: &str| pb::RevokeTokenRequest {
        token_id: id.to_string(),
    };
    // Alone: refused, and the token still works.
    let err = admin.revoke_token(revoke(&first)).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");
    assert!(
        err.message().contains("last live ADMIN token"),
        "{}",
        err.message()
    );
    assert!(!err.message().contains(&first), "{}", err.message());
    admin.who_am_i(pb::WhoAmIRequest {}).await.unwrap();

    // With a second ADMIN token the first may go; then the second is the last.
    let second = admin
        .create_token(request("ops-2", pb::AccessRole::Admin, 3600, false))
        .await
        .unwrap()
        .into_inner();
    let second_id = second.info.unwrap().token_id;
    admin.revoke_token(revoke(&first)).await.unwrap();
    let mut admin2 = AdminServiceClient::new(server.channel_with(&second.token));
    let err = admin2.revoke_token(revoke(&second_id)).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    // A token that is not ADMIN goes whatever happens.
    let officer = admin2
        .create_token(request("olga", pb::AccessRole::Officer, 3600, false))
        .await
        .unwrap()
        .into_inner();
    admin2
        .revoke_token(revoke(&officer.info.unwrap().token_id))
        .await
        .unwrap();
    server.stop().await;
}

#[tokio::test]
async fn refusals_want_one_header_and_never_name_the_token() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let mut admin = AdminServiceClient::new(server.channel.clone());
    let created = admin
        .create_token(request("olga", pb::AccessRole::Officer, 3600, false))
        .await
        .unwrap()
        .into_inner();
    let id = created.info.unwrap().token_id;
    admin
        .revoke_token(pb::RevokeTokenRequest {
            token_id: id.clone(),
        })
        .await
        .unwrap();

    // (what, authorization values, expected code)
    let table: &[(&str, Vec<String>, Code)] = &[
        (
            "two valid headers",
            vec![
                format!("Bearer {ADMIN_SECRET}"),
                format!("Bearer {ADMIN_SECRET}"),
            ],
            Code::Unauthenticated,
        ),
        (
            "a valid and a revoked header",
            vec![
                format!("Bearer {ADMIN_SECRET}"),
                format!("Bearer {}", created.token),
            ],
            Code::Unauthenticated,
        ),
        (
            "the revoked token",
            vec![format!("Bearer {}", created.token)],
            Code::Unauthenticated,
        ),
        (
            "one valid header",
            vec![format!("Bearer {ADMIN_SECRET}")],
            Code::Ok,
        ),
    ];
    for (what, values, want) in table {
        let mut req = tonic::Request::new(pb::WhoAmIRequest {});
        for v in values {
            req.metadata_mut()
                .append("authorization", v.parse().unwrap());
        }
        let got = AdminServiceClient::new(server.raw.clone())
            .who_am_i(req)
            .await;
        match got {
            Ok(_) => assert_eq!(*want, Code::Ok, "{what}"),
            Err(e) => {
                assert_eq!(e.code(), *want, "{what}: {e:?}");
                assert!(!e.message().contains(&id), "{what}: {}", e.message());
                assert!(!e.message().contains("tok-"), "{what}: {}", e.message());
            }
        }
    }
    server.stop().await;
}
