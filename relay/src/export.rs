//! Writing a single exported file (a DevTools flow, a replay report) so
//! that a reader sees the old file or the new one, never a partial one.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// Writes `bytes` to `dir/name` through a temporary file in `dir` and a
/// rename. An existing regular file is replaced (exports are regenerated
/// output); a symlink or a folder in the way is refused and left alone.
pub fn write_file_atomically(dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let dest = dir.join(name);
    if let Ok(meta) = std::fs::symlink_metadata(&dest)
        && !meta.file_type().is_file()
    {
        anyhow::bail!(
            "{} exists and is not a regular file; refusing to replace it",
            dest.display()
        );
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".clawtrail-export-")
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("writing {}", dest.display()))?;
    tmp.persist(&dest)
        .with_context(|| format!("renaming into {}", dest.display()))?;
    Ok(dest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_files_but_not_symlinks_or_folders() {
        let dir = tempfile::tempdir().unwrap();
        let p = write_file_atomically(dir.path(), "a.json", b"one").unwrap();
        write_file_atomically(dir.path(), "a.json", b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        std::fs::create_dir(dir.path().join("d.json")).unwrap();
        assert!(write_file_atomically(dir.path(), "d.json", b"x").is_err());
        #[cfg(unix)]
        {
            let target = dir.path().join("target");
            std::fs::write(&target, b"keep").unwrap();
            std::os::unix::fs::symlink(&target, dir.path().join("l.json")).unwrap();
            assert!(write_file_atomically(dir.path(), "l.json", b"x").is_err());
            assert_eq!(std::fs::read(&target).unwrap(), b"keep");
        }
        // No temporary files are left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with(".clawtrail"))
            .collect();
        assert!(names.is_empty(), "{names:?}");
    }
}
