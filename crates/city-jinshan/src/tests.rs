use super::*;
use model::{CityDataset, Qualifier, Quantity, RoomCategory};

const BYLINE: &str = "作者:";

fn d() -> CityDataset {
    dataset().unwrap_or_else(|e| panic!("{e}"))
}

fn room<'a>(d: &'a CityDataset, name: &str) -> &'a model::Room {
    d.rooms
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no room named {name}"))
}

fn assert_quantity(q: Option<&Quantity>, value: f64, qualifier: Qualifier, unit: &str) {
    let q = q.expect("quantity is set");
    assert_eq!(q.value, value);
    assert_eq!(q.qualifier, qualifier);
    assert_eq!(q.unit, unit);
}

fn indicator_quotes(list: &[model::Indicator]) -> impl Iterator<Item = &str> {
    list.iter()
        .flat_map(|i| i.citations.iter().map(|c| c.quote.as_str()))
}

/// Every citation of the dataset, on records, indicators and events alike.
fn all_quotes(d: &CityDataset) -> Vec<&str> {
    let mut quotes: Vec<&str> = indicator_quotes(&d.indicators).collect();
    for c in &d.circles {
        quotes.extend(c.citations.iter().map(|c| c.quote.as_str()));
        quotes.extend(indicator_quotes(&c.indicators));
    }
    for c in &d.centers {
        quotes.extend(c.citations.iter().map(|c| c.quote.as_str()));
        quotes.extend(indicator_quotes(&c.indicators));
    }
    for r in &d.rooms {
        quotes.extend(r.citations.iter().map(|c| c.quote.as_str()));
        quotes.extend(indicator_quotes(&r.indicators));
        for e in &r.events {
            quotes.extend(e.citations.iter().map(|c| c.quote.as_str()));
        }
    }
    quotes
}

#[test]
fn dataset_loads_validates_and_every_quote_is_verbatim() {
    let d = dataset().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.city.id, "jinshan");
}

#[test]
fn one_center_with_its_address_area_and_circle() {
    let d = d();
    assert_eq!(d.centers.len(), 1);
    let c = &d.centers[0];
    assert_eq!(c.id, "jinshan/zhujing");
    assert_eq!(c.name, "朱泾镇社区党群服务中心");
    assert_eq!(c.address.as_deref(), Some("金山区朱泾镇人民路360号"));
    assert_quantity(c.floor_area.as_ref(), 5000.0, Qualifier::Exact, "m²");
    assert_eq!(c.circle.as_deref(), Some("jinshan/zhujing-15min"));
    assert!(c.opening_hours.is_empty(), "the article gives no hours");
    assert!(c.contacts.is_empty(), "the article gives no contacts");
    assert_eq!(
        c.service_items,
        ["党务", "政务", "生活", "教育", "就业", "健康", "文体"]
    );
}

#[test]
fn center_indicators() {
    let d = d();
    let c = &d.centers[0];
    let ind = |key: &str| {
        c.indicators
            .iter()
            .find(|i| i.key == key)
            .unwrap_or_else(|| panic!("no indicator {key}"))
    };
    assert_quantity(
        ind("rooms_converted").quantity.as_ref(),
        23.0,
        Qualifier::Exact,
        "rooms",
    );
    assert_quantity(
        ind("questionnaires_issued").quantity.as_ref(),
        1500.0,
        Qualifier::AtLeast,
        "questionnaires",
    );
    assert_eq!(ind("renovation_duration").text.as_deref(), Some("半年多"));
    assert_eq!(ind("opened_on").text.as_deref(), Some("7月6日正式启用"));
    assert_eq!(ind("opened_on").as_of.as_deref(), Some("2023-07-06"));
    let renovation = ind("renovation_duration")
        .quantity
        .as_ref()
        .expect("a duration");
    assert_eq!(
        (
            renovation.value,
            renovation.qualifier,
            renovation.unit.as_str()
        ),
        (6.0, Qualifier::AtLeast, "months")
    );
    assert!(
        ind("service_system")
            .text
            .as_deref()
            .is_some_and(|t| t.contains("“1+1+X”"))
    );
}

#[test]
fn the_fifteen_minute_circle() {
    let d = d();
    assert_eq!(d.circles.len(), 1);
    let c = &d.circles[0];
    assert_eq!(c.id, "jinshan/zhujing-15min");
    assert_eq!(c.name, "15分钟党群服务圈");
    // "15分钟…服务圈": the minutes, not how they are travelled (never 步行).
    assert_eq!(c.minutes, Some(15));
    assert_eq!(c.travel_mode, Some(model::TravelMode::Unstated));
    assert_eq!(c.walking_minutes(), None);
    assert_quantity(
        c.service_categories.count.as_ref(),
        6.0,
        Qualifier::Exact,
        "categories",
    );
    assert_quantity(
        c.service_items.count.as_ref(),
        80.0,
        Qualifier::Exact,
        "service items",
    );
    assert_quantity(
        c.residential_areas.count.as_ref(),
        19.0,
        Qualifier::Exact,
        "residential areas",
    );
    assert_quantity(
        c.villages.count.as_ref(),
        11.0,
        Qualifier::Exact,
        "administrative villages",
    );
    assert!(c.population.is_none(), "the article gives no population");
    assert!(c.communities.is_empty());
    assert!(
        c.indicators
            .iter()
            .any(|i| i.text.as_deref() == Some("360党群‘泾’服务"))
    );
}

#[test]
fn rooms_floors_and_the_24_hour_station() {
    let d = d();
    assert_eq!(d.rooms.len(), 10);
    assert!(d.rooms.iter().all(|r| r.center == "jinshan/zhujing"));
    assert!(
        d.rooms.iter().all(|r| r.capacity.is_none()),
        "the article gives no capacities"
    );
    assert!(d.rooms.iter().all(|r| !r.outdoor));

    let open_24h: Vec<&str> = d
        .rooms
        .iter()
        .filter(|r| r.open_24h)
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(open_24h, ["爱心接力站"]);

    let station = room(&d, "爱心接力站");
    assert_eq!(station.category, RoomCategory::DailyLife);
    assert!(station.equipment.iter().any(|e| e.contains("一网通办")));
    assert!(station.equipment.iter().any(|e| e.contains("茶水")));

    assert_eq!(room(&d, "智慧健康驿站").floor.as_deref(), Some("一楼"));
    assert_eq!(room(&d, "温馨母婴室").floor.as_deref(), Some("一楼"));
    assert_eq!(room(&d, "非遗展厅").floor.as_deref(), Some("三楼"));
    let floored = d.rooms.iter().filter(|r| r.floor.is_some()).count();
    assert_eq!(floored, 3, "only three spaces have a floor in the article");

    assert_eq!(room(&d, "市民健身驿站").equipment, ["跑步机", "杠铃"]);
    assert_eq!(room(&d, "社区图书馆").category, RoomCategory::Reading);

    let studios = room(&d, "非遗传承人工作室");
    assert_eq!(studios.events.len(), 1);
    assert_eq!(studios.events[0].schedule.as_deref(), Some("定期"));
}

#[test]
fn every_room_name_is_in_the_article() {
    let d = d();
    let text = ARTICLES[0].text;
    for r in &d.rooms {
        // The studios are named by the source as 朱泾非遗传承人的工作室; all others verbatim.
        if r.name == "非遗传承人工作室" {
            assert!(text.contains("非遗传承人的工作室"));
        } else {
            assert!(text.contains(r.name.as_str()), "{}", r.name);
        }
    }
}

#[test]
fn no_quote_comes_from_after_the_byline() {
    let d = d();
    let text = ARTICLES[0].text;
    let byline = text.find(BYLINE).expect("the article has a byline");
    assert!(text[byline..].starts_with("作者:\n\n沈欢琳"));
    let quotes = all_quotes(&d);
    assert_eq!(quotes.len(), d.citation_count());
    assert_eq!(d.citation_count(), 36);
    for q in quotes {
        let at = text
            .find(q)
            .unwrap_or_else(|| panic!("quote not in article: {q}"));
        assert!(
            at + q.len() <= byline,
            "quote runs past the byline (starts at byte {at}, byline at {byline}): {q}"
        );
    }
}

#[test]
fn the_idea_the_town_and_the_resident_are_held() {
    let d = d();
    let text_of = |list: &[model::Indicator], key: &str| {
        list.iter()
            .find(|i| i.key == key)
            .and_then(|i| i.text.clone())
    };
    assert_eq!(
        text_of(&d.indicators, "old_county_seat").as_deref(),
        Some("朱泾是金山老县城所在地")
    );
    assert_eq!(
        text_of(&d.centers[0].indicators, "service_idea").as_deref(),
        Some("人民路上建阵地,建好阵地为人民")
    );
    assert_eq!(
        text_of(&room(&d, "智慧健康驿站").indicators, "resident_quoted").as_deref(),
        Some("家住附近临源二村的王老伯")
    );
}

#[test]
fn the_byline_names_two_authors_and_two_editors() {
    let d = d();
    let people: Vec<_> = d.sources[0]
        .contributors
        .iter()
        .map(|k| (k.name.as_str(), k.role.as_str(), k.role_text.as_str()))
        .collect();
    assert_eq!(
        people,
        [
            ("沈欢琳", "AUTHOR", "作者"),
            ("薄小波", "AUTHOR", "作者"),
            ("徐晶卉", "EDITOR", "编辑"),
            ("戎兵", "EDITOR_IN_CHARGE", "责任编辑"),
        ]
    );
}

#[test]
fn free_rooms_and_whom_they_serve() {
    let d = d();
    let relay = room(&d, "爱心接力站");
    assert_eq!(
        relay
            .terms
            .iter()
            .map(|t| (t.kind, t.text.as_str()))
            .collect::<Vec<_>>(),
        [
            (model::TermKind::Free, "24小时免费开放"),
            (model::TermKind::Free, "免费的茶水")
        ]
    );
    assert_eq!(
        relay.audiences[0].group,
        "环卫工、快递员、外卖骑手等新业态、新就业群体"
    );
    assert_eq!(room(&d, "儿童友好空间").audiences[0].group, "小朋友");
    assert_eq!(room(&d, "温馨母婴室").audiences[0].group, "妈妈们");
    assert_eq!(
        room(&d, "智慧健康驿站").terms[0].text,
        "免费为居民提供体质测试和健康检测服务"
    );
}

#[test]
fn the_heritage_hall_shows_five_projects_and_the_health_station_has_family_doctors() {
    let d = d();
    assert_eq!(
        room(&d, "非遗展厅").exhibits,
        ["朱泾花灯", "钹子书", "邵氏推拿", "古琴", "串码灯"]
    );
    // Exhibits, not equipment, and not an indicator as well.
    assert!(room(&d, "非遗展厅").equipment.is_empty());
    assert!(room(&d, "非遗展厅").indicators.is_empty());
    let staff = &room(&d, "智慧健康驿站").staff;
    assert_eq!(
        staff
            .iter()
            .map(|s| (s.role.as_str(), s.volunteer))
            .collect::<Vec<_>>(),
        [("家庭医生", false)]
    );
}

/// The 23 rooms the renovation freed, the article's own count beside the rooms transcribed.
#[test]
fn claims() {
    let d = dataset().unwrap_or_else(|e| panic!("{e}"));
    let claims: Vec<(&str, model::Claim, f64)> = d
        .centers
        .iter()
        .flat_map(|c| c.indicators.iter())
        .filter_map(|i| Some((i.key.as_str(), i.claim?, i.quantity.as_ref()?.value)))
        .collect();
    assert_eq!(claims, [("rooms_converted", model::Claim::Rooms, 23.0)]);
    assert_eq!(d.rooms.len(), 10);
}
