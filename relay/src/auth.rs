//! Tokens and pairing codes.
//!
//! Secrets never rest on disk in the clear: `tokens.json` and the files in
//! `pairing/` hold SHA-256 hashes (and are 0600 anyway). The running relay
//! re-reads `tokens.json` whenever it changes, so `clawtrail unpair` in
//! another process revokes access immediately.

use std::collections::VecDeque;
use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::fsutil;

pub const TOKENS_FILE: &str = "tokens.json";
pub const PAIRING_DIR: &str = "pairing";

/// Crockford base32: no I, L, O, U, so a code read aloud or retyped survives.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// 8 symbols = 40 bits; with 5 attempts a minute and a 5 minute lifetime a
/// guess succeeds with probability about 2^-35.
const CODE_LEN: usize = 8;

fn sha256(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn random_bytes<const N: usize>() -> io::Result<[u8; N]> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| io::Error::other(e.to_string()))?;
    Ok(buf)
}

/// A fresh bearer token: 32 random bytes, base64url without padding.
pub fn new_token() -> io::Result<String> {
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>()?))
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct TokenFile {
    tokens: Vec<TokenEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct TokenEntry {
    sha256: String,
    created_at: DateTime<Utc>,
}

fn read_token_file(path: &Path) -> io::Result<TokenFile> {
    match fs::read(path) {
        Ok(b) => serde_json::from_slice(&b).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {e}", path.display()),
            )
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(TokenFile::default()),
        Err(e) => Err(e),
    }
}

fn write_token_file(data_dir: &Path, file: &TokenFile) -> io::Result<()> {
    let bytes = serde_json::to_vec_pretty(file).map_err(io::Error::other)?;
    fsutil::write_replace(data_dir, TOKENS_FILE, &bytes)
}

/// What identifies a version of tokens.json: an atomic rename always
/// changes the inode, so a stale cache is never mistaken for current.
type Stamp = Option<(u64, i64, i64, u64)>;

fn stamp(path: &Path) -> io::Result<Stamp> {
    match fs::metadata(path) {
        Ok(m) => Ok(Some((m.ino(), m.mtime(), m.mtime_nsec(), m.len()))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The set of valid token hashes, re-read from disk when the file changes.
pub struct Tokens {
    data_dir: PathBuf,
    cache: Mutex<(Stamp, Vec<[u8; 32]>)>,
    /// Serialises this process's read-modify-write of tokens.json.
    write: Mutex<()>,
}

impl Tokens {
    pub fn new(data_dir: &Path) -> Tokens {
        Tokens {
            data_dir: data_dir.to_owned(),
            cache: Mutex::new((None, Vec::new())),
            write: Mutex::new(()),
        }
    }

    fn path(&self) -> PathBuf {
        self.data_dir.join(TOKENS_FILE)
    }

    /// Whether `presented` is a current token. Every stored hash is
    /// compared in constant time and the results are combined without
    /// branching, so timing reveals neither which nor how much matched.
    pub fn verify(&self, presented: &str) -> io::Result<bool> {
        let path = self.path();
        let now = stamp(&path)?;
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.0 != now || now.is_none() {
            let file = read_token_file(&path)?;
            let hashes = file
                .tokens
                .iter()
                .filter_map(|t| from_hex(&t.sha256))
                .collect();
            *cache = (now, hashes);
        }
        let wanted = sha256(presented);
        let mut ok = subtle::Choice::from(0);
        for h in &cache.1 {
            ok |= h.ct_eq(&wanted);
        }
        Ok(bool::from(ok))
    }

    /// Mints a token, stores its hash and returns the token itself (the
    /// only time it exists outside the extension).
    pub fn issue(&self) -> io::Result<String> {
        let token = new_token()?;
        let _guard = self.write.lock().unwrap_or_else(|p| p.into_inner());
        let mut file = read_token_file(&self.path())?;
        file.tokens.push(TokenEntry {
            sha256: to_hex(&sha256(&token)),
            created_at: Utc::now(),
        });
        write_token_file(&self.data_dir, &file)?;
        Ok(token)
    }
}

/// Revokes every token and every pending pairing code. Returns how many
/// tokens were revoked.
pub fn revoke_all(data_dir: &Path) -> io::Result<usize> {
    let count = read_token_file(&data_dir.join(TOKENS_FILE))
        .map(|f| f.tokens.len())
        .unwrap_or(0);
    write_token_file(data_dir, &TokenFile::default())?;
    let pairing = data_dir.join(PAIRING_DIR);
    if pairing.exists() {
        for entry in fs::read_dir(&pairing)? {
            fs::remove_file(entry?.path())?;
        }
        fsutil::fsync_dir(&pairing)?;
    }
    Ok(count)
}

#[derive(Debug, Serialize, Deserialize)]
struct PendingCode {
    sha256: String,
    expires_at: DateTime<Utc>,
}

/// Upper-cases and strips separators; maps the look-alikes Crockford
/// allows (O->0, I/L->1).
pub fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

/// Creates a one-time pairing code valid for `ttl`, for the relay serving
/// `data_dir` to accept once. Returns it formatted as `XXXX-XXXX`.
pub fn issue_code(data_dir: &Path, ttl: Duration) -> io::Result<(String, DateTime<Utc>)> {
    let dir = data_dir.join(PAIRING_DIR);
    fsutil::ensure_private_dir(&dir)?;
    let raw: String = random_bytes::<CODE_LEN>()?
        .iter()
        .map(|b| char::from(CODE_ALPHABET[usize::from(b & 31)]))
        .collect();
    let expires_at = Utc::now()
        + chrono::Duration::from_std(ttl).map_err(|e| io::Error::other(e.to_string()))?;
    let pending = PendingCode {
        sha256: to_hex(&sha256(&raw)),
        expires_at,
    };
    let name = format!("{}.json", to_hex(&random_bytes::<8>()?));
    let bytes = serde_json::to_vec(&pending).map_err(io::Error::other)?;
    fsutil::write_replace(&dir, &name, &bytes)?;
    Ok((format!("{}-{}", &raw[..4], &raw[4..]), expires_at))
}

/// Consumes a pending code. True exactly once per issued, unexpired code.
/// Expired codes found on the way are deleted.
pub fn redeem_code(data_dir: &Path, code: &str, now: DateTime<Utc>) -> io::Result<bool> {
    let dir = data_dir.join(PAIRING_DIR);
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    let wanted = sha256(&normalize_code(code));
    let mut matched = None;
    for entry in entries {
        let path = entry?.path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(fsutil::TEMP_PREFIX))
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
        if let Some(h) = from_hex(&pending.sha256)
            && bool::from(h.ct_eq(&wanted))
        {
            matched = Some(path);
        }
    }
    let Some(path) = matched else {
        return Ok(false);
    };
    // Removing the file is the claim: of two concurrent redeemers only the
    // one whose unlink succeeds gets a token.
    match fs::remove_file(&path) {
        Ok(()) => {
            fsutil::fsync_dir(&dir)?;
            Ok(true)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
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
    fn a_code_is_accepted_once_and_stored_hashed() {
        let d = tempfile::tempdir().unwrap();
        let (code, _) = issue_code(d.path(), Duration::from_secs(60)).unwrap();
        assert_eq!(code.len(), 9);
        let files: Vec<_> = fs::read_dir(d.path().join(PAIRING_DIR)).unwrap().collect();
        assert_eq!(files.len(), 1);
        let path = files[0].as_ref().unwrap().path();
        let on_disk = fs::read_to_string(&path).unwrap();
        assert!(!on_disk.contains(&code.replace('-', "")));
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(!redeem_code(d.path(), "0000-0000", Utc::now()).unwrap());
        assert!(redeem_code(d.path(), &code.to_lowercase(), Utc::now()).unwrap());
        assert!(!redeem_code(d.path(), &code, Utc::now()).unwrap());
    }

    #[test]
    fn an_expired_code_is_refused_and_removed() {
        let d = tempfile::tempdir().unwrap();
        let (code, exp) = issue_code(d.path(), Duration::from_secs(60)).unwrap();
        assert!(!redeem_code(d.path(), &code, exp + chrono::Duration::seconds(1)).unwrap());
        assert_eq!(fs::read_dir(d.path().join(PAIRING_DIR)).unwrap().count(), 0);
    }

    #[test]
    fn tokens_verify_until_revoked_by_another_writer() {
        let d = tempfile::tempdir().unwrap();
        let tokens = Tokens::new(d.path());
        let t = tokens.issue().unwrap();
        assert!(tokens.verify(&t).unwrap());
        assert!(!tokens.verify("nope").unwrap());
        let on_disk = fs::read_to_string(d.path().join(TOKENS_FILE)).unwrap();
        assert!(!on_disk.contains(&t));
        assert_eq!(revoke_all(d.path()).unwrap(), 1);
        assert!(!tokens.verify(&t).unwrap());
    }

    #[test]
    fn rate_limiter_refuses_past_the_limit() {
        let rl = RateLimiter::new(2, Duration::from_secs(60));
        assert!(rl.check().is_ok());
        assert!(rl.check().is_ok());
        assert!(rl.check().is_err());
    }
}
