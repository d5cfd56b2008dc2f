# Roles made outside the configuration that takes them over, as a console user or another team would have made
# them. The demo applies this in its own working directory (its own state) before running the query.

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

resource "aliram_role" "dts_by_hand" {
  role_name    = "ram-for-dts"
  trust_policy = provider::aliram::dts_trust_policy("3333000033330003")
  policy_names = ["AliyunDTSRolePolicy"]
}

resource "aliram_role" "dataworks_by_hand" {
  role_name    = "dataworks-rds-reader"
  trust_policy = provider::aliram::dataworks_trust_policy("3333000033330003")
  policy_names = ["AliyunDataWorksAccessingRdsReadOnlyPolicy"]
}

resource "aliram_role" "partner_by_hand" {
  role_name = "partner-audit-reader"
  trust_policy = jsonencode({
    Version = "1"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { RAM = ["acs:ram::2222000022220002:root"] }
    }]
  })
  policy_names = ["AliyunDTSReadOnlyAccess"]
  tags         = { team = "audit" }
}
