//! Which cities this binary serves: one `city-<id>` dependency line each in the server's
//! `Cargo.toml`, in the service's order. `build.rs` reads them to write `CITIES`, and
//! `dangqun new-city` adds one. Plain std, so that `build.rs` can include this file too.

/// The prefix of a city crate's name.
pub const CRATE_PREFIX: &str = "city-";

/// The ids of the cities `manifest` (the server's `Cargo.toml`) depends on, in the order of
/// their lines in its `[dependencies]` table.
pub fn registered_cities(manifest: &str) -> Vec<String> {
    let mut in_dependencies = false;
    let mut cities = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
        } else if in_dependencies && let Some(id) = city_of(line) {
            cities.push(id.to_owned());
        }
    }
    cities
}

/// The city id a dependency line names (`city-korla = { path = … }` → `korla`).
fn city_of(line: &str) -> Option<&str> {
    let rest = line.strip_prefix(CRATE_PREFIX)?;
    let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))?;
    let after = rest[end..].trim_start();
    (end > 0 && (after.starts_with('=') || after.starts_with('.'))).then(|| &rest[..end])
}

/// The line that registers city `id`: a path dependency on its crate next to the server's.
pub fn registration_line(id: &str) -> String {
    format!("{CRATE_PREFIX}{id} = {{ path = \"../{CRATE_PREFIX}{id}\" }}")
}

/// `manifest` with city `id` registered after the last city it lists (so last in the
/// service's order), or at the top of `[dependencies]` when it lists none; `None` when it has
/// no `[dependencies]` table.
pub fn register(manifest: &str, id: &str) -> Option<String> {
    let lines: Vec<&str> = manifest.lines().collect();
    let mut in_dependencies = false;
    let mut at = None;
    for (n, line) in lines.iter().map(|l| l.trim()).enumerate() {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
            if in_dependencies && at.is_none() {
                at = Some(n + 1);
            }
        } else if in_dependencies && city_of(line).is_some() {
            at = Some(n + 1);
        }
    }
    let at = at?;
    let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    out.insert(at, registration_line(id));
    let mut text = out.join("\n");
    if manifest.ends_with('\n') {
        text.push('\n');
    }
    Some(text)
}

/// The Rust path of city `id`'s crate (`city-foo` → `city_foo`).
pub fn crate_ident(id: &str) -> String {
    format!("{CRATE_PREFIX}{id}").replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = include_str!("../Cargo.toml");

    #[test]
    fn the_served_cities_are_the_manifests_lines_in_order() {
        let ids: Vec<&str> = crate::CITIES.iter().map(|(id, ..)| *id).collect();
        assert_eq!(ids, ["korla", "taiyuan", "suzhou", "jinshan"]);
        assert_eq!(registered_cities(MANIFEST), ids);
        for (id, load, _) in crate::CITIES {
            assert_eq!(
                load().expect("dataset").city.id,
                *id,
                "a crate holds its own city"
            );
        }
    }

    #[test]
    fn registering_adds_one_line_after_the_last_city() {
        let next = register(MANIFEST, "kashgar").expect("has [dependencies]");
        assert_eq!(
            registered_cities(&next),
            ["korla", "taiyuan", "suzhou", "jinshan", "kashgar"]
        );
        let added: Vec<&str> = next
            .lines()
            .filter(|l| !MANIFEST.lines().any(|m| m == *l))
            .collect();
        assert_eq!(added, [r#"city-kashgar = { path = "../city-kashgar" }"#]);
        assert_eq!(next.lines().count(), MANIFEST.lines().count() + 1);
        let at = next.lines().position(|l| l.starts_with("city-kashgar"));
        let jinshan = next.lines().position(|l| l.starts_with("city-jinshan"));
        assert_eq!(at, jinshan.map(|n| n + 1));

        let bare = "[package]\nname = \"x\"\n\n[dependencies]\nserde = \"1\"\n";
        assert_eq!(
            register(bare, "a").as_deref(),
            Some(
                "[package]\nname = \"x\"\n\n[dependencies]\ncity-a = { path = \"../city-a\" }\nserde = \"1\"\n"
            )
        );
        assert_eq!(register("[package]\n", "a"), None);
        assert_eq!(
            registered_cities(
                "[dev-dependencies]\ncity-x.workspace = true\n[dependencies]\ncity-y.workspace = true\ncity-\ncityz = 1\n"
            ),
            ["y"]
        );
    }
}
