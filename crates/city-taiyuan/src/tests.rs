use super::*;
use model::{CityDataset, Indicator, Qualifier, Quantity};

#[test]
fn dataset_loads_validates_and_every_quote_is_verbatim() {
    let d = dataset().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.city.id, "taiyuan");
}

fn normalised() -> String {
    let rules = ARTICLES[0]
        .normalisation
        .expect("the Taiyuan article ships normalisation rules");
    model::Normalisation::from_toml(rules)
        .unwrap_or_else(|e| panic!("{e}"))
        .apply(ARTICLES[0].text)
}

#[test]
fn normalisation_leaves_clean_simplified_text() {
    let text = normalised();
    // No pinyin annotation survives: every parenthesis left wraps Han text (社区(村), (责编:…)).
    let mut rest = text.as_str();
    while let Some(open) = rest.find('(') {
        let close = rest[open..].find(')').expect("parentheses are balanced") + open;
        let inner = &rest[open + 1..close];
        assert!(
            !inner.chars().any(|c| c.is_ascii_lowercase()),
            "pinyin left in ({inner})"
        );
        rest = &rest[close + 1..];
    }
    for leftover in [",,", ",。", ",、", ",;", "?", "</p>", "/p>"] {
        assert!(!text.contains(leftover), "`{leftover}` left in the text");
    }
    // Traditional characters are gone.
    for traditional in ['黨', '區', '務', '體', '鐘', '報'] {
        assert!(
            !text.contains(traditional),
            "`{traditional}` left in the text"
        );
    }
    for expected in [
        "尖草坪区依托党群服务中心搭建十五分钟党建服务圈",
        "来源:太原日报 作者:记者 王勇 通讯员 王琦",
        "一个人在家不放心。现在家门口建了党群服务中心",
        "让我们的生活更有滋味。”\n",
        "在全市率先实现了社区(村)党群服务中心全覆盖",
        "(责编:鄢妮)",
    ] {
        assert!(text.contains(expected), "`{expected}` missing");
    }
}

fn d() -> CityDataset {
    dataset().unwrap_or_else(|e| panic!("{e}"))
}

fn indicator<'a>(list: &'a [Indicator], key: &str) -> &'a Indicator {
    list.iter()
        .find(|i| i.key == key)
        .unwrap_or_else(|| panic!("no indicator `{key}`"))
}

fn quantity(list: &[Indicator], key: &str) -> Quantity {
    indicator(list, key)
        .quantity
        .clone()
        .unwrap_or_else(|| panic!("indicator `{key}` has no quantity"))
}

fn assert_quantity(q: &Quantity, value: f64, qualifier: Qualifier, unit: &str) {
    assert_eq!(q.value, value);
    assert_eq!(q.qualifier, qualifier);
    assert_eq!(q.unit, unit);
}

#[test]
fn counts() {
    let d = d();
    assert_eq!(d.circles.len(), 1);
    assert_eq!(d.centers.len(), 4);
    assert_eq!(d.rooms.len(), 10);
    let nanzhai = d.rooms.iter().filter(|r| r.center == "taiyuan/nanzhai");
    assert_eq!(nanzhai.count(), 9);
    assert_eq!(d.indicators.len(), 14);
    assert_eq!(d.citation_count(), 61);
}

#[test]
fn district_figures() {
    let d = d();
    let ind = &d.indicators;
    assert_quantity(&quantity(ind, "investment"), 1.8e8, Qualifier::Exact, "CNY");
    assert_quantity(
        &quantity(ind, "community_center_average_area_before"),
        71.0,
        Qualifier::Exact,
        "m²",
    );
    assert_quantity(
        &quantity(ind, "community_center_average_area_now"),
        1050.0,
        Qualifier::Exact,
        "m²",
    );
    let now = indicator(ind, "community_center_average_area_now");
    let before = now.before.as_ref().expect("the figure before");
    assert_eq!((before.value, before.unit.as_str()), (71.0, "m²"));
    assert_quantity(
        &quantity(ind, "religious_villages_investment"),
        1.7e7,
        Qualifier::AtLeast,
        "CNY",
    );
    assert_quantity(
        &quantity(ind, "religious_villages_centers_built"),
        8.0,
        Qualifier::Exact,
        "centers",
    );
    assert_quantity(
        &quantity(ind, "religious_villages_centers_floor_area"),
        8629.0,
        Qualifier::Exact,
        "m²",
    );
    assert_eq!(
        indicator(ind, "community_village_center_coverage")
            .text
            .as_deref(),
        Some("全覆盖")
    );
}

#[test]
fn circle() {
    let d = d();
    let c = &d.circles[0];
    assert_eq!(c.id, "taiyuan/jiancaoping-15min");
    // "15分钟…服务圈": the minutes, not how they are travelled (never 步行).
    assert_eq!(c.minutes, Some(15));
    assert_eq!(c.travel_mode, Some(model::TravelMode::Unstated));
    assert_eq!(c.walking_minutes(), None);
    let categories = c.service_categories.count.as_ref().expect("a count");
    assert_quantity(categories, 6.0, Qualifier::Exact, "categories");
    assert_eq!(c.service_categories.names.len(), 6);
    assert!(
        c.service_categories
            .names
            .contains(&"矛盾纠纷调解中心".to_owned())
    );
    assert_eq!(
        c.service_items.names,
        ["代办证件", "人口计生", "残疾人服务"]
    );
    assert_eq!(c.communities.count, None);
    assert_eq!(c.communities.names.len(), 8);
    assert_eq!(c.population, None);
    assert_quantity(
        &quantity(&c.indicators, "binhelunan_self_service_certificates"),
        8.0,
        Qualifier::Exact,
        "kinds of certificate",
    );
    for center in &d.centers {
        assert_eq!(
            center.circle.as_deref(),
            Some(c.id.as_str()),
            "{}",
            center.id
        );
    }
}

#[test]
fn centers() {
    let d = d();
    let center = |id: &str| {
        d.centers
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("no center {id}"))
    };
    let nanzhai = center("taiyuan/nanzhai");
    assert_eq!(nanzhai.address.as_deref(), Some("尖草坪区迎新南巷"));
    assert_quantity(
        nanzhai.floor_area.as_ref().expect("a floor area"),
        4000.0,
        Qualifier::AtLeast,
        "m²",
    );

    let ysmj = center("taiyuan/youshanmeijun");
    assert_eq!(ysmj.floor_area, None);
    assert_eq!(ysmj.service_items.len(), 4);
    for (key, value) in [
        ("platforms", 3.0),
        ("centers", 5.0),
        ("function_rooms", 16.0),
    ] {
        let q = quantity(&ysmj.indicators, key);
        assert_eq!((q.value, q.qualifier), (value, Qualifier::Exact), "{key}");
    }

    assert!(center("taiyuan/huaiyuan").service_items[0].contains("智能小宝贝"));
    let chaoyang = center("taiyuan/chaoyang");
    assert_eq!(chaoyang.service_items, ["萌娃假期托管班"]);
    // The holiday class's volunteer team (志愿服务队), by the groups that form it.
    let volunteers: Vec<(&str, bool)> = chaoyang
        .staff
        .iter()
        .map(|s| (s.role.as_str(), s.volunteer))
        .collect();
    assert_eq!(
        volunteers,
        [
            ("在职党员教师", true),
            ("大学生党员", true),
            ("社区党员干部", true)
        ]
    );
}

#[test]
fn rooms() {
    let d = d();
    let room = |id: &str| {
        d.rooms
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("no room {id}"))
    };
    let cinema = room("taiyuan/nanzhai/red-cinema");
    let capacity = cinema.capacity.expect("a capacity");
    assert_eq!((capacity.min, capacity.max), (Some(100), None));
    // "能容纳上百名观众": at least a hundred, not exactly.
    assert_eq!(capacity.qualifier, Qualifier::AtLeast);
    // Only the cinema has a stated capacity.
    assert_eq!(d.rooms.iter().filter(|r| r.capacity.is_some()).count(), 1);

    let library = room("taiyuan/nanzhai/library");
    assert_quantity(
        &quantity(&library.indicators, "books_held"),
        5000.0,
        Qualifier::AtLeast,
        "books",
    );

    let day_care = room("taiyuan/nanzhai/day-care");
    assert_eq!(day_care.center, "taiyuan/nanzhai");
    assert!(day_care.note.is_some(), "the attribution is explained");

    let clinic = room("taiyuan/youshanmeijun/law-clinic");
    assert_eq!(clinic.category, model::RoomCategory::LegalAid);
    assert_eq!(clinic.equipment, ["远程联网视频系统"]);
}

/// The text of the indicator `key` in `list`.
fn text_of<'a>(list: &'a [Indicator], key: &str) -> Option<&'a str> {
    indicator(list, key).text.as_deref()
}

#[test]
fn the_facts_the_audit_found_missing_are_held() {
    let d = d();
    for (key, text) in [
        ("new_centers_services", "党群、政务、文体、养老"),
        (
            "organisation_services",
            "公共服务、创业就业、帮扶救助、便民利民",
        ),
        ("principle", "办公场所最小化、服务群众最大化"),
        (
            "first_in_city_full_coverage",
            "在全市率先实现了社区(村)党群服务中心全覆盖",
        ),
        (
            "first_in_city_religious_villages",
            "在全市率先启动了信教群众聚居村党群服务中心建设工作",
        ),
    ] {
        assert_eq!(text_of(&d.indicators, key), Some(text), "{key}");
    }
    assert_eq!(
        text_of(&d.circles[0].indicators, "binhelunan_platform_functions"),
        Some("党员管理、办事流程、社区事务")
    );
    let youshanmeijun = d
        .centers
        .iter()
        .find(|c| c.id == "taiyuan/youshanmeijun")
        .expect("优山美郡");
    // "无偿服务": the center's services are free of charge.
    assert_eq!(
        youshanmeijun
            .terms
            .iter()
            .map(|t| (t.kind, t.text.as_str()))
            .collect::<Vec<_>>(),
        [(model::TermKind::Free, "无偿服务")]
    );
    assert_eq!(
        text_of(&youshanmeijun.indicators, "resident_activities"),
        Some("看书、跳舞")
    );
}

#[test]
fn the_byline_names_a_reporter_a_correspondent_and_the_editor() {
    let d = d();
    let people: Vec<_> = d.sources[0]
        .contributors
        .iter()
        .map(|k| (k.name.as_str(), k.role.as_str(), k.role_text.as_str()))
        .collect();
    assert_eq!(
        people,
        [
            ("王勇", "REPORTER", "记者"),
            ("王琦", "CORRESPONDENT", "通讯员"),
            ("鄢妮", "EDITOR_IN_CHARGE", "责编"),
        ]
    );
}

#[test]
fn the_branches_carry_their_brands() {
    let d = d();
    let branches: Vec<_> = d
        .organisations
        .iter()
        .map(|o| {
            assert_eq!(o.role, model::OrganisationRole::Branch);
            assert_eq!(o.of, "taiyuan/jiancaoping-15min");
            (o.name.as_str(), o.brand.as_deref())
        })
        .collect();
    assert_eq!(
        branches,
        [
            ("江阳社区党支部", Some("可视化网络学习教育空间站")),
            ("兴安社区党支部", Some("红色领航共建党支部")),
            ("二电社区党支部", Some("雷锋互助社")),
            ("兴安苑社区党支部", Some("邻里守望党建联心")),
        ]
    );
}

/// The article's own figures for centers, rooms and areas, beside what is transcribed.
#[test]
fn claims() {
    let d = d();
    let claims: Vec<(&str, model::Claim, f64)> = d
        .indicators
        .iter()
        .chain(d.centers.iter().flat_map(|c| c.indicators.iter()))
        .filter_map(|i| Some((i.key.as_str(), i.claim?, i.quantity.as_ref()?.value)))
        .collect();
    assert_eq!(
        claims,
        [
            (
                "community_center_average_area_now",
                model::Claim::AverageFloorArea,
                1050.0
            ),
            (
                "religious_villages_centers_built",
                model::Claim::Centers,
                8.0
            ),
            (
                "religious_villages_centers_floor_area",
                model::Claim::FloorArea,
                8629.0
            ),
            ("function_rooms", model::Claim::Rooms, 16.0),
        ]
    );
}
