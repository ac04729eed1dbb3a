//! Every file clawtrail writes, written one way.
//!
//! Recordings hold what the user typed, and exports (a skill folder keeps a
//! full copy of its recording) are just as sensitive, so whatever the umask:
//!
//! * **private**: folders this crate creates are 0700 and files 0600 from
//!   the moment they exist, then set to exactly that mode (a umask can only
//!   narrow a mode, never widen it, but an odd one such as 0o200 would
//!   leave a folder we cannot write);
//! * **atomic**: a file is written to a temp file in the *same* folder,
//!   fsynced, renamed into place, and the folder fsynced; a folder is built
//!   in a temp folder beside its target and renamed into place. A crash at
//!   any instant leaves the old state or the complete new one, plus at most
//!   a temp file ([`Dir::remove_orphan_temps`]) or a temp folder (removed
//!   by the next [`Dir::replace_dir`] of the same name);
//! * **no planted links**: a [`Dir`] opened with [`Links::Refuse`] is
//!   checked before every write, so a symbolic link put in its place
//!   (`recordings -> /somewhere`) gets an [`Error::Symlink`], not our bytes.
//!   A file's own name is never followed: a rename replaces a link, it does
//!   not write through it, and [`Dir::write_replace`] refuses to replace
//!   anything but a regular file.
//!
//! On non-Unix targets (the viewer compiles the exporters to wasm32, where
//! no file is ever written) modes and `O_NOFOLLOW` are skipped.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

/// Temp files and folders start with this, so no reader mistakes one for
/// data and crash recovery knows what it may delete.
pub const TEMP_PREFIX: &str = ".tmp-";

const DIR_MODE: u32 = 0o700;
const FILE_MODE: u32 = 0o600;

/// A temp folder of [`Dir::replace_dir`] older than this belongs to a writer
/// that died: a live one finishes in well under a second.
const STALE_TEMP_DIR: Duration = Duration::from_secs(10 * 60);

/// Whether a folder may be reached through a symbolic link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// The path may be a link to a folder: the user's own layout (an
    /// `--out` folder, a data dir kept elsewhere).
    Follow,
    /// The last component must be a real folder: folders clawtrail creates
    /// for itself inside its data dir.
    Refuse,
}

/// Why a write did not happen. Nothing was written when one is returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{} is a symbolic link; refusing to follow it", path.display())]
    Symlink { path: PathBuf },
    #[error("{} exists and is not a folder", path.display())]
    NotADirectory { path: PathBuf },
    #[error("{} exists and is not a regular file; refusing to replace it", path.display())]
    NotAFile { path: PathBuf },
    /// [`Dir::replace_dir`]: something is in the way that the caller did not
    /// accept as replaceable (a foreign folder, a file, a link).
    #[error("{} already exists and is not ours to replace; left untouched", path.display())]
    WouldOverwrite { path: PathBuf },
    /// A name or entry path that is not a plain relative path (`..`, `/`).
    #[error("{} is not a plain relative name", path.display())]
    BadName { path: PathBuf },
}

impl Error {
    /// The path the error is about.
    pub fn path(&self) -> &Path {
        match self {
            Error::Io { path, .. }
            | Error::Symlink { path }
            | Error::NotADirectory { path }
            | Error::NotAFile { path }
            | Error::WouldOverwrite { path }
            | Error::BadName { path } => path,
        }
    }

    /// The closest [`io::ErrorKind`], for callers that speak `io::Result`.
    pub fn kind(&self) -> io::ErrorKind {
        match self {
            Error::Io { source, .. } => source.kind(),
            Error::Symlink { .. } | Error::BadName { .. } => io::ErrorKind::InvalidInput,
            Error::NotADirectory { .. } => io::ErrorKind::NotADirectory,
            Error::NotAFile { .. } | Error::WouldOverwrite { .. } => io::ErrorKind::AlreadyExists,
        }
    }
}

/// Keeps the kind and the whole message (action and path included).
impl From<Error> for io::Error {
    fn from(e: Error) -> io::Error {
        io::Error::new(e.kind(), e)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> Error {
    let path = path.to_owned();
    move |source| Error::Io {
        action,
        path,
        source,
    }
}

#[cfg(unix)]
fn set_mode(file: &File, mode: u32, path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // fchmod on the open descriptor: no path lookup, so no link to follow.
    file.set_permissions(fs::Permissions::from_mode(mode))
        .map_err(io_err("setting the mode of", path))
}

#[cfg(not(unix))]
fn set_mode(_: &File, _: u32, _: &Path) -> Result<()> {
    Ok(())
}

/// Opens a folder for fchmod / fsync; with [`Links::Refuse`] a link in its
/// place is an [`Error::Symlink`] (`O_NOFOLLOW`, so no race with a check).
fn open_dir(path: &Path, links: Links) -> Result<File> {
    let mut opts = fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut flags = libc::O_DIRECTORY | libc::O_CLOEXEC;
        if links == Links::Refuse {
            flags |= libc::O_NOFOLLOW;
        }
        opts.custom_flags(flags);
    }
    if links == Links::Refuse {
        refuse_link(path)?;
    }
    opts.open(path)
        .map_err(|e| classify(path, links, e, "opening"))
}

/// Names an open or create failure precisely: a link or a non-folder in
/// the way rather than a bare "too many levels of symbolic links".
fn classify(path: &Path, links: Links, e: io::Error, action: &'static str) -> Error {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() && links == Links::Refuse => Error::Symlink {
            path: path.to_owned(),
        },
        Ok(m) if !m.is_dir() && !m.file_type().is_symlink() => Error::NotADirectory {
            path: path.to_owned(),
        },
        _ => io_err(action, path)(e),
    }
}

fn refuse_link(path: &Path) -> Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(Error::Symlink {
            path: path.to_owned(),
        }),
        Ok(m) if !m.is_dir() => Err(Error::NotADirectory {
            path: path.to_owned(),
        }),
        Ok(_) => Ok(()),
        Err(e) => Err(io_err("inspecting", path)(e)),
    }
}

/// Creates `path` and whichever of its parents are missing, each 0700.
/// Folders that already exist (the user's own, `--out .`) keep their mode,
/// and links among them are followed: that layout is the user's choice.
pub fn create_private_dir_all(path: &Path) -> Result<()> {
    match fs::metadata(path) {
        Ok(m) if m.is_dir() => return Ok(()),
        Ok(_) => {
            return Err(Error::NotADirectory {
                path: path.to_owned(),
            });
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err("inspecting", path)(e)),
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_private_dir_all(parent)?;
    }
    #[cfg_attr(not(unix), allow(unused_mut))] // the mode is Unix-only
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    match builder.create(path) {
        // Ours, just made: set exactly 0700 through a descriptor.
        Ok(()) => set_mode(&open_dir(path, Links::Refuse)?, DIR_MODE, path),
        // A concurrent creator won; it must still be a folder.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && path.is_dir() => Ok(()),
        Err(e) => Err(classify(path, Links::Follow, e, "creating")),
    }
}

/// Creates `path` (missing parents too) 0700, and tightens it to 0700 if it
/// already existed: a folder clawtrail keeps its own data in.
pub fn ensure_private_dir(path: &Path, links: Links) -> Result<()> {
    // Before creating: a dangling link must not read as "File exists".
    if links == Links::Refuse
        && fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
    {
        return Err(Error::Symlink {
            path: path.to_owned(),
        });
    }
    create_private_dir_all(path)?;
    set_mode(&open_dir(path, links)?, DIR_MODE, path)
}

/// fsyncs a folder so that a rename or unlink inside it is durable.
pub fn fsync_dir(path: &Path) -> Result<()> {
    open_dir(path, Links::Follow)?
        .sync_all()
        .map_err(io_err("syncing", path))
}

/// Opens `path` for appending (a log), creating it 0600; an existing file
/// is tightened to 0600 and a link in its place is refused.
pub fn open_private_append(path: &Path) -> Result<File> {
    let mut opts = fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(FILE_MODE)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
    }
    let file = opts
        .open(path)
        .map_err(|e| match fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => Error::Symlink {
                path: path.to_owned(),
            },
            _ => io_err("opening", path)(e),
        })?;
    set_mode(&file, FILE_MODE, path)?;
    Ok(file)
}

/// Writes one exported file, `dir/name`, replacing an older one (exports
/// are regenerated output): `dir` is created 0700 where missing, the file
/// is 0600, and a link or folder in its place is refused and left alone.
pub fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    create_private_dir_all(dir)?;
    Dir::new(dir, Links::Follow).write_replace(name, bytes)?;
    Ok(dir.join(name))
}

/// A single plain name: no separator, no `..`.
fn check_name(name: &str) -> Result<()> {
    let mut parts = Path::new(name).components();
    match (parts.next(), parts.next()) {
        (Some(Component::Normal(n)), None) if n == name => Ok(()),
        _ => Err(Error::BadName { path: name.into() }),
    }
}

/// A relative path that stays inside its folder.
fn check_entry(rel: &Path) -> Result<()> {
    let plain = rel.components().all(|c| matches!(c, Component::Normal(_)));
    if plain && rel.components().next().is_some() {
        Ok(())
    } else {
        Err(Error::BadName { path: rel.into() })
    }
}

/// Creates a new file 0600 (never an existing one, never through a link),
/// writes and fsyncs it.
fn create_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(FILE_MODE)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
    }
    let mut file = opts.open(path).map_err(io_err("creating", path))?;
    set_mode(&file, FILE_MODE, path)?;
    file.write_all(bytes).map_err(io_err("writing", path))?;
    file.sync_all().map_err(io_err("syncing", path))
}

/// A durable file written by [`Dir::stage`] that has no name yet. Dropped,
/// it is removed; a crash before [`Staged::persist_new`] leaves a temp file
/// that [`Dir::remove_orphan_temps`] deletes.
#[derive(Debug)]
pub struct Staged {
    dir: Dir,
    tmp: tempfile::NamedTempFile,
    len: u64,
}

impl Staged {
    /// How many bytes were written.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Gives the file the name `name` only if nothing by that name exists
    /// yet, then fsyncs the folder. Returns `Ok(false)` (removing the file)
    /// when something does.
    pub fn persist_new(self, name: &str) -> Result<bool> {
        check_name(name)?;
        self.dir.check()?;
        let dest = self.dir.join(name);
        // persist_noclobber is an atomic rename that refuses to replace
        // (renameat2 RENAME_NOREPLACE, or link + unlink): two concurrent
        // writers of the same name cannot overwrite each other.
        match self.tmp.persist_noclobber(&dest) {
            Ok(_) => {}
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
            Err(e) => return Err(io_err("renaming into", &dest)(e.error)),
        }
        self.dir.sync()?;
        Ok(true)
    }
}

/// Counts what passes through, for [`Staged::len`].
struct Counting<'a> {
    inner: &'a mut dyn Write,
    len: u64,
}

impl Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A folder that files are written into, with its link policy.
#[derive(Debug, Clone)]
pub struct Dir {
    path: PathBuf,
    links: Links,
}

impl AsRef<Path> for Dir {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl Dir {
    /// A folder that exists (or that the caller creates); no I/O. With
    /// [`Links::Refuse`] every write first checks it is not a link.
    pub fn new(path: impl Into<PathBuf>, links: Links) -> Dir {
        Dir {
            path: path.into(),
            links,
        }
    }

    /// [`ensure_private_dir`], then the handle.
    pub fn private(path: impl Into<PathBuf>, links: Links) -> Result<Dir> {
        let dir = Dir::new(path, links);
        ensure_private_dir(&dir.path, links)?;
        Ok(dir)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.path.join(name)
    }

    /// The write-time check: a folder swapped for a link since it was
    /// opened is refused here.
    fn check(&self) -> Result<()> {
        match self.links {
            Links::Refuse => refuse_link(&self.path),
            Links::Follow => Ok(()),
        }
    }

    /// fsyncs the folder (after an unlink the caller made).
    pub fn sync(&self) -> Result<()> {
        open_dir(&self.path, self.links)?
            .sync_all()
            .map_err(io_err("syncing", &self.path))
    }

    fn temp_file(&self, bytes: &[u8], durable: bool) -> Result<tempfile::NamedTempFile> {
        self.temp_file_with(|w| w.write_all(bytes), durable)
    }

    /// A private temp file in this folder, filled by `fill`.
    fn temp_file_with(
        &self,
        fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
        durable: bool,
    ) -> Result<tempfile::NamedTempFile> {
        self.check()?;
        let mut tmp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(&self.path)
            .map_err(io_err("creating a temporary file in", &self.path))?;
        // tempfile creates it 0600 before any byte is written; make it
        // exactly that whatever the umask.
        set_mode(tmp.as_file(), FILE_MODE, tmp.path())?;
        // Large writers (a 50 MB recording serialized straight into the
        // file) make many small writes; a big buffer turns them into few
        // system calls.
        let mut w = io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        let written = fill(&mut w).and_then(|()| w.flush());
        drop(w);
        written.map_err(io_err("writing", tmp.path()))?;
        if durable {
            tmp.as_file()
                .sync_all()
                .map_err(io_err("syncing", tmp.path()))?;
        }
        Ok(tmp)
    }

    /// Writes `bytes` to `name` only if nothing by that name exists yet.
    /// Returns `Ok(false)` (writing nothing) when something does.
    pub fn write_new(&self, name: &str, bytes: &[u8]) -> Result<bool> {
        check_name(name)?;
        self.stage(|w| w.write_all(bytes))?.persist_new(name)
    }

    /// Writes a file with `fill` and fsyncs it, without giving it a name
    /// yet: [`Staged::persist_new`] does, or dropping the [`Staged`]
    /// removes it. This lets a caller write while it still checks whether
    /// the file should exist at all (the relay validates an upload while
    /// its canonical form is being written), and write straight from a
    /// serializer instead of through a second buffer.
    pub fn stage(&self, fill: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<Staged> {
        let mut len = 0u64;
        let tmp = self.temp_file_with(
            |w| {
                let mut counting = Counting { inner: w, len: 0 };
                let r = fill(&mut counting);
                len = counting.len;
                r
            },
            true,
        )?;
        Ok(Staged {
            dir: self.clone(),
            tmp,
            len,
        })
    }

    fn replace(&self, name: &str, bytes: &[u8], durable: bool) -> Result<()> {
        check_name(name)?;
        let dest = self.join(name);
        match fs::symlink_metadata(&dest) {
            Ok(m) if !m.file_type().is_file() => return Err(Error::NotAFile { path: dest }),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err("inspecting", &dest)(e)),
        }
        let tmp = self.temp_file(bytes, durable)?;
        tmp.persist(&dest)
            .map_err(|e| io_err("renaming into", &dest)(e.error))?;
        if durable {
            self.sync()?;
        }
        Ok(())
    }

    /// Atomically and durably replaces (or creates) the regular file `name`.
    pub fn write_replace(&self, name: &str, bytes: &[u8]) -> Result<()> {
        self.replace(name, bytes, true)
    }

    /// Like [`Dir::write_replace`] without the fsyncs, for caches only:
    /// after a crash the file may be empty or old, which its reader must
    /// detect.
    pub fn write_cache(&self, name: &str, bytes: &[u8]) -> Result<()> {
        self.replace(name, bytes, false)
    }

    /// Deletes temp files a crash left behind. Call it only where no live
    /// writer can be (the relay does, holding the data dir lock).
    pub fn remove_orphan_temps(&self) -> Result<usize> {
        self.check()?;
        let mut removed = 0;
        let entries = fs::read_dir(&self.path).map_err(io_err("listing", &self.path))?;
        for entry in entries {
            let entry = entry.map_err(io_err("listing", &self.path))?;
            let is_file = entry.file_type().is_ok_and(|t| !t.is_dir());
            if is_file && entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                match fs::remove_file(entry.path()) {
                    Ok(()) => removed += 1,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(io_err("removing", &entry.path())(e)),
                }
            }
        }
        if removed > 0 {
            self.sync()?;
        }
        Ok(removed)
    }

    /// Writes the folder `name` holding `files` (paths relative to it), so
    /// that readers see the old folder or the new one, never a mix.
    ///
    /// It is built, 0700 / 0600 and fsynced, in a temp folder beside its
    /// destination (same file system, so the rename is atomic) and renamed
    /// into place. Something already at `name` is replaced only if it is a
    /// real folder and `replaceable` accepts it; a link, a file, or a folder
    /// it refuses is an [`Error::WouldOverwrite`] and stays untouched.
    pub fn replace_dir<P, B>(
        &self,
        name: &str,
        files: impl IntoIterator<Item = (P, B)>,
        replaceable: impl FnOnce(&Path) -> bool,
    ) -> Result<PathBuf>
    where
        P: AsRef<Path>,
        B: AsRef<[u8]>,
    {
        check_name(name)?;
        self.check()?;
        let dest = self.join(name);
        let existing = match fs::symlink_metadata(&dest) {
            Ok(m) if m.is_dir() && replaceable(&dest) => true,
            Ok(_) => return Err(Error::WouldOverwrite { path: dest }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(io_err("inspecting", &dest)(e)),
        };
        self.remove_stale_temp_dirs(name);
        let prefix = format!("{TEMP_PREFIX}{name}-");
        let tmp = self.temp_dir(&prefix)?;
        let mut dirs = vec![tmp.path().to_owned()];
        for (rel, bytes) in files {
            let rel = rel.as_ref();
            check_entry(rel)?;
            let path = tmp.path().join(rel);
            if let Some(parent) = path.parent()
                && !dirs.iter().any(|d| d == parent)
            {
                create_private_dir_all(parent)?;
                let mut p = parent;
                while p != tmp.path() && !dirs.iter().any(|d| d == p) {
                    dirs.push(p.to_owned());
                    p = p.parent().expect("inside the temp folder");
                }
            }
            create_file(&path, bytes.as_ref())?;
        }
        // Deepest first, so each folder's entries are durable before the
        // entry naming it.
        dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
        for d in &dirs {
            fsync_dir(d)?;
        }
        if existing {
            // Move the old folder aside first; put it back if the swap fails.
            let aside = self.temp_dir(&format!("{prefix}old-"))?;
            fs::rename(&dest, aside.path()).map_err(io_err("moving aside", &dest))?;
            if let Err(e) = fs::rename(tmp.path(), &dest) {
                let _ = fs::rename(aside.path(), &dest);
                return Err(io_err("renaming into place", &dest)(e));
            }
            // `aside` now holds the old folder and is removed when dropped.
            drop(aside);
        } else {
            fs::rename(tmp.path(), &dest).map_err(io_err("renaming into place", &dest))?;
        }
        // The temp path no longer exists; make sure its drop does not try.
        let _ = tmp.keep();
        self.sync()?;
        Ok(dest)
    }

    fn temp_dir(&self, prefix: &str) -> Result<tempfile::TempDir> {
        let mut builder = tempfile::Builder::new();
        builder.prefix(prefix);
        // tempfile makes folders with the umask's default mode otherwise.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(DIR_MODE));
        let tmp = builder
            .tempdir_in(&self.path)
            .map_err(io_err("creating a temporary folder in", &self.path))?;
        set_mode(&open_dir(tmp.path(), Links::Refuse)?, DIR_MODE, tmp.path())?;
        Ok(tmp)
    }

    /// Temp folders of `name` that a killed writer left: old enough that no
    /// live writer can own them. Best effort: a leftover only costs space.
    fn remove_stale_temp_dirs(&self, name: &str) {
        let prefix = format!("{TEMP_PREFIX}{name}-");
        let Ok(entries) = fs::read_dir(&self.path) else {
            return;
        };
        for entry in entries.flatten() {
            let stale = entry.file_name().to_string_lossy().starts_with(&prefix)
                && entry.file_type().is_ok_and(|t| t.is_dir())
                && entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > STALE_TEMP_DIR));
            if stale {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
}

#[cfg(all(test, unix))]
mod tests;
