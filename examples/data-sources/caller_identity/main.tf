# Each provider instance learns the UID of its own account from aliram_caller_identity, so no account ID is
# written twice: here the trust policy of a DTS role in the database account is built for whatever account the
# task credentials belong to. Run it against the local emulator with `scripts/demo examples/data-sources/caller_identity`.

terraform {
  required_providers {
    aliram = {
      source = "aliram/aliram"
    }
  }
}

variable "endpoint" {
  description = "RAM/STS endpoint override (the local aliram-emulator in the demo); null for Alibaba Cloud."
  type        = string
  default     = null
}

# The account that owns the database. Each account's credentials come from its own aliyun CLI profile.
provider "aliram" {
  profile = "source"
  endpoints {
    ram = var.endpoint
    sts = var.endpoint
  }
}

# The account that runs the DTS task.
provider "aliram" {
  alias   = "task"
  profile = "task"
  endpoints {
    ram = var.endpoint
    sts = var.endpoint
  }
}

data "aliram_caller_identity" "database" {}

data "aliram_caller_identity" "task" {
  provider = aliram.task
}

output "database_account_id" {
  description = "UID of the account that owns the database."
  value       = data.aliram_caller_identity.database.account_id
}

output "task_account_id" {
  description = "UID of the account that runs the DTS task."
  value       = data.aliram_caller_identity.task.account_id
}

output "task_caller" {
  description = "ARN and identity type of the task account's credentials."
  value = {
    arn           = data.aliram_caller_identity.task.arn
    identity_type = data.aliram_caller_identity.task.identity_type
  }
}

output "dts_trust_policy" {
  description = "Trust policy of the database account's role that DTS, acting for the task account, may assume."
  value       = provider::aliram::dts_trust_policy(data.aliram_caller_identity.task.account_id)
}
