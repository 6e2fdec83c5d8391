//! Apollo Federation v2: `City`, `ServiceCircle`, `ServiceCenter` and `FunctionRoom` are entities
//! keyed by `id`, so an organisation's gateway can fetch them by id and other subgraphs can extend
//! them. Served only when federation is switched on (`build_schema(…, federation: true)`): the
//! root is then [`FederatedQuery`], which adds `_entities` and `_service` to [`Query`]; otherwise
//! neither field exists.
//!
//! Entities resolve through the request's batcher like every other read, so a gateway's batch
//! of representations costs one statement per database and table. An id that no district holds
//! is `null` for that entity, and a district that fails makes its entities `null` with one
//! `DISTRICT_UNAVAILABLE` error: neither fails the rest of the batch.

use crate::Districts;
use crate::error;
use crate::query::Query;
use crate::types::{City, FunctionRoom, ServiceCenter, ServiceCircle, load};
use async_graphql::{Context, ID, MergedObject, Object};
use std::sync::Arc;
use store::{CenterRow, CircleRow, CityRow, RoomRow, Table};

/// Entry points. Lists that span cities take `cities` (omit it for every city); answers come
/// from each city's district, queried concurrently, merged in the service's city order. A city
/// whose district is unavailable (unreachable, or slower than its timeout) is left out of merged
/// lists and totals, or `null` where it has a place of its own, with one `DISTRICT_UNAVAILABLE`
/// error naming it; the other cities still answer.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct PlainQuery(Query);

/// Entry points. Lists that span cities take `cities` (omit it for every city); answers come
/// from each city's district, queried concurrently, merged in the service's city order. A city
/// whose district is unavailable (unreachable, or slower than its timeout) is left out of merged
/// lists and totals, or `null` where it has a place of its own, with one `DISTRICT_UNAVAILABLE`
/// error naming it; the other cities still answer.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct FederatedQuery(Query, Entities);

/// Entity resolvers, one per entity type, keyed by `id`.
#[derive(Default)]
pub struct Entities;

/// The row of `T` with this id, `None` when no district holds it or its district failed (the
/// failure is reported as an error, once per city).
async fn entity<T: Table + Clone + Send + Sync + 'static>(
    ctx: &Context<'_>,
    id: &str,
) -> Option<T> {
    let districts = ctx.data::<Arc<Districts>>().ok()?;
    districts.index_of_id(id)?;
    match load::<T>(ctx, "id", id).await {
        Ok(rows) => rows.into_iter().next(),
        Err(e) => {
            error::report_error(ctx, e, None);
            None
        }
    }
}

#[Object]
impl Entities {
    #[graphql(entity)]
    async fn find_city_by_id(&self, ctx: &Context<'_>, id: ID) -> Option<City> {
        entity::<CityRow>(ctx, &id).await.map(City)
    }

    #[graphql(entity)]
    async fn find_service_circle_by_id(&self, ctx: &Context<'_>, id: ID) -> Option<ServiceCircle> {
        entity::<CircleRow>(ctx, &id).await.map(ServiceCircle)
    }

    #[graphql(entity)]
    async fn find_service_center_by_id(&self, ctx: &Context<'_>, id: ID) -> Option<ServiceCenter> {
        entity::<CenterRow>(ctx, &id).await.map(ServiceCenter)
    }

    #[graphql(entity)]
    async fn find_function_room_by_id(&self, ctx: &Context<'_>, id: ID) -> Option<FunctionRoom> {
        entity::<RoomRow>(ctx, &id).await.map(FunctionRoom)
    }
}
