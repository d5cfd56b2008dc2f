//! The role resources' attribute names, each written once: schemas, state and plans name attributes through
//! these constants, so a misspelt name is a compile error instead of a silently null value.

pub(crate) const ACCESS_METHOD: &str = "access_method";
pub(crate) const ACCOUNT_ID: &str = "account_id";
pub(crate) const ARN: &str = "arn";
pub(crate) const CREATE_TIME: &str = "create_time";
pub(crate) const DATABASE: &str = "database";
pub(crate) const DATABASE_TYPE: &str = "database_type";
pub(crate) const DATAWORKS_ACCOUNT_ID: &str = "dataworks_account_id";
pub(crate) const DESCRIPTION: &str = "description";
pub(crate) const ID: &str = "id";
pub(crate) const INSTANCE_KIND: &str = "instance_kind";
pub(crate) const INSTANCE_TYPE: &str = "instance_type";
pub(crate) const MAX_SESSION_DURATION: &str = "max_session_duration";
pub(crate) const OWNER_ACCOUNT_ID: &str = "owner_account_id";
pub(crate) const POLICY_NAMES: &str = "policy_names";
pub(crate) const RDS_ENGINE: &str = "rds_engine";
pub(crate) const ROLE_ID: &str = "role_id";
pub(crate) const ROLE_NAME: &str = "role_name";
pub(crate) const SCENARIO: &str = "scenario";
pub(crate) const TAGS: &str = "tags";
pub(crate) const TASK_ACCOUNT_ID: &str = "task_account_id";
pub(crate) const TRUST_POLICY: &str = "trust_policy";
pub(crate) const TWO_WAY: &str = "two_way";
