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
use crate::{auth, extension_id};
use clawtrail_fs::{Dir, Links};

pub const LOCK_FILE: &str = "relay.lock";

pub struct ServeOptions {
    pub data_dir: PathBuf,
    pub bind: IpAddr,
    /// `None`: the first free port of `clawtrail_trust::PORTS`.
    pub port: Option<u16>,
    /// Extension ids allowed besides the pinned one.
    pub extra_extension_ids: Vec<String>,
    pub max_body_bytes: usize,
    pub body_timeout: Duration,
    pub max_concurrency: usize,
    /// Connections at once (kept below the descriptor limit).
    pub max_connections: usize,
    /// Header-read and idle timeout of a connection.
    pub header_timeout: Duration,
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

    clawtrail_fs::ensure_private_dir(&opts.data_dir, Links::Follow)
        .with_context(|| format!("cannot create data dir {}", opts.data_dir.display()))?;
    let _lock = DataDirLock::acquire(&opts.data_dir)?;

    let listener = match opts.port {
        Some(port) => tokio::net::TcpListener::bind(SocketAddr::new(opts.bind, port))
            .await
            .with_context(|| format!("cannot listen on {}:{port}", opts.bind))?,
        None => {
            let (listener, held) = bind_first(opts.bind, clawtrail_trust::PORTS).await?;
            if let Some((port, holder)) = held.first() {
                let addr = listener.local_addr()?;
                eprintln!(
                    "clawtrail: {}:{port} is held by {holder}; serving on {addr} instead \
                     (the extension finds this relay by its signed answers)",
                    opts.bind
                );
            }
            listener
        }
    };
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
    Dir::private(opts.data_dir.join(auth::PAIRING_DIR), Links::Refuse)?.remove_orphan_temps()?;
    Dir::new(&opts.data_dir, Links::Follow).remove_orphan_temps()?;

    // The first stdout line is machine-readable, so that scripts and tests
    // using `--port 0` learn the port.
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {addr}")?;
        out.flush()?;
    }
    tracing::info!(%addr, data_dir = %opts.data_dir.display(), "relay started");

    let limits = ConnectionLimits {
        max_connections: connection_cap(opts.max_connections),
        header_timeout: opts.header_timeout,
    };
    tracing::info!(max_connections = limits.max_connections, "accepting");
    serve_connections(listener, api::app(state), limits, shutdown_signal()).await;
    tracing::info!("relay stopped");
    Ok(())
}

/// What keeps connections from using the relay up.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// Connections open at once; more are closed as soon as accepted.
    pub max_connections: usize,
    /// A request's headers must arrive within this, and an idle keep-alive
    /// connection is closed after it (hyper starts the same timer while it
    /// waits for the next request).
    pub header_timeout: Duration,
}

/// Descriptors kept free for what the relay itself opens (recordings, the
/// index, the lock, logs) however many clients connect.
const RESERVED_DESCRIPTORS: u64 = 64;

/// `wanted`, but below the process's descriptor limit: a relay that runs
/// out of descriptors can neither accept nor write a recording.
fn connection_cap(wanted: usize) -> usize {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct it is given.
    let soft = if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0 {
        lim.rlim_cur
    } else {
        1024
    };
    let room = soft.saturating_sub(RESERVED_DESCRIPTORS).max(8);
    wanted
        .min(usize::try_from(room).unwrap_or(usize::MAX))
        .max(1)
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets the
/// connections in flight finish (uploads included).
pub async fn serve_connections(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    limits: ConnectionLimits,
    shutdown: impl std::future::Future<Output = ()>,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // EMFILE and the like: wait instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            tracing::warn!(
                max = limits.max_connections,
                "connection limit reached; closing a new one"
            );
            drop(stream);
            continue;
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let conn = http.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Binds the first port of `ports` that is free, and says what holds each
/// one before it. Another program on the relay's port is normal: OpenClaw's
/// own browser relay listens on 18799 by default.
pub async fn bind_first(
    ip: IpAddr,
    ports: &[u16],
) -> anyhow::Result<(tokio::net::TcpListener, Vec<(u16, String)>)> {
    let mut held = Vec::new();
    for &port in ports {
        match tokio::net::TcpListener::bind(SocketAddr::new(ip, port)).await {
            Ok(l) => return Ok((l, held)),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                held.push((port, what_holds(ip, port).await));
            }
            Err(e) => return Err(e).with_context(|| format!("cannot listen on {ip}:{port}")),
        }
    }
    let list: Vec<String> = held.iter().map(|(p, w)| format!("{p} ({w})")).collect();
    bail!(
        "cannot listen on {ip}: every relay port is taken: {}; stop one of them or pass --port",
        list.join(", ")
    )
}

/// A name for what answers on `ip:port`, from its answer to a health check:
/// OpenClaw's browser relay answers 401 `{"error":"Unauthorized"}` to every
/// path; a clawtrail relay answers its health JSON.
async fn what_holds(ip: IpAddr, port: u16) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let probe = async {
        let mut s = tokio::net::TcpStream::connect(SocketAddr::new(ip, port))
            .await
            .ok()?;
        let req = format!(
            "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
        );
        s.write_all(req.as_bytes()).await.ok()?;
        let mut buf = Vec::new();
        let _ = (&mut s).take(8192).read_to_end(&mut buf).await;
        Some(String::from_utf8_lossy(&buf).into_owned())
    };
    let answer = tokio::time::timeout(Duration::from_secs(1), probe)
        .await
        .ok()
        .flatten();
    match answer {
        Some(a) if a.starts_with("HTTP/1.1 401") && a.contains(r#"{"error":"Unauthorized"}"#) => {
            "OpenClaw's browser extension relay".to_owned()
        }
        Some(a) if a.starts_with("HTTP/1.1 200") && a.contains("\"format_version\"") => {
            "another clawtrail relay (serving another data directory)".to_owned()
        }
        _ => "another program".to_owned(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    async fn free_port() -> u16 {
        tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    /// A stand-in answering every request the way OpenClaw's relay does.
    async fn openclaw_like() -> (u16, tokio::task::JoinHandle<()>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            while let Ok((mut s, _)) = l.accept().await {
                let mut buf = [0u8; 1024];
                let _ = s.read(&mut buf).await;
                let body = r#"{"error":"Unauthorized"}"#;
                let _ = s
                    .write_all(format!("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).as_bytes())
                    .await;
            }
        });
        (port, task)
    }

    #[tokio::test]
    async fn a_held_port_is_named_and_the_next_one_is_used() {
        let ip = IpAddr::from([127, 0, 0, 1]);
        let (openclaw, task) = openclaw_like().await;
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let silent_port = silent.local_addr().unwrap().port();
        let free = free_port().await;
        let (l, held) = bind_first(ip, &[openclaw, silent_port, free])
            .await
            .unwrap();
        assert_eq!(l.local_addr().unwrap().port(), free);
        assert_eq!(
            held,
            vec![
                (openclaw, "OpenClaw's browser extension relay".to_owned()),
                (silent_port, "another program".to_owned()),
            ]
        );
        drop(l);
        // All taken: an error that names each holder.
        let err = bind_first(ip, &[openclaw, silent_port])
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("every relay port is taken") && err.contains("OpenClaw"),
            "{err}"
        );
        task.abort();
    }
}
