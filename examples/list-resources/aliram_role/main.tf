# Taking over roles that already exist: `terraform query` lists them by identity (see roles.tfquery.hcl), and
# `terraform query -generate-config-out=generated.tf` writes a resource and an `import { identity = ... }` block
# for each; `terraform plan` then shows only imports. Needs Terraform 1.14 or later.
#
# The demo first creates three roles outside this configuration (setup/), then runs the query, the generation, the
# import and a clean plan: `scripts/demo examples/list-resources/aliram_role`.

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

# The account whose roles are listed.
provider "aliram" {
  profile = "source"
  endpoints {
    ram = var.endpoint
    sts = var.endpoint
  }
}
