//! `clawtrail prune`: delete recordings that ended before a cutoff.

use std::path::Path;

use anyhow::Context;
use clawtrail_relay::store::{Store, StoreError};
use serde_json::json;

use super::print_json;
use crate::{duration, progress};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// e.g. 30d, 12h, 90m
    #[arg(long, value_name = "DURATION")]
    older_than: String,
    /// Only say what would be deleted.
    #[arg(long)]
    dry_run: bool,
    #[arg(long)]
    json: bool,
}

pub fn run(a: Args, dir: &Path) -> anyhow::Result<()> {
    let age = duration::parse(&a.older_than)?;
    let cutoff =
        chrono::Utc::now() - chrono::Duration::from_std(age).context("duration too large")?;
    let store = Store::open(dir)?;
    let mut pruned = Vec::new();
    let recordings = store.list()?.recordings;
    let progress = progress::bar(recordings.len() as u64, "recordings");
    for s in recordings {
        progress.inc(1);
        if s.ended_at < cutoff {
            if !a.dry_run {
                // Gone already (another prune, the viewer): the same outcome.
                match store.delete(s.id) {
                    Ok(()) | Err(StoreError::NotFound(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            pruned.push(s.id);
        }
    }
    progress.finish_and_clear();
    if a.json {
        return print_json(&json!({"dry_run": a.dry_run, "deleted": pruned}));
    }
    let verb = if a.dry_run { "Would delete" } else { "Deleted" };
    println!(
        "{verb} {} recording(s) that ended before {}.",
        pruned.len(),
        cutoff.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    for id in pruned {
        println!("  {id}");
    }
    Ok(())
}
