//! Writes large valid recordings for scripts/bench: one upload body, or a
//! whole data directory for `clawtrail list`; and pairs with a relay and
//! signs upload requests, as the extension does, for the ingest benchmark
//! (wrk's Lua cannot compute an HMAC).

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use workflow_format::to_canonical_json;

#[derive(Parser)]
#[command(about = "Generates valid clawtrail recordings for the benchmarks")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// One recording's canonical JSON (an upload body).
    Body {
        #[arg(long)]
        events: usize,
        /// Selects the (deterministic) recording id.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// A relay data directory holding `count` recordings, written the way
    /// the store lays them out (`recordings/<id>.json`, no summary cache),
    /// so the first `clawtrail list` is a cold one.
    Store {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long)]
        count: u64,
        #[arg(long, default_value_t = 20)]
        events: usize,
    },
    /// Pairs with the relay on 127.0.0.1:`port` using `code` (from
    /// `clawtrail pair`), as the extension does; prints the key as JSON.
    Pair {
        #[arg(long)]
        port: u16,
        #[arg(long)]
        code: String,
    },
    /// Signs `count` uploads of `body` per thread, each with a fresh
    /// recording id in place of `id` and a fresh nonce: writes
    /// `<out>.<thread>` (1-based), one `id<TAB>authorization` line each.
    SignUploads {
        #[arg(long)]
        key: String,
        #[arg(long)]
        port: u16,
        #[arg(long)]
        body: PathBuf,
        #[arg(long)]
        id: String,
        #[arg(long)]
        count: usize,
        #[arg(long, default_value_t = 1)]
        threads: usize,
        #[arg(long)]
        out: PathBuf,
    },
    /// A replay benchmark recording (load `url`, then `clicks` clicks on its
    /// buttons), stored as `recordings/<id>.json` in `data_dir`.
    Replay {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long)]
        url: String,
        #[arg(long)]
        clicks: usize,
        /// Selects the (deterministic) recording id, printed on stdout.
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
    /// What an upload of `body` costs at the least on this machine, each
    /// part alone (median of `runs`, in ms, as JSON): storing the bytes the
    /// way the relay stores a recording (temp file, fsync, rename, fsync of
    /// the folder, through clawtrail-fs), plain serde_json parsing into the
    /// format's types, and the SHA-256 of the body. The relay's upload
    /// latency is reported against their sum.
    Floor {
        #[arg(long)]
        body: PathBuf,
        /// A folder on the file system the relay's data dir is on.
        #[arg(long)]
        dir: PathBuf,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
}

/// The median of `runs` timings of `f`, in milliseconds.
fn median_ms(runs: usize, mut f: impl FnMut() -> Result<()>) -> Result<f64> {
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let start = std::time::Instant::now();
        f()?;
        ms.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    Ok(ms[ms.len() / 2])
}

/// One JSON POST to the relay on loopback; its status and body.
fn post(port: u16, path: &str, body: &str) -> Result<(u16, serde_json::Value)> {
    use std::io::Read;
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port))
        .with_context(|| format!("connecting to 127.0.0.1:{port}"))?;
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = String::new();
    s.read_to_string(&mut answer)?;
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .context("no HTTP status")?;
    let json = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| serde_json::from_str(b).unwrap_or_default())
        .unwrap_or_default();
    Ok((status, json))
}

fn pair(port: u16, code: &str) -> Result<clawtrail_trust::Key> {
    use clawtrail_trust::pairing::{Role, Start};
    let mut random = [0u8; 64];
    random[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    random[16..32].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    random[32..48].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    random[48..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    let start = Start::new(Role::Extension, code, random);
    let (status, first) = post(
        port,
        "/v1/pair",
        &serde_json::json!({"msg": start.message()}).to_string(),
    )?;
    if status != 200 {
        bail!("pairing refused: {status} {first}");
    }
    let session = start
        .finish(first["msg"].as_str().context("no msg")?)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let confirm = serde_json::json!({
        "session": first["session"],
        "confirm": session.confirmation(Role::Extension),
    });
    let (status, second) = post(port, "/v1/pair/confirm", &confirm.to_string())?;
    if status != 200 || !session.check(Role::Relay, second["confirm"].as_str().unwrap_or("")) {
        bail!("pairing not confirmed: {status} {second}");
    }
    Ok(session.key(second["key_id"].as_str().context("no key_id")?.to_owned()))
}

fn main() -> Result<()> {
    match Cli::parse().cmd {
        Cmd::Pair { port, code } => {
            println!("{}", serde_json::to_string(&pair(port, &code)?)?);
        }
        Cmd::SignUploads {
            key,
            port,
            body,
            id,
            count,
            threads,
            out,
        } => {
            let key: clawtrail_trust::Key =
                serde_json::from_str(&key).context("--key is not a key")?;
            let text = fs::read(&body).with_context(|| format!("reading {}", body.display()))?;
            let at = text
                .windows(id.len())
                .position(|w| w == id.as_bytes())
                .context("the id is not in the body")?;
            let (prefix, suffix) = (&text[..at], &text[at + id.len()..]);
            let host = format!("127.0.0.1:{port}");
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_millis() as i64;
            for t in 1..=threads {
                let path = PathBuf::from(format!("{}.{t}", out.display()));
                let mut file = std::io::BufWriter::new(fs::File::create(&path)?);
                for _ in 0..count {
                    let fresh = uuid::Uuid::new_v4().hyphenated().to_string();
                    let mut b = Vec::with_capacity(text.len());
                    b.extend_from_slice(prefix);
                    b.extend_from_slice(fresh.as_bytes());
                    b.extend_from_slice(suffix);
                    let line = clawtrail_trust::RequestLine {
                        method: "POST",
                        path: "/v1/recordings",
                        host: &host,
                    };
                    let nonce = clawtrail_trust::nonce(uuid::Uuid::new_v4().as_bytes());
                    let creds = clawtrail_trust::Credentials::sign(&key, &line, now, &nonce, &b);
                    writeln!(file, "{fresh}\t{}", creds.header())?;
                }
                file.flush()?;
            }
        }
        Cmd::Body { events, seed, out } => {
            let rec = clawtrail_bench::recording(clawtrail_bench::id(seed), events);
            fs::write(&out, to_canonical_json(&rec))
                .with_context(|| format!("writing {}", out.display()))?;
        }
        Cmd::Store {
            data_dir,
            count,
            events,
        } => {
            let dir = data_dir.join("recordings");
            if dir.exists() && fs::read_dir(&dir)?.next().is_some() {
                bail!("{} is not empty", dir.display());
            }
            // The relay insists on private directories and files.
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&dir)
                .with_context(|| format!("creating {}", dir.display()))?;
            let template = clawtrail_bench::recording(clawtrail_bench::id(0), events);
            for n in 0..count {
                let mut rec = template.clone();
                rec.id = clawtrail_bench::id(n);
                rec.name = format!("bench recording {n}");
                let path = dir.join(format!("{}.json", rec.id.hyphenated()));
                fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&path)
                    .and_then(|mut f| f.write_all(&to_canonical_json(&rec)))
                    .with_context(|| format!("writing {}", path.display()))?;
            }
        }
        Cmd::Replay {
            data_dir,
            url,
            clicks,
            seed,
        } => {
            let rec = clawtrail_bench::replay_recording(clawtrail_bench::id(seed), &url, clicks);
            rec.validate()
                .context("generated an invalid replay recording")?;
            let dir = data_dir.join("recordings");
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&dir)
                .with_context(|| format!("creating {}", dir.display()))?;
            let path = dir.join(format!("{}.json", rec.id.hyphenated()));
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
                .and_then(|mut f| f.write_all(&to_canonical_json(&rec)))
                .with_context(|| format!("writing {}", path.display()))?;
            println!("{}", rec.id.hyphenated());
        }
        Cmd::Floor { body, dir, runs } => {
            let bytes = fs::read(&body).with_context(|| format!("reading {}", body.display()))?;
            let store = clawtrail_fs::Dir::new(&dir, clawtrail_fs::Links::Follow);
            let mut n = 0;
            let write_fsync_ms = median_ms(runs, || {
                n += 1;
                store.write_new(&format!("floor-{n}.json"), &bytes)?;
                Ok(())
            })?;
            let parse_ms = median_ms(runs, || {
                std::hint::black_box(serde_json::from_slice::<workflow_format::Recording>(
                    &bytes,
                )?);
                Ok(())
            })?;
            let sha256_ms = median_ms(runs, || {
                std::hint::black_box(clawtrail_trust::digest(&bytes));
                Ok(())
            })?;
            for i in 1..=n {
                let _ = fs::remove_file(dir.join(format!("floor-{i}.json")));
            }
            println!(
                "{}",
                serde_json::json!({
                    "bytes": bytes.len(),
                    "write_fsync_ms": write_fsync_ms,
                    "serde_json_parse_ms": parse_ms,
                    "sha256_ms": sha256_ms,
                })
            );
        }
    }
    Ok(())
}
