//! `Query.search`: each district searches its own text index (`store::District::search`,
//! SQLite FTS5 with the trigram tokenizer, pg_trgm on PostgreSQL); the hits are merged in one
//! order across districts: by the best field that matched (a name first, a category, uses,
//! equipment and its tags, addresses, a circle's lists, a record's own quotes, and last the
//! quotes it shares with other records; `score` says which), then centers, rooms, circles and
//! cities, then city by city in the service's order and in the sources' order within a city.
//! Room categories and equipment tags are indexed by their Chinese and English labels.

use crate::Districts;
use crate::connection::{page_size, select};
use crate::enums::{self, SearchField, SearchKind};
use crate::error::{bad_argument, codes};
use crate::types::{City, FunctionRoom, ServiceCenter, ServiceCircle, load_by_id};
use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject, Union};
use std::sync::Arc;
use store::{CenterRow, CircleRow, CityRow, RoomRow, SearchRow};

/// Longest search text, in characters.
pub const MAX_SEARCH_CHARS: usize = 100;

/// The record a search hit leads to.
#[derive(Union)]
pub enum SearchNode {
    /// A service center.
    Center(ServiceCenter),
    /// A function room.
    Room(FunctionRoom),
    /// A service circle.
    Circle(ServiceCircle),
    /// A city, through its city-wide figures' quotes or its name.
    City(City),
}

/// One text of a record that contains the search text.
#[derive(SimpleObject, Clone, Debug)]
pub struct SearchMatch {
    /// Which field it is.
    pub field: SearchField,
    /// The whole text, as stored (the source's words for Chinese fields).
    pub text: String,
    /// Where in it the search text is: up to 20 characters either side, the match apart.
    pub snippet: Snippet,
}

/// A match in its context: `before`, the matched text as stored, `after`; "…" marks a cut.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    /// Up to 20 characters before the match, "…" first when the text goes on before them.
    pub before: String,
    /// The text matched, as stored (its case, its characters).
    #[graphql(name = "match")]
    pub matched: String,
    /// Up to 20 characters after the match, "…" last when the text goes on after them.
    pub after: String,
}

/// Characters of context either side of a match.
const CONTEXT: usize = 20;

impl Snippet {
    /// The first place `text` holds `query` (Latin letters in any case), with its context.
    fn of(text: &str, query: &str) -> Self {
        let lower = text.to_ascii_lowercase();
        let Some(at) = lower.find(&query.to_ascii_lowercase()) else {
            // The index matched what this cannot place (a case PostgreSQL folds beyond ASCII):
            // the text's start.
            return Self {
                before: String::new(),
                matched: String::new(),
                after: text.chars().take(2 * CONTEXT).collect(),
            };
        };
        let end = at + query.len();
        let before: Vec<char> = text[..at].chars().collect();
        let after: Vec<char> = text[end..].chars().collect();
        let mut b: String = before[before.len().saturating_sub(CONTEXT)..]
            .iter()
            .collect();
        if before.len() > CONTEXT {
            b.insert(0, '…');
        }
        let mut a: String = after.iter().take(CONTEXT).collect();
        if after.len() > CONTEXT {
            a.push('…');
        }
        Self {
            before: b,
            matched: text[at..end].to_owned(),
            after: a,
        }
    }
}

/// A record whose texts contain the search text.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct SearchHit {
    /// What kind of record it is.
    pub kind: SearchKind,
    /// The record's id.
    pub id: ID,
    /// The id of the record's city.
    pub city_id: ID,
    /// Every matching text of the record, in field order.
    pub matches: Vec<SearchMatch>,
    /// How much the best match says about the record, 0 to 1: 1.0 its name, 0.9 its category,
    /// 0.8 a use, 0.75 an equipment item, 0.7 an equipment tag, 0.6 its address, 0.5 a name a
    /// circle lists, 0.4 a quote only it cites, 0.2 a quote it shares with other records. Hits
    /// come in this order.
    pub score: f64,
    /// True when the record itself matched (a field of its own, or a quote only it cites);
    /// false when only sentences it shares with other records did (one sentence naming
    /// several rooms): such hits rank last.
    pub direct: bool,
}

#[ComplexObject]
impl SearchHit {
    /// The record itself.
    async fn node(&self, ctx: &Context<'_>) -> Result<Option<SearchNode>> {
        let id = self.id.as_str();
        Ok(match self.kind {
            SearchKind::Center => load_by_id::<CenterRow>(ctx, id)
                .await?
                .map(|r| SearchNode::Center(ServiceCenter(r))),
            SearchKind::Room => load_by_id::<RoomRow>(ctx, id)
                .await?
                .map(|r| SearchNode::Room(FunctionRoom(r))),
            SearchKind::Circle => load_by_id::<CircleRow>(ctx, id)
                .await?
                .map(|r| SearchNode::Circle(ServiceCircle(r))),
            SearchKind::City => load_by_id::<CityRow>(ctx, id)
                .await?
                .map(|r| SearchNode::City(City(r))),
        })
    }
}

/// Groups a district's rows into hits, each with its ranks (best field, kind) and position.
fn hits(city: &str, query: &str, rows: Vec<SearchRow>) -> Vec<((u8, u8), i64, SearchHit)> {
    let mut out: Vec<((u8, u8), i64, SearchHit)> = Vec::new();
    for row in rows {
        let (Some(kind), Some(field)) = (
            enums::from_code::<SearchKind>(&row.kind),
            enums::from_code::<SearchField>(&row.field),
        ) else {
            tracing::error!(kind = row.kind, field = row.field, "unknown search code");
            continue;
        };
        let m = SearchMatch {
            field,
            snippet: Snippet::of(&row.text, query),
            text: row.text,
        };
        let field_rank = store::field_rank(&row.field);
        let score = store::field_score(&row.field);
        let direct = row.field != "SHARED_QUOTE";
        match out.last_mut() {
            Some(((best, _), _, hit)) if hit.id.as_str() == row.owner_id => {
                *best = (*best).min(field_rank);
                hit.score = hit.score.max(score);
                hit.direct |= direct;
                hit.matches.push(m);
            }
            _ => out.push((
                (field_rank, store::kind_rank(&row.kind)),
                row.owner_ord,
                SearchHit {
                    kind,
                    id: ID(row.owner_id),
                    city_id: ID(city.to_owned()),
                    matches: vec![m],
                    score,
                    direct,
                },
            )),
        }
    }
    out
}

pub(crate) async fn search(
    ctx: &Context<'_>,
    text: String,
    cities: Option<Vec<ID>>,
    first: Option<i32>,
) -> Result<Vec<SearchHit>> {
    let districts = ctx.data::<Arc<Districts>>()?;
    let text = text.trim().to_owned();
    if text.is_empty() || text.chars().count() > MAX_SEARCH_CHARS {
        return Err(bad_argument(
            codes::BAD_ARGUMENT,
            "text",
            format!("`text` must hold 1 to {MAX_SEARCH_CHARS} characters besides spaces"),
        ));
    }
    let selected = select(districts, cities, "cities")?;
    let first = page_size(first)?;
    let text = &text;
    let order = &selected;
    let found = districts
        .fan_out(ctx, &selected, |i, d| async move {
            if first == 0 {
                return Ok(Vec::new());
            }
            let position = order.iter().position(|&s| s == i).unwrap_or(usize::MAX);
            let rows = d.search(text, first).await?;
            Ok(hits(d.city(), text, rows)
                .into_iter()
                .map(|((field, kind), ord, hit)| ((field, kind, position, ord), hit))
                .collect::<Vec<_>>())
        })
        .await;
    let mut all: Vec<_> = found.into_iter().flatten().flatten().collect();
    all.sort_by_key(|(key, _)| *key);
    Ok(all
        .into_iter()
        .take(first as usize)
        .map(|(_, hit)| hit)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::Snippet;

    #[test]
    fn a_snippet_marks_the_match_in_its_context() {
        let s = Snippet::of("Law clinic", "law");
        assert_eq!(
            (s.before.as_str(), s.matched.as_str(), s.after.as_str()),
            ("", "Law", " clinic")
        );
        let long = "一二三四五六七八九十一二三四五六七八九十一二三法律援助室四五六七八九十一二三四五六七八九十一二三";
        let s = Snippet::of(long, "法律");
        assert_eq!(
            (s.before.as_str(), s.matched.as_str(), s.after.as_str()),
            (
                "…四五六七八九十一二三四五六七八九十一二三",
                "法律",
                "援助室四五六七八九十一二三四五六七八九十…"
            )
        );
    }
}
