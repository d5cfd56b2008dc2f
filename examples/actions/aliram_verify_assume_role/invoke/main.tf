# Proves that the account that creates a DTS task can really assume the cross-account role of the database's
# account, and that the database's DTS default role trusts DTS. Terraform 1.14 or later. After `terraform apply`,
# run
#   terraform apply -invoke=action.aliram_verify_assume_role.task_assumes_source
# The action runs with the credentials of its provider (the task's account): AssumeRole for 900 seconds, then
# GetCallerIdentity with the session, which it reports. The session's credentials are never stored or printed.
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

resource "aliram_dts_default_role" "source" {
  provider = aliram.source
}

resource "aliram_cross_account_dts_role" "source" {
  provider        = aliram.source
  scenario        = "source"
  task_account_id = data.aliram_caller_identity.task.account_id
  depends_on      = [aliram_dts_default_role.source]
}

# Bound to the task's account: the identity that must be able to assume the role.
action "aliram_verify_assume_role" "task_assumes_source" {
  provider = aliram.task
  config {
    role_arn = aliram_cross_account_dts_role.source.arn
  }
}

# A role only a service may assume admits no user: `service` evaluates its trust policy for DTS acting for the
# provider's account instead, with the credentials of the role's own account (GetRole reads only the caller's
# account). Run it with -invoke=action.aliram_verify_assume_role.dts_default_role.
action "aliram_verify_assume_role" "dts_default_role" {
  provider = aliram.source
  config {
    role_arn = aliram_dts_default_role.source.arn
    service  = "dts.aliyuncs.com"
  }
}
