//! The command line, reading the data dir directly (no relay running).

mod common;

use std::process::Command;

use common::*;
use uuid::Uuid;

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Stores recordings through the real store (the relay's code path).
fn seed(data: &std::path::Path, recs: &[workflow_format::Recording]) {
    let store = clawtrail_relay::store::Store::open(data).unwrap();
    for r in recs {
        store.put(r).unwrap();
    }
}

#[test]
fn list_show_delete_without_a_relay() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let a = recording(Uuid::new_v4(), "Log in to example", 8);
    seed(&data, std::slice::from_ref(&a));

    let out = cli(&data, &["list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&a.id.to_string()));
    assert!(stdout(&out).contains("Log in to example"));

    let out = cli(&data, &["list", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["recordings"][0]["event_count"], 8);

    let out = cli(&data, &["show", &a.id.to_string()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("Type [redacted: password] into password field 'Password'"),
        "{text}"
    );
    assert!(text.contains("Click button 'Sign in'"), "{text}");
    assert!(text.contains("https://example.com/login"), "{text}");
    assert!(text.contains("+0:00.310"), "{text}");

    let out = cli(&data, &["show", &a.id.to_string(), "--json"]);
    let back: workflow_format::Recording = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(back, a);

    let out = cli(&data, &["delete", &a.id.to_string()]);
    assert!(out.status.success());
    assert!(recording_files(&data).is_empty());
    // Errors: message on stderr, exit 1, no panic.
    for args in [
        vec!["delete", &*a.id.to_string()]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>(),
        vec!["show".into(), a.id.to_string()],
        vec!["show".into(), "nope".into()],
        vec!["prune".into(), "--older-than".into(), "30x".into()],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = cli(&data, &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&out).starts_with("error: "),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(!stderr(&out).contains("panicked"));
    }
}

#[test]
fn corrupt_and_foreign_files_are_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let good = recording(Uuid::new_v4(), "good", 4);
    seed(&data, std::slice::from_ref(&good));
    let recs = data.join("recordings");
    let bad_id = Uuid::new_v4();
    std::fs::write(recs.join(format!("{bad_id}.json")), b"{\"truncated\": ").unwrap();
    std::fs::write(recs.join("notes.txt"), b"hello").unwrap();
    // A valid recording stored under the wrong id.
    let wrong = recording(Uuid::new_v4(), "moved", 4);
    let wrong_name = format!("{}.json", Uuid::new_v4());
    std::fs::write(recs.join(&wrong_name), body_of(&wrong)).unwrap();

    let out = cli(&data, &["list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["recordings"].as_array().unwrap().len(), 1);
    assert_eq!(v["recordings"][0]["id"], good.id.to_string());
    let skipped: Vec<&str> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["file"].as_str().unwrap())
        .collect();
    assert_eq!(skipped.len(), 3, "{skipped:?}");
    assert!(skipped.contains(&"notes.txt"));
    assert!(skipped.contains(&wrong_name.as_str()));
    assert!(stderr(&out).contains("warning: skipped notes.txt"));

    let out = cli(&data, &["show", &bad_id.to_string()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unreadable recording"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_stale_summary_is_rebuilt_from_the_recording() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let rec = recording(Uuid::new_v4(), "real name", 4);
    seed(&data, std::slice::from_ref(&rec));
    let idx = data.join("index").join(format!("{}.json", rec.id));
    let mut s: serde_json::Value = serde_json::from_slice(&std::fs::read(&idx).unwrap()).unwrap();
    s["name"] = "lie".into();
    s["size_bytes"] = 1.into();
    std::fs::write(&idx, serde_json::to_vec(&s).unwrap()).unwrap();
    let out = cli(&data, &["list", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["recordings"][0]["name"], "real name");
}

#[test]
fn prune_deletes_only_old_recordings() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let old = recording(Uuid::new_v4(), "old", 4); // ended in 2025
    let mut new = recording(Uuid::new_v4(), "new", 4);
    let shift = chrono::Utc::now() - new.started_at - chrono::Duration::hours(1);
    new.started_at += shift;
    new.ended_at += shift;
    for e in &mut new.events {
        e.at += shift;
    }
    seed(&data, &[old.clone(), new.clone()]);

    let out = cli(
        &data,
        &["prune", "--older-than", "30d", "--dry-run", "--json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["deleted"], serde_json::json!([old.id.to_string()]));
    assert_eq!(recording_files(&data).len(), 2);

    let out = cli(&data, &["prune", "--older-than", "30d"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(recording_files(&data), vec![format!("{}.json", new.id)]);
    let out = cli(&data, &["prune", "--older-than", "90m", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["deleted"].as_array().unwrap().len(), 0);
}

#[test]
fn data_dir_comes_from_the_environment_too() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("envdata");
    let rec = recording(Uuid::new_v4(), "from env", 4);
    seed(&data, std::slice::from_ref(&rec));
    let out = Command::new(bin())
        .args(["list", "--json"])
        .env("CLAWTRAIL_DATA_DIR", &data)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["recordings"][0]["name"], "from env");
}

#[test]
fn install_handler_registers_and_removes_the_scheme() {
    let dir = tempfile::tempdir().unwrap();
    let (xdg_data, xdg_config) = (dir.path().join("share"), dir.path().join("config"));
    std::fs::create_dir_all(&xdg_config).unwrap();
    std::fs::write(
        xdg_config.join("mimeapps.list"),
        "[Default Applications]\ntext/plain=vim.desktop\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        Command::new(bin())
            .args(["--data-dir", dir.path().join("data").to_str().unwrap()])
            .args(args)
            .env("XDG_DATA_HOME", &xdg_data)
            .env("XDG_CONFIG_HOME", &xdg_config)
            .output()
            .unwrap()
    };
    let out = run(&["install-handler"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let desktop =
        std::fs::read_to_string(xdg_data.join("applications/clawtrail-multiclaw.desktop")).unwrap();
    assert!(desktop.contains("MimeType=x-scheme-handler/multiclaw;"));
    assert!(desktop.contains(&format!("Exec=\"{}\"", bin())));
    assert!(desktop.contains("open-url %u"));
    let list = std::fs::read_to_string(xdg_config.join("mimeapps.list")).unwrap();
    assert!(list.contains("x-scheme-handler/multiclaw=clawtrail-multiclaw.desktop"));
    assert!(list.contains("text/plain=vim.desktop"));

    let out = run(&["install-handler", "--uninstall"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !xdg_data
            .join("applications/clawtrail-multiclaw.desktop")
            .exists()
    );
    let list = std::fs::read_to_string(xdg_config.join("mimeapps.list")).unwrap();
    assert!(!list.contains("multiclaw"));
    assert!(list.contains("text/plain=vim.desktop"));
}

#[test]
fn open_url_starts_the_relay_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // A free port for the relay the handler starts.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let p = port.to_string();
    let out = cli(&data, &["open-url", "https://not-ours", "--port", &p]);
    assert_eq!(out.status.code(), Some(1));
    let out = cli(&data, &["open-url", "multiclaw://open", "--port", &p]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("started the relay"));
    let mut up = false;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            up = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        up,
        "relay did not come up: {}",
        std::fs::read_to_string(data.join("relay.log")).unwrap_or_default()
    );
    let r = raw(port, "GET", "/v1/health", &[("Host", "x")], None);
    assert_eq!(r.status, 200);
    // Already running: nothing new is started.
    let out = cli(&data, &["open-url", "multiclaw://open", "--port", &p]);
    assert!(out.status.success());
    assert!(!stderr(&out).contains("started the relay"));
    // The handler detached the relay, so we hold no Child for it: find it
    // by its command line and stop it.
    kill_relay_on(&data);
}

/// Sends SIGTERM to the relay serving `data` (found via /proc cmdlines).
fn kill_relay_on(data: &std::path::Path) {
    let needle = data.to_string_lossy().into_owned();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmd) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        let args: Vec<String> = cmd
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        if args.first().is_some_and(|a| a == bin())
            && args.contains(&needle)
            && args.iter().any(|a| a == "serve")
        {
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
        }
    }
}
