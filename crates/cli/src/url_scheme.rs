//! The `multiclaw://` deep link on Linux.
//!
//! `install-handler` writes an XDG desktop entry whose `Exec` runs
//! `clawtrail open-url %u`, and makes it the default for
//! `x-scheme-handler/multiclaw` in `$XDG_CONFIG_HOME/mimeapps.list` (what
//! `xdg-mime default` does, without needing xdg-utils installed).
//! `open-url` starts the relay in the background unless one already holds
//! the data dir lock.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

use clawtrail_relay::server::DataDirLock;

pub const DESKTOP_FILE: &str = "clawtrail-multiclaw.desktop";
pub const MIME: &str = "x-scheme-handler/multiclaw";

fn xdg_dir(var: &str, fallback: &str) -> anyhow::Result<PathBuf> {
    if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(v));
    }
    let home = std::env::var_os("HOME").context("HOME is not set")?;
    Ok(PathBuf::from(home).join(fallback))
}

pub struct Paths {
    pub desktop_file: PathBuf,
    pub mimeapps: PathBuf,
}

pub fn paths() -> anyhow::Result<Paths> {
    Ok(Paths {
        desktop_file: xdg_dir("XDG_DATA_HOME", ".local/share")?
            .join("applications")
            .join(DESKTOP_FILE),
        mimeapps: xdg_dir("XDG_CONFIG_HOME", ".config")?.join("mimeapps.list"),
    })
}

/// Quotes an argument for a desktop entry `Exec` line.
fn exec_quote(arg: &str) -> String {
    let mut s = String::from("\"");
    for c in arg.chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            s.push('\\');
        }
        if c == '%' {
            s.push('%');
        }
        s.push(c);
    }
    s.push('"');
    s
}

pub fn install(exe: &Path, data_dir: &Path) -> anyhow::Result<Paths> {
    let p = paths()?;
    let exe = exe.to_str().context("the clawtrail path is not UTF-8")?;
    let data = data_dir
        .to_str()
        .context("the data dir path is not UTF-8")?;
    let entry = format!(
        "[Desktop Entry]\nType=Application\nName=clawtrail relay\n\
         Comment=Starts the clawtrail relay for multiclaw:// links\n\
         Exec={} --data-dir {} open-url %u\nMimeType={MIME};\nNoDisplay=true\nTerminal=false\n",
        exec_quote(exe),
        exec_quote(data),
    );
    let apps = p.desktop_file.parent().expect("has a parent");
    // 0600: a desktop entry others could edit would run their Exec line.
    clawtrail_fs::write_file(apps, DESKTOP_FILE, entry.as_bytes())
        .with_context(|| format!("cannot write {}", p.desktop_file.display()))?;
    let list = read_mimeapps(&p.mimeapps)?;
    write_mimeapps(&p.mimeapps, &set_default(&list, Some(DESKTOP_FILE)))?;
    Ok(p)
}

pub fn uninstall() -> anyhow::Result<Paths> {
    let p = paths()?;
    match fs::remove_file(&p.desktop_file) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).context(format!("cannot remove {}", p.desktop_file.display())),
    }
    if p.mimeapps.exists() {
        let list = read_mimeapps(&p.mimeapps)?;
        write_mimeapps(&p.mimeapps, &set_default(&list, None))?;
    }
    Ok(p)
}

fn read_mimeapps(path: &Path) -> anyhow::Result<String> {
    match fs::read_to_string(path) {
        Ok(s) => Ok(s),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(e).context(format!("cannot read {}", path.display())),
    }
}

fn write_mimeapps(path: &Path, content: &str) -> anyhow::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().context("no file name")?.to_string_lossy();
    clawtrail_fs::write_file(dir, &name, content.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Sets (or with `None` removes) our line in `[Default Applications]`,
/// keeping every other line as it was.
fn set_default(list: &str, desktop: Option<&str>) -> String {
    let key = format!("{MIME}=");
    let mut out = Vec::new();
    let mut in_defaults = false;
    let mut placed = false;
    for line in list.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            if in_defaults
                && !placed
                && let Some(d) = desktop
            {
                out.push(format!("{key}{d}"));
                placed = true;
            }
            in_defaults = trimmed == "[Default Applications]";
        } else if in_defaults && trimmed.starts_with(&key) {
            continue; // replaced below (or removed)
        }
        out.push(line.to_owned());
    }
    if let Some(d) = desktop
        && !placed
    {
        if !in_defaults {
            out.push("[Default Applications]".to_owned());
        }
        out.push(format!("{key}{d}"));
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

/// The deep link handler: start the relay unless it already runs.
pub fn open_url(exe: &Path, data_dir: &Path, port: Option<u16>, url: &str) -> anyhow::Result<bool> {
    if !url.starts_with("multiclaw:") {
        bail!("not a multiclaw:// link: {url:?}");
    }
    if DataDirLock::is_held(data_dir) {
        return Ok(false);
    }
    clawtrail_fs::ensure_private_dir(data_dir, clawtrail_fs::Links::Follow)?;
    let log = clawtrail_fs::open_private_append(&data_dir.join("relay.log"))?;
    use std::os::unix::process::CommandExt;
    let mut serve = Command::new(exe);
    serve.arg("--data-dir").arg(data_dir).arg("serve");
    if let Some(port) = port {
        serve.arg("--port").arg(port.to_string());
    }
    serve
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        // Its own process group: closing the launching terminal or browser
        // does not take the relay down with it.
        .process_group(0)
        .spawn()
        .context("cannot start the relay")?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mimeapps_lines_are_added_replaced_and_removed() {
        let before = "[Added Associations]\ntext/html=firefox.desktop\n[Default Applications]\nx-scheme-handler/multiclaw=old.desktop\ntext/plain=vim.desktop\n";
        let after = set_default(before, Some(DESKTOP_FILE));
        assert_eq!(
            after,
            "[Added Associations]\ntext/html=firefox.desktop\n[Default Applications]\ntext/plain=vim.desktop\nx-scheme-handler/multiclaw=clawtrail-multiclaw.desktop\n"
        );
        let removed = set_default(&after, None);
        assert!(!removed.contains("multiclaw"));
        assert!(removed.contains("text/plain=vim.desktop"));
        assert_eq!(
            set_default("", Some("x.desktop")),
            "[Default Applications]\nx-scheme-handler/multiclaw=x.desktop\n"
        );
    }

    #[test]
    fn exec_arguments_are_quoted() {
        assert_eq!(exec_quote("/a b/$x%"), "\"/a b/\\$x%%\"");
    }
}
