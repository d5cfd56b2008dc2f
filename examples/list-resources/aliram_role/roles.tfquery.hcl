# The roles to find. include_resource = true makes each result carry the role's state, which configuration
# generation needs.

# The DTS cross-account roles (trust policy of the DTS guide, AliyunDTSRolePolicy attached).
list "aliram_cross_account_dts_role" "dts" {
  provider         = aliram
  include_resource = true
}

# The DataWorks cross-account data source roles.
list "aliram_dataworks_source_role" "dataworks" {
  provider         = aliram
  include_resource = true
}

# Other roles, by name and by the account they trust.
list "aliram_role" "partner" {
  provider         = aliram
  include_resource = true

  config {
    name_regex         = "^partner-"
    trusted_account_id = "2222000022220002"
  }
}
