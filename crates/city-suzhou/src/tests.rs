use super::*;
use model::{
    CityDataset, EquipmentTag, Indicator, OrganisationRole, Qualifier, Quantity, Room,
    RoomCategory, Season, TimeOfDay, Weekday,
};

#[test]
fn dataset_loads_validates_and_every_quote_is_verbatim() {
    let d = dataset().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.city.id, "suzhou");
}

fn load() -> CityDataset {
    dataset().unwrap_or_else(|e| panic!("{e}"))
}

fn room<'a>(d: &'a CityDataset, id: &str) -> &'a Room {
    d.rooms
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no room {id}"))
}

fn indicator<'a>(list: &'a [Indicator], key: &str) -> &'a Indicator {
    list.iter()
        .find(|i| i.key == key)
        .unwrap_or_else(|| panic!("no indicator {key}"))
}

fn quantity(i: &Indicator) -> &Quantity {
    i.quantity
        .as_ref()
        .unwrap_or_else(|| panic!("indicator {} has no quantity", i.key))
}

fn article() -> &'static str {
    ARTICLES[0].text
}

#[test]
fn counts_of_records() {
    let d = load();
    assert_eq!(d.sources.len(), 1);
    assert_eq!(d.circles.len(), 1);
    assert_eq!(d.centers.len(), 1);
    assert_eq!(d.rooms.len(), 13);
    assert!(d.rooms.iter().all(|r| r.center == "suzhou/zhaojiaxiang"));
    assert_eq!(d.citation_count(), 46);
}

#[test]
fn center_area_hours_and_services() {
    let d = load();
    let c = &d.centers[0];
    assert_eq!(c.id, "suzhou/zhaojiaxiang");
    assert_eq!(c.name, "兆佳巷区域党群服务中心");
    assert_eq!(c.circle.as_deref(), Some("suzhou/zhaojiaxiang-yizhanduoju"));
    assert_eq!(c.address, None, "the article gives no address");
    assert!(c.contacts.is_empty());

    let area = c.floor_area.as_ref().expect("floor area");
    assert_eq!(area.value, 2000.0);
    assert_eq!(area.qualifier, Qualifier::Approx);
    assert_eq!(area.unit, "m²");

    // The one timetable is the workstation's, inside the center; the center's own hours are
    // not stated.
    assert_eq!(c.opening_hours.len(), 1);
    let h = &c.opening_hours[0];
    assert_eq!(h.unit.as_deref(), Some("兆佳巷工作站"));
    assert_eq!(h.unit_en.as_deref(), Some("Zhaojiaxiang workstation"));
    assert!(c.opening_hours.iter().all(|h| h.unit.is_some()));
    assert_eq!(h.season, Season::AllYear);
    assert_eq!(h.days.as_deref(), Some(&Weekday::ALL[..]));
    assert_eq!(h.opens, TimeOfDay::parse("09:00"));
    assert_eq!(h.closes, TimeOfDay::parse("21:00"));
    assert!(!h.open_24h);
    assert!(
        c.note
            .as_deref()
            .is_some_and(|n| n.contains("兆佳巷工作站")),
        "the hours are the workstation's and the note must say so"
    );

    for item in [
        "党员服务",
        "志愿服务",
        "文体服务",
        "便民服务",
        "亲子服务",
        "党团",
        "就业",
        "退管",
        "计生",
    ] {
        assert!(c.service_items.iter().any(|s| s == item), "{item}");
    }
    assert_eq!(c.service_items.len(), 9);

    let park = quantity(indicator(&c.indicators, "liaison_office_ordinal_park"));
    assert_eq!((park.value, park.qualifier), (15.0, Qualifier::Exact));
    let hudong = quantity(indicator(&c.indicators, "liaison_office_ordinal_hudong"));
    assert_eq!((hudong.value, hudong.qualifier), (6.0, Qualifier::Exact));
    assert_eq!(
        indicator(&c.indicators, "into_use").text.as_deref(),
        Some("今年7月份改建后投入使用")
    );
}

#[test]
fn circle_is_the_workstations_coverage() {
    let d = load();
    let c = &d.circles[0];
    assert_eq!(c.id, "suzhou/zhaojiaxiang-yizhanduoju");
    assert_eq!((c.minutes, c.travel_mode), (None, None));

    let communities = c.communities.count.as_ref().expect("communities");
    assert_eq!(communities.value, 7.0);
    assert_eq!(communities.qualifier, Qualifier::Exact);
    assert_eq!(communities.unit, "communities");

    let population = c.population.as_ref().expect("population");
    assert_eq!(population.value, 60000.0);
    assert_eq!(population.qualifier, Qualifier::Exact);
    assert_eq!(population.unit, "people");

    let items = c.service_items.count.as_ref().expect("service items");
    assert_eq!((items.value, items.qualifier), (68.0, Qualifier::Exact));
    assert_eq!(items.unit, "items");
    assert_eq!(c.service_items.names, ["党团", "就业", "退管", "计生"]);
    assert!(
        c.note
            .as_deref()
            .is_some_and(|n| n.contains("name is ours"))
    );
}

#[test]
fn workstation_windows_and_affairs() {
    let d = load();
    let w = room(&d, "suzhou/zhaojiaxiang/workstation");
    assert_eq!(w.category, RoomCategory::GovernmentServices);
    let windows = quantity(indicator(&w.indicators, "windows"));
    assert_eq!((windows.value, windows.qualifier), (5.0, Qualifier::Exact));
    let affairs = quantity(indicator(&w.indicators, "affairs_handled"));
    assert_eq!((affairs.value, affairs.qualifier), (68.0, Qualifier::Exact));
    let hours = quantity(indicator(&w.indicators, "working_hours"));
    assert_eq!(hours.value, 12.0);
    assert!(!w.open_24h, "12 hours a day is not around the clock");
}

#[test]
fn library_holds_about_ten_thousand_books() {
    let d = load();
    let lib = room(&d, "suzhou/zhaojiaxiang/library");
    assert_eq!(lib.category, RoomCategory::Reading);
    let books = quantity(indicator(&lib.indicators, "books_held"));
    assert_eq!(books.value, 10000.0);
    assert_eq!(books.qualifier, Qualifier::Approx);
    assert!(lib.note.as_deref().is_some_and(|n| n.contains("近1万余册")));
    assert!(!lib.open_24h);
}

#[test]
fn self_service_device_runs_around_the_clock_off_site() {
    let d = load();
    let dev = room(&d, "suzhou/zhaojiaxiang/self-service-book-device");
    assert!(dev.open_24h);
    assert_eq!(dev.address.as_deref(), Some("兆佳巷邻里中心1楼"));
    assert_eq!(dev.floor, None);
    assert_eq!(dev.category, RoomCategory::Reading);
    assert_eq!(dev.equipment, ["自助还取的设备"]);
    assert_eq!(
        EquipmentTag::from_raw(&dev.equipment[0]),
        Some(EquipmentTag::SelfServiceTerminal)
    );
    // Only the device is said to run 24 hours.
    assert_eq!(d.rooms.iter().filter(|r| r.open_24h).count(), 1);
}

#[test]
fn elderly_hall_members_and_regular_activities() {
    let d = load();
    let hall = room(&d, "suzhou/zhaojiaxiang/leling-life-hall");
    assert_eq!(hall.category, RoomCategory::ElderlyCare);
    let members = quantity(indicator(&hall.indicators, "members"));
    assert_eq!(members.value, 100.0);
    assert_eq!(members.qualifier, Qualifier::AtLeast);
    assert_eq!(members.unit, "people");
    assert_eq!(hall.events.len(), 1);
    let e = &hall.events[0];
    assert_eq!(e.schedule.as_deref(), Some("定期"));
    assert_eq!((e.weekday, e.starts_at, e.season), (None, None, None));
}

#[test]
fn every_room_is_named_in_the_article_and_no_capacity_is_invented() {
    let d = load();
    for r in &d.rooms {
        assert!(article().contains(&r.name), "{} is not named so", r.id);
        assert_eq!(r.capacity, None, "{}: the article gives no capacity", r.id);
        assert!(!r.outdoor, "{}: nothing is said to be outdoors", r.id);
    }
    let categories: Vec<_> = [
        "童乐馆",
        "乒乓球室",
        "舞蹈房",
        "青年之家",
        "区域党建大事记",
        "党史悦听区",
        "信仰空间",
    ]
    .iter()
    .map(|name| {
        d.rooms
            .iter()
            .find(|r| r.name == *name)
            .unwrap_or_else(|| panic!("no room named {name}"))
            .category
    })
    .collect();
    assert_eq!(
        categories,
        [
            RoomCategory::ChildrenFamily,
            RoomCategory::SportsFitness,
            RoomCategory::CultureArts,
            RoomCategory::Youth,
            RoomCategory::PartyEducation,
            RoomCategory::PartyEducation,
            RoomCategory::PartyEducation,
        ]
    );
}

#[test]
fn descriptions_are_the_articles_own_words() {
    let d = load();
    for r in &d.rooms {
        if let Some(desc) = &r.description {
            assert!(article().contains(desc.as_str()), "{}: {desc}", r.id);
        }
    }
}

#[test]
fn no_citation_quotes_page_chrome() {
    let d = load();
    // The END line reads "——— / END / ————" with no-break spaces around END.
    let end = article().find("END").expect("END marker");
    let body = &article()[..end];
    let mut quotes: Vec<&str> = Vec::new();
    for c in &d.centers {
        quotes.extend(c.citations.iter().map(|q| q.quote.as_str()));
        for i in &c.indicators {
            quotes.extend(i.citations.iter().map(|q| q.quote.as_str()));
        }
    }
    for c in &d.circles {
        quotes.extend(c.citations.iter().map(|q| q.quote.as_str()));
    }
    for r in &d.rooms {
        quotes.extend(r.citations.iter().map(|q| q.quote.as_str()));
        for i in &r.indicators {
            quotes.extend(i.citations.iter().map(|q| q.quote.as_str()));
        }
        for e in &r.events {
            quotes.extend(e.citations.iter().map(|q| q.quote.as_str()));
        }
    }
    for o in &d.organisations {
        quotes.extend(o.citations.iter().map(|q| q.quote.as_str()));
    }
    assert_eq!(quotes.len(), d.citation_count());
    for q in quotes {
        assert!(body.contains(q), "quote outside the article body: {q}");
        assert!(!q.contains("社区党建 | 这个党群服务中心很接地气"), "{q}");
    }
}

#[test]
fn the_builder_the_partner_and_what_residents_do_are_held() {
    let d = load();
    let c = &d.centers[0];
    assert_eq!(
        indicator(&c.indicators, "resident_activities")
            .text
            .as_deref(),
        Some("看书、喝茶、聊天")
    );
    let orgs: Vec<_> = d
        .organisations
        .iter()
        .map(|o| (o.name.as_str(), o.role, o.of.as_str(), o.brand.as_deref()))
        .collect();
    assert_eq!(
        orgs,
        [
            (
                "湖东社区党工委",
                OrganisationRole::Builder,
                "suzhou/zhaojiaxiang",
                None
            ),
            (
                "园区儿童医院",
                OrganisationRole::Partner,
                "suzhou/zhaojiaxiang/sixianghui-classroom",
                Some("“童彤”党建项目")
            ),
        ]
    );
    // Held as organisations, not as indicators as well.
    assert!(c.indicators.iter().all(|i| i.key != "builder"));
}

#[test]
fn whom_the_leling_hall_and_the_classroom_serve() {
    let d = load();
    let audiences = |id: &str| {
        room(&d, id)
            .audiences
            .iter()
            .map(|a| (a.group.clone(), a.min_age))
            .collect::<Vec<_>>()
    };
    // "服务70周岁以上园区户籍老人": a group and an age, not a quantity in "years of age".
    assert_eq!(
        audiences("suzhou/zhaojiaxiang/leling-life-hall"),
        [("园区户籍老人".to_owned(), Some(70))]
    );
    assert_eq!(
        audiences("suzhou/zhaojiaxiang/sixianghui-classroom"),
        [("患有血液病、肿瘤的孩子及家长".to_owned(), None)]
    );
    assert!(
        d.rooms
            .iter()
            .all(|r| r.indicators.iter().all(|i| i.key != "eligibility"))
    );
}

#[test]
fn the_chronicle_covers_2017_to_now() {
    let d = load();
    let i = indicator(
        &room(&d, "suzhou/zhaojiaxiang/party-building-chronicle").indicators,
        "period_shown",
    );
    let period = i.period.as_ref().expect("a period");
    assert_eq!(
        (period.from.as_deref(), period.until.as_deref()),
        (Some("2017"), None)
    );
    // "今年" is not resolved to a year: the repost date is not the article's.
    assert_eq!(indicator(&d.centers[0].indicators, "into_use").as_of, None);
}
