//! Looking for the relay outside a delivery, as a state machine: the
//! popup's relay status (the paired relay by its signature, or without a
//! key whether anything answers a health check) and a plain find. Steps and
//! their outcomes are those of [`crate::delivery_run`].

use serde_json::Value;

use crate::delivery_run::{
    DeliveryRun, RELAY_KEY, RunError, Search, Step, bad, probe_fetch, remembered_port, truthy,
};
use crate::policy::{Learned, RelayState, TIMINGS, candidate_ports};

/// What the search is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The relay status: ends with [`Step::Done`] and the status, after
    /// noting it in the status cache.
    Status,
    /// Only where the paired relay is: ends with [`Step::Found`].
    Find,
    /// Whether anything answers a health check on a candidate port: ends
    /// with [`Step::Up`].
    AnyUp,
}

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Begin,
    Pairing,
    Probing(Search),
    Remembering(u16),
    Health { ports: Vec<u16>, next: usize },
    Noted(RelayState),
    Finished,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RelayRun {
    purpose: Purpose,
    debug_port: Option<u16>,
    key: String,
    phase: Phase,
}

impl RelayRun {
    pub fn new(purpose: Purpose, debug_port: Option<u16>) -> RelayRun {
        RelayRun {
            purpose,
            debug_port,
            key: String::new(),
            phase: Phase::Begin,
        }
    }

    /// The next step, given the last one's outcome (`Value::Null` first).
    pub fn next(&mut self, outcome: Value) -> Result<Step, RunError> {
        match std::mem::replace(&mut self.phase, Phase::Finished) {
            Phase::Begin => {
                self.phase = Phase::Pairing;
                Ok(DeliveryRun::read_pairing())
            }
            Phase::Pairing => {
                let remembered = remembered_port(&outcome);
                match outcome.get(RELAY_KEY).filter(|k| truthy(k)) {
                    Some(key) if self.purpose != Purpose::AnyUp => {
                        self.key = key
                            .as_str()
                            .ok_or_else(|| bad("key is no string"))?
                            .to_owned();
                        self.probe(Search::new(remembered, self.debug_port, false))
                    }
                    None if self.purpose == Purpose::Find => self.found(None, false),
                    // Without a key (or asked only that): whether anything
                    // answers, enough to offer pairing, never enough to send
                    // anything.
                    Some(_) | None => self.health(
                        candidate_ports(clawtrail_trust::PORTS, remembered, self.debug_port),
                        0,
                    ),
                }
            }
            Phase::Probing(mut search) => match search.answer(outcome)? {
                Some(port) if Some(port) != search.remembered => {
                    self.phase = Phase::Remembering(port);
                    Ok(Step::RememberPort(port))
                }
                Some(port) => self.found(Some(port), false),
                None => self.probe(search),
            },
            Phase::Remembering(port) => self.found(Some(port), false),
            Phase::Health { ports, next } => {
                if outcome
                    .as_bool()
                    .ok_or_else(|| bad("a health check answers a boolean"))?
                {
                    self.note_unpaired(true)
                } else {
                    self.health(ports, next)
                }
            }
            Phase::Noted(state) => {
                self.phase = Phase::Finished;
                Ok(Step::Done(state.as_str().to_owned()))
            }
            Phase::Finished => Err(RunError::Finished),
        }
    }

    fn probe(&mut self, mut search: Search) -> Result<Step, RunError> {
        match search.advance() {
            Some(port) => {
                self.phase = Phase::Probing(search);
                Ok(probe_fetch(&self.key, port))
            }
            None => {
                let refused = search.refused;
                self.found(None, refused)
            }
        }
    }

    fn found(&mut self, port: Option<u16>, refused: bool) -> Result<Step, RunError> {
        match self.purpose {
            Purpose::Find | Purpose::AnyUp => {
                self.phase = Phase::Finished;
                Ok(Step::Found { port, refused })
            }
            Purpose::Status => {
                self.phase = Phase::Noted(RelayState::of_search(port, refused));
                Ok(Step::NoteRelaySearch { port, refused })
            }
        }
    }

    fn health(&mut self, ports: Vec<u16>, next: usize) -> Result<Step, RunError> {
        match ports.get(next).copied() {
            Some(port) => {
                self.phase = Phase::Health {
                    ports,
                    next: next + 1,
                };
                Ok(Step::Health {
                    port,
                    timeout_ms: TIMINGS.probe_timeout_ms,
                })
            }
            None => self.note_unpaired(false),
        }
    }

    fn note_unpaired(&mut self, up: bool) -> Result<Step, RunError> {
        if self.purpose == Purpose::AnyUp {
            self.phase = Phase::Finished;
            return Ok(Step::Up(up));
        }
        self.phase = Phase::Noted(RelayState::unpaired(up));
        Ok(Step::NoteRelayUnpaired { up })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery_run::RELAY_PORT;
    use serde_json::json;

    fn pairing(key: bool, port: Option<u16>) -> Value {
        let mut m = serde_json::Map::new();
        if key {
            m.insert(RELAY_KEY.into(), json!("{}"));
        }
        if let Some(p) = port {
            m.insert(RELAY_PORT.into(), json!(p));
        }
        Value::Object(m)
    }

    fn started(purpose: Purpose, debug: Option<u16>) -> RelayRun {
        let mut run = RelayRun::new(purpose, debug);
        assert_eq!(run.next(Value::Null).unwrap(), DeliveryRun::read_pairing());
        run
    }

    #[test]
    fn without_a_key_any_health_check_answering_means_not_paired() {
        let mut run = started(Purpose::Status, None);
        let mut step = run.next(pairing(false, Some(18785))).unwrap();
        let mut ports = Vec::new();
        while let Step::Health { port, .. } = step {
            ports.push(port);
            step = run.next(json!(ports.len() == 2)).unwrap();
        }
        assert_eq!(ports, vec![18785, 18799]);
        assert_eq!(step, Step::NoteRelayUnpaired { up: true });
        assert_eq!(
            run.next(Value::Null).unwrap(),
            Step::Done(RelayState::unpaired(true).as_str().into())
        );
        assert_eq!(run.next(Value::Null), Err(RunError::Finished));
    }

    #[test]
    fn without_a_key_and_nothing_up_it_is_not_running() {
        let mut run = started(Purpose::Status, Some(4000));
        assert_eq!(
            run.next(pairing(false, None)).unwrap(),
            Step::Health {
                port: 4000,
                timeout_ms: TIMINGS.probe_timeout_ms
            }
        );
        assert_eq!(
            run.next(json!(false)).unwrap(),
            Step::NoteRelayUnpaired { up: false }
        );
        assert_eq!(
            run.next(Value::Null).unwrap(),
            Step::Done(RelayState::unpaired(false).as_str().into())
        );
    }

    #[test]
    fn with_a_key_the_signed_search_decides_and_a_new_port_is_remembered() {
        let mut run = started(Purpose::Status, Some(4000));
        assert_eq!(
            run.next(pairing(true, None)).unwrap(),
            probe_fetch("{}", 4000)
        );
        let ours = json!({"status": 200, "text": "", "nonce": "n", "verified": true});
        assert_eq!(run.next(ours).unwrap(), Step::RememberPort(4000));
        assert_eq!(
            run.next(Value::Null).unwrap(),
            Step::NoteRelaySearch {
                port: Some(4000),
                refused: false
            }
        );
        assert_eq!(
            run.next(Value::Null).unwrap(),
            Step::Done(RelayState::of_search(Some(4000), false).as_str().into())
        );
    }

    #[test]
    fn an_unsigned_answer_is_not_our_relay_and_a_401_is_refused() {
        let mut run = started(Purpose::Status, None);
        let mut step = run.next(pairing(true, None)).unwrap();
        let mut n = 0;
        while let Step::Fetch { .. } = step {
            let answer = if n == 0 {
                json!({"status": 200, "text": "", "nonce": "n", "verified": false})
            } else {
                json!({"status": 401, "text": "", "nonce": "n", "verified": false})
            };
            n += 1;
            step = run.next(answer).unwrap();
        }
        assert_eq!(n, clawtrail_trust::PORTS.len());
        assert_eq!(
            step,
            Step::NoteRelaySearch {
                port: None,
                refused: true
            }
        );
    }

    #[test]
    fn any_up_checks_health_even_with_a_key() {
        let mut run = started(Purpose::AnyUp, Some(4000));
        assert_eq!(
            run.next(pairing(true, None)).unwrap(),
            Step::Health {
                port: 4000,
                timeout_ms: TIMINGS.probe_timeout_ms
            }
        );
        assert_eq!(run.next(json!(true)).unwrap(), Step::Up(true));
        let mut run = started(Purpose::AnyUp, Some(4000));
        run.next(pairing(false, None)).unwrap();
        assert_eq!(run.next(json!(false)).unwrap(), Step::Up(false));
    }

    #[test]
    fn find_reports_where_without_noting() {
        let mut run = started(Purpose::Find, Some(4000));
        assert_eq!(
            run.next(pairing(false, None)).unwrap(),
            Step::Found {
                port: None,
                refused: false
            }
        );
        let mut run = started(Purpose::Find, None);
        assert_eq!(
            run.next(pairing(true, Some(18787))).unwrap(),
            probe_fetch("{}", 18787)
        );
        let ours = json!({"status": 200, "text": "", "nonce": "n", "verified": true});
        assert_eq!(
            run.next(ours).unwrap(),
            Step::Found {
                port: Some(18787),
                refused: false
            }
        );
    }
}
