//! `clawtrail list`: the stored recordings, oldest first.

use std::path::Path;

use clawtrail_relay::store::Store;

use super::print_json;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long)]
    json: bool,
}

pub fn run(Args { json }: Args, dir: &Path) -> anyhow::Result<()> {
    let listing = Store::open(dir)?.list()?;
    for s in &listing.skipped {
        eprintln!("warning: skipped {}: {}", s.file, s.reason);
    }
    if json {
        return print_json(&listing);
    }
    if listing.recordings.is_empty() {
        println!("No recordings in {}.", dir.display());
        return Ok(());
    }
    println!(
        "{:<36}  {:<20}  {:>6}  {:>4}  {:>9}  NAME",
        "ID", "STARTED", "EVENTS", "TABS", "BYTES"
    );
    for r in &listing.recordings {
        println!(
            "{:<36}  {:<20}  {:>6}  {:>4}  {:>9}  {}",
            r.id,
            r.started_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            r.event_count,
            r.tab_count,
            r.size_bytes,
            r.name
        );
    }
    Ok(())
}
