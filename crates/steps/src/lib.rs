//! From a raw recording to replayable steps.
//!
//! A [`Recording`](workflow_format::Recording) is a faithful log of what the
//! user did: clicks, final field values, significant keys, scrolls,
//! navigations, tab switches. Replaying it literally would be brittle, so
//! [`build_workflow`] turns it into a [`Workflow`]: replayable [`Step`]s
//! grouped into page [`Segment`]s, with the typed values lifted into named
//! [`Parameter`]s and every target's selector [`Alternative`]s measured per
//! consumer. The exporters (`clawtrail-export`) and the replayer
//! (`clawtrail-driver`) only ever read this model.
//!
//! [`text`] is how page-controlled text is quoted wherever it reaches an
//! agent or a script: one place, so that every consumer quotes alike.

pub mod params;
pub mod selectors;
mod steps;
pub mod text;

pub use params::Parameter;
pub use selectors::{Alternative, AlternativeKind};
pub use steps::{
    Action, Entry, ExpectedNavigation, LeftOut, Segment, Step, Workflow, build_workflow,
    is_activatable,
};
