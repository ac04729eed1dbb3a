//! One file per `clawtrail` command. Each declares its own flags (a clap
//! `Args` struct) and its `run`; this file only lists them and holds the
//! helpers they share.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;
use uuid::Uuid;

mod delete;
mod export;
mod install_handler;
mod list;
mod open_url;
mod pair;
mod prune;
mod replay;
mod serve;
mod show;
mod unpair;
mod verify_package;

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the relay the extension uploads to (loopback only).
    Serve(serve::Args),
    /// Print a one-time code to pair the extension with the relay.
    Pair(pair::Args),
    /// Revoke every pairing key (every paired extension must pair again).
    Unpair(unpair::Args),
    /// List stored recordings, oldest first.
    List(list::Args),
    /// Show one recording as a timeline.
    Show(show::Args),
    /// Delete one recording.
    Delete(delete::Args),
    /// Delete recordings that ended longer ago than a duration.
    Prune(prune::Args),
    /// Export a recording as an OpenClaw skill or a DevTools Recorder flow.
    Export(export::Args),
    /// Replay a recording in a fresh Chromium and report each step.
    Replay(replay::Args),
    /// Check a downloaded extension package against its minisign signature
    /// (and its .sha256 file when present) before installing it.
    VerifyPackage(verify_package::Args),
    /// Register (or with --uninstall remove) the multiclaw:// link handler.
    InstallHandler(install_handler::Args),
    /// Handle a multiclaw:// link: start the relay if it is not running.
    #[command(hide = true)]
    OpenUrl(open_url::Args),
}

impl Command {
    pub fn run(self, dir: &Path) -> anyhow::Result<()> {
        match self {
            Command::Serve(a) => serve::run(a, dir),
            Command::Pair(a) => pair::run(a, dir),
            Command::Unpair(a) => unpair::run(a, dir),
            Command::List(a) => list::run(a, dir),
            Command::Show(a) => show::run(a, dir),
            Command::Delete(a) => delete::run(a, dir),
            Command::Prune(a) => prune::run(a, dir),
            Command::Export(a) => export::run(a, dir),
            Command::Replay(a) => replay::run(a, dir),
            Command::VerifyPackage(a) => verify_package::run(a),
            Command::InstallHandler(a) => install_handler::run(a, dir),
            Command::OpenUrl(a) => open_url::run(a, dir),
        }
    }
}

/// `--data-dir`, else `~/.openclaw`.
pub fn data_dir(flag: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(d) = flag {
        return Ok(d);
    }
    let home = std::env::var_os("HOME").context("HOME is not set; pass --data-dir")?;
    Ok(PathBuf::from(home).join(".openclaw"))
}

fn parse_id(raw: &str) -> anyhow::Result<Uuid> {
    Uuid::try_parse(raw).with_context(|| format!("{raw:?} is not a recording id (a UUID)"))
}

/// `--json` output: pretty, one document, a trailing newline.
fn print_json(v: &impl serde::Serialize) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}
