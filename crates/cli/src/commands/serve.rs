//! `clawtrail serve`: the relay on loopback.

use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use clawtrail_relay::api;
use clawtrail_relay::server::{self, ServeOptions};

#[derive(clap::Args, Debug)]
pub struct Args {
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
}

pub fn run(a: Args, dir: &Path) -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(server::run(ServeOptions {
        data_dir: dir.to_path_buf(),
        bind: a.bind,
        port: a.port,
        extra_extension_ids: a.allow_extension_id,
        max_body_bytes: a.max_body_bytes,
        body_timeout: Duration::from_secs(a.body_timeout_secs),
        max_concurrency: a.max_concurrency,
        max_connections: a.max_connections,
        header_timeout: Duration::from_secs(a.header_timeout_secs.max(1)),
    }))
}
