//! `clawtrail replay`: run a recording in a fresh Chromium, step by step.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clawtrail_relay::store::Store;

use super::parse_id;

#[derive(clap::Args, Debug)]
pub struct Args {
    id: String,
    /// A value for an input, e.g. --param email=ada@example.com (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    /// Run without a window [default: when there is no display].
    #[arg(long)]
    headless: bool,
    /// Also write the report as JSON (failure screenshots go beside it).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Seconds to wait for each step's element.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    step_timeout_secs: u64,
    /// Seconds to wait for each expected navigation or new tab.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=600))]
    navigation_timeout_secs: u64,
    /// Replay clipboard shortcuts (copy, cut, paste, and the select-all
    /// before a copy); without it the replay stops at the first one.
    #[arg(long)]
    allow_clipboard: bool,
    /// Let the replay open file: pages. A recording holding one is
    /// refused otherwise, and the replay browser blocks file:// anyway.
    #[arg(long)]
    allow_file_urls: bool,
}

pub fn run(a: Args, dir: &Path) -> anyhow::Result<()> {
    let id = parse_id(&a.id)?;
    let urls = if a.allow_file_urls {
        workflow_format::UrlPolicy::WebAndFiles
    } else {
        workflow_format::UrlPolicy::Web
    };
    let (rec, _) = Store::open(dir)?.get_with(id, urls)?;
    let params = a
        .params
        .iter()
        .map(|p| clawtrail_driver::parse_param_arg(p))
        .collect::<Result<Vec<_>, _>>()?;
    // Screenshots go beside the report, or under the data dir.
    let artifacts_dir = match &a.report {
        Some(file) => file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(".")),
        None => dir.join("replays").join(id.to_string()),
    };
    let opts = clawtrail_driver::ReplayOptions {
        browser: clawtrail_driver::BrowserOptions {
            headless: a.headless || clawtrail_driver::default_headless(),
            ..Default::default()
        },
        params,
        timeouts: clawtrail_driver::Timeouts {
            element: Duration::from_secs(a.step_timeout_secs),
            navigation: Duration::from_secs(a.navigation_timeout_secs),
        },
        artifacts_dir,
        allow_clipboard: a.allow_clipboard,
        allow_file_urls: a.allow_file_urls,
    };
    let rt = tokio::runtime::Runtime::new()?;
    let result = rt.block_on(clawtrail_driver::replay(&rec, &opts))?;
    print!("{}", result.render_table());
    if let Some(file) = &a.report {
        let parent = file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = file
            .file_name()
            .context("--report needs a file name")?
            .to_string_lossy()
            .into_owned();
        clawtrail_fs::write_file(parent, &name, result.to_json().as_bytes())?;
    }
    if result.passed {
        Ok(())
    } else {
        anyhow::bail!("replay failed")
    }
}
