//! The district tables as the import writes them and a copy reads them: every column with its
//! type, parents before children. It mirrors `migrations/0001_districts.sql` and the
//! `search_entries` table of `0002_search.*.sql`; a test checks the two agree.

/// A column's type, as stored on both backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    /// TEXT
    Text,
    /// BIGINT
    Int,
    /// DOUBLE PRECISION
    Real,
    /// BOOLEAN (NOT NULL everywhere it is used)
    Bool,
}

use Ty::{Bool, Int, Real, Text};

/// One table of a city's data.
#[derive(Debug)]
pub(crate) struct TableDef {
    pub(crate) name: &'static str,
    pub(crate) columns: &'static [(&'static str, Ty)],
}

impl TableDef {
    pub(crate) fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(c, _)| *c)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Every table holding a city's rows, in insertion order (a table's parents come before it).
/// `dataset_versions` is not listed: it is written last, as the stamp of a finished import.
pub(crate) const TABLES: &[TableDef] = &[
    TableDef {
        name: "cities",
        columns: &[
            ("id", Text),
            ("city_id", Text),
            ("name", Text),
            ("name_en", Text),
            ("province", Text),
            ("province_en", Text),
            ("area", Text),
            ("area_en", Text),
        ],
    },
    TableDef {
        name: "sources",
        columns: &[
            ("id", Text),
            ("city_id", Text),
            ("ord", Int),
            ("file", Text),
            ("title", Text),
            ("title_en", Text),
            ("publisher", Text),
            ("published_at", Text),
            ("note", Text),
        ],
    },
    TableDef {
        name: "circles",
        columns: &[
            ("id", Text),
            ("city_id", Text),
            ("ord", Int),
            ("name", Text),
            ("name_en", Text),
            ("walking_minutes", Int),
            ("population_value", Real),
            ("population_qualifier", Text),
            ("population_unit", Text),
            ("note", Text),
        ],
    },
    TableDef {
        name: "circle_counts",
        columns: &[
            ("circle_id", Text),
            ("city_id", Text),
            ("kind", Text),
            ("value", Real),
            ("qualifier", Text),
            ("unit", Text),
        ],
    },
    TableDef {
        name: "circle_names",
        columns: &[
            ("circle_id", Text),
            ("city_id", Text),
            ("kind", Text),
            ("ord", Int),
            ("name", Text),
        ],
    },
    TableDef {
        name: "centers",
        columns: &[
            ("id", Text),
            ("city_id", Text),
            ("ord", Int),
            ("circle_id", Text),
            ("name", Text),
            ("name_en", Text),
            ("address", Text),
            ("address_en", Text),
            ("floor_area_value", Real),
            ("floor_area_qualifier", Text),
            ("floor_area_unit", Text),
            ("transit", Text),
            ("transit_en", Text),
            ("note", Text),
        ],
    },
    TableDef {
        name: "opening_hours",
        columns: &[
            ("center_id", Text),
            ("city_id", Text),
            ("ord", Int),
            ("season", Text),
            ("days", Text),
            ("opens", Int),
            ("closes", Int),
            ("open_24h", Bool),
        ],
    },
    TableDef {
        name: "contacts",
        columns: &[
            ("center_id", Text),
            ("city_id", Text),
            ("ord", Int),
            ("name", Text),
            ("phone", Text),
        ],
    },
    TableDef {
        name: "center_service_items",
        columns: &[
            ("center_id", Text),
            ("city_id", Text),
            ("ord", Int),
            ("item", Text),
        ],
    },
    TableDef {
        name: "rooms",
        columns: &[
            ("id", Text),
            ("city_id", Text),
            ("ord", Int),
            ("center_id", Text),
            ("name", Text),
            ("name_en", Text),
            ("category", Text),
            ("description", Text),
            ("capacity_min", Int),
            ("capacity_max", Int),
            ("address", Text),
            ("floor", Text),
            ("outdoor", Bool),
            ("open_24h", Bool),
            ("note", Text),
        ],
    },
    TableDef {
        name: "room_equipment",
        columns: &[
            ("room_id", Text),
            ("city_id", Text),
            ("ord", Int),
            ("name", Text),
            ("tag", Text),
        ],
    },
    TableDef {
        name: "room_uses",
        columns: &[
            ("room_id", Text),
            ("city_id", Text),
            ("ord", Int),
            ("use_text", Text),
        ],
    },
    TableDef {
        name: "room_events",
        columns: &[
            ("id", Text),
            ("room_id", Text),
            ("city_id", Text),
            ("ord", Int),
            ("name", Text),
            ("name_en", Text),
            ("schedule", Text),
            ("season", Text),
            ("weekday", Text),
            ("starts_at", Int),
        ],
    },
    TableDef {
        name: "indicators",
        columns: &[
            ("id", Text),
            ("owner_id", Text),
            ("city_id", Text),
            ("ord", Int),
            ("key", Text),
            ("name", Text),
            ("name_en", Text),
            ("value", Real),
            ("qualifier", Text),
            ("unit", Text),
            ("text", Text),
        ],
    },
    TableDef {
        name: "citations",
        columns: &[
            ("owner_id", Text),
            ("city_id", Text),
            ("ord", Int),
            ("source_id", Text),
            ("quote", Text),
            ("supports", Text),
        ],
    },
    TableDef {
        name: "search_entries",
        columns: &[
            ("text", Text),
            ("city_id", Text),
            ("kind", Text),
            ("owner_id", Text),
            ("owner_ord", Int),
            ("field", Text),
            ("ord", Int),
        ],
    },
];

/// The definition of table `name`.
pub(crate) fn table(name: &str) -> &'static TableDef {
    TABLES
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no table `{name}` in store::schema::TABLES"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each listed column appears in its table's `CREATE TABLE` with the listed type, and each
    /// table of the migration is listed.
    #[test]
    fn tables_mirror_the_migrations() {
        let sql = concat!(
            include_str!("../../../migrations/0001_districts.sql"),
            include_str!("../../../migrations/0002_search.postgres.sql")
        );
        let mut created = Vec::new();
        for part in sql.split("CREATE TABLE ").skip(1) {
            let name = part.split_whitespace().next().expect("table name");
            let body = &part[..part.find(");").expect("end of CREATE TABLE")];
            created.push(name.to_owned());
            if name == "dataset_versions" {
                continue;
            }
            let def = table(name);
            let declared: Vec<(String, String)> = body
                .lines()
                .skip(1)
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("--") && !l.starts_with("PRIMARY"))
                .map(|l| {
                    let mut words = l.split_whitespace();
                    let column = words.next().expect("column").to_owned();
                    let ty = words.next().expect("type").trim_end_matches(',').to_owned();
                    (column, ty)
                })
                .collect();
            let listed: Vec<(String, String)> = def
                .columns
                .iter()
                .map(|(c, t)| {
                    let ty = match t {
                        Text => "TEXT",
                        Int => "BIGINT",
                        Real => "DOUBLE",
                        Bool => "BOOLEAN",
                    };
                    ((*c).to_owned(), ty.to_owned())
                })
                .collect();
            let mut declared_sorted = declared.clone();
            declared_sorted.sort();
            let mut listed_sorted = listed.clone();
            listed_sorted.sort();
            assert_eq!(declared_sorted, listed_sorted, "table {name}");
        }
        created.retain(|n| n != "dataset_versions");
        created.sort();
        let mut listed: Vec<String> = TABLES.iter().map(|t| t.name.to_owned()).collect();
        listed.sort();
        assert_eq!(created, listed);
    }
}
