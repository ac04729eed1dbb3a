//! Delivery of captured events to the service worker.
//!
//! The worker (MV3) may be stopped and restarted at any moment, so an event
//! is only forgotten once the worker has acknowledged it, which it does
//! after the event is durable in `chrome.storage.local`. One `capture`
//! message is in flight at a time; whatever is captured meanwhile goes into
//! the next one, so events arrive in capture order. A failed send is
//! retried with a growing delay for as long as the document lives.
//!
//! Every event has a `cid`, `"<instance>:<counter>"`, unique per document
//! (the instance id is random), so the worker can drop a retried event it
//! already stored when only the acknowledgement was lost.
//!
//! Only the `chrome.runtime.sendMessage` call itself is JavaScript.

use std::collections::VecDeque;

use workflow_format::CapturedEvent;

/// Cap on events per message, and on their JSON bytes (a message carries
/// at least one event, and one event is at most ~80 KiB).
pub const MAX_BATCH_EVENTS: usize = 200;
pub const MAX_BATCH_BYTES: usize = 1024 * 1024;
/// First retry delay, doubled per failure up to [`MAX_RETRY_MS`].
pub const FIRST_RETRY_MS: f64 = 100.0;
pub const MAX_RETRY_MS: f64 = 2000.0;

#[derive(Debug)]
struct Entry {
    cid: String,
    json: String,
}

/// What the worker's answer meant.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `{ok: true, acked}`: the batch is settled. `refused` events of the
    /// batch were not acknowledged; the worker decided not to keep them
    /// (not recording, or invalid), and sending them again would only be
    /// refused again, so they are dropped.
    Settled { acked: usize, refused: usize },
    /// Anything else: the whole batch is sent again after `retry_in_ms`.
    Retry { retry_in_ms: f64 },
}

#[derive(Debug)]
pub struct Outbox {
    instance: String,
    counter: u64,
    /// Unacknowledged events, oldest first; the first `in_flight` of them
    /// are in the message currently being sent.
    queue: VecDeque<Entry>,
    in_flight: usize,
    failures: u32,
    /// No message before this time (ms), after a failure.
    retry_at: f64,
}

impl Outbox {
    pub fn new(instance: impl Into<String>) -> Self {
        Outbox {
            instance: instance.into(),
            counter: 0,
            queue: VecDeque::new(),
            in_flight: 0,
            failures: 0,
            retry_at: f64::NEG_INFINITY,
        }
    }

    /// Queues an event; returns its cid.
    pub fn push(&mut self, event: &CapturedEvent) -> String {
        let cid = format!("{}:{}", self.instance, self.counter);
        self.counter += 1;
        // Serializing format types cannot fail: no maps with non-string
        // keys, no foreign Serialize impls.
        let json = serde_json::to_string(event).unwrap_or_default();
        self.queue.push_back(Entry {
            cid: cid.clone(),
            json,
        });
        cid
    }

    /// Events not yet acknowledged (in flight included).
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// The next `capture` message as JSON text, or `None` when one is in
    /// flight, nothing is queued, or a retry delay is still running.
    pub fn take(&mut self, now: f64) -> Option<String> {
        if self.in_flight > 0 || self.queue.is_empty() || now < self.retry_at {
            return None;
        }
        let (msg, count) = self.message(0);
        self.in_flight = count;
        Some(msg)
    }

    /// The document is going away (`pagehide`): one last `capture` message
    /// with what is queued behind the message in flight, sent at once, or
    /// `None` when nothing waits. Without it, events captured while a
    /// message was in flight (the click and the submit that navigate away)
    /// die with the document. Nothing is marked sent: a page that comes
    /// back from the back/forward cache sends them again as usual, and the
    /// worker drops what it already has by cid.
    pub fn unload_message(&self) -> Option<String> {
        (self.queue.len() > self.in_flight).then(|| self.message(self.in_flight).0)
    }

    /// A `capture` message of the queued events from index `from`, as many
    /// as the batch limits allow; returns it and how many it holds.
    fn message(&self, from: usize) -> (String, usize) {
        let mut out = String::from(r#"{"type":"capture","events":["#);
        let mut bytes = 0;
        let mut count = 0;
        for (i, entry) in self.queue.iter().skip(from).enumerate() {
            if i == MAX_BATCH_EVENTS || (i > 0 && bytes + entry.json.len() > MAX_BATCH_BYTES) {
                break;
            }
            if i > 0 {
                out.push(',');
            }
            out.push_str(r#"{"cid":"#);
            // A cid is plain ASCII, but quote it properly all the same.
            out.push_str(&serde_json::to_string(&entry.cid).unwrap_or_default());
            out.push_str(r#","event":"#);
            out.push_str(&entry.json);
            out.push('}');
            bytes += entry.json.len();
            count = i + 1;
        }
        out.push_str("]}");
        (out, count)
    }

    /// The worker answered the message in flight: `Some(acked cids)` for
    /// `{ok: true, acked}`, `None` for anything else (an error, no answer);
    /// see [`settled_cids`].
    pub fn reply(&mut self, settled: Option<Vec<String>>, now: f64) -> Reply {
        let Some(acked) = settled else {
            return self.failed(now);
        };
        let batch: Vec<Entry> = self.queue.drain(..self.in_flight).collect();
        self.in_flight = 0;
        self.failures = 0;
        self.retry_at = f64::NEG_INFINITY;
        let acked_count = batch.iter().filter(|e| acked.contains(&e.cid)).count();
        Reply::Settled {
            acked: acked_count,
            refused: batch.len() - acked_count,
        }
    }

    /// The send failed (no worker listening, worker restarting, extension
    /// reloaded): the batch stays queued and is resent after the returned
    /// delay, which doubles per consecutive failure.
    pub fn failed(&mut self, now: f64) -> Reply {
        self.in_flight = 0;
        self.failures = self.failures.saturating_add(1);
        let exp = self.failures.saturating_sub(1).min(16);
        let delay = (FIRST_RETRY_MS * f64::from(1u32 << exp)).min(MAX_RETRY_MS);
        self.retry_at = now + delay;
        Reply::Retry { retry_in_ms: delay }
    }
}

/// The two members of a reply object that settle a batch. The DOM glue
/// reads them off the JS object itself instead of handing JSON text over:
/// parsing JSON here would ship serde_json's deserializer (and its float
/// parser) to every frame. The native tests read protocol-serialized
/// replies through the same trait.
pub trait ReplyFields {
    /// `reply.ok`, when a boolean.
    fn ok(&self) -> Option<bool>;
    /// The strings of `reply.acked`, when an array (other items skipped).
    fn acked(&self) -> Option<Vec<String>>;
}

/// `Some(acked cids)` for `{ok: true, acked: [...]}` (the protocol's
/// `CaptureReply::Acked`), else `None`: a refusal, or no reply. A cid that
/// is not a string cannot be one of ours and is skipped.
pub fn settled_cids(reply: Option<&impl ReplyFields>) -> Option<Vec<String>> {
    let reply = reply?;
    if reply.ok() != Some(true) {
        return None;
    }
    reply.acked()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawtrail_protocol::messages::{CaptureReply, Refusal, ToWorker};
    use serde_json::Value;
    use workflow_format::{EventKind, NavigationCause};

    fn ev(title: &str) -> CapturedEvent {
        CapturedEvent {
            at: chrono::DateTime::from_timestamp_millis(1_700_000_000_000).unwrap(),
            frame_path: vec![1],
            url: "http://x/".into(),
            kind: EventKind::Navigate(workflow_format::NavigateEvent {
                cause: NavigationCause::PushState,
                title: title.into(),
                from_url: None,
            }),
        }
    }

    fn acked(cids: &[&str]) -> Option<Vec<String>> {
        Some(cids.iter().map(|c| (*c).to_owned()).collect())
    }

    fn parse(msg: &str) -> Value {
        serde_json::from_str(msg).unwrap()
    }

    fn cids(msg: &Value) -> Vec<String> {
        msg["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["cid"].as_str().unwrap().to_owned())
            .collect()
    }

    impl ReplyFields for Value {
        fn ok(&self) -> Option<bool> {
            self.get("ok")?.as_bool()
        }
        fn acked(&self) -> Option<Vec<String>> {
            let items = self.get("acked")?.as_array()?;
            Some(
                items
                    .iter()
                    .filter_map(|c| c.as_str().map(str::to_owned))
                    .collect(),
            )
        }
    }

    /// What the worker reads: the hand-built message is the protocol's
    /// `capture`, event for event, and the `unload` message too.
    #[test]
    fn the_message_is_the_protocols_capture() {
        let mut o = Outbox::new("p");
        o.push(&ev("one"));
        o.push(&ev("quote \" and \u{1F600}"));
        let ToWorker::Capture(batch) = serde_json::from_str(&o.take(0.0).unwrap()).unwrap() else {
            panic!("not a capture")
        };
        assert_eq!(batch.events.len(), 2);
        assert_eq!(batch.events[0].cid, "p:0");
        assert_eq!(batch.events[1].event, ev("quote \" and \u{1F600}"));
        o.push(&ev("three"));
        let last: ToWorker = serde_json::from_str(&o.unload_message().unwrap()).unwrap();
        assert!(matches!(last, ToWorker::Capture(b) if b.events[0].cid == "p:2"));
        // And the protocol's own serialization says the same.
        let again = serde_json::to_value(ToWorker::Capture(batch)).unwrap();
        assert_eq!(cids(&again), ["p:0", "p:1"]);
    }

    /// What the worker answers (the protocol's replies, serialized) is
    /// read as the worker meant it.
    #[test]
    fn protocol_replies_settle_or_retry() {
        let read = |r: &CaptureReply| settled_cids(Some(&serde_json::to_value(r).unwrap()));
        assert_eq!(
            read(&CaptureReply::acked(vec!["a:0".into(), "a:1".into()])),
            Some(vec!["a:0".to_owned(), "a:1".to_owned()])
        );
        assert_eq!(read(&CaptureReply::acked(vec![])), Some(vec![]));
        assert_eq!(read(&CaptureReply::Refused(Refusal::new("no"))), None);
        // No reply at all, or a malformed one: sent again.
        assert_eq!(settled_cids(None::<&Value>), None);
        for odd in [
            serde_json::json!({"ok": "true", "acked": []}),
            serde_json::json!({"ok": true}),
            serde_json::json!({"ok": true, "acked": "a:0"}),
            serde_json::json!(null),
        ] {
            assert_eq!(settled_cids(Some(&odd)), None, "{odd}");
        }
        assert_eq!(
            settled_cids(Some(&serde_json::json!({"ok": true, "acked": ["a:0", 5]}))),
            Some(vec!["a:0".to_owned()])
        );
    }

    #[test]
    fn at_unload_what_waits_behind_the_message_in_flight_goes_at_once() {
        let mut o = Outbox::new("u");
        assert_eq!(o.unload_message(), None, "nothing queued");
        o.push(&ev("select"));
        let first = parse(&o.take(0.0).unwrap());
        assert_eq!(cids(&first), ["u:0"]);
        assert_eq!(o.unload_message(), None, "only the message in flight");
        // The click and the submit that navigate away, captured while the
        // first message waits for its acknowledgement.
        o.push(&ev("click"));
        o.push(&ev("submit"));
        assert_eq!(o.take(0.0), None, "one message in flight at a time");
        let last = parse(&o.unload_message().unwrap());
        assert_eq!(last["type"], "capture");
        assert_eq!(cids(&last), ["u:1", "u:2"]);
        // Nothing was marked sent: if the page lives on, they go again.
        o.reply(acked(&["u:0"]), 1.0);
        assert_eq!(cids(&parse(&o.take(1.0).unwrap())), ["u:1", "u:2"]);
    }

    #[test]
    fn messages_carry_cids_and_format_events() {
        let mut o = Outbox::new("abc");
        assert_eq!(o.take(0.0), None, "nothing queued");
        assert_eq!(o.push(&ev("one")), "abc:0");
        assert_eq!(o.push(&ev("two")), "abc:1");
        let msg = parse(&o.take(0.0).unwrap());
        assert_eq!(msg["type"], "capture");
        assert_eq!(cids(&msg), ["abc:0", "abc:1"]);
        let back: CapturedEvent =
            serde_json::from_value(msg["events"][1]["event"].clone()).unwrap();
        assert_eq!(back, ev("two"));
    }

    #[test]
    fn one_message_in_flight_and_the_rest_batched_after_it() {
        let mut o = Outbox::new("i");
        o.push(&ev("a"));
        let first = parse(&o.take(0.0).unwrap());
        o.push(&ev("b"));
        o.push(&ev("c"));
        assert_eq!(o.take(0.0), None, "the first message is still in flight");
        assert_eq!(
            o.reply(acked(&["i:0"]), 0.0),
            Reply::Settled {
                acked: 1,
                refused: 0
            }
        );
        assert_eq!(cids(&first), ["i:0"]);
        let second = parse(&o.take(0.0).unwrap());
        assert_eq!(cids(&second), ["i:1", "i:2"]);
    }

    #[test]
    fn failures_back_off_and_resend_in_order() {
        let mut o = Outbox::new("i");
        o.push(&ev("a"));
        o.take(0.0).unwrap();
        assert_eq!(o.failed(0.0), Reply::Retry { retry_in_ms: 100.0 });
        o.push(&ev("b"));
        assert_eq!(o.take(50.0), None, "still backing off");
        let again = parse(&o.take(100.0).unwrap());
        assert_eq!(cids(&again), ["i:0", "i:1"]);
        // A reply that is not a settlement is a failure too.
        assert_eq!(o.reply(None, 100.0), Reply::Retry { retry_in_ms: 200.0 });
        o.take(300.0).unwrap();
        assert_eq!(o.reply(None, 300.0), Reply::Retry { retry_in_ms: 400.0 });
        let mut now = 700.0;
        let mut last = 0.0;
        for _ in 0..10 {
            o.take(now).unwrap();
            let Reply::Retry { retry_in_ms } = o.failed(now) else {
                panic!()
            };
            last = retry_in_ms;
            now += retry_in_ms;
        }
        assert_eq!(last, MAX_RETRY_MS);
        assert_eq!(o.len(), 2, "nothing was lost");
        let settled = o.take(now).unwrap();
        assert_eq!(cids(&parse(&settled)), ["i:0", "i:1"]);
        assert_eq!(
            o.reply(acked(&["i:0", "i:1"]), now),
            Reply::Settled {
                acked: 2,
                refused: 0
            }
        );
        assert!(o.is_empty());
        // Success resets the backoff.
        o.push(&ev("c"));
        o.take(now).unwrap();
        assert_eq!(o.failed(now), Reply::Retry { retry_in_ms: 100.0 });
    }

    #[test]
    fn events_the_worker_refused_are_dropped_not_resent() {
        let mut o = Outbox::new("i");
        o.push(&ev("a"));
        o.push(&ev("b"));
        o.take(0.0).unwrap();
        assert_eq!(
            o.reply(acked(&["i:1", "other:9"]), 0.0),
            Reply::Settled {
                acked: 1,
                refused: 1
            }
        );
        assert!(o.is_empty());
        assert_eq!(o.take(0.0), None);
    }

    #[test]
    fn batches_are_capped() {
        let mut o = Outbox::new("i");
        for _ in 0..MAX_BATCH_EVENTS + 5 {
            o.push(&ev("x"));
        }
        let msg = parse(&o.take(0.0).unwrap());
        assert_eq!(cids(&msg).len(), MAX_BATCH_EVENTS);
        o.reply(acked(&[]), 0.0);
        assert_eq!(cids(&parse(&o.take(0.0).unwrap())).len(), 5);

        let mut o = Outbox::new("i");
        let big = "y".repeat(MAX_BATCH_BYTES / 2);
        for _ in 0..3 {
            o.push(&ev(&big));
        }
        assert_eq!(cids(&parse(&o.take(0.0).unwrap())).len(), 1);
    }
}
