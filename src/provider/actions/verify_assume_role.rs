//! `aliram_verify_assume_role`: proves that the provider instance's identity can assume a role (STS `AssumeRole`
//! for the shortest session, then `GetCallerIdentity` with the issued credentials), or, for a role only a cloud
//! service may assume, evaluates the role's trust policy for that service acting for the instance's account. On
//! failure it names the cause. The issued credentials live only for the one call and are never stored or shown.

use crate::framework::action::{
    Action, ActionProgress, InvokeActionRequest, InvokeActionResponse, PlanActionRequest,
    PlanActionResponse,
};
use crate::framework::context::Context;
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::path::AttributePath;
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::value::Value;
use crate::provider::alicloud::credentials::{Credentials, StaticCredentials};
use crate::provider::alicloud::sts::{AssumeRoleRequest, CallerIdentity};
use crate::provider::alicloud::{ClientError, ErrorKind};
use crate::provider::client::{ProviderClient, api_diagnostic};
use crate::ram::account::{AccountId, IdentityKind, parse_role_arn};
use crate::ram::trust_policy::judge::{Requester, judge};
use async_trait::async_trait;
use std::sync::Arc;

/// The action's type name.
pub const TYPE_NAME: &str = "aliram_verify_assume_role";

/// The shortest session STS issues: the proof needs one call.
pub const SESSION_SECONDS: u32 = 900;

/// The session name the verification uses, so that the role's owner recognises it in ActionTrail.
pub const SESSION_NAME: &str = "aliram-verify-assume-role";

const ROLE_ARN: &str = "role_arn";
const EXTERNAL_ID: &str = "external_id";
const SERVICE: &str = "service";

/// The `aliram_verify_assume_role` action.
#[derive(Debug)]
pub(crate) struct VerifyAssumeRole;

/// What the configuration asks to verify.
struct Target<'a> {
    arn: &'a str,
    account: AccountId,
    name: &'a str,
    external_id: Option<&'a str>,
}

fn check_role_arn(v: &Value) -> Result<(), String> {
    let arn = v.as_str().unwrap_or_default();
    parse_role_arn(arn).map(drop).ok_or_else(|| {
        format!(
            "role_arn {arn:?} is not a role ARN: expected acs:ram::<account UID>:role/<role name>, for example the \
             `arn` attribute of a role resource."
        )
    })
}

fn check_external_id(v: &Value) -> Result<(), String> {
    let id = v.as_str().unwrap_or_default();
    let length = id.chars().count();
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c);
    if !(2..=1224).contains(&length) || !id.chars().all(allowed) {
        return Err(format!(
            "external_id {id:?} is not accepted by STS: 2 to 1224 characters of letters, digits and _+=,.@:/- ."
        ));
    }
    Ok(())
}

fn check_service(v: &Value) -> Result<(), String> {
    let service = v.as_str().unwrap_or_default();
    let name_ok = service.strip_suffix(".aliyuncs.com").is_some_and(|name| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    });
    if !name_ok {
        return Err(format!(
            "service {service:?} is not a service principal: expected <name>.aliyuncs.com, such as \
             \"dts.aliyuncs.com\" or \"cdp.aliyuncs.com\" (DataWorks)."
        ));
    }
    Ok(())
}

/// `external_id` is sent only with AssumeRole, which `service` replaces by an evaluation.
fn check_combination(config: &Value, diagnostics: &mut Diagnostics) {
    if config.attr(SERVICE).as_str().is_some() && config.attr(EXTERNAL_ID).as_str().is_some() {
        diagnostics.push(
            Diagnostic::error(
                "External ID Not Used With Service",
                "external_id is sent only when the action assumes the role; with service it evaluates the trust \
                 policy for the service, which sends no ExternalId. Remove one of the two.",
            )
            .at(AttributePath::root(EXTERNAL_ID)),
        );
    }
}

#[async_trait]
impl Action<ProviderClient> for VerifyAssumeRole {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new(
                "Verifies that the identity of the provider instance this action is bound to (normally a RAM user or \
                 role of the trusted account) can assume a role: STS AssumeRole on `role_arn` for the shortest \
                 session (900 seconds), then GetCallerIdentity with the issued credentials, reporting the assumed \
                 identity. The credentials are used for that one call only, never stored or printed. On failure it \
                 names the cause: no such role, a trust policy that does not admit this account, an `ExternalId` \
                 condition, an identity without `sts:AssumeRole`, or root keys, which STS refuses. With `service`, \
                 it evaluates the role's trust policy for that service acting for this account instead, since a \
                 service principal (such as DataWorks' `cdp.aliyuncs.com`) admits no user. Run it with \
                 `terraform apply -invoke=action.aliram_verify_assume_role.NAME`, or after a role changes with an \
                 `action_trigger` (`after_create`, `after_update`) in the role resource's `lifecycle`.",
            )
            .attribute(
                Attribute::string(ROLE_ARN)
                    .required()
                    .description("ARN of the role to verify, `acs:ram::<account UID>:role/<role name>`: for example the `arn` attribute of an `aliram_cross_account_dts_role` of the other account.")
                    .validate(check_role_arn),
            )
            .attribute(
                Attribute::string(EXTERNAL_ID)
                    .optional()
                    .description("The `ExternalId` to send with AssumeRole, for a role whose trust policy has an `sts:ExternalId` condition: 2 to 1224 letters, digits or `_+=,.@:/-`. Not used with `service`.")
                    .validate(check_external_id),
            )
            .attribute(
                Attribute::string(SERVICE)
                    .optional()
                    .description("A service principal, such as `dts.aliyuncs.com` or `cdp.aliyuncs.com` (DataWorks). When set, the action does not assume the role: it reads it (GetRole, which needs credentials of the role's own account) and evaluates its trust policy for that service acting for this provider instance's account, with the same policy language RAM applies, and says the check was by evaluation.")
                    .validate(check_service),
            ),
        )
    }

    fn validate_config(&self, config: &Value, diagnostics: &mut Diagnostics) {
        check_combination(config, diagnostics);
    }

    async fn plan(
        &self,
        _ctx: &Context,
        _client: Option<&ProviderClient>,
        req: PlanActionRequest,
        resp: &mut PlanActionResponse,
    ) {
        // Values taken from other resources (a role's `arn`) are known only now, after validation ran: check them
        // here so that a mistake fails the plan, not the apply after the role was written.
        let checks: [(&str, fn(&Value) -> Result<(), String>); 3] = [
            (ROLE_ARN, check_role_arn),
            (EXTERNAL_ID, check_external_id),
            (SERVICE, check_service),
        ];
        for (name, check) in checks {
            let value = req.config.attr(name);
            if value.as_str().is_some()
                && let Err(detail) = check(value)
            {
                resp.diagnostics.push(
                    Diagnostic::error("Invalid Attribute Value", detail)
                        .at(AttributePath::root(name)),
                );
            }
        }
        check_combination(&req.config, &mut resp.diagnostics);
    }

    async fn invoke(
        &self,
        _ctx: &Context,
        client: &ProviderClient,
        req: InvokeActionRequest,
        progress: &ActionProgress,
        resp: &mut InvokeActionResponse,
    ) {
        let arn = req.config.attr(ROLE_ARN).as_str().unwrap_or_default();
        let Some((account, name)) = parse_role_arn(arn) else {
            // Validation refused it already; a second guard costs nothing.
            let detail = check_role_arn(&Value::string(arn))
                .err()
                .unwrap_or_default();
            resp.diagnostics.push(
                Diagnostic::error("Invalid Role ARN", detail).at(AttributePath::root(ROLE_ARN)),
            );
            return;
        };
        let target = Target {
            arn,
            account,
            name,
            external_id: req.config.attr(EXTERNAL_ID).as_str(),
        };
        let me = match client.caller_identity().await {
            Ok(me) => me.clone(),
            Err(e) => {
                resp.diagnostics.push(api_diagnostic(
                    "reading the identity of this provider instance (GetCallerIdentity)",
                    &e,
                ));
                return;
            }
        };
        progress
            .send(format!(
                "verifying {} as {} (account {})",
                target.arn, me.arn, me.account_id
            ))
            .await;
        match req.config.attr(SERVICE).as_str() {
            Some(service) => evaluate(client, &me, &target, service, progress, resp).await,
            None => assume(client, &me, &target, progress, resp).await,
        }
    }
}

/// Assumes the role and asks STS who the issued credentials are.
async fn assume(
    client: &ProviderClient,
    me: &CallerIdentity,
    target: &Target<'_>,
    progress: &ActionProgress,
    resp: &mut InvokeActionResponse,
) {
    let request = AssumeRoleRequest {
        role_arn: target.arn.to_owned(),
        role_session_name: SESSION_NAME.to_owned(),
        duration_seconds: Some(SESSION_SECONDS),
        external_id: target.external_id.map(str::to_owned),
        ..Default::default()
    };
    let issued = match client.api.assume_role(&request).await {
        Ok(issued) => issued,
        Err(e) => {
            let cause = refusal_cause(client, me, target, &e).await;
            resp.diagnostics
                .push(Diagnostic::error("Cannot Assume the Role", cause));
            return;
        }
    };
    let credentials = Credentials {
        access_key_id: issued.credentials.access_key_id,
        access_key_secret: issued.credentials.access_key_secret,
        security_token: Some(issued.credentials.security_token),
        expiration: None,
    };
    let session = client.api.with_credentials(Arc::new(StaticCredentials::new(
        credentials,
        format!("a {SESSION_SECONDS}-second session of {}", target.arn),
    )));
    match session.get_caller_identity().await {
        Ok(assumed) => {
            progress
                .send(format!(
                    "assumed {}: the session is {} (account {})",
                    target.arn, assumed.arn, assumed.account_id
                ))
                .await;
            if assumed.account_id != target.account.as_str() {
                resp.diagnostics.push(Diagnostic::error(
                    "Assumed Session in an Unexpected Account",
                    format!(
                        "AssumeRole on {} succeeded, but STS reports the session {} in account {}, not {}.",
                        target.arn,
                        assumed.arn,
                        assumed.account_id,
                        target.account.as_str()
                    ),
                ));
            }
        }
        Err(e) => resp.diagnostics.push(api_diagnostic(
            &format!("AssumeRole on {} succeeded, but GetCallerIdentity with the issued credentials failed", target.arn),
            &e,
        )),
    }
}

/// Why STS refused: what is known for sure first, then, when the role can be read (it is in this account), the
/// trust policy's own verdict; otherwise the causes that remain, each with its fix.
async fn refusal_cause(
    client: &ProviderClient,
    me: &CallerIdentity,
    target: &Target<'_>,
    error: &ClientError,
) -> String {
    let said = format!("STS said: {error}");
    if error.is_not_found() {
        return format!(
            "Account {} has no role named {}, so it cannot be assumed. Check role_arn (the role's account UID and \
             name) and that the role was created. {said}",
            target.account.as_str(),
            target.name
        );
    }
    if !error.is(ErrorKind::Auth) {
        return format!("AssumeRole on {} failed. {said}", target.arn);
    }
    let root = IdentityKind::of(me.identity_type.as_deref(), &me.arn) == IdentityKind::Account;
    let root_cause = format!(
        "this provider instance uses the root AccessKey of account {} ({}), and STS refuses AssumeRole to an \
         account's root identity: bind the action to a provider instance of a RAM user (or role) of account {} that \
         has sts:AssumeRole (for example the system policy AliyunSTSAssumeRoleAccess)",
        me.account_id, me.arn, me.account_id
    );
    // STS's documented answer to root keys ("Roles may not be assumed by root accounts.") leaves no doubt.
    let sts_says_root = error
        .api_error()
        .is_some_and(|e| e.message().contains("root accounts"));
    if root && sts_says_root {
        return format!("STS refuses root keys: {root_cause}. {said}");
    }
    let external = match target.external_id {
        Some(_) => "the ExternalId sent does not match its sts:ExternalId condition",
        None => "it has an sts:ExternalId condition and no external_id was sent",
    };
    let requester = Requester::Account {
        account_id: me.account_id.clone(),
        external_id: target.external_id.map(str::to_owned),
        // A RAM user is matched by its own ARN too; a role session's assumed-role ARN is not a principal form.
        identity: me.arn.contains(":user/").then(|| me.arn.clone()),
    };
    // Only a role of this account can be read with these credentials (GetRole reads the caller's own account);
    // then the trust policy itself says whether it admits the caller, and only what remains is the caller's.
    if target.account.as_str() == me.account_id
        && let Ok(role) = client.api.get_role(target.name).await
        && let Some(document) = role.role.assume_role_policy_document.as_deref()
    {
        let verdict = judge(document, target.account.as_str(), &requester);
        return if verdict.allowed && root {
            format!(
                "The role's trust policy admits account {} ({}), but {root_cause}. {said}",
                me.account_id, verdict.reason
            )
        } else if verdict.allowed {
            format!(
                "The role's trust policy admits account {} ({}), so the refusal comes from this identity's own \
                 permissions: {} lacks sts:AssumeRole on {}. Attach AliyunSTSAssumeRoleAccess or a policy allowing \
                 sts:AssumeRole on the role to it. {said}",
                me.account_id, verdict.reason, me.arn, target.arn
            )
        } else if document.contains("sts:ExternalId") {
            format!(
                "The role's trust policy refuses: {external} ({}). {said}",
                verdict.reason
            )
        } else {
            format!(
                "The role's trust policy does not admit account {}: {}. {said}",
                me.account_id, verdict.reason
            )
        };
    }
    let mut causes = vec![
        format!(
            "the trust policy does not admit account {} (its owner adds acs:ram::{}:root to the RAM principals)",
            me.account_id, me.account_id
        ),
        external.to_owned(),
    ];
    if root {
        causes.insert(0, root_cause);
    } else {
        causes.push(
            "this identity lacks sts:AssumeRole (attach AliyunSTSAssumeRoleAccess or a policy allowing \
             sts:AssumeRole on the role)"
                .to_owned(),
        );
    }
    format!(
        "STS refused {} ({}) to assume {}. The role is in account {}, whose trust policy this identity cannot \
         read, so the cause is one of: {}. {said}",
        me.arn,
        me.account_id,
        target.arn,
        target.account.as_str(),
        causes.join("; ")
    )
}

/// Reads the role and evaluates its trust policy for `service` acting for this instance's account.
async fn evaluate(
    client: &ProviderClient,
    me: &CallerIdentity,
    target: &Target<'_>,
    service: &str,
    progress: &ActionProgress,
    resp: &mut InvokeActionResponse,
) {
    let not_checked = |why: String| {
        Diagnostic::error(
            "Trust Not Checked",
            format!(
                "{why} The trust of {} for {service} acting for account {} was not checked. Bind the action to a \
                 provider instance whose credentials belong to account {} and may call ram:GetRole.",
                target.arn,
                me.account_id,
                target.account.as_str()
            ),
        )
    };
    if target.account.as_str() != me.account_id {
        resp.diagnostics.push(not_checked(format!(
            "Role {} is in account {}, but this provider instance's credentials are of account {}, and GetRole \
             reads roles of the caller's own account only.",
            target.name,
            target.account.as_str(),
            me.account_id
        )));
        return;
    }
    let role = match client.api.get_role(target.name).await {
        Ok(role) => role.role,
        Err(e) if e.is_not_found() => {
            resp.diagnostics.push(Diagnostic::error(
                "Cannot Assume the Role",
                format!(
                    "Account {} has no role named {}. Check role_arn. RAM said: {e}",
                    target.account.as_str(),
                    target.name
                ),
            ));
            return;
        }
        Err(e) => {
            resp.diagnostics.push(not_checked(format!(
                "GetRole on {} failed: {e}.",
                target.name
            )));
            return;
        }
    };
    let document = role.assume_role_policy_document.unwrap_or_default();
    let verdict = judge(
        &document,
        target.account.as_str(),
        &Requester::Service {
            service: service.to_owned(),
            acting_for: me.account_id.clone(),
        },
    );
    if verdict.allowed {
        progress
            .send(format!(
                "checked by evaluating the trust policy, not by assuming the role: {}",
                verdict.reason
            ))
            .await;
    } else {
        resp.diagnostics.push(Diagnostic::error(
            "Trust Policy Does Not Admit the Service",
            format!(
                "Checked by evaluating the trust policy of {} (not by assuming it): {}.",
                target.arn, verdict.reason
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_checked_naming_the_value_and_what_is_accepted() {
        assert_eq!(
            check_role_arn(&Value::string("acs:ram::1111000011110001:role/r")),
            Ok(())
        );
        let bad = check_role_arn(&Value::string("ram-for-dts")).unwrap_err();
        assert!(
            bad.contains("\"ram-for-dts\"")
                && bad.contains("acs:ram::<account UID>:role/<role name>"),
            "{bad}"
        );
        assert_eq!(check_external_id(&Value::string("abc-123")), Ok(()));
        assert!(
            check_external_id(&Value::string("x"))
                .unwrap_err()
                .contains("2 to 1224")
        );
        assert!(check_external_id(&Value::string("has space")).is_err());
        assert_eq!(check_service(&Value::string("cdp.aliyuncs.com")), Ok(()));
        let bad = check_service(&Value::string("dts")).unwrap_err();
        assert!(
            bad.contains("\"dts\"") && bad.contains("<name>.aliyuncs.com"),
            "{bad}"
        );
        assert!(check_service(&Value::string("acs:ram::1:root")).is_err());
    }
}
