//! The step model on small recordings built for one rule each.

mod common;

use chrono::Duration;
use clawtrail_export::{Action, AlternativeKind, Entry, build_workflow, skill_slug};
use common::*;
use workflow_format::{
    ContentEditEvent, Event, EventKind, Modifiers, NavigateEvent, NavigationCause, Recording,
    RedactionReason, ScrollEvent, SubmitEvent, TabInfo, TabOpenedEvent, Target,
};

const PAGE2: &str = "https://app.example.com/next";

fn actions(rec: &workflow_format::Recording) -> Vec<Action> {
    rec.validate().expect("test recording is valid");
    build_workflow(rec)
        .steps()
        .map(|s| s.action.clone())
        .collect()
}

#[test]
fn typing_merges_into_one_step_with_the_final_value() {
    let email = textbox("Email", "#email");
    let rec = recording(
        "merge",
        vec![
            (URL, click(email.clone())),
            (URL, input(email.clone(), "ada@")),
            (URL, input(email.clone(), "ada@example.com")),
        ],
    );
    let wf = build_workflow(&rec);
    let steps: Vec<_> = wf.steps().collect();
    assert_eq!(steps.len(), 1, "{steps:#?}");
    let Action::Type { param, .. } = steps[0].action else {
        panic!("expected a type step, got {:?}", steps[0].action);
    };
    assert_eq!(wf.params[param].name, "email");
    assert_eq!(wf.params[param].default.as_deref(), Some("ada@example.com"));
    // The focusing click and both inputs are folded into the step.
    assert_eq!(steps[0].seqs, vec![1, 2, 3]);
}

#[test]
fn tab_is_dropped_and_enter_in_a_textarea_is_typing() {
    let notes = Target {
        tag: "textarea".into(),
        ..textbox("Notes", "#notes")
    };
    let name = textbox("Name", "#name");
    let rec = recording(
        "keys",
        vec![
            (URL, input(name.clone(), "Ada")),
            (URL, key("Tab", Modifiers::default(), Some(name))),
            (URL, key("Enter", Modifiers::default(), Some(notes.clone()))),
            (URL, input(notes, "line 1\nline 2")),
        ],
    );
    let acts = actions(&rec);
    assert_eq!(acts.len(), 2, "{acts:#?}");
    assert!(acts.iter().all(|a| matches!(a, Action::Type { .. })));
}

#[test]
fn enter_on_a_button_is_a_click_and_other_keys_get_focus_first() {
    let search = textbox("Search", "#q");
    let ok = button("OK", "#ok");
    let ctrl = Modifiers {
        ctrl: true,
        ..Modifiers::default()
    };
    let rec = recording(
        "keys",
        vec![
            (URL, key("Enter", Modifiers::default(), Some(ok))),
            (
                URL,
                key("Escape", Modifiers::default(), Some(search.clone())),
            ),
            (URL, key("k", ctrl, None)),
        ],
    );
    let acts = actions(&rec);
    assert!(
        matches!(&acts[0], Action::Click { via_key: Some(k), count: 1, .. } if k == "Enter"),
        "{acts:#?}"
    );
    assert_eq!(acts[1], Action::Focus);
    assert!(matches!(&acts[2], Action::Press { key, .. } if key == "Escape"));
    assert!(
        matches!(&acts[3], Action::Press { key, modifiers, .. } if key == "k" && modifiers.ctrl)
    );
    assert_eq!(acts.len(), 4);
}

#[test]
fn enter_right_after_typing_needs_no_focus_and_comes_after_the_text() {
    let search = textbox("Search query", "#q");
    let rec = recording(
        "search",
        vec![
            (
                URL,
                key("Enter", Modifiers::default(), Some(search.clone())),
            ),
            (URL, input(search, "espresso cups")),
        ],
    );
    let acts = actions(&rec);
    assert_eq!(acts.len(), 2, "{acts:#?}");
    assert!(matches!(acts[0], Action::Type { .. }));
    assert!(matches!(&acts[1], Action::Press { key, .. } if key == "Enter"));
    let wf = build_workflow(&rec);
    assert_eq!(wf.params[0].name, "search_query");
}

#[test]
fn scroll_noise_collapses_to_the_final_position() {
    let scroll = |y: f64| {
        EventKind::Scroll(ScrollEvent {
            target: None,
            x: 0.0,
            y,
        })
    };
    let rec = recording(
        "scroll",
        vec![
            (URL, scroll(100.0)),
            (URL, scroll(400.0)),
            (URL, scroll(900.0)),
        ],
    );
    let acts = actions(&rec);
    assert_eq!(acts, vec![Action::Scroll { x: 0.0, y: 900.0 }]);
}

#[test]
fn navigation_attaches_to_its_cause_and_splits_segments() {
    let go = button("Continue", "#go");
    let mut frame_load = load("ad frame");
    if let EventKind::Navigate(NavigateEvent { cause, .. }) = &mut frame_load {
        *cause = NavigationCause::Load;
    }
    let rec = recording(
        "nav",
        vec![
            (URL, click(go.clone())),
            (
                URL,
                EventKind::Submit(SubmitEvent {
                    target: el("form", "#f"),
                }),
            ),
            (PAGE2, load("Next page")),
            (PAGE2, click(button("Done", "#done"))),
        ],
    );
    let wf = build_workflow(&rec);
    rec.validate().unwrap();
    assert_eq!(wf.segments.len(), 2, "{:#?}", wf.segments);
    let first = &wf.segments[0];
    assert_eq!(first.entry, Entry::Open { url: URL.into() });
    assert_eq!(first.steps.len(), 1, "the submit is part of the click");
    let nav = first.steps[0]
        .navigates_to
        .as_ref()
        .expect("click navigates");
    assert_eq!(nav.url, PAGE2);
    assert_eq!(nav.title, "Next page");
    assert_eq!(first.steps[0].seqs, vec![1, 2]);
    assert_eq!(wf.segments[1].entry, Entry::Arrived);
    assert_eq!(wf.segments[1].url, PAGE2);
    assert_eq!(wf.final_page(), Some((PAGE2, "Next page")));
}

#[test]
fn frame_loads_do_not_split_and_a_typed_url_is_opened() {
    let mut rec = recording(
        "frames",
        vec![
            (URL, click(button("A", "#a"))),
            ("https://ads.example.net/frame", load("")),
        ],
    );
    // The second load happened in a child frame.
    rec.events[2].frame_path = vec![0];
    rec.validate().unwrap();
    let wf = build_workflow(&rec);
    assert_eq!(wf.segments.len(), 1);
    assert!(wf.segments[0].steps[0].navigates_to.is_none());

    // A load with nothing that caused it, after the user did something,
    // is a URL the user typed: the plan must open it.
    let rec = recording(
        "typed",
        vec![
            (
                URL,
                EventKind::Scroll(ScrollEvent {
                    target: None,
                    x: 0.0,
                    y: 50.0,
                }),
            ),
            (PAGE2, load("Typed")),
        ],
    );
    rec.validate().unwrap();
    let wf = build_workflow(&rec);
    assert_eq!(wf.segments.len(), 2);
    assert_eq!(wf.segments[1].entry, Entry::Open { url: PAGE2.into() });
}

#[test]
fn alternatives_are_ordered_by_robustness_with_what_is_not_unique_last() {
    let mut b = button("Sign in", "form > button:nth-child(3)");
    b.css_unique = false;
    let rec = recording("alts", vec![(URL, click(b.clone()))]);
    let wf = build_workflow(&rec);
    let step = wf.steps().next().unwrap();
    let kinds: Vec<_> = step.alternatives.iter().map(|a| a.kind).collect();
    // The CSS selector matched several elements when recorded: it comes
    // after everything else, which might find the one element.
    assert_eq!(
        kinds,
        vec![
            AlternativeKind::Aria,
            AlternativeKind::Text,
            AlternativeKind::Xpath,
            AlternativeKind::Css,
        ]
    );
    assert_eq!(step.alternatives[3].unique, Some(false));
    assert!(step.alternatives[3].is_flagged_not_unique());
    assert_eq!(step.alternatives[0].role.as_deref(), Some("button"));
    // A unique CSS selector keeps its place by robustness.
    b.css_unique = true;
    let rec = recording("alts", vec![(URL, click(b))]);
    let wf = build_workflow(&rec);
    let kinds: Vec<_> = wf
        .steps()
        .next()
        .unwrap()
        .alternatives
        .iter()
        .map(|a| a.kind)
        .collect();
    assert_eq!(
        kinds,
        vec![
            AlternativeKind::Aria,
            AlternativeKind::Text,
            AlternativeKind::Css,
            AlternativeKind::Xpath,
        ]
    );
}

#[test]
fn parameter_names_are_unique_and_secrets_have_no_default() {
    let a = textbox("Email", "#a");
    let b = textbox("Email", "#b");
    let pw = password("#pw");
    let rec = recording(
        "params",
        vec![
            (URL, input(a, "one@example.com")),
            (URL, input(b, "two@example.com")),
            (URL, redacted(pw.clone(), RedactionReason::Password)),
            (URL, click(button("Show", "#show"))),
            (URL, redacted(pw, RedactionReason::Password)),
        ],
    );
    rec.validate().unwrap();
    let wf = build_workflow(&rec);
    let names: Vec<_> = wf.params.iter().map(|p| p.name.as_str()).collect();
    // The password typed twice (around a show-password click) is one input.
    assert_eq!(names, vec!["email", "email_2", "current_password"]);
    let pw = &wf.params[2];
    assert_eq!(pw.default, None);
    assert_eq!(pw.secret, Some(RedactionReason::Password));
    assert!(pw.is_required());
}

#[test]
fn a_value_in_a_field_that_must_be_redacted_never_becomes_a_default() {
    // Forged: validation refuses this, and the step model does not trust
    // the value either.
    let rec = recording("forged", vec![(URL, input(password("#pw"), "hunter2"))]);
    assert!(rec.validate().is_err());
    let wf = build_workflow(&rec);
    assert_eq!(wf.params[0].default, None);
    assert_eq!(wf.params[0].secret, Some(RedactionReason::Password));
}

#[test]
fn slug_falls_back_to_the_id() {
    let rec = recording("日本語のワークフロー", vec![]);
    assert_eq!(skill_slug(&rec), "recording-0b1c2d3e");
    let rec = recording(&"Very long name ".repeat(10), vec![]);
    let slug = skill_slug(&rec);
    assert!(
        slug.len() <= 64 && slug.starts_with("very-long-name-"),
        "{slug}"
    );
}

#[test]
fn examples_produce_sensible_models() {
    for (file, rec) in examples() {
        rec.validate().unwrap_or_else(|e| panic!("{file}: {e}"));
        let wf = build_workflow(&rec);
        assert!(!wf.segments.is_empty(), "{file}");
        let numbers: Vec<_> = wf.steps().map(|s| s.number).collect();
        assert_eq!(numbers, (1..=numbers.len()).collect::<Vec<_>>(), "{file}");
        for seg in &wf.segments {
            // A navigating step is always the last of its segment.
            for (i, s) in seg.steps.iter().enumerate() {
                if s.navigates_to.is_some() {
                    assert_eq!(i, seg.steps.len() - 1, "{file}: step {}", s.number);
                }
            }
        }
        // Every event is accounted for at most once.
        let mut seqs: Vec<u64> = wf.steps().flat_map(|s| s.seqs.clone()).collect();
        let n = seqs.len();
        seqs.sort_unstable();
        seqs.dedup();
        assert_eq!(seqs.len(), n, "{file}: an event folded into two steps");
    }
}

/// A recording in two tabs: tab 2 opens `gap_ms` after the click in tab 1,
/// with tab 1 (or `opener`) as its opener, then gets a click of its own.
fn two_tabs(opener: u32, gap_ms: i64) -> Recording {
    let mut rec = recording("Two tabs", vec![(URL, click(button("Docs", "#docs")))]);
    let last_at = rec.events.last().unwrap().at;
    let second = "http://127.0.0.1:8000/docs";
    let n = rec.events.len() as u64;
    let opened = last_at + Duration::milliseconds(gap_ms);
    rec.tabs.push(TabInfo {
        tab_id: 2,
        opener_tab_id: Some(opener),
        initial_url: second.into(),
        title: "Docs".into(),
    });
    rec.events.push(Event {
        seq: n,
        at: opened,
        tab_id: 2,
        frame_path: vec![],
        url: second.into(),
        kind: EventKind::TabOpened(TabOpenedEvent {
            opener_tab_id: Some(opener),
        }),
    });
    rec.events.push(Event {
        seq: n + 1,
        at: opened + Duration::milliseconds(100),
        tab_id: 2,
        frame_path: vec![],
        url: second.into(),
        kind: click(button("Next", "#next")),
    });
    rec.ended_at = opened + Duration::seconds(1);
    rec.validate().unwrap();
    rec
}

#[test]
fn a_tab_opened_right_after_a_click_is_opened_by_that_click() {
    let wf = build_workflow(&two_tabs(TAB, 300));
    assert_eq!(wf.segments.len(), 2);
    assert!(
        matches!(wf.segments[1].entry, Entry::NewTab { opened_by: Some(1) }),
        "{:?}",
        wf.segments[1].entry
    );
    assert_eq!(
        wf.segments[0].steps[0].opens_tab.as_deref(),
        Some("http://127.0.0.1:8000/docs")
    );
}

#[test]
fn a_tab_opened_later_by_hand_or_by_a_tab_outside_the_recording_is_opened_directly() {
    for (opener, gap) in [(TAB, 60_000), (999, 300)] {
        let wf = build_workflow(&two_tabs(opener, gap));
        assert_eq!(
            wf.segments[1].entry,
            Entry::Open {
                url: "http://127.0.0.1:8000/docs".into()
            },
            "opener {opener}, gap {gap} ms"
        );
        assert!(wf.segments[0].steps.iter().all(|s| s.opens_tab.is_none()));
    }
}

/// A click on the start page, then a load of PAGE2 `gap_ms` later whose
/// referrer is `referrer`.
fn click_then_load(gap_ms: i64, referrer: Option<&str>) -> workflow_format::Recording {
    let mut rec = recording(
        "causality",
        vec![
            (URL, click(button("Orders", "#orders"))),
            (
                PAGE2,
                EventKind::Navigate(NavigateEvent {
                    cause: NavigationCause::Load,
                    title: "Next page".into(),
                    from_url: referrer.map(str::to_owned),
                }),
            ),
        ],
    );
    rec.events[2].at = rec.events[1].at + chrono::Duration::milliseconds(gap_ms);
    rec.ended_at = rec.events[2].at + chrono::Duration::milliseconds(1);
    rec.validate().unwrap();
    rec
}

/// (the click's navigation, the second segment's entry)
fn causality(rec: &workflow_format::Recording) -> (Option<String>, Entry) {
    let wf = build_workflow(rec);
    assert_eq!(wf.segments.len(), 2, "{:#?}", wf.segments);
    let nav = wf.segments[0].steps[0]
        .navigates_to
        .as_ref()
        .map(|n| n.url.clone());
    (nav, wf.segments[1].entry.clone())
}

#[test]
fn a_load_right_after_a_click_is_the_click_s_even_without_a_referrer() {
    let (nav, entry) = causality(&click_then_load(400, None));
    assert_eq!(nav.as_deref(), Some(PAGE2));
    assert_eq!(entry, Entry::Arrived);
}

#[test]
fn a_load_long_after_a_click_with_no_referrer_is_a_typed_url() {
    // The user clicked, read the page, then typed a URL (or picked a bookmark).
    let (nav, entry) = causality(&click_then_load(6_000, None));
    assert_eq!(nav, None, "the click did not navigate");
    assert_eq!(entry, Entry::Open { url: PAGE2.into() });
}

#[test]
fn a_slow_load_with_the_step_s_site_as_referrer_is_the_step_s() {
    let (nav, entry) = causality(&click_then_load(20_000, Some(URL)));
    assert_eq!(nav.as_deref(), Some(PAGE2));
    assert_eq!(entry, Entry::Arrived);
    // Across sites the referrer is only the origin.
    let (nav, _) = causality(&click_then_load(20_000, Some("https://app.example.com/")));
    assert_eq!(nav.as_deref(), Some(PAGE2));
}

#[test]
fn a_load_whose_referrer_is_another_site_was_not_caused_by_the_step() {
    for gap in [300, 20_000] {
        let (nav, entry) = causality(&click_then_load(
            gap,
            Some("https://elsewhere.example.org/"),
        ));
        assert_eq!(nav, None, "gap {gap} ms");
        assert_eq!(entry, Entry::Open { url: PAGE2.into() });
    }
    // Same host, other port or scheme: another origin.
    let (nav, _) = causality(&click_then_load(300, Some("http://app.example.com/start")));
    assert_eq!(nav, None);
}

#[test]
fn a_load_after_typing_is_not_the_typing_s() {
    let rec = recording(
        "typed then url",
        vec![
            (URL, input(textbox("Search", "#q"), "shoes")),
            (PAGE2, load("Next page")),
        ],
    );
    rec.validate().unwrap();
    let wf = build_workflow(&rec);
    assert_eq!(wf.segments.len(), 2);
    assert!(wf.segments[0].steps[0].navigates_to.is_none());
    assert_eq!(wf.segments[1].entry, Entry::Open { url: PAGE2.into() });
    // A same-document route change after typing stays the typing's
    // (search-as-you-type updates the URL).
    let rec = recording(
        "typed then route",
        vec![
            (URL, input(textbox("Search", "#q"), "shoes")),
            (
                "https://app.example.com/start?q=shoes",
                EventKind::Navigate(NavigateEvent {
                    cause: NavigationCause::ReplaceState,
                    title: "Start".into(),
                    from_url: Some(URL.into()),
                }),
            ),
        ],
    );
    rec.validate().unwrap();
    let wf = build_workflow(&rec);
    assert!(wf.segments[0].steps[0].navigates_to.is_some());
}

#[test]
fn an_enter_whose_effect_is_not_in_the_text_is_kept() {
    // A notebook cell: the code has no newline, Shift+Enter runs it.
    let cell = Target {
        tag: "div".into(),
        ..textbox("Cell", "#cell")
    };
    let shift = Modifiers {
        shift: true,
        ..Modifiers::default()
    };
    let rec = recording(
        "run cell",
        vec![
            (
                URL,
                EventKind::ContentEdit(ContentEditEvent {
                    target: cell.clone(),
                    text: workflow_format::FieldValue::Text {
                        text: "print(6*7)".into(),
                    },
                }),
            ),
            (URL, key("Enter", shift, Some(cell.clone()))),
        ],
    );
    rec.validate().unwrap();
    let acts = actions(&rec);
    assert!(
        matches!(
            acts[0],
            Action::Type {
                content_editable: true,
                ..
            }
        ),
        "{acts:#?}"
    );
    assert!(
        matches!(&acts[1], Action::Press { key, modifiers, .. } if key == "Enter" && modifiers.shift),
        "{acts:#?}"
    );

    // Two lines typed with Enter, then Enter once more sends the message:
    // the first Enter is text, the second is not.
    let chat = Target {
        tag: "textarea".into(),
        ..textbox("Message", "#msg")
    };
    let rec = recording(
        "send",
        vec![
            (URL, key("Enter", Modifiers::default(), Some(chat.clone()))),
            (URL, input(chat.clone(), "hello\nworld")),
            (URL, key("Enter", Modifiers::default(), Some(chat))),
        ],
    );
    let acts = actions(&rec);
    let presses = acts
        .iter()
        .filter(|a| matches!(a, Action::Press { .. }))
        .count();
    assert_eq!(presses, 1, "{acts:#?}");
    assert!(
        matches!(acts.last(), Some(Action::Press { .. })),
        "{acts:#?}"
    );
}

#[test]
fn an_editable_region_s_text_is_no_way_to_find_it() {
    // A code editor's textbox: its text is what was typed, so it is neither
    // a name nor a text selector.
    let mut editor = el("div", "#editor > div");
    editor.aria = Some(workflow_format::AriaRef {
        role: "textbox".into(),
        name: String::new(),
    });
    editor.text = Some("let answer = 6 * 7;".into());
    let rec = recording("editor", vec![(URL, click(editor))]);
    let wf = build_workflow(&rec);
    let kinds: Vec<_> = wf
        .steps()
        .next()
        .unwrap()
        .alternatives
        .iter()
        .map(|a| a.kind)
        .collect();
    assert_eq!(kinds, vec![AlternativeKind::Css, AlternativeKind::Xpath]);
}

/// A main-frame navigation with no referrer (the browser's own buttons).
fn nav(cause: NavigationCause, title: &str) -> EventKind {
    EventKind::Navigate(NavigateEvent {
        cause,
        title: title.into(),
        from_url: None,
    })
}

#[test]
fn back_and_forward_are_the_buttons_when_the_history_says_which_way() {
    let rec = recording(
        "history",
        vec![
            (URL, click(button("Next", "#next"))),
            (PAGE2, load("Next page")),
            (PAGE2, click(button("Done", "#done"))),
            (URL, nav(NavigationCause::BackForward, "Start")),
            (URL, click(button("Next", "#next"))),
            (PAGE2, nav(NavigationCause::BackForward, "Next page")),
            (PAGE2, click(button("Done", "#done"))),
            // Back to a page the recording never saw in this tab's history.
            (
                "https://app.example.com/elsewhere",
                nav(NavigationCause::BackForward, "Elsewhere"),
            ),
        ],
    );
    rec.validate().unwrap();
    let wf = build_workflow(&rec);
    let entries: Vec<_> = wf.segments.iter().map(|s| s.entry.clone()).collect();
    assert_eq!(
        entries,
        vec![
            Entry::Open { url: URL.into() },
            Entry::Arrived,
            Entry::Back { url: URL.into() },
            Entry::Forward { url: PAGE2.into() },
            Entry::Open {
                url: "https://app.example.com/elsewhere".into()
            },
        ],
        "{:#?}",
        wf.segments
    );
}

#[test]
fn a_reload_is_the_reload_button_only_when_the_tab_was_on_that_url() {
    let rec = recording(
        "reload",
        vec![
            (URL, click(button("Next", "#next"))),
            (PAGE2, load("Next page")),
            (PAGE2, click(button("Done", "#done"))),
            // The user pressed Reload on the page the tab was showing.
            (PAGE2, nav(NavigationCause::Reload, "Next page")),
            (PAGE2, click(button("Done", "#done"))),
            // A "reload" reported for a URL the tab was not on (the
            // recording missed the load in between): opening it is the
            // only faithful replay.
            (
                "https://app.example.com/elsewhere",
                nav(NavigationCause::Reload, "Elsewhere"),
            ),
        ],
    );
    rec.validate().unwrap();
    let wf = build_workflow(&rec);
    let entries: Vec<_> = wf.segments.iter().map(|s| s.entry.clone()).collect();
    assert_eq!(
        entries,
        vec![
            Entry::Open { url: URL.into() },
            Entry::Arrived,
            Entry::Reload { url: PAGE2.into() },
            Entry::Open {
                url: "https://app.example.com/elsewhere".into()
            },
        ],
        "{:#?}",
        wf.segments
    );
    // The reload is its own step in every export: a navigate in the
    // DevTools flow, "reload tab 1" in the skill.
    let flow = clawtrail_export::devtools_flow(&rec).unwrap();
    let navs: Vec<&str> = flow["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["type"] == "navigate")
        .map(|s| s["url"].as_str().unwrap())
        .collect();
    assert_eq!(navs, vec![URL, PAGE2, "https://app.example.com/elsewhere"]);
}

#[test]
fn back_then_reload_without_acting_between_is_two_presses() {
    let rec = recording(
        "back-reload",
        vec![
            (URL, click(button("Next", "#next"))),
            (PAGE2, load("Next page")),
            (PAGE2, click(button("Done", "#done"))),
            (URL, nav(NavigationCause::BackForward, "Start")),
            (URL, nav(NavigationCause::Reload, "Start")),
            (URL, click(button("Next", "#next"))),
        ],
    );
    rec.validate().unwrap();
    let wf = build_workflow(&rec);
    let entries: Vec<_> = wf.segments.iter().map(|s| s.entry.clone()).collect();
    assert_eq!(
        entries,
        vec![
            Entry::Open { url: URL.into() },
            Entry::Arrived,
            Entry::Back { url: URL.into() },
            Entry::Reload { url: URL.into() },
        ],
        "{:#?}",
        wf.segments
    );
    assert!(wf.segments[2].steps.is_empty());
    // Each press is a plan of its own: the wait for its page.
    let (_, files) = clawtrail_export::render_openclaw_skill(&rec).unwrap();
    let plan = |n: usize| -> serde_json::Value {
        let f = files
            .iter()
            .find(|f| f.path.ends_with(format!("plan-{n:02}.json")))
            .unwrap_or_else(|| panic!("plan {n}"));
        serde_json::from_slice(&f.contents).unwrap()
    };
    let back = plan(3);
    assert_eq!(back.as_array().unwrap().len(), 1, "{back}");
    assert_eq!(back[0]["kind"], "wait");
    // A page the history brings back may come from the back/forward
    // cache, which Playwright over CDP does not see: the page says where
    // it is.
    assert_eq!(
        back[0]["fn"],
        format!("() => location.href === \"{URL}\""),
        "{back}"
    );
    assert!(back[0].get("url").is_none());
    assert_eq!(plan(4)[0]["kind"], "wait");
    assert!(plan(4)[0]["fn"].as_str().unwrap().contains("location.href"));
    // A page reached by a click waits on its URL.
    assert_eq!(plan(2)[0]["url"], PAGE2);
}

#[test]
fn text_typed_into_an_editable_region_is_no_way_to_find_what_is_inside() {
    // A rich-text editor's body (no role, the body of an iframe) and a
    // paragraph inside it: their text is the typed value, which a replay
    // with another value changes.
    let framed = |mut t: Target| {
        t.frame_path = vec![0];
        t
    };
    let body = Target {
        text: Some("Ship the release today".into()),
        xpath: "/html/body".into(),
        ..framed(el("body", "#tinymce"))
    };
    let para = Target {
        text: Some("Ship the release today".into()),
        xpath: "/html/body/p".into(),
        ..framed(el("p", "#tinymce > p"))
    };
    // A link inside the text is named by it too; a toolbar button outside
    // the region (same XPath prefix, another frame) keeps its name.
    let link = Target {
        aria: Some(workflow_format::AriaRef {
            role: "link".into(),
            name: "release".into(),
        }),
        text: Some("release".into()),
        xpath: "/html/body/p/a".into(),
        ..framed(el("a", "#tinymce a"))
    };
    let bold = Target {
        xpath: "/html/body/div/button".into(),
        ..button("Bold", "button[aria-label=\"Bold\"]")
    };
    let bodyish = Target {
        text: Some("Sibling".into()),
        xpath: "/html/bodyx".into(),
        ..framed(el("bodyx", "bodyx"))
    };
    let rec = recording(
        "editor",
        vec![
            (URL, click(para.clone())),
            (
                URL,
                EventKind::ContentEdit(ContentEditEvent {
                    target: body,
                    text: workflow_format::FieldValue::Text {
                        text: "Ship the release today".into(),
                    },
                }),
            ),
            (URL, click(para)),
            (URL, click(link)),
            (URL, click(bold)),
            (URL, click(bodyish)),
        ],
    );
    rec.validate().unwrap();
    let wf = build_workflow(&rec);
    let kinds: Vec<Vec<AlternativeKind>> = wf
        .steps()
        .map(|s| s.alternatives.iter().map(|a| a.kind).collect())
        .collect();
    use AlternativeKind::*;
    assert_eq!(
        kinds,
        vec![
            vec![Css, Xpath],
            vec![Css, Xpath],
            vec![Css, Xpath],
            vec![Css, Xpath],
            vec![Aria, Text, Css, Xpath],
            vec![Text, Css, Xpath],
        ],
        "{:#?}",
        wf.steps().map(|s| &s.alternatives).collect::<Vec<_>>()
    );
}

#[test]
fn devtools_selectors_leave_out_text_when_aria_says_it_precisely() {
    // @puppeteer/replay races all selectors; `text/Sign in` would also
    // find a heading "Sign in" (it matches by substring).
    let rec = recording("signin", vec![(URL, click(button("Sign in", "#signin")))]);
    let flow = clawtrail_export::devtools_flow(&rec).unwrap();
    let click = flow["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["type"] == "click")
        .unwrap();
    let sels = click["selectors"].to_string();
    assert!(sels.contains("aria/Sign in"), "{sels}");
    assert!(!sels.contains("text/"), "{sels}");
}

#[test]
fn a_scroll_between_a_submit_and_the_load_it_caused_does_not_hide_the_cause() {
    // Django's admin: Save is below the fold; the scroll that brought it
    // into view is reported in the frame after the click and the submit.
    let scroll = EventKind::Scroll(ScrollEvent {
        target: None,
        x: 0.0,
        y: 119.0,
    });
    let mut next = load("Next page");
    if let EventKind::Navigate(NavigateEvent { from_url, .. }) = &mut next {
        *from_url = Some(URL.into());
    }
    let rec = recording(
        "save",
        vec![
            (URL, click(button("Save", "#save"))),
            (
                URL,
                EventKind::Submit(SubmitEvent {
                    target: el("form", "#f"),
                }),
            ),
            (URL, scroll.clone()),
            (PAGE2, next),
            (PAGE2, click(button("Done", "#done"))),
        ],
    );
    rec.validate().unwrap();
    let wf = build_workflow(&rec);
    assert_eq!(wf.segments.len(), 2, "{:#?}", wf.segments);
    let first = &wf.segments[0].steps;
    assert_eq!(first.len(), 1, "{first:#?}");
    assert!(matches!(first[0].action, Action::Click { .. }));
    assert_eq!(
        first[0].navigates_to.as_ref().map(|n| n.url.as_str()),
        Some(PAGE2)
    );
    assert_eq!(
        first[0].seqs,
        vec![1, 2, 3],
        "the scroll is folded into the click"
    );
    assert_eq!(wf.segments[1].entry, Entry::Arrived);

    // A scroll and then a load long after a click that went nowhere, with
    // no referrer: still a URL the user typed.
    let mut rec = recording(
        "typed",
        vec![
            (URL, click(button("Menu", "#menu"))),
            (URL, scroll),
            (PAGE2, load("Typed")),
        ],
    );
    rec.events[3].at = rec.events[2].at + Duration::seconds(30);
    rec.ended_at = rec.events[3].at + Duration::milliseconds(1);
    rec.validate().unwrap();
    let wf = build_workflow(&rec);
    assert_eq!(wf.segments.len(), 2);
    assert_eq!(wf.segments[1].entry, Entry::Open { url: PAGE2.into() });
    assert_eq!(wf.segments[0].steps.len(), 2, "click and scroll stay");
}
