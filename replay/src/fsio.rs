//! Writing a folder so that readers see the old one or the new one, never a
//! mix: build it in a temporary directory beside the destination (same file
//! system, so `rename` is atomic) and swap it in.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::ExportError;
use crate::openclaw::SkillFile;

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> ExportError {
    let path = path.to_owned();
    move |source| ExportError::Io {
        action,
        path,
        source,
    }
}

/// Writes `files` into `parent/name/`.
///
/// `replaceable` decides, from an existing folder's SKILL.md text, whether
/// that folder may be replaced. A symlink, a file, or a folder without a
/// matching SKILL.md is never touched.
pub fn write_dir_atomically(
    parent: &Path,
    name: &str,
    files: &[SkillFile],
    replaceable: impl Fn(&str) -> bool,
) -> Result<PathBuf, ExportError> {
    let dest = parent.join(name);
    let existing = match fs::symlink_metadata(&dest) {
        Ok(meta) => {
            let ours = meta.is_dir()
                && fs::read_to_string(dest.join("SKILL.md")).is_ok_and(|t| replaceable(&t));
            if !ours {
                return Err(ExportError::WouldOverwrite { path: dest });
            }
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(io("inspecting", &dest)(e)),
    };
    fs::create_dir_all(parent).map_err(io("creating", parent))?;
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.tmp-"))
        .tempdir_in(parent)
        .map_err(io("creating a temporary folder in", parent))?;
    for f in files {
        let path = tmp.path().join(&f.path);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(io("creating", dir))?;
        }
        let mut file = fs::File::create(&path).map_err(io("creating", &path))?;
        file.write_all(&f.contents).map_err(io("writing", &path))?;
        file.sync_all().map_err(io("syncing", &path))?;
    }
    if existing {
        // Move the old folder aside first; put it back if the swap fails.
        let aside = tempfile::Builder::new()
            .prefix(&format!(".{name}.old-"))
            .tempdir_in(parent)
            .map_err(io("creating a temporary folder in", parent))?;
        fs::rename(&dest, aside.path()).map_err(io("moving aside", &dest))?;
        if let Err(e) = fs::rename(tmp.path(), &dest) {
            let _ = fs::rename(aside.path(), &dest);
            return Err(io("renaming into place", &dest)(e));
        }
        // `aside` now holds the old skill and is removed when dropped.
        drop(aside);
    } else {
        fs::rename(tmp.path(), &dest).map_err(io("renaming into place", &dest))?;
    }
    // The temporary path no longer exists; make sure drop does not try.
    let _ = tmp.keep();
    Ok(dest)
}
