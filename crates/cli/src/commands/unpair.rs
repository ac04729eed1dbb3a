//! `clawtrail unpair`: revoke every pairing key.

use std::path::Path;

use clawtrail_relay::auth;
use serde_json::json;

use super::print_json;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long)]
    json: bool,
}

pub fn run(Args { json }: Args, dir: &Path) -> anyhow::Result<()> {
    clawtrail_fs::ensure_private_dir(dir, clawtrail_fs::Links::Follow)?;
    let n = auth::revoke_all(dir)?;
    if json {
        return print_json(&json!({"revoked": n}));
    }
    println!("Revoked {n} token(s). Pair again with `clawtrail pair`.");
    Ok(())
}
