//! The rules a dataset obeys before it may be imported. Every problem is reported with the id of
//! the record it concerns, so that a researcher correcting the data file knows where to look.

use crate::dataset::{Article, Audience, CityDataset, DatasetError, Indicator, Staff, Term};
use crate::hours::OpeningHours;
use crate::normalise::Normalisation;
use crate::quantity::{Citation, Quantity};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

/// One problem in a dataset: the record it concerns and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub record: String,
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.record, self.message)
    }
}

impl std::error::Error for ValidationError {}

struct Checker {
    errors: Vec<ValidationError>,
}

impl Checker {
    fn fail(&mut self, record: &str, message: impl Into<String>) {
        self.errors.push(ValidationError {
            record: record.to_owned(),
            message: message.into(),
        });
    }

    fn quantity(&mut self, record: &str, field: &str, q: Option<&Quantity>) {
        if let Some(q) = q {
            if !q.value.is_finite() || q.value < 0.0 {
                self.fail(
                    record,
                    format!(
                        "{field}: value {} is not a finite non-negative number",
                        q.value
                    ),
                );
            }
            if q.unit.trim().is_empty() {
                self.fail(record, format!("{field}: unit is empty"));
            }
        }
    }

    fn citations(
        &mut self,
        record: &str,
        citations: &[Citation],
        sources: &HashSet<&str>,
        needs_supports: bool,
    ) {
        if citations.is_empty() {
            self.fail(record, "has no citation");
        }
        for c in citations {
            if !sources.contains(c.source.as_str()) {
                self.fail(
                    record,
                    format!(
                        "cites `{}`, which is not among the dataset's sources",
                        c.source
                    ),
                );
            }
            if c.quote.trim().is_empty() {
                self.fail(record, "has a citation with an empty quote");
            }
            if needs_supports && c.supports.is_empty() {
                self.fail(
                    record,
                    format!(
                        "citation \"{}\" does not say which fields it supports",
                        c.quote
                    ),
                );
            }
        }
    }

    /// Every populated field must be named by some citation's `supports`, and every name in
    /// `supports` must be a field of the record.
    fn cited(
        &mut self,
        record: &str,
        citations: &[Citation],
        known: &[&str],
        populated: &[(&str, bool)],
    ) {
        let supported: BTreeSet<&str> = citations
            .iter()
            .flat_map(|c| c.supports.iter().map(String::as_str))
            .collect();
        for s in &supported {
            if !known.contains(s) {
                self.fail(
                    record,
                    format!(
                        "a citation supports `{s}`, which is not a citable field (one of {})",
                        known.join(", ")
                    ),
                );
            }
        }
        for (field, is_set) in populated {
            if *is_set && !supported.contains(field) {
                self.fail(
                    record,
                    format!("`{field}` is set but no citation supports it"),
                );
            }
        }
    }

    /// Text copied from a source stands inside a quote that supports its field: together with
    /// the verbatim check on quotes, the text is the source's own words.
    fn verbatim(&mut self, record: &str, citations: &[Citation], field: &str, values: &[&str]) {
        for value in values {
            let found = citations
                .iter()
                .filter(|c| c.supports.iter().any(|s| s == field))
                .any(|c| c.quote.contains(value));
            if !found {
                self.fail(
                    record,
                    format!(
                        "`{field}` text \"{value}\" stands in no quote that supports `{field}`"
                    ),
                );
            }
        }
    }

    /// A role of the people serving is the source's words.
    /// A timetable's lines: times in order, or open around the clock; a line's unit (only a
    /// center's lines may name one) with its English name, inside a quote supporting the hours.
    fn hours(
        &mut self,
        id: &str,
        citations: &[Citation],
        lines: &[OpeningHours],
        units_allowed: bool,
    ) {
        for h in lines {
            self.verbatim(id, citations, "opening_hours", &opt(&h.unit));
            if !units_allowed && h.unit.is_some() {
                self.fail(
                    id,
                    "opening hours: a room's lines are its own and name no unit",
                );
            } else if h.unit.is_some() != h.unit_en.is_some() {
                self.fail(
                    id,
                    "opening hours: a line's unit needs its unit_en, and back",
                );
            }
            match (h.open_24h, h.opens, h.closes) {
                (true, None, None) => {}
                (true, _, _) => self.fail(
                    id,
                    "opening hours: a 24-hour line has no opening or closing time",
                ),
                (false, Some(o), Some(cl)) if o >= cl => {
                    self.fail(
                        id,
                        format!("opening hours: opens at {o} but closes at {cl}"),
                    );
                }
                (false, None, _) | (false, _, None) => {
                    self.fail(id, "opening hours: a line needs both times, or open_24h")
                }
                _ => {}
            }
        }
    }

    fn staff(&mut self, record: &str, citations: &[Citation], staff: &[Staff]) {
        let roles: Vec<&str> = staff.iter().map(|p| p.role.as_str()).collect();
        self.verbatim(record, citations, "staff", &roles);
    }

    /// A term's words and an audience's group are the source's, and a stated minimum age
    /// stands in a quote that supports `audiences`.
    fn terms_and_audiences(
        &mut self,
        record: &str,
        citations: &[Citation],
        terms: &[Term],
        audiences: &[Audience],
    ) {
        let texts: Vec<&str> = terms.iter().map(|t| t.text.as_str()).collect();
        self.verbatim(record, citations, "terms", &texts);
        let groups: Vec<&str> = audiences.iter().map(|a| a.group.as_str()).collect();
        self.verbatim(record, citations, "audiences", &groups);
        let ages: Vec<String> = audiences
            .iter()
            .filter_map(|a| a.min_age)
            .map(|age| age.to_string())
            .collect();
        let ages: Vec<&str> = ages.iter().map(String::as_str).collect();
        self.verbatim(record, citations, "audiences", &ages);
    }

    fn indicators(&mut self, record: &str, indicators: &[Indicator], sources: &HashSet<&str>) {
        let mut keys = HashSet::new();
        for i in indicators {
            let at = format!("{record} indicator `{}`", i.key);
            if !keys.insert(i.key.as_str()) {
                self.fail(&at, "key is used twice in the same record");
            }
            if i.quantity.is_none() && i.text.is_none() {
                self.fail(&at, "has neither a quantity nor a text");
            }
            self.quantity(&at, "quantity", i.quantity.as_ref());
            self.quantity(&at, "before", i.before.as_ref());
            if let Some(claim) = i.claim
                && i.quantity.as_ref().is_none_or(|q| q.unit != claim.unit())
            {
                self.fail(
                    &at,
                    format!(
                        "a {} claim needs a quantity in `{}`",
                        claim.as_str(),
                        claim.unit()
                    ),
                );
            }
            if let (Some(before), Some(now)) = (&i.before, &i.quantity) {
                if before.unit != now.unit {
                    self.fail(&at, "`before` and `quantity` must share a unit");
                }
            } else if i.before.is_some() {
                self.fail(&at, "`before` needs the `quantity` it changed into");
            }
            let period = i.period.as_ref();
            for (field, date) in [
                ("as_of", i.as_of.as_ref()),
                ("period.from", period.and_then(|p| p.from.as_ref())),
                ("period.until", period.and_then(|p| p.until.as_ref())),
            ] {
                if let Some(date) = date
                    && !is_iso_date(date)
                {
                    self.fail(
                        &at,
                        format!("`{field}` \"{date}\" is not YYYY, YYYY-MM or YYYY-MM-DD"),
                    );
                }
            }
            if let Some(p) = period {
                match (&p.from, &p.until) {
                    (None, None) => self.fail(&at, "a period needs `from`, `until` or both"),
                    (Some(from), Some(until)) if from > until => {
                        self.fail(&at, format!("period: {from} is after {until}"))
                    }
                    _ => {}
                }
            }
            self.citations(&at, &i.citations, sources, false);
            if let Some(text) = &i.text
                && !i.citations.iter().any(|c| c.quote.contains(text.as_str()))
            {
                self.fail(
                    &at,
                    format!("text \"{text}\" stands in none of the indicator's quotes"),
                );
            }
        }
    }
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, with a month 01–12 and a day 01–31.
fn is_iso_date(date: &str) -> bool {
    let parts: Vec<&str> = date.split('-').collect();
    let number = |s: &str, len: usize, max: u32| {
        s.len() == len
            && s.chars().all(|c| c.is_ascii_digit())
            && s.parse::<u32>().is_ok_and(|n| (1..=max).contains(&n))
    };
    match parts.as_slice() {
        [y] => number(y, 4, 9999),
        [y, m] => number(y, 4, 9999) && number(m, 2, 12),
        [y, m, d] => number(y, 4, 9999) && number(m, 2, 12) && number(d, 2, 31),
        _ => false,
    }
}

fn strs(list: &[String]) -> Vec<&str> {
    list.iter().map(String::as_str).collect()
}

fn opt(value: &Option<String>) -> Vec<&str> {
    value.as_deref().into_iter().collect()
}

const CENTER_FIELDS: &[&str] = &[
    "name",
    "circle",
    "address",
    "floor_area",
    "opening_hours",
    "contacts",
    "transit",
    "service_items",
    "terms",
    "audiences",
    "staff",
];
const ROOM_FIELDS: &[&str] = &[
    "name",
    "description",
    "capacity",
    "equipment",
    "uses",
    "address",
    "floor",
    "outdoor",
    "open_24h",
    "opening_hours",
    "terms",
    "audiences",
    "staff",
    "exhibits",
];
const CIRCLE_FIELDS: &[&str] = &[
    "name",
    "minutes",
    "communities",
    "residential_areas",
    "villages",
    "population",
    "service_items",
    "service_categories",
];

pub(crate) fn validate(d: &CityDataset) -> Vec<ValidationError> {
    let mut ck = Checker { errors: Vec::new() };
    let city = d.city.id.as_str();
    if city.is_empty()
        || !city
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        ck.fail(
            city,
            "city id must be lower-case ASCII letters, digits and dashes",
        );
    }
    let prefix = format!("{city}/");

    let mut sources = HashSet::new();
    for s in &d.sources {
        if !sources.insert(s.file.as_str()) {
            ck.fail(&s.file, "source is listed twice");
        }
        for k in &s.contributors {
            if k.name.is_empty() || !k.quote.contains(&k.name) || !k.quote.contains(&k.role_text) {
                ck.fail(
                    &s.file,
                    format!(
                        "contributor `{}` ({}): its byline quote must hold both its name and \
                         its role as printed",
                        k.name, k.role_text
                    ),
                );
            }
        }
    }
    ck.indicators(city, &d.indicators, &sources);

    let mut ids: HashMap<&str, &str> = HashMap::new();
    let all_ids = d
        .circles
        .iter()
        .map(|c| (c.id.as_str(), "circle"))
        .chain(d.centers.iter().map(|c| (c.id.as_str(), "center")))
        .chain(d.rooms.iter().map(|r| (r.id.as_str(), "room")))
        .chain(
            d.organisations
                .iter()
                .map(|o| (o.id.as_str(), "organisation")),
        );
    for (id, kind) in all_ids {
        if let Some(prev) = ids.insert(id, kind) {
            ck.fail(id, format!("id is used twice (by a {prev} and a {kind})"));
        }
        let valid_chars = id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '/' | '_'));
        if !id.starts_with(&prefix) || id.len() == prefix.len() || !valid_chars {
            ck.fail(
                id,
                format!(
                    "id must be `{prefix}` followed by lower-case ASCII, digits, `-`, `_` or `/`"
                ),
            );
        }
    }

    for c in &d.circles {
        let id = c.id.as_str();
        if c.minutes.is_some() != c.travel_mode.is_some() {
            ck.fail(
                id,
                "minutes and travel_mode go together (travel_mode = \"UNSTATED\" when the source \
                 does not say how the minutes are travelled)",
            );
        }
        ck.citations(id, &c.citations, &sources, true);
        ck.indicators(id, &c.indicators, &sources);
        for (field, n) in [
            ("communities", &c.communities),
            ("residential_areas", &c.residential_areas),
            ("villages", &c.villages),
            ("service_items", &c.service_items),
            ("service_categories", &c.service_categories),
        ] {
            ck.quantity(id, field, n.count.as_ref());
        }
        ck.quantity(id, "population", c.population.as_ref());
        for (field, n) in [
            ("communities", &c.communities),
            ("residential_areas", &c.residential_areas),
            ("villages", &c.villages),
            ("service_items", &c.service_items),
            ("service_categories", &c.service_categories),
        ] {
            ck.verbatim(id, &c.citations, field, &strs(&n.names));
        }
        ck.cited(
            id,
            &c.citations,
            CIRCLE_FIELDS,
            &[
                ("name", true),
                ("minutes", c.minutes.is_some()),
                ("communities", !c.communities.is_empty()),
                ("residential_areas", !c.residential_areas.is_empty()),
                ("villages", !c.villages.is_empty()),
                ("population", c.population.is_some()),
                ("service_items", !c.service_items.is_empty()),
                ("service_categories", !c.service_categories.is_empty()),
            ],
        );
    }

    for c in &d.centers {
        let id = c.id.as_str();
        ck.citations(id, &c.citations, &sources, true);
        ck.indicators(id, &c.indicators, &sources);
        if let Some(circle) = &c.circle
            && ids.get(circle.as_str()) != Some(&"circle")
        {
            ck.fail(
                id,
                format!("circle `{circle}` is not a circle of this dataset"),
            );
        }
        ck.quantity(id, "floor_area", c.floor_area.as_ref());
        ck.verbatim(id, &c.citations, "address", &opt(&c.address));
        ck.verbatim(id, &c.citations, "transit", &opt(&c.transit));
        ck.verbatim(id, &c.citations, "service_items", &strs(&c.service_items));
        ck.hours(id, &c.citations, &c.opening_hours, true);
        for contact in &c.contacts {
            if contact.name.is_none() && contact.phone.is_none() {
                ck.fail(id, "a contact has neither a name nor a phone");
            }
        }
        ck.cited(
            id,
            &c.citations,
            CENTER_FIELDS,
            &[
                ("name", true),
                ("circle", c.circle.is_some()),
                ("address", c.address.is_some()),
                ("floor_area", c.floor_area.is_some()),
                ("opening_hours", !c.opening_hours.is_empty()),
                ("contacts", !c.contacts.is_empty()),
                ("transit", c.transit.is_some()),
                ("service_items", !c.service_items.is_empty()),
                ("terms", !c.terms.is_empty()),
                ("audiences", !c.audiences.is_empty()),
                ("staff", !c.staff.is_empty()),
            ],
        );
        ck.terms_and_audiences(id, &c.citations, &c.terms, &c.audiences);
        ck.staff(id, &c.citations, &c.staff);
    }

    for r in &d.rooms {
        let id = r.id.as_str();
        ck.citations(id, &r.citations, &sources, true);
        ck.indicators(id, &r.indicators, &sources);
        if ids.get(r.center.as_str()) != Some(&"center") {
            ck.fail(
                id,
                format!("center `{}` is not a center of this dataset", r.center),
            );
        }
        if let Some(cap) = r.capacity {
            match (cap.min, cap.max) {
                (Some(min), Some(max)) if min > max => {
                    ck.fail(id, format!("capacity: min {min} is greater than max {max}"));
                }
                (None, None) => {
                    ck.fail(id, "capacity: give min, max or both, or leave capacity out")
                }
                _ => {}
            }
        }
        ck.verbatim(id, &r.citations, "description", &opt(&r.description));
        ck.verbatim(id, &r.citations, "address", &opt(&r.address));
        ck.verbatim(id, &r.citations, "floor", &opt(&r.floor));
        ck.verbatim(id, &r.citations, "equipment", &strs(&r.equipment));
        ck.verbatim(id, &r.citations, "uses", &strs(&r.uses));
        ck.hours(id, &r.citations, &r.opening_hours, false);
        for e in &r.events {
            ck.citations(
                &format!("{id} event `{}`", e.name),
                &e.citations,
                &sources,
                false,
            );
        }
        ck.cited(
            id,
            &r.citations,
            ROOM_FIELDS,
            &[
                ("name", true),
                ("description", r.description.is_some()),
                ("capacity", r.capacity.is_some()),
                ("equipment", !r.equipment.is_empty()),
                ("uses", !r.uses.is_empty()),
                ("address", r.address.is_some()),
                ("floor", r.floor.is_some()),
                ("outdoor", r.outdoor),
                ("open_24h", r.open_24h),
                ("opening_hours", !r.opening_hours.is_empty()),
                ("terms", !r.terms.is_empty()),
                ("audiences", !r.audiences.is_empty()),
                ("staff", !r.staff.is_empty()),
                ("exhibits", !r.exhibits.is_empty()),
            ],
        );
        ck.terms_and_audiences(id, &r.citations, &r.terms, &r.audiences);
        ck.staff(id, &r.citations, &r.staff);
        ck.verbatim(id, &r.citations, "exhibits", &strs(&r.exhibits));
    }
    for o in &d.organisations {
        let id = o.id.as_str();
        ck.citations(id, &o.citations, &sources, true);
        ck.cited(
            id,
            &o.citations,
            &["name", "brand"],
            &[("name", true), ("brand", o.brand.is_some())],
        );
        ck.verbatim(id, &o.citations, "name", &[o.name.as_str()]);
        ck.verbatim(id, &o.citations, "brand", &opt(&o.brand));
        if !matches!(
            ids.get(o.of.as_str()),
            Some(&("circle" | "center" | "room"))
        ) {
            ck.fail(
                id,
                format!("`{}` is not a circle, center or room of this dataset", o.of),
            );
        }
    }
    ck.errors
}

/// An article's text as quoted: after its normalisation, if it has one.
pub(crate) fn article_text(a: &Article) -> Result<String, DatasetError> {
    Ok(match a.normalisation {
        Some(rules) => Normalisation::from_toml(rules)
            .map_err(|source| DatasetError::Normalisation {
                file: a.file.to_owned(),
                source,
            })?
            .apply(a.text),
        None => a.text.to_owned(),
    })
}

/// Every citation's quote must stand verbatim in its article (after the article's
/// normalisation, where it has one), and the articles a crate embeds must be exactly the
/// sources its dataset lists.
pub fn check_quotes(
    d: &CityDataset,
    articles: &[Article],
) -> Result<Vec<ValidationError>, DatasetError> {
    let mut texts: HashMap<&str, String> = HashMap::new();
    for a in articles {
        texts.insert(a.file, article_text(a)?);
    }
    let mut errors = Vec::new();
    for s in d
        .sources
        .iter()
        .filter(|s| !texts.contains_key(s.file.as_str()))
    {
        errors.push(ValidationError {
            record: s.file.clone(),
            message: "is listed as a source, but the crate embeds no such article (add it to \
                      `sources/` and to the articles of `city_data!` in `src/lib.rs`)"
                .to_owned(),
        });
    }
    for a in articles
        .iter()
        .filter(|a| !d.sources.iter().any(|s| s.file == a.file))
    {
        errors.push(ValidationError {
            record: a.file.to_owned(),
            message: "is embedded as an article, but no `[[sources]]` entry lists it".to_owned(),
        });
    }
    let mut check = |record: &str, citations: &[Citation]| {
        for c in citations {
            match texts.get(c.source.as_str()) {
                None => errors.push(ValidationError {
                    record: record.to_owned(),
                    message: format!("cites `{}`, but the crate embeds no such article", c.source),
                }),
                Some(text) if !text.contains(c.quote.as_str()) => errors.push(ValidationError {
                    record: record.to_owned(),
                    message: format!("quote not found verbatim in {}: \"{}\"", c.source, c.quote),
                }),
                Some(_) => {}
            }
        }
    };
    for (record, list) in d.cited() {
        check(&record, list);
    }
    for s in &d.sources {
        let bylines: Vec<Citation> = s
            .contributors
            .iter()
            .map(|k| Citation {
                source: s.file.clone(),
                quote: k.quote.clone(),
                supports: Vec::new(),
            })
            .collect();
        check(&format!("{} contributors", s.file), &bylines);
    }
    Ok(errors)
}

#[cfg(test)]
mod tests {
    use crate::CityDataset;

    const MINIMAL: &str = r#"
[city]
id = "x"
name = "某市"
name_en = "X"
province = "某省"
province_en = "Y"

[[sources]]
file = "a.txt"
title = "t"

[[centers]]
id = "x/c"
name = "某中心"
name_en = "C"

[[centers.citations]]
source = "a.txt"
quote = "某中心有一间阅览室"
supports = ["name"]

[[rooms]]
id = "x/c/r"
center = "x/c"
name = "阅览室"
name_en = "Reading room"
category = "READING"
description = "DESCRIPTION"
capacity = { min = 5, max = 10 }

[[rooms.citations]]
source = "a.txt"
quote = "一间阅览室,可供阅读,容纳5至10人"
supports = ["name", "description"]
"#;

    fn problems(toml: &str) -> Vec<String> {
        CityDataset::parse(toml)
            .expect("parses")
            .validate()
            .into_iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn text_must_be_the_sources_words_and_every_field_cited() {
        let verbatim = MINIMAL.replace("DESCRIPTION", "可供阅读");
        assert_eq!(
            problems(&verbatim),
            ["x/c/r: `capacity` is set but no citation supports it"]
        );

        let paraphrased = MINIMAL.replace("DESCRIPTION", "供居民阅读");
        let found = problems(&paraphrased);
        assert!(
            found.contains(&"x/c/r: `description` text \"供居民阅读\" stands in no quote that supports `description`".to_owned()),
            "{found:#?}"
        );
    }

    #[test]
    fn ranges_references_and_ids_are_checked() {
        let bad = MINIMAL
            .replace("DESCRIPTION", "可供阅读")
            .replace("min = 5, max = 10", "min = 10, max = 5")
            .replace("center = \"x/c\"", "center = \"x/nowhere\"")
            .replace("id = \"x/c/r\"", "id = \"y/r\"");
        let found = problems(&bad).join("\n");
        for expected in [
            "min 10 is greater than max 5",
            "`x/nowhere` is not a center",
            "id must be `x/`",
        ] {
            assert!(
                found.contains(expected),
                "missing `{expected}` in:\n{found}"
            );
        }
    }

    #[test]
    fn a_circles_minutes_need_their_travel_mode() {
        let circle = |fields: &str| {
            MINIMAL.replace("DESCRIPTION", "可供阅读").replace(
                "[[centers]]",
                &format!(
                    "[[circles]]\nid = \"x/q\"\nname = \"某中心\"\nname_en = \"Q\"\n{fields}\n\
                     [[circles.citations]]\nsource = \"a.txt\"\nquote = \"某中心\"\n\
                     supports = [\"name\", \"minutes\"]\n\n[[centers]]"
                ),
            )
        };
        let expected = "x/q: minutes and travel_mode go together (travel_mode = \"UNSTATED\" when \
                        the source does not say how the minutes are travelled)";
        let capacity = "x/c/r: `capacity` is set but no citation supports it";
        assert_eq!(problems(&circle("minutes = 15")), [expected, capacity]);
        assert_eq!(
            problems(&circle("travel_mode = \"WALKING\"")),
            [expected, capacity]
        );
        assert_eq!(
            problems(&circle("minutes = 15\ntravel_mode = \"UNSTATED\"")),
            [capacity]
        );
    }

    #[test]
    fn an_indicators_text_stands_in_its_quotes() {
        let with = |text: &str| {
            MINIMAL.replace("DESCRIPTION", "可供阅读").replace(
                "[[rooms]]",
                &format!(
                    "[[centers.indicators]]\nkey = \"k\"\nname = \"n\"\nname_en = \"N\"\n\
                     text = \"{text}\"\n\n[[centers.indicators.citations]]\nsource = \"a.txt\"\n\
                     quote = \"某中心有一间阅览室\"\n\n[[rooms]]"
                ),
            )
        };
        let capacity = "x/c/r: `capacity` is set but no citation supports it";
        assert_eq!(problems(&with("一间阅览室")), [capacity]);
        assert_eq!(
            problems(&with("两间阅览室")),
            [
                "x/c indicator `k`: text \"两间阅览室\" stands in none of the indicator's quotes",
                capacity
            ]
        );
    }

    #[test]
    fn a_contributors_byline_holds_their_name_and_role() {
        let with = |name: &str, role_text: &str| {
            MINIMAL.replace("DESCRIPTION", "可供阅读").replace(
                "[[centers]]",
                &format!(
                    "[[sources.contributors]]\nname = \"{name}\"\nrole = \"REPORTER\"\n\
                     role_text = \"{role_text}\"\nquote = \"记者 王勇\"\n\n[[centers]]"
                ),
            )
        };
        let capacity = "x/c/r: `capacity` is set but no citation supports it";
        assert_eq!(problems(&with("王勇", "记者")), [capacity]);
        let wrong = |name: &str, role: &str| {
            format!(
                "a.txt: contributor `{name}` ({role}): its byline quote must hold both its name \
                 and its role as printed"
            )
        };
        assert_eq!(
            problems(&with("王琦", "记者")),
            [wrong("王琦", "记者"), capacity.to_owned()]
        );
        assert_eq!(
            problems(&with("王勇", "通讯员")),
            [wrong("王勇", "通讯员"), capacity.to_owned()]
        );
    }

    #[test]
    fn terms_and_audiences_are_the_sources_words() {
        // MINIMAL's room quote: "一间阅览室,可供阅读,容纳5至10人".
        let with = |fields: &str, supports: &str| {
            MINIMAL
                .replace("DESCRIPTION", "可供阅读")
                .replace(
                    "capacity = { min = 5, max = 10 }",
                    &format!("capacity = {{ min = 5, max = 10 }}\n{fields}"),
                )
                .replace(
                    "supports = [\"name\", \"description\"]",
                    &format!("supports = [\"name\", \"description\", \"capacity\"{supports}]"),
                )
        };
        assert_eq!(problems(&with("", "")), Vec::<String>::new());
        let term = "terms = [{ kind = \"FREE\", text = \"可供阅读\" }]";
        assert_eq!(problems(&with(term, ", \"terms\"")), Vec::<String>::new());
        assert_eq!(
            problems(&with(term, "")),
            [
                "x/c/r: `terms` is set but no citation supports it",
                "x/c/r: `terms` text \"可供阅读\" stands in no quote that supports `terms`"
            ]
        );
        let paraphrase = "terms = [{ kind = \"FREE\", text = \"免费阅读\" }]";
        assert_eq!(
            problems(&with(paraphrase, ", \"terms\"")),
            ["x/c/r: `terms` text \"免费阅读\" stands in no quote that supports `terms`"]
        );
        let audience = |age: u32| {
            format!("audiences = [{{ group = \"阅览室\", group_en = \"A\", min_age = {age} }}]")
        };
        assert_eq!(
            problems(&with(&audience(5), ", \"audiences\"")),
            Vec::<String>::new()
        );
        assert_eq!(
            problems(&with(&audience(70), ", \"audiences\"")),
            ["x/c/r: `audiences` text \"70\" stands in no quote that supports `audiences`"]
        );
    }

    #[test]
    fn an_organisation_is_named_in_its_quote_and_with_a_record() {
        let with = |name: &str, of: &str| {
            format!(
                "{}\n[[organisations]]\nid = \"x/o\"\nname = \"{name}\"\nname_en = \"O\"\n\
                 role = \"BUILDER\"\nof = \"{of}\"\n\n[[organisations.citations]]\n\
                 source = \"a.txt\"\nquote = \"某中心有一间阅览室\"\nsupports = [\"name\"]\n",
                MINIMAL.replace("DESCRIPTION", "可供阅读")
            )
        };
        let capacity = "x/c/r: `capacity` is set but no citation supports it";
        assert_eq!(problems(&with("某中心", "x/c")), [capacity]);
        assert_eq!(
            problems(&with("某中心", "x/nowhere")),
            [
                capacity,
                "x/o: `x/nowhere` is not a circle, center or room of this dataset"
            ]
        );
        assert_eq!(
            problems(&with("某单位", "x/c/r")),
            [
                capacity,
                "x/o: `name` text \"某单位\" stands in no quote that supports `name`"
            ]
        );
    }

    #[test]
    fn a_rooms_hours_are_cited_ordered_and_its_own() {
        let with = |line: &str, supports: &str| {
            MINIMAL
                .replace("DESCRIPTION", "可供阅读")
                .replace(
                    "capacity = { min = 5, max = 10 }",
                    &format!("opening_hours = [{line}]"),
                )
                .replace(
                    "supports = [\"name\", \"description\"]",
                    &format!("supports = [\"name\", \"description\"{supports}]"),
                )
        };
        let daily = r#"{ season = "ALL_YEAR", opens = "08:00", closes = "20:00" }"#;
        assert_eq!(
            problems(&with(daily, ", \"opening_hours\"")),
            Vec::<String>::new()
        );
        assert_eq!(
            problems(&with(daily, "")),
            ["x/c/r: `opening_hours` is set but no citation supports it"]
        );
        assert_eq!(
            problems(&with(
                r#"{ season = "ALL_YEAR", opens = "20:00", closes = "08:00" }"#,
                ", \"opening_hours\""
            )),
            ["x/c/r: opening hours: opens at 20:00 but closes at 08:00"]
        );
        assert_eq!(
            problems(&with(
                r#"{ unit = "阅览室", unit_en = "R", season = "ALL_YEAR", opens = "08:00", closes = "20:00" }"#,
                ", \"opening_hours\""
            )),
            ["x/c/r: opening hours: a room's lines are its own and name no unit"]
        );
    }

    #[test]
    fn a_claim_is_a_quantity_in_its_figures_unit() {
        let with = |fields: &str| {
            MINIMAL.replace("DESCRIPTION", "可供阅读").replace(
                "[[rooms]]",
                &format!(
                    "[[centers.indicators]]\nkey = \"k\"\nname = \"n\"\nname_en = \"N\"\n{fields}\n\n\
                     [[centers.indicators.citations]]\nsource = \"a.txt\"\nquote = \"某中心\"\n\n[[rooms]]"
                ),
            )
        };
        let capacity = "x/c/r: `capacity` is set but no citation supports it";
        assert_eq!(
            problems(&with(
                "quantity = { value = 16, qualifier = \"EXACT\", unit = \"rooms\" }\nclaim = \"ROOMS\""
            )),
            [capacity]
        );
        assert_eq!(
            problems(&with(
                "quantity = { value = 16, qualifier = \"EXACT\", unit = \"m²\" }\nclaim = \"ROOMS\""
            )),
            [
                "x/c indicator `k`: a ROOMS claim needs a quantity in `rooms`",
                capacity
            ]
        );
        assert_eq!(
            problems(&with("text = \"某中心\"\nclaim = \"CENTERS\"")),
            [
                "x/c indicator `k`: a CENTERS claim needs a quantity in `centers`",
                capacity
            ]
        );
    }

    #[test]
    fn the_embedded_articles_are_exactly_the_listed_sources() {
        let d = CityDataset::parse(&MINIMAL.replace("DESCRIPTION", "可供阅读")).expect("parses");
        let article = |file: &'static str| crate::Article {
            file,
            text: "某中心有一间阅览室,可供阅读,容纳5至10人。",
            normalisation: None,
        };
        let found = |articles: &[crate::Article]| {
            super::check_quotes(&d, articles)
                .expect("no normalisation")
                .into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(found(&[article("a.txt")]), Vec::<String>::new());
        assert_eq!(
            found(&[article("a.txt"), article("b.txt")]),
            ["b.txt: is embedded as an article, but no `[[sources]]` entry lists it"]
        );
        let missing = found(&[]);
        assert_eq!(missing.len(), 3, "{missing:#?}");
        assert!(
            missing[0]
                .starts_with("a.txt: is listed as a source, but the crate embeds no such article"),
            "{missing:#?}"
        );
    }

    #[test]
    fn dates_and_before_figures_are_checked() {
        assert!(super::is_iso_date("2017"));
        assert!(super::is_iso_date("2023-07"));
        assert!(super::is_iso_date("2023-07-06"));
        for bad in [
            "23",
            "2023-7",
            "2023-13",
            "2023-07-32",
            "2023-07-06T10",
            "7月6日",
            "",
        ] {
            assert!(!super::is_iso_date(bad), "{bad}");
        }
        let with = |fields: &str| {
            MINIMAL.replace("DESCRIPTION", "可供阅读").replace(
                "[[rooms]]",
                &format!(
                    "[[centers.indicators]]\nkey = \"k\"\nname = \"n\"\nname_en = \"N\"\n{fields}\n\n\
                     [[centers.indicators.citations]]\nsource = \"a.txt\"\nquote = \"某中心\"\n\n[[rooms]]"
                ),
            )
        };
        let capacity = "x/c/r: `capacity` is set but no citation supports it";
        let area = |v: u32| format!("{{ value = {v}, qualifier = \"EXACT\", unit = \"m²\" }}");
        let ok = format!(
            "quantity = {}\nbefore = {}\nas_of = \"2023-01\"\nperiod = {{ from = \"2017\" }}",
            area(1050),
            area(71)
        );
        assert_eq!(problems(&with(&ok)), [capacity]);
        assert_eq!(
            problems(&with(&format!("text = \"某中心\"\nbefore = {}", area(71)))),
            [
                "x/c indicator `k`: `before` needs the `quantity` it changed into",
                capacity
            ]
        );
        assert_eq!(
            problems(&with(
                "text = \"某中心\"\nas_of = \"7月6日\"\nperiod = { from = \"2023\", until = \"2017\" }"
            )),
            [
                "x/c indicator `k`: `as_of` \"7月6日\" is not YYYY, YYYY-MM or YYYY-MM-DD",
                "x/c indicator `k`: period: 2023 is after 2017",
                capacity
            ]
        );
    }
}
