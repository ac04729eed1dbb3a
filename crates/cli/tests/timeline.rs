//! `clawtrail show` colours: styles on a terminal (or when forced), none
//! when piped or with NO_COLOR, never in --json. Runs the real binary.

mod common;

use std::process::Command;

use common::*;
use uuid::Uuid;

fn show(data: &std::path::Path, id: Uuid, env: &[(&str, &str)], json: bool) -> String {
    let mut cmd = Command::new(bin());
    cmd.arg("--data-dir")
        .arg(data)
        .args(["show", &id.to_string()]);
    if json {
        cmd.arg("--json");
    }
    for var in [
        "NO_COLOR",
        "CLICOLOR_FORCE",
        "CLICOLOR",
        "CLAWTRAIL_DATA_DIR",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn stored_recording(data: &std::path::Path) -> Uuid {
    let relay = Relay::start(data, &[]);
    let token = relay.pair();
    let id = Uuid::new_v4();
    relay.upload(&token, &recording(id, "Colours", 8));
    id
}

#[test]
fn piped_output_is_plain_and_forced_colour_is_styled() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let id = stored_recording(&data);

    let plain = show(&data, id, &[], false);
    assert!(!plain.contains('\x1b'), "{plain}");
    assert!(plain.contains("Type [redacted: password] into password field 'Password'"));
    assert!(plain.lines().any(|l| l.starts_with("── tab ")), "{plain}");

    let forced = show(&data, id, &[("CLICOLOR_FORCE", "1")], false);
    assert!(forced.contains("\x1b["), "{forced}");
    // The same text once the styles are removed.
    let mut stripped = String::new();
    let mut in_escape = false;
    for c in forced.chars() {
        match (in_escape, c) {
            (false, '\x1b') => in_escape = true,
            (true, 'm') => in_escape = false,
            (true, _) => {}
            (false, c) => stripped.push(c),
        }
    }
    assert_eq!(stripped, plain);

    // NO_COLOR wins over CLICOLOR_FORCE; --json is never styled.
    let no_color = show(
        &data,
        id,
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
        false,
    );
    assert_eq!(no_color, plain);
    let json = show(&data, id, &[("CLICOLOR_FORCE", "1")], true);
    assert!(!json.contains('\x1b'));
    serde_json::from_str::<serde_json::Value>(&json).unwrap();
}

/// A real pseudo-terminal through util-linux `script`: colours appear with
/// no variable forcing them.
#[test]
fn a_terminal_gets_colours() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let id = stored_recording(&data);
    let command = format!("{} --data-dir {} show {id}", bin(), data.display());
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("util-linux `script` is installed");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\x1b["), "{text}");
    assert!(text.contains("Click button"), "{text}");
}

/// Long operations show progress on a terminal and nothing when piped.
#[test]
fn export_and_prune_show_progress_only_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out_dir = dir.path().join("out");
    let id = stored_recording(&data);
    let export = format!(
        "{} --data-dir {} export {id} --format devtools --out {}",
        bin(),
        data.display(),
        out_dir.display()
    );
    let tty = Command::new("script")
        .args(["-qec", &export, "/dev/null"])
        .env("TERM", "xterm-256color")
        .output()
        .expect("util-linux `script` is installed");
    assert!(tty.status.success());
    let text = String::from_utf8_lossy(&tty.stdout);
    assert!(text.contains("exporting 8 events"), "{text}");

    let piped = Command::new(bin())
        .arg("--data-dir")
        .arg(&data)
        .args(["export", &id.to_string(), "--format", "devtools", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(piped.status.success());
    // No progress bar when piped: stderr holds only the review (this
    // recording has a secret input to list), no bar and no escape codes.
    let err = String::from_utf8_lossy(&piped.stderr);
    assert!(!err.contains("exporting") && !err.contains('\x1b'), "{err}");
    assert!(
        err.lines()
            .all(|l| l == "Review before an agent runs this export:" || l.starts_with("  - ")),
        "{err}"
    );

    let prune = format!(
        "{} --data-dir {} prune --older-than 0s --dry-run",
        bin(),
        data.display()
    );
    let tty = Command::new("script")
        .args(["-qec", &prune, "/dev/null"])
        .env("TERM", "xterm-256color")
        .output()
        .unwrap();
    assert!(tty.status.success());
    let text = String::from_utf8_lossy(&tty.stdout);
    assert!(
        text.contains("1/1 recordings"),
        "prune draws its bar: {text}"
    );
}
