"""OIDC federation against the emulator with the official tea SDKs: IMS (alibabacloud_ims20190815) registers the
emulator's test issuer as an OIDC provider, RAM (alibabacloud_ram20150501) creates a role trusting it for one
subject, and STS (alibabacloud_sts20150401) exchanges ID tokens with AssumeRoleWithOIDC, which the SDK sends
unsigned (auth_type Anonymous). The Rust test mints the tokens with the test issuer and passes them in
OIDC_TOKEN (the trusted subject) and OIDC_TOKEN_OTHER_SUBJECT, with the issuer URL in OIDC_ISSUER. Signed calls
keep the SDKs' default signature (V3)."""

import json
import os
import sys

from alibabacloud_ims20190815 import models as ims_models
from alibabacloud_ims20190815.client import Client as ImsClient
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as RamClient
from alibabacloud_sts20150401 import models as sts_models
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi import models as open_api_models

from common import DATE, HOST, SOURCE, body, expect_error

ISSUER = os.environ["OIDC_ISSUER"]
TOKEN = os.environ["OIDC_TOKEN"]
OTHER_SUBJECT_TOKEN = os.environ["OIDC_TOKEN_OTHER_SUBJECT"]
SUBJECT = "repo:org/app:ref:refs/heads/main"
CLIENT_ID = "sts.aliyuncs.com"


def config(access_key_id=None, access_key_secret=None, security_token=None):
    return open_api_models.Config(
        access_key_id=access_key_id,
        access_key_secret=access_key_secret,
        security_token=security_token,
        endpoint=HOST,
        protocol="http",
    )


def main():
    root = config(SOURCE["access_key_id"], SOURCE["access_key_secret"])
    ims, ram = ImsClient(root), RamClient(root)
    uid = SOURCE["account_id"]

    provider = body(ims.create_oidcprovider(ims_models.CreateOIDCProviderRequest(
        oidcprovider_name="sdk-issuer",
        issuer_url=ISSUER,
        client_ids=f"{CLIENT_ID},other",
        issuance_limit_time=6,
        description="the emulator's test issuer",
    ))).oidcprovider
    assert provider.arn == f"acs:ram::{uid}:oidc-provider/sdk-issuer", provider.to_map()
    assert provider.client_ids == f"{CLIENT_ID},other", provider.to_map()
    assert provider.issuance_limit_time == 6, provider.to_map()
    assert DATE.match(provider.create_date), provider.to_map()
    got = body(ims.get_oidcprovider(ims_models.GetOIDCProviderRequest(oidcprovider_name="sdk-issuer")))
    assert got.oidcprovider.issuer_url == ISSUER, got.to_map()
    listed = body(ims.list_oidcproviders(ims_models.ListOIDCProvidersRequest()))
    assert listed.is_truncated is False, listed.to_map()
    assert [p.oidcprovider_name for p in listed.oidcproviders.oidcprovider] == ["sdk-issuer"], listed.to_map()
    expect_error("InvalidParameter.IssuerUrl.Format", lambda: ims.create_oidcprovider(
        ims_models.CreateOIDCProviderRequest(oidcprovider_name="plain", issuer_url="http://issuer.example.com")))

    trust = json.dumps({
        "Version": "1",
        "Statement": [{
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Federated": [provider.arn]},
            "Condition": {"StringEquals": {"oidc:aud": CLIENT_ID, "oidc:iss": ISSUER, "oidc:sub": SUBJECT}},
        }],
    })
    role = body(ram.create_role(ram_models.CreateRoleRequest(
        role_name="sdk-oidc", assume_role_policy_document=trust))).role
    body(ram.attach_policy_to_role(ram_models.AttachPolicyToRoleRequest(
        policy_type="System", policy_name="AliyunRAMReadOnlyAccess", role_name="sdk-oidc")))

    anonymous = StsClient(config())
    request = sts_models.AssumeRoleWithOIDCRequest(
        oidcprovider_arn=provider.arn,
        role_arn=role.arn,
        oidctoken=TOKEN,
        role_session_name="sdk-session",
        duration_seconds=900,
    )
    assumed = body(anonymous.assume_role_with_oidc(request))
    assert assumed.assumed_role_user.arn == f"acs:ram::{uid}:role/sdk-oidc/sdk-session", assumed.to_map()
    info = assumed.oidctoken_info
    assert info.subject == SUBJECT and info.issuer == ISSUER, info.to_map()
    assert info.client_ids == CLIENT_ID and info.verification_info == "Success", info.to_map()
    assert DATE.match(info.expiration_time) and DATE.match(assumed.credentials.expiration), assumed.to_map()

    credentials = assumed.credentials
    session = config(credentials.access_key_id, credentials.access_key_secret, credentials.security_token)
    me = body(StsClient(session).get_caller_identity())
    assert me.identity_type == "AssumedRoleUser", me.to_map()
    assert me.arn == f"acs:ram::{uid}:assumed-role/sdk-oidc/sdk-session", me.to_map()
    body(RamClient(session).get_role(ram_models.GetRoleRequest(role_name="sdk-oidc")))

    request.oidctoken = OTHER_SUBJECT_TOKEN
    error = expect_error("AuthenticationFail.NoPermission", lambda: anonymous.assume_role_with_oidc(request))
    assert "oidc:sub" in str(error), error
    request.oidctoken = TOKEN
    request.oidcprovider_arn = f"acs:ram::{uid}:oidc-provider/nobody"
    expect_error("AuthenticationFail.NoPermission", lambda: anonymous.assume_role_with_oidc(request))

    body(ims.delete_oidcprovider(ims_models.DeleteOIDCProviderRequest(oidcprovider_name="sdk-issuer")))
    expect_error("EntityNotExist.OIDCProvider", lambda: ims.get_oidcprovider(
        ims_models.GetOIDCProviderRequest(oidcprovider_name="sdk-issuer")))
    print("OK oidc")


if __name__ == "__main__":
    sys.exit(main())
