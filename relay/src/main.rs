//! The `clawtrail` binary: parse arguments, set up logging, run, and turn
//! any error into a message on stderr and exit status 1.

use clap::Parser;

fn main() {
    let cli = clawtrail::cli::Cli::parse();
    // Logs go to stderr; stdout stays for command output (and for the
    // relay's machine-readable `listening on` line).
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CLAWTRAIL_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    if let Err(e) = clawtrail::cli::run(cli) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
