//! Hand-written `Deserialize` for the two internally tagged enums,
//! [`EventKind`] (`"type"`) and [`FieldValue`] (`"kind"`).
//!
//! serde's derive cannot know where the tag is in an object, so it buffers
//! every member of every event kind into a generic tree first, then reads
//! the variant from that tree. On a 100k-event upload that buffering (and
//! its allocations) cost more than the rest of the parse. Every writer we
//! have puts the tag first (serde serializes it first; so do the extension
//! and the canonical form), so when the first member is the tag, the rest
//! of the object is read straight into the variant's fields. Any other
//! member order still parses, by buffering, exactly as before.
//!
//! The language accepted is the derive's, member for member: the variant
//! payloads are derived structs with `deny_unknown_fields`, a second tag is
//! a duplicate, a missing tag is a missing field, an unknown tag names the
//! variants. Unit variants ignore other members, as the derive does. The
//! `Serialize` and `JsonSchema` derives in `model.rs` are untouched.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::{
    BorrowedStrDeserializer, MapAccessDeserializer, SeqAccessDeserializer, StringDeserializer,
};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess,
    Visitor,
};

use crate::model::{
    EventKind, FieldValue, Modifiers, NavigationCause, Pointer, RedactionReason, TabId, Target,
};

/// An internally tagged enum, described for [`TaggedVisitor`].
trait Tagged: Sized {
    /// The tag member, e.g. `"type"`.
    const TAG: &'static str;
    /// What serde's derive says it expected, e.g. `internally tagged enum
    /// EventKind`, so that messages stay the same.
    const EXPECTING: &'static str;
    /// The tag values, in declaration order.
    const VARIANTS: &'static [&'static str];

    /// The same enum with serde's derived (buffering) `Deserialize`, for
    /// objects whose first member is not the tag.
    type Buffered: DeserializeOwned + Into<Self>;

    /// Reads the members other than the tag as variant `index` of
    /// [`Self::VARIANTS`].
    fn payload<'de, D: Deserializer<'de>>(
        index: usize,
        rest: D,
    ) -> Result<Self::Buffered, D::Error>;
}

fn deserialize_tagged<'de, T: Tagged, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    // `deserialize_any`, like the derive: a non-object fails with the same
    // "invalid type ..., expected internally tagged enum ..." message.
    d.deserialize_any(TaggedVisitor(PhantomData))
}

impl<'de> Deserialize<'de> for EventKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_tagged(d)
    }
}

impl<'de> Deserialize<'de> for FieldValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_tagged(d)
    }
}

struct TaggedVisitor<T>(PhantomData<T>);

impl<'de, T: Tagged> Visitor<'de> for TaggedVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<T, M::Error> {
        let Some(key) = map.next_key_seed(KeySeed)? else {
            return Err(de::Error::missing_field(T::TAG));
        };
        if key.as_str() != T::TAG {
            // The tag comes later (or never): let the derive buffer the
            // members, starting again from the one already read. The
            // buffer keeps their order and any duplicates, which a
            // `serde_json::Value` would not.
            let replay = Replay {
                first: Some(key),
                map,
            };
            return T::Buffered::deserialize(MapAccessDeserializer::new(replay)).map(Into::into);
        }
        // The fast path: no buffering.
        let index = map.next_value_seed(TagSeed::<T>(PhantomData))?;
        let rest = MapAccessDeserializer::new(AfterTag::<M, T>(map, PhantomData));
        T::payload(index, rest).map(Into::into)
    }

    /// serde's derive also reads `[tag, member values...]`; so does this,
    /// by handing the sequence to it.
    fn visit_seq<S: SeqAccess<'de>>(self, seq: S) -> Result<T, S::Error> {
        T::Buffered::deserialize(SeqAccessDeserializer::new(seq)).map(Into::into)
    }
}

/// A map whose first key was already read.
struct Replay<'de, M> {
    first: Option<Key<'de>>,
    map: M,
}

impl<'de, M: MapAccess<'de>> MapAccess<'de> for Replay<'de, M> {
    type Error = M::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, M::Error> {
        match self.first.take() {
            Some(key) => key.deserialize_with(seed).map(Some),
            None => self.map.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, M::Error> {
        self.map.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.map
            .size_hint()
            .map(|n| n + usize::from(self.first.is_some()))
    }
}

/// An object key, borrowed from the input when it has no escapes.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl<'de> Key<'de> {
    fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }

    /// Hands the key to `seed` as the string it was.
    fn deserialize_with<S: DeserializeSeed<'de>, E: de::Error>(
        self,
        seed: S,
    ) -> Result<S::Value, E> {
        match self {
            Key::Borrowed(s) => seed.deserialize(BorrowedStrDeserializer::new(s)),
            Key::Owned(s) => seed.deserialize(StringDeserializer::new(s)),
        }
    }
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key<'de>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
        Ok(Key::Borrowed(s))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'de>, E> {
        Ok(Key::Owned(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Key<'de>, E> {
        Ok(Key::Owned(s))
    }
}

/// The tag's value, as the index of its variant. Read as an identifier, like
/// the derive's variant identifier, with the same messages.
struct TagSeed<T>(PhantomData<T>);

impl<'de, T: Tagged> DeserializeSeed<'de> for TagSeed<T> {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de, T: Tagged> Visitor<'de> for TagSeed<T> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("variant identifier")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<usize, E> {
        match usize::try_from(v) {
            Ok(i) if i < T::VARIANTS.len() => Ok(i),
            _ => Err(E::invalid_value(
                de::Unexpected::Unsigned(v),
                &format!("variant index 0 <= i < {}", T::VARIANTS.len()).as_str(),
            )),
        }
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<usize, E> {
        T::VARIANTS
            .iter()
            .position(|v| *v == s)
            .ok_or_else(|| E::unknown_variant(s, T::VARIANTS))
    }

    fn visit_bytes<E: de::Error>(self, b: &[u8]) -> Result<usize, E> {
        self.visit_str(&String::from_utf8_lossy(b))
    }
}

/// The members after a leading tag. A second tag is refused here, as the
/// derive refuses it, whatever the variant.
struct AfterTag<M, T>(M, PhantomData<T>);

impl<'de, M: MapAccess<'de>, T: Tagged> MapAccess<'de> for AfterTag<M, T> {
    type Error = M::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, M::Error> {
        match self.0.next_key_seed(KeySeed)? {
            None => Ok(None),
            Some(k) if k.as_str() == T::TAG => Err(de::Error::duplicate_field(T::TAG)),
            Some(k) => k.deserialize_with(seed).map(Some),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, M::Error> {
        self.0.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

// The same two enums with serde's derive, struct variants replaced by
// newtype variants around a struct of the same members (read the same way
// from the members after the tag). Their derived `Deserialize` is what
// refuses unknown, duplicate and missing members.

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum BufferedKind {
    Click(Pointer),
    DoubleClick(Pointer),
    ContextClick(Pointer),
    Input(InputFields),
    Select(SelectFields),
    Checkbox(CheckboxFields),
    Radio(RadioFields),
    ContentEdit(ContentEditFields),
    Submit(SubmitFields),
    Key(KeyFields),
    Scroll(ScrollFields),
    Navigate(NavigateFields),
    TabOpened(TabOpenedFields),
    TabActivated,
    TabClosed,
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum BufferedValue {
    Text(TextFields),
    Redacted(RedactedFields),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InputFields {
    target: Target,
    value: FieldValue,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SelectFields {
    target: Target,
    values: Vec<String>,
    labels: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckboxFields {
    target: Target,
    checked: bool,
    #[serde(default)]
    via_label: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RadioFields {
    target: Target,
    value: String,
    #[serde(default)]
    via_label: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContentEditFields {
    target: Target,
    text: FieldValue,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmitFields {
    target: Target,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFields {
    key: String,
    code: String,
    modifiers: Modifiers,
    target: Option<Target>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScrollFields {
    target: Option<Target>,
    x: f64,
    y: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NavigateFields {
    cause: NavigationCause,
    title: String,
    from_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TabOpenedFields {
    opener_tab_id: Option<TabId>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextFields {
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RedactedFields {
    reason: RedactionReason,
}

impl Tagged for EventKind {
    const TAG: &'static str = "type";
    const EXPECTING: &'static str = "internally tagged enum EventKind";
    // In `BufferedKind`'s order, which `payload` follows.
    const VARIANTS: &'static [&'static str] = &[
        "click",
        "double_click",
        "context_click",
        "input",
        "select",
        "checkbox",
        "radio",
        "content_edit",
        "submit",
        "key",
        "scroll",
        "navigate",
        "tab_opened",
        "tab_activated",
        "tab_closed",
    ];
    type Buffered = BufferedKind;

    fn payload<'de, D: Deserializer<'de>>(index: usize, rest: D) -> Result<BufferedKind, D::Error> {
        use BufferedKind as B;
        Ok(match index {
            0 => B::Click(Deserialize::deserialize(rest)?),
            1 => B::DoubleClick(Deserialize::deserialize(rest)?),
            2 => B::ContextClick(Deserialize::deserialize(rest)?),
            3 => B::Input(Deserialize::deserialize(rest)?),
            4 => B::Select(Deserialize::deserialize(rest)?),
            5 => B::Checkbox(Deserialize::deserialize(rest)?),
            6 => B::Radio(Deserialize::deserialize(rest)?),
            7 => B::ContentEdit(Deserialize::deserialize(rest)?),
            8 => B::Submit(Deserialize::deserialize(rest)?),
            9 => B::Key(Deserialize::deserialize(rest)?),
            10 => B::Scroll(Deserialize::deserialize(rest)?),
            11 => B::Navigate(Deserialize::deserialize(rest)?),
            12 => B::TabOpened(Deserialize::deserialize(rest)?),
            // Unit variants: the derive ignores any other members.
            13 => {
                IgnoredAny::deserialize(rest)?;
                B::TabActivated
            }
            _ => {
                IgnoredAny::deserialize(rest)?;
                B::TabClosed
            }
        })
    }
}

impl From<BufferedKind> for EventKind {
    fn from(b: BufferedKind) -> Self {
        use BufferedKind as B;
        match b {
            B::Click(p) => EventKind::Click(p),
            B::DoubleClick(p) => EventKind::DoubleClick(p),
            B::ContextClick(p) => EventKind::ContextClick(p),
            B::Input(InputFields { target, value }) => EventKind::Input { target, value },
            B::Select(SelectFields {
                target,
                values,
                labels,
            }) => EventKind::Select {
                target,
                values,
                labels,
            },
            B::Checkbox(CheckboxFields {
                target,
                checked,
                via_label,
            }) => EventKind::Checkbox {
                target,
                checked,
                via_label,
            },
            B::Radio(RadioFields {
                target,
                value,
                via_label,
            }) => EventKind::Radio {
                target,
                value,
                via_label,
            },
            B::ContentEdit(ContentEditFields { target, text }) => {
                EventKind::ContentEdit { target, text }
            }
            B::Submit(SubmitFields { target }) => EventKind::Submit { target },
            B::Key(KeyFields {
                key,
                code,
                modifiers,
                target,
            }) => EventKind::Key {
                key,
                code,
                modifiers,
                target,
            },
            B::Scroll(ScrollFields { target, x, y }) => EventKind::Scroll { target, x, y },
            B::Navigate(NavigateFields {
                cause,
                title,
                from_url,
            }) => EventKind::Navigate {
                cause,
                title,
                from_url,
            },
            B::TabOpened(TabOpenedFields { opener_tab_id }) => {
                EventKind::TabOpened { opener_tab_id }
            }
            B::TabActivated => EventKind::TabActivated,
            B::TabClosed => EventKind::TabClosed,
        }
    }
}

impl Tagged for FieldValue {
    const TAG: &'static str = "kind";
    const EXPECTING: &'static str = "internally tagged enum FieldValue";
    const VARIANTS: &'static [&'static str] = &["text", "redacted"];
    type Buffered = BufferedValue;

    fn payload<'de, D: Deserializer<'de>>(
        index: usize,
        rest: D,
    ) -> Result<BufferedValue, D::Error> {
        Ok(match index {
            0 => BufferedValue::Text(Deserialize::deserialize(rest)?),
            _ => BufferedValue::Redacted(Deserialize::deserialize(rest)?),
        })
    }
}

impl From<BufferedValue> for FieldValue {
    fn from(b: BufferedValue) -> Self {
        match b {
            BufferedValue::Text(TextFields { text }) => FieldValue::Text { text },
            BufferedValue::Redacted(RedactedFields { reason }) => FieldValue::Redacted { reason },
        }
    }
}

/// The hand-written impls against serde's derive: the same derive as before
/// this module existed, kept here as the reference, on inputs that exercise
/// each branch. Both must accept the same documents with the same values,
/// and refuse the same documents with the same message.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{MouseButton, Point};
    use serde::Serialize;
    use serde_json::Value;

    #[derive(Serialize, Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
    enum DerivedKind {
        Click(Pointer),
        DoubleClick(Pointer),
        ContextClick(Pointer),
        Input {
            target: Target,
            value: DerivedValue,
        },
        Select {
            target: Target,
            values: Vec<String>,
            labels: Vec<String>,
        },
        Checkbox {
            target: Target,
            checked: bool,
            #[serde(default, skip_serializing_if = "std::ops::Not::not")]
            via_label: bool,
        },
        Radio {
            target: Target,
            value: String,
            #[serde(default, skip_serializing_if = "std::ops::Not::not")]
            via_label: bool,
        },
        ContentEdit {
            target: Target,
            text: DerivedValue,
        },
        Submit {
            target: Target,
        },
        Key {
            key: String,
            code: String,
            modifiers: Modifiers,
            target: Option<Target>,
        },
        Scroll {
            target: Option<Target>,
            x: f64,
            y: f64,
        },
        Navigate {
            cause: NavigationCause,
            title: String,
            from_url: Option<String>,
        },
        TabOpened {
            opener_tab_id: Option<TabId>,
        },
        TabActivated,
        TabClosed,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
    enum DerivedValue {
        Text { text: String },
        Redacted { reason: RedactionReason },
    }

    fn target() -> Value {
        serde_json::to_value(
            Target::test("button")
                .text("Go")
                .css("#go")
                .xpath("//button")
                .bounds(1.0, 2.0, 3.0, 4.0)
                .build(),
        )
        .unwrap()
    }

    /// `members` written out in this order, as JSON text (a `Value` would
    /// sort them and drop duplicates).
    fn object(members: &[(&str, String)]) -> String {
        let body: Vec<String> = members
            .iter()
            .map(|(k, v)| format!("{}:{v}", serde_json::to_string(k).unwrap()))
            .collect();
        format!("{{{}}}", body.join(","))
    }

    fn strip(e: serde_json::Error) -> String {
        let m = e.to_string();
        m[..m.rfind(" at line ").unwrap_or(m.len())].to_owned()
    }

    /// Parses `json` both ways; returns the shared outcome.
    fn same(json: &str) -> Result<Value, String> {
        let ours = serde_json::from_str::<EventKind>(json)
            .map(|k| serde_json::to_value(k).unwrap())
            .map_err(strip);
        let derived = serde_json::from_str::<DerivedKind>(json)
            .map(|k| serde_json::to_value(k).unwrap())
            .map_err(|e| {
                // The derive names the type in some messages.
                strip(e)
                    .replace("DerivedKind", "EventKind")
                    .replace("DerivedValue", "FieldValue")
            });
        if json.starts_with('[') {
            // The array form (which `from_json_slice` refuses before
            // parsing) reads its payload as the helper struct, so a
            // message may name `struct SubmitFields` where the derive says
            // `struct variant EventKind::Submit`; what is accepted is equal.
            assert_eq!(ours.as_ref().ok(), derived.as_ref().ok(), "{json}");
        } else {
            assert_eq!(ours, derived, "{json}");
        }
        ours
    }

    fn click_members() -> Vec<(&'static str, String)> {
        let pointer = Pointer {
            target: serde_json::from_value(target()).unwrap(),
            button: MouseButton::Primary,
            modifiers: Modifiers::default(),
            offset: Point { x: 1.5, y: 2.0 },
        };
        let mut members = vec![("type", "\"click\"".to_owned())];
        let Value::Object(m) = serde_json::to_value(pointer).unwrap() else {
            unreachable!("a struct serializes to an object")
        };
        for (k, v) in m {
            let k: &'static str = Box::leak(k.into_boxed_str());
            members.push((k, v.to_string()));
        }
        members
    }

    #[test]
    fn tag_anywhere_reads_the_same_value() {
        let members = click_members();
        let first = same(&object(&members)).unwrap();
        assert_eq!(first["type"], "click");
        for at in 1..members.len() {
            let mut moved = members.clone();
            let tag = moved.remove(0);
            moved.insert(at, tag);
            assert_eq!(same(&object(&moved)).unwrap(), first);
        }
    }

    #[test]
    fn every_refusal_is_the_derives_refusal() {
        let t = target().to_string();
        let value = r#"{"kind":"text","text":"hi"}"#.to_owned();
        let cases: Vec<Vec<(&str, String)>> = vec![
            vec![],
            vec![("target", t.clone())],
            vec![("type", "\"run_script\"".into()), ("source", "1".into())],
            vec![("source", "1".into()), ("type", "\"run_script\"".into())],
            vec![("type", "5".into())],
            vec![("type", "\"submit\"".into()), ("type", "\"submit\"".into())],
            vec![
                ("target", t.clone()),
                ("type", "\"submit\"".into()),
                ("type", "\"submit\"".into()),
            ],
            vec![
                ("type", "\"submit\"".into()),
                ("target", t.clone()),
                ("x", "1".into()),
            ],
            vec![
                ("x", "1".into()),
                ("target", t.clone()),
                ("type", "\"submit\"".into()),
            ],
            vec![
                ("type", "\"submit\"".into()),
                ("target", t.clone()),
                ("target", t.clone()),
            ],
            vec![
                ("target", t.clone()),
                ("target", t.clone()),
                ("type", "\"submit\"".into()),
            ],
            vec![("type", "\"input\"".into()), ("target", t.clone())],
            vec![("target", t.clone()), ("type", "\"input\"".into())],
            vec![
                ("type", "\"scroll\"".into()),
                ("x", "\"1\"".into()),
                ("y", "2".into()),
            ],
            vec![
                ("y", "2".into()),
                ("x", "\"1\"".into()),
                ("type", "\"scroll\"".into()),
            ],
            vec![
                ("type", "\"input\"".into()),
                ("target", t.clone()),
                ("value", r#"{"kind":"secret"}"#.into()),
            ],
            vec![
                ("target", t.clone()),
                ("value", r#"{"text":"a","kind":"text","text":"b"}"#.into()),
                ("type", "\"input\"".into()),
            ],
            vec![
                ("type", "\"input\"".into()),
                ("target", t.clone()),
                (
                    "value",
                    r#"{"kind":"text","kind":"text","text":"b"}"#.into(),
                ),
            ],
        ];
        for members in cases {
            same(&object(&members)).unwrap_err();
        }
        for json in [
            "null",
            "42",
            "\"click\"",
            "[]",
            "[\"nope\"]",
            "[\"submit\"]",
        ] {
            same(json).unwrap_err();
        }

        // And what they accept, including the derive's leniencies: unit
        // variants ignore other members; a payload may come as an array.
        let accepted = [
            // `via_label` is optional and defaults to false.
            object(&[
                ("type", "\"checkbox\"".into()),
                ("target", t.clone()),
                ("checked", "true".into()),
            ]),
            object(&[
                ("type", "\"checkbox\"".into()),
                ("target", t.clone()),
                ("checked", "true".into()),
                ("via_label", "true".into()),
            ]),
            object(&[
                ("via_label", "true".into()),
                ("value", "\"a\"".into()),
                ("target", t.clone()),
                ("type", "\"radio\"".into()),
            ]),
            object(&[("type", "\"tab_closed\"".into()), ("x", "1".into())]),
            object(&[("x", "1".into()), ("type", "\"tab_activated\"".into())]),
            object(&[
                ("type", "\"input\"".into()),
                ("value", value.clone()),
                ("target", t.clone()),
            ]),
            object(&[
                ("type", "\"content_edit\"".into()),
                ("target", t.clone()),
                ("text", r#"{"reason":"password","kind":"redacted"}"#.into()),
            ]),
            object(&[
                ("type", "\"key\"".into()),
                ("key", "\"Enter\"".into()),
                ("code", "\"Enter\"".into()),
                (
                    "modifiers",
                    r#"{"alt":false,"ctrl":true,"meta":false,"shift":false}"#.into(),
                ),
            ]),
            format!("[\"radio\",{t},\"on\"]"),
            "[\"tab_opened\",7]".to_owned(),
        ];
        for json in accepted {
            same(&json).unwrap();
        }
    }

    /// Through `from_json_slice`, with the tag first (the fast path), an
    /// error inside a kind still names `events[i].kind`, as documented in
    /// docs/FORMAT.md, and an unknown tag `events[i].kind.type`.
    #[test]
    fn paths_inside_a_tag_first_kind_stop_at_the_kind() {
        let members = click_members();
        let mut bad_target = target();
        bad_target["onclick"] = "steal()".into();
        let mut kind = members.clone();
        for m in &mut kind {
            if m.0 == "target" {
                m.1 = bad_target.to_string();
            }
        }
        let doc = |kind: String| {
            format!(
                r#"{{"format_version":1,"id":"6f1c2a1e-8a43-4f7e-9d0b-3c1d2e4f5a6b","name":"n","started_at":"2026-01-01T00:00:00Z","ended_at":"2026-01-01T00:00:01Z","recorder":{{"version":"1","user_agent":"u"}},"tabs":[],"events":[{{"seq":0,"at":"2026-01-01T00:00:00Z","tab_id":1,"frame_path":[],"url":"https://a.example/","kind":{kind}}}]}}"#
            )
        };
        crate::from_json_slice(doc(object(&members)).as_bytes()).unwrap();
        match crate::from_json_slice(doc(object(&kind)).as_bytes()) {
            Err(crate::ParseError::Shape { path, message }) => {
                assert_eq!(path, "events[0].kind");
                assert!(message.contains("unknown field `onclick`"), "{message}");
            }
            other => panic!("expected a shape error, got {other:?}"),
        }
        let unknown = object(&[("type", "\"run_script\"".into())]);
        match crate::from_json_slice(doc(unknown).as_bytes()) {
            Err(crate::ParseError::Shape { path, message }) => {
                assert_eq!(path, "events[0].kind.type");
                assert!(
                    message.contains("unknown variant `run_script`"),
                    "{message}"
                );
            }
            other => panic!("expected a shape error, got {other:?}"),
        }
    }
}
