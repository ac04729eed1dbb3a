//! The OpenClaw skill export: a folder an agent can load as a skill.
//!
//! ```text
//! <slug>/
//!   SKILL.md                  goal, inputs, steps, checks, how to run
//!   references/plan-01.json   one OpenClaw batch per page segment
//!   references/point-03.js    where to click by coordinates after plan 3
//!   references/recording.json the source recording
//! ```

mod plan;
mod skill_md;

use std::path::{Path, PathBuf};

use workflow_format::Recording;

pub use plan::{MAX_BATCH_ACTIONS, url_glob};

use crate::slug::skill_slug;
use crate::{ExportError, ExportOptions};

/// One file of a rendered skill, relative to the skill folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillFile {
    pub path: PathBuf,
    pub contents: Vec<u8>,
}

/// Renders the skill of `rec` in memory: its folder name and its files.
///
/// The recording is validated first, so a recording that carries a value
/// in a field that must be redacted is refused rather than exported.
pub fn render_openclaw_skill(rec: &Recording) -> Result<(String, Vec<SkillFile>), ExportError> {
    render_openclaw_skill_with(rec, &ExportOptions::default())
}

/// [`render_openclaw_skill`] with what the user allowed.
pub fn render_openclaw_skill_with(
    rec: &Recording,
    opts: &ExportOptions,
) -> Result<(String, Vec<SkillFile>), ExportError> {
    let wf = crate::checked_workflow(rec, opts)?;
    let slug = skill_slug(rec);
    let plans = plan::plans(&wf);
    let mut files = vec![SkillFile {
        path: PathBuf::from("SKILL.md"),
        contents: skill_md::render(rec, &wf, &plans, &slug).into_bytes(),
    }];
    for p in &plans {
        let mut json = serde_json::to_string_pretty(&p.actions).expect("plan actions serialize");
        json.push('\n');
        files.push(SkillFile {
            path: Path::new("references").join(p.file_name()),
            contents: json.into_bytes(),
        });
        if let Some(point) = &p.then {
            files.push(SkillFile {
                path: Path::new("references").join(p.point_file_name()),
                contents: format!("{}\n", point.function).into_bytes(),
            });
        }
    }
    // Validation guarantees every sensitive field is redacted, so the
    // recording holds no secret and is kept as the source of truth.
    let mut json = serde_json::to_string_pretty(rec).expect("a Recording always serializes");
    json.push('\n');
    files.push(SkillFile {
        path: PathBuf::from("references/recording.json"),
        contents: json.into_bytes(),
    });
    Ok((slug, files))
}

/// Writes the skill of `rec` to `out_dir/<slug>/` and returns that path.
///
/// The folder is built next to its destination and renamed into place, so
/// a failure leaves either the old folder or nothing, never half a skill.
/// An existing folder is replaced only if it is a skill exported from the
/// same recording; anything else is refused with
/// [`ExportError::WouldOverwrite`].
#[cfg(feature = "write")]
pub fn export_openclaw_skill(rec: &Recording, out_dir: &Path) -> Result<PathBuf, ExportError> {
    export_openclaw_skill_with(rec, out_dir, &ExportOptions::default())
}

/// [`export_openclaw_skill`] with what the user allowed.
#[cfg(feature = "write")]
pub fn export_openclaw_skill_with(
    rec: &Recording,
    out_dir: &Path,
    opts: &ExportOptions,
) -> Result<PathBuf, ExportError> {
    let (slug, files) = render_openclaw_skill_with(rec, opts)?;
    let marker = format!("  clawtrail-recording-id: \"{}\"\n", rec.id);
    let ours = |dir: &Path| {
        std::fs::read_to_string(dir.join("SKILL.md"))
            .is_ok_and(|md| frontmatter(&md).is_some_and(|fm| fm.contains(&marker)))
    };
    // 0700 / 0600 wherever it goes: the folder holds the whole recording.
    clawtrail_fs::create_private_dir_all(out_dir)?;
    let out = clawtrail_fs::Dir::new(out_dir, clawtrail_fs::Links::Follow);
    let files = files.iter().map(|f| (&f.path, &f.contents));
    Ok(out.replace_dir(&slug, files, ours)?)
}

/// The frontmatter block of a SKILL.md, without its `---` fences.
#[cfg(feature = "write")]
fn frontmatter(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    Some(&rest[..=end])
}

/// `~/.openclaw/skills`, the default output folder.
pub fn default_skills_dir() -> Result<PathBuf, ExportError> {
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .ok_or(ExportError::NoHome)?;
    Ok(PathBuf::from(home).join(".openclaw").join("skills"))
}
