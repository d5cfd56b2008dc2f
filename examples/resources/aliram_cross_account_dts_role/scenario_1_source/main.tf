# DTS scenario 1: the source database belongs to another account than the one that creates the task.
# The role is created in the source database's account and trusts the destination's account, which creates
# the DTS task. The task is then configured with owner_account_id and role_name.
#
# Credentials: one aliyun CLI profile per account (see shared_credentials_file / the `profile` argument).

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

# The task is created by the destination database's account: learn its UID from its own credentials.
data "aliram_caller_identity" "destination" {
  provider = aliram.destination
}

resource "aliram_cross_account_dts_role" "source" {
  provider        = aliram.source
  scenario        = "source"
  task_account_id = data.aliram_caller_identity.destination.account_id
  database_type   = "MySQL"
  access_method   = "Alibaba Cloud Instance"
  description     = "DTS tasks of the destination account read this account's MySQL database"
}

output "dts_source_account_id" {
  description = "The task's source section: the database's account..."
  value       = aliram_cross_account_dts_role.source.owner_account_id
}

output "dts_source_role_name" {
  description = "...and the role DTS assumes in it."
  value       = aliram_cross_account_dts_role.source.role_name
}
