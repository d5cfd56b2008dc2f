//! `aliram-emulator`: a local RAM + STS service for demos and tests. See `docs/emulator.md`.

use std::process::ExitCode;
use terraform_provider_aliram::emulator::{self, ConfigError, EmulatorConfig};

// One thread, as the provider: a request is a few dozen microseconds of work, and a work-stealing pool woke a
// second thread for most of them (docs/benchmarks.md). State files are saved on the blocking pool.
#[tokio::main(flavor = "current_thread")]
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
