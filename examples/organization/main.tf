# One provider block for an organization: the management account of a Resource Directory lists its member
# accounts and gives each the DTS role that lets a DTS task of the management account read the member's
# databases. No provider alias per account: `account_id` sends each role to its account, which the provider
# reaches through the member's ResourceDirectoryAccountAccessRole, assumed with the management identity.
# Run it against the local emulator with `scripts/demo examples/organization` (its accounts.json declares the
# directory: one management account, whose RAM user `admin` holds the organization guide's policy and signs the
# demo's profile "management", and three members).

terraform {
  required_providers {
    aliram = {
      source = "aliram/aliram"
    }
  }
}

variable "endpoint" {
  description = "RAM/STS/Resource Directory endpoint override (the local aliram-emulator in the demo); null for Alibaba Cloud."
  type        = string
  default     = null
}

# The management account's identity: a RAM user or role with sts:AssumeRole on the members' access roles and
# resourcemanager:ListAccounts (root keys cannot assume roles; see the organization guide for the policy).
provider "aliram" {
  profile = "management"
  endpoints {
    ram             = var.endpoint
    sts             = var.endpoint
    resourcemanager = var.endpoint
  }
}

data "aliram_caller_identity" "management" {}

data "aliram_resource_directory_accounts" "directory" {}

locals {
  # Every member, by UID; the management account runs the DTS tasks.
  members = {
    for a in data.aliram_resource_directory_accounts.directory.accounts :
    a.account_id => a.display_name
    if a.account_id != data.aliram_caller_identity.management.account_id
  }
}

# In each member, the DTS default role: DTS's prerequisite in the account that owns the database.
resource "aliram_dts_default_role" "member" {
  for_each = local.members

  account_id = each.key
}

# In each member, the role DTS in the management account assumes to read that member's databases.
resource "aliram_cross_account_dts_role" "member" {
  for_each = local.members

  account_id      = each.key
  role_name       = "ram-for-dts"
  scenario        = "source"
  task_account_id = data.aliram_caller_identity.management.account_id
  description     = "DTS tasks of the management account read ${each.value}'s databases"
  depends_on      = [aliram_dts_default_role.member]
}

output "dts_roles" {
  description = "For each member (display name): what its DTS tasks are configured with, the owner UID and the role name."
  value = {
    for uid, role in aliram_cross_account_dts_role.member :
    local.members[uid] => { owner_account_id = role.owner_account_id, role_name = role.role_name }
  }
}
