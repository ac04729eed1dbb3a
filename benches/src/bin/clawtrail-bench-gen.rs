//! Writes large valid recordings for scripts/bench: one upload body, or a
//! whole data directory for `clawtrail list`.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use workflow_format::to_canonical_json;

#[derive(Parser)]
#[command(about = "Generates valid clawtrail recordings for the benchmarks")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// One recording's canonical JSON (an upload body).
    Body {
        #[arg(long)]
        events: usize,
        /// Selects the (deterministic) recording id.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// A relay data directory holding `count` recordings, written the way
    /// the store lays them out (`recordings/<id>.json`, no summary cache),
    /// so the first `clawtrail list` is a cold one.
    Store {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long)]
        count: u64,
        #[arg(long, default_value_t = 20)]
        events: usize,
    },
    /// A replay benchmark recording (load `url`, then `clicks` clicks on its
    /// buttons), stored as `recordings/<id>.json` in `data_dir`.
    Replay {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long)]
        url: String,
        #[arg(long)]
        clicks: usize,
        /// Selects the (deterministic) recording id, printed on stdout.
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
}

fn main() -> Result<()> {
    match Cli::parse().cmd {
        Cmd::Body { events, seed, out } => {
            let rec = clawtrail_bench::recording(clawtrail_bench::id(seed), events);
            fs::write(&out, to_canonical_json(&rec))
                .with_context(|| format!("writing {}", out.display()))?;
        }
        Cmd::Store {
            data_dir,
            count,
            events,
        } => {
            let dir = data_dir.join("recordings");
            if dir.exists() && fs::read_dir(&dir)?.next().is_some() {
                bail!("{} is not empty", dir.display());
            }
            // The relay insists on private directories and files.
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&dir)
                .with_context(|| format!("creating {}", dir.display()))?;
            let template = clawtrail_bench::recording(clawtrail_bench::id(0), events);
            for n in 0..count {
                let mut rec = template.clone();
                rec.id = clawtrail_bench::id(n);
                rec.name = format!("bench recording {n}");
                let path = dir.join(format!("{}.json", rec.id.hyphenated()));
                fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&path)
                    .and_then(|mut f| f.write_all(&to_canonical_json(&rec)))
                    .with_context(|| format!("writing {}", path.display()))?;
            }
        }
        Cmd::Replay {
            data_dir,
            url,
            clicks,
            seed,
        } => {
            let rec = clawtrail_bench::replay_recording(clawtrail_bench::id(seed), &url, clicks);
            rec.validate()
                .context("generated an invalid replay recording")?;
            let dir = data_dir.join("recordings");
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&dir)
                .with_context(|| format!("creating {}", dir.display()))?;
            let path = dir.join(format!("{}.json", rec.id.hyphenated()));
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
                .and_then(|mut f| f.write_all(&to_canonical_json(&rec)))
                .with_context(|| format!("writing {}", path.display()))?;
            println!("{}", rec.id.hyphenated());
        }
    }
    Ok(())
}
