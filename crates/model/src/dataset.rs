//! The records of a city dataset, as written in its data file (`data/dataset.toml` in each city
//! crate). Records refer to each other by id; every id starts with the city id and a slash.

use crate::hours::{OpeningHours, Weekday};
use crate::normalise::NormalisationError;
use crate::quantity::{Citation, Quantity};
use crate::taxonomy::RoomCategory;
use crate::validate::{self, ValidationError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A source article embedded in a city crate.
#[derive(Debug, Clone, Copy)]
pub struct Article {
    /// File name, as cited (`000_df422faf2af43df6.txt`).
    pub file: &'static str,
    /// The article as published.
    pub text: &'static str,
    /// Normalisation rules (TOML), for an article that is quoted after normalisation.
    pub normalisation: Option<&'static str>,
}

impl Article {
    /// The text its quotes stand in: the article after its normalisation, where it has one.
    pub fn quoted_text(&self) -> Result<String, DatasetError> {
        crate::validate::article_text(self)
    }
}

/// The district's identity: gazetteer data that names the place, not a transcribed fact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CityInfo {
    /// Lower-case ASCII id, the prefix of every other id in the dataset (`korla`).
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub province: String,
    pub province_en: String,
    /// The part of the city the sources cover (`尖草坪区`), when narrower than the city.
    #[serde(default)]
    pub area: Option<String>,
    #[serde(default)]
    pub area_en: Option<String>,
}

/// An article a dataset was transcribed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// File name in `../shared/seeds`, also the name of the copy inside the city crate.
    pub file: String,
    pub title: String,
    #[serde(default)]
    pub title_en: Option<String>,
    #[serde(default)]
    pub publisher: Option<String>,
    /// ISO 8601 date or date-time with offset, as far as the article gives it.
    #[serde(default)]
    pub published_at: Option<String>,
    /// How the transcriber treated the article (what was skipped, how it was normalised).
    #[serde(default)]
    pub note: Option<String>,
    /// The people the article names as its authors and editors, in its order.
    #[serde(default)]
    pub contributors: Vec<Contributor>,
}

/// What a person named in an article's byline did for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ContributorRole {
    /// 作者.
    Author,
    /// 记者: a staff reporter.
    Reporter,
    /// 通讯员: a correspondent outside the newsroom.
    Correspondent,
    /// 编辑.
    Editor,
    /// 责任编辑 / 责编: the editor answerable for the piece.
    EditorInCharge,
}

impl ContributorRole {
    /// Every role, in the schema's order.
    pub const ALL: [ContributorRole; 5] = [
        Self::Author,
        Self::Reporter,
        Self::Correspondent,
        Self::Editor,
        Self::EditorInCharge,
    ];

    /// The stored and GraphQL name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Author => "AUTHOR",
            Self::Reporter => "REPORTER",
            Self::Correspondent => "CORRESPONDENT",
            Self::Editor => "EDITOR",
            Self::EditorInCharge => "EDITOR_IN_CHARGE",
        }
    }
}

/// A person an article names as an author or editor, and the byline line that names them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contributor {
    /// The name as printed.
    pub name: String,
    pub role: ContributorRole,
    /// The role as the article prints it (`记者`, `责编`).
    pub role_text: String,
    /// The byline, verbatim (after the article's normalisation); it holds both `name` and
    /// `role_text`.
    pub quote: String,
}

/// A number with a name, for figures that have no typed field (investments, counts, averages).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Stable snake_case key, unique within its record (`investment`, `books_held`).
    pub key: String,
    pub name: String,
    pub name_en: String,
    #[serde(default)]
    pub quantity: Option<Quantity>,
    /// A fact that is not a number ("全覆盖"), in the source's words.
    #[serde(default)]
    pub text: Option<String>,
    /// The figure before the change the source states ("由之前的71平方米增加到现在的1050平方米":
    /// `quantity` 1050, `before` 71).
    #[serde(default)]
    pub before: Option<Quantity>,
    /// The date the fact holds or happened, ISO 8601 as far as the source gives it (`2023-07-06`,
    /// `2023-07`, `2017`).
    #[serde(default)]
    pub as_of: Option<String>,
    /// The period the fact covers ("从2017年至今": from `2017`, no `until`).
    #[serde(default)]
    pub period: Option<Period>,
    /// The `compare` figure this number is the source's own claim for, to show beside what
    /// the dataset records ("布局了…16个功能室" where one room is recorded).
    #[serde(default)]
    pub claim: Option<Claim>,
    pub citations: Vec<Citation>,
}

/// What a source's own figure claims, for comparison with the records transcribed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Claim {
    /// Centers built or run (unit `centers`).
    Centers,
    /// Function rooms laid out (unit `rooms`).
    Rooms,
    /// Total floor area (unit `m²`).
    FloorArea,
    /// Average floor area of a center (unit `m²`).
    AverageFloorArea,
}

impl Claim {
    /// Every claim, in the schema's order.
    pub const ALL: [Claim; 4] = [
        Self::Centers,
        Self::Rooms,
        Self::FloorArea,
        Self::AverageFloorArea,
    ];

    /// The stored and GraphQL name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Centers => "CENTERS",
            Self::Rooms => "ROOMS",
            Self::FloorArea => "FLOOR_AREA",
            Self::AverageFloorArea => "AVERAGE_FLOOR_AREA",
        }
    }

    /// The unit the claimed quantity must be in.
    pub fn unit(self) -> &'static str {
        match self {
            Self::Centers => "centers",
            Self::Rooms => "rooms",
            Self::FloorArea | Self::AverageFloorArea => "m²",
        }
    }
}

/// A period, each end ISO 8601 as far as the source gives it; an absent end is open ("至今").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub until: Option<String>,
}

/// A count stated by the source and/or the names it lists. Either may be missing: a source can
/// give "7个社区" without names, or name a few communities without a total.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedCount {
    #[serde(default)]
    pub count: Option<Quantity>,
    #[serde(default)]
    pub names: Vec<String>,
}

impl Circle {
    /// The minutes, when the source says they are walked.
    pub fn walking_minutes(&self) -> Option<u32> {
        self.minutes
            .filter(|_| self.travel_mode == Some(TravelMode::Walking))
    }
}

impl NamedCount {
    pub fn is_empty(&self) -> bool {
        self.count.is_none() && self.names.is_empty()
    }
}

/// How a circle's travel time is covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TravelMode {
    /// The source says on foot (步行).
    Walking,
    /// The source gives the minutes ("15分钟党建服务圈") but not how they are travelled.
    Unstated,
}

impl TravelMode {
    /// The stored and GraphQL name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Walking => "WALKING",
            Self::Unstated => "UNSTATED",
        }
    }
}

/// A service circle (服务圈): the area a network of centers serves within a travel time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Circle {
    pub id: String,
    pub name: String,
    pub name_en: String,
    /// The travel time the circle promises, in minutes ("15分钟").
    #[serde(default)]
    pub minutes: Option<u32>,
    /// How those minutes are travelled; required with `minutes`, `UNSTATED` unless the source
    /// says (a "15分钟服务圈" is not a walking time unless the source says 步行).
    #[serde(default)]
    pub travel_mode: Option<TravelMode>,
    #[serde(default)]
    pub communities: NamedCount,
    #[serde(default)]
    pub residential_areas: NamedCount,
    #[serde(default)]
    pub villages: NamedCount,
    #[serde(default)]
    pub population: Option<Quantity>,
    #[serde(default)]
    pub service_items: NamedCount,
    #[serde(default)]
    pub service_categories: NamedCount,
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    /// A transcriber's note on a judgement call, never a fact.
    #[serde(default)]
    pub note: Option<String>,
    pub citations: Vec<Citation>,
}

/// On what terms a room or center serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TermKind {
    /// 免费, 无偿: free of charge.
    Free,
    /// 免费借用: lent free of charge.
    FreeLoan,
    /// 积分兑换: paid with points earned by volunteering and the like.
    Points,
    /// 租赁计费: rented for a fee.
    Rental,
}

impl TermKind {
    /// Every kind, in the schema's order.
    pub const ALL: [TermKind; 4] = [Self::Free, Self::FreeLoan, Self::Points, Self::Rental];

    /// The stored and GraphQL name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Free => "FREE",
            Self::FreeLoan => "FREE_LOAN",
            Self::Points => "POINTS",
            Self::Rental => "RENTAL",
        }
    }

    /// Whether the term costs its user nothing.
    pub fn is_free(self) -> bool {
        matches!(self, Self::Free | Self::FreeLoan)
    }
}

/// A term a source states for a room or center ("免费借用", "按日租赁计费").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub kind: TermKind,
    /// The source's words; must stand in a quote of the record that supports `terms`.
    pub text: String,
}

/// A group a source says a room or center serves ("环卫工、快递员、外卖骑手").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Audience {
    /// The group in the source's words; must stand in a quote of the record that supports
    /// `audiences`.
    pub group: String,
    pub group_en: String,
    /// The youngest age served, when the source states one ("70周岁以上").
    #[serde(default)]
    pub min_age: Option<u32>,
}

/// What an organisation is to the record it is named with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrganisationRole {
    /// It built the center ("湖东社区党工委…全新打造").
    Builder,
    /// A partner serving in it (a 区域党建联盟单位 such as 园区儿童医院).
    Partner,
    /// A party branch of a community the record serves, named with its brand.
    Branch,
}

impl OrganisationRole {
    /// Every role, in the schema's order.
    pub const ALL: [OrganisationRole; 3] = [Self::Builder, Self::Partner, Self::Branch];

    /// The stored and GraphQL name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Builder => "BUILDER",
            Self::Partner => "PARTNER",
            Self::Branch => "BRANCH",
        }
    }
}

/// An organisation a source names with a circle, a center or a room: who built it, who serves
/// in it, which branch carries which brand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub role: OrganisationRole,
    /// The id of the circle, center or room it is named with.
    pub of: String,
    /// Its brand or project there, in the source's words ("雷锋互助社", "“童彤”党建项目").
    #[serde(default)]
    pub brand: Option<String>,
    pub citations: Vec<Citation>,
}

/// People who serve in a center or room, by role: staff ("专业调解员", "家庭医生") or volunteers
/// ("志愿者").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Staff {
    /// The role in the source's words; must stand in a quote that supports `staff`.
    pub role: String,
    pub role_en: String,
    /// True when the source says they volunteer (志愿者, 志愿服务队).
    #[serde(default)]
    pub volunteer: bool,
}

/// A person or desk to contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// A party-and-masses service center (党群服务中心).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Center {
    pub id: String,
    pub name: String,
    pub name_en: String,
    /// Id of the service circle it anchors or belongs to.
    #[serde(default)]
    pub circle: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub address_en: Option<String>,
    #[serde(default)]
    pub floor_area: Option<Quantity>,
    #[serde(default)]
    pub opening_hours: Vec<OpeningHours>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub transit: Option<String>,
    #[serde(default)]
    pub transit_en: Option<String>,
    #[serde(default)]
    pub service_items: Vec<String>,
    /// On what terms the center serves, as the source states them.
    #[serde(default)]
    pub terms: Vec<Term>,
    /// Whom the center serves, where the source says.
    #[serde(default)]
    pub audiences: Vec<Audience>,
    /// Who serves in it, by role.
    #[serde(default)]
    pub staff: Vec<Staff>,
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    #[serde(default)]
    pub note: Option<String>,
    pub citations: Vec<Citation>,
}

/// A capacity range in people; either end may be unknown ("上百名" is `min = 100`, `AT_LEAST`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    #[serde(default)]
    pub min: Option<u32>,
    #[serde(default)]
    pub max: Option<u32>,
    /// How the source words it: `EXACT` (the default) for a plain figure or range ("10—15人"),
    /// `AT_LEAST` for "上百名", `APPROX` for "约30人".
    #[serde(default)]
    pub qualifier: crate::Qualifier,
}

/// Something that happens in a room again and again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub name: String,
    pub name_en: String,
    /// When, in the source's words (`夏季每周五20点`).
    #[serde(default)]
    pub schedule: Option<String>,
    #[serde(default)]
    pub season: Option<crate::Season>,
    #[serde(default)]
    pub weekday: Option<Weekday>,
    #[serde(default)]
    pub starts_at: Option<crate::TimeOfDay>,
    pub citations: Vec<Citation>,
}

/// A function room (功能室) or named space of a center.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Room {
    pub id: String,
    /// Id of the center it belongs to.
    pub center: String,
    pub name: String,
    pub name_en: String,
    pub category: RoomCategory,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub capacity: Option<Capacity>,
    /// Equipment as the source words it, one item per entry.
    #[serde(default)]
    pub equipment: Vec<String>,
    #[serde(default)]
    pub uses: Vec<String>,
    /// Where the room is when it is not in the center's own building.
    #[serde(default)]
    pub address: Option<String>,
    /// Which floor of the center, in the source's words (`一楼`).
    #[serde(default)]
    pub floor: Option<String>,
    /// True when the source places the space outdoors.
    #[serde(default)]
    pub outdoor: bool,
    /// True when the source says the space or its service runs around the clock.
    #[serde(default)]
    pub open_24h: bool,
    /// The room's own timetable, where the source states one; lines name no unit.
    #[serde(default)]
    pub opening_hours: Vec<OpeningHours>,
    #[serde(default)]
    pub events: Vec<Event>,
    /// On what terms the room serves, as the source states them.
    #[serde(default)]
    pub terms: Vec<Term>,
    /// Whom the room serves, where the source says.
    #[serde(default)]
    pub audiences: Vec<Audience>,
    /// Who serves in it, by role.
    #[serde(default)]
    pub staff: Vec<Staff>,
    /// What the room shows that is not equipment (非遗 projects on display), in the source's
    /// words.
    #[serde(default)]
    pub exhibits: Vec<String>,
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    #[serde(default)]
    pub note: Option<String>,
    pub citations: Vec<Citation>,
}

/// Everything one city's sources say, as transcribed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CityDataset {
    pub city: CityInfo,
    /// The articles transcribed; none yet in a city `dangqun new-city` has just created.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// Figures about the city's centers as a whole (investments, counts of centers built…).
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    #[serde(default)]
    pub circles: Vec<Circle>,
    #[serde(default)]
    pub centers: Vec<Center>,
    #[serde(default)]
    pub rooms: Vec<Room>,
    #[serde(default)]
    pub organisations: Vec<Organisation>,
    /// SHA-256 of the data file, hex; filled in by [`CityDataset::parse`].
    #[serde(skip)]
    pub content_hash: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("the dataset file does not parse: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("the normalisation rules of {file} are invalid: {source}")]
    Normalisation {
        file: String,
        #[source]
        source: NormalisationError,
    },
    #[error("the dataset is invalid:\n{}", list(.0))]
    Invalid(Vec<ValidationError>),
}

fn list(errors: &[ValidationError]) -> String {
    errors
        .iter()
        .map(|e| format!("  - {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl CityDataset {
    /// Parses a data file without validating it.
    pub fn parse(toml_text: &str) -> Result<Self, DatasetError> {
        let mut dataset: Self = toml::from_str(toml_text)?;
        dataset.content_hash = format!("{:x}", Sha256::digest(toml_text.as_bytes()));
        Ok(dataset)
    }

    /// Parses, validates, and checks every quote against the articles.
    pub fn load(toml_text: &str, articles: &[Article]) -> Result<Self, DatasetError> {
        let dataset = Self::parse(toml_text)?;
        let mut errors = dataset.validate();
        errors.extend(validate::check_quotes(&dataset, articles)?);
        if errors.is_empty() {
            Ok(dataset)
        } else {
            Err(DatasetError::Invalid(errors))
        }
    }

    /// Structural checks: ids unique and prefixed by the city, references resolve, ranges
    /// ordered, every populated field cited. Returns every problem found, not just the first.
    pub fn validate(&self) -> Vec<ValidationError> {
        validate::validate(self)
    }

    /// How many citations the dataset holds, on records, indicators, events and organisations
    /// alike (see [`CityDataset::cited`]).
    pub fn citation_count(&self) -> usize {
        self.cited().iter().map(|(_, list)| list.len()).sum()
    }

    /// Every list of citations in the dataset, with the record it belongs to as errors name
    /// it (`korla/kongque`, `korla indicator `goal``, `… event `…``): records, indicators,
    /// events and organisations. The one walk over them that counting, the quote check and the
    /// coverage report share.
    pub fn cited(&self) -> Vec<(String, &[Citation])> {
        fn indicators<'a>(
            out: &mut Vec<(String, &'a [Citation])>,
            owner: &str,
            list: &'a [Indicator],
        ) {
            for i in list {
                out.push((format!("{owner} indicator `{}`", i.key), &i.citations));
            }
        }
        let mut out = Vec::new();
        indicators(&mut out, &self.city.id, &self.indicators);
        for c in &self.circles {
            out.push((c.id.clone(), c.citations.as_slice()));
            indicators(&mut out, &c.id, &c.indicators);
        }
        for c in &self.centers {
            out.push((c.id.clone(), c.citations.as_slice()));
            indicators(&mut out, &c.id, &c.indicators);
        }
        for r in &self.rooms {
            out.push((r.id.clone(), r.citations.as_slice()));
            indicators(&mut out, &r.id, &r.indicators);
            for e in &r.events {
                out.push((format!("{} event `{}`", r.id, e.name), &e.citations));
            }
        }
        for o in &self.organisations {
            out.push((o.id.clone(), o.citations.as_slice()));
        }
        out
    }
}
