//! Events that are not emitted the moment they happen.
//!
//! Three things wait before they become events: typing (one `input` event
//! per field edit, with the final value), scrolling (one `scroll` event
//! with the final position after a quiet period) and a single click (it
//! may turn out to be the first half of a double click). Everything else is
//! emitted at once, but only after whatever is held has been flushed, so
//! the recording keeps the order the user acted in: the input event comes
//! before the Enter key and the submit, the scroll before the next click.
//!
//! `K` identifies an element (the glue uses the DOM element itself); the
//! machine only compares keys, so every decision is testable here.

use workflow_format::CapturedEvent;

/// How long a single click waits for a second one. Chromium's default
/// double-click interval is 500 ms.
pub const CLICK_HOLD_MS: f64 = 500.0;
/// How long scrolling must be quiet before its final position is recorded.
pub const SCROLL_QUIET_MS: f64 = 250.0;

/// Something to emit now, in this order.
#[derive(Debug, Clone, PartialEq)]
pub enum Out<K> {
    /// Read this field's final value (unless it is sensitive) and emit it,
    /// stamped with the time of its last edit (ms): the recording is put in
    /// the order the user acted, and the edit happened before whatever
    /// ended it.
    Typing(K, f64),
    /// Read the final scroll position of this element (`None`: the window),
    /// stamped with the time of the last scroll event (ms).
    Scroll(Option<K>, f64),
    /// An event already built when it happened (boxed: it is far larger
    /// than an element handle).
    Event(Box<CapturedEvent>),
}

#[derive(Debug)]
struct Item<K> {
    out: Out<K>,
    /// Click: the element clicked, so that a second click can match it.
    click_key: Option<K>,
    deadline: Option<f64>,
}

/// The held items, oldest first.
#[derive(Debug)]
pub struct Holds<K> {
    items: Vec<Item<K>>,
}

impl<K> Default for Holds<K> {
    fn default() -> Self {
        Holds { items: Vec::new() }
    }
}

impl<K: PartialEq + Clone> Holds<K> {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Everything held, oldest first; used before any immediate event, when
    /// recording stops and when the page goes away.
    pub fn flush_all(&mut self) -> Vec<Out<K>> {
        self.items.drain(..).map(|i| i.out).collect()
    }

    /// The user typed into `field` at `now` (ms). A different field's edit,
    /// a held click or scroll are older than this edit, so they are emitted
    /// first.
    pub fn input(&mut self, field: K, now: f64) -> Vec<Out<K>> {
        if let Some(i) = self.typing_index(&field) {
            if let Out::Typing(_, at) = &mut self.items[i].out {
                *at = now;
            }
            return Vec::new();
        }
        let out = self.flush_all();
        self.items.push(Item {
            out: Out::Typing(field, now),
            click_key: None,
            deadline: None,
        });
        out
    }

    /// `field` lost focus or fired `change`: its edit is complete. Items
    /// older than the edit go first; younger ones keep waiting.
    pub fn field_done(&mut self, field: &K) -> Vec<Out<K>> {
        match self.typing_index(field) {
            Some(i) => self.items.drain(..=i).map(|i| i.out).collect(),
            None => Vec::new(),
        }
    }

    /// A scroll event on `target` at `now` (ms). Restarts the quiet period
    /// of a scroll already held for the same target; otherwise emits held
    /// clicks and other scrolls, which happened before. A field being typed
    /// into keeps waiting: scrolling does not end an edit.
    pub fn scroll(&mut self, target: Option<K>, now: f64) -> Vec<Out<K>> {
        let deadline = Some(now + SCROLL_QUIET_MS);
        if let Some(item) = self
            .items
            .iter_mut()
            .find(|i| matches!(&i.out, Out::Scroll(t, _) if *t == target))
        {
            item.deadline = deadline;
            item.out = Out::Scroll(target, now);
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut kept = Vec::new();
        for item in self.items.drain(..) {
            if matches!(item.out, Out::Typing(..)) {
                kept.push(item);
            } else {
                out.push(item.out);
            }
        }
        kept.push(Item {
            out: Out::Scroll(target, now),
            click_key: None,
            deadline,
        });
        self.items = kept;
        out
    }

    /// A `click` with `detail` (the click count) on `target`, already built
    /// into `event`.
    ///
    /// A first click is held for [`CLICK_HOLD_MS`]: if a `dblclick` follows,
    /// the pair becomes ONE `double_click` (replay dispatches a double click
    /// as two clicks plus `dblclick`, so recording the click as well would
    /// click three times). Second and later clicks of a multi-click are part
    /// of that gesture and dropped. `detail` 0 is a click from the keyboard
    /// (Space/Enter on a button) and cannot become a double click: emitted
    /// at once. A click into the field being typed into (moving the caret)
    /// does not end the edit.
    pub fn click(&mut self, target: K, detail: i32, event: CapturedEvent, now: f64) -> Vec<Out<K>> {
        if detail >= 2 {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut kept = Vec::new();
        for item in self.items.drain(..) {
            if matches!(&item.out, Out::Typing(f, _) if *f == target) {
                kept.push(item);
            } else {
                out.push(item.out);
            }
        }
        self.items = kept;
        if detail <= 0 {
            out.extend(self.flush_all());
            out.push(Out::Event(Box::new(event)));
            return out;
        }
        self.items.push(Item {
            out: Out::Event(Box::new(event)),
            click_key: Some(target),
            deadline: Some(now + CLICK_HOLD_MS),
        });
        out
    }

    /// Drops the click held for `target`, if there is one: the checkbox's
    /// `change` arrived, and records the toggle itself (replaying both
    /// would toggle twice). Whether one was dropped.
    pub fn withdraw_click(&mut self, target: &K) -> bool {
        let before = self.items.len();
        self.items.retain(|i| i.click_key.as_ref() != Some(target));
        self.items.len() != before
    }

    /// A `dblclick` on `target`: replaces the held first click (if it was on
    /// the same element) with `event`, the double click.
    pub fn double_click(&mut self, target: &K, event: CapturedEvent) -> Vec<Out<K>> {
        let held = self
            .items
            .iter()
            .position(|i| i.click_key.as_ref() == Some(target));
        let mut out: Vec<Out<K>> = Vec::new();
        for (i, item) in self.items.drain(..).enumerate() {
            if Some(i) != held {
                out.push(item.out);
            }
        }
        out.push(Out::Event(Box::new(event)));
        out
    }

    /// What is due at `now`: held clicks and quiet scrolls whose time is up.
    pub fn tick(&mut self, now: f64) -> Vec<Out<K>> {
        let mut out = Vec::new();
        let mut kept = Vec::new();
        for item in self.items.drain(..) {
            if item.deadline.is_some_and(|d| d <= now) {
                out.push(item.out);
            } else {
                kept.push(item);
            }
        }
        self.items = kept;
        out
    }

    /// When [`Holds::tick`] next has something to do.
    pub fn next_deadline(&self) -> Option<f64> {
        self.items
            .iter()
            .filter_map(|i| i.deadline)
            .min_by(f64::total_cmp)
    }

    fn typing_index(&self, field: &K) -> Option<usize> {
        self.items
            .iter()
            .position(|i| matches!(&i.out, Out::Typing(f, _) if f == field))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use workflow_format::{EventKind, NavigateEvent, NavigationCause};

    /// A distinguishable ready-made event (a navigation titled `tag`).
    fn ev(tag: &str) -> CapturedEvent {
        CapturedEvent {
            at: chrono::DateTime::from_timestamp_millis(0).unwrap(),
            frame_path: vec![],
            url: "http://x/".into(),
            kind: EventKind::Navigate(NavigateEvent {
                cause: NavigationCause::Load,
                title: tag.into(),
                from_url: None,
            }),
        }
    }

    fn e(tag: &str) -> Out<&'static str> {
        Out::Event(Box::new(ev(tag)))
    }

    #[test]
    fn typing_is_merged_until_the_field_is_done() {
        let mut h = Holds::default();
        assert!(h.input("a", 0.0).is_empty());
        assert!(h.input("a", 0.0).is_empty());
        assert!(h.input("a", 0.0).is_empty());
        assert_eq!(h.next_deadline(), None, "typing never times out");
        assert!(h.tick(1e12).is_empty());
        assert!(h.field_done(&"b").is_empty());
        assert_eq!(h.field_done(&"a"), vec![Out::Typing("a", 0.0)]);
        assert!(h.is_empty());
        assert!(
            h.field_done(&"a").is_empty(),
            "a second change emits nothing"
        );
    }

    #[test]
    fn typing_into_another_field_ends_the_first_edit() {
        let mut h = Holds::default();
        h.input("a", 0.0);
        assert_eq!(h.input("b", 0.0), vec![Out::Typing("a", 0.0)]);
        assert_eq!(h.flush_all(), vec![Out::Typing("b", 0.0)]);
    }

    #[test]
    fn an_immediate_event_comes_after_the_held_edit() {
        // Enter in a field: the glue flushes everything, then emits the key.
        let mut h = Holds::default();
        h.input("q", 0.0);
        assert_eq!(h.flush_all(), vec![Out::Typing("q", 0.0)]);
        assert!(h.flush_all().is_empty());
    }

    #[test]
    fn a_single_click_waits_for_the_double_click_interval() {
        let mut h = Holds::default();
        assert!(h.click("btn", 1, ev("click"), 1000.0).is_empty());
        assert_eq!(h.next_deadline(), Some(1000.0 + CLICK_HOLD_MS));
        assert!(h.tick(1000.0 + CLICK_HOLD_MS - 1.0).is_empty());
        assert_eq!(h.tick(1000.0 + CLICK_HOLD_MS), vec![e("click")]);
        assert!(h.is_empty());
    }

    #[test]
    fn click_click_dblclick_is_one_double_click() {
        let mut h = Holds::default();
        assert!(h.click("w", 1, ev("click1"), 0.0).is_empty());
        assert!(h.click("w", 2, ev("click2"), 100.0).is_empty());
        assert_eq!(h.double_click(&"w", ev("double")), vec![e("double")]);
        assert!(h.is_empty());
        // The third click of a triple click is part of the same gesture.
        assert!(h.click("w", 3, ev("click3"), 150.0).is_empty());
        assert!(h.is_empty());
    }

    #[test]
    fn a_double_click_elsewhere_keeps_the_first_click() {
        let mut h = Holds::default();
        h.click("a", 1, ev("click-a"), 0.0);
        assert_eq!(
            h.double_click(&"b", ev("double-b")),
            vec![e("click-a"), e("double-b")]
        );
    }

    #[test]
    fn a_keyboard_click_is_emitted_at_once_after_held_items() {
        let mut h = Holds::default();
        h.input("f", 0.0);
        assert_eq!(
            h.click("btn", 0, ev("kbd"), 0.0),
            vec![Out::Typing("f", 0.0), e("kbd")]
        );
    }

    #[test]
    fn clicking_elsewhere_ends_the_edit_clicking_inside_does_not() {
        let mut h = Holds::default();
        h.input("f", 0.0);
        assert!(h.click("f", 1, ev("caret"), 0.0).is_empty());
        assert_eq!(
            h.click("btn", 1, ev("go"), 100.0),
            vec![Out::Typing("f", 0.0), e("caret")]
        );
        assert_eq!(h.flush_all(), vec![e("go")]);
    }

    #[test]
    fn scrolling_is_debounced_per_target() {
        let mut h = Holds::default();
        assert!(h.scroll(None, 0.0).is_empty());
        assert!(h.scroll(None, 100.0).is_empty());
        assert!(h.scroll(None, 200.0).is_empty());
        assert!(h.tick(200.0 + SCROLL_QUIET_MS - 1.0).is_empty());
        assert_eq!(
            h.tick(200.0 + SCROLL_QUIET_MS),
            vec![Out::Scroll(None, 200.0)]
        );
        // Another target ends the first scroll at once.
        h.scroll(Some("list"), 1000.0);
        assert_eq!(
            h.scroll(None, 1010.0),
            vec![Out::Scroll(Some("list"), 1000.0)]
        );
        assert_eq!(h.next_deadline(), Some(1010.0 + SCROLL_QUIET_MS));
    }

    #[test]
    fn a_scroll_lets_a_held_click_go_but_not_an_edit() {
        let mut h = Holds::default();
        h.input("f", 0.0);
        h.click("f", 1, ev("caret"), 0.0);
        assert_eq!(h.scroll(None, 10.0), vec![e("caret")]);
        assert_eq!(
            h.tick(10.0 + SCROLL_QUIET_MS),
            vec![Out::Scroll(None, 10.0)]
        );
        assert_eq!(h.flush_all(), vec![Out::Typing("f", 0.0)]);
    }

    #[test]
    fn field_done_keeps_younger_items_waiting() {
        let mut h = Holds::default();
        h.input("f", 0.0);
        h.scroll(None, 0.0);
        assert_eq!(h.field_done(&"f"), vec![Out::Typing("f", 0.0)]);
        assert_eq!(h.flush_all(), vec![Out::Scroll(None, 0.0)]);
    }

    #[test]
    fn held_items_keep_the_time_the_user_acted() {
        let mut h = Holds::default();
        h.input("f", 10.0);
        h.input("f", 20.0);
        h.input("f", 35.0);
        // The click that ends the edit comes later; the edit keeps the time
        // of its last keystroke, so ordering by time puts it first.
        assert_eq!(
            h.click("btn", 0, ev("go"), 900.0),
            vec![Out::Typing("f", 35.0), e("go")]
        );
        h.scroll(None, 1000.0);
        h.scroll(None, 1100.0);
        assert_eq!(h.flush_all(), vec![Out::Scroll(None, 1100.0)]);
    }

    #[test]
    fn a_held_click_can_be_withdrawn_and_nothing_else_goes_with_it() {
        let mut h: Holds<u32> = Holds::default();
        assert!(h.click(1, 1, ev("first"), 0.0).is_empty());
        assert!(h.click(2, 1, ev("toggle"), 10.0).len() == 1);
        assert!(h.withdraw_click(&2));
        assert!(!h.withdraw_click(&2), "only once");
        assert!(h.is_empty());
        // Not withdrawn: the click is emitted when its time is up.
        h.click(3, 1, ev("kept"), 20.0);
        assert_eq!(h.tick(20.0 + CLICK_HOLD_MS).len(), 1);
    }
}
