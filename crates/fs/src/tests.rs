use std::collections::BTreeMap;
use std::os::unix::fs::{PermissionsExt, symlink};

use super::*;

/// Every test runs with umask 000: the modes must come from this crate,
/// not from a friendly umask. (Process-wide, and the same for all tests.)
fn tempdir() -> tempfile::TempDir {
    static UMASK: std::sync::Once = std::sync::Once::new();
    UMASK.call_once(|| unsafe {
        libc::umask(0);
    });
    tempfile::tempdir().unwrap()
}

fn mode(p: &Path) -> u32 {
    fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

/// Every entry below `dir`: relative path -> (mode, contents for files).
fn tree(dir: &Path) -> BTreeMap<String, (u32, Option<Vec<u8>>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                out.insert(rel, (mode(&p), None));
                stack.push(p);
            } else {
                out.insert(rel, (mode(&p), Some(fs::read(&p).unwrap())));
            }
        }
    }
    out
}

#[test]
fn new_files_are_private_and_never_clobbered() {
    let d = tempdir();
    let dir = Dir::new(d.path(), Links::Refuse);
    assert!(dir.write_new("a", b"one").unwrap());
    assert!(!dir.write_new("a", b"two").unwrap());
    assert_eq!(fs::read(d.path().join("a")).unwrap(), b"one");
    assert_eq!(mode(&d.path().join("a")), 0o600);
    // The refused write left no temp file behind.
    assert_eq!(names(d.path()), ["a"]);
    // A link by that name is not written through either.
    fs::write(d.path().join("target"), b"keep").unwrap();
    symlink(d.path().join("target"), d.path().join("l")).unwrap();
    assert!(!dir.write_new("l", b"x").unwrap());
    assert_eq!(fs::read(d.path().join("target")).unwrap(), b"keep");
}

#[test]
fn names_must_be_plain() {
    let d = tempdir();
    let dir = Dir::new(d.path(), Links::Follow);
    for bad in ["", "..", "a/b", "/etc/passwd", "."] {
        assert!(
            matches!(dir.write_replace(bad, b"x"), Err(Error::BadName { .. })),
            "{bad:?}"
        );
    }
    assert!(names(d.path()).is_empty());
}

#[test]
fn dirs_are_created_0700_and_ours_are_tightened() {
    let d = tempdir();
    let sub = d.path().join("x/y");
    ensure_private_dir(&sub, Links::Refuse).unwrap();
    assert_eq!(mode(&d.path().join("x")), 0o700);
    assert_eq!(mode(&sub), 0o700);
    fs::set_permissions(&sub, fs::Permissions::from_mode(0o755)).unwrap();
    ensure_private_dir(&sub, Links::Refuse).unwrap();
    assert_eq!(mode(&sub), 0o700);

    // The user's own folders keep their mode; only missing ones are made.
    let users = d.path().join("users");
    fs::create_dir(&users).unwrap();
    fs::set_permissions(&users, fs::Permissions::from_mode(0o755)).unwrap();
    create_private_dir_all(&users.join("a/b")).unwrap();
    assert_eq!(mode(&users), 0o755);
    assert_eq!(mode(&users.join("a")), 0o700);
    assert_eq!(mode(&users.join("a/b")), 0o700);

    fs::write(d.path().join("file"), b"").unwrap();
    assert!(matches!(
        ensure_private_dir(&d.path().join("file"), Links::Follow),
        Err(Error::NotADirectory { .. })
    ));
}

#[test]
fn a_planted_link_is_refused_at_open_and_at_write() {
    let d = tempdir();
    let elsewhere = d.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    fs::set_permissions(&elsewhere, fs::Permissions::from_mode(0o755)).unwrap();
    let planted = d.path().join("recordings");
    symlink(&elsewhere, &planted).unwrap();

    let err = Dir::private(&planted, Links::Refuse).unwrap_err();
    assert!(matches!(err, Error::Symlink { .. }), "{err}");
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert_eq!(mode(&elsewhere), 0o755, "not tightened through the link");
    // Follow is for the user's own layout.
    Dir::private(&planted, Links::Follow).unwrap();
    let dangling = d.path().join("index-gone");
    symlink(d.path().join("nowhere"), &dangling).unwrap();
    let err = Dir::private(&dangling, Links::Refuse).unwrap_err();
    assert!(matches!(err, Error::Symlink { .. }), "{err}");
    assert!(!d.path().join("nowhere").exists());

    // A real folder swapped for a link after it was opened.
    let dir = Dir::private(d.path().join("index"), Links::Refuse).unwrap();
    fs::remove_dir(dir.path()).unwrap();
    symlink(&elsewhere, dir.path()).unwrap();
    let refusals = [
        dir.write_new("a", b"x").map(|_| ()),
        dir.write_replace("a", b"x"),
        dir.write_cache("a", b"x"),
        dir.replace_dir("s", [("f", b"x")], |_| true).map(|_| ()),
        dir.remove_orphan_temps().map(|_| ()),
        dir.sync(),
    ];
    for r in refusals {
        assert!(matches!(r, Err(Error::Symlink { .. })), "{r:?}");
    }
    assert!(names(&elsewhere).is_empty(), "nothing written through it");

    // The io::Error a caller maps it to keeps kind and message.
    let e: io::Error = dir.write_new("a", b"x").unwrap_err().into();
    assert!(e.to_string().contains("refusing to follow"), "{e}");
}

#[test]
fn replace_refuses_links_and_folders_and_leaves_no_temp() {
    let d = tempdir();
    let p = write_file(d.path(), "a.json", b"one").unwrap();
    write_file(d.path(), "a.json", b"two").unwrap();
    assert_eq!(fs::read(&p).unwrap(), b"two");
    assert_eq!(mode(&p), 0o600);
    fs::create_dir(d.path().join("d.json")).unwrap();
    assert!(matches!(
        write_file(d.path(), "d.json", b"x"),
        Err(Error::NotAFile { .. })
    ));
    let target = d.path().join("target");
    fs::write(&target, b"keep").unwrap();
    symlink(&target, d.path().join("l.json")).unwrap();
    assert!(matches!(
        write_file(d.path(), "l.json", b"x"),
        Err(Error::NotAFile { .. })
    ));
    assert_eq!(fs::read(&target).unwrap(), b"keep");
    assert_eq!(names(d.path()), ["a.json", "d.json", "l.json", "target"]);

    // Missing folders on the way are created private.
    let deep = write_file(&d.path().join("x/y"), "f", b"z").unwrap();
    assert_eq!(mode(&d.path().join("x")), 0o700);
    assert_eq!(mode(deep.parent().unwrap()), 0o700);
    assert_eq!(mode(&deep), 0o600);
}

#[test]
fn orphan_temps_are_removed_and_data_kept() {
    let d = tempdir();
    let dir = Dir::new(d.path(), Links::Refuse);
    fs::write(d.path().join(".tmp-abc"), b"partial").unwrap();
    dir.write_replace("keep", b"x").unwrap();
    assert_eq!(dir.remove_orphan_temps().unwrap(), 1);
    assert_eq!(names(d.path()), ["keep"]);
}

#[test]
fn an_append_file_is_private_and_not_a_link() {
    let d = tempdir();
    let log = d.path().join("relay.log");
    writeln!(open_private_append(&log).unwrap(), "one").unwrap();
    fs::set_permissions(&log, fs::Permissions::from_mode(0o644)).unwrap();
    writeln!(open_private_append(&log).unwrap(), "two").unwrap();
    assert_eq!(fs::read_to_string(&log).unwrap(), "one\ntwo\n");
    assert_eq!(mode(&log), 0o600);
    let target = d.path().join("target");
    fs::write(&target, b"").unwrap();
    symlink(&target, d.path().join("l.log")).unwrap();
    assert!(matches!(
        open_private_append(&d.path().join("l.log")),
        Err(Error::Symlink { .. })
    ));
}

fn skill(text: &str) -> Vec<(PathBuf, Vec<u8>)> {
    vec![
        ("SKILL.md".into(), text.as_bytes().to_vec()),
        ("references/plan-01.json".into(), b"[]".to_vec()),
        ("references/deep/recording.json".into(), b"{}".to_vec()),
    ]
}

#[test]
fn a_folder_is_built_private_and_replaced_only_when_accepted() {
    let d = tempdir();
    let dir = Dir::new(d.path(), Links::Follow);
    let dest = dir.replace_dir("s", skill("v1"), |_| true).unwrap();
    assert_eq!(dest, d.path().join("s"));
    assert_eq!(mode(&dest), 0o700);
    let t = tree(&dest);
    assert_eq!(t.len(), 5, "{t:?}");
    for (path, (m, contents)) in &t {
        let want = if contents.is_some() { 0o600 } else { 0o700 };
        assert_eq!(*m, want, "{path}");
    }
    assert_eq!(t["SKILL.md"].1.as_deref(), Some(&b"v1"[..]));

    // Replaced when the caller accepts what is there, with no temp left.
    dir.replace_dir("s", skill("v2"), |p| {
        fs::read_to_string(p.join("SKILL.md")).unwrap() == "v1"
    })
    .unwrap();
    assert_eq!(fs::read_to_string(dest.join("SKILL.md")).unwrap(), "v2");
    assert_eq!(names(d.path()), ["s"]);

    // Refused, and untouched, when it does not.
    let before = tree(&dest);
    let err = dir.replace_dir("s", skill("v3"), |_| false).unwrap_err();
    assert!(matches!(err, Error::WouldOverwrite { .. }), "{err}");
    assert_eq!(tree(&dest), before);

    // A file or a link in the way is never offered to `replaceable`.
    fs::write(d.path().join("f"), b"mine").unwrap();
    symlink(&dest, d.path().join("l")).unwrap();
    for name in ["f", "l"] {
        let r = dir.replace_dir(name, skill("x"), |_| panic!("asked about {name}"));
        assert!(matches!(r, Err(Error::WouldOverwrite { .. })), "{r:?}");
    }
    assert_eq!(fs::read(d.path().join("f")).unwrap(), b"mine");
    assert_eq!(tree(&dest), before);
    assert_eq!(names(d.path()), ["f", "l", "s"]);
}

#[test]
fn a_failed_build_leaves_the_old_folder_or_nothing() {
    let d = tempdir();
    let dir = Dir::new(d.path(), Links::Follow);
    // "a" is a file, so "a/b" fails half way (ENOTDIR, even for root).
    let broken = || vec![("x", &b"1"[..]), ("a", b"2"), ("a/b", b"3")];
    assert!(dir.replace_dir("s", broken(), |_| true).is_err());
    assert!(names(d.path()).is_empty(), "{:?}", names(d.path()));
    // Entries that would leave the folder are refused, also half way.
    for bad in ["../escape", "/abs", "ok/../../escape", ""] {
        let r = dir.replace_dir("s", [("x", &b"1"[..]), (bad, b"2")], |_| true);
        assert!(matches!(r, Err(Error::BadName { .. })), "{bad:?}: {r:?}");
    }
    assert!(names(d.path()).is_empty(), "{:?}", names(d.path()));

    let dest = dir.replace_dir("s", skill("v1"), |_| true).unwrap();
    let before = tree(&dest);
    assert!(dir.replace_dir("s", broken(), |_| true).is_err());
    assert_eq!(tree(&dest), before);
    assert_eq!(names(d.path()), ["s"]);
}

#[test]
fn a_killed_writers_temp_folder_is_removed_by_the_next_write_of_that_name() {
    let d = tempdir();
    let dir = Dir::new(d.path(), Links::Follow);
    let stale = d.path().join(".tmp-s-abc123");
    let fresh = d.path().join(".tmp-s-def456");
    let other = d.path().join(".tmp-other-abc123");
    for p in [&stale, &fresh, &other] {
        fs::create_dir(p).unwrap();
        fs::write(p.join("SKILL.md"), b"half").unwrap();
    }
    let old = std::time::SystemTime::now() - 2 * STALE_TEMP_DIR;
    for p in [&stale, &other] {
        File::open(p).unwrap().set_modified(old).unwrap();
    }
    dir.replace_dir("s", skill("v1"), |_| true).unwrap();
    assert_eq!(
        names(d.path()),
        [".tmp-other-abc123", ".tmp-s-def456", "s"],
        "only the stale temp folder of this name goes"
    );
}

#[test]
fn a_staged_file_is_named_only_when_persisted_and_gone_when_dropped() {
    let d = tempdir();
    let dir = Dir::new(d.path(), Links::Refuse);
    // Written in many small pieces, as a serializer writes.
    let staged = dir
        .stage(|w| (0..1000).try_for_each(|i| write!(w, "{i},")))
        .unwrap();
    let expected: String = (0..1000).map(|i| format!("{i},")).collect();
    assert_eq!(staged.len(), expected.len() as u64);
    // Until it is persisted, no reader sees anything but a temp file.
    let listed = names(d.path());
    assert_eq!(listed.len(), 1);
    assert!(listed[0].starts_with(TEMP_PREFIX), "{listed:?}");
    assert_eq!(mode(&d.path().join(&listed[0])), 0o600);
    assert!(staged.persist_new("r.json").unwrap());
    assert_eq!(
        fs::read_to_string(d.path().join("r.json")).unwrap(),
        expected
    );
    assert_eq!(names(d.path()), ["r.json"]);

    // Dropped (the upload turned out invalid): nothing is left.
    drop(dir.stage(|w| w.write_all(b"never")).unwrap());
    assert_eq!(names(d.path()), ["r.json"]);
    // A name already taken is not replaced, and the temp file goes.
    let again = dir.stage(|w| w.write_all(b"other")).unwrap();
    assert!(!again.persist_new("r.json").unwrap());
    assert_eq!(
        fs::read_to_string(d.path().join("r.json")).unwrap(),
        expected
    );
    assert_eq!(names(d.path()), ["r.json"]);
    // A writer that fails leaves nothing either.
    let err = dir
        .stage(|w| {
            w.write_all(b"half")?;
            Err(io::Error::other("serializer gave up"))
        })
        .unwrap_err();
    assert!(err.to_string().contains("serializer gave up"), "{err}");
    assert_eq!(names(d.path()), ["r.json"]);
}
