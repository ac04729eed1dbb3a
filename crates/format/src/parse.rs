//! Parsing with errors that say *where*: a relay answering 400/422 must be
//! able to tell the sender which byte or which field was wrong.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};

use crate::model::Recording;

/// Why bytes could not be read as a [`Recording`].
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// Not JSON at all (or truncated, or trailing garbage).
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// Valid JSON of the wrong shape: a missing or unknown field, a wrong
    /// type, an unknown event kind, an object written as an array.
    #[error("{path}: {message}")]
    Shape { path: String, message: String },
}

impl ParseError {
    /// True for malformed JSON, false for well-formed JSON of the wrong shape.
    pub fn is_syntax(&self) -> bool {
        matches!(self, ParseError::Syntax { .. })
    }
}

/// Parses a recording from JSON bytes. It does not call `validate()`.
pub fn from_json_slice(bytes: &[u8]) -> Result<Recording, ParseError> {
    // Fast path, for the common case of a good upload: a cheap byte scan
    // stands in for the struct-as-array pass, and serde_json parses without
    // path tracking (which costs about as much as the parse itself). It
    // accepts exactly what the precise path accepts: a successful plain
    // parse proves the bytes are well-formed JSON, and on well-formed JSON
    // the scan is exact or stricter (see `arrays_only_where_expected`).
    // Anything else, error or doubt, takes the precise path below, so every
    // error is the same as before, path and position included.
    if arrays_only_where_expected(bytes)
        && let Ok(recording) = serde_json::from_slice::<Recording>(bytes)
    {
        return Ok(recording);
    }
    from_json_slice_precise(bytes)
}

/// The reference parser: refuses structs written as arrays, then parses with
/// the path of every value tracked, so that an error names its field.
fn from_json_slice_precise(bytes: &[u8]) -> Result<Recording, ParseError> {
    no_struct_as_array(bytes)?;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let recording: Recording = match serde_path_to_error::deserialize(&mut de) {
        Ok(r) => r,
        Err(e) => {
            let path = stop_at_event_kind(e.path().to_string());
            return Err(classify(e.into_inner(), path));
        }
    };
    // Trailing bytes after the object are malformed input, not ignorable.
    de.end().map_err(|e| classify(e, String::new()))?;
    Ok(recording)
}

/// Cuts a path inside an event kind back to `events[i].kind`, except for
/// the kind's own tag (`events[i].kind.type`). The derived deserializer
/// buffered each kind, so its errors stopped there, and docs/FORMAT.md
/// promises that; `tagged.rs` now reads a kind directly, which would name
/// the member instead.
fn stop_at_event_kind(path: String) -> String {
    let Some(rest) = path.strip_prefix("events[") else {
        return path;
    };
    let Some(close) = rest.find(']') else {
        return path;
    };
    match rest[close + 1..].strip_prefix(".kind.") {
        Some(inner) if inner != "type" => {
            path[.."events[".len() + close + 1 + ".kind".len()].to_owned()
        }
        _ => path,
    }
}

/// Parses a recording from a JSON string. It does not call `validate()`.
pub fn from_json_str(s: &str) -> Result<Recording, ParseError> {
    from_json_slice(s.as_bytes())
}

/// The members whose value is an array in format v1.
const ARRAY_MEMBERS: &[&str] = &[
    "tabs",
    "events",
    "frame_path",
    "shadow_hosts",
    "values",
    "labels",
];

/// A byte scan that says whether every `[` outside strings is the value of
/// an [`ARRAY_MEMBERS`] member, i.e. directly follows `"<member>":`. On
/// well-formed JSON an array is either the root, an element of an array
/// (after `[` or `,`), or a member's value (after `"key":`), so this is the
/// rule [`no_struct_as_array`] enforces, read off the bytes without parsing
/// them. It compares keys as raw bytes: a key spelt with escapes
/// (`"ev\u0065nts"`) never matches, which only sends such input to the
/// precise check. On malformed JSON its answer means nothing, and the plain
/// parse that follows it rejects such input anyway.
fn arrays_only_where_expected(bytes: &[u8]) -> bool {
    // The bounds of the last string seen, and of the key of the member whose
    // value comes next (set by `:` right after a string).
    let mut last_string = 0..0;
    let mut key = None;
    // The last byte outside strings that is not whitespace; `"` after a
    // string, 0 at the start.
    let mut prev = 0u8;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != b'"' {
                    // An escape: its next byte (maybe a quote) is content.
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                last_string = start..j.min(bytes.len());
                prev = b'"';
                i = j + 1;
                continue;
            }
            b' ' | b'\t' | b'\n' | b'\r' => {}
            b':' => {
                key = (prev == b'"').then(|| last_string.clone());
                prev = b':';
            }
            b'[' => {
                let member = |k: &std::ops::Range<usize>| {
                    ARRAY_MEMBERS
                        .iter()
                        .any(|m| m.as_bytes() == &bytes[k.clone()])
                };
                if prev != b':' || !key.as_ref().is_some_and(member) {
                    return false;
                }
                prev = b'[';
            }
            b => prev = b,
        }
        i += 1;
    }
    true
}

/// serde's derived structs also read a JSON array of their field values in
/// declaration order (`"recorder": ["0.1.0", "Mozilla/5.0 ..."]`). That form
/// is not part of the format and the schema refuses it, so this first pass
/// refuses an array anywhere but as the value of an [`ARRAY_MEMBERS`]
/// member (and never directly inside another array). It allocates nothing.
fn no_struct_as_array(bytes: &[u8]) -> Result<(), ParseError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut track = serde_path_to_error::Track::new();
    let checked = ArraysWhereExpected {
        array_allowed: false,
    }
    .deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track));
    checked.map_err(|e| classify(e, track.path().to_string()))
}

#[derive(Clone, Copy)]
struct ArraysWhereExpected {
    array_allowed: bool,
}

impl<'de> DeserializeSeed<'de> for ArraysWhereExpected {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ArraysWhereExpected {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object (arrays are only allowed in ")?;
        f.write_str(&ARRAY_MEMBERS.join(", "))?;
        f.write_str(")")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if !self.array_allowed {
            return Err(de::Error::invalid_type(Unexpected::Seq, &self));
        }
        let element = ArraysWhereExpected {
            array_allowed: false,
        };
        while seq.next_element_seed(element)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(array_allowed) = map.next_key_seed(IsArrayMember)? {
            map.next_value_seed(ArraysWhereExpected { array_allowed })?;
        }
        Ok(())
    }
}

/// Reads an object key and says whether it names an array member.
struct IsArrayMember;

impl<'de> DeserializeSeed<'de> for IsArrayMember {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for IsArrayMember {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_str<E>(self, key: &str) -> Result<bool, E> {
        Ok(ARRAY_MEMBERS.contains(&key))
    }
}

fn classify(e: serde_json::Error, path: String) -> ParseError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Data => ParseError::Shape {
            path: if path.is_empty() || path == "." {
                "(root)".to_owned()
            } else {
                path
            },
            // serde_json appends " at line L column C"; the path says more.
            message: strip_position(&e.to_string()),
        },
        Category::Syntax | Category::Eof | Category::Io => ParseError::Syntax {
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        },
    }
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// The canonical serialization: compact JSON, fields in declaration order.
/// Two recordings are "the same content" exactly when these bytes are equal.
pub fn to_canonical_json(recording: &Recording) -> Vec<u8> {
    serde_json::to_vec(recording).expect("a Recording always serializes")
}

/// [`to_canonical_json`] straight into `w`, the same bytes without a
/// buffer of the whole recording (the relay writes a 50 MB upload this way
/// into its file). Only `w`'s own errors can fail it.
pub fn write_canonical_json(recording: &Recording, w: impl std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer(w, recording).map_err(std::io::Error::from)
}

/// Whether `bytes` are exactly [`to_canonical_json`]`(recording)`, found
/// by serializing against them without building the canonical bytes; it
/// stops at the first byte that differs. The extension always sends the
/// canonical form, so the relay can store the bytes it received.
pub fn is_canonical_json(recording: &Recording, bytes: &[u8]) -> bool {
    /// A writer that only accepts the bytes of `expected`, in order.
    struct Against<'a> {
        expected: &'a [u8],
    }
    impl std::io::Write for Against<'_> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            match self.expected.strip_prefix(buf) {
                Some(rest) => {
                    self.expected = rest;
                    Ok(buf.len())
                }
                None => Err(std::io::ErrorKind::InvalidData.into()),
            }
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut against = Against { expected: bytes };
    serde_json::to_writer(&mut against, recording).is_ok() && against.expected.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    /// Keys that exercise the rule: array members, other members, and an
    /// array member spelt with an escape.
    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("events".to_owned()),
            Just("labels".to_owned()),
            Just("recorder".to_owned()),
            Just("ev\\u0065nts".to_owned()),
            "[a-z\"\\[\\]:,\\\\]{0,6}",
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            "[a-z\"\\[\\]:,\\\\ ]{0,8}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 40, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::vec((key(), inner), 0..4)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// The scan never lets through what the reference check refuses,
        /// and agrees with it whenever no key is spelt with an escape.
        #[test]
        fn scan_agrees_with_the_reference_check(v in value(), pretty in any::<bool>()) {
            let text = if pretty {
                serde_json::to_string_pretty(&v).unwrap()
            } else {
                serde_json::to_string(&v).unwrap()
            };
            // `\u0065` in a generated key is a literal backslash for serde;
            // write it raw so the JSON really spells "events" with an escape.
            let text = text.replace("ev\\\\u0065nts", "ev\\u0065nts");
            let reference = no_struct_as_array(text.as_bytes()).is_ok();
            let scan = arrays_only_where_expected(text.as_bytes());
            if scan {
                prop_assert!(reference, "scan accepted what the reference refuses: {text}");
            }
            if !text.contains("\\u0065") {
                prop_assert_eq!(scan, reference, "{}", text);
            }
        }
    }

    /// Every member whose value the published schema lets be an array, so
    /// that a new `Vec` field without an [`ARRAY_MEMBERS`] entry (which
    /// both array checks would then refuse) fails here, not on uploads.
    #[cfg(feature = "schema")]
    #[test]
    fn array_members_are_the_schemas_array_members() {
        use std::collections::BTreeSet;

        fn may_be_array(schema: &Value, root: &Value) -> bool {
            if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
                let name = r.strip_prefix("#/$defs/").expect("only local refs");
                return may_be_array(&root["$defs"][name], root);
            }
            let typed = match schema.get("type") {
                Some(Value::String(t)) => t == "array",
                Some(Value::Array(ts)) => ts.iter().any(|t| t == "array"),
                _ => false,
            };
            typed
                || ["anyOf", "oneOf", "allOf"].iter().any(|k| {
                    schema
                        .get(*k)
                        .and_then(Value::as_array)
                        .is_some_and(|branches| branches.iter().any(|b| may_be_array(b, root)))
                })
        }

        fn walk(schema: &Value, root: &Value, found: &mut BTreeSet<String>) {
            match schema {
                Value::Object(o) => {
                    if let Some(Value::Object(props)) = o.get("properties") {
                        for (name, member) in props {
                            if may_be_array(member, root) {
                                found.insert(name.clone());
                            }
                        }
                    }
                    for v in o.values() {
                        walk(v, root, found);
                    }
                }
                Value::Array(a) => a.iter().for_each(|v| walk(v, root, found)),
                _ => {}
            }
        }

        let schema = crate::json_schema().to_value();
        let mut found = BTreeSet::new();
        walk(&schema, &schema, &mut found);
        let listed: BTreeSet<String> = ARRAY_MEMBERS.iter().map(|m| m.to_string()).collect();
        assert_eq!(
            found, listed,
            "ARRAY_MEMBERS must list exactly the schema's array members"
        );
    }

    #[test]
    fn scan_cases() {
        let ok = |s: &str| arrays_only_where_expected(s.as_bytes());
        assert!(ok(r#"{"events": [{"frame_path":[1,2]}], "x": "[\"]"}"#));
        assert!(!ok(r#"["1"]"#));
        assert!(!ok(r#"{"events": [[1]]}"#));
        assert!(!ok(r#"{"recorder": ["0.1", "ua"]}"#));
        // A key ending in an escaped quote is not the member it resembles.
        assert!(!ok(r#"{"events\"": [1]}"#));
        // An escaped key is refused by the scan, accepted by the reference.
        let escaped = r#"{"ev\u0065nts": [1]}"#;
        assert!(!ok(escaped));
        assert!(no_struct_as_array(escaped.as_bytes()).is_ok());
    }
}
