//! Hand-written `Deserialize` (and the `Serialize` that comes with it) for
//! [`EventKind`], an internally tagged enum (`"type"`).
//!
//! serde's derive cannot know where the tag is in an object, so it buffers
//! every member of every event kind into a generic tree first, then reads
//! the variant from that tree. On a 100k-event upload that buffering (and
//! its allocations) cost more than the rest of the parse. Every writer we
//! have puts the tag first (serde serializes it first; so do the extension
//! and the canonical form), so when the first member is the tag, the rest
//! of the object is read straight into the variant's payload struct with
//! that struct's derived `Deserialize`. Any other member order, and the
//! array form, go to the enum's own derived deserializer (`remote = "Self"`
//! in `model.rs` keeps it as the inherent `EventKind::deserialize`).
//!
//! The language accepted is the derive's, member for member: the payloads
//! deny unknown fields, a second tag is a duplicate, a missing tag is a
//! missing field, an unknown tag names the variants. Unit variants ignore
//! other members, as the derive does. The tag, the variant names and the
//! "expected" text are not written here: they are read off the derived
//! deserializer once (see [`Shape`]), so they cannot drift from the type.
//!
//! `FieldValue` keeps serde's derive: its payload is one short member, and
//! buffering it measured no slower than a fast path did (see the bench in
//! `crates/bench/benches/ingest.rs`).

use std::fmt;
use std::marker::PhantomData;
use std::sync::OnceLock;

use serde::de::value::{
    BorrowedStrDeserializer, MapAccessDeserializer, MapDeserializer, SeqAccessDeserializer,
    StringDeserializer,
};
use serde::de::{
    self, DeserializeSeed, Deserializer, IgnoredAny, IntoDeserializer, MapAccess, SeqAccess,
    Visitor,
};
use serde::{Deserialize, Serialize, Serializer};

use crate::model::EventKind;

/// An internally tagged enum whose derive is kept as an inherent function.
trait Tagged: Sized + 'static {
    /// serde's derived deserializer, which buffers.
    fn derived<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;

    /// What the derive knows about the enum, probed once.
    fn shape() -> &'static Shape;

    /// Reads the members after the tag as variant `index` of
    /// [`Shape::variants`].
    fn payload<'de, D: Deserializer<'de>>(index: usize, rest: D) -> Result<Self, D::Error>;
}

/// The derive's own description of an internally tagged enum.
struct Shape {
    /// The tag member, e.g. `"type"`.
    tag: &'static str,
    /// The tag values in declaration order: the list serde's derive hands
    /// to `unknown_variant`.
    variants: &'static [&'static str],
    /// What the derive says it expected (`internally tagged enum
    /// EventKind`), so that messages stay the same.
    expecting: String,
}

impl Shape {
    /// Runs the derived deserializer over three tiny inputs whose errors
    /// carry what it knows: no members (a missing tag names the tag), a tag
    /// no variant has (the refusal lists the variants), and a non-object
    /// (the refusal says what was expected).
    fn probe<T: Tagged>() -> Shape {
        let none = MapDeserializer::<_, Probe>::new(std::iter::empty::<(&str, &str)>());
        let Err(Probe::MissingField(tag)) = T::derived(none) else {
            panic!("serde's derive did not report the missing tag");
        };
        // No variant is spelt "": `rename_all` never makes an empty name.
        let unknown = MapDeserializer::<_, Probe>::new(std::iter::once((tag, "")));
        let Err(Probe::UnknownVariant(variants)) = T::derived(unknown) else {
            panic!("serde's derive did not list the variants");
        };
        let Err(Probe::InvalidType(expecting)) =
            T::derived(IntoDeserializer::<Probe>::into_deserializer(false))
        else {
            panic!("serde's derive did not say what it expected");
        };
        Shape {
            tag,
            variants,
            expecting,
        }
    }
}

/// An error that keeps the arguments serde's derive reports with.
#[derive(Debug)]
enum Probe {
    MissingField(&'static str),
    UnknownVariant(&'static [&'static str]),
    InvalidType(String),
    Other(String),
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Probe::Other(msg) => f.write_str(msg),
            other => write!(f, "{other:?}"),
        }
    }
}

impl std::error::Error for Probe {}

impl de::Error for Probe {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Probe::Other(msg.to_string())
    }

    fn missing_field(field: &'static str) -> Self {
        Probe::MissingField(field)
    }

    fn unknown_variant(_: &str, expected: &'static [&'static str]) -> Self {
        Probe::UnknownVariant(expected)
    }

    fn invalid_type(_: de::Unexpected, expected: &dyn de::Expected) -> Self {
        Probe::InvalidType(expected.to_string())
    }
}

impl Tagged for EventKind {
    fn derived<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The inherent function the derive wrote, not this trait's.
        EventKind::deserialize(d)
    }

    fn shape() -> &'static Shape {
        static SHAPE: OnceLock<Shape> = OnceLock::new();
        SHAPE.get_or_init(Shape::probe::<EventKind>)
    }

    fn payload<'de, D: Deserializer<'de>>(index: usize, rest: D) -> Result<Self, D::Error> {
        use EventKind as K;
        // Declaration order, the derive's order; `variant_index` is the
        // inverse. `the_fast_path_builds_the_variant_its_tag_names` checks
        // both against the serialized tag of every variant.
        Ok(match index {
            0 => K::Click(Deserialize::deserialize(rest)?),
            1 => K::DoubleClick(Deserialize::deserialize(rest)?),
            2 => K::ContextClick(Deserialize::deserialize(rest)?),
            3 => K::Input(Deserialize::deserialize(rest)?),
            4 => K::Select(Deserialize::deserialize(rest)?),
            5 => K::Checkbox(Deserialize::deserialize(rest)?),
            6 => K::Radio(Deserialize::deserialize(rest)?),
            7 => K::ContentEdit(Deserialize::deserialize(rest)?),
            8 => K::Submit(Deserialize::deserialize(rest)?),
            9 => K::Key(Deserialize::deserialize(rest)?),
            10 => K::Scroll(Deserialize::deserialize(rest)?),
            11 => K::Navigate(Deserialize::deserialize(rest)?),
            12 => K::TabOpened(Deserialize::deserialize(rest)?),
            // Unit variants: the derive ignores any other members.
            13 => {
                IgnoredAny::deserialize(rest)?;
                K::TabActivated
            }
            14 => {
                IgnoredAny::deserialize(rest)?;
                K::TabClosed
            }
            // A variant added to the enum but not here; the test above
            // fails before such a build ships.
            _ => {
                return Err(de::Error::custom(format_args!(
                    "no fast path for variant `{}`",
                    Self::shape().variants[index]
                )));
            }
        })
    }
}

/// The position of `kind`'s variant in the declaration (and the derive's
/// variant list).
fn variant_index(kind: &EventKind) -> usize {
    match kind {
        EventKind::Click(_) => 0,
        EventKind::DoubleClick(_) => 1,
        EventKind::ContextClick(_) => 2,
        EventKind::Input(_) => 3,
        EventKind::Select(_) => 4,
        EventKind::Checkbox(_) => 5,
        EventKind::Radio(_) => 6,
        EventKind::ContentEdit(_) => 7,
        EventKind::Submit(_) => 8,
        EventKind::Key(_) => 9,
        EventKind::Scroll(_) => 10,
        EventKind::Navigate(_) => 11,
        EventKind::TabOpened(_) => 12,
        EventKind::TabActivated => 13,
        EventKind::TabClosed => 14,
    }
}

/// [`EventKind::type_name`]: the derive's name for the variant.
pub(crate) fn type_name(kind: &EventKind) -> &'static str {
    EventKind::shape().variants[variant_index(kind)]
}

impl Serialize for EventKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The inherent function the derive wrote.
        EventKind::serialize(self, s)
    }
}

impl<'de> Deserialize<'de> for EventKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_tagged(d)
    }
}

fn deserialize_tagged<'de, T: Tagged, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    // `deserialize_any`, like the derive: a non-object fails with the same
    // "invalid type ..., expected internally tagged enum ..." message.
    d.deserialize_any(TaggedVisitor(PhantomData))
}

struct TaggedVisitor<T>(PhantomData<T>);

impl<'de, T: Tagged> Visitor<'de> for TaggedVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&T::shape().expecting)
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<T, M::Error> {
        let tag = T::shape().tag;
        let Some(key) = map.next_key_seed(KeySeed)? else {
            return Err(de::Error::missing_field(tag));
        };
        if key.as_str() != tag {
            // The tag comes later (or never): let the derive buffer the
            // members, starting again from the one already read. The
            // buffer keeps their order and any duplicates, which a
            // `serde_json::Value` would not.
            let replay = Replay {
                first: Some(key),
                map,
            };
            return T::derived(MapAccessDeserializer::new(replay));
        }
        // The fast path: no buffering.
        let index = map.next_value_seed(TagSeed::<T>(PhantomData))?;
        T::payload(
            index,
            MapAccessDeserializer::new(AfterTag::<M, T>(map, PhantomData)),
        )
    }

    /// serde's derive also reads `[tag, member values...]`; so does this,
    /// by handing the sequence to it.
    fn visit_seq<S: SeqAccess<'de>>(self, seq: S) -> Result<T, S::Error> {
        T::derived(SeqAccessDeserializer::new(seq))
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
        let variants = T::shape().variants;
        match usize::try_from(v) {
            Ok(i) if i < variants.len() => Ok(i),
            _ => Err(E::invalid_value(
                de::Unexpected::Unsigned(v),
                &format!("variant index 0 <= i < {}", variants.len()).as_str(),
            )),
        }
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<usize, E> {
        let variants = T::shape().variants;
        variants
            .iter()
            .position(|v| *v == s)
            .ok_or_else(|| E::unknown_variant(s, variants))
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
        let tag = T::shape().tag;
        match self.0.next_key_seed(KeySeed)? {
            None => Ok(None),
            Some(k) if k.as_str() == tag => Err(de::Error::duplicate_field(tag)),
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

/// The hand-written impl against serde's derive of the same type (the
/// inherent `EventKind::deserialize`), on inputs that exercise each branch.
/// Both must accept the same documents with the same values, and refuse the
/// same documents with the same message.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        CheckboxEvent, ContentEditEvent, FieldValue, InputEvent, KeyEvent, Modifiers, MouseButton,
        NavigateEvent, NavigationCause, Point, Pointer, RadioEvent, RedactionReason, ScrollEvent,
        SelectEvent, SubmitEvent, TabOpenedEvent, Target,
    };
    use serde_json::Value;

    fn target() -> Value {
        serde_json::to_value(sample_target()).unwrap()
    }

    fn sample_target() -> Target {
        Target::test("button")
            .text("Go")
            .css("#go")
            .xpath("//button")
            .bounds(1.0, 2.0, 3.0, 4.0)
            .build()
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

    /// serde's derive of `EventKind`, as `serde_json::from_str` would call
    /// the trait impl.
    fn derived(json: &str) -> Result<EventKind, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(json);
        let kind = EventKind::deserialize(&mut de)?;
        de.end()?;
        Ok(kind)
    }

    /// Parses `json` both ways; returns the shared outcome.
    fn same(json: &str) -> Result<Value, String> {
        let ours = serde_json::from_str::<EventKind>(json)
            .map(|k| serde_json::to_value(k).unwrap())
            .map_err(strip);
        let derived = derived(json)
            .map(|k| serde_json::to_value(k).unwrap())
            .map_err(strip);
        assert_eq!(ours, derived, "{json}");
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

    /// One of every variant, optional members set, so that each payload
    /// writes every member it has.
    fn every_variant() -> Vec<EventKind> {
        let pointer = Pointer {
            target: sample_target(),
            button: MouseButton::Secondary,
            modifiers: Modifiers {
                ctrl: true,
                ..Modifiers::default()
            },
            offset: Point { x: 1.5, y: 2.0 },
        };
        vec![
            EventKind::Click(pointer.clone()),
            EventKind::DoubleClick(pointer.clone()),
            EventKind::ContextClick(pointer),
            EventKind::Input(InputEvent {
                target: sample_target(),
                value: FieldValue::text("hi"),
            }),
            EventKind::Select(SelectEvent {
                target: sample_target(),
                values: vec!["m".into()],
                labels: vec!["Medium".into()],
            }),
            EventKind::Checkbox(CheckboxEvent {
                target: sample_target(),
                checked: true,
                via_label: true,
            }),
            EventKind::Radio(RadioEvent {
                target: sample_target(),
                value: "on".into(),
                via_label: true,
            }),
            EventKind::ContentEdit(ContentEditEvent {
                target: sample_target(),
                text: FieldValue::Redacted {
                    reason: RedactionReason::Password,
                },
            }),
            EventKind::Submit(SubmitEvent {
                target: sample_target(),
            }),
            EventKind::Key(KeyEvent {
                key: "Enter".into(),
                code: "Enter".into(),
                modifiers: Modifiers::default(),
                target: Some(sample_target()),
            }),
            EventKind::Scroll(ScrollEvent {
                target: None,
                x: 0.0,
                y: 120.5,
            }),
            EventKind::Navigate(NavigateEvent {
                cause: NavigationCause::PushState,
                title: "Home".into(),
                from_url: Some("https://a.example/".into()),
            }),
            EventKind::TabOpened(TabOpenedEvent {
                opener_tab_id: Some(3),
            }),
            EventKind::TabActivated,
            EventKind::TabClosed,
        ]
    }

    #[test]
    fn the_variant_list_is_the_derives() {
        let shape = EventKind::shape();
        assert_eq!(shape.tag, "type");
        assert_eq!(shape.expecting, "internally tagged enum EventKind");
        assert_eq!(shape.variants.len(), every_variant().len());
        assert_eq!(shape.variants[0], "click");
        assert_eq!(shape.variants[14], "tab_closed");
    }

    /// Index `i` of the derive's variant list is the variant `payload(i)`
    /// builds and the one `variant_index` (so `type_name`) names, for every
    /// variant: the sample list covers them all, since the tags it
    /// serializes to are the whole list.
    #[test]
    fn the_fast_path_builds_the_variant_its_tag_names() {
        let variants = EventKind::shape().variants;
        let samples = every_variant();
        let mut tags: Vec<String> = Vec::new();
        for kind in samples {
            let json = serde_json::to_string(&kind).unwrap();
            assert!(
                json.starts_with(r#"{"type":"#),
                "the tag comes first: {json}"
            );
            let Value::Object(mut members) = serde_json::from_str::<Value>(&json).unwrap() else {
                unreachable!("an event kind serializes to an object")
            };
            let Some(Value::String(tag)) = members.remove("type") else {
                panic!("no tag in {json}")
            };
            let i = variant_index(&kind);
            assert_eq!(variants[i], tag);
            assert_eq!(kind.type_name(), tag);
            let built = EventKind::payload(i, Value::Object(members)).unwrap();
            assert_eq!(built, kind);
            // And through the trait impl, which takes the fast path for
            // what serde writes.
            assert_eq!(serde_json::from_str::<EventKind>(&json).unwrap(), kind);
            assert_eq!(derived(&json).unwrap(), kind);
            tags.push(tag);
        }
        assert_eq!(tags, variants, "one sample of every variant, in order");
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
