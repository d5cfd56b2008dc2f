# A generic cross-account role: any trust policy (here the DTS one, from the provider's function) and any set of
# system policies, managed exclusively.

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
  profile = "source"
  endpoints {
    ram = var.endpoint
    sts = var.endpoint
  }
}

provider "aliram" {
  alias   = "partner"
  profile = "destination"
  endpoints {
    ram = var.endpoint
    sts = var.endpoint
  }
}

data "aliram_caller_identity" "partner" {
  provider = aliram.partner
}

resource "aliram_role" "audit_reader" {
  role_name            = "partner-audit-reader"
  trust_policy         = provider::aliram::dts_trust_policy(data.aliram_caller_identity.partner.account_id)
  policy_names         = ["AliyunDTSRolePolicy", "AliyunRAMReadOnlyAccess"]
  description          = "Read-only access for the partner account"
  max_session_duration = 7200
}

output "role_arn" {
  value = aliram_role.audit_reader.arn
}
