//! The recording gate: the first thing every listener asks.

/// Whether the content script currently records, and which events it admits.
///
/// The service worker owns the real recording state; this is the per-frame
/// copy it pushes with `set_recording`. It starts closed, so a frame that
/// never heard from the worker records nothing.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Gate {
    recording: bool,
}

impl Gate {
    pub fn is_recording(&self) -> bool {
        self.recording
    }

    pub fn set_recording(&mut self, on: bool) {
        self.recording = on;
    }

    /// Whether an event may be recorded.
    ///
    /// Untrusted events (`isTrusted == false`) come from page scripts calling
    /// `dispatchEvent`/`click()`, not from the user. Admitting them would let
    /// any page write steps into a recording that may later become a skill an
    /// agent executes, so they are refused even while recording.
    pub fn admits(&self, is_trusted: bool) -> bool {
        self.recording && is_trusted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_closed_and_admits_nothing() {
        let gate = Gate::default();
        assert!(!gate.is_recording());
        assert!(!gate.admits(true));
        assert!(!gate.admits(false));
    }

    #[test]
    fn recording_admits_only_trusted_events() {
        let mut gate = Gate::default();
        gate.set_recording(true);
        assert!(gate.admits(true));
        assert!(!gate.admits(false));
        gate.set_recording(false);
        assert!(!gate.admits(true));
    }
}
