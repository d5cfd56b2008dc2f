# DataWorks data sources on instances of another account (RDS, Hive, Kafka, AnalyticDB for MySQL 3.0): one role
# per instance type, created in the account that owns the instances, trusting the account that owns the DataWorks
# workspace. The workspace then adds each data source with owner_account_id and role_name.

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
  alias   = "instances"
  profile = "source"
  endpoints {
    ram = var.endpoint
    sts = var.endpoint
  }
}

provider "aliram" {
  alias   = "workspace"
  profile = "destination"
  endpoints {
    ram = var.endpoint
    sts = var.endpoint
  }
}

data "aliram_caller_identity" "workspace" {
  provider = aliram.workspace
}

resource "aliram_dataworks_source_role" "rds" {
  provider             = aliram.instances
  role_name            = "dataworks-rds-reader"
  instance_type        = "rds"
  rds_engine           = "SQL Server"
  dataworks_account_id = data.aliram_caller_identity.workspace.account_id
}

resource "aliram_dataworks_source_role" "hive" {
  provider             = aliram.instances
  role_name            = "dataworks-hive-reader"
  instance_type        = "hive"
  dataworks_account_id = data.aliram_caller_identity.workspace.account_id
}

resource "aliram_dataworks_source_role" "kafka" {
  provider             = aliram.instances
  role_name            = "dataworks-kafka-reader"
  instance_type        = "kafka"
  dataworks_account_id = data.aliram_caller_identity.workspace.account_id
  description          = "DataWorks Data Integration reads the order-events Kafka instance"
}

resource "aliram_dataworks_source_role" "analyticdb" {
  provider             = aliram.instances
  role_name            = "dataworks-adb-reader"
  instance_type        = "analyticdb_for_mysql"
  dataworks_account_id = data.aliram_caller_identity.workspace.account_id
}

output "data_sources" {
  description = "What the DataWorks workspace's data sources are configured with."
  value = {
    for name, role in {
      rds        = aliram_dataworks_source_role.rds
      hive       = aliram_dataworks_source_role.hive
      kafka      = aliram_dataworks_source_role.kafka
      analyticdb = aliram_dataworks_source_role.analyticdb
    } : name => { account_id = role.owner_account_id, role_name = role.role_name, policies = role.policy_names }
  }
}
