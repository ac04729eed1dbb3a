//! `clawtrail export`: an OpenClaw skill folder or a DevTools Recorder flow.

use std::path::{Path, PathBuf};

use clawtrail_relay::store::Store;
use serde_json::json;

use super::{parse_id, print_json};
use crate::progress;

#[derive(clap::Args, Debug)]
pub struct Args {
    id: String,
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// Output folder [default: <data-dir>/skills for openclaw-skill,
    /// the current folder for devtools]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Keep clipboard shortcuts (copy, cut, paste, and the select-all
    /// before a copy) in the export; they are left out by default.
    #[arg(long)]
    allow_clipboard: bool,
    #[arg(long)]
    json: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ExportFormat {
    /// An Agent Skills folder with OpenClaw browser batch plans.
    OpenclawSkill,
    /// A Chrome DevTools Recorder / @puppeteer/replay user flow (.json).
    Devtools,
}

pub fn run(a: Args, dir: &Path) -> anyhow::Result<()> {
    let opts = clawtrail_export::ExportOptions {
        allow_clipboard: a.allow_clipboard,
    };
    let id = parse_id(&a.id)?;
    // A large recording takes a moment to read, check and convert: show the
    // stages on a terminal (nothing when piped).
    let progress = progress::bar(2, "stages");
    progress.set_message("reading and validating");
    let (rec, _) = Store::open(dir)?.get(id)?;
    progress.inc(1);
    progress.set_message(format!("exporting {} events", rec.events.len()));
    let path = match a.format {
        ExportFormat::OpenclawSkill => {
            let skills = dir.join("skills");
            let out = a.out.unwrap_or_else(|| skills.clone());
            if out == skills {
                // The data dir's own folder: private, never a planted link.
                clawtrail_fs::ensure_private_dir(&out, clawtrail_fs::Links::Refuse)?;
            }
            clawtrail_export::export_openclaw_skill_with(&rec, &out, &opts)?
        }
        ExportFormat::Devtools => {
            let out = a.out.unwrap_or_else(|| PathBuf::from("."));
            let flow = clawtrail_export::to_devtools_json_with(&rec, &opts)?;
            let name = format!("{}.devtools.json", clawtrail_export::skill_slug(&rec));
            clawtrail_fs::write_file(&out, &name, flow.as_bytes())?
        }
    };
    progress.inc(1);
    progress.finish_and_clear();
    // What SKILL.md opens with, also said where the user is looking (a
    // DevTools flow has no place for it).
    let review = clawtrail_export::findings(&rec, &opts)?;
    if a.json {
        return print_json(&json!({"id": id, "path": path, "review": review}));
    }
    if !review.is_empty() {
        eprintln!("Review before an agent runs this export:");
        for f in &review {
            eprintln!("  - {}", f.text);
        }
    }
    println!("{}", path.display());
    Ok(())
}
