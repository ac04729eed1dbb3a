//! `clawtrail verify-package`: check a downloaded extension package.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::print_json;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The package, e.g. clawtrail-extension-0.1.0.zip.
    zip: PathBuf,
    /// Public key file [default: the clawtrail release key built in].
    #[arg(long, value_name = "FILE")]
    pubkey: Option<PathBuf>,
    /// Signature file [default: <zip>.minisig].
    #[arg(long, value_name = "FILE")]
    sig: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

pub fn run(a: Args) -> anyhow::Result<()> {
    verify_package(&a.zip, a.pubkey.as_deref(), a.sig.as_deref(), a.json)
}

/// `clawtrail verify-package`: the signature decides; a `.sha256` file next
/// to the package is checked too, so that a stale or swapped one is noticed.
fn verify_package(
    zip: &Path,
    pubkey: Option<&Path>,
    sig: Option<&Path>,
    json: bool,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(zip).with_context(|| format!("cannot read {}", zip.display()))?;
    let with_suffix = |suffix: &str| {
        let mut p = zip.as_os_str().to_owned();
        p.push(suffix);
        PathBuf::from(p)
    };
    let sig_path = sig
        .map(PathBuf::from)
        .unwrap_or_else(|| with_suffix(".minisig"));
    let signature = std::fs::read_to_string(&sig_path)
        .with_context(|| format!("cannot read the signature {}", sig_path.display()))?;
    let key = match pubkey {
        Some(p) => std::fs::read_to_string(p)
            .with_context(|| format!("cannot read the public key {}", p.display()))?,
        None => clawtrail_package::RELEASE_PUBLIC_KEY.to_owned(),
    };
    let verified = clawtrail_package::verify(&bytes, &signature, &key)
        .with_context(|| format!("{} is NOT authentic: do not install it", zip.display()))?;
    let sha_path = with_suffix(".sha256");
    let sha_checked = match std::fs::read_to_string(&sha_path) {
        Ok(text) => {
            clawtrail_package::check_sha256_file(&bytes, &text)
                .with_context(|| format!("{} does not match the package", sha_path.display()))?;
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", sha_path.display())),
    };
    if json {
        return print_json(&serde_json::json!({
            "ok": true,
            "package": zip,
            "sha256": verified.sha256,
            "trusted_comment": verified.trusted_comment,
            "sha256_file_checked": sha_checked,
        }));
    }
    println!("OK: {} is signed by the expected key.", zip.display());
    println!("    signed comment: {}", verified.trusted_comment);
    println!("    sha256: {}", verified.sha256);
    if !sha_checked {
        println!("    (no {} file to compare)", sha_path.display());
    }
    Ok(())
}
