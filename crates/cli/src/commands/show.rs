//! `clawtrail show`: one recording as a timeline, or its stored JSON.

use std::path::Path;

use clawtrail_relay::store::Store;

use super::{parse_id, print_json};
use crate::timeline;

#[derive(clap::Args, Debug)]
pub struct Args {
    id: String,
    /// Print the stored recording JSON instead.
    #[arg(long)]
    json: bool,
}

pub fn run(Args { id, json }: Args, dir: &Path) -> anyhow::Result<()> {
    let id = parse_id(&id)?;
    let (rec, _) = Store::open(dir)?.get(id)?;
    if json {
        return print_json(&rec);
    }
    // anstream drops the styles unless stdout is a colour terminal.
    anstream::print!("{}", timeline::render(&rec));
    Ok(())
}
