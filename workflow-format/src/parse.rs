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
    no_struct_as_array(bytes)?;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let recording: Recording = match serde_path_to_error::deserialize(&mut de) {
        Ok(r) => r,
        Err(e) => {
            let path = e.path().to_string();
            return Err(classify(e.into_inner(), path));
        }
    };
    // Trailing bytes after the object are malformed input, not ignorable.
    de.end().map_err(|e| classify(e, String::new()))?;
    Ok(recording)
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
