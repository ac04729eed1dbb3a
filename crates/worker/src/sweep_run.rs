//! A sweep as a state machine: find the recordings waiting for delivery
//! (all but the one being recorded), expire what is past its 7 days,
//! deliver what is due (or everything, when the user asks to retry now),
//! then reschedule the retry alarm. Steps are those of
//! [`crate::delivery_run`].

use std::collections::VecDeque;

use chrono::DateTime;
use serde_json::Value;
use uuid::Uuid;

use crate::delivery::{SweepAction, sweep_action};
use crate::delivery_run::{RunError, Step, bad};
use crate::effect::Effect;
use crate::session::Meta;
use crate::storage_keys;

/// What became of one pending recording (the `retry_now` reply's items).
pub use clawtrail_protocol::messages::SweepResult;

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Begin,
    Keys,
    Metas(Vec<String>),
    /// Going through the pending metas; `current`: the one whose step runs.
    Going {
        current: Option<Uuid>,
    },
    Rescheduling,
    Finished,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SweepRun {
    force: bool,
    phase: Phase,
    pending: VecDeque<Meta>,
    results: Vec<SweepResult>,
}

impl SweepRun {
    pub fn new(force: bool) -> SweepRun {
        SweepRun {
            force,
            phase: Phase::Begin,
            pending: VecDeque::new(),
            results: Vec::new(),
        }
    }

    /// The next step, given the last one's outcome (`Value::Null` first).
    /// `now_ms`: the worker's clock.
    pub fn next(&mut self, outcome: Value, now_ms: i64) -> Result<Step, RunError> {
        match std::mem::replace(&mut self.phase, Phase::Finished) {
            Phase::Begin => {
                self.phase = Phase::Keys;
                Ok(Step::PendingKeys)
            }
            Phase::Keys => {
                let stored: Vec<String> =
                    serde_json::from_value(outcome["keys"].clone()).map_err(bad)?;
                let active = match outcome.get("active") {
                    None | Some(Value::Null) => None,
                    Some(v) => Some(serde_json::from_value::<Uuid>(v.clone()).map_err(bad)?),
                };
                let metas = storage_keys::pending_metas(&stored, active);
                if metas.is_empty() {
                    return self.go(now_ms);
                }
                self.phase = Phase::Metas(metas.clone());
                Ok(Step::Read(metas))
            }
            Phase::Metas(metas) => {
                for k in &metas {
                    match outcome.get(k) {
                        None | Some(Value::Null) => {}
                        Some(v) => {
                            let json = v.as_str().ok_or_else(|| bad("meta is no string"))?;
                            let meta: Meta = serde_json::from_str(json)
                                .map_err(|e| RunError::BadMeta(e.to_string()))?;
                            self.pending.push_back(meta);
                        }
                    }
                }
                self.go(now_ms)
            }
            Phase::Going { current } => {
                if let Some(id) = current {
                    let result = match outcome {
                        // An expiry's removal has no outcome.
                        Value::Null => "expired".to_owned(),
                        Value::String(s) => s,
                        other => return Err(bad(format!("a delivery result, not {other}"))),
                    };
                    self.results.push(SweepResult { id, result });
                }
                self.go(now_ms)
            }
            Phase::Rescheduling => {
                self.phase = Phase::Finished;
                Ok(Step::Results(std::mem::take(&mut self.results)))
            }
            Phase::Finished => Err(RunError::Finished),
        }
    }

    fn go(&mut self, now_ms: i64) -> Result<Step, RunError> {
        let now =
            DateTime::from_timestamp_millis(now_ms).ok_or_else(|| bad("time out of range"))?;
        while let Some(meta) = self.pending.pop_front() {
            match sweep_action(&meta, now, self.force) {
                SweepAction::Expire { remove } => {
                    self.phase = Phase::Going {
                        current: Some(meta.id),
                    };
                    return Ok(Step::Apply(vec![Effect::Remove(remove)]));
                }
                SweepAction::Deliver { wake } => {
                    self.phase = Phase::Going {
                        current: Some(meta.id),
                    };
                    return Ok(Step::DeliverNow { id: meta.id, wake });
                }
                SweepAction::Wait => {}
            }
        }
        self.phase = Phase::Rescheduling;
        Ok(Step::ScheduleRetry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::EXPIRY;
    use chrono::{TimeZone, Utc};
    use serde_json::json;

    const NOW: i64 = 1_767_225_600_000; // 2026-01-01

    fn meta(n: u128, started_ms: i64) -> Meta {
        let start = Utc.timestamp_millis_opt(started_ms).unwrap();
        crate::session::finished(Uuid::from_u128(n), start).0
    }

    fn keys_of(metas: &[&Meta], active: Option<Uuid>) -> Value {
        let mut keys: Vec<String> = metas.iter().map(|m| storage_keys::meta(m.id)).collect();
        keys.push("relay_key".into());
        json!({ "keys": keys, "active": active })
    }

    fn reads(metas: &[&Meta]) -> Value {
        Value::Object(
            metas
                .iter()
                .map(|m| {
                    (
                        storage_keys::meta(m.id),
                        json!(serde_json::to_string(m).unwrap()),
                    )
                })
                .collect(),
        )
    }

    #[test]
    fn nothing_pending_only_reschedules() {
        let mut run = SweepRun::new(false);
        assert_eq!(run.next(Value::Null, NOW).unwrap(), Step::PendingKeys);
        assert_eq!(
            run.next(json!({"keys": ["relay_key"], "active": null}), NOW)
                .unwrap(),
            Step::ScheduleRetry
        );
        assert_eq!(run.next(Value::Null, NOW).unwrap(), Step::Results(vec![]));
        assert_eq!(run.next(Value::Null, NOW), Err(RunError::Finished));
    }

    #[test]
    fn expires_the_old_delivers_the_due_and_skips_the_active() {
        let old = meta(1, NOW - EXPIRY.num_milliseconds());
        let due = meta(2, NOW - 1000);
        let active = meta(3, NOW);
        let mut run = SweepRun::new(false);
        run.next(Value::Null, NOW).unwrap();
        assert_eq!(
            run.next(keys_of(&[&old, &due, &active], Some(active.id)), NOW)
                .unwrap(),
            Step::Read(vec![storage_keys::meta(old.id), storage_keys::meta(due.id)])
        );
        assert_eq!(
            run.next(reads(&[&old, &due]), NOW).unwrap(),
            Step::Apply(vec![Effect::Remove(storage_keys::all(old.id, old.chunks))])
        );
        assert_eq!(
            run.next(Value::Null, NOW).unwrap(),
            Step::DeliverNow {
                id: due.id,
                wake: false
            }
        );
        assert_eq!(
            run.next(json!("relay-down"), NOW).unwrap(),
            Step::ScheduleRetry
        );
        assert_eq!(
            run.next(Value::Null, NOW).unwrap(),
            Step::Results(vec![
                SweepResult {
                    id: old.id,
                    result: "expired".into()
                },
                SweepResult {
                    id: due.id,
                    result: "relay-down".into()
                },
            ])
        );
    }

    #[test]
    fn a_forced_sweep_wakes_and_a_vanished_meta_is_skipped() {
        let due = meta(2, NOW - 1000);
        let gone = meta(4, NOW - 1000);
        let mut run = SweepRun::new(true);
        run.next(Value::Null, NOW).unwrap();
        run.next(keys_of(&[&due, &gone], None), NOW).unwrap();
        assert_eq!(
            run.next(reads(&[&due]), NOW).unwrap(),
            Step::DeliverNow {
                id: due.id,
                wake: true
            }
        );
    }
}
