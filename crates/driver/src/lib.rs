//! The native replayer behind `clawtrail replay`.
//!
//! It turns a recording into the step model of `clawtrail-steps`, settles
//! every input before a browser starts ([`params`]), drives a fresh Chromium
//! through chromedriver ([`browser`]), runs the steps ([`run`]) and returns a
//! per-step [`Report`].
//!
//! The choice of WebDriver over a raw CDP client is about build cost and
//! input fidelity: `fantoccini` compiles in seconds where a generated CDP
//! crate takes minutes, and chromedriver dispatches WebDriver actions as
//! trusted input events, which is what pages check for.

pub mod browser;
pub mod params;
pub mod report;
pub mod run;

use std::path::PathBuf;

use clawtrail_steps::{Workflow, build_workflow};
use workflow_format::{Recording, UrlPolicy, ValidationError};

pub use browser::{Browser, BrowserOptions, default_headless, replay_prefs};
pub use params::{MissingParam, ParamError, parse_param_arg};
pub use report::{Attempt, FinalCheck, Report, StepReport, StepStatus};
pub use run::Timeouts;

/// Why a replay did not run at all. A replay that ran and failed at a step
/// is not an error: it is a [`Report`] with `passed == false`.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// Stored recordings were validated on arrival; a hand-edited or forged
    /// file is checked again before a browser acts on it.
    #[error("the recording is not valid: {0}")]
    Invalid(#[from] ValidationError),
    #[error("the recording has nothing to replay (no page was visited)")]
    Empty,
    #[error(transparent)]
    Params(#[from] ParamError),
    #[error("cannot start the browser: {0}")]
    Launch(String),
}

/// Everything a replay needs besides the recording.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    pub browser: BrowserOptions,
    /// `--param name=value` pairs.
    pub params: Vec<(String, String)>,
    pub timeouts: Timeouts,
    /// Where failure screenshots go.
    pub artifacts_dir: PathBuf,
    /// Replay clipboard shortcuts (`--allow-clipboard`). Without it a
    /// replay stops at the first one: see `clawtrail_steps::LeftOut`.
    pub allow_clipboard: bool,
    /// Open `file:` pages (`--allow-file-urls`). Without it a recording
    /// holding one is refused, and the browser blocks `file://` by policy.
    pub allow_file_urls: bool,
}

/// What would run: the step model and the value of every parameter. Fails
/// without touching a browser when the recording is invalid or an input is
/// missing.
pub fn prepare(
    rec: &Recording,
    params: &[(String, String)],
) -> Result<(Workflow, Vec<String>), ReplayError> {
    prepare_with(rec, params, false, UrlPolicy::Web)
}

/// [`prepare`] with what the user allowed.
pub fn prepare_with(
    rec: &Recording,
    params: &[(String, String)],
    allow_clipboard: bool,
    urls: UrlPolicy,
) -> Result<(Workflow, Vec<String>), ReplayError> {
    rec.validate_with(urls)?;
    let mut workflow = build_workflow(rec);
    if allow_clipboard {
        workflow.allow_clipboard();
    }
    if workflow.segments.is_empty() {
        return Err(ReplayError::Empty);
    }
    let values = params::resolve(&workflow, params)?;
    Ok((workflow, values))
}

/// Replays `rec` in a fresh headless (or headed) Chromium.
pub async fn replay(rec: &Recording, opts: &ReplayOptions) -> Result<Report, ReplayError> {
    let urls = if opts.allow_file_urls {
        UrlPolicy::WebAndFiles
    } else {
        UrlPolicy::Web
    };
    let (workflow, values) = prepare_with(rec, &opts.params, opts.allow_clipboard, urls)?;
    let browser = browser::Browser::launch(&opts.browser, opts.allow_file_urls).await?;
    let mut report = Report::planned(rec.id.to_string(), &workflow);
    run::Runner::new(
        &browser.client,
        &workflow,
        &values,
        opts.timeouts,
        opts.artifacts_dir.clone(),
    )
    .run(&mut report)
    .await;
    browser.close().await;
    Ok(report)
}
