//! How much of its articles a dataset transcribes, sentence by sentence: a sentence is covered
//! when a quote of the dataset (a citation of any record, indicator, event or organisation, or a
//! byline) overlaps it. What is left uncovered is what a transcriber has not used: headings,
//! rhetoric, page chrome, or a fact still to transcribe.

use crate::dataset::{Article, CityDataset, DatasetError};
use crate::validate::article_text;

/// One sentence of an article (after its normalisation) and whether a quote overlaps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub text: String,
    pub covered: bool,
}

/// The sentences of one article, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleCoverage {
    pub file: String,
    pub sentences: Vec<Sentence>,
}

impl ArticleCoverage {
    /// Sentences some quote overlaps.
    pub fn covered(&self) -> usize {
        self.sentences.iter().filter(|s| s.covered).count()
    }

    /// Sentences no quote overlaps, in order.
    pub fn uncovered(&self) -> impl Iterator<Item = &str> {
        self.sentences
            .iter()
            .filter(|s| !s.covered)
            .map(|s| s.text.as_str())
    }
}

/// A sentence ends after one of these, or at a line break.
const ENDS: [char; 7] = ['。', '！', '？', '!', '?', '；', ';'];

/// The sentences of `text` as byte ranges, trimmed; runs of only spaces and punctuation are not
/// sentences.
fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut push = |from: usize, to: usize| {
        let piece = &text[from..to];
        let lead = piece.len() - piece.trim_start().len();
        let trimmed = piece.trim();
        if trimmed.chars().any(char::is_alphanumeric) {
            out.push((from + lead, from + lead + trimmed.len()));
        }
    };
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        if c == '\n' {
            push(start, i);
            start = end;
        } else if ENDS.contains(&c) {
            push(start, end);
            start = end;
        }
    }
    push(start, text.len());
    out
}

impl CityDataset {
    /// Every quote of the dataset with the file it quotes: the citations of circles, centers,
    /// rooms, indicators, events and organisations, and the sources' bylines.
    pub fn quotes(&self) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = self
            .cited()
            .into_iter()
            .flat_map(|(_, list)| list)
            .map(|c| (c.source.as_str(), c.quote.as_str()))
            .collect();
        for s in &self.sources {
            out.extend(
                s.contributors
                    .iter()
                    .map(|k| (s.file.as_str(), k.quote.as_str())),
            );
        }
        out
    }

    /// Each article's sentences, and which of them a quote of the dataset overlaps.
    pub fn coverage(&self, articles: &[Article]) -> Result<Vec<ArticleCoverage>, DatasetError> {
        let quotes = self.quotes();
        articles
            .iter()
            .map(|a| {
                let text = article_text(a)?;
                let mut quoted = vec![false; text.len()];
                for (_, quote) in quotes.iter().filter(|(file, _)| *file == a.file) {
                    for (at, _) in text.match_indices(quote) {
                        quoted[at..at + quote.len()].fill(true);
                    }
                }
                let sentences = sentences(&text)
                    .into_iter()
                    .map(|(from, to)| Sentence {
                        text: text[from..to].to_owned(),
                        covered: quoted[from..to].contains(&true),
                    })
                    .collect();
                Ok(ArticleCoverage {
                    file: a.file.to_owned(),
                    sentences,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_is_covered_when_a_quote_overlaps_it() {
        let toml = r#"
[city]
id = "x"
name = "某市"
name_en = "X"
province = "某省"
province_en = "Y"

[[sources]]
file = "a.txt"
title = "t"

[[sources.contributors]]
name = "王勇"
role = "REPORTER"
role_text = "记者"
quote = "记者 王勇"

[[centers]]
id = "x/c"
name = "某中心"
name_en = "C"

[[centers.citations]]
source = "a.txt"
quote = "某中心有一间阅览室,可供阅读。每天开放"
supports = ["name"]
"#;
        let article = Article {
            file: "a.txt",
            text: "标题\n\n记者 王勇\n某中心有一间阅览室,可供阅读。每天开放到晚上!真好。\n  ——  \n",
            normalisation: None,
        };
        let d = CityDataset::parse(toml).expect("parses");
        let coverage = d.coverage(&[article]).expect("coverage");
        let got: Vec<(&str, bool)> = coverage[0]
            .sentences
            .iter()
            .map(|s| (s.text.as_str(), s.covered))
            .collect();
        assert_eq!(
            got,
            [
                ("标题", false),
                ("记者 王勇", true),
                ("某中心有一间阅览室,可供阅读。", true),
                ("每天开放到晚上!", true),
                ("真好。", false),
            ]
        );
        assert_eq!(coverage[0].covered(), 3);
        assert_eq!(
            coverage[0].uncovered().collect::<Vec<_>>(),
            ["标题", "真好。"]
        );
    }
}
