# DTS scenario 2: the destination database belongs to another account than the one that creates the task.
# The role is created in the destination database's account and trusts the source's account, which creates
# the DTS task.

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

data "aliram_caller_identity" "source" {
  provider = aliram.source
}

resource "aliram_cross_account_dts_role" "destination" {
  provider        = aliram.destination
  scenario        = "destination"
  task_account_id = data.aliram_caller_identity.source.account_id
  database_type   = "PolarDB for MySQL"
  access_method   = "Alibaba Cloud Instance"
  tags = {
    purpose = "dts-cross-account"
  }
}

output "dts_destination_account_id" {
  value = aliram_cross_account_dts_role.destination.owner_account_id
}

output "dts_destination_role_name" {
  value = aliram_cross_account_dts_role.destination.role_name
}
