//! `clawtrail pair`: a one-time code the extension's popup trades for a key.

use std::path::Path;
use std::time::Duration;

use clawtrail_relay::{auth, server};
use serde_json::json;

use super::print_json;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Minutes the code stays valid.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=60))]
    minutes: u64,
    #[arg(long)]
    json: bool,
}

pub fn run(Args { minutes, json }: Args, dir: &Path) -> anyhow::Result<()> {
    clawtrail_fs::ensure_private_dir(dir, clawtrail_fs::Links::Follow)?;
    let (code, expires_at) = auth::issue_code(dir, Duration::from_secs(minutes * 60))?;
    if json {
        return print_json(&json!({"code": code, "expires_at": expires_at}));
    }
    println!("Pairing code: {code}");
    println!(
        "Enter it in the clawtrail extension popup within {minutes} minute(s). It works once."
    );
    if !server::DataDirLock::is_held(dir) {
        eprintln!(
            "note: no relay is running on {}; start one with `clawtrail serve`",
            dir.display()
        );
    }
    Ok(())
}
