//! `clawtrail serve`: binds loopback, takes the data dir lock, recovers from
//! any crash, and serves [`crate::api::app`] until SIGINT/SIGTERM.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};

use crate::api::{self, AppState, Config};
use crate::{auth, extension_id, fsutil};

pub const DEFAULT_PORT: u16 = 18799;
pub const LOCK_FILE: &str = "relay.lock";

pub struct ServeOptions {
    pub data_dir: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    /// Extension ids allowed besides the pinned one.
    pub extra_extension_ids: Vec<String>,
    pub max_body_bytes: usize,
    pub body_timeout: Duration,
    pub max_concurrency: usize,
}

/// Holds `<data-dir>/relay.lock` for the relay's lifetime. The kernel drops
/// the lock when the process dies, even on SIGKILL, so it never goes stale.
pub struct DataDirLock(#[allow(dead_code)] File);

impl DataDirLock {
    pub fn acquire(data_dir: &Path) -> anyhow::Result<DataDirLock> {
        let path = data_dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(DataDirLock(file)),
            Err(TryLockError::WouldBlock) => bail!(
                "another clawtrail relay is already serving {}",
                data_dir.display()
            ),
            Err(TryLockError::Error(e)) => Err(e).context("cannot lock the data dir"),
        }
    }

    /// Whether a relay currently serves `data_dir`.
    pub fn is_held(data_dir: &Path) -> bool {
        match DataDirLock::acquire(data_dir) {
            Ok(_lock) => false,
            Err(_) => data_dir.join(LOCK_FILE).exists(),
        }
    }
}

pub async fn run(opts: ServeOptions) -> anyhow::Result<()> {
    if !opts.bind.is_loopback() {
        bail!(
            "refusing to bind {}: the relay only listens on a loopback address (127.0.0.1 or ::1), \
             because recordings may contain what you typed",
            opts.bind
        );
    }
    let mut ids = vec![extension_id::pinned()];
    for id in &opts.extra_extension_ids {
        if !extension_id::is_well_formed(id) {
            bail!("--allow-extension-id {id:?} is not an extension id (32 letters a-p)");
        }
        ids.push(id.clone());
    }

    fsutil::ensure_private_dir(&opts.data_dir)
        .with_context(|| format!("cannot create data dir {}", opts.data_dir.display()))?;
    let _lock = DataDirLock::acquire(&opts.data_dir)?;

    let listener = tokio::net::TcpListener::bind(SocketAddr::new(opts.bind, opts.port))
        .await
        .with_context(|| format!("cannot listen on {}:{}", opts.bind, opts.port))?;
    let addr = listener.local_addr()?;

    let mut config = Config::new(opts.data_dir.clone(), addr.port(), &ids);
    if opts.bind != IpAddr::from([127, 0, 0, 1]) {
        config.allowed_hosts.push(addr.to_string());
    }
    config.max_body_bytes = opts.max_body_bytes;
    config.body_timeout = opts.body_timeout;
    config.max_concurrency = opts.max_concurrency;
    let state = AppState::new(config).context("cannot open the recordings store")?;
    let removed = state.store().recover().context("crash recovery failed")?;
    if removed > 0 {
        tracing::info!(removed, "removed leftovers of an interrupted write");
    }
    fsutil::ensure_private_dir(&opts.data_dir.join(auth::PAIRING_DIR))?;
    fsutil::remove_orphan_temps(&opts.data_dir)?;
    fsutil::remove_orphan_temps(&opts.data_dir.join(auth::PAIRING_DIR))?;

    // The first stdout line is machine-readable, so that scripts and tests
    // using `--port 0` learn the port.
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {addr}")?;
        out.flush()?;
    }
    tracing::info!(%addr, data_dir = %opts.data_dir.display(), "relay started");

    axum::serve(listener, api::app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("server failed")?;
    tracing::info!("relay stopped");
    Ok(())
}

/// Resolves on SIGINT or SIGTERM. axum then stops accepting, lets in-flight
/// requests (uploads included) finish, and returns.
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    tracing::info!("shutting down; finishing in-flight requests");
}
