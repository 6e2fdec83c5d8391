//! A source article as a reference a researcher can paste: GB/T 7714-2015, APA 7, BibTeX and
//! CSL-JSON, built only from what the dataset records (title, publisher, date, byline). The
//! sources are articles read online (newspaper sites, media centres, official accounts), so they
//! are cited as online works; what the article does not give (no byline, no date) is left out,
//! never filled in.

use crate::ContributorRole;

/// A reference style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// GB/T 7714-2015, 信息与文献 参考文献著录规则: `作者. 题名[EB/OL]. 出版者, 日期.`
    GbT7714,
    /// APA, 7th edition: `Author & Author. (2023, July 6). Title [English title]. Publisher.`
    Apa,
    /// A BibTeX `@misc` entry (biblatex reads its `date` too).
    Bibtex,
    /// One CSL-JSON item (Zotero, Mendeley, pandoc), as a JSON object.
    CslJson,
}

/// What a reference is built from.
#[derive(Debug, Clone, Copy)]
pub struct Work<'a> {
    /// The source's id (`jinshan/004_241117507cc8f916.txt`): the entry's key.
    pub id: &'a str,
    pub title: &'a str,
    pub title_en: Option<&'a str>,
    pub publisher: Option<&'a str>,
    /// ISO 8601 date or date-time, as far as the article gives it.
    pub published_at: Option<&'a str>,
    /// The byline, in its order.
    pub contributors: &'a [(&'a str, ContributorRole)],
}

impl Work<'_> {
    /// Those who wrote it: authors, reporters, correspondents.
    fn creators(&self) -> Vec<&str> {
        self.by(|r| {
            matches!(
                r,
                ContributorRole::Author
                    | ContributorRole::Reporter
                    | ContributorRole::Correspondent
            )
        })
    }

    fn editors(&self) -> Vec<&str> {
        self.by(|r| matches!(r, ContributorRole::Editor | ContributorRole::EditorInCharge))
    }

    fn by(&self, wanted: impl Fn(ContributorRole) -> bool) -> Vec<&str> {
        self.contributors
            .iter()
            .filter(|(_, role)| wanted(*role))
            .map(|(name, _)| *name)
            .collect()
    }

    /// The date as far as `published_at` gives it: `2023-07-06`, `2023-07` or `2023`.
    fn iso_date(&self) -> Option<String> {
        self.date().map(|(y, m, d)| match (m, d) {
            (Some(m), Some(d)) => format!("{y:04}-{m:02}-{d:02}"),
            (Some(m), None) => format!("{y:04}-{m:02}"),
            _ => format!("{y:04}"),
        })
    }

    /// Year, month and day, as far as `published_at` gives them.
    fn date(&self) -> Option<(u16, Option<u8>, Option<u8>)> {
        let text = self.published_at?;
        let mut parts = text.get(..text.len().min(10))?.split('-');
        let year = parts.next()?.parse().ok()?;
        let month = parts.next().and_then(|m| m.parse().ok());
        let day = parts.next().and_then(|d| d.parse().ok());
        Some((year, month, day))
    }
}

/// `work` in `style`.
pub fn reference(work: &Work<'_>, style: Style) -> String {
    match style {
        Style::GbT7714 => gbt7714(work),
        Style::Apa => apa(work),
        Style::Bibtex => bibtex(work),
        Style::CslJson => csl_json(work),
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn gbt7714(w: &Work<'_>) -> String {
    let mut out = String::new();
    let creators = w.creators();
    if !creators.is_empty() {
        // More than three: the first three, then 等.
        out.push_str(&creators[..creators.len().min(3)].join(", "));
        if creators.len() > 3 {
            out.push_str(", 等");
        }
        out.push_str(". ");
    }
    out.push_str(w.title);
    out.push_str("[EB/OL]");
    let date = w.iso_date();
    let tail: Vec<String> = [w.publisher.map(str::to_owned), date]
        .into_iter()
        .flatten()
        .collect();
    if !tail.is_empty() {
        out.push_str(". ");
        out.push_str(&tail.join(", "));
    }
    out.push('.');
    out
}

fn apa(w: &Work<'_>) -> String {
    let creators = w.creators();
    let authors = match creators.as_slice() {
        [] => None,
        [one] => Some((*one).to_owned()),
        [first, second] => Some(format!("{first} & {second}")),
        [rest @ .., last] => Some(format!("{}, & {last}", rest.join(", "))),
    };
    let date = match w.date() {
        None => "(n.d.)".to_owned(),
        Some((y, Some(m), Some(d))) if (1..=12).contains(&m) => {
            format!("({y}, {} {d})", MONTHS[usize::from(m - 1)])
        }
        Some((y, Some(m), None)) if (1..=12).contains(&m) => {
            format!("({y}, {})", MONTHS[usize::from(m - 1)])
        }
        Some((y, ..)) => format!("({y})"),
    };
    let title = match w.title_en {
        Some(en) => format!("{} [{en}]", w.title),
        None => w.title.to_owned(),
    };
    // Without an author, the title takes the author's place.
    let mut out = match authors {
        Some(a) => format!("{a}. {date}. {title}."),
        None => format!("{title}. {date}."),
    };
    if let Some(p) = w.publisher {
        out.push(' ');
        out.push_str(p);
        out.push('.');
    }
    out
}

/// `text` inside a BibTeX braced value: LaTeX's special characters escaped.
fn tex(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '&' | '%' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            c => out.push(c),
        }
    }
    out
}

fn bibtex(w: &Work<'_>) -> String {
    const BIB_MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let key: String =
        w.id.trim_end_matches(".txt")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
    let mut fields: Vec<(&str, String)> = Vec::new();
    let people = |names: Vec<&str>| {
        names
            .iter()
            .map(|n| format!("{{{}}}", tex(n)))
            .collect::<Vec<_>>()
            .join(" and ")
    };
    let creators = w.creators();
    if !creators.is_empty() {
        fields.push(("author", people(creators)));
    }
    let editors = w.editors();
    if !editors.is_empty() {
        fields.push(("editor", people(editors)));
    }
    fields.push(("title", format!("{{{}}}", tex(w.title))));
    if let Some(p) = w.publisher {
        fields.push(("howpublished", tex(p)));
    }
    if let (Some((y, m, _)), Some(date)) = (w.date(), w.iso_date()) {
        fields.push(("year", y.to_string()));
        if let Some(m) = m.filter(|m| (1..=12).contains(m)) {
            fields.push(("month", BIB_MONTHS[usize::from(m - 1)].to_owned()));
        }
        fields.push(("date", date));
    }
    fields.push(("language", "chinese".to_owned()));
    if let Some(en) = w.title_en {
        fields.push(("note", format!("English title: {}", tex(en))));
    }
    let mut out = format!("@misc{{{key},\n");
    for (name, value) in &fields {
        // `month` takes BibTeX's month macro, unbraced.
        if *name == "month" {
            out.push_str(&format!("  {name} = {value},\n"));
        } else {
            out.push_str(&format!("  {name} = {{{value}}},\n"));
        }
    }
    out.push('}');
    out
}

fn csl_json(w: &Work<'_>) -> String {
    use serde_json::{Map, Value, json};
    let names = |list: Vec<&str>| -> Value {
        list.into_iter()
            .map(|n| json!({ "literal": n }))
            .collect::<Vec<_>>()
            .into()
    };
    let mut item = Map::new();
    item.insert("id".into(), w.id.into());
    item.insert("type".into(), "webpage".into());
    item.insert("title".into(), w.title.into());
    if let Some(p) = w.publisher {
        item.insert("container-title".into(), p.into());
    }
    let creators = w.creators();
    if !creators.is_empty() {
        item.insert("author".into(), names(creators));
    }
    let editors = w.editors();
    if !editors.is_empty() {
        item.insert("editor".into(), names(editors));
    }
    if let Some((y, m, d)) = w.date() {
        let parts: Vec<Value> = [Some(u32::from(y)), m.map(u32::from), d.map(u32::from)]
            .into_iter()
            .map_while(|p| p)
            .map(Value::from)
            .collect();
        item.insert("issued".into(), json!({ "date-parts": [parts] }));
    }
    item.insert("language".into(), "zh-CN".into());
    if let Some(en) = w.title_en {
        item.insert("note".into(), format!("English title: {en}").into());
    }
    Value::Object(item).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ContributorRole::*;

    const BYLINE: &[(&str, ContributorRole)] = &[
        ("沈欢琳", Author),
        ("薄小波", Author),
        ("徐晶卉", Editor),
        ("戎兵", EditorInCharge),
    ];

    fn jinshan() -> Work<'static> {
        Work {
            id: "jinshan/004_241117507cc8f916.txt",
            title: "24小时“在线”,“360度”服务,金山区朱泾镇社区党群服务中心焕新启用",
            title_en: Some("Online around the clock"),
            publisher: Some("文汇报"),
            published_at: Some("2023-07-06T19:53:58+08:00"),
            contributors: BYLINE,
        }
    }

    #[test]
    fn each_style_from_a_full_record() {
        let w = jinshan();
        assert_eq!(
            reference(&w, Style::GbT7714),
            "沈欢琳, 薄小波. 24小时“在线”,“360度”服务,金山区朱泾镇社区党群服务中心焕新启用[EB/OL]. 文汇报, 2023-07-06."
        );
        assert_eq!(
            reference(&w, Style::Apa),
            "沈欢琳 & 薄小波. (2023, July 6). 24小时“在线”,“360度”服务,金山区朱泾镇社区党群服务中心焕新启用 [Online around the clock]. 文汇报."
        );
        assert_eq!(
            reference(&w, Style::Bibtex),
            "@misc{jinshan-004-241117507cc8f916,\n  author = {{沈欢琳} and {薄小波}},\n  editor = {{徐晶卉} and {戎兵}},\n  title = {{24小时“在线”,“360度”服务,金山区朱泾镇社区党群服务中心焕新启用}},\n  howpublished = {文汇报},\n  year = {2023},\n  month = jul,\n  date = {2023-07-06},\n  language = {chinese},\n  note = {English title: Online around the clock},\n}"
        );
        let csl: serde_json::Value =
            serde_json::from_str(&reference(&w, Style::CslJson)).expect("JSON");
        assert_eq!(
            csl,
            serde_json::json!({
                "id": "jinshan/004_241117507cc8f916.txt",
                "type": "webpage",
                "title": "24小时“在线”,“360度”服务,金山区朱泾镇社区党群服务中心焕新启用",
                "container-title": "文汇报",
                "author": [{ "literal": "沈欢琳" }, { "literal": "薄小波" }],
                "editor": [{ "literal": "徐晶卉" }, { "literal": "戎兵" }],
                "issued": { "date-parts": [[2023, 7, 6]] },
                "language": "zh-CN",
                "note": "English title: Online around the clock"
            })
        );
    }

    #[test]
    fn what_the_article_does_not_give_is_left_out() {
        let w = Work {
            id: "korla/000_df422faf2af43df6.txt",
            title: "【我身边的党群服务阵地】萨依巴格街道孔雀社区",
            title_en: None,
            publisher: Some("梨城党建"),
            published_at: None,
            contributors: &[],
        };
        assert_eq!(
            reference(&w, Style::GbT7714),
            "【我身边的党群服务阵地】萨依巴格街道孔雀社区[EB/OL]. 梨城党建."
        );
        assert_eq!(
            reference(&w, Style::Apa),
            "【我身边的党群服务阵地】萨依巴格街道孔雀社区. (n.d.). 梨城党建."
        );
        assert_eq!(
            reference(&w, Style::Bibtex),
            "@misc{korla-000-df422faf2af43df6,\n  title = {{【我身边的党群服务阵地】萨依巴格街道孔雀社区}},\n  howpublished = {梨城党建},\n  language = {chinese},\n}"
        );
        assert_eq!(
            reference(&w, Style::CslJson),
            r#"{"container-title":"梨城党建","id":"korla/000_df422faf2af43df6.txt","language":"zh-CN","title":"【我身边的党群服务阵地】萨依巴格街道孔雀社区","type":"webpage"}"#
        );
        let dated = Work {
            published_at: Some("2023-03-06"),
            publisher: None,
            ..w
        };
        assert_eq!(
            reference(&dated, Style::GbT7714),
            "【我身边的党群服务阵地】萨依巴格街道孔雀社区[EB/OL]. 2023-03-06."
        );
    }

    #[test]
    fn many_authors_and_tex_specials() {
        let many = &[
            ("甲", Reporter),
            ("乙", Reporter),
            ("丙", Correspondent),
            ("丁", Author),
        ];
        let w = Work {
            id: "x/a.txt",
            title: "50% & more_{x}",
            title_en: None,
            publisher: None,
            published_at: Some("2025-08"),
            contributors: many,
        };
        assert_eq!(
            reference(&w, Style::GbT7714),
            "甲, 乙, 丙, 等. 50% & more_{x}[EB/OL]. 2025-08."
        );
        assert_eq!(
            reference(&w, Style::Apa),
            "甲, 乙, 丙, & 丁. (2025, August). 50% & more_{x}."
        );
        assert!(
            reference(&w, Style::Bibtex).contains("title = {{50\\% \\& more\\_\\{x\\}}},"),
            "{}",
            reference(&w, Style::Bibtex)
        );
    }
}
