//! From a raw recording to something a browser can run again.
//!
//! A [`Recording`] is a faithful log of what the user did: clicks, final field
//! values, significant keys, scrolls, navigations, tab switches. Replaying it
//! literally would be brittle, so [`build_workflow`] first turns it into a
//! [`Workflow`]: replayable [`Step`]s grouped into page [`Segment`]s, with the
//! typed values lifted into named [`Parameter`]s. The exporters only ever read
//! that model:
//!
//! - [`export_openclaw_skill`] writes an Agent Skills folder (`SKILL.md` plus
//!   OpenClaw browser batch plans) that an agent can run.
//! - [`devtools_flow`] / [`to_devtools_json`] produce a Chrome DevTools
//!   Recorder user flow that `@puppeteer/replay` runs.
//!
//! Every export is a pure function of the recording (no clock, no random
//! names in the output), so exporting twice gives byte-identical files.
//! Redacted values were never captured, and no exporter invents one: they
//! become required inputs that the agent must ask the user for.

mod devtools;
mod openclaw;
mod review;
mod slug;

use std::path::PathBuf;

use workflow_format::{Recording, ValidationError};

pub use devtools::{devtools_flow, devtools_flow_with, to_devtools_json, to_devtools_json_with};
pub use openclaw::{
    MAX_BATCH_ACTIONS, SkillFile, default_skills_dir, render_openclaw_skill,
    render_openclaw_skill_with, url_glob,
};
#[cfg(feature = "write")]
pub use openclaw::{export_openclaw_skill, export_openclaw_skill_with};
pub use review::{Finding, FindingKind, looks_like_instructions, review};
pub use slug::skill_slug;
// The step model the exports are made from, for callers that export and
// inspect (the viewer, the CLI, the tests): defined in `clawtrail-steps`.
pub use clawtrail_steps::{
    Action, Alternative, AlternativeKind, Entry, ExpectedNavigation, LeftOut, Parameter, Segment,
    Step, Workflow, build_workflow,
};

/// Why an export did not happen. Nothing is written when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The recording breaks a rule of the format. Stored recordings were
    /// validated on arrival; checking again keeps a hand-edited or forged
    /// file from turning into a skill.
    #[error("the recording is not valid: {0}")]
    Invalid(#[from] ValidationError),
    /// The recording contains no page and no step: nothing to replay.
    #[error("the recording has nothing to replay (no page was visited)")]
    Empty,
    /// The target folder exists and is not a skill exported from this
    /// recording; it is left untouched.
    #[error(
        "{path} already exists and is not a skill exported from this recording; refusing to overwrite it"
    )]
    WouldOverwrite { path: PathBuf },
    /// No `--out` was given and the home directory is unknown.
    #[error("cannot find the home directory to place ~/.openclaw/skills; pass an output directory")]
    NoHome,
    /// Writing the files failed; see `clawtrail_fs::Error`.
    #[cfg(feature = "write")]
    #[error(transparent)]
    Write(clawtrail_fs::Error),
}

#[cfg(feature = "write")]
impl From<clawtrail_fs::Error> for ExportError {
    fn from(e: clawtrail_fs::Error) -> ExportError {
        match e {
            clawtrail_fs::Error::WouldOverwrite { path } => ExportError::WouldOverwrite { path },
            e => ExportError::Write(e),
        }
    }
}

/// What the user allowed an export to include. The defaults are the safe
/// ones: what is off here is left out and said so at the top of SKILL.md.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Keep clipboard shortcuts (`--allow-clipboard`); see [`LeftOut`].
    pub allow_clipboard: bool,
}

/// What a person should review before an agent runs an export of `rec`
/// (the "Review before use" list at the top of SKILL.md).
pub fn findings(rec: &Recording, opts: &ExportOptions) -> Result<Vec<Finding>, ExportError> {
    Ok(review(&checked_workflow(rec, opts)?))
}

/// Validates `rec` and builds its step model; shared by every exporter.
fn checked_workflow(rec: &Recording, opts: &ExportOptions) -> Result<Workflow, ExportError> {
    rec.validate()?;
    let mut workflow = build_workflow(rec);
    if workflow.segments.is_empty() {
        return Err(ExportError::Empty);
    }
    if opts.allow_clipboard {
        workflow.allow_clipboard();
    }
    Ok(workflow)
}
