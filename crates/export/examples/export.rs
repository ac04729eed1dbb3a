//! Exports a recording file both ways, for inspection and for the interop
//! checks in `tests/interop/check-exports.sh`:
//!
//! ```text
//! cargo run -p clawtrail-export --example export -- RECORDING.json OUT_DIR
//! ```
//!
//! writes `OUT_DIR/<slug>/` (the OpenClaw skill) and `OUT_DIR/<slug>.devtools.json`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [recording, out] = args.as_slice() else {
        eprintln!("usage: export RECORDING.json OUT_DIR");
        return ExitCode::from(2);
    };
    match run(recording, &PathBuf::from(out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("export: {recording}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(recording: &str, out: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let bytes = std::fs::read(recording)?;
    let rec = workflow_format::from_json_slice(&bytes)?;
    let dir = clawtrail_export::export_openclaw_skill(&rec, out)?;
    let slug = clawtrail_export::skill_slug(&rec);
    let flow = clawtrail_export::to_devtools_json(&rec)?;
    clawtrail_fs::write_file(out, &format!("{slug}.devtools.json"), flow.as_bytes())?;
    println!("{}", dir.display());
    Ok(())
}
