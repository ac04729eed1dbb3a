//! `clawtrail install-handler`: register the `multiclaw://` link handler.

use std::path::Path;

use anyhow::Context;

use crate::url_scheme;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long)]
    uninstall: bool,
}

pub fn run(Args { uninstall }: Args, dir: &Path) -> anyhow::Result<()> {
    if uninstall {
        let p = url_scheme::uninstall()?;
        println!(
            "Removed {} and the {} default.",
            p.desktop_file.display(),
            url_scheme::MIME
        );
    } else {
        let exe = std::env::current_exe().context("cannot locate the clawtrail binary")?;
        let p = url_scheme::install(&exe, dir)?;
        println!("Installed {}", p.desktop_file.display());
        println!("Set {} in {}", url_scheme::MIME, p.mimeapps.display());
    }
    Ok(())
}
