# DTS scenario 3: both databases are cross-account. Each database's account holds a role, and both roles trust
# a designated third account that creates the task. Two-way synchronisation across accounts is this scenario,
# only between ApsaraDB RDS for MySQL instances or clusters, Tair (Enterprise Edition) instances, or ApsaraDB for
# MongoDB replica set or sharded cluster instances (instance_kind says which; required for "Tair/Redis").

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

provider "aliram" {
  alias   = "source"
  profile = "source"
  endpoints {
    ram = var.endpoint
    sts = var.endpoint
  }
}

provider "aliram" {
  alias   = "destination"
  profile = "destination"
  endpoints {
    ram = var.endpoint
    sts = var.endpoint
  }
}

provider "aliram" {
  alias   = "task"
  profile = "task"
  endpoints {
    ram = var.endpoint
    sts = var.endpoint
  }
}

# The account that creates the task.
data "aliram_caller_identity" "task" {
  provider = aliram.task
}

resource "aliram_cross_account_dts_role" "source" {
  provider        = aliram.source
  scenario        = "source_and_destination"
  database        = "source"
  task_account_id = data.aliram_caller_identity.task.account_id
  database_type   = "MySQL"
  access_method   = "Alibaba Cloud Instance"
  two_way         = true
  instance_kind   = "ApsaraDB RDS for MySQL instances"
}

resource "aliram_cross_account_dts_role" "destination" {
  provider        = aliram.destination
  scenario        = "source_and_destination"
  database        = "destination"
  task_account_id = data.aliram_caller_identity.task.account_id
  database_type   = "MySQL"
  access_method   = "Alibaba Cloud Instance"
  two_way         = true
  instance_kind   = "ApsaraDB RDS for MySQL instances"
}

output "task_source_section" {
  description = "What the task's source section is configured with."
  value = {
    account_id = aliram_cross_account_dts_role.source.owner_account_id
    role_name  = aliram_cross_account_dts_role.source.role_name
  }
}

output "task_destination_section" {
  description = "What the task's destination section is configured with."
  value = {
    account_id = aliram_cross_account_dts_role.destination.owner_account_id
    role_name  = aliram_cross_account_dts_role.destination.role_name
  }
}
