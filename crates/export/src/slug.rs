//! Skill folder names.

use workflow_format::Recording;

/// Agent Skills limit on `name`, in characters.
pub const SLUG_MAX: usize = 64;

/// The skill's name and folder name: the recording's name in lowercase
/// ASCII letters and digits joined by single hyphens, at most 64
/// characters; `recording-<first 8 hex digits of the id>` when the name has
/// no ASCII letter or digit.
pub fn skill_slug(rec: &Recording) -> String {
    let slug = slugify(&rec.name);
    if slug.is_empty() {
        let id = rec.id.simple().to_string();
        format!("recording-{}", &id[..8])
    } else {
        slug
    }
}

fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.truncate(SLUG_MAX);
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugs_are_lowercase_hyphenated_and_bounded() {
        assert_eq!(slugify("Sign up & add  a cup!"), "sign-up-add-a-cup");
        assert_eq!(slugify("--Already--hyphened--"), "already-hyphened");
        assert_eq!(slugify("日本語"), "");
        let long = slugify(&"abc ".repeat(40));
        assert!(long.len() <= 64 && !long.ends_with('-'), "{long}");
    }
}
