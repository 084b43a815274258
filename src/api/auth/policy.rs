//! Who may call which method: one table, one line per method.
//!
//! ADMIN may call everything. A method missing from [`METHOD_ROLES`] is
//! ADMIN-only (the safe default), and a test fails naming every method of
//! the descriptor set that has no line here, so a new RPC gets a deliberate
//! decision. Services in [`OPEN_SERVICES`] need no token at all.
//!
//! Finer rules that depend on the data (an exporter sees only its own
//! screenings and cases) belong to the handlers, through
//! [`Caller::may_see_exporter`].

use crate::api::caller::{Caller, Role};

use Role::{Auditor, Compliance, Exporter, Officer};

/// Services callable without a token: load balancers and grpcurl need them.
pub const OPEN_SERVICES: &[&str] = &[
    "grpc.health.v1.Health",
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection",
];

/// Methods of the open services (metrics name them; any other path under
/// those services is refused by the service itself).
pub const OPEN_METHODS: &[&str] = &[
    "/grpc.health.v1.Health/Check",
    "/grpc.health.v1.Health/Watch",
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
];

/// Roles (besides ADMIN) allowed per method path.
pub const METHOD_ROLES: &[(&str, &[Role])] = &[
    // ScreeningService
    (
        "/exportscreen.v1.ScreeningService/ScreenShipment",
        &[Exporter],
    ),
    (
        "/exportscreen.v1.ScreeningService/ScreenShipments",
        &[Exporter],
    ),
    (
        "/exportscreen.v1.ScreeningService/ScreenParty",
        &[Exporter, Officer, Compliance],
    ),
    (
        "/exportscreen.v1.ScreeningService/ScreenItem",
        &[Exporter, Officer, Compliance],
    ),
    (
        "/exportscreen.v1.ScreeningService/GetScreening",
        &[Exporter, Officer, Auditor],
    ),
    (
        "/exportscreen.v1.ScreeningService/ListParameters",
        &[Exporter, Officer, Compliance, Auditor],
    ),
    // ListService
    ("/exportscreen.v1.ListService/ImportList", &[Compliance]),
    (
        "/exportscreen.v1.ListService/GetList",
        &[Compliance, Officer, Auditor],
    ),
    (
        "/exportscreen.v1.ListService/ListLists",
        &[Compliance, Officer, Auditor],
    ),
    (
        "/exportscreen.v1.ListService/ListVersions",
        &[Compliance, Officer, Auditor],
    ),
    (
        "/exportscreen.v1.ListService/GetEntry",
        &[Compliance, Officer, Auditor],
    ),
    (
        "/exportscreen.v1.ListService/DiffVersions",
        &[Compliance, Officer, Auditor],
    ),
    ("/exportscreen.v1.ListService/CreateList", &[Compliance]),
    ("/exportscreen.v1.ListService/RetireList", &[Compliance]),
    ("/exportscreen.v1.ListService/AddEntry", &[Compliance]),
    ("/exportscreen.v1.ListService/UpdateEntry", &[Compliance]),
    ("/exportscreen.v1.ListService/RemoveEntry", &[Compliance]),
    (
        "/exportscreen.v1.ListService/ReplayScreening",
        &[Compliance, Officer, Auditor],
    ),
    // CaseService: exporters see their own cases (the handlers filter).
    (
        "/exportscreen.v1.CaseService/ListCases",
        &[Officer, Auditor, Exporter],
    ),
    (
        "/exportscreen.v1.CaseService/GetCase",
        &[Officer, Auditor, Exporter],
    ),
    (
        "/exportscreen.v1.CaseService/WatchCases",
        &[Officer, Auditor, Exporter],
    ),
    (
        "/exportscreen.v1.CaseService/GetSuppression",
        &[Officer, Auditor, Exporter],
    ),
    ("/exportscreen.v1.CaseService/ClaimCase", &[Officer]),
    ("/exportscreen.v1.CaseService/RequestInfo", &[Officer]),
    ("/exportscreen.v1.CaseService/DecideCase", &[Officer]),
    ("/exportscreen.v1.CaseService/ReopenCase", &[Officer]),
    ("/exportscreen.v1.CaseService/MarkFinding", &[Officer]),
    ("/exportscreen.v1.CaseService/ScheduleCheck", &[Officer]),
    ("/exportscreen.v1.CaseService/RecordCheck", &[Officer]),
    (
        "/exportscreen.v1.CaseService/GetReport",
        &[Officer, Auditor, Compliance],
    ),
    // WebhookService: exporters manage their own subscriptions, officers
    // and compliance the licensing office's (the handlers scope).
    (
        "/exportscreen.v1.WebhookService/CreateWebhook",
        &[Exporter, Officer, Compliance],
    ),
    (
        "/exportscreen.v1.WebhookService/ListWebhooks",
        &[Exporter, Officer, Compliance],
    ),
    (
        "/exportscreen.v1.WebhookService/DeleteWebhook",
        &[Exporter, Officer, Compliance],
    ),
    (
        "/exportscreen.v1.WebhookService/ListWebhookDeliveries",
        &[Exporter, Officer, Compliance],
    ),
    // AuditService
    ("/exportscreen.v1.AuditService/VerifyAudit", &[Auditor]),
    ("/exportscreen.v1.AuditService/ExportAudit", &[Auditor]),
    // AdminService
    ("/exportscreen.v1.AdminService/CreateToken", &[]),
    ("/exportscreen.v1.AdminService/ListTokens", &[Auditor]),
    ("/exportscreen.v1.AdminService/RevokeToken", &[]),
    (
        "/exportscreen.v1.AdminService/WhoAmI",
        &[Exporter, Officer, Compliance, Auditor],
    ),
];

/// What a method requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// No token needed.
    Open,
    /// A token with ADMIN or one of these roles.
    Roles(&'static [Role]),
}

/// The service name of a method path `/package.Service/Method`.
pub fn service_of(path: &str) -> &str {
    path.trim_start_matches('/')
        .split_once('/')
        .map_or("", |(service, _)| service)
}

/// What calling `path` requires.
pub fn access(path: &str) -> Access {
    if OPEN_SERVICES.contains(&service_of(path)) {
        return Access::Open;
    }
    METHOD_ROLES
        .iter()
        .find(|(p, _)| *p == path)
        .map_or(Access::Roles(&[]), |(_, roles)| Access::Roles(roles))
}

/// The method's name for metrics: its path when it is a known method,
/// else `other` (a client cannot grow the label set with made-up paths).
pub fn metric_label(path: &str) -> &str {
    let known = OPEN_METHODS.contains(&path) || METHOD_ROLES.iter().any(|(p, _)| *p == path);
    if known { path } else { "other" }
}

/// True when `caller` may call a method requiring `roles`.
pub fn permits(roles: &[Role], caller: &Caller) -> bool {
    caller.has(Role::Admin) || roles.iter().any(|r| caller.roles.contains(r))
}

/// The roles that may call a method, for messages (`ADMIN, OFFICER`).
pub fn describe(roles: &[Role]) -> String {
    std::iter::once(Role::Admin)
        .chain(roles.iter().copied())
        .map(Role::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every method path of the services in an encoded file descriptor set.
///
/// # Errors
/// The bytes are not a file descriptor set.
pub fn methods_in(descriptor_set: &[u8]) -> Result<Vec<String>, prost::DecodeError> {
    use prost::Message;
    let set = prost_types::FileDescriptorSet::decode(descriptor_set)?;
    let mut out = Vec::new();
    for file in set.file {
        let package = file.package.unwrap_or_default();
        for service in file.service {
            let name = service.name.unwrap_or_default();
            for method in service.method {
                out.push(format!(
                    "/{package}.{name}/{}",
                    method.name.unwrap_or_default()
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::pb::FILE_DESCRIPTOR_SET;

    fn caller(roles: &[Role]) -> Caller {
        Caller {
            principal: "p".into(),
            roles: roles.to_vec(),
            exporter: roles.contains(&Exporter).then(|| "acme".to_string()),
        }
    }

    #[test]
    fn every_method_of_the_api_has_a_line() {
        let methods = methods_in(FILE_DESCRIPTOR_SET).unwrap();
        assert!(methods.len() >= 12, "{methods:?}");
        let missing: Vec<&String> = methods
            .iter()
            .filter(|m| !METHOD_ROLES.iter().any(|(p, _)| p == m))
            .collect();
        assert!(
            missing.is_empty(),
            "methods without a line in METHOD_ROLES (add one per method): {missing:?}"
        );
        // And no line names a method that does not exist (a typo would
        // silently leave the real method ADMIN-only).
        for (path, _) in METHOD_ROLES {
            assert!(methods.iter().any(|m| m == path), "no such method: {path}");
        }
        let mut paths: Vec<&str> = METHOD_ROLES.iter().map(|(p, _)| *p).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), METHOD_ROLES.len(), "a method appears twice");
    }

    #[test]
    fn open_services_and_the_safe_default() {
        assert_eq!(access("/grpc.health.v1.Health/Check"), Access::Open);
        assert_eq!(
            access("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"),
            Access::Open
        );
        // Unknown methods (and look-alike services) are ADMIN-only.
        for path in [
            "/exportscreen.v1.ScreeningService/Nope",
            "/grpc.health.v1.HealthX/Check",
            "/exportscreen.v1.CaseService/Nope",
            "",
            "garbage",
        ] {
            assert_eq!(access(path), Access::Roles(&[]), "{path}");
            assert!(!permits(
                &[],
                &caller(&[Officer, Compliance, Auditor, Exporter])
            ));
            assert!(permits(&[], &caller(&[Role::Admin])));
        }
    }

    #[test]
    fn role_by_method() {
        use Role::Admin;
        let all = [Exporter, Officer, Compliance, Auditor, Admin];
        // method, roles that may call it (every other role may not)
        let table: &[(&str, &[Role])] = &[
            ("ScreeningService/ScreenShipment", &[Exporter, Admin]),
            ("ScreeningService/ScreenShipments", &[Exporter, Admin]),
            (
                "ScreeningService/ScreenParty",
                &[Exporter, Officer, Compliance, Admin],
            ),
            (
                "ScreeningService/ScreenItem",
                &[Exporter, Officer, Compliance, Admin],
            ),
            (
                "ScreeningService/GetScreening",
                &[Exporter, Officer, Auditor, Admin],
            ),
            ("ListService/ImportList", &[Compliance, Admin]),
            (
                "ListService/ListLists",
                &[Compliance, Officer, Auditor, Admin],
            ),
            ("AdminService/CreateToken", &[Admin]),
            ("AdminService/RevokeToken", &[Admin]),
            ("AdminService/ListTokens", &[Auditor, Admin]),
            ("AdminService/WhoAmI", &all),
            (
                "WebhookService/CreateWebhook",
                &[Exporter, Officer, Compliance, Admin],
            ),
            (
                "WebhookService/ListWebhookDeliveries",
                &[Exporter, Officer, Compliance, Admin],
            ),
        ];
        for (method, allowed) in table {
            let path = format!("/exportscreen.v1.{method}");
            let Access::Roles(roles) = access(&path) else {
                panic!("{path} is open");
            };
            for role in all {
                assert_eq!(
                    permits(roles, &caller(&[role])),
                    allowed.contains(&role),
                    "{role:?} on {method}"
                );
            }
        }
    }

    #[test]
    fn service_names() {
        assert_eq!(
            service_of("/grpc.health.v1.Health/Check"),
            "grpc.health.v1.Health"
        );
        assert_eq!(service_of("nothing"), "");
        assert_eq!(describe(&[Officer]), "ADMIN, OFFICER");
        assert_eq!(
            metric_label("/grpc.health.v1.Health/Check"),
            "/grpc.health.v1.Health/Check"
        );
        assert_eq!(
            metric_label("/exportscreen.v1.ListService/ListLists"),
            "/exportscreen.v1.ListService/ListLists"
        );
        assert_eq!(metric_label("/made.up/Path-123"), "other");
    }
}
