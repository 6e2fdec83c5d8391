//! `Query.search`: each district searches its own text index (`store::District::search`,
//! SQLite FTS5 with the trigram tokenizer); the hits are merged in one order across districts:
//! by the best field that matched (a name first, a quote last), then centers, rooms, circles and
//! cities, then city by city in the service's order and in the sources' order within a city.

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
fn hits(city: &str, rows: Vec<SearchRow>) -> Vec<((u8, u8), i64, SearchHit)> {
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
            text: row.text,
        };
        let field_rank = store::field_rank(&row.field);
        match out.last_mut() {
            Some(((best, _), _, hit)) if hit.id.as_str() == row.owner_id => {
                *best = (*best).min(field_rank);
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
            Ok(hits(d.city(), rows)
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
