//! clawtrail's content script, compiled to wasm32 and then to plain JS.
//!
//! It runs in every frame of every page the user visits, so two rules shape
//! it: it does nothing at all unless the user is recording (every listener
//! returns at once when the gate is closed), and it never touches the page's
//! DOM (a page could detect the recorder by looking for a marker).
//!
//! The crate is split so that everything that decides *what* to record is
//! pure Rust, tested with plain `cargo test`:
//!
//! - [`gate`]: whether an incoming DOM event may be recorded at all;
//! - [`actionable`]: which element along the composed path a click meant;
//! - [`selector`]: CSS selectors and XPaths from an element's ancestry;
//! - [`stable`]: whether an id or attribute value was written by a person
//!   or generated at run time (generated ones never anchor a selector);
//! - [`capture`]: turning what the DOM glue read into `workflow_format` types;
//! - [`hold`]: merging typing, debouncing scroll, pairing double clicks,
//!   while keeping events in the order the user acted;
//! - [`envelope`]: the `CapturedEvent` handed to the service worker, checked
//!   with the format's own per-event validation;
//! - [`outbox`]: acknowledged, ordered, retried delivery to the worker;
//! - [`secrets`]: masked fields and show-password toggles that swap the
//!   password input for a text input.
//!
//! Roles and accessible names come from `clawtrail_accname`, the one
//! implementation; `webdom` is the DOM it reads there.
//!
//! Only `dom` and `webdom` (wasm32 only) talk to the browser through
//! web-sys. One exception to "never touches the page": while recording,
//! the recorder asks extension/src/internals.js (a main-world helper) for
//! a custom element's ElementInternals role with a synchronous DOM event
//! on that element, which the page could observe.

pub mod actionable;
pub mod capture;
pub mod envelope;
pub mod gate;
pub mod hold;
pub mod outbox;
pub mod secrets;
pub mod selector;
pub mod stable;

#[cfg(target_arch = "wasm32")]
mod dom;
#[cfg(target_arch = "wasm32")]
mod webdom;
