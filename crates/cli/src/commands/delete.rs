//! `clawtrail delete`: one recording.

use std::path::Path;

use clawtrail_relay::store::Store;
use serde_json::json;

use super::{parse_id, print_json};

#[derive(clap::Args, Debug)]
pub struct Args {
    id: String,
    #[arg(long)]
    json: bool,
}

pub fn run(Args { id, json }: Args, dir: &Path) -> anyhow::Result<()> {
    let id = parse_id(&id)?;
    Store::open(dir)?.delete(id)?;
    if json {
        return print_json(&json!({"deleted": id}));
    }
    println!("Deleted {id}.");
    Ok(())
}
