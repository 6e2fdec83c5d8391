//! Importing a city's dataset: the whole city is replaced in one transaction, so a district holds
//! either the old version or the new one, never a mixture.
//!
//! The import is first turned into a plan (every row of every table, as values); the plan's
//! SHA-256 is the district's version stamp. A district whose stamp equals the plan's is already up
//! to date, so re-imports are idempotent and a changed equipment rule in `model` (which changes
//! the rows) is noticed even when the data file did not change.

use crate::backend::Tx;
use crate::schema::{
    self, AudienceRecord, CenterRecord, CircleCountRecord, CircleNameRecord, CircleRecord,
    CitationRecord, CityRecord, ContactRecord, ContributorRecord, EquipmentRecord, EventRecord,
    ExhibitRecord, HoursRecord, IndicatorRecord, Int, OrganisationRecord, Real, Record,
    RoomHoursRecord, RoomRecord, SearchEntryRecord, ServiceItemRecord, SourceRecord, StaffRecord,
    TableDef, TermRecord, Text, UseRecord,
};
use crate::sql::{Sql, Val};
use crate::{District, StoreError};
use model::{Citation, CityDataset, EquipmentTag, Indicator, Quantity};
use sha2::{Digest, Sha256};

/// Rows for one table.
struct TableRows {
    def: &'static TableDef,
    rows: Vec<Vec<Val>>,
}

/// Every row of one city, table by table in insertion order (parents before children).
struct Plan {
    tables: Vec<TableRows>,
}

impl Plan {
    fn new() -> Self {
        Self {
            tables: schema::TABLES
                .iter()
                .map(|&def| TableRows {
                    def,
                    rows: Vec::new(),
                })
                .collect(),
        }
    }

    fn push<R: Record>(&mut self, record: R) {
        if let Some(t) = self.tables.iter_mut().find(|t| t.def.name == R::DEF.name) {
            t.rows.push(record.values());
        }
    }

    /// The version stamp: a SHA-256 of the data alone. Each table with rows gives its name and
    /// each row the non-null values with their columns' names, so a column added empty, or
    /// columns reordered, leave a city's stamp as it was: a district re-imports when its data
    /// changes, not when the schema grows.
    fn hash(&self) -> String {
        let mut h = Sha256::new();
        // Length-prefixed: no two different plans hash the same input.
        let mut put = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        };
        for t in self.tables.iter().filter(|t| !t.rows.is_empty()) {
            put(t.def.name.as_bytes());
            put(&(t.rows.len() as u64).to_le_bytes());
            for row in &t.rows {
                let mut stated: Vec<(&str, String)> = t
                    .def
                    .columns
                    .iter()
                    .zip(row)
                    .filter_map(|((column, _), v)| {
                        let tagged = match v {
                            Val::Text(s) => format!("t{:?}", s.as_ref()?),
                            Val::Int(i) => format!("i{:?}", i.as_ref()?),
                            Val::Real(f) => format!("r{:?}", f.as_ref()?.to_bits()),
                            Val::Bool(b) => format!("b{b}"),
                        };
                        Some((*column, tagged))
                    })
                    .collect();
                stated.sort_unstable();
                put(&(stated.len() as u64).to_le_bytes());
                for (column, value) in stated {
                    put(column.as_bytes());
                    put(value.as_bytes());
                }
            }
        }
        format!("{:x}", h.finalize())
    }
}

/// A quantity's three columns: value, qualifier, unit.
fn quantity(q: Option<&Quantity>) -> (Real, Text, Text) {
    (
        Real(q.map(|q| q.value)),
        Text(q.map(|q| q.qualifier.as_str().to_owned())),
        Text(q.map(|q| q.unit.clone())),
    )
}

/// Minutes after midnight.
fn minutes(t: Option<model::TimeOfDay>) -> Int {
    Int(t.map(|t| i64::from(t.minutes())))
}

/// An opening-hours line's weekdays as stored: comma-separated codes, or none.
fn weekdays(h: &model::OpeningHours) -> Option<String> {
    h.days.as_ref().map(|days| {
        days.iter()
            .map(|d| d.as_str())
            .collect::<Vec<_>>()
            .join(",")
    })
}

/// The people serving in the center or room `id`, by role.
fn serving(p: &mut Plan, city: &str, id: &str, staff: &[model::Staff]) {
    for (j, s) in staff.iter().enumerate() {
        p.push(StaffRecord {
            record_id: id.into(),
            city_id: city.into(),
            ord: j.into(),
            role_text: (&s.role).into(),
            role_en: (&s.role_en).into(),
            volunteer: s.volunteer.into(),
        });
    }
}

/// The terms and audiences of the center or room `id`.
fn terms_and_audiences(
    p: &mut Plan,
    city: &str,
    id: &str,
    terms: &[model::Term],
    audiences: &[model::Audience],
) {
    for (j, t) in terms.iter().enumerate() {
        p.push(TermRecord {
            record_id: id.into(),
            city_id: city.into(),
            ord: j.into(),
            kind: t.kind.as_str().into(),
            text: (&t.text).into(),
        });
    }
    for (j, a) in audiences.iter().enumerate() {
        p.push(AudienceRecord {
            record_id: id.into(),
            city_id: city.into(),
            ord: j.into(),
            group_text: (&a.group).into(),
            group_en: (&a.group_en).into(),
            min_age: Int(a.min_age.map(i64::from)),
        });
    }
}

/// The version stamp an import of `d` writes (see `Plan::hash`): what `City.datasetVersion`,
/// `Query.about` and `/health` report for a district holding it.
pub fn dataset_version(d: &CityDataset) -> String {
    build_plan(d).hash()
}

fn build_plan(d: &CityDataset) -> Plan {
    let city = d.city.id.as_str();
    let source_id = |file: &str| format!("{city}/{file}");
    let mut p = Plan::new();

    let cite = |p: &mut Plan, owner: &str, list: &[Citation]| {
        for (i, c) in list.iter().enumerate() {
            p.push(CitationRecord {
                owner_id: owner.into(),
                city_id: city.into(),
                ord: i.into(),
                source_id: source_id(&c.source).into(),
                quote: (&c.quote).into(),
                supports: c.supports.join(",").into(),
            });
        }
    };
    let indicate = |p: &mut Plan, owner: &str, list: &[Indicator]| {
        for (i, ind) in list.iter().enumerate() {
            let id = format!("{owner}#{}", ind.key);
            let (value, qualifier, unit) = quantity(ind.quantity.as_ref());
            let (before_value, before_qualifier, before_unit) = quantity(ind.before.as_ref());
            let period = ind.period.as_ref();
            p.push(IndicatorRecord {
                id: (&id).into(),
                owner_id: owner.into(),
                city_id: city.into(),
                ord: i.into(),
                key: (&ind.key).into(),
                name: (&ind.name).into(),
                name_en: (&ind.name_en).into(),
                value,
                qualifier,
                unit,
                text: ind.text.as_ref().into(),
                before_value,
                before_qualifier,
                before_unit,
                as_of: ind.as_of.as_ref().into(),
                period_from: period.and_then(|p| p.from.as_ref()).into(),
                period_until: period.and_then(|p| p.until.as_ref()).into(),
                claim: ind.claim.map(|c| c.as_str()).into(),
            });
            cite(p, &id, &ind.citations);
        }
    };

    let c = &d.city;
    p.push(CityRecord {
        id: (&c.id).into(),
        city_id: city.into(),
        name: (&c.name).into(),
        name_en: (&c.name_en).into(),
        province: (&c.province).into(),
        province_en: (&c.province_en).into(),
        area: c.area.as_ref().into(),
        area_en: c.area_en.as_ref().into(),
    });
    for (i, s) in d.sources.iter().enumerate() {
        p.push(SourceRecord {
            id: source_id(&s.file).into(),
            city_id: city.into(),
            ord: i.into(),
            file: (&s.file).into(),
            title: (&s.title).into(),
            title_en: s.title_en.as_ref().into(),
            publisher: s.publisher.as_ref().into(),
            published_at: s.published_at.as_ref().into(),
            note: s.note.as_ref().into(),
        });
        for (j, k) in s.contributors.iter().enumerate() {
            p.push(ContributorRecord {
                source_id: source_id(&s.file).into(),
                city_id: city.into(),
                ord: j.into(),
                name: (&k.name).into(),
                role: k.role.as_str().into(),
                role_text: (&k.role_text).into(),
                quote: (&k.quote).into(),
            });
        }
    }
    indicate(&mut p, city, &d.indicators);

    for (i, c) in d.circles.iter().enumerate() {
        let (population_value, population_qualifier, population_unit) =
            quantity(c.population.as_ref());
        p.push(CircleRecord {
            id: (&c.id).into(),
            city_id: city.into(),
            ord: i.into(),
            name: (&c.name).into(),
            name_en: (&c.name_en).into(),
            walking_minutes: Int(c.walking_minutes().map(i64::from)),
            minutes: Int(c.minutes.map(i64::from)),
            travel_mode: c.travel_mode.map(|m| m.as_str()).into(),
            population_value,
            population_qualifier,
            population_unit,
            note: c.note.as_ref().into(),
        });
        for (kind, list) in [
            ("communities", &c.communities),
            ("residential_areas", &c.residential_areas),
            ("villages", &c.villages),
            ("service_items", &c.service_items),
            ("service_categories", &c.service_categories),
        ] {
            if let Some(count) = &list.count {
                let (value, qualifier, unit) = quantity(Some(count));
                p.push(CircleCountRecord {
                    circle_id: (&c.id).into(),
                    city_id: city.into(),
                    kind: kind.into(),
                    value,
                    qualifier,
                    unit,
                });
            }
            for (j, name) in list.names.iter().enumerate() {
                p.push(CircleNameRecord {
                    circle_id: (&c.id).into(),
                    city_id: city.into(),
                    kind: kind.into(),
                    ord: j.into(),
                    name: name.into(),
                });
            }
        }
        indicate(&mut p, &c.id, &c.indicators);
        cite(&mut p, &c.id, &c.citations);
    }

    for (i, c) in d.centers.iter().enumerate() {
        let (floor_area_value, floor_area_qualifier, floor_area_unit) =
            quantity(c.floor_area.as_ref());
        p.push(CenterRecord {
            id: (&c.id).into(),
            city_id: city.into(),
            ord: i.into(),
            circle_id: c.circle.as_ref().into(),
            name: (&c.name).into(),
            name_en: (&c.name_en).into(),
            address: c.address.as_ref().into(),
            address_en: c.address_en.as_ref().into(),
            floor_area_value,
            floor_area_qualifier,
            floor_area_unit,
            transit: c.transit.as_ref().into(),
            transit_en: c.transit_en.as_ref().into(),
            note: c.note.as_ref().into(),
        });
        for (j, h) in c.opening_hours.iter().enumerate() {
            p.push(HoursRecord {
                center_id: (&c.id).into(),
                city_id: city.into(),
                ord: j.into(),
                season: h.season.as_str().into(),
                days: weekdays(h).into(),
                opens: minutes(h.opens),
                closes: minutes(h.closes),
                open_24h: h.open_24h.into(),
                unit: h.unit.as_ref().into(),
                unit_en: h.unit_en.as_ref().into(),
            });
        }
        terms_and_audiences(&mut p, city, &c.id, &c.terms, &c.audiences);
        serving(&mut p, city, &c.id, &c.staff);
        for (j, k) in c.contacts.iter().enumerate() {
            p.push(ContactRecord {
                center_id: (&c.id).into(),
                city_id: city.into(),
                ord: j.into(),
                name: k.name.as_ref().into(),
                phone: k.phone.as_ref().into(),
            });
        }
        for (j, item) in c.service_items.iter().enumerate() {
            p.push(ServiceItemRecord {
                center_id: (&c.id).into(),
                city_id: city.into(),
                ord: j.into(),
                item: item.into(),
            });
        }
        indicate(&mut p, &c.id, &c.indicators);
        cite(&mut p, &c.id, &c.citations);
    }

    for (i, r) in d.rooms.iter().enumerate() {
        let cap = r.capacity;
        p.push(RoomRecord {
            id: (&r.id).into(),
            city_id: city.into(),
            ord: i.into(),
            center_id: (&r.center).into(),
            name: (&r.name).into(),
            name_en: (&r.name_en).into(),
            category: r.category.as_str().into(),
            description: r.description.as_ref().into(),
            capacity_min: Int(cap.and_then(|c| c.min).map(i64::from)),
            capacity_max: Int(cap.and_then(|c| c.max).map(i64::from)),
            address: r.address.as_ref().into(),
            floor: r.floor.as_ref().into(),
            outdoor: r.outdoor.into(),
            open_24h: r.open_24h.into(),
            note: r.note.as_ref().into(),
            capacity_qualifier: cap.map(|c| c.qualifier.as_str()).into(),
        });
        for (j, e) in r.equipment.iter().enumerate() {
            p.push(EquipmentRecord {
                room_id: (&r.id).into(),
                city_id: city.into(),
                ord: j.into(),
                name: e.into(),
                tag: EquipmentTag::from_raw(e).map(|t| t.as_str()).into(),
            });
        }
        for (j, h) in r.opening_hours.iter().enumerate() {
            p.push(RoomHoursRecord {
                room_id: (&r.id).into(),
                city_id: city.into(),
                ord: j.into(),
                season: h.season.as_str().into(),
                days: weekdays(h).into(),
                opens: minutes(h.opens),
                closes: minutes(h.closes),
                open_24h: h.open_24h.into(),
            });
        }
        terms_and_audiences(&mut p, city, &r.id, &r.terms, &r.audiences);
        serving(&mut p, city, &r.id, &r.staff);
        for (j, e) in r.exhibits.iter().enumerate() {
            p.push(ExhibitRecord {
                room_id: (&r.id).into(),
                city_id: city.into(),
                ord: j.into(),
                exhibit: e.into(),
            });
        }
        for (j, u) in r.uses.iter().enumerate() {
            p.push(UseRecord {
                room_id: (&r.id).into(),
                city_id: city.into(),
                ord: j.into(),
                use_text: u.into(),
            });
        }
        for (j, e) in r.events.iter().enumerate() {
            let id = format!("{}#event-{j}", r.id);
            p.push(EventRecord {
                id: (&id).into(),
                room_id: (&r.id).into(),
                city_id: city.into(),
                ord: j.into(),
                name: (&e.name).into(),
                name_en: (&e.name_en).into(),
                schedule: e.schedule.as_ref().into(),
                season: e.season.map(|s| s.as_str()).into(),
                weekday: e.weekday.map(|w| w.as_str()).into(),
                starts_at: minutes(e.starts_at),
            });
            cite(&mut p, &id, &e.citations);
        }
        indicate(&mut p, &r.id, &r.indicators);
        cite(&mut p, &r.id, &r.citations);
    }
    for (i, o) in d.organisations.iter().enumerate() {
        p.push(OrganisationRecord {
            id: (&o.id).into(),
            city_id: city.into(),
            ord: i.into(),
            name: (&o.name).into(),
            name_en: (&o.name_en).into(),
            role: o.role.as_str().into(),
            record_id: (&o.of).into(),
            brand: o.brand.as_ref().into(),
        });
        cite(&mut p, &o.id, &o.citations);
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

/// Adds a record's texts of one field to the index: kind, record id, its position, the field.
type AddEntry<'a> = dyn FnMut(&str, &str, usize, &str, Vec<&String>) + 'a;

/// Rows of the `search_entries` text index: each searchable text of a center, room, circle or
/// the city, once per record and field. A room's category and its equipment's tags are
/// indexed by their Chinese and English labels, so that English finds them ("legal", "projector").
/// A quote that other records of the city cite too ("…法律援助室、调解室…" naming several rooms)
/// is a SHARED_QUOTE: it says less about each of them, and ranks last.
fn index_for_search(p: &mut Plan, d: &CityDataset) {
    let city = d.city.id.as_str();
    // How many records cite each quote (a record citing it twice counts once).
    let mut citing: std::collections::HashMap<&str, std::collections::HashSet<&str>> =
        std::collections::HashMap::new();
    let city_quotes: Vec<&String> = quotes(&[], &d.indicators, &[]).collect();
    let records: Vec<(&str, Vec<&String>)> = std::iter::once((city, city_quotes))
        .chain(d.circles.iter().map(|c| {
            (
                c.id.as_str(),
                quotes(&c.citations, &c.indicators, &[]).collect(),
            )
        }))
        .chain(d.centers.iter().map(|c| {
            (
                c.id.as_str(),
                quotes(&c.citations, &c.indicators, &[]).collect(),
            )
        }))
        .chain(d.rooms.iter().map(|r| {
            (
                r.id.as_str(),
                quotes(&r.citations, &r.indicators, &r.events).collect(),
            )
        }))
        .collect();
    let quotes_of: std::collections::HashMap<&str, &[&String]> = records
        .iter()
        .map(|(id, list)| (*id, list.as_slice()))
        .collect();
    for (id, list) in &records {
        for q in list {
            citing.entry(q.as_str()).or_default().insert(id);
        }
    }
    let mut add = |kind: &str, id: &str, i: usize, field: &str, texts: Vec<&String>| {
        let mut seen = std::collections::HashSet::new();
        for (j, text) in texts.into_iter().filter(|t| seen.insert(*t)).enumerate() {
            p.push(SearchEntryRecord {
                text: text.into(),
                city_id: city.into(),
                kind: kind.into(),
                owner_id: id.into(),
                owner_ord: i.into(),
                field: field.into(),
                ord: j.into(),
            });
        }
    };
    // Each record's quotes: its own, then those it shares.
    let add_quotes = |add: &mut AddEntry<'_>, kind: &str, id: &str, i: usize| {
        // Looked up by id: a linear search here would be quadratic in a synthetic city's records.
        let list = quotes_of.get(id).copied().unwrap_or_default();
        let shared = |q: &&String| citing.get(q.as_str()).is_some_and(|s| s.len() > 1);
        add(
            kind,
            id,
            i,
            "QUOTE",
            list.iter().copied().filter(|q| !shared(q)).collect(),
        );
        add(
            kind,
            id,
            i,
            "SHARED_QUOTE",
            list.iter().copied().filter(|q| shared(q)).collect(),
        );
    };
    add("CITY", city, 0, "NAME", vec![&d.city.name, &d.city.name_en]);
    add_quotes(&mut add, "CITY", city, 0);
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
        add_quotes(&mut add, "CIRCLE", &c.id, i);
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
        add_quotes(&mut add, "CENTER", &c.id, i);
    }
    for (i, r) in d.rooms.iter().enumerate() {
        add("ROOM", &r.id, i, "NAME", vec![&r.name, &r.name_en]);
        let category = [
            r.category.label_zh().to_owned(),
            r.category.label_en().to_owned(),
        ];
        add("ROOM", &r.id, i, "CATEGORY", category.iter().collect());
        add("ROOM", &r.id, i, "USE", r.uses.iter().collect());
        add("ROOM", &r.id, i, "EQUIPMENT", r.equipment.iter().collect());
        let mut tags: Vec<EquipmentTag> = Vec::new();
        for tag in r.equipment.iter().filter_map(|e| EquipmentTag::from_raw(e)) {
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        let labels: Vec<String> = tags
            .iter()
            .flat_map(|t| [t.label_zh().to_owned(), t.label_en().to_owned()])
            .collect();
        add("ROOM", &r.id, i, "EQUIPMENT_TAG", labels.iter().collect());
        add("ROOM", &r.id, i, "ADDRESS", r.address.iter().collect());
        add_quotes(&mut add, "ROOM", &r.id, i);
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
    /// The tables this district's database holds once migrated, each with its columns and
    /// their SQL types in order, to set against [`crate::declared_tables`]. Left out: the
    /// migrations' own table, the version stamps and SQLite's full-text shadow tables; the
    /// columns of SQLite's full-text table have no type (empty).
    pub async fn stored_tables(&self) -> Result<Vec<(String, Vec<(String, String)>)>, StoreError> {
        let sql = Sql::new(match self.backend() {
            crate::Backend::Sqlite => {
                "SELECT m.name, p.name, upper(p.type) FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY m.name, p.cid"
            }
            crate::Backend::Postgres => {
                "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT), \
                 CAST(upper(data_type) AS TEXT) FROM information_schema.columns \
                 WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
            }
        });
        let rows: Vec<(String, String, String)> = self.fetch_rows(&sql).await?;
        let mut tables: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for (table, column, ty) in rows {
            if table.starts_with('_')
                || table.starts_with("sqlite_")
                || table.starts_with("search_entries_")
                || table == "dataset_versions"
            {
                continue;
            }
            match tables.last_mut() {
                Some((name, columns)) if *name == table => columns.push((column, ty)),
                _ => tables.push((table, vec![(column, ty)])),
            }
        }
        Ok(tables)
    }

    /// Every row of the city, table by table.
    async fn city_rows(&self) -> Result<Vec<(&'static TableDef, Vec<Vec<Val>>)>, StoreError> {
        let mut out = Vec::with_capacity(schema::TABLES.len());
        for &def in schema::TABLES {
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
    use super::{Plan, TableDef, TableRows, Val, build_plan};

    /// `plan` with the rows of `table` rewritten by `rows` under the columns `columns`.
    fn with_table(
        plan: &Plan,
        table: &str,
        columns: Vec<(&'static str, crate::schema::Ty)>,
        rows: impl Fn(&[Val]) -> Vec<Val>,
    ) -> Plan {
        let tables = plan
            .tables
            .iter()
            .map(|t| {
                if t.def.name != table {
                    return TableRows {
                        def: t.def,
                        rows: t.rows.clone(),
                    };
                }
                let def: &'static TableDef = Box::leak(Box::new(TableDef {
                    name: t.def.name,
                    columns: Box::leak(columns.clone().into_boxed_slice()),
                }));
                TableRows {
                    def,
                    rows: t.rows.iter().map(|r| rows(r)).collect(),
                }
            })
            .collect();
        Plan { tables }
    }

    #[test]
    fn the_stamp_follows_the_data_not_the_columns() {
        let plan = build_plan(&city_korla::dataset().expect("dataset"));
        let stamp = plan.hash();
        let rooms = plan
            .tables
            .iter()
            .find(|t| t.def.name == "rooms")
            .expect("rooms")
            .def
            .columns
            .to_vec();
        // A column added, NULL in every row: the same stamp.
        let mut wider = rooms.clone();
        wider.push(("audience", crate::schema::Ty::Text));
        let added = with_table(&plan, "rooms", wider, |r| {
            let mut r = r.to_vec();
            r.push(Val::Text(None));
            r
        });
        assert_eq!(added.hash(), stamp);
        // Two columns swapped with their values: the same stamp.
        let mut swapped = rooms.clone();
        swapped.swap(4, 5);
        let reordered = with_table(&plan, "rooms", swapped.clone(), |r| {
            let mut r = r.to_vec();
            r.swap(4, 5);
            r
        });
        assert_eq!(reordered.hash(), stamp);
        // The values swapped and the columns not (a name written as the English name): a new
        // stamp.
        let crossed = with_table(&plan, "rooms", swapped, <[Val]>::to_vec);
        assert_ne!(crossed.hash(), stamp);
        // A value stated where it was not: a new stamp.
        let stated = with_table(&plan, "rooms", rooms, |r| {
            let mut r = r.to_vec();
            if matches!(r[14], Val::Text(None)) {
                r[14] = Val::Text(Some(String::new()));
            }
            r
        });
        assert_ne!(stated.hash(), stamp);
    }

    #[test]
    fn rfc3339_has_the_right_shape() {
        let now = super::now_rfc3339();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.starts_with("20"), "{now}");
    }
}
