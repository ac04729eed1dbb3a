//! `clawtrail open-url` (hidden): what a `multiclaw://` link runs; starts
//! the relay if it is not running.

use std::path::Path;

use anyhow::Context;

use crate::url_scheme;

#[derive(clap::Args, Debug)]
pub struct Args {
    url: String,
    #[arg(long)]
    port: Option<u16>,
}

pub fn run(Args { url, port }: Args, dir: &Path) -> anyhow::Result<()> {
    let exe = std::env::current_exe().context("cannot locate the clawtrail binary")?;
    if url_scheme::open_url(&exe, dir, port, &url)? {
        eprintln!("started the relay for {}", dir.display());
    }
    Ok(())
}
