# Each provider instance learns the UID of its own account from aliram_caller_identity, so no account ID is
# written twice: here the database account's DTS role trusts whatever account the task credentials belong to.
# See README.md to run it against the local aliram-emulator.

terraform {
  required_providers {
    aliram = {
      source = "aliram/aliram"
    }
  }
}

variable "ram_endpoint" {
  description = "RAM endpoint override, such as the aliram-emulator's http://127.0.0.1:PORT; null for Alibaba Cloud."
  type        = string
  default     = null
}

variable "sts_endpoint" {
  description = "STS endpoint override, such as the aliram-emulator's http://127.0.0.1:PORT; null for Alibaba Cloud."
  type        = string
  default     = null
}

variable "shared_credentials_file" {
  description = "aliyun CLI configuration file with the profiles below; null for ~/.aliyun/config.json."
  type        = string
  default     = null
}

variable "database_profile" {
  description = "aliyun CLI profile with credentials of the account that owns the database."
  type        = string
  default     = "database"
}

variable "task_profile" {
  description = "aliyun CLI profile with credentials of the account that runs the DTS task."
  type        = string
  default     = "task"
}

# The account that owns the database. Each account's credentials come from its own aliyun CLI profile (environment
# credentials would take precedence over a profile, for every provider instance alike).
provider "aliram" {
  shared_credentials_file = var.shared_credentials_file
  profile                 = var.database_profile

  endpoints {
    ram = var.ram_endpoint
    sts = var.sts_endpoint
  }
}

# The account that runs the DTS task.
provider "aliram" {
  alias                   = "task"
  shared_credentials_file = var.shared_credentials_file
  profile                 = var.task_profile

  endpoints {
    ram = var.ram_endpoint
    sts = var.sts_endpoint
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
