//! Pairing as a state machine: with the code `clawtrail pair` printed, try
//! SPAKE2 (`relay::Pairing`) on every candidate port, so that another
//! program on the first one (OpenClaw's relay, an impostor) cannot keep us
//! from ours on the next; the relay must prove it knew the code. Steps are
//! those of [`crate::delivery_run`].

use clawtrail_protocol::messages::PairReply;
use serde_json::{Value, json};

use crate::delivery_run::{DeliveryRun, RunError, Step, bad, remembered_port, truthy};
use crate::policy::{TIMINGS, candidate_ports};
use crate::relay::Pairing;

/// Where earlier versions kept a bearer token; dropped on pairing.
pub const LEGACY_TOKEN: &str = "relay_token";

const NOT_RUNNING: &str = "the relay is not running: start it with `clawtrail serve`";
const NO_CODE: &str = "enter the code that `clawtrail pair` printed";

enum Phase {
    Begin,
    Pairing,
    Random,
    First(Pairing),
    OldKey(Pairing, Value),
    Second(Pairing),
    Stored,
    Forgot,
    Swept,
    Finished,
}

pub struct PairRun {
    code: Option<String>,
    debug_port: Option<u16>,
    ports: Vec<u16>,
    next: usize,
    error: Option<String>,
    phase: Phase,
}

/// JS `String(v)` of a member that may be absent.
fn js_string(v: Option<&Value>) -> String {
    match v {
        None => "undefined".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(_)) => "[object Object]".into(),
        Some(other) => other.to_string(),
    }
}

/// What a refusing answer says: the relay's error message, else its status.
fn refused(answer: &Value) -> String {
    match answer["body"]["error"]["message"].as_str() {
        Some(m) if !m.is_empty() => m.to_owned(),
        _ => format!("relay answered {}", answer["status"]),
    }
}

fn is_ok(answer: &Value) -> bool {
    answer["ok"].as_bool() == Some(true)
}

impl PairRun {
    /// `code`: what the popup sent (`None` when it is no string).
    pub fn new(code: Option<String>, debug_port: Option<u16>) -> PairRun {
        PairRun {
            code: code.map(|c| {
                c.trim_matches(|ch: char| ch.is_whitespace() || ch == '\u{feff}')
                    .to_owned()
            }),
            debug_port,
            ports: Vec::new(),
            next: 0,
            error: None,
            phase: Phase::Begin,
        }
    }

    /// The next step, given the last one's outcome (`Value::Null` first).
    pub fn next(&mut self, outcome: Value) -> Result<Step, RunError> {
        match std::mem::replace(&mut self.phase, Phase::Finished) {
            Phase::Begin => match &self.code {
                Some(c) if !c.is_empty() => {
                    self.phase = Phase::Pairing;
                    Ok(DeliveryRun::read_pairing())
                }
                _ => Ok(fail(NO_CODE)),
            },
            Phase::Pairing => {
                self.ports = candidate_ports(
                    clawtrail_trust::PORTS,
                    remembered_port(&outcome),
                    self.debug_port,
                );
                self.next_port()
            }
            Phase::Random => {
                let random: Vec<u8> = serde_json::from_value(outcome).map_err(bad)?;
                let random: [u8; 64] = random
                    .try_into()
                    .map_err(|_| bad("pairing needs 64 random bytes"))?;
                let code = self.code.as_deref().unwrap_or_default();
                let (pairing, msg) = Pairing::start(code, random);
                self.phase = Phase::First(pairing);
                Ok(self.post("/v1/pair", json!({ "msg": msg })))
            }
            Phase::First(mut pairing) => {
                if outcome.is_null() {
                    // Nothing runs there.
                    return self.next_port();
                }
                let Some(relay_msg) = outcome["body"]["msg"].as_str().filter(|_| is_ok(&outcome))
                else {
                    return self.failed(refused(&outcome));
                };
                match pairing.confirm(relay_msg) {
                    Err(e) => self.failed(e.to_string()),
                    Ok(confirm) => {
                        let mut body = serde_json::Map::new();
                        if let Some(session) = outcome["body"].get("session") {
                            body.insert("session".into(), session.clone());
                        }
                        body.insert("confirm".into(), Value::String(confirm));
                        self.phase = Phase::OldKey(pairing, Value::Object(body));
                        Ok(DeliveryRun::read_pairing())
                    }
                }
            }
            Phase::OldKey(pairing, mut body) => {
                let replaces = outcome
                    .get(crate::delivery_run::RELAY_KEY)
                    .filter(|k| truthy(k))
                    .and_then(Value::as_str)
                    .and_then(|old| serde_json::from_str::<Value>(old).ok())
                    .and_then(|old| old.get("id").cloned())
                    .filter(truthy);
                if let Some(r) = replaces {
                    body["replaces"] = r;
                }
                self.phase = Phase::Second(pairing);
                Ok(self.post("/v1/pair/confirm", body))
            }
            Phase::Second(pairing) => {
                if outcome.is_null() {
                    // It stopped answering: like a port where nothing
                    // runs, no error to report from it.
                    return self.next_port();
                }
                if !is_ok(&outcome) {
                    return self.failed(refused(&outcome));
                }
                let key_id = js_string(outcome["body"].get("key_id"));
                let confirm = js_string(outcome["body"].get("confirm"));
                match pairing.accept(&key_id, &confirm) {
                    Err(e) => self.failed(e.to_string()),
                    Ok(key) => {
                        let port = self.ports[self.next - 1];
                        self.phase = Phase::Stored;
                        Ok(Step::StorePairing {
                            key: serde_json::to_string(&key).map_err(bad)?,
                            port,
                            remove: LEGACY_TOKEN.to_owned(),
                        })
                    }
                }
            }
            Phase::Stored => {
                self.phase = Phase::Forgot;
                Ok(Step::ForgetRelay)
            }
            // Anything that waited for pairing can go now.
            Phase::Forgot => {
                self.phase = Phase::Swept;
                Ok(Step::Sweep { force: true })
            }
            Phase::Swept => {
                self.phase = Phase::Finished;
                Ok(Step::Paired(PairReply {
                    ok: true,
                    error: None,
                }))
            }
            Phase::Finished => Err(RunError::Finished),
        }
    }

    fn post(&self, path: &str, body: Value) -> Step {
        Step::Post {
            port: self.ports[self.next - 1],
            path: path.to_owned(),
            body: body.to_string(),
            timeout_ms: TIMINGS.request_timeout_ms,
        }
    }

    /// A port refused: the first such error is the one reported.
    fn failed(&mut self, error: String) -> Result<Step, RunError> {
        self.error.get_or_insert(error);
        self.next_port()
    }

    fn next_port(&mut self) -> Result<Step, RunError> {
        if self.next < self.ports.len() {
            self.next += 1;
            self.phase = Phase::Random;
            return Ok(Step::Random(64));
        }
        self.phase = Phase::Finished;
        Ok(fail(self.error.as_deref().unwrap_or(NOT_RUNNING)))
    }
}

fn fail(error: &str) -> Step {
    Step::Paired(PairReply {
        ok: false,
        error: Some(error.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery_run::RELAY_KEY;

    fn run(code: Option<&str>, debug: Option<u16>) -> PairRun {
        PairRun::new(code.map(str::to_owned), debug)
    }

    #[test]
    fn no_code_no_pairing() {
        for code in [None, Some(""), Some("  \n")] {
            assert_eq!(run(code, None).next(Value::Null).unwrap(), fail(NO_CODE));
        }
    }

    #[test]
    fn nothing_answering_anywhere_is_not_running() {
        let mut r = run(Some(" ABCD-EFGH "), None);
        assert_eq!(r.next(Value::Null).unwrap(), DeliveryRun::read_pairing());
        let mut step = r.next(json!({})).unwrap();
        let mut ports = Vec::new();
        while step == Step::Random(64) {
            let Step::Post { port, path, .. } = r.next(json!(vec![1u8; 64])).unwrap() else {
                panic!()
            };
            assert_eq!(path, "/v1/pair");
            ports.push(port);
            step = r.next(Value::Null).unwrap();
        }
        assert_eq!(ports, clawtrail_trust::PORTS);
        assert_eq!(step, fail(NOT_RUNNING));
    }

    #[test]
    fn the_first_refusal_is_reported_and_an_impostor_cannot_pair() {
        let mut r = run(Some("ABCD-EFGH"), None);
        r.next(Value::Null).unwrap();
        assert_eq!(
            r.next(json!({"relay_port": 18786})).unwrap(),
            Step::Random(64)
        );
        // 18786 first: it refuses with a message.
        r.next(json!(vec![1u8; 64])).unwrap();
        let refusal =
            json!({"status": 429, "ok": false, "body": {"error": {"message": "slow down"}}});
        assert_eq!(r.next(refusal).unwrap(), Step::Random(64));
        // The next one answers 200 without a msg.
        r.next(json!(vec![1u8; 64])).unwrap();
        let odd = json!({"status": 200, "ok": true, "body": {}});
        assert_eq!(r.next(odd).unwrap(), Step::Random(64));
        r.next(json!(vec![1u8; 64])).unwrap();
        r.next(Value::Null).unwrap();
        r.next(json!(vec![1u8; 64])).unwrap();
        assert_eq!(r.next(Value::Null).unwrap(), fail("slow down"));
        assert_eq!(
            refused(&json!({"status": 500, "body": {}})),
            "relay answered 500"
        );
    }

    #[test]
    fn confirm_names_the_key_it_replaces() {
        let mut r = run(Some("ABCD-EFGH"), Some(4000));
        r.next(Value::Null).unwrap();
        r.next(json!({})).unwrap();
        r.next(json!(vec![1u8; 64])).unwrap();
        // A well-formed SPAKE2 message from a relay that knows some code.
        let (_, relay_msg) = crate::relay::Pairing::start("ZZZZ-ZZZZ", [2; 64]);
        let first = json!({"status": 200, "ok": true, "body": {"msg": relay_msg, "session": "s1"}});
        assert_eq!(r.next(first).unwrap(), DeliveryRun::read_pairing());
        let old = json!({RELAY_KEY: r#"{"id":"k0"}"#});
        let Step::Post {
            port, path, body, ..
        } = r.next(old).unwrap()
        else {
            panic!()
        };
        assert_eq!((port, path.as_str()), (4000, "/v1/pair/confirm"));
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["session"], "s1");
        assert_eq!(body["replaces"], "k0");
        assert!(body["confirm"].is_string());
        // The relay cannot prove the code: not ours.
        let second =
            json!({"status": 200, "ok": true, "body": {"key_id": "k1", "confirm": "AAAA"}});
        assert_eq!(
            r.next(second).unwrap(),
            fail(&crate::relay::RelayError::NotProven.to_string())
        );
    }

    #[test]
    fn once_stored_the_relay_is_forgotten_and_a_forced_sweep_starts() {
        let mut r = run(Some("ABCD-EFGH"), Some(4000));
        r.phase = Phase::Stored;
        assert_eq!(r.next(Value::Null).unwrap(), Step::ForgetRelay);
        assert_eq!(r.next(Value::Null).unwrap(), Step::Sweep { force: true });
        let Step::Paired(reply) = r.next(Value::Null).unwrap() else {
            panic!()
        };
        assert_eq!(
            serde_json::to_value(reply).unwrap(),
            json!({"ok": true}),
            "what the popup is answered"
        );
        assert_eq!(
            serde_json::to_value(fail(NO_CODE)).unwrap(),
            json!({"paired": {"ok": false, "error": NO_CODE}})
        );
        assert!(r.next(Value::Null).is_err());
    }

    #[test]
    fn js_strings() {
        assert_eq!(js_string(None), "undefined");
        assert_eq!(js_string(Some(&json!(null))), "null");
        assert_eq!(js_string(Some(&json!(12))), "12");
        assert_eq!(js_string(Some(&json!("k"))), "k");
    }
}
