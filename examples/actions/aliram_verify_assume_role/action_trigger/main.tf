# DTS scenario 1 (the source database is cross-account) where every apply that creates or changes the role proves
# that the task's account can assume it: an `action_trigger` runs aliram_verify_assume_role after the role is
# created or updated. Terraform 1.14 or later. The source database's account also holds the DTS default role, the
# DTS guide's prerequisite.
#
# Credentials: one aliyun CLI profile per account (see shared_credentials_file / the `profile` argument).

terraform {
  required_version = ">= 1.14"
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

# The destination database's account creates the task.
data "aliram_caller_identity" "destination" {
  provider = aliram.destination
}

resource "aliram_dts_default_role" "source" {
  provider = aliram.source
}

resource "aliram_cross_account_dts_role" "source" {
  provider        = aliram.source
  scenario        = "source"
  task_account_id = data.aliram_caller_identity.destination.account_id
  depends_on      = [aliram_dts_default_role.source]

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.aliram_verify_assume_role.destination_assumes_source]
    }
  }
}

action "aliram_verify_assume_role" "destination_assumes_source" {
  provider = aliram.destination
  config {
    role_arn = aliram_cross_account_dts_role.source.arn
  }
}
