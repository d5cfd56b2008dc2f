//! RAM (2015-05-01) calls for roles, their policy attachments and their tags, with request and response
//! models named and shaped as the API documents them (reference §3.2): JSON-string list parameters, lists
//! wrapped in an object (`Roles.Role`, `Policies.Policy`) except the flat `TagResources`.

use super::client::AliCloudClient;
use super::effect::Effect;
use super::error::ClientError;
use super::params::ActionParams;
use super::service::Service;
use serde::Deserialize;
use serde_json::{Value, json};
use std::fmt;

/// `MaxItems` used when collecting every role: the API's maximum, so a listing takes as few calls as possible.
pub const LIST_ROLES_MAX_ITEMS: u32 = 1000;

/// `ResourceType` of the tag calls: roles (policies can be tagged too, but this provider does not).
pub const ROLE_RESOURCE_TYPE: &str = "role";

/// A tag as sent in the `Tag` JSON parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// `Key`, up to 128 characters.
    pub key: String,
    /// `Value`, up to 256 characters.
    pub value: String,
}

impl Tag {
    /// A tag.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// The `Tag` parameter: `[{"Key":"k","Value":"v"}]`.
fn tags_json(tags: &[Tag]) -> Value {
    Value::Array(
        tags.iter()
            .map(|t| json!({"Key": t.key, "Value": t.value}))
            .collect(),
    )
}

/// A JSON array of strings, for `ResourceNames` and `TagKeys`.
fn strings_json(items: &[String]) -> Value {
    Value::Array(items.iter().cloned().map(Value::String).collect())
}

/// `PolicyType` of an attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyType {
    /// A policy defined by Alibaba Cloud, e.g. `AliyunDTSRolePolicy`.
    System,
    /// A policy defined in the account.
    Custom,
}

impl PolicyType {
    /// The value on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "System",
            Self::Custom => "Custom",
        }
    }
}

impl fmt::Display for PolicyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role as `GetRole`, `CreateRole` and `UpdateRole` return it; fields the action does not return are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Role {
    /// Numeric ID.
    pub role_id: String,
    /// The name, which is also the Terraform ID.
    pub role_name: String,
    /// `acs:ram::<uid>:role/<name>`.
    pub arn: String,
    /// The description.
    #[serde(default)]
    pub description: Option<String>,
    /// The trust policy as RAM stores it (reformatted JSON in a string).
    #[serde(default)]
    pub assume_role_policy_document: Option<String>,
    /// Maximum session duration in seconds.
    #[serde(default)]
    pub max_session_duration: Option<i64>,
    /// Creation time, `YYYY-MM-DDThh:mm:ssZ`.
    #[serde(default)]
    pub create_date: Option<String>,
    /// Last update time.
    #[serde(default)]
    pub update_date: Option<String>,
    /// Whether this is a service-linked role.
    #[serde(default)]
    pub is_service_linked_role: Option<bool>,
    /// The principal name used in sessions.
    #[serde(default)]
    pub role_principal_name: Option<String>,
    /// Whether console logon with this role is allowed.
    #[serde(default)]
    pub allow_console_login: Option<bool>,
    /// A deletion in progress (service-linked roles).
    #[serde(default)]
    pub latest_deletion_task: Option<DeletionTask>,
}

/// `Role.LatestDeletionTask`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeletionTask {
    /// The task ID.
    pub deletion_task_id: String,
    /// When it started.
    #[serde(default)]
    pub create_date: Option<String>,
}

/// The response of `GetRole`, `CreateRole` and `UpdateRole`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleResponse {
    /// The request ID.
    pub request_id: String,
    /// The role.
    pub role: Role,
}

/// A response that carries only its request ID.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Acknowledgement {
    /// The request ID.
    pub request_id: String,
}

/// `CreateRole` parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateRoleRequest {
    /// `RoleName`: 1–64 of `[A-Za-z0-9.-]`.
    pub role_name: String,
    /// `AssumeRolePolicyDocument`: the trust policy JSON.
    pub assume_role_policy_document: String,
    /// `Description`.
    pub description: Option<String>,
    /// `MaxSessionDuration`, 3600–43200.
    pub max_session_duration: Option<u32>,
    /// `AllowConsoleLogin`.
    pub allow_console_login: Option<bool>,
    /// `Tag`, sent as a JSON string when not empty.
    pub tags: Vec<Tag>,
}

/// `UpdateRole` parameters; only the fields that are `Some` are changed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdateRoleRequest {
    /// `RoleName` of the role to change (a role cannot be renamed).
    pub role_name: String,
    /// `NewAssumeRolePolicyDocument`.
    pub new_assume_role_policy_document: Option<String>,
    /// `NewDescription`.
    pub new_description: Option<String>,
    /// `NewMaxSessionDuration`.
    pub new_max_session_duration: Option<u32>,
    /// `NewAllowConsoleLogin`.
    pub new_allow_console_login: Option<bool>,
}

/// A role in a `ListRoles` page (no trust policy in listings).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleSummary {
    /// Numeric ID.
    pub role_id: String,
    /// The name.
    pub role_name: String,
    /// The ARN.
    pub arn: String,
    /// The description.
    #[serde(default)]
    pub description: Option<String>,
    /// Maximum session duration in seconds.
    #[serde(default)]
    pub max_session_duration: Option<i64>,
    /// Creation time.
    #[serde(default)]
    pub create_date: Option<String>,
    /// Last update time.
    #[serde(default)]
    pub update_date: Option<String>,
    /// Whether console logon is allowed.
    #[serde(default)]
    pub allow_console_login: Option<bool>,
    /// `Tags.Tag`.
    #[serde(default)]
    pub tags: RoleTags,
}

/// `Tags` of a listed role: `{"Tag":[{"TagKey":…,"TagValue":…}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleTags {
    /// The tags.
    #[serde(default)]
    pub tag: Vec<RoleTag>,
}

/// One tag of a listed role.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleTag {
    /// `TagKey`.
    pub tag_key: String,
    /// `TagValue`.
    #[serde(default)]
    pub tag_value: String,
}

/// One `ListRoles` page.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRolesPage {
    /// The request ID.
    pub request_id: String,
    /// Whether more pages follow.
    #[serde(default)]
    pub is_truncated: bool,
    /// The marker of the next page when truncated.
    #[serde(default)]
    pub marker: Option<String>,
    /// `Roles.Role`.
    pub roles: RoleList,
}

/// `Roles` of a `ListRoles` page.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleList {
    /// The roles.
    #[serde(default)]
    pub role: Vec<RoleSummary>,
}

/// A policy attached to a role, from `ListPoliciesForRole`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPolicy {
    /// The policy name.
    pub policy_name: String,
    /// `System` or `Custom`, as returned.
    pub policy_type: String,
    /// The description.
    #[serde(default)]
    pub description: Option<String>,
    /// The default version, e.g. `v1`.
    #[serde(default)]
    pub default_version: Option<String>,
    /// When it was attached.
    #[serde(default)]
    pub attach_date: Option<String>,
}

/// The `ListPoliciesForRole` response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListPoliciesForRoleResponse {
    /// The request ID.
    pub request_id: String,
    /// `Policies.Policy`.
    pub policies: PolicyList,
}

/// `Policies` of `ListPoliciesForRole`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyList {
    /// The attached policies.
    #[serde(default)]
    pub policy: Vec<AttachedPolicy>,
}

/// A policy as `GetPolicy` returns it (the fields the provider reads).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Policy {
    /// The policy name.
    pub policy_name: String,
    /// `System` or `Custom`, as returned.
    pub policy_type: String,
    /// The description.
    #[serde(default)]
    pub description: Option<String>,
    /// The default version, e.g. `v1`.
    #[serde(default)]
    pub default_version: Option<String>,
}

/// The `GetPolicy` response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetPolicyResponse {
    /// The request ID.
    pub request_id: String,
    /// The policy.
    pub policy: Policy,
}

/// One entry of `ListTagResources`: a (resource, tag) pair.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagResource {
    /// The resource name (the role name).
    pub resource_name: String,
    /// `role` or `policy`.
    pub resource_type: String,
    /// The tag key.
    pub tag_key: String,
    /// The tag value.
    #[serde(default)]
    pub tag_value: String,
}

/// One `ListTagResources` page; `TagResources` is a flat array.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagResourcesPage {
    /// The request ID.
    pub request_id: String,
    /// The token of the next page; absent or empty on the last one.
    #[serde(default)]
    pub next_token: Option<String>,
    /// The tags.
    #[serde(default)]
    pub tag_resources: Vec<TagResource>,
}

/// Which tags `ListTagResources` returns.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListTagResourcesRequest {
    /// `ResourceNames`: roles to list tags of (at most 50); empty means all.
    pub resource_names: Vec<String>,
    /// `Tag`: only resources carrying these tags; empty means any.
    pub tags: Vec<Tag>,
    /// `PageSize`, 1–100.
    pub page_size: Option<u32>,
}

/// What `UntagResources` removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagKeys {
    /// `TagKeys`: these keys.
    Keys(Vec<String>),
    /// `All=true`: every tag.
    All,
}

fn non_empty(token: Option<String>) -> Option<String> {
    token.filter(|t| !t.is_empty())
}

impl AliCloudClient {
    /// `CreateRole`.
    pub async fn create_role(
        &self,
        request: &CreateRoleRequest,
    ) -> Result<RoleResponse, ClientError> {
        let mut params = ActionParams::new()
            .set("RoleName", &request.role_name)
            .set(
                "AssumeRolePolicyDocument",
                &request.assume_role_policy_document,
            )
            .set_opt("Description", request.description.as_ref())
            .set_opt("MaxSessionDuration", request.max_session_duration)
            .set_opt("AllowConsoleLogin", request.allow_console_login);
        if !request.tags.is_empty() {
            params = params.set_json("Tag", tags_json(&request.tags));
        }
        self.call(Service::Ram, "CreateRole", Effect::Write, params)
            .await
    }

    /// `GetRole`.
    pub async fn get_role(&self, role_name: &str) -> Result<RoleResponse, ClientError> {
        let params = ActionParams::new().set("RoleName", role_name);
        self.call(Service::Ram, "GetRole", Effect::Read, params)
            .await
    }

    /// `UpdateRole`.
    pub async fn update_role(
        &self,
        request: &UpdateRoleRequest,
    ) -> Result<RoleResponse, ClientError> {
        let params = ActionParams::new()
            .set("RoleName", &request.role_name)
            .set_opt(
                "NewAssumeRolePolicyDocument",
                request.new_assume_role_policy_document.as_ref(),
            )
            .set_opt("NewDescription", request.new_description.as_ref())
            .set_opt("NewMaxSessionDuration", request.new_max_session_duration)
            .set_opt("NewAllowConsoleLogin", request.new_allow_console_login);
        self.call(Service::Ram, "UpdateRole", Effect::Write, params)
            .await
    }

    /// `DeleteRole`.
    pub async fn delete_role(&self, role_name: &str) -> Result<Acknowledgement, ClientError> {
        let params = ActionParams::new().set("RoleName", role_name);
        self.call(Service::Ram, "DeleteRole", Effect::Write, params)
            .await
    }

    /// One `ListRoles` page starting at `marker` (`None` for the first).
    pub async fn list_roles_page(
        &self,
        marker: Option<&str>,
        max_items: Option<u32>,
    ) -> Result<ListRolesPage, ClientError> {
        let params = ActionParams::new()
            .set_opt("Marker", marker)
            .set_opt("MaxItems", max_items);
        self.call(Service::Ram, "ListRoles", Effect::Read, params)
            .await
    }

    /// Every role, following `Marker` while `IsTruncated`, [`LIST_ROLES_MAX_ITEMS`] per page.
    pub async fn list_roles(&self) -> Result<Vec<RoleSummary>, ClientError> {
        let mut roles = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .list_roles_page(marker.as_deref(), Some(LIST_ROLES_MAX_ITEMS))
                .await?;
            roles.extend(page.roles.role);
            marker = non_empty(page.marker);
            if !page.is_truncated || marker.is_none() {
                return Ok(roles);
            }
        }
    }

    /// `AttachPolicyToRole`.
    pub async fn attach_policy_to_role(
        &self,
        role_name: &str,
        policy_type: PolicyType,
        policy_name: &str,
    ) -> Result<Acknowledgement, ClientError> {
        let params = ActionParams::new()
            .set("PolicyType", policy_type)
            .set("PolicyName", policy_name)
            .set("RoleName", role_name);
        self.call(Service::Ram, "AttachPolicyToRole", Effect::Write, params)
            .await
    }

    /// `DetachPolicyFromRole`.
    pub async fn detach_policy_from_role(
        &self,
        role_name: &str,
        policy_type: PolicyType,
        policy_name: &str,
    ) -> Result<Acknowledgement, ClientError> {
        let params = ActionParams::new()
            .set("PolicyType", policy_type)
            .set("PolicyName", policy_name)
            .set("RoleName", role_name);
        self.call(Service::Ram, "DetachPolicyFromRole", Effect::Write, params)
            .await
    }

    /// `ListPoliciesForRole` (not paginated by the API).
    pub async fn list_policies_for_role(
        &self,
        role_name: &str,
    ) -> Result<ListPoliciesForRoleResponse, ClientError> {
        let params = ActionParams::new().set("RoleName", role_name);
        self.call(Service::Ram, "ListPoliciesForRole", Effect::Read, params)
            .await
    }

    /// `GetPolicy`: `EntityNotExist.Policy` (not found) when no policy of that type has that name.
    pub async fn get_policy(
        &self,
        policy_type: PolicyType,
        policy_name: &str,
    ) -> Result<GetPolicyResponse, ClientError> {
        let params = ActionParams::new()
            .set("PolicyType", policy_type)
            .set("PolicyName", policy_name);
        self.call(Service::Ram, "GetPolicy", Effect::Read, params)
            .await
    }

    /// `TagResources` on roles.
    pub async fn tag_roles(
        &self,
        role_names: &[String],
        tags: &[Tag],
    ) -> Result<Acknowledgement, ClientError> {
        let params = ActionParams::new()
            .set("ResourceType", ROLE_RESOURCE_TYPE)
            .set_json("ResourceNames", strings_json(role_names))
            .set_json("Tag", tags_json(tags));
        self.call(Service::Ram, "TagResources", Effect::Write, params)
            .await
    }

    /// `UntagResources` on roles.
    pub async fn untag_roles(
        &self,
        role_names: &[String],
        keys: &TagKeys,
    ) -> Result<Acknowledgement, ClientError> {
        let params = ActionParams::new()
            .set("ResourceType", ROLE_RESOURCE_TYPE)
            .set_json("ResourceNames", strings_json(role_names));
        let params = match keys {
            TagKeys::Keys(keys) => params.set_json("TagKeys", strings_json(keys)),
            TagKeys::All => params.set("All", true),
        };
        self.call(Service::Ram, "UntagResources", Effect::Write, params)
            .await
    }

    /// One `ListTagResources` page on roles, starting at `next_token` (`None` for the first).
    pub async fn list_role_tags_page(
        &self,
        request: &ListTagResourcesRequest,
        next_token: Option<&str>,
    ) -> Result<ListTagResourcesPage, ClientError> {
        let mut params = ActionParams::new().set("ResourceType", ROLE_RESOURCE_TYPE);
        if !request.resource_names.is_empty() {
            params = params.set_json("ResourceNames", strings_json(&request.resource_names));
        }
        if !request.tags.is_empty() {
            params = params.set_json("Tag", tags_json(&request.tags));
        }
        let params = params
            .set_opt("PageSize", request.page_size)
            .set_opt("NextToken", next_token);
        self.call(Service::Ram, "ListTagResources", Effect::Read, params)
            .await
    }

    /// Every page of `ListTagResources` on roles, following `NextToken`.
    pub async fn list_role_tags(
        &self,
        request: &ListTagResourcesRequest,
    ) -> Result<Vec<TagResource>, ClientError> {
        let mut tags = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self.list_role_tags_page(request, token.as_deref()).await?;
            tags.extend(page.tag_resources);
            token = non_empty(page.next_token);
            if token.is_none() {
                return Ok(tags);
            }
        }
    }
}
