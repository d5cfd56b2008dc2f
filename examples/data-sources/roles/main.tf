# Which roles of an account let DTS in, and for which account: aliram_roles lists the roles of its provider
# instance's account, filtered by name, trusted account or cross-account service. Here the database account
# holds a DTS role for the task account, and the data source finds it among all roles.
# Run it against the local emulator with `scripts/demo examples/data-sources/roles`.

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

# The account that owns the database.
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

data "aliram_caller_identity" "task" {
  provider = aliram.task
}

resource "aliram_cross_account_dts_role" "database" {
  scenario        = "source"
  task_account_id = data.aliram_caller_identity.task.account_id
}

# Every role of the database account that is a DTS cross-account role trusting the task account.
data "aliram_roles" "dts_for_task" {
  service            = "dts"
  trusted_account_id = data.aliram_caller_identity.task.account_id

  # Read after the role above exists.
  depends_on = [aliram_cross_account_dts_role.database]
}

output "dts_roles_for_task" {
  description = "Name and ARN of each DTS role that the task account's DTS may assume."
  value       = { for r in data.aliram_roles.dts_for_task.roles : r.role_name => r.arn }
}

output "trust_policies" {
  description = "The canonical trust policy of each of them."
  value       = [for r in data.aliram_roles.dts_for_task.roles : r.trust_policy]
}
