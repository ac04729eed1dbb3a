//! Durable, private file writes.
//!
//! Everything the relay stores goes through [`write_new`] or
//! [`write_replace`]: write a temp file in the *same* directory, fsync it,
//! rename it into place, fsync the directory. A crash at any instant leaves
//! either the old state or the complete new file, plus at most a temp file
//! that [`remove_orphan_temps`] deletes at the next start.

use std::fs::{self, DirBuilder, File, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;

/// Temp files start with this, so no reader ever mistakes one for data.
pub const TEMP_PREFIX: &str = ".tmp-";

/// Creates `dir` (and parents) with mode 0700, and tightens it to 0700 if it
/// already existed: recordings can hold what the user typed.
pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    fs::set_permissions(dir, Permissions::from_mode(0o700))
}

/// fsyncs a directory so that a rename or unlink inside it is durable.
pub fn fsync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

fn temp_in(dir: &Path, bytes: &[u8], durable: bool) -> io::Result<tempfile::NamedTempFile> {
    // tempfile creates the file with mode 0600, before any byte is written.
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if durable {
        tmp.as_file().sync_all()?;
    }
    Ok(tmp)
}

/// Writes `bytes` to `dir/name` only if that file does not exist yet.
/// Returns `Ok(false)` (writing nothing) when it already exists.
pub fn write_new(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<bool> {
    let tmp = temp_in(dir, bytes, true)?;
    // persist_noclobber is an atomic rename that refuses to replace
    // (renameat2 RENAME_NOREPLACE, or link + unlink): two concurrent writers
    // of the same id cannot overwrite each other.
    match tmp.persist_noclobber(dir.join(name)) {
        Ok(_) => {}
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(e.error),
    }
    fsync_dir(dir)?;
    Ok(true)
}

/// Atomically and durably replaces (or creates) `dir/name` with `bytes`.
pub fn write_replace(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let tmp = temp_in(dir, bytes, true)?;
    tmp.persist(dir.join(name)).map_err(|e| e.error)?;
    fsync_dir(dir)
}

/// Like [`write_replace`] without the fsyncs, for caches only: after a
/// crash the file may be empty or old, which its reader must detect.
pub fn write_replace_cache(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let tmp = temp_in(dir, bytes, false)?;
    tmp.persist(dir.join(name)).map_err(|e| e.error)?;
    Ok(())
}

/// Deletes temp files a crash left behind. Only the relay calls this, while
/// it holds the data dir lock, so no live writer's temp file is touched.
pub fn remove_orphan_temps(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            match fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    if removed > 0 {
        fsync_dir(dir)?;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_files_are_private_and_never_clobbered() {
        let d = tempfile::tempdir().unwrap();
        assert!(write_new(d.path(), "a", b"one").unwrap());
        assert!(!write_new(d.path(), "a", b"two").unwrap());
        assert_eq!(fs::read(d.path().join("a")).unwrap(), b"one");
        assert_eq!(mode(&d.path().join("a")), 0o600);
        // The refused write left no temp file behind.
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[test]
    fn dirs_are_tightened_to_0700() {
        let d = tempfile::tempdir().unwrap();
        let sub = d.path().join("x/y");
        ensure_private_dir(&sub).unwrap();
        assert_eq!(mode(&sub), 0o700);
        fs::set_permissions(&sub, Permissions::from_mode(0o755)).unwrap();
        ensure_private_dir(&sub).unwrap();
        assert_eq!(mode(&sub), 0o700);
    }

    #[test]
    fn orphan_temps_are_removed_and_data_kept() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join(".tmp-abc"), b"partial").unwrap();
        write_replace(d.path(), "keep", b"x").unwrap();
        assert_eq!(remove_orphan_temps(d.path()).unwrap(), 1);
        let names: Vec<_> = fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec!["keep"]);
    }
}
