use super::*;
use model::{
    Capacity, Center, CityDataset, EquipmentTag, Qualifier, Room, RoomCategory, Season, TimeOfDay,
    Weekday,
};

fn data() -> CityDataset {
    dataset().unwrap_or_else(|e| panic!("{e}"))
}

fn center<'a>(d: &'a CityDataset, id: &str) -> &'a Center {
    d.centers
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no center {id}"))
}

fn room<'a>(d: &'a CityDataset, id: &str) -> &'a Room {
    d.rooms
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no room {id}"))
}

fn t(s: &str) -> Option<TimeOfDay> {
    Some(TimeOfDay::parse(s).expect("a time of day"))
}

/// (season, opens, closes) of a center, in file order.
fn hours(c: &Center) -> Vec<(Season, Option<TimeOfDay>, Option<TimeOfDay>)> {
    c.opening_hours
        .iter()
        .map(|h| (h.season, h.opens, h.closes))
        .collect()
}

#[test]
fn dataset_loads_validates_and_every_quote_is_verbatim() {
    let d = dataset().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.city.id, "korla");
}

#[test]
fn two_centers_ten_and_thirteen_rooms_no_circles() {
    let d = data();
    assert_eq!(d.centers.len(), 2);
    assert_eq!(d.rooms.len(), 23);
    assert!(d.circles.is_empty());
    assert!(d.centers.iter().all(|c| c.circle.is_none()));
    let count = |id: &str| d.rooms.iter().filter(|r| r.center == id).count();
    assert_eq!(count("korla/kongque"), 10);
    assert_eq!(count("korla/shanghu"), 13);
    assert_eq!(d.citation_count(), 67);
}

#[test]
fn sources_dates_and_titles() {
    let d = data();
    assert_eq!(d.sources.len(), 2);
    let s0 = &d.sources[0];
    assert_eq!(s0.file, "000_df422faf2af43df6.txt");
    assert_eq!(s0.published_at, None);
    assert!(s0.title.starts_with("【我身边的党群服务阵地】"));
    let note = s0.note.as_deref().expect("000 has a note");
    assert!(note.contains("no title line") && note.contains("No publication date"));
    assert_eq!(
        d.sources[1].published_at.as_deref(),
        Some("2025-08-13T17:43+08:00")
    );
}

#[test]
fn kongque_center_facts() {
    let d = data();
    let c = center(&d, "korla/kongque");
    assert_eq!(c.name, "萨依巴格街道孔雀社区党群服务中心");
    assert_eq!(
        c.address.as_deref(),
        Some("梨香路3号财富公馆小区旁(原老萨依巴格街道办事处)")
    );
    let area = c.floor_area.as_ref().expect("floor area");
    assert_eq!(area.value, 400.0);
    assert_eq!(area.qualifier, Qualifier::Exact);
    assert_eq!(area.unit, "m²");
    assert_eq!(
        hours(c),
        vec![
            (Season::Summer, t("10:00"), t("22:00")),
            (Season::Winter, t("10:00"), t("21:00")),
        ]
    );
    assert!(c.opening_hours.iter().all(|h| h.days.is_none()));
    assert_eq!(c.contacts.len(), 1);
    assert_eq!(c.contacts[0].name.as_deref(), Some("张程"));
    assert_eq!(c.contacts[0].phone.as_deref(), Some("18139292027"));
    let transit = c.transit.as_deref().expect("transit");
    assert!(transit.contains("19路、20路公交车") && transit.contains("市妇幼保健院车站"));
    assert_eq!(
        c.service_items,
        [
            "党员教育管理",
            "政务服务代办",
            "生活便民服务",
            "社会综合治理"
        ]
    );
    assert!(c.indicators.is_empty());
}

#[test]
fn shanghu_center_facts() {
    let d = data();
    let c = center(&d, "korla/shanghu");
    assert_eq!(c.name, "上户镇上户村党群服务中心");
    assert_eq!(c.address.as_deref(), Some("上户镇上户村三组900号"));
    let area = c.floor_area.as_ref().expect("floor area");
    assert_eq!(area.value, 1500.0);
    assert_eq!(area.qualifier, Qualifier::Exact);
    assert_eq!(area.unit, "m²");
    assert_eq!(
        hours(c),
        vec![
            (Season::Summer, t("8:00"), t("23:00")),
            (Season::Winter, t("9:00"), t("22:30")),
        ]
    );
    assert_eq!(c.contacts.len(), 1);
    assert_eq!(c.contacts[0].name.as_deref(), Some("孜力胡玛尔·阿不力肯木"));
    assert_eq!(c.contacts[0].phone.as_deref(), Some("17399073544"));
    // The 自驾出行 section is empty in the article.
    assert_eq!(c.transit, None);
    assert_eq!(c.transit_en, None);
    assert!(c.service_items.is_empty());
    assert_eq!(c.indicators.len(), 2);
    let dist = &c.indicators[0];
    assert_eq!(dist.key, "distance_to_town_government");
    let q = dist.quantity.as_ref().expect("distance quantity");
    assert_eq!(q.value, 3.6);
    assert_eq!(q.qualifier, Qualifier::Exact);
    assert_eq!(q.unit, "km");
}

#[test]
fn kongque_off_site_rooms_and_their_addresses() {
    let d = data();
    let mut off_site: Vec<(&str, &str)> = d
        .rooms
        .iter()
        .filter_map(|r| r.address.as_deref().map(|a| (r.name.as_str(), a)))
        .collect();
    off_site.sort();
    let mut expected = vec![
        ("网格借阅室", "市第九小学巷道内,毗邻俩兄弟面馆"),
        ("504服务站", "万锦苑小区四单元504室"),
        ("残疾人康复室", "人民东路与梨香路交汇处"),
        ("街角“小剧场”", "市建筑公司小区前的小广场"),
    ];
    expected.sort();
    assert_eq!(off_site, expected);
    assert!(
        d.rooms
            .iter()
            .filter(|r| r.address.is_some())
            .all(|r| r.center == "korla/kongque")
    );
}

#[test]
fn outdoor_and_24_hour_rooms() {
    let d = data();
    let mut outdoor: Vec<&str> = d
        .rooms
        .iter()
        .filter(|r| r.outdoor)
        .map(|r| r.id.as_str())
        .collect();
    outdoor.sort();
    assert_eq!(
        outdoor,
        [
            "korla/kongque/i-love-you-china-outdoor-lecture-station",
            "korla/kongque/street-corner-theatre",
        ]
    );
    let all_day: Vec<&str> = d
        .rooms
        .iter()
        .filter(|r| r.open_24h)
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(all_day, ["便民地毯、汽车清洗站"]);
}

#[test]
fn capacities() {
    let d = data();
    let tools = room(&d, "korla/shanghu/tool-lending-station");
    assert_eq!(tools.name, "便民服务工具站");
    assert_eq!(tools.capacity, None);
    assert_eq!(d.rooms.iter().filter(|r| r.capacity.is_none()).count(), 1);

    let dance = room(&d, "korla/shanghu/activity-and-dance-room");
    assert_eq!(dance.name, "便民活动室、舞蹈室");
    assert_eq!(
        dance.capacity,
        Some(Capacity {
            min: Some(100),
            max: Some(150),
            qualifier: Qualifier::Exact,
        })
    );
    let stage = room(&d, "korla/kongque/i-love-you-china-outdoor-lecture-station");
    assert_eq!(
        stage.capacity,
        Some(Capacity {
            min: Some(25),
            max: Some(39),
            qualifier: Qualifier::Exact,
        })
    );

    for r in &d.rooms {
        if let Some(c) = r.capacity {
            let (min, max) = (c.min.expect("min"), c.max.expect("max"));
            assert!(min <= max, "{}: {min} > {max}", r.id);
        }
    }
}

#[test]
fn summer_friday_film_screening() {
    let d = data();
    let theatre = room(&d, "korla/kongque/street-corner-theatre");
    assert_eq!(theatre.events.len(), 1);
    let e = &theatre.events[0];
    assert_eq!(e.schedule.as_deref(), Some("夏季每周五20点"));
    assert_eq!(e.season, Some(Season::Summer));
    assert_eq!(e.weekday, Some(Weekday::Friday));
    assert_eq!(e.starts_at, t("20:00"));
    assert_eq!(e.citations.len(), 1);
    // No other room has a recurring event.
    assert_eq!(d.rooms.iter().map(|r| r.events.len()).sum::<usize>(), 1);
}

#[test]
fn grid_library_holds_at_least_500_books() {
    let d = data();
    let lib = room(&d, "korla/kongque/grid-lending-library");
    assert_eq!(lib.indicators.len(), 1);
    let books = &lib.indicators[0];
    assert_eq!(books.key, "books_held");
    let q = books.quantity.as_ref().expect("books quantity");
    assert_eq!(q.value, 500.0);
    assert_eq!(q.qualifier, Qualifier::AtLeast);
    assert_eq!(q.unit, "books");
}

#[test]
fn equipment_is_raw_and_maps_onto_tags() {
    let d = data();
    let legal = room(&d, "korla/kongque/legal-consultation");
    assert_eq!(legal.equipment, ["圆桌", "椅子", "空调", "电脑"]);
    let tags: Vec<Option<EquipmentTag>> = legal
        .equipment
        .iter()
        .map(|e| EquipmentTag::from_raw(e))
        .collect();
    assert!(tags.contains(&Some(EquipmentTag::AirConditioner)));
    assert!(tags.contains(&Some(EquipmentTag::Computer)));
    assert!(tags.contains(&Some(EquipmentTag::Furniture)));

    let hall = room(&d, "korla/shanghu/convenience-service-hall");
    assert_eq!(hall.equipment.len(), 10);
    assert_eq!(
        hall.equipment.last().map(String::as_str),
        Some("政策宣传屏")
    );
    let hall_tags: Vec<EquipmentTag> = hall
        .equipment
        .iter()
        .filter_map(|e| EquipmentTag::from_raw(e))
        .collect();
    for tag in [
        EquipmentTag::Wifi,
        EquipmentTag::PhoneCharging,
        EquipmentTag::Copier,
        EquipmentTag::VendingMachine,
        EquipmentTag::WaterDispenser,
        EquipmentTag::DisplayScreen,
    ] {
        assert!(hall_tags.contains(&tag), "{tag:?}");
    }

    let machinery = room(&d, "korla/shanghu/farm-machinery-rental");
    assert!(
        machinery
            .equipment
            .iter()
            .all(|e| EquipmentTag::from_raw(e) == Some(EquipmentTag::AgriculturalMachinery))
    );
}

#[test]
fn lists_are_split_and_trailing_deng_dropped() {
    let d = data();
    for r in &d.rooms {
        for item in r.equipment.iter().chain(&r.uses) {
            assert!(!item.is_empty(), "{}: empty item", r.id);
            assert!(!item.contains('、'), "{}: unsplit item {item}", r.id);
            assert!(!item.ends_with('等'), "{}: trailing 等 in {item}", r.id);
            assert!(!item.ends_with('。'), "{}: trailing 。 in {item}", r.id);
        }
        assert!(!r.uses.is_empty(), "{}: no uses", r.id);
        assert!(!r.equipment.is_empty(), "{}: no equipment", r.id);
        assert!(r.description.is_some(), "{}: no description", r.id);
    }
    let legal = room(&d, "korla/kongque/legal-consultation");
    assert_eq!(
        legal.uses,
        [
            "法律咨询",
            "法律援助",
            "矛盾纠纷调解",
            "信访接待",
            "心理咨询"
        ]
    );
}

#[test]
fn room_categories() {
    let d = data();
    let cat = |id: &str| room(&d, id).category;
    assert_eq!(
        cat("korla/kongque/one-stop-service-hall"),
        RoomCategory::GovernmentServices
    );
    assert_eq!(
        cat("korla/kongque/legal-consultation"),
        RoomCategory::LegalAid
    );
    assert_eq!(
        cat("korla/kongque/grid-lending-library"),
        RoomCategory::Reading
    );
    assert_eq!(
        cat("korla/kongque/residents-council-hall"),
        RoomCategory::DeliberationMediation
    );
    assert_eq!(
        cat("korla/shanghu/party-history-museum"),
        RoomCategory::PartyEducation
    );
    assert_eq!(
        cat("korla/shanghu/youth-activity-room"),
        RoomCategory::Youth
    );
    assert_eq!(
        cat("korla/shanghu/half-past-six-classroom"),
        RoomCategory::ChildrenFamily
    );
    assert_eq!(cat("korla/shanghu/counselling-room"), RoomCategory::Health);
}

#[test]
fn points_based_services_stay_in_description() {
    let d = data();
    let rental = room(&d, "korla/shanghu/farm-machinery-rental");
    assert!(
        rental
            .description
            .as_deref()
            .is_some_and(|s| s.contains("使用全民积分兑换或按日租赁计费"))
    );
    let shop = room(&d, "korla/shanghu/points-exchange-shop");
    assert_eq!(shop.uses, ["用于积分兑换"]);
    assert!(shop.indicators.is_empty());
}

/// The text of the indicator `key` in `list`.
fn text_of<'a>(list: &'a [model::Indicator], key: &str) -> Option<&'a str> {
    list.iter().find(|i| i.key == key)?.text.as_deref()
}

#[test]
fn the_goal_the_programme_and_shanghus_principle_are_held() {
    let d = data();
    assert_eq!(
        text_of(&d.indicators, "goal"),
        Some("大门常开、阵地常用、活动常办、服务常在、群众常来,聚人气、聚活力、聚民心")
    );
    assert_eq!(
        text_of(&d.indicators, "pomegranate_seed_stations"),
        Some("持续推动“石榴籽”服务站建设提质增效")
    );
    // Both articles state the goal and the programme: each is cited from both.
    for key in ["goal", "pomegranate_seed_stations"] {
        let indicator = d.indicators.iter().find(|i| i.key == key).expect(key);
        let mut sources: Vec<_> = indicator
            .citations
            .iter()
            .map(|c| c.source.as_str())
            .collect();
        sources.sort();
        assert_eq!(
            sources,
            ["000_df422faf2af43df6.txt", "001_fa69be7eafc3107d.txt"]
        );
    }
    assert_eq!(
        text_of(&center(&d, "korla/shanghu").indicators, "principle"),
        Some("因地制宜、布局合理、务实管用、共建共享")
    );
}

#[test]
fn shanghus_terms_are_the_articles() {
    let d = data();
    let terms = |id: &str| {
        room(&d, id)
            .terms
            .iter()
            .map(|t| (t.kind.as_str(), t.text.as_str()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        terms("korla/shanghu/farm-machinery-rental"),
        [("POINTS", "全民积分兑换"), ("RENTAL", "按日租赁计费")]
    );
    assert_eq!(
        terms("korla/shanghu/tool-lending-station"),
        [("FREE_LOAN", "免费借用")]
    );
    assert_eq!(
        terms("korla/shanghu/points-exchange-shop"),
        [("POINTS", "积分兑换")]
    );
    assert_eq!(
        terms("korla/shanghu/counselling-room"),
        [("FREE", "免费提供心理疏导")]
    );
    // Only these four rooms state terms.
    assert_eq!(d.rooms.iter().filter(|r| !r.terms.is_empty()).count(), 4);
}

#[test]
fn mediators_and_volunteers_serve_where_the_articles_say() {
    let d = data();
    let staff = |id: &str| {
        room(&d, id)
            .staff
            .iter()
            .map(|s| (s.role.clone(), s.volunteer))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        staff("korla/kongque/legal-consultation"),
        [("专业调解员".to_owned(), false)]
    );
    assert_eq!(
        staff("korla/shanghu/half-past-six-classroom"),
        [("志愿者".to_owned(), true)]
    );
}
