//! The emulator as acceptance tests use it: the real `aliram-emulator` binary on a loopback port, its accounts,
//! and its admin API (stats, faults, service-assume) for out-of-band checks and changes.

use super::emulator_process::EmulatorProcess;
use super::oidc_federation::{oidc_issuer, oidc_trust_policy};
use super::signed_form::{Keys, signed_form};
use serde_json::Value as Json;
use terraform_provider_aliram::emulator::accounts::{Account, DEMO_USER, DeclaredUser};
use terraform_provider_aliram::provider::alicloud::AliCloudClient;
use terraform_provider_aliram::provider::alicloud::ram::CreateRoleRequest;
use terraform_provider_aliram::provider::alicloud::sts::{AssumeRoleRequest, StsCredentials};

/// A running emulator, stopped on drop.
#[derive(Debug)]
pub struct Emulator {
    _process: EmulatorProcess,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// Its accounts.
    pub accounts: Vec<Account>,
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
}

impl Emulator {
    /// Starts the emulator with extra command-line flags.
    pub fn start(args: &[&str]) -> Emulator {
        let process = EmulatorProcess::spawn(args);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        Emulator {
            endpoint: process.endpoint().to_owned(),
            accounts: process.start.accounts.clone(),
            _process: process,
            runtime,
            http: reqwest::Client::new(),
        }
    }

    /// Starts the emulator with a Resource Directory: account `management` manages it and each of `members` is a
    /// member (holding `ResourceDirectoryAccountAccessRole`), each with root keys; the management account also has
    /// the RAM user [`DEMO_USER`] (see [`Emulator::user`]) holding the custom policy `management_policy` alone,
    /// the identity that assumes the members' access roles (root keys may not). `extra` flags follow.
    pub fn start_directory(
        management: &str,
        members: &[&str],
        management_policy: &Json,
        extra: &[&str],
    ) -> Emulator {
        let accounts: Vec<Json> = std::iter::once((management, "management"))
            .chain(members.iter().map(|m| (*m, "member")))
            .enumerate()
            .map(|(i, (name, place))| {
                let mut account = serde_json::json!({
                    "name": name,
                    "account_id": format!("{:04}000000000{:03}", 5100 + i, i),
                    "access_key_id": format!("LTAIEmuDirectory{i:07}"),
                    "access_key_secret": format!("EmuDirectorySecret{i:012}"),
                    "resource_directory": place,
                });
                if place == "management" {
                    account["policies"] = serde_json::json!([
                        {"name": "OrganizationTerraform", "document": management_policy}
                    ]);
                    account["users"] = serde_json::json!([{
                        "name": DEMO_USER,
                        "access_key_id": "LTAIEmuDirectoryAdmin00",
                        "access_key_secret": "EmuDirectoryAdminSecret0000001",
                        "custom_policies": ["OrganizationTerraform"],
                    }]);
                }
                account
            })
            .collect();
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("accounts.json");
        std::fs::write(&path, Json::Array(accounts).to_string()).expect("writing accounts");
        // The emulator reads the file on start; it may go with the directory afterwards.
        let mut args = vec!["--accounts", path.to_str().expect("UTF-8 path")];
        args.extend_from_slice(extra);
        Emulator::start(&args)
    }

    /// The account named `name`.
    pub fn account(&self, name: &str) -> &Account {
        self.accounts
            .iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("no emulator account {name}"))
    }

    /// The RAM user [`DEMO_USER`] of account `account` (each demo account has one, with `AdministratorAccess`):
    /// the identity that assumes roles, which root keys may not.
    pub fn user(&self, account: &str) -> &DeclaredUser {
        self.account(account)
            .users
            .iter()
            .find(|u| u.name == DEMO_USER)
            .unwrap_or_else(|| panic!("account {account} has no user {DEMO_USER}"))
    }

    /// `GET /_emulator/<path>` as JSON.
    pub fn admin_get(&self, path: &str) -> Json {
        let url = format!("{}/_emulator/{path}", self.endpoint);
        self.runtime.block_on(async {
            self.http
                .get(&url)
                .send()
                .await
                .expect("admin GET")
                .json()
                .await
                .expect("admin JSON")
        })
    }

    /// `POST /_emulator/<path>` with a JSON body, as JSON.
    pub fn admin_post(&self, path: &str, body: &Json) -> Json {
        let url = format!("{}/_emulator/{path}", self.endpoint);
        self.runtime.block_on(async {
            self.http
                .post(&url)
                .json(body)
                .send()
                .await
                .expect("admin POST")
                .json()
                .await
                .expect("admin JSON")
        })
    }

    /// The number of write calls the emulator has served.
    pub fn writes(&self) -> u64 {
        self.admin_get("stats")["writes"]
            .as_u64()
            .expect("stats.writes")
    }

    /// Whether `service` acting for `acting_for` may assume `role_arn`, judged from the stored trust policy.
    pub fn service_may_assume(&self, service: &str, acting_for: &str, role_arn: &str) -> bool {
        let answer = self.admin_post(
            "service-assume",
            &serde_json::json!({ "service": service, "acting_for": acting_for, "role_arn": role_arn }),
        );
        answer["allowed"]
            .as_bool()
            .unwrap_or_else(|| panic!("service-assume answer {answer}"))
    }

    /// A provider block for `alias` (or the default provider when `None`) using `account`'s keys.
    pub fn provider_block(&self, alias: Option<&str>, account: &str) -> String {
        let a = self.account(account);
        self.keys_provider_block(alias, &a.access_key_id, &a.access_key_secret)
    }

    /// A provider block for `alias` (or the default provider when `None`) using the keys of `account`'s RAM user
    /// [`DEMO_USER`]: the identity that assumes roles, which root keys may not.
    pub fn user_provider_block(&self, alias: Option<&str>, account: &str) -> String {
        let user = self.user(account);
        self.keys_provider_block(alias, &user.access_key_id, &user.access_key_secret)
    }

    fn keys_provider_block(
        &self,
        alias: Option<&str>,
        access_key_id: &str,
        access_key_secret: &str,
    ) -> String {
        let alias_line = alias
            .map(|n| format!("  alias = \"{n}\"\n"))
            .unwrap_or_default();
        format!(
            "provider \"aliram\" {{\n{alias_line}  access_key = \"{access_key_id}\"\n  secret_key = \"{access_key_secret}\"\n{}}}\n",
            self.endpoints_block()
        )
    }

    /// The `endpoints { ram, sts, resourcemanager }` block pointing at this emulator, for provider blocks written
    /// by hand.
    pub fn endpoints_block(&self) -> String {
        format!(
            "  endpoints {{\n    ram = \"{ep}\"\n    sts = \"{ep}\"\n    resourcemanager = \"{ep}\"\n  }}\n",
            ep = self.endpoint
        )
    }

    /// One per-action counter of the stats (`requests`, `errors`, ...) for `action`; 0 when the emulator has not
    /// seen the action.
    pub fn action_stat(&self, action: &str, counter: &str) -> u64 {
        self.stats()["actions"][action][counter]
            .as_u64()
            .unwrap_or(0)
    }

    /// `GET /_emulator/stats`.
    pub fn stats(&self) -> Json {
        self.admin_get("stats")
    }

    /// The number of API requests answered with an error (injected faults included).
    pub fn errors(&self) -> u64 {
        self.stats()["errors"].as_u64().expect("stats.errors")
    }

    /// How many faults of `kind` (`throttle`, `unavailable`, `internal_error`, `drop`) were injected.
    pub fn faults_served(&self, kind: &str) -> u64 {
        self.stats()["faults"][kind].as_u64().unwrap_or(0)
    }

    /// Changes fault knobs (`POST /_emulator/faults`), e.g. `{"throttle_rate": 0.5}`; returns them all.
    pub fn set_faults(&self, knobs: &Json) -> Json {
        let answer = self.admin_post("faults", knobs);
        assert!(
            answer.get("error").is_none(),
            "fault knobs {knobs} refused: {answer}"
        );
        answer
    }

    /// An API client signed with `account`'s keys, for out-of-band reads and changes (what a user would do in
    /// the console); run its calls with [`Emulator::block_on`].
    pub fn api(&self, account: &str) -> AliCloudClient {
        super::emulator_process::client(&self.endpoint, self.account(account))
    }

    /// An API client signed with the keys `access_key_id` and `access_key_secret` (a RAM user's).
    pub fn api_with_keys(&self, access_key_id: &str, access_key_secret: &str) -> AliCloudClient {
        super::emulator_process::client_with_keys(&self.endpoint, access_key_id, access_key_secret)
    }

    /// Runs `future` (an API call) to completion.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// The names of `account`'s roles.
    pub fn role_names(&self, account: &str) -> Vec<String> {
        let api = self.api(account);
        let roles = self.block_on(api.list_roles()).expect("ListRoles");
        roles.into_iter().map(|r| r.role_name).collect()
    }

    /// The names of the policies attached to `account`'s role `role`, sorted.
    pub fn attached_policies(&self, account: &str, role: &str) -> Vec<String> {
        let api = self.api(account);
        let mut names: Vec<String> = self
            .block_on(api.list_policies_for_role(role))
            .unwrap_or_else(|e| panic!("ListPoliciesForRole {role}: {e}"))
            .policies
            .policy
            .into_iter()
            .map(|p| p.policy_name)
            .collect();
        names.sort();
        names
    }

    /// Writes an aliyun CLI configuration with one AK profile per account, named after it, into `dir`, and returns
    /// its path (the examples select accounts by profile); each account of `users` signs with that RAM user's keys.
    pub fn write_profiles_as(
        &self,
        dir: &std::path::Path,
        users: &[(&str, &DeclaredUser)],
    ) -> std::path::PathBuf {
        let profiles: Vec<Json> = self
            .accounts
            .iter()
            .map(|a| {
                let (id, secret) = users
                    .iter()
                    .find(|(account, _)| *account == a.name)
                    .map_or((&a.access_key_id, &a.access_key_secret), |(_, u)| {
                        (&u.access_key_id, &u.access_key_secret)
                    });
                serde_json::json!({
                    "name": a.name, "mode": "AK", "access_key_id": id,
                    "access_key_secret": secret, "region_id": "cn-hangzhou"
                })
            })
            .collect();
        let path = dir.join("aliyun-config.json");
        super::cli_config::write_cli_config(&path, "source", Json::Array(profiles));
        path
    }

    /// Points `work`'s profiles at `users` (see [`Emulator::write_profiles_as`]): the next commands run as them.
    pub fn act_as(&self, work: &mut super::Workdir, users: &[(&str, &DeclaredUser)]) {
        let profiles = self.write_profiles_as(work.path(), users);
        work.set_env(
            "ALICLOUD_SHARED_CREDENTIALS_FILE",
            &profiles.display().to_string(),
        );
    }

    /// A working directory for `example` that reaches this emulator: profiles per account and the endpoint.
    pub fn example_workdir(&self, terraform: &super::Terraform, example: &str) -> super::Workdir {
        let mut work = super::Workdir::from_example(terraform, example);
        // As `scripts/demo` does: each account's profile signs as its RAM user, the identity teams run Terraform
        // as (and the only kind STS lets assume a role, which the action examples do).
        let users: Vec<(&str, &DeclaredUser)> = self
            .accounts
            .iter()
            .filter(|a| a.users.iter().any(|u| u.name == DEMO_USER))
            .map(|a| (a.name.as_str(), self.user(&a.name)))
            .collect();
        let profiles = self.write_profiles_as(work.path(), &users);
        work.set_env(
            "ALICLOUD_SHARED_CREDENTIALS_FILE",
            &profiles.display().to_string(),
        );
        work.set_env("TF_VAR_endpoint", &self.endpoint);
        work
    }

    /// Creates role `name` in `owner`'s account with a trust policy admitting the account `trusted` (a RAM
    /// principal `acs:ram::<uid>:root`); returns the role's ARN.
    pub fn create_role_trusting(&self, owner: &str, name: &str, trusted: &str) -> String {
        let trust_policy = serde_json::json!({
            "Version": "1",
            "Statement": [{
                "Action": "sts:AssumeRole",
                "Effect": "Allow",
                "Principal": { "RAM": [format!("acs:ram::{}:root", self.account(trusted).account_id)] }
            }]
        });
        self.create_role_with_trust(owner, name, &trust_policy)
    }

    /// Creates role `name` in `owner` (as its root) trusting the ID tokens of OIDC provider `provider_arn` (from
    /// [`Emulator::create_oidc_provider`]) issued by the test issuer for audience `audience` and subject `subject`;
    /// returns its ARN.
    pub fn create_role_trusting_oidc(
        &self,
        owner: &str,
        name: &str,
        provider_arn: &str,
        audience: &str,
        subject: &str,
    ) -> String {
        let trust_policy = oidc_trust_policy(provider_arn, &self.oidc_issuer(), audience, subject);
        self.create_role_with_trust(owner, name, &trust_policy)
    }

    /// Creates role `name` in `owner` (as its root) with `trust_policy`; returns its ARN.
    pub fn create_role_with_trust(&self, owner: &str, name: &str, trust_policy: &Json) -> String {
        let request = CreateRoleRequest {
            role_name: name.to_owned(),
            assume_role_policy_document: trust_policy.to_string(),
            ..CreateRoleRequest::default()
        };
        let client = self.api(owner);
        let created = self.runtime.block_on(client.create_role(&request));
        created
            .unwrap_or_else(|e| panic!("CreateRole {name} in {owner}: {e}"))
            .role
            .arn
    }

    /// The issuer URL of the emulator's test OIDC issuer (`http://127.0.0.1:<port>/_emulator/oidc`), to register
    /// with `CreateOIDCProvider`.
    pub fn oidc_issuer(&self) -> String {
        oidc_issuer(&self.endpoint)
    }

    /// An ID token minted by the emulator's test issuer (`POST /_emulator/oidc/token`): `request` gives `sub`,
    /// `aud` (a string or a list) and optionally `lifetime_seconds`, `expired`, `iss`, `kid`.
    pub fn oidc_token(&self, request: &Json) -> String {
        let answer = self.admin_post("oidc/token", request);
        answer["token"]
            .as_str()
            .unwrap_or_else(|| panic!("test issuer refused {request}: {answer}"))
            .to_owned()
    }

    /// Registers the emulator's test OIDC issuer in `account` as the OIDC provider `name` accepting `client_ids`
    /// (IMS `CreateOIDCProvider`, signed with the account's root keys); returns the provider's ARN.
    pub fn create_oidc_provider(&self, account: &str, name: &str, client_ids: &[&str]) -> String {
        let a = self.account(account);
        let issuer = self.oidc_issuer();
        let client_ids = client_ids.join(",");
        let keys = Keys {
            access_key_id: &a.access_key_id,
            access_key_secret: &a.access_key_secret,
            security_token: None,
        };
        let pairs = signed_form(
            &keys,
            "2019-08-15",
            "CreateOIDCProvider",
            &[
                ("OIDCProviderName", name),
                ("IssuerUrl", issuer.as_str()),
                ("ClientIds", client_ids.as_str()),
            ],
        );
        let answer = self.post_form(&pairs);
        answer["OIDCProvider"]["Arn"]
            .as_str()
            .unwrap_or_else(|| panic!("CreateOIDCProvider {name}: {answer}"))
            .to_owned()
    }

    /// STS `AssumeRoleWithOIDC`, unsigned as the SDKs send it: the answer's body, success or error.
    pub fn assume_role_with_oidc(&self, provider_arn: &str, role_arn: &str, token: &str) -> Json {
        let pairs: Vec<(String, String)> = [
            ("Action", "AssumeRoleWithOIDC"),
            ("Version", "2015-04-01"),
            ("Format", "JSON"),
            ("OIDCProviderArn", provider_arn),
            ("RoleArn", role_arn),
            ("OIDCToken", token),
            ("RoleSessionName", "acceptance"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        self.post_form(&pairs)
    }

    /// POSTs `pairs` as a form to the API endpoint; the JSON answer, whatever its status.
    fn post_form(&self, pairs: &[(String, String)]) -> Json {
        self.runtime.block_on(async {
            self.http
                .post(&self.endpoint)
                .form(pairs)
                .send()
                .await
                .expect("API request")
                .json()
                .await
                .expect("API JSON")
        })
    }

    /// `AssumeRole` of `role_arn` as `account`'s RAM user [`Emulator::user`] (STS refuses root keys): temporary
    /// STS credentials for the role.
    pub fn assume_role(&self, account: &str, role_arn: &str, session_name: &str) -> StsCredentials {
        let request = AssumeRoleRequest {
            role_arn: role_arn.to_owned(),
            role_session_name: session_name.to_owned(),
            ..AssumeRoleRequest::default()
        };
        let user = self.user(account);
        let client = self.api_with_keys(&user.access_key_id, &user.access_key_secret);
        let assumed = self.runtime.block_on(client.assume_role(&request));
        assumed
            .unwrap_or_else(|e| panic!("AssumeRole {role_arn} as {account}: {e}"))
            .credentials
    }
}
