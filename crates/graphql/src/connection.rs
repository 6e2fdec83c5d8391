//! Relay connections across districts.
//!
//! A list spans the chosen districts in the service's district order, each district's rows in
//! the sources' order. A page asks every district that can still contribute for `first + 1` rows
//! after the cursor, concurrently, and concatenates them in order: the page is exactly the next
//! `first` rows of the union, and walking `after` visits every row once.
//!
//! Cursors are opaque to clients: base64url of `v1|<list>|<city>|<position>|<check>`, where the
//! check is a SHA-256 prefix of the rest. A cursor that does not decode, whose check fails, or
//! that belongs to another list is refused with `INVALID_CURSOR`.

use crate::Districts;
use crate::error::{self, bad_argument, codes};
use crate::types::{FunctionRoom, ServiceCenter};
use async_graphql::{Context, ID, Result, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures::future::try_join_all;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use store::{CenterRow, District, RoomRow, Table};

/// Largest page a client may ask for.
pub const MAX_FIRST: i32 = 100;
/// Page size when `first` is omitted.
pub const DEFAULT_FIRST: i32 = 20;

/// Where a page sits in its list.
#[derive(SimpleObject, Clone, Debug)]
pub struct PageInfo {
    /// Whether more items follow this page.
    pub has_next_page: bool,
    /// Whether items precede this page (true whenever `after` was given).
    pub has_previous_page: bool,
    /// Cursor of the first item of the page, null when the page is empty.
    pub start_cursor: Option<String>,
    /// Cursor of the last item of the page, null when the page is empty.
    pub end_cursor: Option<String>,
}

/// A page before it takes its concrete schema type.
pub(crate) struct PageOf<T> {
    items: Vec<(String, T)>,
    page_info: PageInfo,
    total_count: i64,
}

macro_rules! connection_types {
    ($node:ident, $edge:ident, $connection:ident, $what:literal) => {
        #[doc = concat!("One ", $what, " of a list, with the cursor that points just after it.")]
        #[derive(SimpleObject)]
        pub struct $edge {
            /// Opaque cursor; pass it as `after` to continue after this item.
            pub cursor: String,
            /// The item.
            pub node: $node,
        }

        #[doc = concat!("A page of ", $what, "s, Relay style, with a flat `nodes` list for chart plugins.")]
        #[derive(SimpleObject)]
        pub struct $connection {
            /// The page's items with their cursors.
            pub edges: Vec<$edge>,
            /// The page's items, without cursors.
            pub nodes: Vec<$node>,
            /// Where this page sits in the list.
            pub page_info: PageInfo,
            /// How many items the whole list holds, across every chosen district.
            pub total_count: i64,
        }

        impl From<PageOf<$node>> for $connection {
            fn from(p: PageOf<$node>) -> Self {
                Self {
                    nodes: p.items.iter().map(|(_, n)| n.clone()).collect(),
                    edges: p.items.into_iter().map(|(cursor, node)| $edge { cursor, node }).collect(),
                    page_info: p.page_info,
                    total_count: p.total_count,
                }
            }
        }
    };
}

connection_types!(
    ServiceCenter,
    CenterEdge,
    CenterConnection,
    "service center"
);
connection_types!(FunctionRoom, RoomEdge, RoomConnection, "function room");

/// A row that can be paged: it knows its city and its position in the city's list.
pub(crate) trait Paged: Table + Clone {
    const LIST: &'static str;
    fn city(&self) -> &str;
    fn ord(&self) -> i64;
}

impl Paged for CenterRow {
    const LIST: &'static str = "centers";
    fn city(&self) -> &str {
        &self.city_id
    }
    fn ord(&self) -> i64 {
        self.ord
    }
}

impl Paged for RoomRow {
    const LIST: &'static str = "rooms";
    fn city(&self) -> &str {
        &self.city_id
    }
    fn ord(&self) -> i64 {
        self.ord
    }
}

fn check(body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

fn encode_cursor(list: &str, city: &str, ord: i64) -> String {
    let body = format!("v1|{list}|{city}|{ord}");
    URL_SAFE_NO_PAD.encode(format!("{body}|{}", check(&body)))
}

fn decode_cursor(list: &str, cursor: &str) -> Result<(String, i64)> {
    let invalid = || {
        bad_argument(
            codes::INVALID_CURSOR,
            "after",
            "`after` is not a cursor this service issued for this list",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (body, sum) = text.rsplit_once('|').ok_or_else(invalid)?;
    if check(body) != sum {
        return Err(invalid());
    }
    let mut parts = body.split('|');
    match (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) {
        (Some("v1"), Some(l), Some(city), Some(ord), None) if l == list => {
            Ok((city.to_owned(), ord.parse().map_err(|_| invalid())?))
        }
        _ => Err(invalid()),
    }
}

/// The districts a `cities` argument selects, in the service's order. `None` selects all.
pub(crate) fn select(
    districts: &Districts,
    cities: Option<Vec<ID>>,
    argument: &str,
) -> Result<Vec<usize>> {
    let Some(cities) = cities else {
        return Ok((0..districts.list().len()).collect());
    };
    if cities.is_empty() {
        return Err(bad_argument(
            codes::BAD_ARGUMENT,
            argument,
            format!("`{argument}` is empty; omit it to mean every city"),
        ));
    }
    let mut selected = Vec::new();
    for id in &cities {
        let index = districts.index_of(id).ok_or_else(|| {
            let known: Vec<&str> = districts.list().iter().map(District::city).collect();
            bad_argument(
                codes::UNKNOWN_CITY,
                argument,
                format!(
                    "no district serves city `{}` (known: {})",
                    id.as_str(),
                    known.join(", ")
                ),
            )
        })?;
        if !selected.contains(&index) {
            selected.push(index);
        }
    }
    selected.sort_unstable();
    Ok(selected)
}

pub(crate) fn page_size(first: Option<i32>) -> Result<i64> {
    match first.unwrap_or(DEFAULT_FIRST) {
        n @ 0..=MAX_FIRST => Ok(i64::from(n)),
        n => Err(bad_argument(
            codes::BAD_ARGUMENT,
            "first",
            format!("`first` must be between 0 and {MAX_FIRST}, got {n}"),
        )),
    }
}

async fn connection<R: Paged + Send + Sync, T>(
    ctx: &Context<'_>,
    cities: Option<Vec<ID>>,
    first: Option<i32>,
    after: Option<String>,
    wrap: fn(R) -> T,
) -> Result<PageOf<T>> {
    let districts = ctx.data::<Arc<Districts>>()?;
    let selected = select(districts, cities, "cities")?;
    let first = page_size(first)?;
    let start = match &after {
        Some(cursor) => {
            let (city, ord) = decode_cursor(R::LIST, cursor)?;
            let index = districts
                .index_of(&city)
                .filter(|i| selected.contains(i))
                .ok_or_else(|| {
                    bad_argument(
                        codes::INVALID_CURSOR,
                        "after",
                        "`after` belongs to a city outside this list",
                    )
                })?;
            Some((index, ord))
        }
        None => None,
    };
    // Districts before the cursor's have nothing left to give; the cursor's own district
    // continues after the cursor's position; later districts start from their beginning.
    let sources: Vec<(usize, Option<i64>)> = selected
        .iter()
        .filter_map(|&i| match start {
            Some((si, _)) if i < si => None,
            Some((si, ord)) if i == si => Some((i, Some(ord))),
            _ => Some((i, None)),
        })
        .collect();
    let want_total = ctx.look_ahead().field("totalCount").exists();
    let pages = try_join_all(sources.iter().map(|&(i, after)| {
        let d = &districts.list()[i];
        async move {
            if first == 0 {
                Ok(Vec::new())
            } else {
                d.page::<R>(after, first + 1).await
            }
        }
    }));
    let totals = try_join_all(selected.iter().map(|&i| {
        let d = &districts.list()[i];
        async move {
            if want_total {
                d.count::<R>().await
            } else {
                Ok(0)
            }
        }
    }));
    let (pages, totals) =
        futures::try_join!(pages, totals).map_err(|e| error::district(Arc::new(e)))?;

    let mut rows: Vec<R> = pages
        .into_iter()
        .flatten()
        .take(first as usize + 1)
        .collect();
    let has_next_page = rows.len() as i64 > first;
    rows.truncate(first as usize);
    let items: Vec<(String, T)> = rows
        .into_iter()
        .map(|r| (encode_cursor(R::LIST, r.city(), r.ord()), wrap(r)))
        .collect();
    Ok(PageOf {
        page_info: PageInfo {
            has_next_page,
            has_previous_page: after.is_some(),
            start_cursor: items.first().map(|(c, _)| c.clone()),
            end_cursor: items.last().map(|(c, _)| c.clone()),
        },
        items,
        total_count: totals.iter().sum(),
    })
}

pub(crate) async fn centers(
    ctx: &Context<'_>,
    cities: Option<Vec<ID>>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<CenterConnection> {
    Ok(
        connection::<CenterRow, _>(ctx, cities, first, after, ServiceCenter)
            .await?
            .into(),
    )
}

pub(crate) async fn rooms(
    ctx: &Context<'_>,
    cities: Option<Vec<ID>>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<RoomConnection> {
    Ok(
        connection::<RoomRow, _>(ctx, cities, first, after, FunctionRoom)
            .await?
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_tampering() {
        let c = encode_cursor("rooms", "korla", 7);
        assert_eq!(
            decode_cursor("rooms", &c).ok(),
            Some(("korla".to_owned(), 7))
        );
        assert!(
            decode_cursor("centers", &c).is_err(),
            "a rooms cursor is not a centers cursor"
        );
        let forged = URL_SAFE_NO_PAD.encode("v1|rooms|korla|8|000000000000");
        assert!(decode_cursor("rooms", &forged).is_err());
        assert!(decode_cursor("rooms", "not base64 at all!").is_err());
        assert!(decode_cursor("rooms", "").is_err());
    }
}
