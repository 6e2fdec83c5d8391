//! Building SQL with bound values. Every value a client supplies is bound, never spliced into the
//! text: a [`Sql`] collects text and values side by side and numbers its placeholders `$1, $2…`
//! in the order they appear, which both SQLite and PostgreSQL accept.

use sqlx::{Database, Postgres, Sqlite, query::Query};

#[derive(Debug, Clone)]
pub(crate) enum Val {
    Text(Option<String>),
    Int(Option<i64>),
    Real(Option<f64>),
    Bool(bool),
}

impl From<&str> for Val {
    fn from(s: &str) -> Self {
        Val::Text(Some(s.to_owned()))
    }
}
impl From<String> for Val {
    fn from(s: String) -> Self {
        Val::Text(Some(s))
    }
}
impl From<&String> for Val {
    fn from(s: &String) -> Self {
        Val::Text(Some(s.clone()))
    }
}
impl From<Option<&String>> for Val {
    fn from(s: Option<&String>) -> Self {
        Val::Text(s.cloned())
    }
}
impl From<Option<String>> for Val {
    fn from(s: Option<String>) -> Self {
        Val::Text(s)
    }
}
impl From<i64> for Val {
    fn from(i: i64) -> Self {
        Val::Int(Some(i))
    }
}
impl From<Option<i64>> for Val {
    fn from(i: Option<i64>) -> Self {
        Val::Int(i)
    }
}
impl From<f64> for Val {
    fn from(f: f64) -> Self {
        Val::Real(Some(f))
    }
}
impl From<bool> for Val {
    fn from(b: bool) -> Self {
        Val::Bool(b)
    }
}

/// `bind` and `query` for one backend: the same code, typed once per database.
macro_rules! for_backend {
    ($bind:ident, $query:ident, $db:ty) => {
        impl Val {
            pub(crate) fn $bind<'q>(
                &self,
                q: Query<'q, $db, <$db as Database>::Arguments<'q>>,
            ) -> Query<'q, $db, <$db as Database>::Arguments<'q>> {
                match self {
                    Val::Text(s) => q.bind(s.clone()),
                    Val::Int(i) => q.bind(*i),
                    Val::Real(f) => q.bind(*f),
                    Val::Bool(b) => q.bind(*b),
                }
            }
        }

        impl Sql {
            /// A sqlx query over this text with every value bound.
            pub(crate) fn $query(&self) -> Query<'_, $db, <$db as Database>::Arguments<'_>> {
                self.args
                    .iter()
                    .fold(sqlx::query(&self.text), |q, v| v.$bind(q))
            }
        }
    };
}
for_backend!(bind_sqlite, sqlite, Sqlite);
for_backend!(bind_postgres, postgres, Postgres);

/// SQL text and the values its placeholders stand for.
#[derive(Debug, Default, Clone)]
pub(crate) struct Sql {
    text: String,
    args: Vec<Val>,
}

impl Sql {
    pub(crate) fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            args: Vec::new(),
        }
    }

    /// Appends trusted text (written in this crate, never taken from a client).
    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub(crate) fn bind(&mut self, value: impl Into<Val>) -> &mut Self {
        self.args.push(value.into());
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }

    /// Appends `(v1, v2, …)`, each value bound.
    pub(crate) fn bind_list<V: Into<Val>>(
        &mut self,
        values: impl IntoIterator<Item = V>,
    ) -> &mut Self {
        self.push("(");
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v);
        }
        self.push(")")
    }

    #[cfg(test)]
    pub(crate) fn text(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_in_order() {
        let mut a = Sql::new("SELECT * FROM t WHERE a = ");
        a.bind(1_i64).push(" AND b IN ").bind_list(["x", "y"]);
        a.push(" AND c = ").bind("z");
        assert_eq!(
            a.text(),
            "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3) AND c = $4"
        );
        assert_eq!(a.args.len(), 4);
    }
}
