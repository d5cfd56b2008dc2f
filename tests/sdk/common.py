"""Shared setup for the SDK conformance scripts: the emulator's start line, the demo accounts, the expected
trust policy, and small assertion helpers. The Rust test `tests/acceptance/emulator_sdk.rs` runs every script with
EMULATOR_STARTUP set to the JSON line the emulator printed."""

import json
import os
import re

STARTUP = json.loads(os.environ["EMULATOR_STARTUP"])
ENDPOINT = STARTUP["endpoint"]
HOST = ENDPOINT.removeprefix("http://")
ACCOUNTS = {a["name"]: a for a in STARTUP["accounts"]}
SOURCE = ACCOUNTS["source"]
DESTINATION = ACCOUNTS["destination"]
TASK = ACCOUNTS["task"]



def user_of(account, name="admin"):
    """A RAM user the account declares (each demo account has `admin`, with AdministratorAccess): its keys, in
    the same fields as an account's, sign as the user. Roles are assumed as a user: STS refuses root keys."""
    return next(u for u in account.get("users", []) if u["name"] == name)


DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
DESCRIPTION = "DTS cross account *~ test"


def dts_trust_policy(trusted_uid):
    """The DTS trust policy for a task account, as a user would write it (compact, keys in any order)."""
    return json.dumps(
        {
            "Version": "1",
            "Statement": [
                {
                    "Principal": {
                        "Service": [f"{trusted_uid}@dts.aliyuncs.com"],
                        "RAM": [f"acs:ram::{trusted_uid}:root"],
                    },
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                }
            ],
        },
        separators=(",", ":"),
    )


def check_stored_trust_policy(document, trusted_uid):
    """RAM returns the document re-serialised (pretty, sorted keys) with the same meaning."""
    parsed = json.loads(document)
    statement = parsed["Statement"][0]
    assert parsed["Version"] == "1", parsed
    assert statement["Principal"]["RAM"] == [f"acs:ram::{trusted_uid}:root"], statement
    assert statement["Principal"]["Service"] == [f"{trusted_uid}@dts.aliyuncs.com"], statement
    assert "\n" in document, "RAM's stored form is pretty-printed"
    assert document.index('"Statement"') < document.index('"Version"'), document


def check_role(role, owner_uid, name):
    """Fields every role body shares (CreateRole, GetRole, UpdateRole, ListRoles items)."""
    assert role["RoleName"] == name, role
    assert role["Arn"] == f"acs:ram::{owner_uid}:role/{name}", role
    assert role["RoleId"].isdigit(), role
    assert DATE.match(role["CreateDate"]), role


def expect_error(code, call):
    """Runs `call` and returns the SDK exception, asserting its error code is `code`."""
    try:
        call()
    except Exception as error:  # both SDKs' exception types carry the code
        found = getattr(error, "error_code", None) or getattr(error, "code", None)
        if callable(found):
            found = found()
        assert found == code, f"expected {code}, got {found}: {error}"
        return error
    raise AssertionError(f"expected error {code}, the call succeeded")


def body(response):
    """The tea SDK model of a response body, checked to round-trip through the SDK's own map form."""
    model = response.body
    as_map = model.to_map()
    again = type(model)().from_map(as_map)
    assert again.to_map() == as_map, (as_map, again.to_map())
    assert as_map["RequestId"], as_map
    return model
