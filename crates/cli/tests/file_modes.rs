//! What the real `clawtrail` binary leaves on disk: with umask 000 every
//! folder it creates is 0700 and every file 0600 (exports hold a copy of
//! the recording), a symbolic link planted as one of the data dir's own
//! folders is refused, and a failed export leaves no partial folder.

mod common;

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use uuid::Uuid;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The binary under `umask 000` plus whatever else `setup` says (shell),
/// run in `cwd`.
fn clawtrail_in(setup: &str, cwd: &Path, data: &Path, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("umask 000; {setup} exec \"$0\" \"$@\""))
        .arg(bin())
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .current_dir(cwd)
        .env_remove("CLAWTRAIL_DATA_DIR")
        .stdin(Stdio::null())
        .output()
        .expect("run clawtrail")
}

fn umask0(cwd: &Path, data: &Path, args: &[&str]) -> Output {
    clawtrail_in("", cwd, data, args)
}

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

/// Every folder below and including `root` is 0700, every file 0600.
fn assert_private_tree(root: &Path) {
    let mut checked = 0;
    let mut stack = vec![root.to_owned()];
    while let Some(p) = stack.pop() {
        let meta = std::fs::symlink_metadata(&p).unwrap();
        let want = if meta.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(&p), want, "{}", p.display());
        assert!(!meta.file_type().is_symlink(), "{}", p.display());
        checked += 1;
        if meta.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
        }
    }
    assert!(checked > 1, "nothing below {}", root.display());
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn seed(data: &Path) -> Uuid {
    let rec = recording(Uuid::new_v4(), "Log in to example", 8);
    clawtrail_relay::store::Store::open(data)
        .unwrap()
        .put(&rec)
        .unwrap();
    rec.id
}

/// Runs an export under umask 000 and returns the path it printed.
fn export(cwd: &Path, data: &Path, id: Uuid, format: &str, out: Option<&Path>) -> PathBuf {
    let id = id.to_string();
    let mut args = vec!["export", &id, "--format", format, "--json"];
    let out_arg;
    if let Some(out) = out {
        out_arg = out.to_string_lossy().into_owned();
        args.extend(["--out", &out_arg]);
    }
    let o = umask0(cwd, data, &args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let path = PathBuf::from(v["path"].as_str().unwrap());
    if path.is_absolute() {
        path
    } else {
        cwd.join(path)
    }
}

#[test]
fn every_export_is_private_under_umask_000_inside_and_outside_the_data_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let id = seed(&data);
    // The user's own folders: their modes are theirs to keep.
    let cwd = tmp.path().join("work");
    let mine = tmp.path().join("mine");
    for d in [&cwd, &mine] {
        std::fs::create_dir(d).unwrap();
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    // Inside the data dir: the default skills/ folder and an --out below it.
    let skill = export(&cwd, &data, id, "openclaw-skill", None);
    assert_eq!(skill.parent().unwrap(), data.join("skills"));
    assert!(skill.join("references/recording.json").is_file());
    export(
        &cwd,
        &data,
        id,
        "openclaw-skill",
        Some(&data.join("exports/a")),
    );
    let flow = export(&cwd, &data, id, "devtools", Some(&data.join("flows")));
    assert!(flow.starts_with(&data), "{}", flow.display());
    // Exporting again replaces the folder and the file, just as private.
    export(&cwd, &data, id, "openclaw-skill", None);
    export(&cwd, &data, id, "devtools", Some(&data.join("flows")));
    // pair and unpair write the pairing code and keys.json.
    assert!(umask0(&cwd, &data, &["pair", "--json"]).status.success());
    assert!(umask0(&cwd, &data, &["unpair", "--json"]).status.success());
    assert!(data.join("keys.json").is_file());
    assert_private_tree(&data);

    // Outside it, in folders that do not exist yet: created 0700.
    let new = tmp.path().join("new");
    export(&cwd, &data, id, "openclaw-skill", Some(&new.join("skills")));
    export(&cwd, &data, id, "devtools", Some(&new.join("flows")));
    assert_private_tree(&new);

    // In the user's existing folders (and the current one, devtools'
    // default): those keep their mode, what we write is private.
    let skill = export(&cwd, &data, id, "openclaw-skill", Some(&mine));
    assert_private_tree(&skill);
    let flow = export(&cwd, &data, id, "devtools", Some(&mine));
    assert_eq!(mode(&flow), 0o600);
    let flow = export(&cwd, &data, id, "devtools", None);
    assert_eq!(flow.parent().unwrap(), cwd);
    assert_eq!(mode(&flow), 0o600);
    assert_eq!(mode(&mine), 0o755);
    assert_eq!(mode(&cwd), 0o755);
    assert_eq!(entries(&cwd), [flow.file_name().unwrap().to_string_lossy()]);
}

/// Runs the binary, killing it if it has not exited within 20 s (a relay
/// that started despite the link would otherwise serve forever).
fn run_bounded(mut cmd: Command) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_symlinked_recordings_index_or_pairing_dir_is_refused() {
    for planted in ["recordings", "index", "pairing", "skills"] {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::fs::set_permissions(&elsewhere, std::fs::Permissions::from_mode(0o755)).unwrap();
        let id = if planted == "skills" {
            Some(seed(&data))
        } else {
            std::fs::create_dir(&data).unwrap();
            None
        };
        symlink(&elsewhere, data.join(planted)).unwrap();

        let mut commands: Vec<Vec<String>> = match planted {
            "recordings" | "index" => vec![
                vec!["list".into()],
                vec!["show".into(), Uuid::new_v4().to_string()],
            ],
            "pairing" => vec![vec!["pair".into()]],
            _ => vec![vec![
                "export".into(),
                id.unwrap().to_string(),
                "--format".into(),
                "openclaw-skill".into(),
            ]],
        };
        if planted != "skills" {
            commands.push(vec!["serve".into(), "--port".into(), "0".into()]);
        }
        for args in commands {
            let mut cmd = Command::new(bin());
            cmd.arg("--data-dir").arg(&data).args(&args);
            let out = run_bounded(cmd);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{planted} {args:?}: {err}");
            assert!(
                err.contains(&format!(
                    "{planted} is a symbolic link; refusing to follow it"
                )),
                "{planted} {args:?}: {err}"
            );
            assert!(entries(&elsewhere).is_empty(), "{planted} {args:?}");
            assert_eq!(mode(&elsewhere), 0o755, "not tightened through the link");
        }
    }
}

#[test]
fn a_recordings_dir_swapped_for_a_link_after_open_gets_no_write() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let store = clawtrail_relay::store::Store::open(&data).unwrap();
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::rename(data.join("recordings"), &elsewhere).unwrap();
    symlink(&elsewhere, data.join("recordings")).unwrap();
    let err = store
        .put(&recording(Uuid::new_v4(), "x", 4))
        .unwrap_err()
        .to_string();
    assert!(err.contains("symbolic link"), "{err}");
    assert!(entries(&elsewhere).is_empty());
}

#[test]
fn a_failed_export_leaves_no_partial_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let id = seed(&data);
    let out = tmp.path().join("out");
    let id_arg = id.to_string();
    let args = [
        "export",
        &id_arg,
        "--format",
        "openclaw-skill",
        "--out",
        out.to_str().unwrap(),
    ];
    // A file size limit of one block fails the writes half way, also for
    // root (who ignores folder permissions); SIGXFSZ ignored, so writes
    // just fail with EFBIG.
    let limited = "trap '' XFSZ; ulimit -f 1;";
    let o = clawtrail_in(limited, tmp.path(), &data, &args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(entries(&out).is_empty(), "{:?}", entries(&out));

    // A failed replacement keeps the old folder as it was.
    let o = umask0(tmp.path(), &data, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    let skill = out.join(entries(&out).pop().unwrap());
    let before = std::fs::read(skill.join("references/recording.json")).unwrap();
    let o = clawtrail_in(limited, tmp.path(), &data, &args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(entries(&out).len(), 1, "{:?}", entries(&out));
    assert_eq!(
        std::fs::read(skill.join("references/recording.json")).unwrap(),
        before
    );
    assert_private_tree(&out);

    // A parent we may not write to (root may, so only checked as a user).
    if unsafe { libc::geteuid() } != 0 {
        let locked = tmp.path().join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
        let o = umask0(
            tmp.path(),
            &data,
            &["export", &id_arg, "--format", "openclaw-skill", "--out"]
                .into_iter()
                .chain([locked.to_str().unwrap()])
                .collect::<Vec<_>>(),
        );
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(entries(&locked).is_empty());
    }
}
