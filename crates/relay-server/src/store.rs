//! The recordings directory: one canonical JSON file per recording.
//!
//! `<data>/recordings/<uuid>.json` is the only source of truth. Listing
//! thousands of recordings must not parse every event of every one, so each
//! recording gets a small summary in `<data>/index/<uuid>.json`. A summary is
//! trusted only while its `size_bytes` matches the recording file (content
//! for an id never changes: a different body is a 409), and is rebuilt from
//! the recording whenever it is missing or stale.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use uuid::Uuid;
use workflow_format::{
    Recording, UrlPolicy, ValidationError, from_json_slice, to_canonical_json, write_canonical_json,
};

use clawtrail_fs::{Dir, Links, Staged, TEMP_PREFIX};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("recording {0} already exists with different content")]
    Conflict(Uuid),
    #[error("no recording with id {0}")]
    NotFound(Uuid),
    #[error("{}: {reason}", path.display())]
    Corrupt { path: PathBuf, reason: String },
    /// A change (a rename) would make the recording break a format rule.
    #[error("{0}")]
    Invalid(ValidationError),
    #[error("storage I/O failed: {0}")]
    Io(#[from] io::Error),
}

/// A refused or failed write is an I/O failure to the API (a 500 that
/// names no path to the client) and keeps its message for the log.
impl From<clawtrail_fs::Error> for StoreError {
    fn from(e: clawtrail_fs::Error) -> StoreError {
        StoreError::Io(e.into())
    }
}

/// What `put` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    /// A new recording was written.
    Created,
    /// The same id with byte-identical canonical content was already stored.
    Unchanged,
}

/// The listing types are the wire's, declared once in clawtrail-protocol.
pub use clawtrail_protocol::{Listing, RecordingSummary as Summary, Skipped};

pub struct Store {
    recordings: Dir,
    index: Dir,
}

impl Store {
    /// Opens (creating if needed) the store under `data_dir`.
    ///
    /// `recordings/` and `index/` must be real folders: a symbolic link
    /// planted in their place is refused here and again before every
    /// write, so recordings are never written through it.
    pub fn open(data_dir: &Path) -> io::Result<Store> {
        Ok(Store {
            recordings: Dir::private(data_dir.join("recordings"), Links::Refuse)?,
            index: Dir::private(data_dir.join("index"), Links::Refuse)?,
        })
    }

    /// Crash recovery, run by the relay at start while it holds the data dir
    /// lock: deletes temp files and summaries whose recording is gone.
    /// Returns how many files were removed.
    pub fn recover(&self) -> io::Result<usize> {
        let mut removed = self.recordings.remove_orphan_temps()?;
        removed += self.index.remove_orphan_temps()?;
        for entry in fs::read_dir(&self.index)? {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if parse_file_name(&name).is_some() && !self.recordings.join(&*name).exists() {
                fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    pub fn recordings_dir(&self) -> &Path {
        self.recordings.path()
    }

    fn file_name(id: Uuid) -> String {
        format!("{}.json", id.hyphenated())
    }

    /// Stores a (validated) recording in canonical form. Idempotent for
    /// identical content, a conflict for different content.
    pub fn put(&self, rec: &Recording) -> Result<(PutOutcome, Summary), StoreError> {
        let staged = self.stage(rec)?;
        self.commit(rec, staged)
    }

    /// The first half of [`Store::put`]: writes `rec`'s canonical form,
    /// durably, to a file no reader sees yet. The relay runs this while it
    /// still validates the upload; dropping the result removes the file,
    /// so an upload found invalid leaves nothing. Needs no lock.
    pub fn stage(&self, rec: &Recording) -> Result<Staged, StoreError> {
        Ok(self.recordings.stage(|w| write_canonical_json(rec, w))?)
    }

    /// [`Store::stage`] for bytes already known to be `rec`'s canonical
    /// form (`workflow_format::is_canonical_json`): the upload body as
    /// received, written while it is still being parsed.
    pub fn stage_bytes(&self, canonical: &[u8]) -> Result<Staged, StoreError> {
        Ok(self.recordings.stage(|w| w.write_all(canonical))?)
    }

    /// The second half of [`Store::put`]: gives the staged file its name.
    /// The caller serialises commits (the relay holds its write lock).
    pub fn commit(
        &self,
        rec: &Recording,
        staged: Staged,
    ) -> Result<(PutOutcome, Summary), StoreError> {
        let name = Self::file_name(rec.id);
        let summary = Summary::of(rec, staged.len());
        // Something by that name already (a retried upload, rarely): the
        // same bytes are the same upload, other bytes a conflict. Only then
        // is the canonical form held in memory, to compare.
        if !staged.persist_new(&name)? {
            let outcome = self
                .compare_existing(rec.id, &name, &to_canonical_json(rec))?
                .ok_or(StoreError::Conflict(rec.id))?;
            return Ok((outcome, summary));
        }
        // The summary is a cache: failing to write it loses nothing.
        if let Err(e) = self.write_summary(&summary) {
            tracing::warn!(id = %rec.id, error = %e, "could not write summary");
        }
        Ok((PutOutcome::Created, summary))
    }

    fn compare_existing(
        &self,
        id: Uuid,
        name: &str,
        bytes: &[u8],
    ) -> Result<Option<PutOutcome>, StoreError> {
        match fs::read(self.recordings.join(name)) {
            Ok(existing) if existing == bytes => Ok(Some(PutOutcome::Unchanged)),
            Ok(_) => Err(StoreError::Conflict(id)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn write_summary(&self, s: &Summary) -> io::Result<()> {
        let bytes = serde_json::to_vec(s).map_err(io::Error::other)?;
        // Not fsynced: a summary lost or emptied by a crash fails to parse
        // or mismatches the size, and is rebuilt from the recording.
        Ok(self.index.write_cache(&Self::file_name(s.id), &bytes)?)
    }

    /// The stored canonical bytes of a recording, checked to still parse and
    /// validate (the file could have been edited on disk).
    pub fn get(&self, id: Uuid) -> Result<(Recording, Vec<u8>), StoreError> {
        self.get_with(id, UrlPolicy::Web)
    }

    /// [`Store::get`], accepting the URLs `urls` allows: only
    /// `clawtrail replay --allow-file-urls` reads a recording (placed here
    /// by hand; the relay never accepts one) that holds `file:` pages.
    pub fn get_with(&self, id: Uuid, urls: UrlPolicy) -> Result<(Recording, Vec<u8>), StoreError> {
        let path = self.recordings.join(Self::file_name(id));
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(StoreError::NotFound(id)),
            Err(e) => return Err(e.into()),
        };
        let rec = parse_checked(&bytes, Some(id), urls).map_err(|reason| StoreError::Corrupt {
            path: path.clone(),
            reason,
        })?;
        Ok((rec, bytes))
    }

    /// Gives a stored recording a new name, the only field a user may
    /// change after the fact.
    ///
    /// The new name passes the same rules as an uploaded one (the whole
    /// recording is validated again), and the file is replaced atomically:
    /// a reader sees the old recording or the renamed one, never a mix.
    /// The caller serialises writers (the relay holds its write lock), so
    /// the read-modify-write cannot lose a concurrent rename.
    pub fn rename(&self, id: Uuid, name: &str) -> Result<Summary, StoreError> {
        let (mut rec, old_bytes) = self.get(id)?;
        rec.name = name.to_owned();
        rec.validate().map_err(StoreError::Invalid)?;
        let bytes = to_canonical_json(&rec);
        let summary = Summary::of(&rec, bytes.len() as u64);
        if bytes == old_bytes {
            return Ok(summary);
        }
        let file = Self::file_name(id);
        // A summary is trusted while its size matches the recording, and a
        // new name of the same byte length keeps the size. So the old
        // summary goes first, durably: after a crash at any later point the
        // summary is missing and `list` rebuilds it from the renamed file.
        match fs::remove_file(self.index.join(&file)) {
            Ok(()) => self.index.sync()?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        self.recordings.write_replace(&file, &bytes)?;
        if let Err(e) = self.write_summary(&summary) {
            tracing::warn!(%id, error = %e, "could not write summary");
        }
        Ok(summary)
    }

    pub fn delete(&self, id: Uuid) -> Result<(), StoreError> {
        let name = Self::file_name(id);
        match fs::remove_file(self.recordings.join(&name)) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(StoreError::NotFound(id)),
            Err(e) => return Err(e.into()),
        }
        self.recordings.sync()?;
        match fs::remove_file(self.index.join(&name)) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        Ok(())
    }

    /// Summaries of every readable recording, oldest first. Never fails on
    /// a bad file: it is listed in `skipped` instead.
    pub fn list(&self) -> Result<Listing, StoreError> {
        let mut listing = Listing::default();
        for entry in fs::read_dir(&self.recordings)? {
            let entry = entry?;
            let file = entry.file_name().to_string_lossy().into_owned();
            if file.starts_with(TEMP_PREFIX) {
                continue; // an upload in progress, or a crash leftover
            }
            let skip = |reason: String| Skipped {
                file: file.clone(),
                reason,
            };
            let Some(id) = parse_file_name(&file) else {
                listing
                    .skipped
                    .push(skip("not a recording (expected <uuid>.json)".into()));
                continue;
            };
            let meta = match entry.metadata() {
                Ok(m) if m.is_file() => m,
                Ok(_) => {
                    listing.skipped.push(skip("not a regular file".into()));
                    continue;
                }
                Err(e) => {
                    listing.skipped.push(skip(e.to_string()));
                    continue;
                }
            };
            match self.summary(id, meta.len()) {
                Ok(s) => listing.recordings.push(s),
                Err(reason) => listing.skipped.push(skip(reason)),
            }
        }
        listing.recordings.sort_by_key(|s| (s.started_at, s.id));
        listing.skipped.sort_by(|a, b| a.file.cmp(&b.file));
        Ok(listing)
    }

    /// The cached summary if it is current, else one rebuilt from the file.
    fn summary(&self, id: Uuid, size: u64) -> Result<Summary, String> {
        let name = Self::file_name(id);
        if let Ok(bytes) = fs::read(self.index.join(&name))
            && let Ok(s) = serde_json::from_slice::<Summary>(&bytes)
            && s.id == id
            && s.size_bytes == size
        {
            return Ok(s);
        }
        let bytes = fs::read(self.recordings.join(&name)).map_err(|e| e.to_string())?;
        let rec = parse_checked(&bytes, Some(id), UrlPolicy::Web)?;
        let s = Summary::of(&rec, bytes.len() as u64);
        if let Err(e) = self.write_summary(&s) {
            tracing::warn!(%id, error = %e, "could not write summary");
        }
        Ok(s)
    }
}

/// `<uuid>.json` -> the uuid, for canonical lower-case hyphenated names only.
fn parse_file_name(name: &str) -> Option<Uuid> {
    let stem = name.strip_suffix(".json")?;
    let id = Uuid::try_parse(stem).ok()?;
    (id.hyphenated().to_string() == stem).then_some(id)
}

/// Parses and validates stored bytes; the error says what is wrong.
fn parse_checked(bytes: &[u8], expect: Option<Uuid>, urls: UrlPolicy) -> Result<Recording, String> {
    let rec = from_json_slice(bytes).map_err(|e| format!("unreadable recording: {e}"))?;
    rec.validate_with(urls)
        .map_err(|e| format!("invalid recording: {e}"))?;
    if let Some(id) = expect
        && rec.id != id
    {
        return Err(format!(
            "file name says {id} but the recording is {}",
            rec.id
        ));
    }
    Ok(rec)
}
