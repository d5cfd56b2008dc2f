# The accounts of a Resource Directory, listed by its management account: the members a configuration can
# for_each over (see examples/organization for roles in each).
# Run it against the local emulator with `scripts/demo examples/data-sources/resource_directory_accounts` (its
# accounts.json declares the directory).

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

provider "aliram" {
  profile = "management"
  endpoints {
    ram             = var.endpoint
    sts             = var.endpoint
    resourcemanager = var.endpoint
  }
}

data "aliram_resource_directory_accounts" "directory" {}

output "members" {
  description = "Display name of each account created in the directory, by UID."
  value = {
    for a in data.aliram_resource_directory_accounts.directory.accounts :
    a.account_id => a.display_name if a.type == "ResourceAccount"
  }
}

output "resource_directory_id" {
  value = data.aliram_resource_directory_accounts.directory.id
}
