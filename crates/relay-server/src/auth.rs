//! Pairing keys, pairing codes and the nonces of signed requests.
//!
//! A pairing key (see the `clawtrail-trust` crate) is a shared secret: the
//! relay needs the key itself to check a request's HMAC and to sign its
//! answers, so `keys.json` holds them (0600, in a 0700 directory, written
//! atomically). A pending pairing code is kept in clear for its few
//! minutes, also 0600: SPAKE2 needs the password on both sides. The running
//! relay re-reads `keys.json` whenever it changes, so `clawtrail unpair` in
//! another process revokes access immediately.

use std::collections::{HashMap, VecDeque};
use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use clawtrail_trust::Key;
use serde::{Deserialize, Serialize};

use clawtrail_fs::{Dir, Links, TEMP_PREFIX};

pub const KEYS_FILE: &str = "keys.json";
/// Where earlier versions kept bearer-token hashes; removed on unpair.
const LEGACY_TOKENS_FILE: &str = "tokens.json";
pub const PAIRING_DIR: &str = "pairing";

/// Crockford base32: no I, L, O, U, so a code read aloud or retyped survives.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// 8 symbols = 40 bits; with 5 attempts a minute and a 5 minute lifetime a
/// guess succeeds with probability about 2^-35. SPAKE2 gives an attacker
/// no way to test guesses offline, so that is the whole chance.
const CODE_LEN: usize = 8;

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn random_bytes<const N: usize>() -> io::Result<[u8; N]> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| io::Error::other(e.to_string()))?;
    Ok(buf)
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct KeyFile {
    keys: Vec<KeyEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct KeyEntry {
    #[serde(flatten)]
    key: Key,
    created_at: DateTime<Utc>,
}

fn read_key_file(path: &Path) -> io::Result<KeyFile> {
    match fs::read(path) {
        Ok(b) => serde_json::from_slice(&b).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {e}", path.display()),
            )
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(KeyFile::default()),
        Err(e) => Err(e),
    }
}

fn write_key_file(data_dir: &Path, file: &KeyFile) -> io::Result<()> {
    let bytes = serde_json::to_vec_pretty(file).map_err(io::Error::other)?;
    Ok(Dir::new(data_dir, Links::Follow).write_replace(KEYS_FILE, &bytes)?)
}

/// What identifies a version of keys.json: an atomic rename always
/// changes the inode, so a stale cache is never mistaken for current.
type Stamp = Option<(u64, i64, i64, u64)>;

fn stamp(path: &Path) -> io::Result<Stamp> {
    match fs::metadata(path) {
        Ok(m) => Ok(Some((m.ino(), m.mtime(), m.mtime_nsec(), m.len()))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The pairing keys, re-read from disk when the file changes.
pub struct Keys {
    data_dir: PathBuf,
    cache: Mutex<(Stamp, Vec<Key>)>,
    /// Serialises this process's read-modify-write of keys.json.
    write: Mutex<()>,
}

impl Keys {
    pub fn new(data_dir: &Path) -> Keys {
        Keys {
            data_dir: data_dir.to_owned(),
            cache: Mutex::new((None, Vec::new())),
            write: Mutex::new(()),
        }
    }

    fn path(&self) -> PathBuf {
        self.data_dir.join(KEYS_FILE)
    }

    /// The key named `id`, if it is current.
    pub fn get(&self, id: &str) -> io::Result<Option<Key>> {
        let path = self.path();
        let now = stamp(&path)?;
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.0 != now || now.is_none() {
            let file = read_key_file(&path)?;
            *cache = (now, file.keys.into_iter().map(|e| e.key).collect());
        }
        Ok(cache.1.iter().find(|k| k.id == id).cloned())
    }

    /// Stores `key`; removes `replaces` (the key this extension paired
    /// with before: re-pairing rotates the key).
    pub fn add(&self, key: Key, replaces: Option<&str>) -> io::Result<()> {
        let _guard = self.write.lock().unwrap_or_else(|p| p.into_inner());
        let mut file = read_key_file(&self.path())?;
        if let Some(old) = replaces {
            file.keys.retain(|e| e.key.id != old);
        }
        file.keys.push(KeyEntry {
            key,
            created_at: Utc::now(),
        });
        write_key_file(&self.data_dir, &file)
    }
}

/// A fresh key id: 12 random bytes, hex.
pub fn new_key_id() -> io::Result<String> {
    Ok(to_hex(&random_bytes::<12>()?))
}

/// Revokes every pairing key and every pending pairing code. Returns how
/// many keys were revoked.
pub fn revoke_all(data_dir: &Path) -> io::Result<usize> {
    let count = read_key_file(&data_dir.join(KEYS_FILE))
        .map(|f| f.keys.len())
        .unwrap_or(0);
    write_key_file(data_dir, &KeyFile::default())?;
    match fs::remove_file(data_dir.join(LEGACY_TOKENS_FILE)) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let pairing = data_dir.join(PAIRING_DIR);
    if pairing.exists() {
        for entry in fs::read_dir(&pairing)? {
            fs::remove_file(entry?.path())?;
        }
        clawtrail_fs::fsync_dir(&pairing)?;
    }
    Ok(count)
}

#[derive(Debug, Serialize, Deserialize)]
struct PendingCode {
    code: String,
    expires_at: DateTime<Utc>,
}

/// A pending pairing code and the file that holds it.
#[derive(Debug, Clone)]
pub struct Pending {
    pub code: String,
    path: PathBuf,
}

/// Creates a one-time pairing code valid for `ttl`, for the relay serving
/// `data_dir` to accept once, and withdraws any code issued before it (the
/// relay pairs against the one current code). Returns it formatted as
/// `XXXX-XXXX`.
pub fn issue_code(data_dir: &Path, ttl: Duration) -> io::Result<(String, DateTime<Utc>)> {
    // A link planted as pairing/ would receive the code in clear.
    let dir = Dir::private(data_dir.join(PAIRING_DIR), Links::Refuse)?;
    let raw: String = random_bytes::<CODE_LEN>()?
        .iter()
        .map(|b| char::from(CODE_ALPHABET[usize::from(b & 31)]))
        .collect();
    let expires_at = Utc::now()
        + chrono::Duration::from_std(ttl).map_err(|e| io::Error::other(e.to_string()))?;
    let pending = PendingCode {
        code: raw.clone(),
        expires_at,
    };
    let name = format!("{}.json", to_hex(&random_bytes::<8>()?));
    let bytes = serde_json::to_vec(&pending).map_err(io::Error::other)?;
    for entry in fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json") {
            let _ = fs::remove_file(&path);
        }
    }
    dir.write_replace(&name, &bytes)?;
    Ok((format!("{}-{}", &raw[..4], &raw[4..]), expires_at))
}

/// The current pending code: the unexpired one issued last. Expired codes
/// found on the way are deleted.
pub fn current_code(data_dir: &Path, now: DateTime<Utc>) -> io::Result<Option<Pending>> {
    let dir = data_dir.join(PAIRING_DIR);
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut best: Option<(DateTime<Utc>, Pending)> = None;
    for entry in entries {
        let path = entry?.path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(TEMP_PREFIX))
        {
            continue;
        }
        let pending = fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<PendingCode>(&b).ok());
        let Some(pending) = pending else {
            continue;
        };
        if pending.expires_at <= now {
            let _ = fs::remove_file(&path);
            continue;
        }
        if best.as_ref().is_none_or(|(at, _)| pending.expires_at > *at) {
            best = Some((
                pending.expires_at,
                Pending {
                    code: pending.code,
                    path,
                },
            ));
        }
    }
    Ok(best.map(|(_, p)| p))
}

/// Consumes `pending`. True exactly once: removing the file is the claim,
/// so of two concurrent pairings only the one whose unlink succeeds wins.
pub fn consume_code(pending: &Pending) -> io::Result<bool> {
    match fs::remove_file(&pending.path) {
        Ok(()) => {
            if let Some(dir) = pending.path.parent() {
                clawtrail_fs::fsync_dir(dir)?;
            }
            Ok(true)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Nonces of signed requests seen within the replay window. A request
/// older than `clawtrail_trust::MAX_SKEW_SECS` is refused by its timestamp,
/// so a nonce is remembered for twice that and then forgotten.
pub struct Nonces {
    seen: Mutex<Seen>,
    max: usize,
}

/// Each remembered nonce with when it was seen, and the same in the order
/// they arrived (to forget the oldest first).
#[derive(Default)]
struct Seen {
    at: HashMap<String, i64>,
    order: VecDeque<(i64, String)>,
}

impl Nonces {
    pub fn new(max: usize) -> Nonces {
        Nonces {
            seen: Mutex::new(Seen::default()),
            max,
        }
    }

    /// Records `nonce` of `key_id` at `now` (Unix seconds); false when it
    /// was already seen (a replay) or when the table is full of nonces
    /// still inside the window (a flood: refusing is safe, the extension
    /// retries).
    pub fn fresh(&self, key_id: &str, nonce: &str, now: i64) -> bool {
        let keep = 2 * clawtrail_trust::MAX_SKEW_SECS;
        let mut guard = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let Seen { at: map, order } = &mut *guard;
        while order.front().is_some_and(|(at, _)| now - *at > keep) {
            if let Some((_, k)) = order.pop_front() {
                map.remove(&k);
            }
        }
        let k = format!("{key_id} {nonce}");
        if map.contains_key(&k) || map.len() >= self.max {
            return false;
        }
        map.insert(k.clone(), now);
        order.push_back((now, k));
        true
    }
}

/// A sliding-window limit on attempts (for `/v1/pair`). It is global, not
/// per client: every caller is 127.0.0.1, so there is no client to tell
/// apart.
pub struct RateLimiter {
    max: usize,
    window: Duration,
    hits: Mutex<VecDeque<Instant>>,
}

impl RateLimiter {
    pub fn new(max: usize, window: Duration) -> Self {
        RateLimiter {
            max,
            window,
            hits: Mutex::new(VecDeque::new()),
        }
    }

    /// Records an attempt; `Err(retry_after)` when over the limit.
    pub fn check(&self) -> Result<(), Duration> {
        let now = Instant::now();
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        while hits
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            hits.pop_front();
        }
        if hits.len() >= self.max {
            let oldest = *hits.front().expect("max > 0 when full");
            return Err(self.window.saturating_sub(now.duration_since(oldest)));
        }
        hits.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_last_code_issued_is_current_and_is_consumed_once() {
        let d = tempfile::tempdir().unwrap();
        let (first, _) = issue_code(d.path(), Duration::from_secs(60)).unwrap();
        let (code, _) = issue_code(d.path(), Duration::from_secs(60)).unwrap();
        assert_eq!(code.len(), 9);
        assert_ne!(first, code);
        let files: Vec<_> = fs::read_dir(d.path().join(PAIRING_DIR)).unwrap().collect();
        assert_eq!(files.len(), 1, "a new code withdraws the one before");
        let path = files[0].as_ref().unwrap().path();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let pending = current_code(d.path(), Utc::now()).unwrap().unwrap();
        assert_eq!(pending.code, code.replace('-', ""));
        assert!(consume_code(&pending).unwrap());
        assert!(!consume_code(&pending).unwrap());
        assert!(current_code(d.path(), Utc::now()).unwrap().is_none());
    }

    #[test]
    fn an_expired_code_is_not_current_and_is_removed() {
        let d = tempfile::tempdir().unwrap();
        let (_, exp) = issue_code(d.path(), Duration::from_secs(60)).unwrap();
        assert!(
            current_code(d.path(), exp + chrono::Duration::seconds(1))
                .unwrap()
                .is_none()
        );
        assert_eq!(fs::read_dir(d.path().join(PAIRING_DIR)).unwrap().count(), 0);
    }

    #[test]
    fn keys_are_found_until_revoked_by_another_writer_and_rotate_on_re_pair() {
        let d = tempfile::tempdir().unwrap();
        let keys = Keys::new(d.path());
        keys.add(Key::new("a".into(), [1; 32]), None).unwrap();
        assert!(keys.get("a").unwrap().is_some());
        keys.add(Key::new("b".into(), [2; 32]), Some("a")).unwrap();
        assert!(keys.get("a").unwrap().is_none(), "re-pairing replaced it");
        assert_eq!(keys.get("b").unwrap(), Some(Key::new("b".into(), [2; 32])));
        assert_eq!(
            fs::metadata(d.path().join(KEYS_FILE))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
        assert_eq!(revoke_all(d.path()).unwrap(), 1);
        assert!(keys.get("b").unwrap().is_none());
    }

    #[test]
    fn a_nonce_is_accepted_once_within_the_window() {
        let n = Nonces::new(3);
        assert!(n.fresh("k", "n1", 1000));
        assert!(!n.fresh("k", "n1", 1001), "a replay");
        assert!(n.fresh("other", "n1", 1001), "per key");
        assert!(n.fresh("k", "n2", 1002));
        assert!(!n.fresh("k", "n3", 1002), "full of live nonces: refused");
        // Past twice the skew window they are forgotten.
        let later = 1002 + 2 * clawtrail_trust::MAX_SKEW_SECS + 1;
        assert!(n.fresh("k", "n3", later));
    }

    #[test]
    fn rate_limiter_refuses_past_the_limit() {
        let rl = RateLimiter::new(2, Duration::from_secs(60));
        assert!(rl.check().is_ok());
        assert!(rl.check().is_ok());
        assert!(rl.check().is_err());
    }
}
