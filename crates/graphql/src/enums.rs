//! The schema's enums. Each mirrors a `model` vocabulary value for value (a test holds them
//! together), and each value is documented in Chinese and English for GraphiQL readers.

use async_graphql::{Enum, EnumType};

/// Looks a schema enum value up by its SCREAMING_CASE code, as stored in a district.
pub(crate) fn from_code<E: EnumType>(code: &str) -> Option<E> {
    E::items()
        .iter()
        .find(|item| item.name == code)
        .map(|item| item.value)
}

/// How a number relates to the truth, as its source words it.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum Qualifier {
    /// 准确值 — stated plainly by the source ("400平方米").
    Exact,
    /// 约数 — approximately ("约2000", "近1万").
    Approx,
    /// 至少 — at least ("超过4000", "逾5000", "上百名", "500余册").
    AtLeast,
    /// 至多 — at most ("不超过", "以内").
    AtMost,
}

/// The part of the year a schedule applies to.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum Season {
    /// 夏季 — summer.
    Summer,
    /// 冬季 — winter.
    Winter,
    /// 全年 — the whole year (one schedule).
    AllYear,
}

/// What a person named in an article's byline did for it.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ContributorRole {
    /// 作者 — author.
    Author,
    /// 记者 — staff reporter.
    Reporter,
    /// 通讯员 — correspondent outside the newsroom.
    Correspondent,
    /// 编辑 — editor.
    Editor,
    /// 责任编辑 / 责编 — the editor answerable for the piece.
    EditorInCharge,
}

/// What an organisation is to the record it is named with.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OrganisationRole {
    /// 建设者 — it built the center.
    Builder,
    /// 共建单位 — a partner serving in it (a 区域党建联盟单位).
    Partner,
    /// 党支部 — a party branch of a community it serves, named with its brand.
    Branch,
}

/// On what terms a center or room serves.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum TermKind {
    /// 免费, 无偿 — free of charge.
    Free,
    /// 免费借用 — lent free of charge.
    FreeLoan,
    /// 积分兑换 — paid with points earned by volunteering and the like.
    Points,
    /// 租赁计费 — rented for a fee.
    Rental,
}

/// The `compare` figure a source's own number speaks to.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ClaimFigure {
    /// Centers built or run.
    Centers,
    /// Function rooms laid out.
    Rooms,
    /// Total floor area.
    FloorArea,
    /// Average floor area of a center.
    AverageFloorArea,
}

/// Whether a center is open at a moment, by its own timetable.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OpenState {
    /// A line of its timetable has it open then.
    Open,
    /// Its timetable covers the day and not the time, or names other days.
    Closed,
    /// Its sources give no timetable for the season (or, with `requireNamedDays`, only lines
    /// naming no day): not known, which is not closed.
    Unknown,
}

impl From<store::OpenState> for OpenState {
    fn from(state: store::OpenState) -> Self {
        match state {
            store::OpenState::Open => Self::Open,
            store::OpenState::Closed => Self::Closed,
            store::OpenState::Unknown => Self::Unknown,
        }
    }
}

/// A reference style for `Source.citation`.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum CitationStyle {
    /// GB/T 7714-2015 (信息与文献 参考文献著录规则), as an online work: `作者. 题名[EB/OL]. 出版者, 日期.`
    #[graphql(name = "GBT7714")]
    GbT7714,
    /// APA, 7th edition, the English title in brackets after the Chinese.
    Apa,
    /// A BibTeX `@misc` entry (with biblatex's `date`).
    Bibtex,
    /// One CSL-JSON item (Zotero, Mendeley, pandoc), as a JSON text.
    CslJson,
}

impl From<CitationStyle> for model::cite::Style {
    fn from(style: CitationStyle) -> Self {
        match style {
            CitationStyle::GbT7714 => Self::GbT7714,
            CitationStyle::Apa => Self::Apa,
            CitationStyle::Bibtex => Self::Bibtex,
            CitationStyle::CslJson => Self::CslJson,
        }
    }
}

/// How a service circle's minutes are travelled.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum TravelMode {
    /// 步行 — on foot, as the source says.
    Walking,
    /// 未说明 — the source gives the minutes ("15分钟党建服务圈") but not how they are travelled.
    Unstated,
}

/// A day of the week.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum Weekday {
    /// 周一 — Monday.
    Monday,
    /// 周二 — Tuesday.
    Tuesday,
    /// 周三 — Wednesday.
    Wednesday,
    /// 周四 — Thursday.
    Thursday,
    /// 周五 — Friday.
    Friday,
    /// 周六 — Saturday.
    Saturday,
    /// 周日 — Sunday.
    Sunday,
}

/// What a function room (功能室) is for; one category per room, assigned from its name and uses.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum RoomCategory {
    /// 政务与便民服务 — Government & convenience services (service halls, workstations).
    GovernmentServices,
    /// 党员教育 — Party education (party history halls, exhibitions).
    PartyEducation,
    /// 议事协商与调解 — Deliberation & mediation (residents' councils, liaison stations).
    DeliberationMediation,
    /// 法律服务 — Legal aid (legal consultation, mediation of disputes).
    LegalAid,
    /// 文化艺术 — Culture & arts (calligraphy, dance, cinema, heritage).
    CultureArts,
    /// 阅读 — Reading (libraries, reading rooms).
    Reading,
    /// 体育健身 — Sports & fitness.
    SportsFitness,
    /// 养老服务 — Elderly care (day care, meal points).
    ElderlyCare,
    /// 儿童与家庭 — Children & family (after-school classes, mother-and-baby rooms).
    ChildrenFamily,
    /// 青少年 — Youth.
    Youth,
    /// 健康 — Health (health checks, rehabilitation, counselling).
    Health,
    /// 生活服务 — Daily-life services (tools, washing, points supermarkets, cafés).
    DailyLife,
    /// 多功能 — Multipurpose.
    Multipurpose,
}

/// Canonical equipment vocabulary; raw equipment text maps onto it, the raw text is kept.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum EquipmentTag {
    /// 空调 — Air conditioner.
    AirConditioner,
    /// 投影 — Projector.
    Projector,
    /// 电脑 — Computer.
    Computer,
    /// 打印机 — Printer.
    Printer,
    /// 复印机 — Copier.
    Copier,
    /// 音响 — Sound system.
    SoundSystem,
    /// 话筒 — Microphone.
    Microphone,
    /// 电视 — TV.
    Tv,
    /// 显示屏 — Display screen (electronic and publicity screens).
    DisplayScreen,
    /// 饮水机 — Water dispenser (and free drinking water).
    WaterDispenser,
    /// 图书 — Books.
    Books,
    /// 报刊杂志 — Newspapers & magazines.
    NewspapersMagazines,
    /// 无线网络 — Wi-Fi.
    Wifi,
    /// 桌椅家具 — Tables, seating & shelves.
    Furniture,
    /// 文具与书画用品 — Stationery & art supplies.
    Stationery,
    /// 教学用具 — Teaching aids (blackboards).
    TeachingAids,
    /// 棋类与玩具 — Games & toys.
    GamesToys,
    /// 健身器材 — Fitness equipment.
    FitnessEquipment,
    /// 康复器材 — Rehabilitation equipment.
    RehabilitationEquipment,
    /// 健康检测设备 — Health-check devices.
    HealthCheck,
    /// 工具 — Tools.
    Tools,
    /// 农机具 — Agricultural machinery.
    AgriculturalMachinery,
    /// 清洗设备 — Cleaning equipment.
    CleaningEquipment,
    /// 自助服务设备 — Self-service terminal.
    SelfServiceTerminal,
    /// 手机充电 — Phone charging.
    PhoneCharging,
    /// 自动售货机 — Vending machine.
    VendingMachine,
    /// 展陈 — Exhibition displays.
    Exhibition,
}

/// The code a schema enum value is stored under in a district.
pub(crate) fn to_code<E: EnumType + PartialEq>(value: E) -> &'static str {
    E::items()
        .iter()
        .find(|item| item.value == value)
        .map_or("", |item| item.name)
}

/// The enums of `compare`'s figures serialise as their schema names (`CULTURE_ARTS`), so the
/// compiled `compare` (`compare::Compiled`) writes what the resolvers write.
macro_rules! serialize_as_schema_name {
    ($($ty:ty),*) => {$(
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(to_code(*self))
            }
        }
    )*};
}
serialize_as_schema_name!(Qualifier, Season, RoomCategory, EquipmentTag);

/// Which way a list runs. Unknown values come last either way; ties are broken by id, ascending.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum Direction {
    /// 升序 — smallest first (A→Z, code-point order for Chinese text).
    #[default]
    Asc,
    /// 降序 — largest first.
    Desc,
}

/// What rooms are ordered by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum RoomOrderField {
    /// 原文顺序 — city by city in the service's order, each city's rooms in its sources' order.
    #[default]
    Source,
    /// 容纳人数 — the most people the room holds: the source's upper figure, or its lower one when
    /// it gives only that ("上百名" sorts as 100). Rooms without a capacity come last.
    Capacity,
    /// 名称 — the Chinese name, by code point.
    Name,
    /// 城市 — the city id.
    City,
    /// 类别 — the category code.
    Category,
}

/// What service centers are ordered by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum CenterOrderField {
    /// 原文顺序 — city by city in the service's order, each city's centers in its sources' order.
    #[default]
    Source,
    /// 建筑面积 — the stated floor area, whatever its qualifier; centers without one come last.
    FloorArea,
    /// 功能室数量 — how many rooms the dataset records for the center.
    RoomCount,
    /// 总容纳人数 — the sum of its rooms' capacities as `CAPACITY` reads them; centers none of whose
    /// rooms states one come last.
    TotalCapacity,
    /// 名称 — the Chinese name, by code point.
    Name,
}

/// What kind of record a search hit leads to.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum SearchKind {
    /// 党群服务中心 — a service center.
    Center,
    /// 功能室 — a function room.
    Room,
    /// 服务圈 — a service circle.
    Circle,
    /// 城市 — a city (its city-wide figures).
    City,
}

/// Which text of a record matched a search.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum SearchField {
    /// 名称 — the name, Chinese or English.
    Name,
    /// 地址 — the address, Chinese or English.
    Address,
    /// 用途 — a use of a room.
    Use,
    /// 设备 — an equipment item of a room, as the source words it.
    Equipment,
    /// 覆盖名单 — a name a circle lists (a community, village, service item…).
    Coverage,
    /// 类别 — a room's category, by its Chinese or English label ("Legal aid").
    Category,
    /// 设备类别 — the tag of a room's equipment, by its Chinese or English label ("Projector").
    EquipmentTag,
    /// 引文 — a quoted sentence of a citation of the record (or of its figures and events) that
    /// no other record cites.
    Quote,
    /// 共有引文 — a quoted sentence the record shares with other records (one sentence naming
    /// several rooms): it says least about each, and ranks last.
    SharedQuote,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes<E: EnumType>() -> Vec<&'static str> {
        E::items().iter().map(|i| i.name).collect()
    }

    #[test]
    fn schema_enums_mirror_the_model_vocabularies() {
        let model_codes = |all: &[&'static str]| all.to_vec();
        assert_eq!(
            codes::<RoomCategory>(),
            model_codes(
                &model::RoomCategory::ALL
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
            )
        );
        assert_eq!(
            codes::<EquipmentTag>(),
            model_codes(
                &model::EquipmentTag::ALL
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
            )
        );
        assert_eq!(
            codes::<Weekday>(),
            model::Weekday::ALL.map(|d| d.as_str()).to_vec()
        );
        for s in [
            model::Season::Summer,
            model::Season::Winter,
            model::Season::AllYear,
        ] {
            assert!(from_code::<Season>(s.as_str()).is_some());
        }
        assert_eq!(
            codes::<TravelMode>(),
            [model::TravelMode::Walking, model::TravelMode::Unstated].map(|m| m.as_str())
        );
        assert_eq!(
            codes::<ContributorRole>(),
            model::ContributorRole::ALL.map(|r| r.as_str())
        );
        assert_eq!(
            codes::<OrganisationRole>(),
            model::OrganisationRole::ALL.map(|r| r.as_str())
        );
        assert_eq!(
            codes::<TermKind>(),
            model::TermKind::ALL.map(|k| k.as_str())
        );
        // Every field the index stores is in the schema, and no other.
        let mut stored: Vec<&str> = store::SEARCH_FIELDS.iter().map(|(f, _)| *f).collect();
        stored.sort_unstable();
        let mut listed = codes::<SearchField>();
        listed.sort_unstable();
        assert_eq!(listed, stored);
        assert_eq!(
            codes::<ClaimFigure>(),
            model::Claim::ALL.map(|c| c.as_str())
        );
        for q in ["EXACT", "APPROX", "AT_LEAST", "AT_MOST"] {
            assert_eq!(model::Qualifier::parse(q).map(|q| q.as_str()), Some(q));
            assert!(from_code::<Qualifier>(q).is_some());
        }
    }
}
