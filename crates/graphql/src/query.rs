//! The root of the schema: entry points across all districts.

use crate::Districts;
use crate::connection::{self, CenterConnection, RoomConnection};
use crate::types::{City, FunctionRoom, ServiceCenter, ServiceCircle, Source, load, load_by_id};
use async_graphql::{Context, ID, Object, Result};
use futures::future::try_join_all;
use std::sync::Arc;
use store::{CenterRow, CircleRow, CityRow, RoomRow, SourceRow};

/// Entry points. Lists that span cities take `cities` (omit it for every city); answers come
/// from each city's district, queried concurrently, merged in the service's city order.
#[derive(Default)]
pub struct Query;

/// Entry points. Lists that span cities take `cities` (omit it for every city); answers come
/// from each city's district, queried concurrently, merged in the service's city order.
#[Object]
impl Query {
    /// Every city the service federates, in the service's order.
    async fn cities(&self, ctx: &Context<'_>) -> Result<Vec<City>> {
        let districts = ctx.data::<Arc<Districts>>()?;
        let rows = try_join_all(
            districts
                .list()
                .iter()
                .map(|d| load_by_id::<CityRow>(ctx, d.city())),
        )
        .await?;
        Ok(rows.into_iter().flatten().map(City).collect())
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
        Ok(load_by_id::<CityRow>(ctx, &id).await?.map(City))
    }

    /// Every source article, city by city.
    async fn sources(&self, ctx: &Context<'_>) -> Result<Vec<Source>> {
        let districts = ctx.data::<Arc<Districts>>()?;
        let lists = try_join_all(
            districts
                .list()
                .iter()
                .map(|d| load::<SourceRow>(ctx, "city_id", d.city())),
        )
        .await?;
        Ok(lists.into_iter().flatten().map(Source).collect())
    }

    /// Service centers across the chosen cities, city by city in the sources' order.
    async fn centers(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "City ids; omit for every city. An empty list or an unknown id is an error."
        )]
        cities: Option<Vec<ID>>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
    ) -> Result<CenterConnection> {
        connection::centers(ctx, cities, first, after).await
    }

    /// Function rooms across the chosen cities, city by city in the sources' order.
    async fn rooms(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "City ids; omit for every city. An empty list or an unknown id is an error."
        )]
        cities: Option<Vec<ID>>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page.")] after: Option<String>,
    ) -> Result<RoomConnection> {
        connection::rooms(ctx, cities, first, after).await
    }

    /// One service center by id; null when no district holds it.
    async fn center(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Center id (`korla/kongque`).")] id: ID,
    ) -> Result<Option<ServiceCenter>> {
        Ok(load_by_id::<CenterRow>(ctx, &id).await?.map(ServiceCenter))
    }

    /// One function room by id; null when no district holds it.
    async fn room(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Room id.")] id: ID,
    ) -> Result<Option<FunctionRoom>> {
        Ok(load_by_id::<RoomRow>(ctx, &id).await?.map(FunctionRoom))
    }

    /// One service circle by id; null when no district holds it.
    async fn service_circle(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Circle id.")] id: ID,
    ) -> Result<Option<ServiceCircle>> {
        Ok(load_by_id::<CircleRow>(ctx, &id).await?.map(ServiceCircle))
    }
}
