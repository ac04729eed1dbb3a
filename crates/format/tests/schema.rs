//! The published JSON Schema is generated from the Rust types; these tests
//! keep the file on disk honest and check that it describes the examples.

mod common;

use std::path::PathBuf;

use common::{example_files, read_example};
use serde_json::{Value, json};

const REGENERATE: &str = "cargo run -p workflow-format --features schema \
     --bin workflow-format-schema > crates/format/schema/recording.v1.schema.json";

fn schema_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema/recording.v1.schema.json")
}

#[test]
fn schema_file_matches_the_types() {
    let on_disk = std::fs::read_to_string(schema_path()).expect("schema file exists");
    let generated = workflow_format::json_schema_string();
    assert!(
        on_disk == generated,
        "schema/recording.v1.schema.json is out of date with the Rust types.\n\
         Regenerate it from the workspace root with:\n  {REGENERATE}\n\
         (and, if the shape changed, read the versioning rule in docs/FORMAT.md first)"
    );
}

/// A validator for the file on disk (not the generated value), with
/// `format` checks on, so `date-time` and `uuid` are enforced too.
fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_slice(&std::fs::read(schema_path()).unwrap()).unwrap();
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the published schema is a valid draft 2020-12 schema")
}

fn schema_errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn schema_is_a_valid_draft_2020_12_schema() {
    let schema: Value = serde_json::from_slice(&std::fs::read(schema_path()).unwrap()).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(jsonschema::meta::is_valid(&schema));
}

#[test]
fn every_example_satisfies_the_schema() {
    let validator = validator();
    for path in example_files() {
        let instance: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let errors = schema_errors(&validator, &instance);
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    }
}

/// Breaks one thing in a recording's JSON.
type Mutation = fn(&mut Value);

/// The schema is strict in the same places serde is: the checks above would
/// mean little if it accepted anything.
#[test]
fn schema_rejects_what_the_parser_rejects() {
    let validator = validator();
    let (_, recording) = read_example("multi-page-form.json");
    let base = serde_json::to_value(&recording).unwrap();

    let cases: Vec<(&str, Mutation, &str)> = vec![
        ("unknown top-level field", |v| v["extra"] = json!(1), ""),
        (
            "unknown field in a target",
            |v| v["events"][1]["kind"]["target"]["onclick"] = json!("x()"),
            "/events/1/kind",
        ),
        (
            "unknown event type",
            |v| v["events"][1]["kind"]["type"] = json!("eval"),
            "/events/1/kind",
        ),
        (
            "missing field",
            |v| {
                v["recorder"].as_object_mut().unwrap().remove("version");
            },
            "/recorder",
        ),
        (
            "wrong type",
            |v| v["events"][0]["seq"] = json!("zero"),
            "/events/0/seq",
        ),
        (
            "negative seq",
            |v| v["events"][0]["seq"] = json!(-1),
            "/events/0/seq",
        ),
        (
            "unknown redaction reason",
            |v| v["events"][7]["kind"]["value"] = json!({"kind": "redacted", "reason": "secret"}),
            "/events/7/kind",
        ),
        (
            "not a date-time",
            |v| v["started_at"] = json!("yesterday"),
            "/started_at",
        ),
        ("not a UUID", |v| v["id"] = json!("1234"), "/id"),
    ];
    // Guard the indices used above against edits of the example.
    assert_eq!(recording.events[7].kind.type_name(), "input");

    for (what, mutate, path) in cases {
        let mut instance = base.clone();
        mutate(&mut instance);
        let errors = schema_errors(&validator, &instance);
        assert!(
            errors.iter().any(|e| e.starts_with(&format!("{path}:"))),
            "{what}: expected a schema error at {path:?}, got {errors:#?}"
        );
        // The parser agrees: none of these is a readable recording.
        let bytes = serde_json::to_vec(&instance).unwrap();
        assert!(
            workflow_format::from_json_slice(&bytes).is_err(),
            "{what}: the parser accepted it"
        );
    }
}
