//! Parsing with errors that say *where*: a relay answering 400/422 must be
//! able to tell the sender which byte or which field was wrong.

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
    /// type, an unknown event kind.
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
