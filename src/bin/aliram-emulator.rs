//! `aliram-emulator`: a local RAM + STS service for demos and tests. See `docs/emulator.md`.

use std::process::ExitCode;
use terraform_provider_aliram::emulator::{self, ConfigError, EmulatorConfig};

#[tokio::main]
async fn main() -> ExitCode {
    let config = match EmulatorConfig::from_args(std::env::args().skip(1)) {
        Ok(config) => config,
        Err(ConfigError::Help) => {
            println!("{}", emulator::config::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("aliram-emulator: {e}");
            return ExitCode::from(2);
        }
    };
    match emulator::serve(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("aliram-emulator: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
