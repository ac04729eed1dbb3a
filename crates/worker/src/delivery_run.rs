//! One delivery as a state machine: read the recording, assemble it, read
//! the pairing, look for the paired relay port by port (remembering where it
//! answered), wake it if asked, look again, note what was learned, upload,
//! settle, reschedule. Each [`Step`] is one effect the JS performs; it feeds
//! back the effect's outcome to [`DeliveryRun::next`] and decides nothing.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use clawtrail_protocol::messages::PairReply;

use crate::delivery::{self, Attempt};
use crate::effect::Effect;
use crate::policy::{self, Probe, TIMINGS};
use crate::relay_run::{Purpose, RelayRun};
use crate::session::{Meta, assemble};
use crate::storage_keys;

/// Where the pairing key (JSON) is stored.
pub const RELAY_KEY: &str = "relay_key";
/// Where the port our relay last proved itself on is stored.
pub const RELAY_PORT: &str = "relay_port";
/// The deep link that asks the OS to start the relay.
pub const DEEP_LINK: &str = "multiclaw://wake";

/// One effect for the JS. Serialized externally tagged.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// `chrome.storage.local.get(keys)`; outcome: the object it resolves to.
    Read(Vec<String>),
    /// One signed request (`signedFetch`); outcome: `null` when nothing
    /// answered, else `{status, text, sig, nonce, verified}`.
    Fetch {
        key: String,
        port: u16,
        method: String,
        path: String,
        body: String,
        timeout_ms: u32,
    },
    /// `chrome.storage.local.set({relay_port: port})`.
    RememberPort(u16),
    /// `chrome.tabs.create({url, active: false})`; outcome: the tab's id,
    /// `null` when it could not be opened.
    OpenTab(String),
    /// Wait this many milliseconds.
    Sleep(u32),
    /// `chrome.tabs.remove(id)`, not waited for, failures ignored.
    CloseTab(i64),
    /// Tell the relay status cache what the search found.
    NoteRelaySearch { port: Option<u16>, refused: bool },
    /// Perform these effects (the settled attempt's storage writes).
    Apply(Vec<Effect>),
    /// Reschedule the retry alarm.
    ScheduleRetry,
    /// A health check (`GET /v1/health`, unsigned) on one port; outcome:
    /// whether it answered 2xx.
    Health { port: u16, timeout_ms: u32 },
    /// Tell the relay status cache whether anything answered a health check
    /// (no pairing key).
    NoteRelayUnpaired { up: bool },
    /// Where the paired relay was found (`relay_run`'s find).
    Found { port: Option<u16>, refused: bool },
    /// Whether anything answered a health check (`relay_run`'s any-up).
    Up(bool),
    /// `{keys: chrome.storage.local.getKeys(), active: <the recording's id
    /// or null>}` (`sweep_run`).
    PendingKeys,
    /// Deliver recording `id` and wait; outcome: its result code.
    DeliverNow { id: Uuid, wake: bool },
    /// A sweep's results.
    Results(Vec<crate::sweep_run::SweepResult>),
    /// `crypto.getRandomValues` of this many bytes; outcome: the bytes.
    Random(usize),
    /// An unsigned JSON POST (pairing); outcome: `null` when nothing
    /// answered, else `{status, ok, body}` (`body`: the parsed JSON, `{}`
    /// when it is none).
    Post {
        port: u16,
        path: String,
        body: String,
        timeout_ms: u32,
    },
    /// `chrome.storage.local.set({relay_key: key, relay_port: port})`, then
    /// `remove(remove)`.
    StorePairing {
        key: String,
        port: u16,
        remove: String,
    },
    /// Forget the cached relay status.
    ForgetRelay,
    /// A sweep in the background, not waited for (after pairing, anything
    /// that waited for it can go).
    Sweep { force: bool },
    /// Pairing's answer to the popup: the result.
    Paired(PairReply),
    /// The result: a delivery's code (`delivered`, `gone`, `relay-down`,
    /// ...), a relay status (`connected`, `not_paired`, `not_running`).
    Done(String),
}

/// What a signed request came to (`signedFetch`'s answer).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Answer {
    pub status: u16,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub sig: Option<String>,
    pub nonce: String,
    pub verified: bool,
}

/// Looking for the paired relay port by port: it is the one that signs its
/// answer to our signed handshake, never merely whoever answers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Search {
    ports: Vec<u16>,
    next: usize,
    /// The port the relay last proved itself on (tried first).
    pub(crate) remembered: Option<u16>,
    /// Whether something answered 401 (our relay after `clawtrail unpair`,
    /// or anything else: an unsigned answer proves nothing either way).
    pub(crate) refused: bool,
    /// Whether this is the search after waking the relay.
    after_wake: bool,
}

impl Search {
    pub(crate) fn new(remembered: Option<u16>, debug: Option<u16>, after_wake: bool) -> Search {
        Search {
            ports: policy::candidate_ports(clawtrail_trust::PORTS, remembered, debug),
            next: 0,
            remembered,
            refused: false,
            after_wake,
        }
    }

    /// The next port to try, or `None` when all were tried.
    pub(crate) fn advance(&mut self) -> Option<u16> {
        let port = *self.ports.get(self.next)?;
        self.next += 1;
        Some(port)
    }

    /// Takes the answer (`signedFetch`'s) on the port last tried: that port
    /// when it is our relay's.
    pub(crate) fn answer(&mut self, outcome: Value) -> Result<Option<u16>, RunError> {
        let answer: Option<Answer> = serde_json::from_value(outcome).map_err(bad)?;
        let port = self.ports[self.next - 1];
        match policy::probe(
            answer.as_ref().map(|a| a.status),
            answer.is_some_and(|a| a.verified),
        ) {
            Probe::Ours => return Ok(Some(port)),
            Probe::Refused => self.refused = true,
            Probe::Nothing => {}
        }
        Ok(None)
    }
}

/// The signed handshake on one port.
pub(crate) fn probe_fetch(key: &str, port: u16) -> Step {
    Step::Fetch {
        key: key.to_owned(),
        port,
        method: "GET".into(),
        path: "/v1/session".into(),
        body: String::new(),
        timeout_ms: TIMINGS.probe_timeout_ms,
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Begin,
    Meta,
    Chunks,
    Pairing,
    /// Reading the remembered port again before the search after waking.
    PairingAgain,
    Probing(Search),
    Remembering(u16),
    /// The deep link's tab is being opened.
    WakeOpening,
    WakeSleeping {
        tab: Option<i64>,
        tries: u32,
    },
    WakeChecking {
        tab: Option<i64>,
        tries: u32,
        check: Box<RelayRun>,
    },
    WakeClosing(bool),
    Noting(Option<u16>, bool),
    Uploading(u16),
    Applying(String),
    Rescheduling(String),
    Finished,
}

/// A delivery in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryRun {
    id: Uuid,
    wake: bool,
    debug_port: Option<u16>,
    phase: Phase,
    meta_json: String,
    body: String,
    key: String,
    refused: bool,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RunError {
    #[error("bad recording meta: {0}")]
    BadMeta(String),
    #[error("bad outcome for this step: {0}")]
    BadOutcome(String),
    #[error("the delivery is finished")]
    Finished,
    #[error("{0}")]
    Relay(String),
}

pub(crate) fn bad(e: impl std::fmt::Display) -> RunError {
    RunError::BadOutcome(e.to_string())
}

impl DeliveryRun {
    /// `wake`: open the deep link if the relay is down. `debug_port`: a test
    /// build's only candidate port.
    pub fn new(id: Uuid, wake: bool, debug_port: Option<u16>) -> DeliveryRun {
        DeliveryRun {
            id,
            wake,
            debug_port,
            phase: Phase::Begin,
            meta_json: String::new(),
            body: String::new(),
            key: String::new(),
            refused: false,
        }
    }

    /// The next step, given the outcome of the last one (`Value::Null` for
    /// the first and for steps without an outcome). `now_ms`: the worker's
    /// clock, used when settling.
    pub fn next(&mut self, outcome: Value, now_ms: i64) -> Result<Step, RunError> {
        let phase = std::mem::replace(&mut self.phase, Phase::Finished);
        match phase {
            Phase::Begin => {
                self.phase = Phase::Meta;
                Ok(Step::Read(vec![storage_keys::meta(self.id)]))
            }
            Phase::Meta => match outcome.get(storage_keys::meta(self.id)) {
                None | Some(Value::Null) => self.finish("gone".to_owned()),
                Some(v) => {
                    self.meta_json = v
                        .as_str()
                        .ok_or_else(|| bad("meta is no string"))?
                        .to_owned();
                    let m = self.meta()?;
                    self.phase = Phase::Chunks;
                    Ok(Step::Read(
                        (0..m.chunks)
                            .map(|i| storage_keys::chunk(m.id, i))
                            .collect(),
                    ))
                }
            },
            Phase::Chunks => {
                let m = self.meta()?;
                let chunks: Result<Vec<String>, String> = (0..m.chunks)
                    .map(|i| {
                        outcome
                            .get(storage_keys::chunk(m.id, i))
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                            .ok_or_else(|| format!("chunk {i} of recording {} is missing", m.id))
                    })
                    .collect();
                let body = chunks.and_then(|c| {
                    assemble(&m, &c)
                        .map(|r| {
                            String::from_utf8(workflow_format::to_canonical_json(&r))
                                .expect("JSON is UTF-8")
                        })
                        .map_err(|e| e.to_string())
                });
                match body {
                    Err(reason) => self.settle(Attempt::Unassemblable { reason }, now_ms),
                    Ok(body) => {
                        self.body = body;
                        self.phase = Phase::Pairing;
                        Ok(Self::read_pairing())
                    }
                }
            }
            Phase::Pairing => {
                let key = outcome.get(RELAY_KEY).filter(|k| truthy(k));
                let Some(key) = key else {
                    return self.settle(Attempt::Unpaired, now_ms);
                };
                self.key = key
                    .as_str()
                    .ok_or_else(|| bad("key is no string"))?
                    .to_owned();
                self.search(remembered_port(&outcome), false)
            }
            Phase::PairingAgain => self.search(remembered_port(&outcome), true),
            Phase::Probing(mut search) => match search.answer(outcome)? {
                Some(port) if Some(port) != search.remembered => {
                    self.phase = Phase::Remembering(port);
                    Ok(Step::RememberPort(port))
                }
                Some(port) => self.found(Some(port), false),
                None => self.probe_next(search),
            },
            Phase::Remembering(port) => self.found(Some(port), false),
            Phase::WakeOpening => self.wake_wait(outcome.as_i64(), 0, false),
            Phase::WakeSleeping { tab, tries } => {
                let mut check = Box::new(RelayRun::new(Purpose::AnyUp, self.debug_port));
                let step = check.next(Value::Null)?;
                self.phase = Phase::WakeChecking { tab, tries, check };
                Ok(step)
            }
            Phase::WakeChecking {
                tab,
                tries,
                mut check,
            } => match check.next(outcome)? {
                Step::Up(up) => self.wake_wait(tab, tries + 1, up),
                step => {
                    self.phase = Phase::WakeChecking { tab, tries, check };
                    Ok(step)
                }
            },
            Phase::WakeClosing(up) => self.woke(up),
            Phase::Noting(port, refused) => match port {
                None => self.settle(Attempt::NoRelay { refused }, now_ms),
                Some(port) => {
                    self.phase = Phase::Uploading(port);
                    Ok(Step::Fetch {
                        key: self.key.clone(),
                        port,
                        method: "POST".into(),
                        path: "/v1/recordings".into(),
                        body: self.body.clone(),
                        timeout_ms: TIMINGS.upload_timeout_ms,
                    })
                }
            },
            Phase::Uploading(port) => {
                let answer: Option<Answer> = serde_json::from_value(outcome).map_err(bad)?;
                let attempt = match answer {
                    None => Attempt::NoAnswer { port },
                    Some(a) => {
                        let key = crate::relay::key_from_json(&self.key)
                            .map_err(|e| RunError::Relay(e.to_string()))?;
                        let acknowledged = crate::relay::acknowledges(
                            &key,
                            &a.nonce,
                            a.status,
                            a.text.as_bytes(),
                            a.sig.as_deref(),
                            &self.id.to_string(),
                            self.body.as_bytes(),
                        );
                        Attempt::Answered {
                            port,
                            status: a.status,
                            verified: a.verified,
                            acknowledged,
                            body: a.text,
                        }
                    }
                };
                self.settle(attempt, now_ms)
            }
            Phase::Applying(result) => {
                self.phase = Phase::Rescheduling(result);
                Ok(Step::ScheduleRetry)
            }
            Phase::Rescheduling(result) => self.finish(result),
            Phase::Finished => Err(RunError::Finished),
        }
    }

    fn meta(&self) -> Result<Meta, RunError> {
        serde_json::from_str(&self.meta_json).map_err(|e| RunError::BadMeta(e.to_string()))
    }

    pub(crate) fn read_pairing() -> Step {
        Step::Read(vec![RELAY_KEY.to_owned(), RELAY_PORT.to_owned()])
    }

    fn search(&mut self, remembered: Option<u16>, after_wake: bool) -> Result<Step, RunError> {
        self.probe_next(Search::new(remembered, self.debug_port, after_wake))
    }

    fn probe_next(&mut self, mut search: Search) -> Result<Step, RunError> {
        let Some(port) = search.advance() else {
            // Nobody on any port: wake the relay once if asked.
            if self.wake && !search.after_wake {
                self.refused = search.refused;
                // The deep link asks the OS to start the native side
                // (`clawtrail install-handler` registers it).
                self.phase = Phase::WakeOpening;
                return Ok(Step::OpenTab(DEEP_LINK.to_owned()));
            }
            return self.found(None, search.refused);
        };
        self.phase = Phase::Probing(search);
        Ok(probe_fetch(&self.key, port))
    }

    /// After opening the deep link: sleep before the next health check, or
    /// close the tab and go on when the relay is up or it is time to give up.
    fn wake_wait(&mut self, tab: Option<i64>, tries: u32, up: bool) -> Result<Step, RunError> {
        if let Some(ms) = policy::wake_wait(tries, up) {
            self.phase = Phase::WakeSleeping { tab, tries };
            return Ok(Step::Sleep(ms));
        }
        match tab {
            Some(id) => {
                self.phase = Phase::WakeClosing(up);
                Ok(Step::CloseTab(id))
            }
            None => self.woke(up),
        }
    }

    /// Up: look again (the remembered port is read again); else what the
    /// first search learned stands.
    fn woke(&mut self, up: bool) -> Result<Step, RunError> {
        if up {
            self.phase = Phase::PairingAgain;
            Ok(Self::read_pairing())
        } else {
            let refused = self.refused;
            self.found(None, refused)
        }
    }

    /// What was just learned is the relay's status now, not a cached one.
    fn found(&mut self, port: Option<u16>, refused: bool) -> Result<Step, RunError> {
        self.phase = Phase::Noting(port, refused);
        Ok(Step::NoteRelaySearch { port, refused })
    }

    fn settle(&mut self, attempt: Attempt, now_ms: i64) -> Result<Step, RunError> {
        let now = chrono::DateTime::from_timestamp_millis(now_ms)
            .ok_or_else(|| bad("time out of range"))?;
        let (outcome, effects) = delivery::settle(&self.meta()?, &attempt, now);
        self.phase = Phase::Applying(outcome.code());
        Ok(Step::Apply(effects))
    }

    fn finish(&mut self, result: String) -> Result<Step, RunError> {
        self.phase = Phase::Finished;
        Ok(Step::Done(result))
    }
}

/// JS truthiness of a stored value.
pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// `Number.isInteger(stored.relay_port)`, as a port.
pub(crate) fn remembered_port(stored: &Value) -> Option<u16> {
    let n = stored.get(RELAY_PORT)?;
    let f = n.as_f64()?;
    (f.fract() == 0.0).then_some(f as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use clawtrail_trust::Key;
    use serde_json::json;

    const ID: Uuid = Uuid::from_u128(7);
    const NOW: i64 = 1_767_225_600_000; // 2026-01-01

    /// After the relay search was noted: the settling effects, the retry
    /// alarm, then `Done` with `outcome`'s code.
    fn assert_settles_as(run: &mut DeliveryRun, outcome: delivery::Outcome) {
        let Step::Apply(_) = run.next(Value::Null, NOW).unwrap() else {
            panic!("settling effects expected")
        };
        run.next(Value::Null, NOW).unwrap();
        let Step::Done(code) = run.next(Value::Null, NOW).unwrap() else {
            panic!("the end expected")
        };
        assert_eq!(code, outcome.code());
    }

    /// A finished recording's storage, as `chrome.storage.local.get` gives it.
    fn stored() -> serde_json::Map<String, Value> {
        let start = Utc.timestamp_millis_opt(NOW).unwrap();
        let (_, flush) = crate::session::finished(ID, start);
        flush
            .writes
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect()
    }
    use chrono::Utc;

    fn key_json() -> String {
        serde_json::to_string(&Key::new("k".into(), [4; 32])).unwrap()
    }

    /// Feeds `read` steps from `storage` until another step comes.
    fn run_reads(
        run: &mut DeliveryRun,
        storage: &serde_json::Map<String, Value>,
        mut outcome: Value,
    ) -> Step {
        loop {
            match run.next(outcome, NOW).unwrap() {
                Step::Read(keys) => {
                    outcome = Value::Object(
                        keys.iter()
                            .filter_map(|k| storage.get(k).map(|v| (k.clone(), v.clone())))
                            .collect(),
                    )
                }
                other => return other,
            }
        }
    }

    /// Goes through the wake after `OpenTab` (answered `tab`): the health
    /// check number `up_at` (from 1) answers, none when `None`. Returns the
    /// step after, the sleeps and the tab closed.
    fn wake(
        run: &mut DeliveryRun,
        storage: &serde_json::Map<String, Value>,
        tab: Value,
        up_at: Option<u32>,
    ) -> (Step, u32, Option<i64>) {
        let (mut sleeps, mut checks, mut closed) = (0, 0, None);
        let mut step = run_reads(run, storage, tab);
        loop {
            step = match step {
                Step::Sleep(ms) => {
                    assert_eq!(ms, policy::WAKE_POLL_MS);
                    sleeps += 1;
                    run_reads(run, storage, Value::Null)
                }
                Step::Health { .. } => {
                    checks += 1;
                    run_reads(run, storage, json!(Some(checks) == up_at))
                }
                Step::CloseTab(id) => {
                    closed = Some(id);
                    run.next(Value::Null, NOW).unwrap()
                }
                other => return (other, sleeps, closed),
            };
        }
    }

    fn probe_port(step: &Step) -> u16 {
        match step {
            Step::Fetch {
                port,
                method,
                path,
                timeout_ms,
                ..
            } => {
                assert_eq!((method.as_str(), path.as_str()), ("GET", "/v1/session"));
                assert_eq!(*timeout_ms, TIMINGS.probe_timeout_ms);
                *port
            }
            other => panic!("expected a probe, got {other:?}"),
        }
    }

    #[test]
    fn a_recording_that_is_gone_is_gone() {
        let mut run = DeliveryRun::new(ID, false, None);
        assert_eq!(
            run_reads(&mut run, &Default::default(), Value::Null),
            Step::Done("gone".into())
        );
        assert_eq!(run.next(Value::Null, NOW), Err(RunError::Finished));
    }

    #[test]
    fn without_a_key_it_settles_unpaired_and_reschedules() {
        let mut run = DeliveryRun::new(ID, true, None);
        let Step::Apply(effects) = run_reads(&mut run, &stored(), Value::Null) else {
            panic!("expected the settled effects");
        };
        assert!(!effects.is_empty());
        assert_eq!(run.next(Value::Null, NOW).unwrap(), Step::ScheduleRetry);
        assert_eq!(
            run.next(Value::Null, NOW).unwrap(),
            Step::Done("not-paired".into())
        );
    }

    #[test]
    fn a_missing_or_broken_chunk_is_unassemblable() {
        let mut storage = stored();
        let meta = storage_keys::meta(ID);
        let text = storage[&meta]
            .as_str()
            .unwrap()
            .replace(r#""chunks":0"#, r#""chunks":1"#);
        storage.insert(meta, Value::String(text));
        let mut run = DeliveryRun::new(ID, false, None);
        let step = run_reads(&mut run, &storage, Value::Null);
        assert!(matches!(step, Step::Apply(_)), "{step:?}");
        run.next(Value::Null, NOW).unwrap();
        let Step::Done(code) = run.next(Value::Null, NOW).unwrap() else {
            panic!()
        };
        assert_eq!(code, delivery::Outcome::Invalid.code());
    }

    #[test]
    fn looks_on_every_port_remembered_first_then_wakes_once_and_looks_again() {
        let mut storage = stored();
        storage.insert(RELAY_KEY.into(), Value::String(key_json()));
        storage.insert(RELAY_PORT.into(), json!(18786));
        let mut run = DeliveryRun::new(ID, true, None);
        let mut step = run_reads(&mut run, &storage, Value::Null);
        let mut seen = Vec::new();
        for i in 0..clawtrail_trust::PORTS.len() {
            seen.push(probe_port(&step));
            // A 401 on the second port: refused.
            let answer = if i == 1 {
                json!({"status": 401, "text": "", "nonce": "n", "verified": false})
            } else {
                Value::Null
            };
            step = run.next(answer, NOW).unwrap();
        }
        assert_eq!(
            seen,
            policy::candidate_ports(clawtrail_trust::PORTS, Some(18786), None)
        );
        assert_eq!(step, Step::OpenTab(DEEP_LINK.into()));
        // It came up on the second port of the second round of health
        // checks: the tab is closed, the pairing read again and every port
        // tried again.
        let rounds = clawtrail_trust::PORTS.len() as u32;
        let (next, sleeps, closed) = wake(&mut run, &storage, json!(12), Some(rounds + 2));
        assert_eq!((sleeps, closed), (2, Some(12)));
        assert_eq!(next, DeliveryRun::read_pairing());
        step = run_reads(&mut run, &storage, Value::Null);
        for _ in clawtrail_trust::PORTS {
            probe_port(&step);
            step = run.next(Value::Null, NOW).unwrap();
        }
        // The second search found nothing and nothing refused: no second wake.
        assert_eq!(
            step,
            Step::NoteRelaySearch {
                port: None,
                refused: false
            }
        );
        assert_settles_as(&mut run, delivery::Outcome::RelayDown);
    }

    #[test]
    fn a_relay_that_stays_down_keeps_what_the_first_search_learned() {
        let mut storage = stored();
        storage.insert(RELAY_KEY.into(), Value::String(key_json()));
        let mut run = DeliveryRun::new(ID, true, Some(4000));
        let step = run_reads(&mut run, &storage, Value::Null);
        assert_eq!(probe_port(&step), 4000);
        let refused = json!({"status": 401, "text": "", "nonce": "n", "verified": false});
        assert_eq!(
            run.next(refused, NOW).unwrap(),
            Step::OpenTab(DEEP_LINK.into())
        );
        // No tab could be opened, nothing came up in ten tries.
        let (next, sleeps, closed) = wake(&mut run, &storage, Value::Null, None);
        assert_eq!((sleeps, closed), (policy::WAKE_TRIES, None));
        assert_eq!(
            next,
            Step::NoteRelaySearch {
                port: None,
                refused: true
            }
        );
    }

    #[test]
    fn without_wake_a_down_relay_is_noted_and_settled() {
        let mut storage = stored();
        storage.insert(RELAY_KEY.into(), Value::String(key_json()));
        let mut run = DeliveryRun::new(ID, false, Some(4000));
        probe_port(&run_reads(&mut run, &storage, Value::Null));
        assert_eq!(
            run.next(Value::Null, NOW).unwrap(),
            Step::NoteRelaySearch {
                port: None,
                refused: false
            }
        );
        assert_settles_as(&mut run, delivery::Outcome::RelayDown);
    }

    #[test]
    fn found_on_a_new_port_it_remembers_it_then_uploads_and_settles() {
        let mut storage = stored();
        storage.insert(RELAY_KEY.into(), Value::String(key_json()));
        let mut run = DeliveryRun::new(ID, false, None);
        let step = run_reads(&mut run, &storage, Value::Null);
        let port = probe_port(&step);
        let ours = json!({"status": 200, "text": "{}", "nonce": "n", "verified": true});
        assert_eq!(run.next(ours, NOW).unwrap(), Step::RememberPort(port));
        assert_eq!(
            run.next(Value::Null, NOW).unwrap(),
            Step::NoteRelaySearch {
                port: Some(port),
                refused: false
            }
        );
        let Step::Fetch {
            method,
            path,
            body,
            timeout_ms,
            port: p,
            ..
        } = run.next(Value::Null, NOW).unwrap()
        else {
            panic!("expected the upload");
        };
        assert_eq!(
            (method.as_str(), path.as_str(), p),
            ("POST", "/v1/recordings", port)
        );
        assert_eq!(timeout_ms, TIMINGS.upload_timeout_ms);
        assert!(body.contains(&ID.to_string()));
        // An unsigned 201 acknowledges nothing: the data stays.
        let answer = json!({"status": 201, "text": "{}", "nonce": "n", "verified": false});
        let Step::Apply(effects) = run.next(answer, NOW).unwrap() else {
            panic!()
        };
        assert!(!effects.iter().any(|e| matches!(e, Effect::Remove(_))));
        assert_eq!(run.next(Value::Null, NOW).unwrap(), Step::ScheduleRetry);
        assert!(matches!(run.next(Value::Null, NOW).unwrap(), Step::Done(_)));
    }

    #[test]
    fn a_remembered_port_is_not_written_again() {
        let mut storage = stored();
        storage.insert(RELAY_KEY.into(), Value::String(key_json()));
        storage.insert(RELAY_PORT.into(), json!(18787));
        let mut run = DeliveryRun::new(ID, false, None);
        assert_eq!(
            probe_port(&run_reads(&mut run, &storage, Value::Null)),
            18787
        );
        let ours = json!({"status": 200, "text": "{}", "nonce": "n", "verified": true});
        assert_eq!(
            run.next(ours, NOW).unwrap(),
            Step::NoteRelaySearch {
                port: Some(18787),
                refused: false
            }
        );
    }
}
