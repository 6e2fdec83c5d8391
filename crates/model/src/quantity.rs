use serde::{Deserialize, Serialize};

/// How a number relates to the truth, as the source words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Qualifier {
    /// The source states the number plainly (准确值). Round figures such as "6万" stay EXACT:
    /// we do not second-guess the source.
    #[default]
    Exact,
    /// "约", "近", "左右": approximately.
    Approx,
    /// "超过", "逾", "余", "上百": at least.
    AtLeast,
    /// "不超过", "以内": at most.
    AtMost,
}

impl Qualifier {
    /// Stable upper-case name, as stored and as shown in the schema.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exact => "EXACT",
            Self::Approx => "APPROX",
            Self::AtLeast => "AT_LEAST",
            Self::AtMost => "AT_MOST",
        }
    }

    /// Inverse of [`Qualifier::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Exact, Self::Approx, Self::AtLeast, Self::AtMost]
            .into_iter()
            .find(|q| q.as_str() == s)
    }

    /// The qualifier of a sum whose parts carry `parts`: exact parts keep a bound, bounds in one
    /// direction add up to a bound in that direction, and anything else (an approximate part,
    /// or bounds in both directions) makes the sum approximate. `None` for no parts.
    pub fn of_sum(parts: impl IntoIterator<Item = Self>) -> Option<Self> {
        parts.into_iter().reduce(|a, b| match (a, b) {
            (x, y) if x == y => x,
            (Self::Exact, x) | (x, Self::Exact) => x,
            _ => Self::Approx,
        })
    }

    /// The qualifier of `numerator / denominator`: a lower bound divided by an exact figure is a
    /// lower bound; dividing by a lower bound gives an upper bound; the rest is approximate.
    pub fn of_ratio(numerator: Self, denominator: Self) -> Self {
        let flipped = match denominator {
            Self::AtLeast => Self::AtMost,
            Self::AtMost => Self::AtLeast,
            other => other,
        };
        Self::of_sum([numerator, flipped]).unwrap_or(Self::Exact)
    }
}

#[cfg(test)]
mod tests {
    use super::Qualifier::*;
    use super::*;

    #[test]
    fn sums_and_ratios_keep_what_the_parts_say() {
        assert_eq!(Qualifier::of_sum([]), None);
        assert_eq!(Qualifier::of_sum([Exact, Exact]), Some(Exact));
        assert_eq!(Qualifier::of_sum([Exact, AtLeast, AtLeast]), Some(AtLeast));
        assert_eq!(Qualifier::of_sum([AtMost, Exact]), Some(AtMost));
        assert_eq!(Qualifier::of_sum([AtLeast, AtMost]), Some(Approx));
        assert_eq!(Qualifier::of_sum([Exact, Approx]), Some(Approx));
        assert_eq!(Qualifier::of_ratio(AtLeast, Exact), AtLeast);
        assert_eq!(Qualifier::of_ratio(Exact, AtLeast), AtMost);
        assert_eq!(Qualifier::of_ratio(AtLeast, AtLeast), Approx);
        assert_eq!(Qualifier::of_ratio(Approx, Exact), Approx);
    }
}

/// A number taken from a source, with its qualifier and unit (`m²`, `people`, `CNY`, `books`…).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quantity {
    pub value: f64,
    #[serde(default)]
    pub qualifier: Qualifier,
    pub unit: String,
}

/// Where a fact comes from: an article (by file name) and the sentence quoted from it verbatim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Citation {
    /// File name of the article in `../shared/seeds`, e.g. `000_df422faf2af43df6.txt`.
    pub source: String,
    /// The supporting text, verbatim (after the article's documented normalisation).
    pub quote: String,
    /// Which fields of the record this quote supports (`name`, `capacity`, `equipment`…).
    /// Indicators and events cite as a whole and leave this empty.
    #[serde(default)]
    pub supports: Vec<String>,
}
