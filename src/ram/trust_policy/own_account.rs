//! RAM's own-account rule for service principals: how RAM stores a Service principal that names the role's own
//! account. The provider's comparison and the emulator both apply it; recognising the trace it leaves of a
//! cross-account mistake is scenario knowledge and stays in the provider's domain.

/// The suffix shared by Alibaba Cloud service hosts (`dts.aliyuncs.com`, `cdp.aliyuncs.com`), the only
/// principals the own-account rule touches.
pub const SERVICE_HOST_SUFFIX: &str = ".aliyuncs.com";

/// RAM's own-account rule: in a role owned by `owner_uid`, the Service principal `"<owner_uid>@<host>"` with an
/// Alibaba Cloud service host (`*.aliyuncs.com`) is stored as the bare `"<host>"`, RAM's form for "that service
/// acting for this account". Any other principal is stored as written.
///
/// Evidence: the DTS guide documents it for `dts.aliyuncs.com` (the Service principal "automatically changes" to
/// `dts.aliyuncs.com` when the UID entered is the owner's). For other hosts, DataWorks' `cdp.aliyuncs.com` among
/// them, it is inferred from RAM's convention that a bare service name means the service in the role's own
/// account; no Alibaba page states it, so the provider's messages word it as a
/// risk. Comparing both forms as equal is safe either way: a RAM that does
/// not rewrite returns the owner-prefixed form, which is equal too.
pub fn own_account_stored_form<'a>(principal: &'a str, owner_uid: &str) -> &'a str {
    principal
        .strip_prefix(owner_uid)
        .and_then(|rest| rest.strip_prefix('@'))
        .filter(|host| {
            host.len() > SERVICE_HOST_SUFFIX.len() && host.ends_with(SERVICE_HOST_SUFFIX)
        })
        .unwrap_or(principal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_touches_only_the_owners_aliyun_service_hosts() {
        assert_eq!(
            own_account_stored_form("12@dts.aliyuncs.com", "12"),
            "dts.aliyuncs.com"
        );
        assert_eq!(
            own_account_stored_form("123@dts.aliyuncs.com", "12"),
            "123@dts.aliyuncs.com"
        );
        assert_eq!(
            own_account_stored_form("12@example.com", "12"),
            "12@example.com"
        );
        assert_eq!(
            own_account_stored_form("12@.aliyuncs.com", "12"),
            "12@.aliyuncs.com"
        );
        assert_eq!(
            own_account_stored_form("dts.aliyuncs.com", "12"),
            "dts.aliyuncs.com"
        );
    }
}
