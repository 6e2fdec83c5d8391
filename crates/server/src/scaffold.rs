//! `dangqun new-city`: a new city's crate from the templates in `templates/city/` (data file,
//! `sources/`, README, tests), registered with its one line in the server's `Cargo.toml`.

use crate::registry;
use std::path::{Path, PathBuf};

/// What `dangqun new-city` is told about the city: its gazetteer identity, the `[city]` table
/// of its data file.
#[derive(Debug, Clone, clap::Args)]
#[group(skip)]
pub struct NewCity {
    /// Lower-case ASCII letters and digits, starting with a letter (`kashgar`).
    pub id: String,
    /// The city's name in Chinese (`喀什市`).
    #[arg(long)]
    pub name: String,
    /// Its English name (`Kashgar`).
    #[arg(long)]
    pub name_en: String,
    /// Its province (`新疆维吾尔自治区`).
    #[arg(long)]
    pub province: String,
    /// The province's English name.
    #[arg(long)]
    pub province_en: String,
    /// The part of the city its sources cover, when narrower than the city (`某区`).
    #[arg(long)]
    pub area: Option<String>,
    /// That part's English name.
    #[arg(long, requires = "area")]
    pub area_en: Option<String>,
}

/// Why no crate was created. Nothing is written when any of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error(
        "city id `{0}` must be lower-case ASCII letters and digits, starting with a letter (`kashgar`)"
    )]
    BadId(String),
    #[error("city id `{0}` is reserved: `synth…` ids are synthetic cities")]
    Reserved(String),
    #[error("`--{0}` must be one line of text, not empty")]
    BadText(&'static str),
    #[error("{0} is not the root of a dangqun checkout (it has no crates/server/Cargo.toml)")]
    NotACheckout(PathBuf),
    #[error("city `{0}` is already registered in crates/server/Cargo.toml")]
    Registered(String),
    #[error("{0} already exists")]
    Exists(PathBuf),
    #[error("the new data file does not load: {0}")]
    Template(#[source] Box<model::DatasetError>),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The files of a new city's crate, relative to it, each with its template.
const FILES: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        include_str!("../templates/city/Cargo.toml.tmpl"),
    ),
    (
        "README.md",
        include_str!("../templates/city/README.md.tmpl"),
    ),
    (
        "data/dataset.toml",
        include_str!("../templates/city/dataset.toml.tmpl"),
    ),
    (
        "sources/README.md",
        include_str!("../templates/city/sources-README.md.tmpl"),
    ),
    ("src/lib.rs", include_str!("../templates/city/lib.rs.tmpl")),
    (
        "src/tests.rs",
        include_str!("../templates/city/tests.rs.tmpl"),
    ),
];

/// Creates `crates/city-<id>` under the checkout at `root` and registers it in
/// `crates/server/Cargo.toml`; returns the crate's folder. The crate builds and its tests pass
/// as created (a city with no sources yet). On any error nothing is left behind.
pub fn new_city(root: &Path, city: &NewCity) -> Result<PathBuf, ScaffoldError> {
    check(city)?;
    let manifest_path = root.join("crates/server/Cargo.toml");
    let manifest = std::fs::read_to_string(&manifest_path)
        .map_err(|_| ScaffoldError::NotACheckout(root.to_owned()))?;
    if registry::registered_cities(&manifest).contains(&city.id) {
        return Err(ScaffoldError::Registered(city.id.clone()));
    }
    let registered = registry::register(&manifest, &city.id)
        .ok_or_else(|| ScaffoldError::NotACheckout(root.to_owned()))?;
    let dir = root.join(format!("crates/{}{}", registry::CRATE_PREFIX, city.id));
    if dir.exists() {
        return Err(ScaffoldError::Exists(dir));
    }
    let files: Vec<(&str, String)> = FILES
        .iter()
        .map(|(path, template)| (*path, render(template, city)))
        .collect();
    let (_, data) = files
        .iter()
        .find(|(path, _)| *path == "data/dataset.toml")
        .expect("the data file is one of FILES");
    model::CityDataset::load(data, &[]).map_err(|e| ScaffoldError::Template(Box::new(e)))?;

    // Written beside its place and moved there whole, so that a failure leaves no half crate.
    let staging = root.join(format!("crates/.{}{}.new", registry::CRATE_PREFIX, city.id));
    let written = write_all(&staging, &files)
        .and_then(|()| std::fs::rename(&staging, &dir).map_err(io(&dir)));
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    let next = manifest_path.with_extension("toml.new");
    let registered = std::fs::write(&next, registered)
        .map_err(io(&next))
        .and_then(|()| std::fs::rename(&next, &manifest_path).map_err(io(&manifest_path)));
    if let Err(e) = registered {
        let _ = std::fs::remove_file(&next);
        let _ = std::fs::remove_dir_all(&dir);
        return Err(e);
    }
    Ok(dir)
}

fn check(city: &NewCity) -> Result<(), ScaffoldError> {
    let id = city.id.as_str();
    let mut chars = id.chars();
    let well_formed = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !well_formed {
        return Err(ScaffoldError::BadId(id.to_owned()));
    }
    if id.starts_with("synth") {
        return Err(ScaffoldError::Reserved(id.to_owned()));
    }
    let texts = [
        ("name", Some(&city.name)),
        ("name-en", Some(&city.name_en)),
        ("province", Some(&city.province)),
        ("province-en", Some(&city.province_en)),
        ("area", city.area.as_ref()),
        ("area-en", city.area_en.as_ref()),
    ];
    for (flag, text) in texts {
        if text.is_some_and(|t| t.trim().is_empty() || t.chars().any(char::is_control)) {
            return Err(ScaffoldError::BadText(flag));
        }
    }
    Ok(())
}

fn render(template: &str, city: &NewCity) -> String {
    let area = [("area", &city.area), ("area_en", &city.area_en)]
        .iter()
        .filter_map(|(key, value)| {
            value
                .as_ref()
                .map(|v| format!("{key} = {}\n", toml_string(v)))
        })
        .collect::<String>();
    template
        .replace("{{ID}}", &city.id)
        .replace("{{NAME_TOML}}", &toml_string(&city.name))
        .replace("{{NAME_EN_TOML}}", &toml_string(&city.name_en))
        .replace("{{PROVINCE_TOML}}", &toml_string(&city.province))
        .replace("{{PROVINCE_EN_TOML}}", &toml_string(&city.province_en))
        .replace("{{AREA_TOML}}", &area)
        .replace("{{NAME_RUST}}", &format!("{:?}", city.name))
        .replace("{{NAME_EN}}", &city.name_en)
        .replace("{{NAME}}", &city.name)
        .replace("{{PROVINCE}}", &city.province)
}

/// `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn write_all(dir: &Path, files: &[(&str, String)]) -> Result<(), ScaffoldError> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(io(dir))?;
    }
    for (path, text) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&path, text).map_err(io(&path))?;
    }
    Ok(())
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> ScaffoldError + '_ {
    move |source| ScaffoldError::Io {
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn city(id: &str) -> NewCity {
        NewCity {
            id: id.to_owned(),
            name: "示例\"市\\".to_owned(),
            name_en: "Example City".to_owned(),
            province: "示例省".to_owned(),
            province_en: "Example Province".to_owned(),
            area: Some("东区".to_owned()),
            area_en: None,
        }
    }

    #[test]
    fn the_data_file_escapes_names_and_loads() {
        let c = city("example");
        let data = render(FILES[2].1, &c);
        let d = model::CityDataset::load(&data, &[]).expect("loads");
        assert_eq!(d.city.name, "示例\"市\\");
        assert_eq!(d.city.area.as_deref(), Some("东区"));
        assert_eq!(d.city.area_en, None);
        let tests = render(FILES[5].1, &c);
        assert!(
            tests.contains(r#"assert_eq!(d.city.name, "示例\"市\\");"#),
            "{tests}"
        );
    }

    #[test]
    fn bad_ids_and_texts_are_refused() {
        for id in ["", "Kashgar", "9city", "ka-shi", "kashgar/", "korla "] {
            assert!(
                matches!(check(&city(id)), Err(ScaffoldError::BadId(_))),
                "{id}"
            );
        }
        assert!(matches!(
            check(&city("synth7")),
            Err(ScaffoldError::Reserved(_))
        ));
        let mut two_lines = city("example");
        two_lines.name_en = "Example\nCity".to_owned();
        assert!(matches!(
            check(&two_lines),
            Err(ScaffoldError::BadText("name-en"))
        ));
        assert!(check(&city("kashgar2")).is_ok());
    }
}
