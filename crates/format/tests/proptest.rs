//! Property tests: strategies that generate *valid* recordings of every
//! shape, the round-trip and validity properties they must satisfy, and
//! mutations that break exactly one rule and must be reported precisely.

mod common;

use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};
use proptest::collection::{btree_set, vec};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use uuid::Uuid;
use workflow_format::{
    AriaRef, CheckboxEvent, ContentEditEvent, Event, EventKind, FORMAT_VERSION, FieldValue,
    InputEvent, KeyEvent, Modifiers, MouseButton, NavigateEvent, NavigationCause, Point, Problem,
    RadioEvent, RecorderInfo, Recording, Rect, RedactionReason, ScrollEvent, SelectEvent,
    SubmitEvent, TabInfo, TabOpenedEvent, Target, ValidationError, from_json_slice, from_json_str,
    is_significant_key, limits, to_canonical_json,
};

// ---- strategies ----------------------------------------------------------

/// A single-line string, possibly empty: any Unicode except control and
/// other non-printing characters (`\PC`), a few code points long, so it
/// stays well inside every byte limit even at four bytes a character.
fn line() -> impl Strategy<Value = String> {
    "\\PC{0,12}"
}

/// Like [`line`], but with something visible in it (fields that must not be
/// blank).
fn word() -> impl Strategy<Value = String> {
    "[^\\s\\p{C}]\\PC{0,12}"
}

/// Text a user typed: line breaks and tabs allowed.
fn typed() -> impl Strategy<Value = String> {
    "(\\PC|[\\n\\r\\t]){0,40}"
}

fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "https?://[a-z]{1,10}(\\.[a-z]{2,6}){1,2}(:[1-9][0-9]{1,3})?(/[A-Za-z0-9._~%-]{0,10}){0,4}(\\?[a-z]{1,5}=[A-Za-z0-9%]{0,8})?(#[a-z]{0,6})?",
        // Any printable path character but a backslash (refused: see
        // `rules::UrlProblem::Backslash`).
        1 => "https://[a-z]{1,6}\\.example/[^\\s\\p{C}\\\\]{0,8}",
        1 => "(HTTP|Https)://[A-Za-z]{1,8}/[a-z]{0,8}",
        1 => Just("about:blank".to_owned()),
        1 => Just("about:srcdoc".to_owned()),
    ]
}

fn selector() -> impl Strategy<Value = String> {
    prop_oneof![
        "#[a-z][a-z0-9_-]{0,12}",
        "\\[data-testid=\"[a-z][a-z-]{0,12}\"\\]",
        "[a-z]{1,8}( > [a-z]{1,8}(:nth-of-type\\([1-9]\\))?){0,4}",
        word(),
    ]
}

fn xpath() -> impl Strategy<Value = String> {
    prop_oneof![
        "(/[a-z]{1,8}(\\[[1-9]\\])?){1,6}",
        "//\\*\\[@id=\"[a-z][a-z0-9-]{0,10}\"\\]",
    ]
}

/// A finite coordinate inside `limits::COORD`, including the edge values
/// a naive float round trip gets wrong (negative zero, subnormals,
/// fractions with long expansions).
fn coord() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -limits::COORD..=limits::COORD,
        2 => -2.0f64..2.0,
        1 => (0u32..4000).prop_map(|n| f64::from(n) * 0.25),
        1 => select(vec![0.0, -0.0, 5e-324, f64::MIN_POSITIVE, 0.1, 1.0 / 3.0, limits::COORD, -limits::COORD]),
    ]
}

fn size() -> impl Strategy<Value = f64> {
    prop_oneof![0.0..=limits::COORD, 0.0f64..2000.0, Just(0.0)]
}

fn rect() -> impl Strategy<Value = Rect> {
    (coord(), coord(), size(), size()).prop_map(|(x, y, width, height)| Rect {
        x,
        y,
        width,
        height,
    })
}

fn modifiers() -> impl Strategy<Value = Modifiers> {
    any::<[bool; 4]>().prop_map(|[alt, ctrl, meta, shift]| Modifiers {
        alt,
        ctrl,
        meta,
        shift,
    })
}

fn aria() -> impl Strategy<Value = AriaRef> {
    (
        select(vec![
            "button", "link", "textbox", "checkbox", "radio", "combobox", "tab", "menuitem",
        ])
        .prop_map(str::to_owned),
        line(),
    )
        .prop_map(|(role, name)| AriaRef { role, name })
}

/// An element whose value may be captured: nothing in it calls for
/// redaction. Its `frame_path` is filled in by the event that uses it.
fn plain_target() -> BoxedStrategy<Target> {
    let looks = (
        prop::option::of(aria()),
        prop::option::of(line()),
        selector(),
        any::<bool>(),
        xpath(),
        vec(selector(), 0..3),
    );
    let attributes = (
        select(vec![
            "input",
            "button",
            "a",
            "div",
            "select",
            "textarea",
            "span",
            "li",
            "my-widget",
        ]),
        prop::option::of(select(vec![
            "text", "email", "search", "tel", "number", "checkbox", "radio", "submit", "url",
            "Text",
        ])),
        prop::option::of(line()),
        prop::option::of(line()),
        prop::option::of(line()),
        prop::option::of(select(vec![
            "email",
            "name",
            "username",
            "street-address",
            "postal-code",
            "off",
            "section-a shipping tel",
        ])),
        rect(),
    );
    (looks, attributes)
        .prop_map(
            |(
                (aria, text, css, css_unique, xpath, shadow_hosts),
                (tag, input_type, name, label, placeholder, autocomplete, bounds),
            )| Target {
                aria,
                text,
                css,
                css_unique,
                xpath,
                shadow_hosts,
                input_type: input_type.map(str::to_owned),
                name,
                label,
                placeholder,
                autocomplete: autocomplete.map(str::to_owned),
                bounds,
                ..Target::test(tag).build()
            },
        )
        .boxed()
}

/// An element whose value must never be captured, for each way a field
/// becomes sensitive.
fn sensitive_target() -> BoxedStrategy<Target> {
    (plain_target(), 0..9usize, any::<bool>())
        .prop_map(|(mut t, how, upper)| {
            let case = |s: &str| {
                if upper {
                    s.to_ascii_uppercase()
                } else {
                    s.to_owned()
                }
            };
            match how {
                0 => {
                    t.tag = case("input");
                    t.input_type = Some(case("password"));
                }
                1 => {
                    // A show-password toggle made it a text field.
                    t.input_type = Some("text".into());
                    t.was_password = true;
                }
                2 => t.autocomplete = Some(case("one-time-code")),
                3 => t.autocomplete = Some(format!("section-pay billing {}", case("cc-number"))),
                4 => t.autocomplete = Some(case("new-password")),
                5 => {
                    t.tag = "input".into();
                    t.input_type = Some(case("hidden"));
                }
                // Drawn as dots by `-webkit-text-security`.
                6 => t.masked = true,
                // Named for what it holds, in the page's own words.
                7 => {
                    t.tag = "input".into();
                    t.input_type = Some("text".into());
                    if upper {
                        t.id = Some("CARD_NUMBER".into());
                    } else {
                        t.name = Some("cardNumber".into());
                    }
                }
                _ => {
                    t.tag = "input".into();
                    t.input_type = None;
                    t.label = Some(case("Mot de passe"));
                }
            }
            assert!(t.redaction_reason().is_some(), "not sensitive: {t:?}");
            t
        })
        .boxed()
}

fn any_target() -> BoxedStrategy<Target> {
    prop_oneof![3 => plain_target(), 1 => sensitive_target()].boxed()
}

fn reason() -> impl Strategy<Value = RedactionReason> {
    select(vec![
        RedactionReason::Password,
        RedactionReason::OneTimeCode,
        RedactionReason::CardData,
        RedactionReason::Hidden,
        RedactionReason::BankAccount,
        RedactionReason::Masked,
    ])
}

/// A value as typed into a plain field: text, or (rarely) a redaction the
/// recorder chose on its own.
fn field_value() -> impl Strategy<Value = FieldValue> {
    prop_oneof![
        4 => typed().prop_map(FieldValue::text),
        1 => reason().prop_map(|reason| FieldValue::Redacted { reason }),
    ]
}

/// What the recorder stores for `typed` in `target`: a sensitive field's
/// value is always redacted, with the field's own reason. (Deciding here
/// rather than in a `prop_flat_map` keeps generation cheap: no strategy is
/// built per case.)
fn recorded(target: &Target, typed: FieldValue) -> FieldValue {
    match target.redaction_reason() {
        Some(reason) => FieldValue::Redacted { reason },
        None => typed,
    }
}

/// A key press worth recording: a named key with any modifiers, or any
/// visible key with Ctrl, Alt or Meta held.
fn significant_key() -> impl Strategy<Value = (String, String, Modifiers)> {
    prop_oneof![
        (select(workflow_format::NAMED_KEYS), modifiers()).prop_map(|(k, m)| (
            k.to_owned(),
            k.to_owned(),
            m
        )),
        (
            "[^\\s\\p{C}]",
            "(Key[A-Z]|Digit[0-9])?",
            modifiers(),
            0..3usize
        )
            .prop_map(|(k, code, mut m, which)| {
                match which {
                    0 => m.ctrl = true,
                    1 => m.alt = true,
                    _ => m.meta = true,
                }
                (k, code, m)
            }),
    ]
    .prop_map(|(key, code, m)| {
        assert!(is_significant_key(&key, &m), "{key:?} {m:?}");
        (key, code, m)
    })
}

fn pointer() -> BoxedStrategy<workflow_format::Pointer> {
    (
        any_target(),
        select(vec![
            MouseButton::Primary,
            MouseButton::Auxiliary,
            MouseButton::Secondary,
            MouseButton::Back,
            MouseButton::Forward,
        ]),
        modifiers(),
        coord(),
        coord(),
    )
        .prop_map(
            |(target, button, modifiers, x, y)| workflow_format::Pointer {
                target,
                button,
                modifiers,
                offset: Point { x, y },
            },
        )
        .boxed()
}

/// Any event kind. The target's `frame_path` and a `tab_opened`'s opener
/// are placeholders that [`recording`] makes consistent.
fn kind() -> BoxedStrategy<EventKind> {
    prop_oneof![
        pointer().prop_map(EventKind::Click).boxed(),
        pointer().prop_map(EventKind::DoubleClick).boxed(),
        pointer().prop_map(EventKind::ContextClick).boxed(),
        (any_target(), field_value())
            .prop_map(|(target, typed)| EventKind::Input(InputEvent {
                value: recorded(&target, typed),
                target,
            }))
            .boxed(),
        (any_target(), field_value())
            .prop_map(|(target, typed)| EventKind::ContentEdit(ContentEditEvent {
                text: recorded(&target, typed),
                target,
            }))
            .boxed(),
        (any_target(), vec((line(), line()), 0..4))
            .prop_map(|(target, options)| {
                // A sensitive <select> records no option at all.
                let (values, labels) = if target.redaction_reason().is_some() {
                    (vec![], vec![])
                } else {
                    options.into_iter().unzip()
                };
                EventKind::Select(SelectEvent {
                    target,
                    values,
                    labels,
                })
            })
            .boxed(),
        (any_target(), any::<bool>(), any::<bool>())
            .prop_map(
                |(target, checked, via_label)| EventKind::Checkbox(CheckboxEvent {
                    target,
                    checked,
                    via_label,
                })
            )
            .boxed(),
        (any_target(), line(), any::<bool>())
            .prop_map(|(target, value, via_label)| EventKind::Radio(RadioEvent {
                via_label,
                value: if target.redaction_reason().is_some() {
                    String::new()
                } else {
                    value
                },
                target,
            }))
            .boxed(),
        any_target()
            .prop_map(|target| EventKind::Submit(SubmitEvent { target }))
            .boxed(),
        (significant_key(), prop::option::of(plain_target()))
            .prop_map(|((key, code, modifiers), target)| EventKind::Key(KeyEvent {
                key,
                code,
                modifiers,
                target,
            }))
            .boxed(),
        (prop::option::of(any_target()), coord(), coord())
            .prop_map(|(target, x, y)| EventKind::Scroll(ScrollEvent { target, x, y }))
            .boxed(),
        (
            select(vec![
                NavigationCause::Load,
                NavigationCause::PushState,
                NavigationCause::ReplaceState,
                NavigationCause::PopState,
                NavigationCause::HashChange,
                NavigationCause::BackForward,
                NavigationCause::Reload,
            ]),
            line(),
            prop::option::of(url()),
        )
            .prop_map(
                |(cause, title, from_url)| EventKind::Navigate(NavigateEvent {
                    cause,
                    title,
                    from_url,
                })
            )
            .boxed(),
        Just(EventKind::TabOpened(TabOpenedEvent {
            opener_tab_id: None
        }))
        .boxed(),
        Just(EventKind::TabActivated).boxed(),
        Just(EventKind::TabClosed).boxed(),
    ]
    .boxed()
}

fn timestamp() -> impl Strategy<Value = DateTime<Utc>> {
    // 2000-01-01 .. 2100-01-01, with sub-second precision down to the
    // nanosecond (what chrono and the JSON text must carry exactly).
    (946_684_800i64..4_102_444_800, 0u32..1_000_000_000)
        .prop_map(|(s, ns)| DateTime::from_timestamp(s, ns).expect("in range"))
}

/// A valid recording with `events` events in 1..=3 tabs.
fn recording(events: std::ops::Range<usize>) -> impl Strategy<Value = Recording> {
    let header = (
        any::<u128>().prop_filter("nil id", |n| *n != 0),
        word(),
        timestamp(),
        prop_oneof![Just(0i64), 0i64..86_400_000_000_000],
        "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
        line(),
    );
    let tabs = (
        btree_set(any::<u32>(), 1..=3),
        vec(any::<Option<Index>>(), 3),
        vec((url(), line()), 3),
    );
    let events = vec(
        (
            any::<Index>(),
            vec(0u32..6, 0..3),
            url(),
            kind(),
            0u64..=1_000_000,
        ),
        events,
    );
    (header, tabs, events).prop_map(
        |((id, name, started_at, duration_ns, version, user_agent), tabs, events)| {
            let (ids, openers, pages) = tabs;
            let ids: Vec<u32> = ids.into_iter().collect();
            let tabs: Vec<TabInfo> = ids
                .iter()
                .enumerate()
                .map(|(i, &tab_id)| TabInfo {
                    tab_id,
                    // Only a tab listed earlier can have opened this one.
                    opener_tab_id: match (i, openers[i]) {
                        (0, _) | (_, None) => None,
                        (_, Some(o)) => Some(ids[o.index(i)]),
                    },
                    initial_url: pages[i].0.clone(),
                    title: pages[i].1.clone(),
                })
                .collect();

            let ended_at = started_at + Duration::nanoseconds(duration_ns);
            let mut offsets: Vec<u64> = events.iter().map(|e| e.4).collect();
            offsets.sort_unstable();
            let events = events
                .into_iter()
                .zip(offsets)
                .enumerate()
                .map(|(seq, ((tab, frame_path, url, mut kind, _), offset))| {
                    let tab = &tabs[tab.index(tabs.len())];
                    if let Some(t) = kind.target_mut() {
                        t.frame_path = frame_path.clone();
                    }
                    if let EventKind::TabOpened(TabOpenedEvent { opener_tab_id }) = &mut kind {
                        *opener_tab_id = tab.opener_tab_id;
                    }
                    let into = (i128::from(duration_ns) * i128::from(offset) / 1_000_000) as i64;
                    Event {
                        seq: seq as u64,
                        at: started_at + Duration::nanoseconds(into),
                        tab_id: tab.tab_id,
                        frame_path,
                        url,
                        kind,
                    }
                })
                .collect();
            Recording {
                format_version: FORMAT_VERSION,
                id: Uuid::from_u128(id),
                name,
                started_at,
                ended_at,
                recorder: RecorderInfo {
                    version,
                    user_agent,
                },
                tabs,
                events,
            }
        },
    )
}

// ---- properties of valid recordings --------------------------------------

static SCHEMA: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let schema: serde_json::Value =
        serde_json::from_str(&workflow_format::json_schema_string()).unwrap();
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
});

/// Case counts are moderate so the whole suite stays within seconds on two
/// cores in a debug build; generation, not the checks, dominates the time.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // ChaCha (the default) shows up in profiles; these tests need
        // variety, not cryptographic randomness.
        rng_algorithm: proptest::test_runner::RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn generated_recordings_are_valid(r in recording(0..16)) {
        if let Err(e) = r.validate() {
            return Err(TestCaseError::fail(format!("{e}")));
        }
        // Timestamps really are ordered and inside the recording.
        for pair in r.events.windows(2) {
            prop_assert!(pair[0].at <= pair[1].at);
        }
        // Descriptions handle any Unicode without panicking.
        for e in &r.events {
            prop_assert!(!e.kind.describe().is_empty());
        }
    }

    #[test]
    fn json_round_trips_exactly(r in recording(0..16)) {
        let compact = serde_json::to_string(&r).unwrap();
        prop_assert_eq!(&from_json_str(&compact).unwrap(), &r);

        let pretty = serde_json::to_string_pretty(&r).unwrap();
        prop_assert_eq!(&from_json_str(&pretty).unwrap(), &r);

        let canonical = to_canonical_json(&r);
        let back = from_json_slice(&canonical).unwrap();
        prop_assert_eq!(&back, &r);
        // Bit-for-bit floats: `==` treats 0.0 and -0.0 as equal, the
        // canonical bytes do not.
        prop_assert_eq!(to_canonical_json(&back), canonical.clone());
        prop_assert_eq!(compact.as_bytes(), &canonical[..]);
    }
}

proptest! {
    // Schema validation is slow in a debug build; fewer, smaller cases.
    #![proptest_config(config(64))]

    #[test]
    fn generated_recordings_satisfy_the_json_schema(r in recording(0..8)) {
        let value = serde_json::to_value(&r).unwrap();
        let errors: Vec<String> = SCHEMA
            .iter_errors(&value)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        prop_assert!(errors.is_empty(), "{:#?}", errors);
    }
}

// ---- mutations: break one rule, get exactly that error -------------------

fn expect(
    r: &Recording,
    field: String,
    seq: Option<u64>,
    problem: Problem,
) -> Result<(), TestCaseError> {
    let expected = ValidationError {
        field,
        seq,
        problem,
    };
    prop_assert_eq!(r.validate(), Err(expected));
    Ok(())
}

proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn dropping_an_event_leaves_a_seq_gap(mut r in recording(2..12), i in any::<Index>()) {
        let i = i.index(r.events.len() - 1);
        r.events.remove(i);
        expect(&r, format!("events[{i}].seq"), Some(i as u64 + 1),
            Problem::SeqGap { expected: i as u64, found: i as u64 + 1 })?;
    }

    #[test]
    fn a_repeated_seq_is_a_duplicate(mut r in recording(2..12), i in any::<Index>()) {
        let i = 1 + i.index(r.events.len() - 1);
        r.events[i].seq -= 1;
        let seq = i as u64 - 1;
        expect(&r, format!("events[{i}].seq"), Some(seq), Problem::SeqDuplicate { seq })?;
    }

    #[test]
    fn an_event_before_the_start_is_refused(
        mut r in recording(1..12),
        i in any::<Index>(),
        early_ns in 1i64..1_000_000_000_000,
    ) {
        let i = i.index(r.events.len());
        let at = r.started_at - Duration::nanoseconds(early_ns);
        r.events[i].at = at;
        expect(&r, format!("events[{i}].at"), Some(i as u64),
            Problem::BeforeStart { at, started_at: r.started_at })?;
    }

    #[test]
    fn a_sensitive_field_with_a_text_value_is_refused(
        mut r in recording(1..12),
        i in any::<Index>(),
        mut target in sensitive_target(),
        secret in typed(),
        edit in any::<bool>(),
    ) {
        let i = i.index(r.events.len());
        let reason = target.redaction_reason().unwrap();
        target.frame_path = r.events[i].frame_path.clone();
        let (kind, field) = if edit {
            (EventKind::ContentEdit(ContentEditEvent { target, text: FieldValue::text(secret) }), "text")
        } else {
            (EventKind::Input(InputEvent { target, value: FieldValue::text(secret) }), "value")
        };
        r.events[i].kind = kind;
        expect(&r, format!("events[{i}].kind.{field}"), Some(i as u64),
            Problem::RedactionRequired { reason })?;
    }

    #[test]
    fn a_key_on_a_sensitive_field_is_refused(
        mut r in recording(1..12),
        i in any::<Index>(),
        mut target in sensitive_target(),
        (key, code, modifiers) in significant_key(),
    ) {
        let i = i.index(r.events.len());
        let reason = target.redaction_reason().unwrap();
        target.frame_path = r.events[i].frame_path.clone();
        r.events[i].kind = EventKind::Key(KeyEvent { key, code, modifiers, target: Some(target) });
        expect(&r, format!("events[{i}].kind.key"), Some(i as u64),
            Problem::KeyOnSensitiveField { reason })?;
    }

    #[test]
    fn an_over_long_name_is_refused(mut r in recording(0..4), c in "[^\\s\\p{C}]", extra in 0usize..50) {
        // The first repetition count whose byte length passes the limit.
        let n = limits::NAME / c.len() + 1 + extra;
        r.name = c.repeat(n);
        expect(&r, "name".into(), None,
            Problem::TooLong { len: c.len() * n, max: limits::NAME })?;
    }

    #[test]
    fn an_over_long_selector_is_refused(
        mut r in recording(1..12),
        i in any::<Index>(),
        target in plain_target(),
        extra in 1usize..100,
    ) {
        let i = i.index(r.events.len());
        let mut target = target;
        target.frame_path = r.events[i].frame_path.clone();
        target.css = "x".repeat(limits::SELECTOR + extra);
        r.events[i].kind = EventKind::Submit(SubmitEvent { target });
        expect(&r, format!("events[{i}].kind.target.css"), Some(i as u64),
            Problem::TooLong { len: limits::SELECTOR + extra, max: limits::SELECTOR })?;
    }

    #[test]
    fn a_javascript_url_is_refused(
        mut r in recording(1..12),
        i in any::<Index>(),
        scheme in select(vec!["javascript", "JavaScript", "JAVASCRIPT", "data", "chrome", "blob"]),
        in_tab in any::<bool>(),
    ) {
        let bad = format!("{scheme}:alert(1)");
        if in_tab {
            let t = i.index(r.tabs.len());
            r.tabs[t].initial_url = bad;
            expect(&r, format!("tabs[{t}].initial_url"), None, Problem::DisallowedScheme)?;
        } else {
            let i = i.index(r.events.len());
            r.events[i].url = bad;
            expect(&r, format!("events[{i}].url"), Some(i as u64), Problem::DisallowedScheme)?;
        }
    }

    #[test]
    fn an_unknown_format_version_is_refused(
        mut r in recording(0..6),
        version in any::<u32>().prop_filter("the known version", |v| *v != FORMAT_VERSION),
    ) {
        r.format_version = version;
        // Through the wire format, as the relay would see it.
        let parsed = from_json_slice(&to_canonical_json(&r)).unwrap();
        expect(&parsed, "format_version".into(), None,
            Problem::UnsupportedVersion { found: version, supported: FORMAT_VERSION })?;
    }
}
