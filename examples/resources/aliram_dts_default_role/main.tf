# The DTS default role of the account that owns a database of a DTS task: AliyunDTSDefaultRole, trusting DTS
# and carrying AliyunDTSRolePolicy (the DTS guide's prerequisite). Declare it beside the account's cross-account
# DTS role; `depends_on` lets the plan know it is coming, so the role's plan does not warn that it is missing.
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

data "aliram_caller_identity" "destination" {
  provider = aliram.destination
}

# The database's account holds both roles.
resource "aliram_dts_default_role" "source" {
  provider = aliram.source
}

resource "aliram_cross_account_dts_role" "source" {
  provider        = aliram.source
  scenario        = "source"
  task_account_id = data.aliram_caller_identity.destination.account_id
  depends_on      = [aliram_dts_default_role.source]
}

output "dts_default_role_arn" {
  description = "The DTS default role of the source database's account."
  value       = aliram_dts_default_role.source.arn
}
