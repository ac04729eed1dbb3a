//! Verification against signatures made by the real `minisign` tool
//! (Debian package `minisign`), with keys made by `minisign -G -W` exactly
//! as the release process makes them.

use std::path::{Path, PathBuf};
use std::process::Command;

use clawtrail_package::{VerifyError, check_sha256_file, sha256_hex, verify};

struct Keys {
    public: String,
    secret: PathBuf,
}

fn keypair(dir: &Path, name: &str) -> Keys {
    let public = dir.join(format!("{name}.pub"));
    let secret = dir.join(format!("{name}.key"));
    let out = Command::new("minisign")
        .args(["-G", "-W", "-p"])
        .arg(&public)
        .arg("-s")
        .arg(&secret)
        .output()
        .expect("minisign is installed (scripts/test installs it)");
    assert!(out.status.success(), "minisign -G failed: {out:?}");
    Keys {
        public: std::fs::read_to_string(public).unwrap(),
        secret,
    }
}

fn sign(file: &Path, keys: &Keys) -> String {
    let out = Command::new("minisign")
        .arg("-S")
        .arg("-s")
        .arg(&keys.secret)
        .args(["-t", "clawtrail-extension 9.9.9", "-m"])
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "minisign -S failed: {out:?}");
    std::fs::read_to_string(format!("{}.minisig", file.display())).unwrap()
}

fn package(dir: &Path) -> (PathBuf, Vec<u8>) {
    let path = dir.join("clawtrail-extension-9.9.9.zip");
    // Not a real zip: signature checks do not care, and the byte flips
    // below must land in known places.
    let bytes: Vec<u8> = (0..50_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &bytes).unwrap();
    (path, bytes)
}

#[test]
fn a_good_package_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let keys = keypair(dir.path(), "release");
    let (path, bytes) = package(dir.path());
    let sig = sign(&path, &keys);
    let ok = verify(&bytes, &sig, &keys.public).unwrap();
    assert_eq!(ok.trusted_comment, "clawtrail-extension 9.9.9");
    assert_eq!(ok.sha256, sha256_hex(&bytes));
}

#[test]
fn one_changed_byte_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let keys = keypair(dir.path(), "release");
    let (path, bytes) = package(dir.path());
    let sig = sign(&path, &keys);
    for at in [0, bytes.len() / 2, bytes.len() - 1] {
        let mut tampered = bytes.clone();
        tampered[at] ^= 0x01;
        assert!(
            matches!(
                verify(&tampered, &sig, &keys.public),
                Err(VerifyError::Mismatch(_))
            ),
            "flipping byte {at} must break the signature"
        );
    }
}

#[test]
fn a_package_signed_by_another_key_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let ours = keypair(dir.path(), "ours");
    let theirs = keypair(dir.path(), "theirs");
    let (path, bytes) = package(dir.path());
    let sig = sign(&path, &theirs);
    assert!(matches!(
        verify(&bytes, &sig, &ours.public),
        Err(VerifyError::Mismatch(_))
    ));
}

#[test]
fn a_changed_trusted_comment_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let keys = keypair(dir.path(), "release");
    let (path, bytes) = package(dir.path());
    let sig = sign(&path, &keys).replace("9.9.9", "9.9.8");
    assert!(verify(&bytes, &sig, &keys.public).is_err());
}

#[test]
fn garbage_inputs_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let keys = keypair(dir.path(), "release");
    assert!(matches!(
        verify(b"x", "not a signature", &keys.public),
        Err(VerifyError::BadSignature(_))
    ));
    assert!(matches!(
        verify(b"x", "", "nope"),
        Err(VerifyError::BadPublicKey(_))
    ));
}

#[test]
fn the_shipped_release_key_parses() {
    minisign_verify::PublicKey::decode(clawtrail_package::RELEASE_PUBLIC_KEY.trim()).unwrap();
}

#[test]
fn sha256_files_are_checked() {
    let bytes = b"hello";
    let good = format!("{}  clawtrail-extension-1.zip\n", sha256_hex(bytes));
    check_sha256_file(bytes, &good).unwrap();
    let bad = format!("{}  x.zip\n", "0".repeat(64));
    assert!(matches!(
        check_sha256_file(bytes, &bad),
        Err(VerifyError::ChecksumMismatch { .. })
    ));
    assert!(matches!(
        check_sha256_file(bytes, "zz"),
        Err(VerifyError::BadChecksumFile)
    ));
}
