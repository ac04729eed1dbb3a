//! Prints the relay's OpenAPI document. `scripts/gen-openapi` writes it to
//! `docs/openapi.json`; an example, not a binary, so it is never installed.

fn main() {
    print!("{}", clawtrail_relay::openapi::document_string());
}
