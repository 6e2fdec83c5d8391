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
