//! The OpenClaw skill as one `.zip` download.
//!
//! Entries are stored, not deflated: a skill is a few small text files, and
//! stored entries keep the wasm free of compression code. Every entry gets
//! the zip epoch (1980-01-01) as its time, so the same recording always
//! zips to the same bytes, like the folder export.

use std::io::{Cursor, Write};

use clawtrail_export::SkillFile;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

#[derive(Debug, thiserror::Error)]
#[error("could not build the skill zip: {0}")]
pub struct ZipError(String);

/// Zips `files` under a top folder `slug/`, as the skill folder is laid out
/// on disk by `clawtrail export`.
pub fn zip_skill(slug: &str, files: &[SkillFile]) -> Result<Vec<u8>, ZipError> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .unix_permissions(0o644);
    let err = |e: &dyn std::fmt::Display| ZipError(e.to_string());
    for f in files {
        let path = format!("{slug}/{}", f.path.to_string_lossy().replace('\\', "/"));
        zip.start_file(path, opts).map_err(|e| err(&e))?;
        zip.write_all(&f.contents).map_err(|e| err(&e))?;
    }
    let cursor = zip.finish().map_err(|e| err(&e))?;
    Ok(cursor.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn the_zip_holds_every_skill_file_byte_for_byte() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../format/examples/multi-page-form.json"
        );
        let rec = workflow_format::from_json_slice(&std::fs::read(path).unwrap()).unwrap();
        let (slug, files) = clawtrail_export::render_openclaw_skill(&rec).unwrap();
        let bytes = zip_skill(&slug, &files).unwrap();
        // Deterministic, like the folder export.
        assert_eq!(bytes, zip_skill(&slug, &files).unwrap());

        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert_eq!(archive.len(), files.len());
        for f in &files {
            let name = format!("{slug}/{}", f.path.to_string_lossy());
            let mut entry = archive.by_name(&name).unwrap();
            let mut got = Vec::new();
            entry.read_to_end(&mut got).unwrap();
            assert_eq!(got, f.contents, "{name}");
        }
        assert!(archive.by_name(&format!("{slug}/SKILL.md")).is_ok());
    }
}
