//! Prints the JSON Schema of a recording. `scripts/gen-schema` writes it to
//! `crates/format/schema/recording.v1.schema.json`.

fn main() {
    print!("{}", workflow_format::json_schema_string());
}
