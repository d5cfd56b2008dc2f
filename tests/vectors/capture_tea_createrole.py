#!/usr/bin/env python3
"""Recipe for the `tea-sdk-createrole` vector in signature_v1.json (reference §1.3 V6, §2).

Sends one CreateRole with the official tea SDK (alibabacloud_ram20150501 on alibabacloud_tea_openapi,
signature_algorithm='v2', i.e. RPC signature v1 / HMAC-SHA1) to a capture server on 127.0.0.1, with the nonce and
timestamp pinned, and prints the vector as JSON: every signed parameter as the server decoded it and the signature
the SDK put on the wire. Nothing here computes a signature itself; the SDK is the oracle.

    python3 -m venv venv && venv/bin/pip install alibabacloud_ram20150501 alibabacloud_tea_openapi
    venv/bin/python tests/vectors/capture_tea_createrole.py
"""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as RamClient
from alibabacloud_tea_openapi import utils_models as openapi_models
from alibabacloud_tea_openapi.utils import Utils
from darabonba.runtime import RuntimeOptions

NONCE = "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
TIMESTAMP = "2016-02-23T12:46:24Z"
TRUSTED_UID = "1234567890123456"
TRUST_POLICY = json.dumps(
    {
        "Statement": [
            {
                "Action": "sts:AssumeRole",
                "Effect": "Allow",
                "Principal": {
                    "RAM": [f"acs:ram::{TRUSTED_UID}:root"],
                    "Service": [f"{TRUSTED_UID}@dts.aliyuncs.com"],
                },
            }
        ],
        "Version": "1",
    },
    separators=(",", ":"),
)

# Pin what tea would otherwise make fresh on every attempt (reference §2).
Utils.get_nonce = staticmethod(lambda: NONCE)
Utils.get_timestamp = staticmethod(lambda: TIMESTAMP)

captured = {}


class Capture(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server naming)
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length).decode()
        path, _, query = self.path.partition("?")
        captured["request_line"] = f"POST {self.path}"
        captured["body"] = body
        params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        params.update(urllib.parse.parse_qsl(body, keep_blank_values=True))
        captured["params"] = params
        reply = json.dumps({"RequestId": "capture", "Role": {"RoleName": "ram-for-dts"}}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


def main():
    server = HTTPServer(("127.0.0.1", 0), Capture)
    threading.Thread(target=server.handle_request, daemon=True).start()
    config = openapi_models.Config(
        access_key_id="testid",
        access_key_secret="testsecret",
        endpoint=f"127.0.0.1:{server.server_port}",
        protocol="http",
        signature_algorithm="v2",
    )
    request = ram_models.CreateRoleRequest(
        role_name="ram-for-dts",
        assume_role_policy_document=TRUST_POLICY,
        description="DTS cross account * ~ test",
        tag=[ram_models.CreateRoleRequestTag(key="owner", value="data-platform")],
    )
    RamClient(config).create_role_with_options(request, RuntimeOptions())
    params = captured["params"]
    signature = params.pop("Signature")
    vector = {
        "name": "tea-sdk-createrole",
        "source": "alibabacloud_ram20150501 CreateRole, signature_algorithm=v2, captured by "
        "tests/vectors/capture_tea_createrole.py, reference §1.3 V6",
        "method": "POST",
        "secret": "testsecret",
        "params": dict(sorted(params.items())),
        "signature": signature,
    }
    print(json.dumps(vector, indent=2, ensure_ascii=False))
    print("wire:", captured["request_line"], "body:", captured["body"], file=__import__("sys").stderr)


if __name__ == "__main__":
    main()
