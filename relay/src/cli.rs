//! The `clawtrail` command line. Read commands work on the data dir
//! directly, so they work whether or not the relay is running.

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use serde_json::json;
use uuid::Uuid;

use crate::server::{self, ServeOptions};
use crate::store::{Store, StoreError};
use crate::{api, auth, duration, timeline, url_scheme};

#[derive(Parser, Debug)]
#[command(
    name = "clawtrail",
    version,
    about = "Record browser workflows and keep them on this machine."
)]
pub struct Cli {
    /// Where recordings, tokens and pairing codes live [default: ~/.openclaw]
    #[arg(long, global = true, env = "CLAWTRAIL_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the relay the extension uploads to (loopback only).
    Serve {
        /// Port to listen on; 0 picks a free one (printed on stdout).
        /// Without it: 18799, or when another program holds that (OpenClaw's
        /// browser relay does by default), the first free one of 18787,
        /// 18786, 18785.
        #[arg(long)]
        port: Option<u16>,
        /// Loopback address to bind; anything else is refused.
        #[arg(long, default_value = "127.0.0.1")]
        bind: IpAddr,
        /// Also accept requests from this extension id (repeatable).
        #[arg(long = "allow-extension-id", value_name = "ID")]
        allow_extension_id: Vec<String>,
        /// Largest accepted request body, in bytes.
        #[arg(long, default_value_t = api::DEFAULT_MAX_BODY)]
        max_body_bytes: usize,
        /// Seconds a client may take to send a request body (then 408).
        #[arg(long, default_value_t = 30)]
        body_timeout_secs: u64,
        /// Uploads and recording reads handled at once (more get 503;
        /// health, session and pairing are never held up by them).
        #[arg(long, default_value_t = 64)]
        max_concurrency: usize,
        /// Connections open at once (kept below the descriptor limit).
        #[arg(long, default_value_t = 512)]
        max_connections: usize,
        /// Seconds a connection may take to send a request's headers, and
        /// may stay idle between requests.
        #[arg(long, default_value_t = 10)]
        header_timeout_secs: u64,
    },
    /// Print a one-time code to pair the extension with the relay.
    Pair {
        /// Minutes the code stays valid.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=60))]
        minutes: u64,
        #[arg(long)]
        json: bool,
    },
    /// Revoke every pairing key (every paired extension must pair again).
    Unpair {
        #[arg(long)]
        json: bool,
    },
    /// List stored recordings, oldest first.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one recording as a timeline.
    Show {
        id: String,
        /// Print the stored recording JSON instead.
        #[arg(long)]
        json: bool,
    },
    /// Delete one recording.
    Delete {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Delete recordings that ended longer ago than a duration.
    Prune {
        /// e.g. 30d, 12h, 90m
        #[arg(long, value_name = "DURATION")]
        older_than: String,
        /// Only say what would be deleted.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Export a recording as an OpenClaw skill or a DevTools Recorder flow.
    Export {
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
    },
    /// Replay a recording in a fresh Chromium and report each step.
    Replay {
        id: String,
        /// A value for an input, e.g. --param email=ada@example.com (repeatable).
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
        /// Run without a window [default: when there is no display].
        #[arg(long)]
        headless: bool,
        /// Also write the report as JSON (failure screenshots go beside it).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Seconds to wait for each step's element.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
        step_timeout_secs: u64,
        /// Seconds to wait for each expected navigation or new tab.
        #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=600))]
        navigation_timeout_secs: u64,
        /// Replay clipboard shortcuts (copy, cut, paste, and the select-all
        /// before a copy); without it the replay stops at the first one.
        #[arg(long)]
        allow_clipboard: bool,
        /// Let the replay open file: pages. A recording holding one is
        /// refused otherwise, and the replay browser blocks file:// anyway.
        #[arg(long)]
        allow_file_urls: bool,
    },
    /// Check a downloaded extension package against its minisign signature
    /// (and its .sha256 file when present) before installing it.
    VerifyPackage {
        /// The package, e.g. clawtrail-extension-0.1.0.zip.
        zip: PathBuf,
        /// Public key file [default: the clawtrail release key built in].
        #[arg(long, value_name = "FILE")]
        pubkey: Option<PathBuf>,
        /// Signature file [default: <zip>.minisig].
        #[arg(long, value_name = "FILE")]
        sig: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Register (or with --uninstall remove) the multiclaw:// link handler.
    InstallHandler {
        #[arg(long)]
        uninstall: bool,
    },
    /// Handle a multiclaw:// link: start the relay if it is not running.
    #[command(hide = true)]
    OpenUrl {
        url: String,
        #[arg(long)]
        port: Option<u16>,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// An Agent Skills folder with OpenClaw browser batch plans.
    OpenclawSkill,
    /// A Chrome DevTools Recorder / @puppeteer/replay user flow (.json).
    Devtools,
}

fn data_dir(cli: &Cli) -> anyhow::Result<PathBuf> {
    if let Some(d) = &cli.data_dir {
        return Ok(d.clone());
    }
    let home = std::env::var_os("HOME").context("HOME is not set; pass --data-dir")?;
    Ok(PathBuf::from(home).join(".openclaw"))
}

fn parse_id(raw: &str) -> anyhow::Result<Uuid> {
    Uuid::try_parse(raw).with_context(|| format!("{raw:?} is not a recording id (a UUID)"))
}

fn print_json(v: &impl serde::Serialize) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let dir = data_dir(&cli)?;
    match cli.command {
        Command::Serve {
            port,
            bind,
            allow_extension_id,
            max_body_bytes,
            body_timeout_secs,
            max_concurrency,
            max_connections,
            header_timeout_secs,
        } => {
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(server::run(ServeOptions {
                data_dir: dir,
                bind,
                port,
                extra_extension_ids: allow_extension_id,
                max_body_bytes,
                body_timeout: Duration::from_secs(body_timeout_secs),
                max_concurrency,
                max_connections,
                header_timeout: Duration::from_secs(header_timeout_secs.max(1)),
            }))
        }
        Command::Pair { minutes, json } => {
            clawtrail_fs::ensure_private_dir(&dir, clawtrail_fs::Links::Follow)?;
            let (code, expires_at) = auth::issue_code(&dir, Duration::from_secs(minutes * 60))?;
            if json {
                print_json(&json!({"code": code, "expires_at": expires_at}))
            } else {
                println!("Pairing code: {code}");
                println!(
                    "Enter it in the clawtrail extension popup within {minutes} minute(s). It works once."
                );
                if !server::DataDirLock::is_held(&dir) {
                    eprintln!(
                        "note: no relay is running on {}; start one with `clawtrail serve`",
                        dir.display()
                    );
                }
                Ok(())
            }
        }
        Command::Unpair { json } => {
            clawtrail_fs::ensure_private_dir(&dir, clawtrail_fs::Links::Follow)?;
            let n = auth::revoke_all(&dir)?;
            if json {
                print_json(&json!({"revoked": n}))
            } else {
                println!("Revoked {n} token(s). Pair again with `clawtrail pair`.");
                Ok(())
            }
        }
        Command::List { json } => {
            let listing = Store::open(&dir)?.list()?;
            for s in &listing.skipped {
                eprintln!("warning: skipped {}: {}", s.file, s.reason);
            }
            if json {
                return print_json(&listing);
            }
            if listing.recordings.is_empty() {
                println!("No recordings in {}.", dir.display());
                return Ok(());
            }
            println!(
                "{:<36}  {:<20}  {:>6}  {:>4}  {:>9}  NAME",
                "ID", "STARTED", "EVENTS", "TABS", "BYTES"
            );
            for r in &listing.recordings {
                println!(
                    "{:<36}  {:<20}  {:>6}  {:>4}  {:>9}  {}",
                    r.id,
                    r.started_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    r.event_count,
                    r.tab_count,
                    r.size_bytes,
                    r.name
                );
            }
            Ok(())
        }
        Command::Show { id, json } => {
            let id = parse_id(&id)?;
            let (rec, _) = Store::open(&dir)?.get(id)?;
            if json {
                print_json(&rec)
            } else {
                // anstream drops the styles unless stdout is a colour terminal.
                anstream::print!("{}", timeline::render(&rec));
                Ok(())
            }
        }
        Command::Delete { id, json } => {
            let id = parse_id(&id)?;
            Store::open(&dir)?.delete(id)?;
            if json {
                print_json(&json!({"deleted": id}))
            } else {
                println!("Deleted {id}.");
                Ok(())
            }
        }
        Command::Prune {
            older_than,
            dry_run,
            json,
        } => {
            let age = duration::parse(&older_than)?;
            let cutoff = chrono::Utc::now()
                - chrono::Duration::from_std(age).context("duration too large")?;
            let store = Store::open(&dir)?;
            let mut pruned = Vec::new();
            let recordings = store.list()?.recordings;
            let progress = crate::progress::bar(recordings.len() as u64, "recordings");
            for s in recordings {
                progress.inc(1);
                if s.ended_at < cutoff {
                    if !dry_run {
                        match store.delete(s.id) {
                            Ok(()) | Err(StoreError::NotFound(_)) => {}
                            Err(e) => return Err(e.into()),
                        }
                    }
                    pruned.push(s.id);
                }
            }
            progress.finish_and_clear();
            if json {
                print_json(&json!({"dry_run": dry_run, "deleted": pruned}))
            } else {
                let verb = if dry_run { "Would delete" } else { "Deleted" };
                println!(
                    "{verb} {} recording(s) that ended before {}.",
                    pruned.len(),
                    cutoff.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                );
                for id in pruned {
                    println!("  {id}");
                }
                Ok(())
            }
        }
        Command::Export {
            id,
            format,
            out,
            allow_clipboard,
            json,
        } => {
            let opts = clawtrail_replay::ExportOptions { allow_clipboard };
            let id = parse_id(&id)?;
            // A large recording takes a moment to read, check and convert:
            // show the stages on a terminal (nothing when piped).
            let progress = crate::progress::bar(2, "stages");
            progress.set_message("reading and validating");
            let (rec, _) = Store::open(&dir)?.get(id)?;
            progress.inc(1);
            progress.set_message(format!("exporting {} events", rec.events.len()));
            let path = match format {
                ExportFormat::OpenclawSkill => {
                    let skills = dir.join("skills");
                    let out = out.unwrap_or_else(|| skills.clone());
                    if out == skills {
                        // The data dir's own folder: private, never a planted link.
                        clawtrail_fs::ensure_private_dir(&out, clawtrail_fs::Links::Refuse)?;
                    }
                    clawtrail_replay::export_openclaw_skill_with(&rec, &out, &opts)?
                }
                ExportFormat::Devtools => {
                    let out = out.unwrap_or_else(|| PathBuf::from("."));
                    let flow = clawtrail_replay::to_devtools_json_with(&rec, &opts)?;
                    let name = format!("{}.devtools.json", clawtrail_replay::skill_slug(&rec));
                    clawtrail_fs::write_file(&out, &name, flow.as_bytes())?
                }
            };
            progress.inc(1);
            progress.finish_and_clear();
            // What SKILL.md opens with, also said where the user is looking
            // (a DevTools flow has no place for it).
            let review = clawtrail_replay::findings(&rec, &opts)?;
            if json {
                print_json(&json!({"id": id, "path": path, "review": review}))
            } else {
                if !review.is_empty() {
                    eprintln!("Review before an agent runs this export:");
                    for f in &review {
                        eprintln!("  - {}", f.text);
                    }
                }
                println!("{}", path.display());
                Ok(())
            }
        }
        Command::Replay {
            id,
            params,
            headless,
            report,
            step_timeout_secs,
            navigation_timeout_secs,
            allow_clipboard,
            allow_file_urls,
        } => {
            let id = parse_id(&id)?;
            let urls = if allow_file_urls {
                workflow_format::UrlPolicy::WebAndFiles
            } else {
                workflow_format::UrlPolicy::Web
            };
            let (rec, _) = Store::open(&dir)?.get_with(id, urls)?;
            let params = params
                .iter()
                .map(|p| clawtrail_replayer::parse_param_arg(p))
                .collect::<Result<Vec<_>, _>>()?;
            // Screenshots go beside the report, or under the data dir.
            let artifacts_dir = match &report {
                Some(file) => file
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .map(PathBuf::from)
                    .unwrap_or_else(|| PathBuf::from(".")),
                None => dir.join("replays").join(id.to_string()),
            };
            let opts = clawtrail_replayer::ReplayOptions {
                browser: clawtrail_replayer::BrowserOptions {
                    headless: headless || clawtrail_replayer::default_headless(),
                    ..Default::default()
                },
                params,
                timeouts: clawtrail_replayer::Timeouts {
                    element: Duration::from_secs(step_timeout_secs),
                    navigation: Duration::from_secs(navigation_timeout_secs),
                },
                artifacts_dir,
                allow_clipboard,
                allow_file_urls,
            };
            let rt = tokio::runtime::Runtime::new()?;
            let result = rt.block_on(clawtrail_replayer::replay(&rec, &opts))?;
            print!("{}", result.render_table());
            if let Some(file) = &report {
                let parent = file
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(std::path::Path::new("."));
                let name = file
                    .file_name()
                    .context("--report needs a file name")?
                    .to_string_lossy()
                    .into_owned();
                clawtrail_fs::write_file(parent, &name, result.to_json().as_bytes())?;
            }
            if result.passed {
                Ok(())
            } else {
                anyhow::bail!("replay failed")
            }
        }
        Command::VerifyPackage {
            zip,
            pubkey,
            sig,
            json,
        } => verify_package(&zip, pubkey.as_deref(), sig.as_deref(), json),
        Command::InstallHandler { uninstall } => {
            if uninstall {
                let p = url_scheme::uninstall()?;
                println!(
                    "Removed {} and the {} default.",
                    p.desktop_file.display(),
                    url_scheme::MIME
                );
            } else {
                let exe = std::env::current_exe().context("cannot locate the clawtrail binary")?;
                let p = url_scheme::install(&exe, &dir)?;
                println!("Installed {}", p.desktop_file.display());
                println!("Set {} in {}", url_scheme::MIME, p.mimeapps.display());
            }
            Ok(())
        }
        Command::OpenUrl { url, port } => {
            let exe = std::env::current_exe().context("cannot locate the clawtrail binary")?;
            if url_scheme::open_url(&exe, &dir, port, &url)? {
                eprintln!("started the relay for {}", dir.display());
            }
            Ok(())
        }
    }
}

/// `clawtrail verify-package`: the signature decides; a `.sha256` file next
/// to the package is checked too, so that a stale or swapped one is noticed.
fn verify_package(
    zip: &std::path::Path,
    pubkey: Option<&std::path::Path>,
    sig: Option<&std::path::Path>,
    json: bool,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(zip).with_context(|| format!("cannot read {}", zip.display()))?;
    let with_suffix = |suffix: &str| {
        let mut p = zip.as_os_str().to_owned();
        p.push(suffix);
        PathBuf::from(p)
    };
    let sig_path = sig
        .map(PathBuf::from)
        .unwrap_or_else(|| with_suffix(".minisig"));
    let signature = std::fs::read_to_string(&sig_path)
        .with_context(|| format!("cannot read the signature {}", sig_path.display()))?;
    let key = match pubkey {
        Some(p) => std::fs::read_to_string(p)
            .with_context(|| format!("cannot read the public key {}", p.display()))?,
        None => clawtrail_package::RELEASE_PUBLIC_KEY.to_owned(),
    };
    let verified = clawtrail_package::verify(&bytes, &signature, &key)
        .with_context(|| format!("{} is NOT authentic: do not install it", zip.display()))?;
    let sha_path = with_suffix(".sha256");
    let sha_checked = match std::fs::read_to_string(&sha_path) {
        Ok(text) => {
            clawtrail_package::check_sha256_file(&bytes, &text)
                .with_context(|| format!("{} does not match the package", sha_path.display()))?;
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", sha_path.display())),
    };
    if json {
        return print_json(&serde_json::json!({
            "ok": true,
            "package": zip,
            "sha256": verified.sha256,
            "trusted_comment": verified.trusted_comment,
            "sha256_file_checked": sha_checked,
        }));
    }
    println!("OK: {} is signed by the expected key.", zip.display());
    println!("    signed comment: {}", verified.trusted_comment);
    println!("    sha256: {}", verified.sha256);
    if !sha_checked {
        println!("    (no {} file to compare)", sha_path.display());
    }
    Ok(())
}
