//! The root of the schema: entry points across all districts.

use crate::Districts;
use crate::compare::{self, CategoryBreakdown, CityComparison};
use crate::connection::{self, CenterConnection, RoomConnection};
use crate::error;
use crate::inputs::{CenterFilter, CenterOrder, RoomFilter, RoomOrder};
use crate::search::{self, SearchHit};
use crate::types::{
    About, City, DistrictAbout, FunctionRoom, ServiceCenter, ServiceCircle, Source, load,
    load_by_id,
};
use async_graphql::{Context, ID, Object, Result};
use futures::future::join_all;
use std::sync::Arc;
use store::{CenterRow, CircleRow, CityRow, RoomRow, SourceRow};

/// Entry points. Lists that span cities take `cities` (omit it for every city); answers come
/// from each city's district, queried concurrently, merged in the service's city order.
#[derive(Default)]
pub struct Query;

/// Entry points. Lists that span cities take `cities` (omit it for every city); answers come
/// from each city's district, queried concurrently, merged in the service's city order. A city
/// whose district is unavailable (unreachable, or slower than its timeout) is left out of merged
/// lists and totals, or `null` where it has a place of its own, with one `DISTRICT_UNAVAILABLE`
/// error naming it; the other cities still answer.
///
/// The schema's `Query` type is `federation::PlainQuery` or `federation::FederatedQuery`, which
/// merge these fields under the name `Query`.
#[Object(name = "QueryFields")]
impl Query {
    /// Every city the service federates, in the service's order. A city whose district is
    /// unavailable is `null`, with a `DISTRICT_UNAVAILABLE` error naming it.
    async fn cities(&self, ctx: &Context<'_>) -> Result<Vec<Option<City>>> {
        let districts = ctx.data::<Arc<Districts>>()?;
        let rows = join_all(
            districts
                .list()
                .iter()
                .map(|d| load_by_id::<CityRow>(ctx, d.city())),
        )
        .await;
        Ok(rows
            .into_iter()
            .enumerate()
            .map(|(i, row)| match row {
                Ok(row) => row.map(City),
                Err(e) => {
                    error::report_error(ctx, e, Some(i));
                    None
                }
            })
            .collect())
    }

    /// One city by id (`korla`, `taiyuan`, `suzhou`, `jinshan`); an unknown id is an
    /// `UNKNOWN_CITY` error.
    async fn city(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "City id.")] id: ID,
    ) -> Result<Option<City>> {
        let districts = ctx.data::<Arc<Districts>>()?;
        connection::select(districts, Some(vec![id.clone()]), "id")?;
        Ok(one::<CityRow>(ctx, &id).await.map(City))
    }

    /// What this service is, and what each district holds now: its backend, whether it
    /// answers, and the version of its city's dataset. Each district is asked afresh.
    async fn about(&self, ctx: &Context<'_>) -> Result<About> {
        let districts = ctx.data::<Arc<Districts>>()?;
        let list = join_all(districts.list().iter().map(|d| async move {
            let health = d.health().await;
            DistrictAbout {
                city: ID(d.city().to_owned()),
                backend: health.backend.as_str().to_owned(),
                up: health.version.is_ok(),
                dataset_version: health.version.ok().flatten(),
                synthetic: model::synth::is_synthetic(d.city()),
            }
        }))
        .await;
        Ok(About {
            service: "dangqun".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            districts: list,
        })
    }

    /// Every source article, city by city. A city whose district is unavailable is left out,
    /// with a `DISTRICT_UNAVAILABLE` error naming it.
    async fn sources(&self, ctx: &Context<'_>) -> Result<Vec<Source>> {
        let districts = ctx.data::<Arc<Districts>>()?;
        let lists = join_all(
            districts
                .list()
                .iter()
                .map(|d| load::<SourceRow>(ctx, "city_id", d.city())),
        )
        .await;
        Ok(lists
            .into_iter()
            .filter_map(|list| list.map_err(|e| error::report_error(ctx, e, None)).ok())
            .flatten()
            .map(Source)
            .collect())
    }

    /// Service centers across the chosen cities, filtered and ordered; pages are exact across
    /// districts (a page ordered by floor area is the true top of the union).
    async fn centers(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "City ids; omit for every city. An empty list or an unknown id is an error."
        )]
        cities: Option<Vec<ID>>,
        #[graphql(desc = "Conditions every center must meet; omit for all.")] filter: Option<
            CenterFilter,
        >,
        #[graphql(desc = "Order; the sources' order, city by city, when omitted.")]
        order_by: Option<CenterOrder>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page, from the same list.")]
        after: Option<String>,
    ) -> Result<CenterConnection> {
        connection::centers(ctx, cities, filter, order_by, first, after).await
    }

    /// Function rooms across the chosen cities, filtered and ordered; pages are exact across
    /// districts (a page ordered by capacity is the true top of the union).
    async fn rooms(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "City ids; omit for every city. An empty list or an unknown id is an error."
        )]
        cities: Option<Vec<ID>>,
        #[graphql(desc = "Conditions every room must meet; omit for all.")] filter: Option<
            RoomFilter,
        >,
        #[graphql(desc = "Order; the sources' order, city by city, when omitted.")]
        order_by: Option<RoomOrder>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page, from the same list.")]
        after: Option<String>,
    ) -> Result<RoomConnection> {
        connection::rooms(ctx, cities, filter, order_by, first, after).await
    }

    /// One service center by id; null when no district holds it.
    async fn center(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Center id (`korla/kongque`).")] id: ID,
    ) -> Result<Option<ServiceCenter>> {
        Ok(one::<CenterRow>(ctx, &id).await.map(ServiceCenter))
    }

    /// One function room by id; null when no district holds it.
    async fn room(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Room id.")] id: ID,
    ) -> Result<Option<FunctionRoom>> {
        Ok(one::<RoomRow>(ctx, &id).await.map(FunctionRoom))
    }

    /// One service circle by id; null when no district holds it.
    async fn service_circle(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Circle id.")] id: ID,
    ) -> Result<Option<ServiceCircle>> {
        Ok(one::<CircleRow>(ctx, &id).await.map(ServiceCircle))
    }

    /// Several cities side by side: one row per city, every figure computed by SQL in the
    /// city's district, the districts queried concurrently. Missing facts are counted, never
    /// guessed.
    async fn compare(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "City ids, in any order (rows follow the service's order); omit for every city."
        )]
        cities: Option<Vec<ID>>,
    ) -> Result<Vec<CityComparison>> {
        compare::compare(ctx, cities).await
    }

    /// Rooms and capacity per city and category as a flat list of rows, the shape chart
    /// plugins consume directly.
    async fn room_category_breakdown(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "City ids; omit for every city.")] cities: Option<Vec<ID>>,
        #[graphql(
            default,
            desc = "Also list categories a city has no room of, with zero rooms (a full matrix)."
        )]
        include_empty: bool,
    ) -> Result<Vec<CategoryBreakdown>> {
        compare::breakdown(ctx, cities, include_empty).await
    }

    /// Records whose names, addresses, room uses, equipment, circle lists or citation quotes
    /// contain `text` (a substring: 法律 finds 法律援助、矛盾纠纷调解综合服务室; Latin letters
    /// ignore case), through each district's text index. Hits are ordered by the best field
    /// that matched (name, use, equipment, address, a circle's list, quote), then centers,
    /// rooms, circles and cities, then city by city in the sources' order.
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Text to find, 1 to 100 characters.")] text: String,
        #[graphql(desc = "City ids; omit for every city.")] cities: Option<Vec<ID>>,
        #[graphql(desc = "Most hits to return, 0 to 100 (default 20).")] first: Option<i32>,
    ) -> Result<Vec<SearchHit>> {
        search::search(ctx, text, cities, first).await
    }
}

/// One record by id: `None` when no district holds it, and `None` with the district's error
/// reported when the district that would hold it cannot answer. (A failed field would be left
/// out of the answer by async-graphql, and `data` would be null when it is the only one.)
async fn one<T: store::Table + Clone + Send + Sync + 'static>(
    ctx: &Context<'_>,
    id: &str,
) -> Option<T> {
    load_by_id::<T>(ctx, id).await.unwrap_or_else(|e| {
        error::report_error(ctx, e, None);
        None
    })
}
