//! Importing a city's dataset: the whole city is replaced in one transaction, so a district holds
//! either the old version or the new one, never a mixture.
//!
//! The import is first turned into a plan (every row of every table, as values); the plan's
//! SHA-256 is the district's version stamp. A district whose stamp equals the plan's is already up
//! to date, so re-imports are idempotent and a changed equipment rule in `model` (which changes
//! the rows) is noticed even when the data file did not change.

use crate::backend::Tx;
use crate::schema::{self, TableDef};
use crate::sql::{Sql, Val};
use crate::{District, StoreError};
use model::{Citation, CityDataset, EquipmentTag, Indicator, Quantity};
use sha2::{Digest, Sha256};

/// Rows for one table.
struct TableRows {
    def: &'static TableDef,
    rows: Vec<Vec<Val>>,
}

/// Every row of one city, in insertion order (parents before children).
struct Plan {
    tables: Vec<TableRows>,
}

impl Plan {
    fn table(&mut self, name: &str) -> usize {
        self.tables.push(TableRows {
            def: schema::table(name),
            rows: Vec::new(),
        });
        self.tables.len() - 1
    }

    fn push(&mut self, t: usize, row: Vec<Val>) {
        debug_assert_eq!(
            row.len(),
            self.tables[t].def.columns.len(),
            "{}",
            self.tables[t].def.name
        );
        self.tables[t].rows.push(row);
    }

    fn hash(&self) -> String {
        let mut h = Sha256::new();
        for t in &self.tables {
            h.update(t.def.name.as_bytes());
            h.update(
                t.def
                    .columns
                    .iter()
                    .map(|(c, _)| *c)
                    .collect::<Vec<_>>()
                    .join(",")
                    .as_bytes(),
            );
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
    let cities = p.table("cities");
    let sources = p.table("sources");
    let circles = p.table("circles");
    let circle_counts = p.table("circle_counts");
    let circle_names = p.table("circle_names");
    let centers = p.table("centers");
    let hours = p.table("opening_hours");
    let contacts = p.table("contacts");
    let items = p.table("center_service_items");
    let rooms = p.table("rooms");
    let equipment = p.table("room_equipment");
    let uses = p.table("room_uses");
    let events = p.table("room_events");
    let indicators = p.table("indicators");
    let citations = p.table("citations");

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
    let table = p.table("search_entries");
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

/// How far an import or a copy has come: reported after each statement that writes rows.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// The table being written.
    pub table: &'a str,
    /// Rows written so far, all tables together.
    pub written: usize,
    /// Rows to write in all.
    pub total: usize,
}

/// Where progress goes; imports run inside the service report nowhere.
pub type ProgressSink<'a> = &'a mut (dyn FnMut(Progress<'_>) + Send);

/// The version stamp written with a city's rows.
struct Stamp<'a> {
    content_hash: &'a str,
    imported_at: &'a str,
}

impl District {
    /// The version stamp of the dataset this district holds for its city, if any.
    pub async fn stored_version(&self) -> Result<Option<String>, StoreError> {
        self.read(self.version_now()).await
    }

    /// The version stamp, read without preparing the district first (the import runs during
    /// preparation).
    async fn version_now(&self) -> Result<Option<String>, StoreError> {
        Ok(self.stamp_now().await?.map(|(hash, _)| hash))
    }

    /// The version stamp and import time, read without preparing the district first.
    async fn stamp_now(&self) -> Result<Option<(String, String)>, StoreError> {
        let mut sql =
            Sql::new("SELECT content_hash, imported_at FROM dataset_versions WHERE city_id = ");
        sql.bind(self.city());
        let rows: Vec<(String, String)> =
            self.counted().fetch(&sql).await.map_err(self.query_err())?;
        Ok(rows.into_iter().next())
    }

    /// Validates `dataset` (structure only; quotes are checked by the city crate's loader) and
    /// replaces the city's rows with it in one transaction, unless the district already holds
    /// exactly this version (`force` imports anyway).
    pub async fn import(
        &self,
        dataset: &CityDataset,
        force: bool,
    ) -> Result<ImportOutcome, StoreError> {
        self.import_reporting(dataset, force, &mut |_| {}).await
    }

    /// [`District::import`], reporting its progress to `progress`.
    pub async fn import_reporting(
        &self,
        dataset: &CityDataset,
        force: bool,
        progress: ProgressSink<'_>,
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
                source: Box::new(model::DatasetError::Invalid(problems)),
            });
        }
        let plan = build_plan(dataset);
        let content_hash = plan.hash();
        if !force && self.version_now().await?.as_deref() == Some(content_hash.as_str()) {
            return Ok(ImportOutcome::UpToDate { content_hash });
        }
        let tables: Vec<(&TableDef, &[Vec<Val>])> = plan
            .tables
            .iter()
            .map(|t| (t.def, t.rows.as_slice()))
            .collect();
        let imported_at = now_rfc3339();
        let stamp = Stamp {
            content_hash: &content_hash,
            imported_at: &imported_at,
        };
        let mut tx = self.counted().begin().await.map_err(self.query_err())?;
        let rows = self
            .write(&mut tx, &tables, &stamp, progress)
            .await
            .map_err(self.query_err())?;
        tx.commit().await.map_err(self.query_err())?;
        tracing::info!(city = self.city(), rows, %content_hash, "imported");
        Ok(ImportOutcome::Imported { content_hash, rows })
    }

    /// Replaces the city's rows with `tables` and `stamp`, inside `tx`.
    async fn write(
        &self,
        tx: &mut Tx,
        tables: &[(&TableDef, &[Vec<Val>])],
        stamp: &Stamp<'_>,
        progress: ProgressSink<'_>,
    ) -> Result<usize, sqlx::Error> {
        // The stamp, then children before parents, so that no foreign key ever points at a
        // deleted row.
        let stamp_first = std::iter::once("dataset_versions");
        for table in stamp_first.chain(tables.iter().rev().map(|(def, _)| def.name)) {
            let mut delete = Sql::new(&format!("DELETE FROM {table} WHERE city_id = "));
            delete.bind(self.city());
            tx.execute(&delete).await?;
        }
        let total = tables.iter().map(|(_, rows)| rows.len()).sum();
        let mut written = 0;
        for (def, rows) in tables {
            for chunk in rows.chunks(ROWS_PER_INSERT) {
                let mut insert = Sql::new(&format!(
                    "INSERT INTO {} ({}) VALUES ",
                    def.name,
                    def.column_list()
                ));
                for (i, row) in chunk.iter().enumerate() {
                    if i > 0 {
                        insert.push(", ");
                    }
                    insert.bind_list(row.iter().cloned());
                }
                tx.execute(&insert).await?;
                written += chunk.len();
                progress(Progress {
                    table: def.name,
                    written,
                    total,
                });
            }
        }
        let mut version =
            Sql::new("INSERT INTO dataset_versions (city_id, content_hash, imported_at) VALUES ");
        version.bind_list([self.city(), stamp.content_hash, stamp.imported_at]);
        tx.execute(&version).await?;
        Ok(written)
    }

    /// Copies this district's city, exactly as stored (version stamp included), into `target`,
    /// replacing what `target` holds for the city, in one transaction. Before committing, the
    /// copy is read back inside the transaction and compared with the source row by row; any
    /// difference rolls it back. Returns the rows copied.
    pub async fn copy_to(
        &self,
        target: &District,
        progress: ProgressSink<'_>,
    ) -> Result<usize, StoreError> {
        if target.city() != self.city() {
            return Err(StoreError::WrongCity {
                city: target.city().to_owned(),
                dataset: self.city().to_owned(),
            });
        }
        let Some((content_hash, imported_at)) = self.stamp_now().await? else {
            return Err(StoreError::Open {
                city: self.city().to_owned(),
                location: self.location().to_string(),
                reason: "it holds no imported dataset to copy".to_owned(),
            });
        };
        let source_rows = self.city_rows().await?;
        let tables: Vec<(&TableDef, &[Vec<Val>])> = source_rows
            .iter()
            .map(|(def, rows)| (*def, rows.as_slice()))
            .collect();
        let stamp = Stamp {
            content_hash: &content_hash,
            imported_at: &imported_at,
        };
        let mut tx = target.counted().begin().await.map_err(target.query_err())?;
        let rows = target
            .write(&mut tx, &tables, &stamp, progress)
            .await
            .map_err(target.query_err())?;
        for (def, rows) in &tables {
            let copied = tx
                .fetch_vals(&select_city(def, self.city()), def)
                .await
                .map_err(target.query_err())?;
            if canonical(&copied) != canonical(rows) {
                return Err(StoreError::CopyMismatch {
                    city: self.city().to_owned(),
                    table: def.name.to_owned(),
                });
            }
        }
        tx.commit().await.map_err(target.query_err())?;
        tracing::info!(city = self.city(), rows, to = %target.location(), "copied");
        Ok(rows)
    }

    /// Everything this district stores for its city, table by table, each row as text and the
    /// rows sorted: two districts hold the same data exactly when their dumps are equal.
    pub async fn dump(&self) -> Result<Vec<(String, Vec<String>)>, StoreError> {
        let mut out = Vec::new();
        let stamp = self.stamp_now().await?;
        out.push((
            "dataset_versions".to_owned(),
            stamp.iter().map(|s| format!("{s:?}")).collect(),
        ));
        for (def, rows) in self.city_rows().await? {
            out.push((def.name.to_owned(), canonical(&rows)));
        }
        Ok(out)
    }
}

impl District {
    /// Every row of the city, table by table.
    async fn city_rows(&self) -> Result<Vec<(&'static TableDef, Vec<Vec<Val>>)>, StoreError> {
        let mut out = Vec::with_capacity(schema::TABLES.len());
        for def in schema::TABLES {
            let rows = self
                .counted()
                .fetch_vals(&select_city(def, self.city()), def)
                .await
                .map_err(self.query_err())?;
            out.push((def, rows));
        }
        Ok(out)
    }
}

/// `SELECT <every column> FROM <table> WHERE city_id = <city>`.
fn select_city(def: &TableDef, city: &str) -> Sql {
    let mut sql = Sql::new(&format!(
        "SELECT {} FROM {} WHERE city_id = ",
        def.column_list(),
        def.name
    ));
    sql.bind(city);
    sql
}

/// Rows as sorted text, for comparing two sets of rows regardless of their order.
fn canonical(rows: &[Vec<Val>]) -> Vec<String> {
    let mut text: Vec<String> = rows.iter().map(|r| format!("{r:?}")).collect();
    text.sort();
    text
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
