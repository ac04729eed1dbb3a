//! Secrets that no attribute announces: fields the page draws as dots, and
//! the text input a show-password toggle puts in a password input's place.
//!
//! `workflow_format::redaction_reason` decides from what a target carries
//! (`masked`, `was_password`); this module decides, from what the DOM glue
//! observed, when to set them. Both parts are pure so that `cargo test`
//! covers them; `dom` only reads styles and mutation records.

/// Whether a computed `-webkit-text-security` value (`none`, `disc`,
/// `circle`, `square`) hides the text: anything but `none`. An empty value
/// (a browser without the property) hides nothing.
pub fn is_masked(text_security: &str) -> bool {
    let v = text_security.trim();
    !v.is_empty() && !v.eq_ignore_ascii_case("none")
}

/// A password input near a text field (inside the field's parent or
/// grandparent) when the field is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NearbyPassword {
    /// It was on screen at some point while recording (the user saw it,
    /// typed into it, or could have clicked its eye button).
    pub shown: bool,
    /// It is on screen now.
    pub rendered: bool,
}

/// Whether a text field took the place of a password input that a
/// show-password toggle hid: a password input next to it was on screen
/// while recording and is hidden now. A password input that was never
/// shown is no evidence: identifier-first logins keep a hidden one next to
/// the e-mail field for password managers, and that e-mail is not secret.
pub fn replaces_hidden_password(takes_text: bool, nearby: &[NearbyPassword]) -> bool {
    takes_text && nearby.iter().any(|p| p.shown && !p.rendered)
}

/// How long after a password input left the DOM a text input added in the
/// same place still counts as its replacement (ms). Toggles swap in one
/// handler or one framework commit; a little slack covers one that waits
/// for the next frame or a timer.
pub const SWAP_WITHIN_MS: f64 = 1000.0;

/// The most elements a removed or added subtree may have to be part of a
/// swap: an input, perhaps its wrapper with an eye button and an icon.
/// A route change that drops a whole login form and inserts a page with a
/// search box is not a show-password toggle.
pub const SWAP_MAX_ELEMENTS: usize = 16;

/// What one removed subtree held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Removed {
    /// Password inputs seen while recording.
    pub passwords: usize,
    /// Other text fields (not hidden inputs).
    pub other_fields: usize,
    /// Elements, the removed one included.
    pub elements: usize,
}

/// A parent that lost a password input, waiting for its replacement.
#[derive(Debug, Clone)]
struct Slot<N> {
    parent: N,
    passwords: usize,
    at: f64,
}

/// Pairs password inputs that leave the DOM with the text inputs that take
/// their place under the same parent. `N` is the DOM glue's node handle.
#[derive(Debug, Clone)]
pub struct Swaps<N> {
    slots: Vec<Slot<N>>,
}

impl<N> Default for Swaps<N> {
    fn default() -> Self {
        Swaps { slots: Vec::new() }
    }
}

impl<N: PartialEq + Clone> Swaps<N> {
    /// `removed` left `parent` at `now`. Only a small subtree whose only
    /// fields were password inputs opens a slot.
    pub fn removed(&mut self, parent: &N, removed: Removed, now: f64) {
        self.expire(now);
        if removed.passwords == 0
            || removed.other_fields > 0
            || removed.elements > SWAP_MAX_ELEMENTS
        {
            return;
        }
        match self.slots.iter_mut().find(|s| s.parent == *parent) {
            Some(slot) => {
                slot.passwords += removed.passwords;
                slot.at = now;
            }
            None => self.slots.push(Slot {
                parent: parent.clone(),
                passwords: removed.passwords,
                at: now,
            }),
        }
    }

    /// Whether a node added to `parent` now may be a replacement; the glue
    /// asks before it looks into the added subtree.
    pub fn waiting(&self, parent: &N, now: f64) -> bool {
        self.slots
            .iter()
            .any(|s| s.parent == *parent && now - s.at <= SWAP_WITHIN_MS)
    }

    /// A subtree of `elements` elements holding the text `fields` was added
    /// to `parent` at `now`: the fields that take a removed password
    /// input's place, to be treated as password fields from now on. At
    /// most as many as password inputs left, and only from a small subtree.
    pub fn added(&mut self, parent: &N, fields: Vec<N>, elements: usize, now: f64) -> Vec<N> {
        self.expire(now);
        if fields.is_empty() || elements > SWAP_MAX_ELEMENTS {
            return Vec::new();
        }
        let Some(i) = self.slots.iter().position(|s| s.parent == *parent) else {
            return Vec::new();
        };
        let slot = &mut self.slots[i];
        if fields.len() > slot.passwords {
            return Vec::new();
        }
        slot.passwords -= fields.len();
        if slot.passwords == 0 {
            self.slots.remove(i);
        }
        fields
    }

    /// Whether any slot is open (the glue skips added nodes otherwise).
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    fn expire(&mut self, now: f64) {
        self.slots.retain(|s| now - s.at <= SWAP_WITHIN_MS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE_PASSWORD: Removed = Removed {
        passwords: 1,
        other_fields: 0,
        elements: 1,
    };

    #[test]
    fn only_a_style_that_hides_text_masks() {
        assert!(is_masked("disc"));
        assert!(is_masked(" Circle "));
        assert!(is_masked("square"));
        assert!(!is_masked("none"));
        assert!(!is_masked("NONE"));
        assert!(!is_masked(""));
    }

    #[test]
    fn a_text_input_put_where_a_password_input_was_removed_replaces_it() {
        let mut swaps = Swaps::default();
        swaps.removed(&"wrap", ONE_PASSWORD, 10.0);
        assert!(swaps.waiting(&"wrap", 10.0));
        assert!(!swaps.waiting(&"elsewhere", 10.0));
        // Elsewhere: not a replacement, and the slot stays.
        assert!(swaps.added(&"elsewhere", vec!["x"], 1, 10.0).is_empty());
        assert_eq!(swaps.added(&"wrap", vec!["field2"], 3, 10.0), ["field2"]);
        // One password input, one replacement: the next text input added
        // there is an ordinary field.
        assert!(swaps.is_empty());
        assert!(swaps.added(&"wrap", vec!["other"], 1, 20.0).is_empty());
    }

    #[test]
    fn a_toggle_back_and_forth_keeps_pairing() {
        let mut swaps = Swaps::default();
        swaps.removed(&"wrap", ONE_PASSWORD, 0.0);
        assert_eq!(swaps.added(&"wrap", vec!["t1"], 1, 0.0), ["t1"]);
        // The replacement is a password field now (the glue adds it to its
        // set), so removing it opens the slot again.
        swaps.removed(&"wrap", ONE_PASSWORD, 500.0);
        assert_eq!(swaps.added(&"wrap", vec!["t2"], 1, 900.0), ["t2"]);
    }

    #[test]
    fn route_changes_and_late_inserts_are_not_swaps() {
        let mut swaps = Swaps::default();
        // A login form (e-mail and password) replaced by the next page.
        swaps.removed(
            &"main",
            Removed {
                passwords: 1,
                other_fields: 1,
                elements: 8,
            },
            0.0,
        );
        assert!(swaps.is_empty());
        // A big subtree, even with only a password field in it.
        swaps.removed(
            &"main",
            Removed {
                passwords: 1,
                other_fields: 0,
                elements: SWAP_MAX_ELEMENTS + 1,
            },
            0.0,
        );
        assert!(swaps.is_empty());
        // A slot does not take a page's worth of fields, nor a big subtree.
        swaps.removed(&"wrap", ONE_PASSWORD, 0.0);
        assert!(swaps.added(&"wrap", vec!["a", "b"], 2, 0.0).is_empty());
        assert!(
            swaps
                .added(&"wrap", vec!["a"], SWAP_MAX_ELEMENTS + 1, 0.0)
                .is_empty()
        );
        // Nor anything long after.
        assert!(
            swaps
                .added(&"wrap", vec!["a"], 1, SWAP_WITHIN_MS + 1.0)
                .is_empty()
        );
        assert!(swaps.is_empty());
        // Removing nothing sensitive opens nothing.
        swaps.removed(&"wrap", Removed::default(), 0.0);
        assert!(swaps.is_empty());
    }

    #[test]
    fn a_text_field_next_to_a_password_input_that_was_hidden_replaces_it() {
        let shown_then_hidden = NearbyPassword {
            shown: true,
            rendered: false,
        };
        assert!(replaces_hidden_password(true, &[shown_then_hidden]));
        // Never shown: the hidden password input of an identifier-first
        // login next to its e-mail field.
        assert!(!replaces_hidden_password(
            true,
            &[NearbyPassword {
                shown: false,
                rendered: false,
            }]
        ));
        // Both on screen: a sign-up form's "repeat e-mail" next to its
        // password input.
        assert!(!replaces_hidden_password(
            true,
            &[NearbyPassword {
                shown: true,
                rendered: true,
            }]
        ));
        assert!(!replaces_hidden_password(false, &[shown_then_hidden]));
        assert!(!replaces_hidden_password(true, &[]));
    }
}
