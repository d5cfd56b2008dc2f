# Comparing trust policies by RAM's meaning rather than by text, with any provider's roles: here two spellings of
# the same DTS trust policy, and a check that a document still is the one the DTS guide prescribes (for example the
# `assume_role_policy_document` of an `alicloud_ram_role`). Run it with
# `scripts/demo examples/functions/trust_policy_comparison`.

terraform {
  required_providers {
    aliram = {
      source = "aliram/aliram"
    }
  }
}

variable "task_account_id" {
  description = "UID of the account that creates the DTS task (the trusted account)."
  type        = string
  default     = "1234567890123456"
}

locals {
  # As a console user might have written it: keys in another order, single values as strings.
  hand_written = jsonencode({
    Version = "1"
    Statement = {
      Principal = {
        Service = "${var.task_account_id}@dts.aliyuncs.com"
        RAM     = "acs:ram::${var.task_account_id}:root"
      }
      Effect = "Allow"
      Action = "sts:AssumeRole"
    }
  })
}

output "same_as_the_dts_guide" {
  description = "True: the hand-written document grants exactly what the DTS guide prescribes."
  value       = provider::aliram::trust_policy_equal(local.hand_written, provider::aliram::dts_trust_policy(var.task_account_id))
}

output "canonical" {
  description = "The hand-written document in canonical form: the text RAM's meaning reduces it to."
  value       = provider::aliram::normalize_trust_policy(local.hand_written)
}

check "trust_policy_is_the_dts_one" {
  assert {
    condition     = provider::aliram::trust_policy_equal(local.hand_written, provider::aliram::dts_trust_policy(var.task_account_id))
    error_message = "The trust policy no longer grants what the DTS guide prescribes: ${provider::aliram::normalize_trust_policy(local.hand_written)}"
  }
}
