//! Fixtures for tests and benchmarks (feature `test-support`).
//!
//! A test that needs a [`Target`] says only what it is about: the rest comes
//! from [`Target::test`], so a field added to `Target` is added here once and
//! not to every test in the workspace. Only `[dev-dependencies]` (and the
//! benchmarks) turn the feature on; the content script and the shipped
//! binaries never carry this module.

use crate::model::{AriaRef, FramePath, Rect, Target};

impl Target {
    /// A minimal valid target for an element `tag`: CSS `tag` (unique),
    /// XPath `//tag`, a 10 x 10 box at the frame's top-left corner, in the
    /// top frame, no role, name, text or attributes, nothing measured.
    /// Chain setters for what the test is about, then [`TargetBuilder::build`].
    pub fn test(tag: &str) -> TargetBuilder {
        TargetBuilder(Target {
            aria: None,
            aria_unique: None,
            text: None,
            text_unique: None,
            text_contains_unique: None,
            css: tag.to_owned(),
            css_unique: true,
            css_pierce_unique: None,
            css_chain_unique: None,
            xpath: format!("//{tag}"),
            shadow_hosts: Vec::new(),
            frame_path: Vec::new(),
            tag: tag.to_owned(),
            input_type: None,
            name: None,
            id: None,
            label: None,
            placeholder: None,
            autocomplete: None,
            was_password: false,
            masked: false,
            bounds: Rect {
                x: 0.0,
                y: 0.0,
                width: 10.0,
                height: 10.0,
            },
        })
    }
}

/// A [`Target`] under construction; see [`Target::test`].
#[derive(Debug, Clone, PartialEq)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct TargetBuilder(Target);

/// A value for an optional text field of [`Target`]: a string sets it, an
/// `Option` sets or clears it.
pub trait OptionalText {
    fn into_option(self) -> Option<String>;
}

impl OptionalText for &str {
    fn into_option(self) -> Option<String> {
        Some(self.to_owned())
    }
}

impl OptionalText for String {
    fn into_option(self) -> Option<String> {
        Some(self)
    }
}

impl OptionalText for &String {
    fn into_option(self) -> Option<String> {
        Some(self.clone())
    }
}

impl OptionalText for Option<&str> {
    fn into_option(self) -> Option<String> {
        self.map(str::to_owned)
    }
}

impl OptionalText for Option<String> {
    fn into_option(self) -> Option<String> {
        self
    }
}

impl TargetBuilder {
    /// The finished target.
    pub fn build(self) -> Target {
        self.0
    }

    /// ARIA role and accessible name.
    pub fn aria(mut self, role: impl Into<String>, name: impl Into<String>) -> Self {
        self.0.aria = Some(AriaRef {
            role: role.into(),
            name: name.into(),
        });
        self
    }

    pub fn aria_unique(mut self, unique: bool) -> Self {
        self.0.aria_unique = Some(unique);
        self
    }

    pub fn text(mut self, text: impl OptionalText) -> Self {
        self.0.text = text.into_option();
        self
    }

    pub fn text_unique(mut self, unique: bool) -> Self {
        self.0.text_unique = Some(unique);
        self
    }

    pub fn text_contains_unique(mut self, unique: bool) -> Self {
        self.0.text_contains_unique = Some(unique);
        self
    }

    pub fn css(mut self, css: impl Into<String>) -> Self {
        self.0.css = css.into();
        self
    }

    pub fn css_unique(mut self, unique: bool) -> Self {
        self.0.css_unique = unique;
        self
    }

    pub fn css_pierce_unique(mut self, unique: bool) -> Self {
        self.0.css_pierce_unique = Some(unique);
        self
    }

    pub fn css_chain_unique(mut self, unique: bool) -> Self {
        self.0.css_chain_unique = Some(unique);
        self
    }

    pub fn xpath(mut self, xpath: impl Into<String>) -> Self {
        self.0.xpath = xpath.into();
        self
    }

    /// The shadow hosts from the document down, outermost first.
    pub fn shadow_hosts<S: Into<String>>(mut self, hosts: impl IntoIterator<Item = S>) -> Self {
        self.0.shadow_hosts = hosts.into_iter().map(Into::into).collect();
        self
    }

    /// Must equal the frame path of the event the target goes into.
    pub fn frame_path(mut self, path: impl Into<FramePath>) -> Self {
        self.0.frame_path = path.into();
        self
    }

    pub fn input_type(mut self, input_type: impl OptionalText) -> Self {
        self.0.input_type = input_type.into_option();
        self
    }

    pub fn name(mut self, name: impl OptionalText) -> Self {
        self.0.name = name.into_option();
        self
    }

    pub fn id(mut self, id: impl OptionalText) -> Self {
        self.0.id = id.into_option();
        self
    }

    pub fn label(mut self, label: impl OptionalText) -> Self {
        self.0.label = label.into_option();
        self
    }

    pub fn placeholder(mut self, placeholder: impl OptionalText) -> Self {
        self.0.placeholder = placeholder.into_option();
        self
    }

    pub fn autocomplete(mut self, autocomplete: impl OptionalText) -> Self {
        self.0.autocomplete = autocomplete.into_option();
        self
    }

    pub fn was_password(mut self, was: bool) -> Self {
        self.0.was_password = was;
        self
    }

    pub fn masked(mut self, masked: bool) -> Self {
        self.0.masked = masked;
        self
    }

    /// The bounding box, in CSS px.
    pub fn bounds(mut self, x: f64, y: f64, width: f64, height: f64) -> Self {
        self.0.bounds = Rect {
            x,
            y,
            width,
            height,
        };
        self
    }
}

impl From<TargetBuilder> for Target {
    fn from(b: TargetBuilder) -> Target {
        b.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Event, EventKind, FORMAT_VERSION, Modifiers, MouseButton, Point, Pointer, RecorderInfo,
        Recording, TabInfo,
    };

    fn recording_with(target: Target) -> Recording {
        let at = "2025-11-20T09:00:00Z".parse().unwrap();
        Recording {
            format_version: FORMAT_VERSION,
            id: uuid::Uuid::from_u128(1),
            name: "test".into(),
            started_at: at,
            ended_at: at,
            recorder: RecorderInfo {
                version: "0".into(),
                user_agent: "test".into(),
            },
            tabs: vec![TabInfo {
                tab_id: 1,
                opener_tab_id: None,
                initial_url: "https://example.com/".into(),
                title: String::new(),
            }],
            events: vec![Event {
                seq: 0,
                at,
                tab_id: 1,
                frame_path: target.frame_path.clone(),
                url: "https://example.com/".into(),
                kind: EventKind::Click(Pointer {
                    target,
                    button: MouseButton::Primary,
                    modifiers: Modifiers::default(),
                    offset: Point { x: 1.0, y: 1.0 },
                }),
            }],
        }
    }

    #[test]
    fn the_minimal_target_is_valid() {
        for tag in ["button", "input", "div"] {
            let t = Target::test(tag).build();
            assert_eq!((t.css.as_str(), t.tag.as_str()), (tag, tag));
            recording_with(t).validate().unwrap();
        }
    }

    #[test]
    fn setters_set_and_options_clear() {
        let t = Target::test("input")
            .aria("textbox", "Email")
            .label("Email")
            .name(String::from("email"))
            .input_type(Some("email"))
            .placeholder(None::<&str>)
            .frame_path(vec![1, 0])
            .shadow_hosts(["x-app"])
            .bounds(1.0, 2.0, 3.0, 4.0)
            .build();
        assert_eq!(t.aria.as_ref().map(|a| a.name.as_str()), Some("Email"));
        assert_eq!(t.name.as_deref(), Some("email"));
        assert_eq!(t.input_type.as_deref(), Some("email"));
        assert_eq!(t.placeholder, None);
        assert_eq!(t.shadow_hosts, ["x-app"]);
        assert_eq!(t.bounds.height, 4.0);
        recording_with(t).validate().unwrap();
    }
}
