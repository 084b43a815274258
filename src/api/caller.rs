//! Who is calling: the principal and roles that the access-control layer
//! attaches to each request. Handlers read it with [`Caller::of`]; without
//! access control (no layer installed) every call is the anonymous admin.

use tonic::Request;

/// A role a token grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// An exporter's system: screens its own shipments, sees its own
    /// screenings and cases.
    Exporter,
    /// A licensing officer: works the case queue.
    Officer,
    /// A compliance team member: maintains the lists.
    Compliance,
    /// Read-only access to everything, for audits.
    Auditor,
    /// Everything, including token management.
    Admin,
}

impl Role {
    /// Every role, in declaration order.
    pub const ALL: [Role; 5] = [
        Role::Exporter,
        Role::Officer,
        Role::Compliance,
        Role::Auditor,
        Role::Admin,
    ];

    /// Upper-case name (`EXPORTER` ...), as stored with a token.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Exporter => "EXPORTER",
            Role::Officer => "OFFICER",
            Role::Compliance => "COMPLIANCE",
            Role::Auditor => "AUDITOR",
            Role::Admin => "ADMIN",
        }
    }

    /// The role named `name` (case-insensitive, with or without the
    /// `ACCESS_ROLE_` prefix).
    pub fn parse(name: &str) -> Option<Role> {
        let upper = name.trim().to_ascii_uppercase();
        let bare = upper.strip_prefix("ACCESS_ROLE_").unwrap_or(&upper);
        Role::ALL.into_iter().find(|r| r.as_str() == bare)
    }
}

/// The caller of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// Principal name (recorded as the actor of changes).
    pub principal: String,
    /// Roles granted.
    pub roles: Vec<Role>,
    /// For an exporter, the exporter id its shipments are recorded under.
    pub exporter: Option<String>,
}

impl Caller {
    /// The caller when access control is off.
    pub fn anonymous() -> Caller {
        Caller {
            principal: "anonymous".into(),
            roles: vec![Role::Admin],
            exporter: None,
        }
    }

    /// The caller attached to `req` by the access-control layer, else
    /// [`Caller::anonymous`].
    pub fn of<T>(req: &Request<T>) -> Caller {
        req.extensions()
            .get::<Caller>()
            .cloned()
            .unwrap_or_else(Caller::anonymous)
    }

    /// True when the caller has `role` (admins have every role).
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role) || self.roles.contains(&Role::Admin)
    }

    /// True when the caller may see records of `exporter`: anyone but an
    /// exporter-only caller, or that exporter itself.
    pub fn may_see_exporter(&self, exporter: &str) -> bool {
        !self.exporter_only() || self.exporter.as_deref() == Some(exporter)
    }

    /// True for a caller with no role but EXPORTER: it sees its own
    /// records, without the licensing office's internals
    /// ([`boundary`](crate::api::cases::boundary)).
    pub fn exporter_only(&self) -> bool {
        self.roles.iter().all(|r| *r == Role::Exporter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_layer_the_caller_is_the_anonymous_admin() {
        let c = Caller::of(&Request::new(()));
        assert!(c.has(Role::Officer));
        assert!(c.may_see_exporter("anyone"));
    }

    #[test]
    fn an_exporter_sees_only_its_own_records() {
        let c = Caller {
            principal: "acme-erp".into(),
            roles: vec![Role::Exporter],
            exporter: Some("acme".into()),
        };
        assert!(c.may_see_exporter("acme"));
        assert!(!c.may_see_exporter("globex"));
        assert!(!c.has(Role::Officer));
    }
}
