# The trust policy documents of cross-account roles, computed by the provider's functions.
# Run `terraform plan` here: the outputs show the exact JSON that a role would carry.

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

variable "dataworks_account_id" {
  description = "UID of the account that owns the DataWorks workspace."
  type        = string
  default     = "2234567890123456"
}

output "dts_trust_policy" {
  description = "Trust policy of a role that DTS, acting for the task account, may assume."
  value       = provider::aliram::dts_trust_policy(var.task_account_id)
}

output "dataworks_trust_policy" {
  description = "Trust policy of a role that DataWorks, acting for the workspace account, may assume."
  value       = provider::aliram::dataworks_trust_policy(var.dataworks_account_id)
}
