//! The `clawtrail` binary: parse arguments, set up logging, run one command,
//! and turn any error into a message on stderr and exit status 1.
//!
//! Each command is one file under `commands/`. Read commands work on the
//! data dir directly, so they work whether or not the relay is running.

mod commands;
mod duration;
mod progress;
mod timeline;
mod url_scheme;

use std::path::PathBuf;

use clap::Parser;

#[derive(Parser, Debug)]
#[command(
    name = "clawtrail",
    version,
    about = "Record browser workflows and keep them on this machine."
)]
struct Cli {
    /// Where recordings, tokens and pairing codes live [default: ~/.openclaw]
    #[arg(long, global = true, env = "CLAWTRAIL_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: commands::Command,
}

fn main() {
    let cli = Cli::parse();
    // Logs go to stderr; stdout stays for command output (and for the
    // relay's machine-readable `listening on` line).
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CLAWTRAIL_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let result = commands::data_dir(cli.data_dir).and_then(|dir| cli.command.run(&dir));
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
