"""A whole role lifecycle plus STS against the emulator with the classic SDKs (aliyun-python-sdk-core,
aliyun-python-sdk-ram, aliyun-python-sdk-sts). Every response is parsed with json.loads and checked."""

import json
import sys

from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.auth.credentials import StsTokenCredential
from aliyunsdkcore.client import AcsClient
from aliyunsdkram.request.v20150501 import (
    AttachPolicyToRoleRequest,
    AttachPolicyToUserRequest,
    CreateAccessKeyRequest,
    CreatePolicyRequest,
    CreateRoleRequest,
    CreateUserRequest,
    DeleteAccessKeyRequest,
    DeletePolicyRequest,
    DeleteUserRequest,
    DetachPolicyFromUserRequest,
    GetUserRequest,
    ListAccessKeysRequest,
    ListPoliciesForUserRequest,
    ListPoliciesRequest,
    ListUsersRequest,
    DeleteRoleRequest,
    DetachPolicyFromRoleRequest,
    GetPolicyRequest,
    GetRoleRequest,
    ListPoliciesForRoleRequest,
    ListRolesRequest,
    ListTagResourcesRequest,
    TagResourcesRequest,
    UntagResourcesRequest,
    UpdateRoleRequest,
)
from aliyunsdksts.request.v20150401 import AssumeRoleRequest, GetCallerIdentityRequest

from common import (
    DATE,
    DESCRIPTION,
    DESTINATION,
    HOST,
    SOURCE,
    TASK,
    check_role,
    check_stored_trust_policy,
    dts_trust_policy,
    expect_error,
    user_of,
)

PREFIX = "classic"


def client_for(account, secret=None):
    # No automatic retries: every answer of the emulator is seen as it is.
    return AcsClient(account["access_key_id"], secret or account["access_key_secret"], "cn-hangzhou", auto_retry=False)


def call(client, request, method="POST"):
    request.set_endpoint(HOST)
    request.set_protocol_type("http")
    request.set_method(method)
    return json.loads(client.do_action_with_exception(request))


def request(cls, **params):
    req = cls()
    for name, value in params.items():
        getattr(req, f"set_{name}")(value)
    return req


def main():
    source = client_for(SOURCE)
    task = client_for(TASK)
    task_user = client_for(user_of(TASK))
    role = f"{PREFIX}-ram-for-dts"
    others = [f"{PREFIX}-a", f"{PREFIX}-b"]

    me = call(source, GetCallerIdentityRequest.GetCallerIdentityRequest())
    assert me["AccountId"] == SOURCE["account_id"], me
    assert me["Arn"] == f"acs:ram::{SOURCE['account_id']}:root", me
    assert me["IdentityType"] == "Account", me
    assert me["RequestId"], me

    created = call(source, request(
        CreateRoleRequest.CreateRoleRequest,
        RoleName=role,
        AssumeRolePolicyDocument=dts_trust_policy(TASK["account_id"]),
        Description=DESCRIPTION,
        MaxSessionDuration=7200,
        Tag=[{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "data"}],
    ))["Role"]
    check_role(created, SOURCE["account_id"], role)
    assert created["Description"] == DESCRIPTION, created
    assert created["MaxSessionDuration"] == 7200, created
    check_stored_trust_policy(created["AssumeRolePolicyDocument"], TASK["account_id"])
    for name in others:
        call(source, request(CreateRoleRequest.CreateRoleRequest, RoleName=name,
                             AssumeRolePolicyDocument=dts_trust_policy(TASK["account_id"])))
    expect_error("EntityAlreadyExists.Role", lambda: call(source, request(
        CreateRoleRequest.CreateRoleRequest, RoleName=role,
        AssumeRolePolicyDocument=dts_trust_policy(TASK["account_id"]))))
    expect_error("MalformedPolicyDocument", lambda: call(source, request(
        CreateRoleRequest.CreateRoleRequest, RoleName=f"{PREFIX}-bad", AssumeRolePolicyDocument="{not json")))
    expect_error("InvalidParameter.RoleName.InvalidChars", lambda: call(source, request(
        CreateRoleRequest.CreateRoleRequest, RoleName="under_score",
        AssumeRolePolicyDocument=dts_trust_policy(TASK["account_id"]))))

    # GET works as well as POST.
    got = call(source, request(GetRoleRequest.GetRoleRequest, RoleName=role), method="GET")["Role"]
    check_role(got, SOURCE["account_id"], role)
    assert got["RoleId"] == created["RoleId"], got
    assert DATE.match(got["UpdateDate"]), got
    assert got["IsServiceLinkedRole"] is False, got

    updated = call(source, request(UpdateRoleRequest.UpdateRoleRequest, RoleName=role,
                                   NewDescription="updated", NewMaxSessionDuration=3600))["Role"]
    assert updated["Description"] == "updated", updated
    assert updated["MaxSessionDuration"] == 3600, updated

    seen, marker, pages = [], None, 0
    while True:
        params = {"MaxItems": 2}
        if marker:
            params["Marker"] = marker
        page = call(source, request(ListRolesRequest.ListRolesRequest, **params))
        pages += 1
        items = page["Roles"]["Role"]
        assert len(items) <= 2, page
        for item in items:
            assert "AssumeRolePolicyDocument" not in item, item
            seen.append(item["RoleName"])
        if not page["IsTruncated"]:
            break
        marker = page["Marker"]
        assert marker, page
    assert pages >= 2, pages
    assert {role, *others} <= set(seen), seen
    tagged = [r for r in seen if r == role]
    assert len(tagged) == 1, seen

    for policy in ["AliyunDTSRolePolicy", "AliyunRAMReadOnlyAccess"]:
        call(source, request(AttachPolicyToRoleRequest.AttachPolicyToRoleRequest,
                             PolicyType="System", PolicyName=policy, RoleName=role))
    expect_error("EntityAlreadyExists.Role.Policy", lambda: call(source, request(
        AttachPolicyToRoleRequest.AttachPolicyToRoleRequest, PolicyType="System",
        PolicyName="AliyunDTSRolePolicy", RoleName=role)))
    expect_error("EntityNotExist.Policy", lambda: call(source, request(
        AttachPolicyToRoleRequest.AttachPolicyToRoleRequest, PolicyType="System",
        PolicyName="NoSuchPolicy", RoleName=role)))
    policies = call(source, request(ListPoliciesForRoleRequest.ListPoliciesForRoleRequest,
                                    RoleName=role))["Policies"]["Policy"]
    assert sorted(p["PolicyName"] for p in policies) == ["AliyunDTSRolePolicy", "AliyunRAMReadOnlyAccess"], policies
    assert all(p["PolicyType"] == "System" and DATE.match(p["AttachDate"]) for p in policies), policies
    got = call(source, request(GetPolicyRequest.GetPolicyRequest, PolicyType="System",
                               PolicyName="AliyunDTSRolePolicy"))
    assert got["Policy"]["PolicyName"] == "AliyunDTSRolePolicy" and got["Policy"]["AttachmentCount"] == 1, got
    assert DATE.match(got["Policy"]["CreateDate"]) and got["DefaultPolicyVersion"]["IsDefaultVersion"], got
    expect_error("EntityNotExist.Policy", lambda: call(source, request(
        GetPolicyRequest.GetPolicyRequest, PolicyType="System", PolicyName="NoSuchPolicy")))
    expect_error("DeleteConflict.Role.Policy",
                 lambda: call(source, request(DeleteRoleRequest.DeleteRoleRequest, RoleName=role)))

    call(source, request(TagResourcesRequest.TagResourcesRequest, ResourceType="role",
                         ResourceNames=[role], Tag=[{"Key": "owner", "Value": "me"}]))
    tags = call(source, request(ListTagResourcesRequest.ListTagResourcesRequest, ResourceType="role",
                                ResourceNames=[role]))["TagResources"]
    assert {(t["TagKey"], t["TagValue"]) for t in tags} == {("env", "test"), ("team", "data"), ("owner", "me")}, tags
    assert all(t["ResourceName"] == role and t["ResourceType"] == "role" for t in tags), tags
    call(source, request(UntagResourcesRequest.UntagResourcesRequest, ResourceType="role",
                         ResourceNames=[role], TagKeys=["team"]))
    tags = call(source, request(ListTagResourcesRequest.ListTagResourcesRequest, ResourceType="role",
                                ResourceNames=[role]))["TagResources"]
    assert {t["TagKey"] for t in tags} == {"env", "owner"}, tags

    arn = f"acs:ram::{SOURCE['account_id']}:role/{role}"
    # Root keys may not assume roles, as on the real STS; the task account's RAM user may.
    error = expect_error("NoPermission", lambda: call(task, request(
        AssumeRoleRequest.AssumeRoleRequest, RoleArn=arn, RoleSessionName="root")))
    assert "Roles may not be assumed by root accounts." in str(error), error
    assumed = call(task_user, request(AssumeRoleRequest.AssumeRoleRequest, RoleArn=arn,
                                 RoleSessionName="classic-session", DurationSeconds=900))
    credentials = assumed["Credentials"]
    assert credentials["AccessKeyId"].startswith("STS."), assumed
    assert DATE.match(credentials["Expiration"]), assumed
    assert assumed["AssumedRoleUser"]["AssumedRoleId"].endswith(":classic-session"), assumed
    session = AcsClient(region_id="cn-hangzhou", auto_retry=False, credential=StsTokenCredential(
        credentials["AccessKeyId"], credentials["AccessKeySecret"], credentials["SecurityToken"]))
    who = call(session, GetCallerIdentityRequest.GetCallerIdentityRequest())
    assert who["IdentityType"] == "AssumedRoleUser", who
    assert who["AccountId"] == SOURCE["account_id"], who
    assert who["Arn"] == f"acs:ram::{SOURCE['account_id']}:assumed-role/{role}/classic-session", who
    assert who["RoleId"] == created["RoleId"], who
    # The session acts in the role's account, with the role's policies (AliyunRAMReadOnlyAccess allows GetRole).
    assert call(session, request(GetRoleRequest.GetRoleRequest, RoleName=role))["Role"]["RoleName"] == role

    expect_error("NoPermission", lambda: call(client_for(user_of(DESTINATION)), request(
        AssumeRoleRequest.AssumeRoleRequest, RoleArn=arn, RoleSessionName="intruder")))
    expect_error("InvalidParameter.DurationSeconds", lambda: call(task_user, request(
        AssumeRoleRequest.AssumeRoleRequest, RoleArn=arn, RoleSessionName="too-long", DurationSeconds=7200)))

    for policy in ["AliyunDTSRolePolicy", "AliyunRAMReadOnlyAccess"]:
        call(source, request(DetachPolicyFromRoleRequest.DetachPolicyFromRoleRequest,
                             PolicyType="System", PolicyName=policy, RoleName=role))
    expect_error("EntityNotExist.Role.Policy", lambda: call(source, request(
        DetachPolicyFromRoleRequest.DetachPolicyFromRoleRequest, PolicyType="System",
        PolicyName="AliyunRAMReadOnlyAccess", RoleName=role)))
    assert call(source, request(ListPoliciesForRoleRequest.ListPoliciesForRoleRequest,
                                RoleName=role))["Policies"]["Policy"] == []
    for name in [role, *others]:
        assert set(call(source, request(DeleteRoleRequest.DeleteRoleRequest, RoleName=name))) == {"RequestId"}
    expect_error("EntityNotExist.Role",
                 lambda: call(source, request(GetRoleRequest.GetRoleRequest, RoleName=role)))

    # The emulator echoes its string to sign, so the classic SDK recognises a wrong secret as such,
    # exactly as it does against the real service.
    error = expect_error("InvalidAccessKeySecret", lambda: call(
        client_for(SOURCE, secret="wrong-secret"), GetCallerIdentityRequest.GetCallerIdentityRequest()))
    assert isinstance(error, ServerException) and error.get_http_status() == 400, error

    users_and_policies(source)
    print("OK classic")


def users_and_policies(source):
    """RAM users, their access keys and custom policies through the classic SDK."""
    user = f"{PREFIX}-user"
    created = call(source, request(CreateUserRequest.CreateUserRequest, UserName=user))["User"]
    assert created["UserName"] == user and created["UserId"].isdigit(), created
    assert call(source, request(GetUserRequest.GetUserRequest, UserName=user))["User"]["UserId"] == created["UserId"]
    expect_error("EntityAlreadyExists.User", lambda: call(source, request(
        CreateUserRequest.CreateUserRequest, UserName=user)))
    users = call(source, request(ListUsersRequest.ListUsersRequest))["Users"]["User"]
    assert user in [u["UserName"] for u in users], users

    key = call(source, request(CreateAccessKeyRequest.CreateAccessKeyRequest, UserName=user))["AccessKey"]
    call(source, request(CreateAccessKeyRequest.CreateAccessKeyRequest, UserName=user))
    expect_error("LimitExceeded.User.AccessKey", lambda: call(source, request(
        CreateAccessKeyRequest.CreateAccessKeyRequest, UserName=user)))
    keys = call(source, request(ListAccessKeysRequest.ListAccessKeysRequest, UserName=user))
    assert len(keys["AccessKeys"]["AccessKey"]) == 2, keys
    who = call(AcsClient(key["AccessKeyId"], key["AccessKeySecret"], "cn-hangzhou", auto_retry=False),
               GetCallerIdentityRequest.GetCallerIdentityRequest())
    assert who["IdentityType"] == "RAMUser", who
    assert who["Arn"] == f"acs:ram::{SOURCE['account_id']}:user/{user}", who

    policy = f"{PREFIX}-policy"
    document = '{"Version":"1","Statement":[{"Effect":"Deny","Action":"ram:DeleteRole","Resource":"*"}]}'
    call(source, request(CreatePolicyRequest.CreatePolicyRequest, PolicyName=policy, PolicyDocument=document))
    got = call(source, request(GetPolicyRequest.GetPolicyRequest, PolicyType="Custom", PolicyName=policy))
    assert got["DefaultPolicyVersion"]["PolicyDocument"] == document, got
    listed = call(source, request(ListPoliciesRequest.ListPoliciesRequest, PolicyType="Custom"))
    assert policy in [p["PolicyName"] for p in listed["Policies"]["Policy"]], listed
    call(source, request(AttachPolicyToUserRequest.AttachPolicyToUserRequest, PolicyType="Custom",
                         PolicyName=policy, UserName=user))
    attached = call(source, request(ListPoliciesForUserRequest.ListPoliciesForUserRequest, UserName=user))
    assert [p["PolicyName"] for p in attached["Policies"]["Policy"]] == [policy], attached
    expect_error("DeleteConflict.Policy.User", lambda: call(source, request(
        DeletePolicyRequest.DeletePolicyRequest, PolicyName=policy)))
    call(source, request(DetachPolicyFromUserRequest.DetachPolicyFromUserRequest, PolicyType="Custom",
                         PolicyName=policy, UserName=user))
    call(source, request(DeletePolicyRequest.DeletePolicyRequest, PolicyName=policy))
    for listed_key in keys["AccessKeys"]["AccessKey"]:
        call(source, request(DeleteAccessKeyRequest.DeleteAccessKeyRequest, UserName=user,
                             UserAccessKeyId=listed_key["AccessKeyId"]))
    call(source, request(DeleteUserRequest.DeleteUserRequest, UserName=user))
    expect_error("EntityNotExist.User", lambda: call(source, request(GetUserRequest.GetUserRequest, UserName=user)))


if __name__ == "__main__":
    main()
    sys.exit(0)
