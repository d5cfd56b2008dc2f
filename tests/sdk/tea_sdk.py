"""A whole role lifecycle plus STS against the emulator with the current tea SDKs (alibabacloud_ram20150501,
alibabacloud_sts20150401 on alibabacloud_tea_openapi). Every response body is a model parsed by the SDK; each is
checked to survive to_map()/from_map() and its values are asserted.

Run as `tea_sdk.py` the clients keep their default configuration, which signs with signature V3
(ACS3-HMAC-SHA256, an Authorization header); `tea_sdk.py v2` sets signature_algorithm='v2' (the RPC HMAC-SHA1
signature) as scripts written for older emulators did."""

import json
import sys
import urllib.request

from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as RamClient
from alibabacloud_sts20150401 import models as sts_models
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi import models as open_api_models

from common import (
    DATE,
    DESCRIPTION,
    DESTINATION,
    ENDPOINT,
    HOST,
    SOURCE,
    TASK,
    check_role,
    check_stored_trust_policy,
    dts_trust_policy,
    expect_error,
    user_of,
)

SIGNATURE = sys.argv[1] if len(sys.argv) > 1 else "default"
assert SIGNATURE in ("default", "v2"), SIGNATURE
PREFIX = "tea" if SIGNATURE == "default" else "tea-v2"


def config(access_key_id, access_key_secret, security_token=None):
    cfg = open_api_models.Config(
        access_key_id=access_key_id,
        access_key_secret=access_key_secret,
        security_token=security_token,
        endpoint=HOST,
        protocol="http",
    )
    if SIGNATURE == "v2":
        cfg.signature_algorithm = "v2"
    return cfg


def signs_v3(client):
    """Whether this client, as configured, signs with V3: the SDK's own choice, checked so the default run
    cannot silently fall back to v2."""
    return getattr(client, "_signature_algorithm", None) != "v2"


def clients(account, secret=None):
    cfg = config(account["access_key_id"], secret or account["access_key_secret"])
    return RamClient(cfg), StsClient(cfg)


def body(response):
    """The SDK model of the response body, checked to round-trip through the SDK's own map form."""
    model = response.body
    as_map = model.to_map()
    again = type(model)().from_map(as_map)
    assert again.to_map() == as_map, (as_map, again.to_map())
    assert as_map["RequestId"], as_map
    return model


def main():
    ram, sts = clients(SOURCE)
    assert signs_v3(ram) == (SIGNATURE == "default"), ram._signature_algorithm
    task_ram, task_sts = clients(TASK)
    _, task_user_sts = clients(user_of(TASK))
    role = f"{PREFIX}-ram-for-dts"
    others = [f"{PREFIX}-a", f"{PREFIX}-b"]

    me = body(sts.get_caller_identity())
    assert me.account_id == SOURCE["account_id"], me.to_map()
    assert me.arn == f"acs:ram::{SOURCE['account_id']}:root", me.to_map()
    assert me.identity_type == "Account", me.to_map()

    created = body(ram.create_role(ram_models.CreateRoleRequest(
        role_name=role,
        assume_role_policy_document=dts_trust_policy(TASK["account_id"]),
        description=DESCRIPTION,
        max_session_duration=7200,
        tag=[ram_models.CreateRoleRequestTag(key="env", value="test"),
             ram_models.CreateRoleRequestTag(key="team", value="data")],
    ))).role
    check_role(created.to_map(), SOURCE["account_id"], role)
    assert created.description == DESCRIPTION, created.to_map()
    assert created.max_session_duration == 7200, created.to_map()
    check_stored_trust_policy(created.assume_role_policy_document, TASK["account_id"])
    for name in others:
        body(ram.create_role(ram_models.CreateRoleRequest(
            role_name=name, assume_role_policy_document=dts_trust_policy(TASK["account_id"]))))
    expect_error("EntityAlreadyExists.Role", lambda: ram.create_role(ram_models.CreateRoleRequest(
        role_name=role, assume_role_policy_document=dts_trust_policy(TASK["account_id"]))))
    expect_error("InvalidParameter.MaxSessionDuration", lambda: ram.create_role(ram_models.CreateRoleRequest(
        role_name=f"{PREFIX}-short", assume_role_policy_document=dts_trust_policy(TASK["account_id"]),
        max_session_duration=60)))

    got = body(ram.get_role(ram_models.GetRoleRequest(role_name=role))).role
    check_role(got.to_map(), SOURCE["account_id"], role)
    assert got.role_id == created.role_id, got.to_map()
    assert DATE.match(got.update_date), got.to_map()
    assert got.is_service_linked_role is False, got.to_map()

    updated = body(ram.update_role(ram_models.UpdateRoleRequest(
        role_name=role, new_description="updated", new_max_session_duration=3600))).role
    assert updated.description == "updated", updated.to_map()
    assert updated.max_session_duration == 3600, updated.to_map()

    seen, marker, pages = [], None, 0
    while True:
        page = body(ram.list_roles(ram_models.ListRolesRequest(max_items=2, marker=marker)))
        pages += 1
        assert len(page.roles.role) <= 2, page.to_map()
        for item in page.roles.role:
            seen.append(item.role_name)
            if item.role_name == role:
                assert {(t.tag_key, t.tag_value) for t in item.tags.tag} == {("env", "test"), ("team", "data")}
        if not page.is_truncated:
            break
        marker = page.marker
        assert marker, page.to_map()
    assert pages >= 2, pages
    assert {role, *others} <= set(seen), seen

    for policy in ["AliyunDTSRolePolicy", "AliyunRAMReadOnlyAccess"]:
        body(ram.attach_policy_to_role(ram_models.AttachPolicyToRoleRequest(
            policy_type="System", policy_name=policy, role_name=role)))
    expect_error("EntityAlreadyExists.Role.Policy", lambda: ram.attach_policy_to_role(
        ram_models.AttachPolicyToRoleRequest(policy_type="System", policy_name="AliyunDTSRolePolicy", role_name=role)))
    expect_error("InvalidParameter.PolicyType", lambda: ram.attach_policy_to_role(
        ram_models.AttachPolicyToRoleRequest(policy_type="system", policy_name="AliyunDTSRolePolicy", role_name=role)))
    policies = body(ram.list_policies_for_role(ram_models.ListPoliciesForRoleRequest(role_name=role))).policies.policy
    assert sorted(p.policy_name for p in policies) == ["AliyunDTSRolePolicy", "AliyunRAMReadOnlyAccess"]
    got = body(ram.get_policy(ram_models.GetPolicyRequest(policy_type="System", policy_name="AliyunDTSRolePolicy")))
    assert got.policy.policy_name == "AliyunDTSRolePolicy" and got.policy.policy_type == "System", got.to_map()
    assert got.policy.attachment_count == 1 and got.policy.default_version, got.to_map()
    assert DATE.match(got.policy.create_date) and got.default_policy_version.is_default_version, got.to_map()
    expect_error("EntityNotExist.Policy", lambda: ram.get_policy(
        ram_models.GetPolicyRequest(policy_type="System", policy_name="NoSuchPolicy")))
    expect_error("EntityNotExist.Policy", lambda: ram.get_policy(
        ram_models.GetPolicyRequest(policy_type="Custom", policy_name="NoSuchPolicy")))
    assert all(p.policy_type == "System" and DATE.match(p.attach_date) and p.default_version for p in policies)
    expect_error("DeleteConflict.Role.Policy", lambda: ram.delete_role(ram_models.DeleteRoleRequest(role_name=role)))

    body(ram.tag_resources(ram_models.TagResourcesRequest(
        resource_type="role", resource_names=[role],
        tag=[ram_models.TagResourcesRequestTag(key="owner", value="me")])))
    tags = body(ram.list_tag_resources(ram_models.ListTagResourcesRequest(
        resource_type="role", resource_names=[role]))).tag_resources
    assert {(t.tag_key, t.tag_value) for t in tags} == {("env", "test"), ("team", "data"), ("owner", "me")}
    assert all(t.resource_name == role and t.resource_type == "role" for t in tags)
    first = body(ram.list_tag_resources(ram_models.ListTagResourcesRequest(
        resource_type="role", resource_names=[role], page_size=2)))
    assert len(first.tag_resources) == 2 and first.next_token, first.to_map()
    rest = body(ram.list_tag_resources(ram_models.ListTagResourcesRequest(
        resource_type="role", resource_names=[role], page_size=2, next_token=first.next_token)))
    assert len(rest.tag_resources) == 1 and not rest.next_token, rest.to_map()
    body(ram.untag_resources(ram_models.UntagResourcesRequest(
        resource_type="role", resource_names=[role], tag_keys=["team"])))
    tags = body(ram.list_tag_resources(ram_models.ListTagResourcesRequest(
        resource_type="role", resource_names=[role]))).tag_resources
    assert {t.tag_key for t in tags} == {"env", "owner"}

    arn = f"acs:ram::{SOURCE['account_id']}:role/{role}"
    # Root keys may not assume roles, as on the real STS; the task account's RAM user may.
    error = expect_error("NoPermission", lambda: task_sts.assume_role(sts_models.AssumeRoleRequest(
        role_arn=arn, role_session_name="tea-session")))
    assert error.status_code == 403 and "Roles may not be assumed by root accounts." in str(error), error
    assumed = body(task_user_sts.assume_role(sts_models.AssumeRoleRequest(
        role_arn=arn, role_session_name="tea-session", duration_seconds=900)))
    credentials = assumed.credentials
    assert credentials.access_key_id.startswith("STS."), assumed.to_map()
    assert DATE.match(credentials.expiration), assumed.to_map()
    assert assumed.assumed_role_user.arn == f"acs:ram::{SOURCE['account_id']}:role/{role}/tea-session"
    session_cfg = config(credentials.access_key_id, credentials.access_key_secret, credentials.security_token)
    who = body(StsClient(session_cfg).get_caller_identity())
    assert who.identity_type == "AssumedRoleUser", who.to_map()
    assert who.account_id == SOURCE["account_id"], who.to_map()
    assert who.arn == f"acs:ram::{SOURCE['account_id']}:assumed-role/{role}/tea-session", who.to_map()
    assert who.role_id == created.role_id, who.to_map()
    assert body(RamClient(session_cfg).get_role(ram_models.GetRoleRequest(role_name=role))).role.role_name == role
    # The session has its role's policies (AliyunDTSRolePolicy, AliyunRAMReadOnlyAccess): no DeleteRole. The SDK
    # reads RAM's refusal and its AccessDeniedDetail.
    error = expect_error("NoPermission", lambda: RamClient(session_cfg).delete_role(
        ram_models.DeleteRoleRequest(role_name=role)))
    assert error.status_code == 403, error
    assert f"Resource: acs:ram:*:{SOURCE['account_id']}:role/{role} Action: ram:DeleteRole" in str(error), error
    detail = error.data["AccessDeniedDetail"]
    assert detail["AuthAction"] == "ram:DeleteRole", detail
    assert detail["AuthPrincipalType"] == "AssumedRoleUser", detail
    assert detail["AuthPrincipalDisplayName"] == f"{role}:tea-session", detail
    assert detail["NoPermissionType"] == "ImplicitDeny", detail
    # A wrong token for the session's key is refused.
    wrong_token = config(credentials.access_key_id, credentials.access_key_secret, "CAISwrong")
    expect_error("InvalidSecurityToken.MismatchWithAccessKey", lambda: StsClient(wrong_token).get_caller_identity())

    _, destination_sts = clients(user_of(DESTINATION))
    error = expect_error("NoPermission", lambda: destination_sts.assume_role(sts_models.AssumeRoleRequest(
        role_arn=arn, role_session_name="intruder")))
    assert error.status_code == 403, error

    for policy in ["AliyunDTSRolePolicy", "AliyunRAMReadOnlyAccess"]:
        body(ram.detach_policy_from_role(ram_models.DetachPolicyFromRoleRequest(
            policy_type="System", policy_name=policy, role_name=role)))
    assert body(ram.list_policies_for_role(
        ram_models.ListPoliciesForRoleRequest(role_name=role))).policies.policy == []
    for name in [role, *others]:
        body(ram.delete_role(ram_models.DeleteRoleRequest(role_name=name)))
    error = expect_error("EntityNotExist.Role", lambda: ram.get_role(ram_models.GetRoleRequest(role_name=role)))
    assert error.status_code == 404, error

    _, wrong_sts = clients(SOURCE, secret="wrong-secret")
    error = expect_error("SignatureDoesNotMatch", lambda: wrong_sts.get_caller_identity())
    assert error.status_code == 400, error

    users_and_policies(ram)

    # The emulator counts authenticated requests by signature: the default run must have signed V3 throughout
    # (RAM and STS clients alike), the v2 run v1 throughout.
    with urllib.request.urlopen(f"{ENDPOINT}/_emulator/stats") as answer:
        signatures = json.load(answer)["signatures"]
    if SIGNATURE == "default":
        assert signatures.get("v3", 0) > 0 and signatures.get("v1", 0) == 0, signatures
    else:
        assert signatures.get("v1", 0) > 0 and signatures.get("v3", 0) == 0, signatures

    print(f"OK tea {SIGNATURE}")


def users_and_policies(ram):
    """RAM users, their access keys and custom policies, each response parsed into the SDK's models."""
    user = f"{PREFIX}-user"
    created = body(ram.create_user(ram_models.CreateUserRequest(user_name=user, display_name="CI"))).user
    assert created.user_name == user and created.user_id.isdigit() and DATE.match(created.create_date)
    assert body(ram.get_user(ram_models.GetUserRequest(user_name=user))).user.display_name == "CI"
    error = expect_error("EntityAlreadyExists.User", lambda: ram.create_user(ram_models.CreateUserRequest(
        user_name=user)))
    assert error.status_code == 409, error
    expect_error("InvalidParameter.UserName.InvalidChars", lambda: ram.create_user(ram_models.CreateUserRequest(
        user_name="no spaces")))
    listed = body(ram.list_users(ram_models.ListUsersRequest(max_items=100))).users.user
    assert user in [u.user_name for u in listed], [u.to_map() for u in listed]

    key = body(ram.create_access_key(ram_models.CreateAccessKeyRequest(user_name=user))).access_key
    assert key.status == "Active" and key.access_key_secret, key.to_map()
    keys = body(ram.list_access_keys(ram_models.ListAccessKeysRequest(user_name=user))).access_keys.access_key
    assert [k.access_key_id for k in keys] == [key.access_key_id], [k.to_map() for k in keys]
    who = body(StsClient(config(key.access_key_id, key.access_key_secret)).get_caller_identity())
    assert who.identity_type == "RAMUser", who.to_map()
    assert who.arn == f"acs:ram::{SOURCE['account_id']}:user/{user}", who.to_map()
    assert who.user_id == created.user_id and who.principal_id == created.user_id, who.to_map()

    document = '{"Version":"1","Statement":[{"Effect":"Allow","Action":"ram:Get*","Resource":"*"}]}'
    policy = f"{PREFIX}-policy"
    made = body(ram.create_policy(ram_models.CreatePolicyRequest(
        policy_name=policy, policy_document=document, description="read"))).policy
    assert made.policy_type == "Custom" and made.default_version == "v1", made.to_map()
    expect_error("MalformedPolicyDocument", lambda: ram.create_policy(ram_models.CreatePolicyRequest(
        policy_name=f"{policy}-bad", policy_document='{"Version":"1"}')))
    got = body(ram.get_policy(ram_models.GetPolicyRequest(policy_type="Custom", policy_name=policy)))
    assert got.default_policy_version.policy_document == document, got.to_map()
    customs = body(ram.list_policies(ram_models.ListPoliciesRequest(policy_type="Custom"))).policies.policy
    assert policy in [p.policy_name for p in customs], [p.to_map() for p in customs]

    body(ram.attach_policy_to_user(ram_models.AttachPolicyToUserRequest(
        policy_type="Custom", policy_name=policy, user_name=user)))
    attached = body(ram.list_policies_for_user(ram_models.ListPoliciesForUserRequest(user_name=user)))
    assert [(p.policy_type, p.policy_name) for p in attached.policies.policy] == [("Custom", policy)]
    error = expect_error("DeleteConflict.Policy.User", lambda: ram.delete_policy(ram_models.DeletePolicyRequest(
        policy_name=policy)))
    assert error.status_code == 409, error
    error = expect_error("DeleteConflict.User.AccessKey", lambda: ram.delete_user(ram_models.DeleteUserRequest(
        user_name=user)))
    assert error.status_code == 409, error
    body(ram.delete_access_key(ram_models.DeleteAccessKeyRequest(
        user_access_key_id=key.access_key_id, user_name=user)))
    expect_error("DeleteConflict.User.Policy", lambda: ram.delete_user(ram_models.DeleteUserRequest(
        user_name=user)))
    body(ram.detach_policy_from_user(ram_models.DetachPolicyFromUserRequest(
        policy_type="Custom", policy_name=policy, user_name=user)))
    body(ram.delete_policy(ram_models.DeletePolicyRequest(policy_name=policy)))
    body(ram.delete_user(ram_models.DeleteUserRequest(user_name=user)))
    error = expect_error("EntityNotExist.User", lambda: ram.get_user(ram_models.GetUserRequest(user_name=user)))
    assert error.status_code == 404, error


if __name__ == "__main__":
    main()
    sys.exit(0)
