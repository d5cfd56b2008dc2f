//! terraform-provider-aliram: started by Terraform, it serves the aliram provider over the plugin protocol.

use std::process::ExitCode;
use terraform_provider_aliram::provider::AliramProvider;
use terraform_provider_aliram::server;

fn main() -> ExitCode {
    server::run(AliramProvider)
}
