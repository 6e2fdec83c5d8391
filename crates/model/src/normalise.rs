//! Normalisation of a source article before quotes are checked against it.
//!
//! Most articles are quoted as published. One (Taiyuan's) went through a conversion that wrote
//! traditional characters followed by their pinyin, doubled punctuation and mangled a few
//! characters. Its crate ships a normalisation file next to the article; the rules are data, the
//! machinery is here, and the steps always run in this order:
//!
//! 1. `replace`: literal replacements, in file order (repairs of mangled text);
//! 2. `strip_pinyin`: a parenthesised pinyin syllable right after a Han character is removed
//!    (`黨(dǎng)` → `黨`);
//! 3. `chars`: character-by-character mapping (traditional → simplified);
//! 4. `collapse`: literal replacements repeated until none applies (`,,` → `,`).

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Normalisation {
    /// What the rules do, in a sentence; shown with the source.
    pub description: String,
    #[serde(default)]
    pub replace: Vec<[String; 2]>,
    #[serde(default)]
    pub strip_pinyin: bool,
    #[serde(default)]
    pub chars: BTreeMap<char, char>,
    #[serde(default)]
    pub collapse: Vec<[String; 2]>,
}

#[derive(Debug, thiserror::Error)]
pub enum NormalisationError {
    #[error("normalisation rules do not parse: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("collapse rule `{0}` → `{1}` does not shorten the text, so it could loop forever")]
    NonShrinking(String, String),
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

fn is_pinyin_letter(c: char) -> bool {
    c.is_ascii_lowercase() || "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüê".contains(c)
}

/// Removes `(pinyin)` written right after a Han character. Parentheses around anything else
/// (a Han word, an upper-case letter, nothing) are left alone.
fn strip_pinyin(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '('
            && out.chars().next_back().is_some_and(is_han)
            && let Some(close) = rest.find(')')
        {
            let inner = &rest[1..close];
            if !inner.is_empty()
                && inner.chars().count() <= 7
                && inner.chars().all(is_pinyin_letter)
            {
                rest = &rest[close + 1..];
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

impl Normalisation {
    pub fn from_toml(text: &str) -> Result<Self, NormalisationError> {
        let rules: Self = toml::from_str(text)?;
        if let Some([from, to]) = rules
            .collapse
            .iter()
            .find(|[from, to]| to.len() >= from.len())
        {
            return Err(NormalisationError::NonShrinking(from.clone(), to.clone()));
        }
        Ok(rules)
    }

    /// Applies the four steps in order.
    pub fn apply(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for [from, to] in &self.replace {
            text = text.replace(from.as_str(), to);
        }
        if self.strip_pinyin {
            text = strip_pinyin(&text);
        }
        if !self.chars.is_empty() {
            text = text
                .chars()
                .map(|c| self.chars.get(&c).copied().unwrap_or(c))
                .collect();
        }
        // Every collapse rule shortens the text, so this terminates.
        loop {
            let before = text.len();
            for [from, to] in &self.collapse {
                text = text.replace(from.as_str(), to);
            }
            if text.len() == before {
                break text;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_run_in_order() {
        let rules = Normalisation::from_toml(
            r#"
            description = "test"
            replace = [["?,F(xiàn)", "。現(xiàn)"]]
            strip_pinyin = true
            chars = { "黨" = "党", "員" = "员", "現" = "现" }
            collapse = [[",,", ","], [",。", "。"]]
            "#,
        )
        .expect("rules parse");
        assert_eq!(
            rules.apply("黨(dǎng)員,,,好,。不放心?,F(xiàn)在(責(zé)編:X)"),
            "党员,好。不放心。现在(責編:X)"
        );
    }

    #[test]
    fn growing_collapse_rules_are_refused() {
        let err = Normalisation::from_toml("description = \"x\"\ncollapse = [[\",\", \",,\"]]");
        assert!(matches!(err, Err(NormalisationError::NonShrinking(..))));
    }
}
