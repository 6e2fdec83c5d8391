//! The floor: each benchmark query answered by one hand-written PostgreSQL statement that builds
//! the whole JSON answer (`json_agg`), behind a plain axum handler. No GraphQL layer: what is
//! left is the database and the HTTP server, the least any GraphQL service over the same data
//! can cost.

use axum::Router;
use axum::extract::{Query as UrlQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use sqlx::PgPool;
use std::sync::Arc;

#[derive(Clone)]
struct Floor {
    pool: PgPool,
    /// City ids in the order dangqun serves them.
    cities: Arc<Vec<String>>,
}

const DEEP: &str = r#"
SELECT json_build_object('data', json_build_object('cities', coalesce(json_agg(x.j ORDER BY x.pos), '[]')))::text
FROM (
  SELECT c.pos, json_build_object('id', ci.id, 'name', ci.name, 'centers', json_build_object('nodes', (
    SELECT coalesce(json_agg(json_build_object('id', ce.id, 'name', ce.name, 'rooms', (
      SELECT coalesce(json_agg(json_build_object('id', r.id, 'name', r.name, 'equipment', (
        SELECT coalesce(json_agg(json_build_object('name', e.name, 'tag', e.tag) ORDER BY e.ord), '[]')
        FROM room_equipment e WHERE e.room_id = r.id
      )) ORDER BY r.ord, r.id), '[]')
      FROM rooms r WHERE r.center_id = ce.id
    )) ORDER BY ce.ord, ce.id), '[]')
    FROM (SELECT * FROM centers WHERE city_id = ci.id ORDER BY ord, id COLLATE "C" LIMIT 100) ce
  ))) AS j
  FROM unnest($1::text[]) WITH ORDINALITY AS c(id, pos) JOIN cities ci ON ci.id = c.id
) x"#;

const FLAT: &str = r#"
SELECT json_build_object('data', json_build_object('rooms', json_build_object('nodes', coalesce(json_agg(json_build_object(
  'id', r.id, 'name', r.name, 'capacity', json_build_object('min', r.capacity_min, 'max', r.capacity_max),
  'center', json_build_object('name', ce.name)) ORDER BY r.k DESC, r.id COLLATE "C"), '[]'))))::text
FROM (
  SELECT *, COALESCE(capacity_max, capacity_min) AS k FROM rooms
  WHERE category IN ('CULTURE_ARTS', 'MULTIPURPOSE') AND COALESCE(capacity_max, capacity_min) >= 20
  ORDER BY COALESCE(capacity_max, capacity_min) DESC, id COLLATE "C" LIMIT 50
) r JOIN centers ce ON ce.id = r.center_id"#;

const COMPARE: &str = r#"
SELECT json_build_object('data', json_build_object('compare', coalesce(json_agg(x.j ORDER BY x.pos), '[]')))::text
FROM (
  SELECT c.pos, json_build_object(
    'cityId', c.id,
    'centers', (SELECT count(*) FROM centers WHERE city_id = c.id),
    'rooms', (SELECT count(*) FROM rooms WHERE city_id = c.id),
    'floorArea', (SELECT json_build_object(
        'total', CASE WHEN count(floor_area_value) = 0 THEN NULL ELSE json_build_object('value', sum(floor_area_value)) END,
        'missing', count(*) - count(floor_area_value))
      FROM centers WHERE city_id = c.id),
    'categories', (SELECT coalesce(json_agg(json_build_object('category', g.category, 'rooms', g.n) ORDER BY g.category), '[]')
      FROM (SELECT category, count(*) AS n FROM rooms WHERE city_id = c.id GROUP BY category) g)
  ) AS j
  FROM unnest($1::text[]) WITH ORDINALITY AS c(id, pos)
) x"#;

const ROOM: &str = r#"
SELECT json_build_object('data', json_build_object('room', (
  SELECT json_build_object('id', r.id, 'name', r.name,
    'capacity', CASE WHEN r.capacity_min IS NULL AND r.capacity_max IS NULL THEN NULL
                ELSE json_build_object('min', r.capacity_min, 'max', r.capacity_max) END,
    'center', json_build_object('name', ce.name))
  FROM rooms r JOIN centers ce ON ce.id = r.center_id WHERE r.id = $1)))::text"#;

#[derive(Deserialize)]
struct RoomId {
    id: String,
}

/// The floor's router over `pool`; `cities` in dangqun's order.
pub fn app(pool: PgPool, cities: Vec<String>) -> Router {
    Router::new()
        .route("/deep", get(deep))
        .route("/flat", get(flat))
        .route("/compare", get(compare))
        .route("/room", get(room))
        .with_state(Floor {
            pool,
            cities: Arc::new(cities),
        })
}

fn json(body: Result<String, sqlx::Error>) -> Response {
    match body {
        Ok(text) => ([(header::CONTENT_TYPE, "application/json")], text).into_response(),
        Err(e) => {
            eprintln!("floor: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "{\"errors\":[{}]}").into_response()
        }
    }
}

/// A statement whose one parameter is the city ids, in dangqun's order.
async fn of_cities(f: &Floor, statement: &'static str) -> Response {
    json(
        sqlx::query_scalar(statement)
            .bind(f.cities.as_slice())
            .fetch_one(&f.pool)
            .await,
    )
}

async fn deep(State(f): State<Floor>) -> Response {
    of_cities(&f, DEEP).await
}

async fn flat(State(f): State<Floor>) -> Response {
    json(sqlx::query_scalar(FLAT).fetch_one(&f.pool).await)
}

async fn compare(State(f): State<Floor>) -> Response {
    of_cities(&f, COMPARE).await
}

async fn room(State(f): State<Floor>, UrlQuery(q): UrlQuery<RoomId>) -> Response {
    json(sqlx::query_scalar(ROOM).bind(q.id).fetch_one(&f.pool).await)
}
