//! Relay connections across districts.
//!
//! Every list is ordered by a sort key and the row id (see `store`'s listing module). A page asks
//! every district that can still contribute for its next `first + 1` rows after the cursor, in
//! the request's next round of reads (one statement per database for every list of the same
//! shape: `batch`), and merges them under the same order: the page is exactly the next `first` rows
//! of the union, and walking `after` visits every matching row once. The default `SOURCE` order
//! runs city by city in the service's order.
//!
//! Cursors are opaque to clients: base64url of a small JSON body (list, a digest of the filter,
//! order and chosen cities, the row's city, sort key and id), a dot, and the first 16 bytes of an
//! HMAC-SHA256 of the body under the service's cursor key. A cursor that does not decode, whose
//! MAC fails, or that was issued for another list, filter, order or set of cities is refused
//! with `INVALID_CURSOR`.

use crate::Districts;
use crate::batch::Batcher;
use crate::error::{self, bad_argument, codes};
use crate::inputs::{CenterFilter, CenterOrder, RoomFilter, RoomOrder};
use crate::types::{FunctionRoom, ServiceCenter};
use async_graphql::{Context, ID, Result, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures::future::join_all;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::cmp::Ordering;
use std::future::Future;
use std::sync::Arc;
use store::{After, CenterRow, District, PagePart, RoomRow, SortValue, StoreError};

/// Largest page a client may ask for.
pub const MAX_FIRST: i32 = 100;
/// Page size when `first` is omitted.
pub const DEFAULT_FIRST: i32 = 20;

/// The secret cursors are signed with. Cursors stay valid across restarts and replicas that
/// share it.
#[derive(Clone)]
pub struct CursorKey(pub Vec<u8>);

impl std::fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorKey(..)")
    }
}

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

/// A row type that lists page through.
pub(crate) trait Listed: Sized + Clone + Send + Sync + 'static {
    const LIST: &'static str;
    type Filter: std::fmt::Debug + Clone + Send + Sync + 'static;
    type Order: std::fmt::Debug + Copy + PartialEq + Send + Sync + 'static;
    /// The order that runs city by city.
    const SOURCE: Self::Order;
    fn city(&self) -> &str;
    fn id(&self) -> &str;
    /// Each part's page, in one statement (`store`'s `rooms_pages`).
    fn pages(
        d: &District,
        parts: &[PagePart],
        filter: &Self::Filter,
        order: Self::Order,
        descending: bool,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<(SortValue, Self)>, StoreError>> + Send;
    /// Each city's count, in one statement.
    fn counts(
        d: &District,
        cities: &[String],
        filter: &Self::Filter,
    ) -> impl Future<Output = Result<Vec<(String, i64)>, StoreError>> + Send;
}

macro_rules! listed {
    ($row:ty, $list:literal, $filter:ty, $order:ty, $pages:ident, $counts:ident) => {
        impl Listed for $row {
            const LIST: &'static str = $list;
            type Filter = $filter;
            type Order = $order;
            const SOURCE: $order = <$order>::Source;
            fn city(&self) -> &str {
                &self.city_id
            }
            fn id(&self) -> &str {
                &self.id
            }
            fn pages(
                d: &District,
                parts: &[PagePart],
                filter: &Self::Filter,
                order: Self::Order,
                descending: bool,
                limit: i64,
            ) -> impl Future<Output = Result<Vec<(SortValue, Self)>, StoreError>> + Send {
                d.$pages(parts, filter, order, descending, limit)
            }
            fn counts(
                d: &District,
                cities: &[String],
                filter: &Self::Filter,
            ) -> impl Future<Output = Result<Vec<(String, i64)>, StoreError>> + Send {
                d.$counts(cities, filter)
            }
        }
    };
}

listed!(
    RoomRow,
    "rooms",
    store::RoomFilter,
    store::RoomOrder,
    rooms_pages,
    rooms_counts
);
listed!(
    CenterRow,
    "centers",
    store::CenterFilter,
    store::CenterOrder,
    centers_pages,
    centers_counts
);

/// What a cursor says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CursorBody {
    /// Format version.
    v: u8,
    /// `rooms` or `centers`.
    list: String,
    /// Digest of the filter and order the cursor was issued under.
    query: String,
    city: String,
    after: After,
}

const CURSOR_VERSION: u8 = 2;

fn mac(key: &CursorKey, body: &[u8]) -> Option<Vec<u8>> {
    let mut m = Hmac::<Sha256>::new_from_slice(&key.0).ok()?;
    m.update(body);
    Some(m.finalize().into_bytes()[..16].to_vec())
}

fn encode_cursor(key: &CursorKey, body: &CursorBody) -> String {
    let json = serde_json::to_vec(body).unwrap_or_default();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(&json),
        URL_SAFE_NO_PAD.encode(mac(key, &json).unwrap_or_default())
    )
}

fn invalid_cursor(message: &str) -> async_graphql::Error {
    bad_argument(codes::INVALID_CURSOR, "after", message.to_owned())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn decode_cursor(key: &CursorKey, list: &str, query: &str, cursor: &str) -> Result<CursorBody> {
    let foreign =
        || invalid_cursor("`after` is not a cursor this service issued, or it was altered");
    let (body, sum) = cursor.split_once('.').ok_or_else(foreign)?;
    let json = URL_SAFE_NO_PAD.decode(body).map_err(|_| foreign())?;
    let sum = URL_SAFE_NO_PAD.decode(sum).map_err(|_| foreign())?;
    match mac(key, &json) {
        Some(expected) if constant_time_eq(&expected, &sum) => {}
        _ => return Err(foreign()),
    }
    let body: CursorBody = serde_json::from_slice(&json).map_err(|_| foreign())?;
    if body.v != CURSOR_VERSION || body.list != list {
        return Err(invalid_cursor(&format!(
            "`after` is a cursor of another list, not of `{list}`"
        )));
    }
    if body.query != query {
        return Err(invalid_cursor(
            "`after` was issued for another filter, order or set of cities; start again without it",
        ));
    }
    Ok(body)
}

/// Digest of what a list is: its filter, order and cities. A cursor only continues the list it
/// came from.
fn query_digest(
    list: &str,
    filter: &impl std::fmt::Debug,
    order: &impl std::fmt::Debug,
    descending: bool,
    cities: &[&str],
) -> String {
    let digest = Sha256::digest(
        format!(
            "{list}|{filter:?}|{order:?}|{descending}|{}",
            cities.join(",")
        )
        .as_bytes(),
    );
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Order of two sort keys: unknown last in both directions.
pub(crate) fn value_order(a: &SortValue, b: &SortValue, descending: bool) -> Ordering {
    match (a, b) {
        (SortValue::Null, SortValue::Null) => Ordering::Equal,
        (SortValue::Null, _) => Ordering::Greater,
        (_, SortValue::Null) => Ordering::Less,
        _ if descending => b.cmp_key(a),
        _ => a.cmp_key(b),
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

/// A list's arguments once checked.
pub(crate) struct ListQuery<R: Listed> {
    pub cities: Option<Vec<ID>>,
    pub filter: R::Filter,
    pub order: R::Order,
    pub descending: bool,
    pub first: Option<i32>,
    pub after: Option<String>,
}

pub(crate) async fn connection<R: Listed, T>(
    ctx: &Context<'_>,
    q: ListQuery<R>,
    wrap: fn(R) -> T,
) -> Result<PageOf<T>> {
    let districts = ctx.data::<Arc<Districts>>()?;
    let key = ctx.data::<CursorKey>()?;
    let selected = select(districts, q.cities, "cities")?;
    let first = page_size(q.first)?;
    let source = q.order == R::SOURCE;
    let city_ids: Vec<&str> = selected
        .iter()
        .map(|&i| districts.list()[i].city())
        .collect();
    let digest = query_digest(R::LIST, &q.filter, &q.order, q.descending, &city_ids);
    let start = match &q.after {
        Some(cursor) => {
            let body = decode_cursor(key, R::LIST, &digest, cursor)?;
            let index = districts.index_of(&body.city).ok_or_else(|| {
                invalid_cursor("`after` belongs to a city this service does not serve")
            })?;
            if source && !selected.contains(&index) {
                return Err(invalid_cursor(
                    "`after` belongs to a city outside this list",
                ));
            }
            Some((index, body.after))
        }
        None => None,
    };
    // The walking order of districts: in SOURCE order, the service's order (reversed when
    // descending), and only from the cursor's district on; in any other order every district
    // continues from the cursor's key, which is global.
    let mut walk = selected.clone();
    if source && q.descending {
        walk.reverse();
    }
    let sources: Vec<(usize, Option<&After>)> = match &start {
        Some((si, after)) if source => {
            let from = walk.iter().position(|i| i == si).unwrap_or(walk.len());
            walk[from..]
                .iter()
                .map(|&i| (i, (i == *si).then_some(after)))
                .collect()
        }
        Some((_, after)) => walk.iter().map(|&i| (i, Some(after))).collect(),
        None => walk.iter().map(|&i| (i, None)).collect(),
    };
    let look = ctx.look_ahead();
    let want_total = look.field("totalCount").exists();
    let batcher = ctx.data::<Arc<Batcher>>()?;
    // A district that fails is left out of the page (and of the total) and reported once as
    // `DISTRICT_UNAVAILABLE`; the other cities' rows still arrive. `first + 1` rows tell
    // whether more follow, `first: 0` included.
    let filter = &q.filter;
    let shape = (filter, q.order, q.descending, first + 1);
    let pages = join_all(sources.iter().map(|&(i, after)| async move {
        batcher
            .page::<R>(i, shape, after.cloned())
            .await
            .map(|rows| rows.into_iter().map(|(k, r)| (i, k, r)).collect::<Vec<_>>())
    }));
    let totals = join_all(selected.iter().map(|&i| async move {
        if want_total {
            batcher.count::<R>(i, filter).await
        } else {
            Ok(0)
        }
    }));
    let (pages, totals) = futures::join!(pages, totals);
    let pages: Vec<_> = pages
        .into_iter()
        .map(|p| p.map_err(|e| error::report(ctx, e, None)).ok())
        .collect();
    let totals: Vec<i64> = totals
        .into_iter()
        .filter_map(|t| t.map_err(|e| error::report(ctx, e, None)).ok())
        .collect();

    let position = |i: usize| walk.iter().position(|&w| w == i).unwrap_or(usize::MAX);
    let mut rows: Vec<(usize, SortValue, R)> = pages.into_iter().flatten().flatten().collect();
    rows.sort_by(|a, b| {
        let by_district = if source {
            position(a.0).cmp(&position(b.0))
        } else {
            Ordering::Equal
        };
        by_district
            .then_with(|| value_order(&a.1, &b.1, q.descending))
            .then_with(|| a.2.id().cmp(b.2.id()))
    });
    let has_next_page = rows.len() as i64 > first;
    rows.truncate(first as usize);
    // A cursor costs an HMAC: sign only the ones the query asks for (every edge's, or the
    // first and last for `pageInfo`).
    let want_edges = look.field("edges").field("cursor").exists();
    let want_ends = look.field("pageInfo").exists();
    let last = rows.len().saturating_sub(1);
    let cursor = |value: &SortValue, row: &R| {
        encode_cursor(
            key,
            &CursorBody {
                v: CURSOR_VERSION,
                list: R::LIST.to_owned(),
                query: digest.clone(),
                city: row.city().to_owned(),
                after: After {
                    value: value.clone(),
                    id: row.id().to_owned(),
                },
            },
        )
    };
    let (mut start_cursor, mut end_cursor) = (None, None);
    let items: Vec<(String, T)> = rows
        .into_iter()
        .enumerate()
        .map(|(n, (_, value, row))| {
            let signed =
                (want_edges || (want_ends && (n == 0 || n == last))).then(|| cursor(&value, &row));
            if want_ends && n == 0 {
                start_cursor = signed.clone();
            }
            if want_ends && n == last {
                end_cursor = signed.clone();
            }
            (signed.unwrap_or_default(), wrap(row))
        })
        .collect();
    Ok(PageOf {
        page_info: PageInfo {
            has_next_page,
            has_previous_page: q.after.is_some(),
            start_cursor,
            end_cursor,
        },
        items,
        total_count: totals.iter().sum(),
    })
}

/// A page of rooms.
pub(crate) async fn rooms(
    ctx: &Context<'_>,
    cities: Option<Vec<ID>>,
    filter: Option<RoomFilter>,
    order_by: Option<RoomOrder>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<RoomConnection> {
    let (order, descending) = order_by.unwrap_or_default().into_store();
    let q = ListQuery::<RoomRow> {
        cities,
        filter: filter.unwrap_or_default().into_store("filter")?,
        order,
        descending,
        first,
        after,
    };
    Ok(connection(ctx, q, FunctionRoom).await?.into())
}

/// A page of service centers.
pub(crate) async fn centers(
    ctx: &Context<'_>,
    cities: Option<Vec<ID>>,
    filter: Option<CenterFilter>,
    order_by: Option<CenterOrder>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<CenterConnection> {
    let (order, descending) = order_by.unwrap_or_default().into_store();
    let q = ListQuery::<CenterRow> {
        cities,
        filter: filter.unwrap_or_default().into_store("filter")?,
        order,
        descending,
        first,
        after,
    };
    Ok(connection(ctx, q, ServiceCenter).await?.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_tampering() {
        let key = CursorKey(b"test key".to_vec());
        let body = CursorBody {
            v: CURSOR_VERSION,
            list: "rooms".into(),
            query: "q1".into(),
            city: "korla".into(),
            after: After {
                value: SortValue::Int(7),
                id: "korla/a".into(),
            },
        };
        let c = encode_cursor(&key, &body);
        assert_eq!(
            decode_cursor(&key, "rooms", "q1", &c).ok(),
            Some(body.clone())
        );
        assert!(
            decode_cursor(&key, "centers", "q1", &c).is_err(),
            "another list"
        );
        assert!(
            decode_cursor(&key, "rooms", "q2", &c).is_err(),
            "another filter"
        );
        let other_key = CursorKey(b"another key".to_vec());
        assert!(
            decode_cursor(&other_key, "rooms", "q1", &c).is_err(),
            "another service"
        );
        // Changing the body without the key is caught by the MAC.
        let (_, sum) = c.split_once('.').unwrap_or_default();
        let mut forged = body;
        forged.after.value = SortValue::Int(8);
        let json = serde_json::to_vec(&forged).unwrap_or_default();
        let forged = format!("{}.{sum}", URL_SAFE_NO_PAD.encode(json));
        assert!(decode_cursor(&key, "rooms", "q1", &forged).is_err());
        assert!(decode_cursor(&key, "rooms", "q1", "not a cursor!").is_err());
        assert!(decode_cursor(&key, "rooms", "q1", "").is_err());
    }

    #[test]
    fn unknown_values_sort_last_both_ways() {
        let (a, n) = (SortValue::Int(1), SortValue::Null);
        assert_eq!(value_order(&a, &n, false), Ordering::Less);
        assert_eq!(value_order(&a, &n, true), Ordering::Less);
        assert_eq!(value_order(&SortValue::Int(2), &a, true), Ordering::Less);
    }
}
