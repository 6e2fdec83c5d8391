//! Importing a city's dataset: the whole city is replaced in one transaction, so a district holds
//! either the old version or the new one, never a mixture.
//!
//! The import is first turned into a plan (every row of every table, as values); the plan's
//! SHA-256 is the district's version stamp. A district whose stamp equals the plan's is already up
//! to date, so re-imports are idempotent and a changed equipment rule in `model` (which changes
//! the rows) is noticed even when the data file did not change.

use crate::sql::Val;
use crate::{District, StoreError};
use model::{Citation, CityDataset, EquipmentTag, Indicator, Quantity};
use sha2::{Digest, Sha256};
use sqlx::{Sqlite, Transaction};

/// Rows for one table.
struct TableRows {
    table: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Val>>,
}

/// Every row of one city, in insertion order (parents before children).
struct Plan {
    tables: Vec<TableRows>,
}

impl Plan {
    fn table(&mut self, table: &'static str, columns: &'static [&'static str]) -> usize {
        self.tables.push(TableRows {
            table,
            columns,
            rows: Vec::new(),
        });
        self.tables.len() - 1
    }

    fn push(&mut self, t: usize, row: Vec<Val>) {
        debug_assert_eq!(
            row.len(),
            self.tables[t].columns.len(),
            "{}",
            self.tables[t].table
        );
        self.tables[t].rows.push(row);
    }

    fn hash(&self) -> String {
        let mut h = Sha256::new();
        for t in &self.tables {
            h.update(t.table.as_bytes());
            h.update(t.columns.join(",").as_bytes());
            for row in &t.rows {
                for v in row {
                    // Tagged, length-prefixed: no two different plans hash the same input.
                    let bytes = match v {
                        Val::Text(s) => format!("t{:?}", s),
                        Val::Int(i) => format!("i{:?}", i),
                        Val::Real(f) => format!("r{:?}", f.map(f64::to_bits)),
                        Val::Bool(b) => format!("b{b}"),
                    };
                    h.update((bytes.len() as u64).to_le_bytes());
                    h.update(bytes.as_bytes());
                }
            }
        }
        format!("{:x}", h.finalize())
    }
}

fn q(q: Option<&Quantity>) -> [Val; 3] {
    [
        Val::Real(q.map(|q| q.value)),
        Val::Text(q.map(|q| q.qualifier.as_str().to_owned())),
        Val::Text(q.map(|q| q.unit.clone())),
    ]
}

fn ord(i: usize) -> Val {
    Val::Int(Some(i as i64))
}

fn build_plan(d: &CityDataset) -> Plan {
    let city = d.city.id.as_str();
    let source_id = |file: &str| format!("{city}/{file}");
    let mut p = Plan { tables: Vec::new() };
    let cities = p.table(
        "cities",
        &[
            "id",
            "city_id",
            "name",
            "name_en",
            "province",
            "province_en",
            "area",
            "area_en",
        ],
    );
    let sources = p.table(
        "sources",
        &[
            "id",
            "city_id",
            "ord",
            "file",
            "title",
            "title_en",
            "publisher",
            "published_at",
            "note",
        ],
    );
    let circles = p.table(
        "circles",
        &[
            "id",
            "city_id",
            "ord",
            "name",
            "name_en",
            "walking_minutes",
            "population_value",
            "population_qualifier",
            "population_unit",
            "note",
        ],
    );
    let circle_counts = p.table(
        "circle_counts",
        &["circle_id", "city_id", "kind", "value", "qualifier", "unit"],
    );
    let circle_names = p.table(
        "circle_names",
        &["circle_id", "city_id", "kind", "ord", "name"],
    );
    let centers = p.table(
        "centers",
        &[
            "id",
            "city_id",
            "ord",
            "circle_id",
            "name",
            "name_en",
            "address",
            "address_en",
            "floor_area_value",
            "floor_area_qualifier",
            "floor_area_unit",
            "transit",
            "transit_en",
            "note",
        ],
    );
    let hours = p.table(
        "opening_hours",
        &[
            "center_id",
            "city_id",
            "ord",
            "season",
            "days",
            "opens",
            "closes",
            "open_24h",
        ],
    );
    let contacts = p.table(
        "contacts",
        &["center_id", "city_id", "ord", "name", "phone"],
    );
    let items = p.table(
        "center_service_items",
        &["center_id", "city_id", "ord", "item"],
    );
    let rooms = p.table(
        "rooms",
        &[
            "id",
            "city_id",
            "ord",
            "center_id",
            "name",
            "name_en",
            "category",
            "description",
            "capacity_min",
            "capacity_max",
            "address",
            "floor",
            "outdoor",
            "open_24h",
            "note",
        ],
    );
    let equipment = p.table(
        "room_equipment",
        &["room_id", "city_id", "ord", "name", "tag"],
    );
    let uses = p.table("room_uses", &["room_id", "city_id", "ord", "use_text"]);
    let events = p.table(
        "room_events",
        &[
            "id",
            "room_id",
            "city_id",
            "ord",
            "name",
            "name_en",
            "schedule",
            "season",
            "weekday",
            "starts_at",
        ],
    );
    let indicators = p.table(
        "indicators",
        &[
            "id",
            "owner_id",
            "city_id",
            "ord",
            "key",
            "name",
            "name_en",
            "value",
            "qualifier",
            "unit",
            "text",
        ],
    );
    let citations = p.table(
        "citations",
        &[
            "owner_id",
            "city_id",
            "ord",
            "source_id",
            "quote",
            "supports",
        ],
    );

    let cite = |p: &mut Plan, owner: &str, list: &[Citation]| {
        for (i, c) in list.iter().enumerate() {
            p.push(
                citations,
                vec![
                    owner.into(),
                    city.into(),
                    ord(i),
                    source_id(&c.source).into(),
                    (&c.quote).into(),
                    c.supports.join(",").as_str().into(),
                ],
            );
        }
    };
    let indicate = |p: &mut Plan, owner: &str, list: &[Indicator]| {
        for (i, ind) in list.iter().enumerate() {
            let id = format!("{owner}#{}", ind.key);
            let [v, ql, u] = q(ind.quantity.as_ref());
            p.push(
                indicators,
                vec![
                    (&id).into(),
                    owner.into(),
                    city.into(),
                    ord(i),
                    (&ind.key).into(),
                    (&ind.name).into(),
                    (&ind.name_en).into(),
                    v,
                    ql,
                    u,
                    ind.text.as_ref().into(),
                ],
            );
            cite(p, &id, &ind.citations);
        }
    };

    let c = &d.city;
    p.push(
        cities,
        vec![
            (&c.id).into(),
            city.into(),
            (&c.name).into(),
            (&c.name_en).into(),
            (&c.province).into(),
            (&c.province_en).into(),
            c.area.as_ref().into(),
            c.area_en.as_ref().into(),
        ],
    );
    for (i, s) in d.sources.iter().enumerate() {
        p.push(
            sources,
            vec![
                source_id(&s.file).into(),
                city.into(),
                ord(i),
                (&s.file).into(),
                (&s.title).into(),
                s.title_en.as_ref().into(),
                s.publisher.as_ref().into(),
                s.published_at.as_ref().into(),
                s.note.as_ref().into(),
            ],
        );
    }
    indicate(&mut p, city, &d.indicators);

    for (i, c) in d.circles.iter().enumerate() {
        let [pv, pq, pu] = q(c.population.as_ref());
        p.push(
            circles,
            vec![
                (&c.id).into(),
                city.into(),
                ord(i),
                (&c.name).into(),
                (&c.name_en).into(),
                Val::Int(c.walking_minutes.map(i64::from)),
                pv,
                pq,
                pu,
                c.note.as_ref().into(),
            ],
        );
        for (kind, list) in [
            ("communities", &c.communities),
            ("residential_areas", &c.residential_areas),
            ("villages", &c.villages),
            ("service_items", &c.service_items),
            ("service_categories", &c.service_categories),
        ] {
            if let Some(count) = &list.count {
                let [v, ql, u] = q(Some(count));
                p.push(
                    circle_counts,
                    vec![(&c.id).into(), city.into(), kind.into(), v, ql, u],
                );
            }
            for (j, name) in list.names.iter().enumerate() {
                p.push(
                    circle_names,
                    vec![
                        (&c.id).into(),
                        city.into(),
                        kind.into(),
                        ord(j),
                        name.into(),
                    ],
                );
            }
        }
        indicate(&mut p, &c.id, &c.indicators);
        cite(&mut p, &c.id, &c.citations);
    }

    for (i, c) in d.centers.iter().enumerate() {
        let [av, aq, au] = q(c.floor_area.as_ref());
        p.push(
            centers,
            vec![
                (&c.id).into(),
                city.into(),
                ord(i),
                c.circle.as_ref().into(),
                (&c.name).into(),
                (&c.name_en).into(),
                c.address.as_ref().into(),
                c.address_en.as_ref().into(),
                av,
                aq,
                au,
                c.transit.as_ref().into(),
                c.transit_en.as_ref().into(),
                c.note.as_ref().into(),
            ],
        );
        for (j, h) in c.opening_hours.iter().enumerate() {
            let days = h.days.as_ref().map(|days| {
                days.iter()
                    .map(|d| d.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            });
            p.push(
                hours,
                vec![
                    (&c.id).into(),
                    city.into(),
                    ord(j),
                    h.season.as_str().into(),
                    days.into(),
                    Val::Int(h.opens.map(|t| i64::from(t.minutes()))),
                    Val::Int(h.closes.map(|t| i64::from(t.minutes()))),
                    h.open_24h.into(),
                ],
            );
        }
        for (j, k) in c.contacts.iter().enumerate() {
            p.push(
                contacts,
                vec![
                    (&c.id).into(),
                    city.into(),
                    ord(j),
                    k.name.as_ref().into(),
                    k.phone.as_ref().into(),
                ],
            );
        }
        for (j, item) in c.service_items.iter().enumerate() {
            p.push(
                items,
                vec![(&c.id).into(), city.into(), ord(j), item.into()],
            );
        }
        indicate(&mut p, &c.id, &c.indicators);
        cite(&mut p, &c.id, &c.citations);
    }

    for (i, r) in d.rooms.iter().enumerate() {
        let cap = r.capacity;
        p.push(
            rooms,
            vec![
                (&r.id).into(),
                city.into(),
                ord(i),
                (&r.center).into(),
                (&r.name).into(),
                (&r.name_en).into(),
                r.category.as_str().into(),
                r.description.as_ref().into(),
                Val::Int(cap.and_then(|c| c.min).map(i64::from)),
                Val::Int(cap.and_then(|c| c.max).map(i64::from)),
                r.address.as_ref().into(),
                r.floor.as_ref().into(),
                r.outdoor.into(),
                r.open_24h.into(),
                r.note.as_ref().into(),
            ],
        );
        for (j, e) in r.equipment.iter().enumerate() {
            let tag = EquipmentTag::from_raw(e).map(|t| t.as_str().to_owned());
            p.push(
                equipment,
                vec![(&r.id).into(), city.into(), ord(j), e.into(), tag.into()],
            );
        }
        for (j, u) in r.uses.iter().enumerate() {
            p.push(uses, vec![(&r.id).into(), city.into(), ord(j), u.into()]);
        }
        for (j, e) in r.events.iter().enumerate() {
            let id = format!("{}#event-{j}", r.id);
            p.push(
                events,
                vec![
                    (&id).into(),
                    (&r.id).into(),
                    city.into(),
                    ord(j),
                    (&e.name).into(),
                    (&e.name_en).into(),
                    e.schedule.as_ref().into(),
                    Val::Text(e.season.map(|s| s.as_str().to_owned())),
                    Val::Text(e.weekday.map(|w| w.as_str().to_owned())),
                    Val::Int(e.starts_at.map(|t| i64::from(t.minutes()))),
                ],
            );
            cite(&mut p, &id, &e.citations);
        }
        indicate(&mut p, &r.id, &r.indicators);
        cite(&mut p, &r.id, &r.citations);
    }
    index_for_search(&mut p, d);
    p
}

/// Quotes of a record's own citations and of its indicators' and events' citations.
fn quotes<'a>(
    own: &'a [Citation],
    indicators: &'a [Indicator],
    events: &'a [model::Event],
) -> impl Iterator<Item = &'a String> {
    own.iter()
        .chain(indicators.iter().flat_map(|i| &i.citations))
        .chain(events.iter().flat_map(|e| &e.citations))
        .map(|c| &c.quote)
}

/// Rows of the `search_entries` text index: each searchable text of a center, room, circle or
/// the city, once per record and field.
fn index_for_search(p: &mut Plan, d: &CityDataset) {
    let city = d.city.id.as_str();
    let table = p.table(
        "search_entries",
        &[
            "text",
            "city_id",
            "kind",
            "owner_id",
            "owner_ord",
            "field",
            "ord",
        ],
    );
    let mut add = |kind: &str, id: &str, i: usize, field: &str, texts: Vec<&String>| {
        let mut seen = std::collections::HashSet::new();
        for (j, text) in texts.into_iter().filter(|t| seen.insert(*t)).enumerate() {
            p.push(
                table,
                vec![
                    text.into(),
                    city.into(),
                    kind.into(),
                    id.into(),
                    ord(i),
                    field.into(),
                    ord(j),
                ],
            );
        }
    };
    add("CITY", city, 0, "NAME", vec![&d.city.name, &d.city.name_en]);
    add(
        "CITY",
        city,
        0,
        "QUOTE",
        quotes(&[], &d.indicators, &[]).collect(),
    );
    for (i, c) in d.circles.iter().enumerate() {
        add("CIRCLE", &c.id, i, "NAME", vec![&c.name, &c.name_en]);
        let covered = [
            &c.communities,
            &c.residential_areas,
            &c.villages,
            &c.service_items,
            &c.service_categories,
        ];
        add(
            "CIRCLE",
            &c.id,
            i,
            "COVERAGE",
            covered.iter().flat_map(|l| &l.names).collect(),
        );
        add(
            "CIRCLE",
            &c.id,
            i,
            "QUOTE",
            quotes(&c.citations, &c.indicators, &[]).collect(),
        );
    }
    for (i, c) in d.centers.iter().enumerate() {
        add("CENTER", &c.id, i, "NAME", vec![&c.name, &c.name_en]);
        add(
            "CENTER",
            &c.id,
            i,
            "ADDRESS",
            c.address.iter().chain(&c.address_en).collect(),
        );
        add(
            "CENTER",
            &c.id,
            i,
            "QUOTE",
            quotes(&c.citations, &c.indicators, &[]).collect(),
        );
    }
    for (i, r) in d.rooms.iter().enumerate() {
        add("ROOM", &r.id, i, "NAME", vec![&r.name, &r.name_en]);
        add("ROOM", &r.id, i, "USE", r.uses.iter().collect());
        add("ROOM", &r.id, i, "EQUIPMENT", r.equipment.iter().collect());
        add("ROOM", &r.id, i, "ADDRESS", r.address.iter().collect());
        add(
            "ROOM",
            &r.id,
            i,
            "QUOTE",
            quotes(&r.citations, &r.indicators, &r.events).collect(),
        );
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// The district already held exactly this version.
    UpToDate { content_hash: String },
    /// The city's rows were replaced.
    Imported { content_hash: String, rows: usize },
}

/// Rows per INSERT statement; keeps every statement well under SQLite's parameter limit.
const ROWS_PER_INSERT: usize = 50;

impl District {
    /// The version stamp of the dataset this district holds for its city, if any.
    pub async fn stored_version(&self) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT content_hash FROM dataset_versions WHERE city_id = $1")
            .bind(self.city())
            .fetch_optional(self.counted())
            .await
            .map_err(self.query_err())
    }

    /// Validates `dataset` (structure only; quotes are checked by the city crate's loader) and
    /// replaces the city's rows with it in one transaction, unless the district already holds
    /// exactly this version (`force` imports anyway).
    pub async fn import(
        &self,
        dataset: &CityDataset,
        force: bool,
    ) -> Result<ImportOutcome, StoreError> {
        if dataset.city.id != self.city() {
            return Err(StoreError::WrongCity {
                city: self.city().to_owned(),
                dataset: dataset.city.id.clone(),
            });
        }
        let problems = dataset.validate();
        if !problems.is_empty() {
            return Err(StoreError::Invalid {
                city: self.city().to_owned(),
                source: model::DatasetError::Invalid(problems),
            });
        }
        let plan = build_plan(dataset);
        let content_hash = plan.hash();
        if !force && self.stored_version().await?.as_deref() == Some(content_hash.as_str()) {
            return Ok(ImportOutcome::UpToDate { content_hash });
        }
        let mut tx = self.counted().begin().await.map_err(self.query_err())?;
        let rows = self
            .write(&mut tx, &plan, &content_hash)
            .await
            .map_err(self.query_err())?;
        tx.commit().await.map_err(self.query_err())?;
        tracing::info!(city = self.city(), rows, %content_hash, "imported");
        Ok(ImportOutcome::Imported { content_hash, rows })
    }

    async fn write(
        &self,
        tx: &mut Transaction<'_, Sqlite>,
        plan: &Plan,
        hash: &str,
    ) -> Result<usize, sqlx::Error> {
        // Children first, so that no foreign key ever points at a deleted row.
        for t in plan.tables.iter().rev() {
            sqlx::query(&format!("DELETE FROM {} WHERE city_id = $1", t.table))
                .bind(self.city())
                .execute(&mut **tx)
                .await?;
        }
        let mut written = 0;
        for t in &plan.tables {
            for chunk in t.rows.chunks(ROWS_PER_INSERT) {
                let width = t.columns.len();
                let values = (0..chunk.len())
                    .map(|r| {
                        format!(
                            "({})",
                            (1..=width)
                                .map(|c| format!("${}", r * width + c))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = format!(
                    "INSERT INTO {} ({}) VALUES {values}",
                    t.table,
                    t.columns.join(", ")
                );
                let mut q = sqlx::query(&sql);
                for v in chunk.iter().flatten() {
                    q = v.bind_to(q);
                }
                q.execute(&mut **tx).await?;
                written += chunk.len();
            }
        }
        sqlx::query(
            "INSERT INTO dataset_versions (city_id, content_hash, imported_at) VALUES ($1, $2, $3) \
             ON CONFLICT (city_id) DO UPDATE SET content_hash = excluded.content_hash, imported_at = excluded.imported_at",
        )
        .bind(self.city())
        .bind(hash)
        .bind(now_rfc3339())
        .execute(&mut **tx)
        .await?;
        Ok(written)
    }
}

/// The current UTC time as RFC 3339, without a date-time dependency.
fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339_has_the_right_shape() {
        let now = super::now_rfc3339();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.starts_with("20"), "{now}");
    }
}
