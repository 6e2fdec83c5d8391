//! The schema's object types. Each wraps a row read from a district; nested lists resolve
//! through the request's batcher, so every level of a query is one statement per database.

use crate::batch::Batcher;
use crate::connection::{self, CenterConnection, RoomConnection};
use crate::enums::{
    self, CitationStyle, ClaimFigure, ContributorRole, EquipmentTag, OpenState, OrganisationRole,
    Qualifier, RoomCategory, Season, TermKind, TravelMode, Weekday,
};
use crate::error;
use crate::inputs::{CenterFilter, CenterOrder, OpenAt, RoomFilter, RoomOrder};
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use std::sync::Arc;
use store::{
    AudienceRow, CenterRow, CircleCountRow, CircleNameRow, CircleRow, CitationRow, CityRow,
    ContactRow, ContributorRow, DatasetVersionRow, EquipmentRow, EventRow, ExhibitRow,
    IndicatorRow, OpeningHoursRow, OrganisationRow, QuantityRow, RoomHoursRow, RoomRow,
    ServiceItemRow, SourceRow, StaffRow, Table, TermRow, UseRow,
};

/// All rows of `T` whose column `by` equals `id`, read in the request's next round (see
/// `batch`) with every other key of that table and column.
pub(crate) async fn load<T: Table + Clone + Send + Sync + 'static>(
    ctx: &Context<'_>,
    by: &'static str,
    id: &str,
) -> Result<Vec<T>> {
    ctx.data::<Arc<Batcher>>()?
        .read::<T>(by, id)
        .await
        .map_err(error::district)
}

/// The row of `T` with this id, if any.
pub(crate) async fn load_by_id<T: Table + Clone + Send + Sync + 'static>(
    ctx: &Context<'_>,
    id: &str,
) -> Result<Option<T>> {
    Ok(load::<T>(ctx, "id", id).await?.into_iter().next())
}

fn code<E: async_graphql::EnumType>(what: &str, code: &str) -> Result<E> {
    enums::from_code(code).ok_or_else(|| unknown_code(what, code))
}

/// A code stored in a district that this binary does not know: logged, and answered without it.
fn unknown_code(what: &str, code: &str) -> async_graphql::Error {
    tracing::error!(what, code, "unknown code stored in a district");
    async_graphql::Error::new("the service holds a value it does not recognise")
}

fn list(values: &str) -> Vec<String> {
    values
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn time(minutes: Option<i64>) -> Option<String> {
    minutes
        .and_then(|m| u16::try_from(m).ok())
        .and_then(model::TimeOfDay::from_minutes)
        .map(|t| t.to_string())
}

/// A number taken from a source, with the source's qualifier and a unit.
#[derive(SimpleObject, Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Quantity {
    /// The number as the source gives it.
    pub value: f64,
    /// EXACT, APPROX, AT_LEAST or AT_MOST, as the source words it ("超过4000" is AT_LEAST 4000).
    pub qualifier: Qualifier,
    /// Unit: `m²`, `people`, `books`, `CNY`, `km`, `items`…
    pub unit: String,
}

impl Quantity {
    pub(crate) fn from_row(row: Option<QuantityRow>) -> Result<Option<Self>> {
        row.map(|q| {
            Ok(Quantity {
                value: q.value,
                qualifier: code("qualifier", &q.qualifier)?,
                unit: q.unit,
            })
        })
        .transpose()
    }
}

/// The service, and what each district holds.
#[derive(SimpleObject, Clone, Debug)]
pub struct About {
    /// `dangqun`.
    pub service: String,
    /// The service's version (semantic versioning).
    pub version: String,
    /// Every district, in the service's city order.
    pub districts: Vec<DistrictAbout>,
}

/// One city's district, as asked now.
#[derive(SimpleObject, Clone, Debug)]
pub struct DistrictAbout {
    /// The city it holds.
    pub city: ID,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// True when it answered.
    pub up: bool,
    /// The version of the city's dataset it holds (as `City.datasetVersion` gives it); null
    /// when it is down or holds none yet.
    pub dataset_version: Option<String>,
    /// True for a synthetic city (`dangqun synth`), never real data.
    pub synthetic: bool,
}

/// A source article a dataset was transcribed from.
pub struct Source(pub SourceRow);

/// A source article a dataset was transcribed from.
#[Object]
impl Source {
    /// Stable id: `<city>/<file>`.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// File name of the article, as in the project's seeds.
    async fn file(&self) -> &str {
        &self.0.file
    }
    /// The article's title, in Chinese.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// English rendering of the title.
    async fn title_en(&self) -> Option<&str> {
        self.0.title_en.as_deref()
    }
    /// Who published it (newspaper, media center, official account).
    async fn publisher(&self) -> Option<&str> {
        self.0.publisher.as_deref()
    }
    /// ISO 8601 date or date-time (+08:00) as far as the article gives it; null when it gives none.
    async fn published_at(&self) -> Option<&str> {
        self.0.published_at.as_deref()
    }
    /// How the article was treated: what was skipped, how it was normalised.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// The city whose dataset this article supports.
    async fn city(&self, ctx: &Context<'_>) -> Result<Option<City>> {
        Ok(load_by_id::<CityRow>(ctx, &self.0.city_id).await?.map(City))
    }
    /// The article as a reference to paste, in `style`, built from what the dataset records
    /// (title, publisher, date, byline): what the article does not give is left out. Cited as
    /// an online work; the articles carry no address to cite.
    async fn citation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The reference style.")] style: CitationStyle,
    ) -> Result<String> {
        let byline = load::<ContributorRow>(ctx, "source_id", &self.0.id).await?;
        let people = byline
            .iter()
            .map(|k| {
                let role = model::ContributorRole::ALL
                    .into_iter()
                    .find(|r| r.as_str() == k.role)
                    .ok_or_else(|| unknown_code("contributor role", &k.role))?;
                Ok((k.name.as_str(), role))
            })
            .collect::<Result<Vec<_>>>()?;
        let work = model::cite::Work {
            id: &self.0.id,
            title: &self.0.title,
            title_en: self.0.title_en.as_deref(),
            publisher: self.0.publisher.as_deref(),
            published_at: self.0.published_at.as_deref(),
            contributors: &people,
        };
        Ok(model::cite::reference(&work, style.into()))
    }
    /// The people its byline names (authors, reporters, correspondents, editors), in its
    /// order; empty when it names none.
    async fn contributors(&self, ctx: &Context<'_>) -> Result<Vec<Contributor>> {
        load::<ContributorRow>(ctx, "source_id", &self.0.id)
            .await?
            .into_iter()
            .map(|k| {
                Ok(Contributor {
                    role: code("contributor role", &k.role)?,
                    name: k.name,
                    role_text: k.role_text,
                    quote: k.quote,
                })
            })
            .collect()
    }
}

/// A person an article's byline names.
#[derive(SimpleObject, Clone, Debug)]
pub struct Contributor {
    /// The name as printed.
    pub name: String,
    /// What they did for the article.
    pub role: ContributorRole,
    /// The role as the article prints it (`记者`, `责编`).
    pub role_text: String,
    /// The byline, verbatim (Taiyuan's after its normalisation).
    pub quote: String,
}

/// Where a fact comes from: an article and the sentence quoted from it.
pub struct Citation(pub CitationRow);

/// Where a fact comes from: an article and the sentence quoted from it.
#[Object]
impl Citation {
    /// The article.
    async fn source(&self, ctx: &Context<'_>) -> Result<Source> {
        load_by_id::<SourceRow>(ctx, &self.0.source_id)
            .await?
            .map(Source)
            .ok_or_else(|| {
                async_graphql::Error::new(
                    "a citation refers to a source the district does not hold",
                )
            })
    }
    /// The supporting text, verbatim from the article (Taiyuan's after its documented
    /// normalisation to simplified characters).
    async fn quote(&self) -> &str {
        &self.0.quote
    }
    /// Which fields of the record this quote supports (`capacity`, `equipment`…); empty for
    /// indicators and events, which cite as a whole.
    async fn supports(&self) -> Vec<String> {
        list(&self.0.supports)
    }
}

async fn citations(ctx: &Context<'_>, owner: &str) -> Result<Vec<Citation>> {
    Ok(load::<CitationRow>(ctx, "owner_id", owner)
        .await?
        .into_iter()
        .map(Citation)
        .collect())
}

/// A term on which a center or room serves, as its source states it.
#[derive(SimpleObject, Clone, Debug)]
pub struct ServiceTerm {
    /// FREE, FREE_LOAN, POINTS or RENTAL.
    pub kind: TermKind,
    /// The source's words ("免费借用", "按日租赁计费").
    pub text: String,
}

/// A group a center or room serves, as its source names it.
#[derive(SimpleObject, Clone, Debug)]
pub struct Audience {
    /// The group in the source's words ("环卫工、快递员、外卖骑手").
    pub group: String,
    /// English rendering of `group`.
    pub group_en: String,
    /// The youngest age served, when the source states one ("70周岁以上" is 70).
    pub min_age: Option<i64>,
}

/// An organisation a source names with a circle, a center or a room.
pub struct Organisation(pub OrganisationRow);

/// An organisation a source names with a circle, a center or a room: who built it, who serves
/// in it, which party branch carries which brand.
#[Object]
impl Organisation {
    /// Stable id, prefixed by city.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// Its name, as the source gives it.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// English rendering of the name.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
    /// What it is to the record it is named with.
    async fn role(&self) -> Result<OrganisationRole> {
        code("organisation role", &self.0.role)
    }
    /// Its brand or project there, in the source's words ("雷锋互助社"); null when none is
    /// named.
    async fn brand(&self) -> Option<&str> {
        self.0.brand.as_deref()
    }
    /// The id of the circle, center or room it is named with.
    async fn record_id(&self) -> ID {
        ID(self.0.record_id.clone())
    }
    /// Where it is named.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, &self.0.id).await
    }
}

async fn organisations(ctx: &Context<'_>, by: &'static str, id: &str) -> Result<Vec<Organisation>> {
    Ok(load::<OrganisationRow>(ctx, by, id)
        .await?
        .into_iter()
        .map(Organisation)
        .collect())
}

/// People who serve in a center or room, by role.
#[derive(SimpleObject, Clone, Debug)]
pub struct StaffRole {
    /// The role in the source's words ("专业调解员", "家庭医生", "志愿者").
    pub role: String,
    /// English rendering of `role`.
    pub role_en: String,
    /// True when the source says they volunteer.
    pub volunteer: bool,
}

async fn staff(ctx: &Context<'_>, record: &str) -> Result<Vec<StaffRole>> {
    Ok(load::<StaffRow>(ctx, "record_id", record)
        .await?
        .into_iter()
        .map(|s| StaffRole {
            role: s.role_text,
            role_en: s.role_en,
            volunteer: s.volunteer,
        })
        .collect())
}

async fn terms(ctx: &Context<'_>, record: &str) -> Result<Vec<ServiceTerm>> {
    load::<TermRow>(ctx, "record_id", record)
        .await?
        .into_iter()
        .map(|t| {
            Ok(ServiceTerm {
                kind: code("term kind", &t.kind)?,
                text: t.text,
            })
        })
        .collect()
}

/// True when a stated term is free, false when terms are stated and none is, null when the
/// source states none.
async fn free_of_charge(ctx: &Context<'_>, record: &str) -> Result<Option<bool>> {
    let terms = terms(ctx, record).await?;
    Ok((!terms.is_empty()).then(|| {
        terms
            .iter()
            .any(|t| matches!(t.kind, TermKind::Free | TermKind::FreeLoan))
    }))
}

async fn audiences(ctx: &Context<'_>, record: &str) -> Result<Vec<Audience>> {
    Ok(load::<AudienceRow>(ctx, "record_id", record)
        .await?
        .into_iter()
        .map(|a| Audience {
            group: a.group_text,
            group_en: a.group_en,
            min_age: a.min_age,
        })
        .collect())
}

async fn indicators(ctx: &Context<'_>, owner: &str) -> Result<Vec<Indicator>> {
    Ok(load::<IndicatorRow>(ctx, "owner_id", owner)
        .await?
        .into_iter()
        .map(Indicator)
        .collect())
}

/// A named figure the sources give without a typed field: investments, average areas, counts of
/// centers built, books held, windows, members…
pub struct Indicator(pub IndicatorRow);

/// A named figure the sources give without a typed field: investments, average areas, counts of
/// centers built, books held, windows, members…
#[Object]
impl Indicator {
    /// Stable snake_case key (`investment`, `books_held`), unique within its record.
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// What it measures, in Chinese.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What it measures, in English.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
    /// The figure, when it is a number.
    async fn quantity(&self) -> Result<Option<Quantity>> {
        Quantity::from_row(self.0.quantity())
    }
    /// The fact in the source's words, when it is not a number ("全覆盖").
    async fn text(&self) -> Option<&str> {
        self.0.text.as_deref()
    }
    /// The figure before the change the source states ("由之前的71平方米增加到现在的1050平方米":
    /// `quantity` 1050, `before` 71); null when it states none.
    async fn before(&self) -> Result<Option<Quantity>> {
        Quantity::from_row(self.0.before())
    }
    /// The date the fact holds or happened, ISO 8601 as far as the source gives it
    /// (`2023-07-06`, `2023-07`, `2017`); null when it gives none.
    async fn as_of(&self) -> Option<&str> {
        self.0.as_of.as_deref()
    }
    /// The start of the period the fact covers ("从2017年至今" is from `2017`); null when none.
    async fn period_from(&self) -> Option<&str> {
        self.0.period_from.as_deref()
    }
    /// The end of that period; null when it is open ("至今") or there is none.
    async fn period_until(&self) -> Option<&str> {
        self.0.period_until.as_deref()
    }
    /// The `compare` figure this number is the source's own claim for (rooms laid out,
    /// centers built, areas), to read beside what the dataset records; null for others.
    async fn claim(&self) -> Result<Option<ClaimFigure>> {
        self.0
            .claim
            .as_deref()
            .map(|c| code("claim", c))
            .transpose()
    }
    /// The record it belongs to: the city, a circle, a center or a room.
    async fn of(&self) -> ID {
        ID(self.0.owner_id.clone())
    }
    /// Where it is stated.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, &self.0.id).await
    }
}

/// A city (district) and its service network.
pub struct City(pub CityRow);

/// A city (district) and its service network.
#[Object]
impl City {
    /// Lower-case city id, the prefix of every other id of this city (`korla`).
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// Chinese name (库尔勒市).
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// English name.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
    /// The version of the city's dataset this answer comes from, as `/health` and
    /// `Query.about` give it: a SHA-256 of the data it holds, which changes exactly when the
    /// data does (not when the schema grows). Cite it with a figure.
    async fn dataset_version(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(load::<DatasetVersionRow>(ctx, "city_id", &self.0.id)
            .await?
            .into_iter()
            .next()
            .map(|v| v.content_hash))
    }
    /// Province-level division, in Chinese (新疆维吾尔自治区, 上海市).
    async fn province(&self) -> &str {
        &self.0.province
    }
    /// Province-level division, in English.
    async fn province_en(&self) -> &str {
        &self.0.province_en
    }
    /// The part of the city the sources cover (尖草坪区), when narrower than the city.
    async fn area(&self) -> Option<&str> {
        self.0.area.as_deref()
    }
    /// English rendering of `area`.
    async fn area_en(&self) -> Option<&str> {
        self.0.area_en.as_deref()
    }
    /// The service circles (服务圈) of this city; empty when its sources name none.
    async fn service_circles(&self, ctx: &Context<'_>) -> Result<Vec<ServiceCircle>> {
        Ok(load::<CircleRow>(ctx, "city_id", &self.0.id)
            .await?
            .into_iter()
            .map(ServiceCircle)
            .collect())
    }
    /// This city's service centers, filtered and ordered like `Query.centers`.
    async fn centers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions every center must meet; omit for all.")] filter: Option<
            CenterFilter,
        >,
        #[graphql(desc = "Order; the sources' order when omitted.")] order_by: Option<CenterOrder>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page, from the same list.")]
        after: Option<String>,
    ) -> Result<CenterConnection> {
        let cities = Some(vec![ID(self.0.id.clone())]);
        connection::centers(ctx, cities, filter, order_by, first, after).await
    }
    /// This city's function rooms, filtered and ordered like `Query.rooms`.
    async fn rooms(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions every room must meet; omit for all.")] filter: Option<
            RoomFilter,
        >,
        #[graphql(desc = "Order; the sources' order when omitted.")] order_by: Option<RoomOrder>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last edge of the previous page, from the same list.")]
        after: Option<String>,
    ) -> Result<RoomConnection> {
        let cities = Some(vec![ID(self.0.id.clone())]);
        connection::rooms(ctx, cities, filter, order_by, first, after).await
    }
    /// Every organisation the city's sources name with a circle, center or room.
    async fn organisations(&self, ctx: &Context<'_>) -> Result<Vec<Organisation>> {
        organisations(ctx, "city_id", &self.0.id).await
    }
    /// City-wide figures about the centers (investments, averages, counts of centers built).
    async fn indicators(&self, ctx: &Context<'_>) -> Result<Vec<Indicator>> {
        indicators(ctx, &self.0.id).await
    }
    /// The articles this city's dataset was transcribed from.
    async fn sources(&self, ctx: &Context<'_>) -> Result<Vec<Source>> {
        Ok(load::<SourceRow>(ctx, "city_id", &self.0.id)
            .await?
            .into_iter()
            .map(Source)
            .collect())
    }
    /// Every citation in this city's dataset: the complete provenance of its facts, record by
    /// record (by record id), each record's in its own order.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        Ok(load::<CitationRow>(ctx, "city_id", &self.0.id)
            .await?
            .into_iter()
            .map(Citation)
            .collect())
    }
}

/// A count the source states and/or the names it lists. Either may be missing: "7个社区" gives a
/// count without names; a list of communities without a total gives names and a null count.
#[derive(SimpleObject, Clone, Debug, Default)]
pub struct NamedCount {
    /// The count as the source states it; null when it states none (never derived from `names`).
    pub count: Option<Quantity>,
    /// The names the source lists, in its order.
    pub names: Vec<String>,
}

/// A service circle (服务圈): the area a network of centers serves within a travel time.
pub struct ServiceCircle(pub CircleRow);

impl ServiceCircle {
    async fn named_count(&self, ctx: &Context<'_>, kind: &str) -> Result<NamedCount> {
        let counts = load::<CircleCountRow>(ctx, "circle_id", &self.0.id).await?;
        let names = load::<CircleNameRow>(ctx, "circle_id", &self.0.id).await?;
        let count = counts
            .into_iter()
            .find(|c| c.kind == kind)
            .map(|c| QuantityRow {
                value: c.value,
                qualifier: c.qualifier,
                unit: c.unit,
            });
        Ok(NamedCount {
            count: Quantity::from_row(count)?,
            names: names
                .into_iter()
                .filter(|n| n.kind == kind)
                .map(|n| n.name)
                .collect(),
        })
    }
}

/// A service circle (服务圈): the area a network of centers serves within a travel time.
#[Object]
impl ServiceCircle {
    /// Stable id, prefixed by city.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// Chinese name (十五分钟党建服务圈).
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// English name.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
    /// The city it belongs to.
    async fn city(&self, ctx: &Context<'_>) -> Result<Option<City>> {
        Ok(load_by_id::<CityRow>(ctx, &self.0.city_id).await?.map(City))
    }
    /// The travel time the circle promises, in minutes ("15分钟党建服务圈"); null when the
    /// source gives none. How it is travelled is `travelMode`.
    async fn minutes(&self) -> Option<i64> {
        self.0.minutes
    }
    /// How `minutes` are travelled: WALKING when the source says 步行, UNSTATED when it gives
    /// the minutes alone; null with `minutes`.
    async fn travel_mode(&self) -> Result<Option<TravelMode>> {
        self.0
            .travel_mode
            .as_deref()
            .map(|m| code("travel mode", m))
            .transpose()
    }
    /// `minutes` when the source says they are walked (步行); null otherwise, including when it
    /// gives minutes without saying how they are travelled (see `travelMode`).
    async fn walking_minutes(&self) -> Option<i64> {
        self.0.walking_minutes
    }
    /// The centers that anchor or belong to the circle.
    async fn centers(&self, ctx: &Context<'_>) -> Result<Vec<ServiceCenter>> {
        Ok(load::<CenterRow>(ctx, "circle_id", &self.0.id)
            .await?
            .into_iter()
            .map(ServiceCenter)
            .collect())
    }
    /// Communities (社区) covered.
    async fn communities(&self, ctx: &Context<'_>) -> Result<NamedCount> {
        self.named_count(ctx, "communities").await
    }
    /// Residential areas (居民区) covered.
    async fn residential_areas(&self, ctx: &Context<'_>) -> Result<NamedCount> {
        self.named_count(ctx, "residential_areas").await
    }
    /// Villages (村, 行政村) covered.
    async fn villages(&self, ctx: &Context<'_>) -> Result<NamedCount> {
        self.named_count(ctx, "villages").await
    }
    /// Population served; null when the source does not say.
    async fn population(&self) -> Result<Option<Quantity>> {
        Quantity::from_row(self.0.population())
    }
    /// Service items (服务事项) offered across the circle.
    async fn service_items(&self, ctx: &Context<'_>) -> Result<NamedCount> {
        self.named_count(ctx, "service_items").await
    }
    /// Service categories (服务类别) the items are grouped into.
    async fn service_categories(&self, ctx: &Context<'_>) -> Result<NamedCount> {
        self.named_count(ctx, "service_categories").await
    }
    /// The organisations the sources name with it: who built it, who serves in it, which
    /// party branch carries which brand.
    async fn organisations(&self, ctx: &Context<'_>) -> Result<Vec<Organisation>> {
        organisations(ctx, "record_id", &self.0.id).await
    }
    /// Other figures about the circle.
    async fn indicators(&self, ctx: &Context<'_>) -> Result<Vec<Indicator>> {
        indicators(ctx, &self.0.id).await
    }
    /// A transcriber's note on a judgement call (never a fact).
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// Where the circle's facts are stated.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, &self.0.id).await
    }
}

/// One line of a timetable.
#[derive(SimpleObject, Clone, Debug)]
pub struct OpeningHours {
    /// The unit inside the center the line is for, in the source's words (`兆佳巷工作站`); null
    /// for the center's or the room's own hours.
    pub unit: Option<String>,
    /// English rendering of `unit`.
    pub unit_en: Option<String>,
    /// The season the line applies to.
    pub season: Season,
    /// The days it covers; null when the source gives hours without naming days.
    pub days: Option<Vec<Weekday>>,
    /// Opening time, `HH:MM`; null for a 24-hour line.
    pub opens: Option<String>,
    /// Closing time, `HH:MM`; null for a 24-hour line.
    pub closes: Option<String>,
    /// Open around the clock.
    #[graphql(name = "open24h")]
    pub open_24h: bool,
}

impl OpeningHours {
    /// A line as stored (weekday codes comma-separated, times in minutes after midnight), for
    /// no unit.
    fn stored(
        season: &str,
        days: Option<String>,
        opens: Option<i64>,
        closes: Option<i64>,
        open_24h: bool,
    ) -> Result<Self> {
        let days = days
            .map(|d| {
                list(&d)
                    .iter()
                    .map(|d| code::<Weekday>("weekday", d))
                    .collect::<Result<Vec<_>>>()
            })
            .transpose()?;
        Ok(Self {
            unit: None,
            unit_en: None,
            season: code("season", season)?,
            days,
            opens: time(opens),
            closes: time(closes),
            open_24h,
        })
    }
}

/// Someone to contact.
#[derive(SimpleObject, Clone, Debug)]
pub struct Contact {
    /// Name, as published.
    pub name: Option<String>,
    /// Phone number, as published.
    pub phone: Option<String>,
}

/// A party-and-masses service center (党群服务中心).
#[derive(Clone)]
pub struct ServiceCenter(pub CenterRow);

impl ServiceCenter {
    /// The center's timetable lines: its own, or those of its units.
    async fn hours(&self, ctx: &Context<'_>, of_units: bool) -> Result<Vec<OpeningHours>> {
        load::<OpeningHoursRow>(ctx, "center_id", &self.0.id)
            .await?
            .into_iter()
            .filter(|h| h.unit.is_some() == of_units)
            .map(|h| {
                let mut line =
                    OpeningHours::stored(&h.season, h.days, h.opens, h.closes, h.open_24h)?;
                line.unit = h.unit;
                line.unit_en = h.unit_en;
                Ok(line)
            })
            .collect()
    }
}

/// A party-and-masses service center (党群服务中心).
#[Object]
impl ServiceCenter {
    /// Stable id, prefixed by city (`korla/kongque`).
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// Chinese name, as the source gives it.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// English name.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
    /// The city it belongs to.
    async fn city(&self, ctx: &Context<'_>) -> Result<Option<City>> {
        Ok(load_by_id::<CityRow>(ctx, &self.0.city_id).await?.map(City))
    }
    /// The service circle it anchors or belongs to; null when the source names none.
    async fn circle(&self, ctx: &Context<'_>) -> Result<Option<ServiceCircle>> {
        match &self.0.circle_id {
            Some(id) => Ok(load_by_id::<CircleRow>(ctx, id).await?.map(ServiceCircle)),
            None => Ok(None),
        }
    }
    /// Address in Chinese, as published.
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }
    /// English rendering of the address.
    async fn address_en(&self) -> Option<&str> {
        self.0.address_en.as_deref()
    }
    /// Floor area, with the source's qualifier ("超过4000平方米" is AT_LEAST 4000 m²).
    async fn floor_area(&self) -> Result<Option<Quantity>> {
        Quantity::from_row(self.0.floor_area())
    }
    /// The center's own opening hours by season; empty when the source gives none. Hours the
    /// source states for a unit inside the center are in `unitOpeningHours`, not here.
    async fn opening_hours(&self, ctx: &Context<'_>) -> Result<Vec<OpeningHours>> {
        self.hours(ctx, false).await
    }
    /// Whether the center is open at `at` by its own timetable: OPEN, CLOSED, or UNKNOWN where
    /// its sources give no timetable for the season; unknown is not closed. The `openAt`
    /// filter of `centers` keeps exactly the OPEN ones.
    async fn open_at(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The moment: season, weekday and time.")] at: OpenAt,
    ) -> Result<OpenState> {
        let at = at.into_store("at")?;
        let lines = load::<OpeningHoursRow>(ctx, "center_id", &self.0.id).await?;
        Ok(at.state(&lines).into())
    }
    /// Opening hours the source states for units inside the center (兆佳巷工作站), each line
    /// naming its unit; empty when it states none.
    async fn unit_opening_hours(&self, ctx: &Context<'_>) -> Result<Vec<OpeningHours>> {
        self.hours(ctx, true).await
    }
    /// Contacts, as published.
    async fn contacts(&self, ctx: &Context<'_>) -> Result<Vec<Contact>> {
        Ok(load::<ContactRow>(ctx, "center_id", &self.0.id)
            .await?
            .into_iter()
            .map(|c| Contact {
                name: c.name,
                phone: c.phone,
            })
            .collect())
    }
    /// How to get there by public transport, in Chinese.
    async fn transit(&self) -> Option<&str> {
        self.0.transit.as_deref()
    }
    /// English rendering of `transit`.
    async fn transit_en(&self) -> Option<&str> {
        self.0.transit_en.as_deref()
    }
    /// The center's function rooms and spaces, in the source's order.
    async fn rooms(&self, ctx: &Context<'_>) -> Result<Vec<FunctionRoom>> {
        Ok(load::<RoomRow>(ctx, "center_id", &self.0.id)
            .await?
            .into_iter()
            .map(FunctionRoom)
            .collect())
    }
    /// How many function rooms the dataset records for the center.
    async fn room_count(&self, ctx: &Context<'_>) -> Result<i32> {
        let rooms = load::<RoomRow>(ctx, "center_id", &self.0.id).await?;
        Ok(i32::try_from(rooms.len()).unwrap_or(i32::MAX))
    }
    /// Services and functions the source lists for the center.
    async fn service_items(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(load::<ServiceItemRow>(ctx, "center_id", &self.0.id)
            .await?
            .into_iter()
            .map(|s| s.item)
            .collect())
    }
    /// On what terms it serves, as the source states them; empty when it states none.
    async fn terms(&self, ctx: &Context<'_>) -> Result<Vec<ServiceTerm>> {
        terms(ctx, &self.0.id).await
    }
    /// True when a stated term makes it free of charge (FREE, FREE_LOAN), false when its
    /// stated terms all charge, null when the source states no terms: unknown is not free.
    async fn free_of_charge(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        free_of_charge(ctx, &self.0.id).await
    }
    /// The groups it serves, where the source names them; empty when it names none.
    async fn audiences(&self, ctx: &Context<'_>) -> Result<Vec<Audience>> {
        audiences(ctx, &self.0.id).await
    }
    /// The organisations the sources name with it: who built it, who serves in it, which
    /// party branch carries which brand.
    async fn organisations(&self, ctx: &Context<'_>) -> Result<Vec<Organisation>> {
        organisations(ctx, "record_id", &self.0.id).await
    }
    /// Who serves in it, by role, where the source says (staff and volunteers).
    async fn staff(&self, ctx: &Context<'_>) -> Result<Vec<StaffRole>> {
        staff(ctx, &self.0.id).await
    }
    /// Other figures about the center.
    async fn indicators(&self, ctx: &Context<'_>) -> Result<Vec<Indicator>> {
        indicators(ctx, &self.0.id).await
    }
    /// A transcriber's note on a judgement call (never a fact).
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// Where the center's facts are stated.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, &self.0.id).await
    }
}

/// How many people a room holds; either end may be unknown ("上百名" is min 100, max null,
/// AT_LEAST).
#[derive(SimpleObject, Clone, Debug)]
pub struct Capacity {
    /// Fewest people the source gives, or null.
    pub min: Option<i64>,
    /// Most people the source gives, or null.
    pub max: Option<i64>,
    /// How the source words it: EXACT for a plain figure or range ("10—15人"), AT_LEAST for
    /// "上百名", APPROX for "约30人".
    pub qualifier: Qualifier,
}

/// One piece of equipment: the source's words and the canonical tag they map onto.
#[derive(SimpleObject, Clone, Debug)]
pub struct EquipmentItem {
    /// As the source words it (`圆桌`, `免费Wi-Fi`).
    pub name: String,
    /// Canonical tag; null when the vocabulary has none for it.
    pub tag: Option<EquipmentTag>,
}

/// Something that happens in a room again and again.
pub struct Event(pub EventRow);

/// Something that happens in a room again and again.
#[Object]
impl Event {
    /// Chinese name (红色经典影片放映).
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// English name.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
    /// When, in the source's words (夏季每周五20点).
    async fn schedule(&self) -> Option<&str> {
        self.0.schedule.as_deref()
    }
    /// The season it runs in, when the source says.
    async fn season(&self) -> Result<Option<Season>> {
        self.0
            .season
            .as_deref()
            .map(|s| code("season", s))
            .transpose()
    }
    /// The weekday it runs on, when the source says.
    async fn weekday(&self) -> Result<Option<Weekday>> {
        self.0
            .weekday
            .as_deref()
            .map(|s| code("weekday", s))
            .transpose()
    }
    /// Start time, `HH:MM`, when the source says.
    async fn starts_at(&self) -> Option<String> {
        time(self.0.starts_at)
    }
    /// Where it is stated.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, &self.0.id).await
    }
}

/// A function room (功能室) or named space of a center.
#[derive(Clone)]
pub struct FunctionRoom(pub RoomRow);

/// A function room (功能室) or named space of a center.
#[Object]
impl FunctionRoom {
    /// Stable id, prefixed by city (`korla/kongque/legal-consultation`).
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// Chinese name, as the source gives it.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// English name.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
    /// The city it belongs to.
    async fn city(&self, ctx: &Context<'_>) -> Result<Option<City>> {
        Ok(load_by_id::<CityRow>(ctx, &self.0.city_id).await?.map(City))
    }
    /// The center it belongs to.
    async fn center(&self, ctx: &Context<'_>) -> Result<Option<ServiceCenter>> {
        Ok(load_by_id::<CenterRow>(ctx, &self.0.center_id)
            .await?
            .map(ServiceCenter))
    }
    /// Category in the shared taxonomy.
    async fn category(&self) -> Result<RoomCategory> {
        code("room category", &self.0.category)
    }
    /// The category's Chinese label, for chart legends.
    async fn category_name(&self) -> Option<&'static str> {
        model::RoomCategory::parse(&self.0.category).map(|c| c.label_zh())
    }
    /// The category's English label, for chart legends.
    async fn category_name_en(&self) -> Option<&'static str> {
        model::RoomCategory::parse(&self.0.category).map(|c| c.label_en())
    }
    /// What the source says the room is, in Chinese.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// How many people it holds; null when the source gives no capacity.
    async fn capacity(&self) -> Result<Option<Capacity>> {
        if self.0.capacity_min.is_none() && self.0.capacity_max.is_none() {
            return Ok(None);
        }
        let qualifier = self.0.capacity_qualifier.as_deref().unwrap_or("EXACT");
        Ok(Some(Capacity {
            min: self.0.capacity_min,
            max: self.0.capacity_max,
            qualifier: code("qualifier", qualifier)?,
        }))
    }
    /// Equipment as listed by the source, each with its canonical tag.
    async fn equipment(&self, ctx: &Context<'_>) -> Result<Vec<EquipmentItem>> {
        load::<EquipmentRow>(ctx, "room_id", &self.0.id)
            .await?
            .into_iter()
            .map(|e| {
                Ok(EquipmentItem {
                    tag: e
                        .tag
                        .as_deref()
                        .map(|t| code("equipment tag", t))
                        .transpose()?,
                    name: e.name,
                })
            })
            .collect()
    }
    /// What the room is used for, in the source's words.
    async fn uses(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(load::<UseRow>(ctx, "room_id", &self.0.id)
            .await?
            .into_iter()
            .map(|u| u.use_text)
            .collect())
    }
    /// Where the room is, when it is not in the center's own building; null otherwise.
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }
    /// Which floor of the center, in the source's words (一楼).
    async fn floor(&self) -> Option<&str> {
        self.0.floor.as_deref()
    }
    /// True when the source places the space outdoors (false: the source does not say so).
    async fn outdoor(&self) -> bool {
        self.0.outdoor
    }
    /// True when the source says the space or its service runs around the clock.
    #[graphql(name = "open24h")]
    async fn open_24h(&self) -> bool {
        self.0.open_24h
    }
    /// The room's own opening hours by season, where the source states them; empty when it
    /// gives none (a room open around the clock says so in `open24h`).
    async fn opening_hours(&self, ctx: &Context<'_>) -> Result<Vec<OpeningHours>> {
        load::<RoomHoursRow>(ctx, "room_id", &self.0.id)
            .await?
            .into_iter()
            .map(|h| OpeningHours::stored(&h.season, h.days, h.opens, h.closes, h.open_24h))
            .collect()
    }
    /// Recurring events held in the room.
    async fn events(&self, ctx: &Context<'_>) -> Result<Vec<Event>> {
        Ok(load::<EventRow>(ctx, "room_id", &self.0.id)
            .await?
            .into_iter()
            .map(Event)
            .collect())
    }
    /// On what terms it serves, as the source states them; empty when it states none.
    async fn terms(&self, ctx: &Context<'_>) -> Result<Vec<ServiceTerm>> {
        terms(ctx, &self.0.id).await
    }
    /// True when a stated term makes it free of charge (FREE, FREE_LOAN), false when its
    /// stated terms all charge, null when the source states no terms: unknown is not free.
    async fn free_of_charge(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        free_of_charge(ctx, &self.0.id).await
    }
    /// The groups it serves, where the source names them; empty when it names none.
    async fn audiences(&self, ctx: &Context<'_>) -> Result<Vec<Audience>> {
        audiences(ctx, &self.0.id).await
    }
    /// The organisations the sources name with it: who built it, who serves in it, which
    /// party branch carries which brand.
    async fn organisations(&self, ctx: &Context<'_>) -> Result<Vec<Organisation>> {
        organisations(ctx, "record_id", &self.0.id).await
    }
    /// Who serves in it, by role, where the source says (staff and volunteers).
    async fn staff(&self, ctx: &Context<'_>) -> Result<Vec<StaffRole>> {
        staff(ctx, &self.0.id).await
    }
    /// What the room shows that is not equipment (非遗 projects on display), in the source's
    /// words; empty when it names none.
    async fn exhibits(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(load::<ExhibitRow>(ctx, "room_id", &self.0.id)
            .await?
            .into_iter()
            .map(|e| e.exhibit)
            .collect())
    }
    /// Other figures about the room (books held, members…).
    async fn indicators(&self, ctx: &Context<'_>) -> Result<Vec<Indicator>> {
        indicators(ctx, &self.0.id).await
    }
    /// A transcriber's note on a judgement call (never a fact).
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// Where the room's facts are stated.
    async fn citations(&self, ctx: &Context<'_>) -> Result<Vec<Citation>> {
        citations(ctx, &self.0.id).await
    }
}
