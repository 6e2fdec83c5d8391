//! What a request may cost, measured on its text and document before anything runs.
//!
//! - **Tokens** of the text (names, punctuators, numbers, strings), counted before it is parsed.
//! - **Cost**: the number of values the answer can hold at most. A field costs one per parent
//!   value; a list multiplies its children: a page by its `first` (default 20, at most 100), a
//!   search by its `first`, `cities` and `compare` by the cities served, `sources` by twice that,
//!   any other list by [`LIST_BOUND`]. `rooms(first: 100) { nodes { center { rooms { name } } } }`
//!   costs 1 + 100 + 100 + 100 × 10 + 100 × 10 = 2,201.
//! - **Depth** of fields, **aliases**, **root fields** and **directives**.
//!
//! Each has a limit ([`Budget`]); a request over one is refused with `LIMIT_EXCEEDED` and
//! `extensions.limit`, `extensions.max`, `extensions.actual`, and no statement runs. The walk stops
//! as soon as the cost passes its limit, so a document built to explode (fragments spread into
//! fragments) costs the service no more than the limit.

use async_graphql::Value;
use async_graphql::parser::types::{
    BaseType, ExecutableDocument, OperationDefinition, Selection, SelectionSet, ServiceDocument,
    TypeKind, TypeSystemDefinition,
};
use std::collections::HashMap;

/// Lists without a `first` hold at most this many values, for the cost (rooms of a center,
/// equipment of a room, citations…: the real data's largest is under it).
pub const LIST_BOUND: u64 = 10;
/// Page size when `first` is not given, and the largest accepted.
const DEFAULT_FIRST: u64 = crate::connection::DEFAULT_FIRST as u64;
const MAX_FIRST: u64 = crate::connection::MAX_FIRST as u64;

/// The limits, each configurable (see README, "Running in production").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub max_cost: u64,
    pub max_depth: u64,
    pub max_aliases: u64,
    pub max_root_fields: u64,
    pub max_directives: u64,
    pub max_tokens: u64,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            // The deep query of the benchmark (4 cities → 100 centers each → rooms → equipment)
            // costs 88,808; the largest in README and tests/queries is far below.
            max_cost: 200_000,
            max_depth: 12,
            max_aliases: 30,
            max_root_fields: 20,
            max_directives: 50,
            max_tokens: 4_000,
        }
    }
}

/// What a request measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measured {
    pub cost: u64,
    pub depth: u64,
    pub aliases: u64,
    pub root_fields: u64,
    pub directives: u64,
    pub tokens: u64,
}

impl Measured {
    /// As `extensions.cost` of an answer that asked for it.
    pub fn to_value(self, budget: &Budget) -> Value {
        let pair = |actual: u64, max: u64| {
            Value::from_json(serde_json::json!({ "actual": actual, "max": max }))
                .unwrap_or(Value::Null)
        };
        let mut map = async_graphql::indexmap::IndexMap::new();
        for (name, actual, max) in [
            ("cost", self.cost, budget.max_cost),
            ("depth", self.depth, budget.max_depth),
            ("aliases", self.aliases, budget.max_aliases),
            ("rootFields", self.root_fields, budget.max_root_fields),
            ("directives", self.directives, budget.max_directives),
            ("tokens", self.tokens, budget.max_tokens),
        ] {
            map.insert(async_graphql::Name::new(name), pair(actual, max));
        }
        Value::Object(map)
    }
}

/// A limit a request went over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exceeded {
    pub limit: &'static str,
    pub max: u64,
    /// What was measured; for the cost, how far the walk got before it stopped (over `max`).
    pub actual: u64,
}

impl Exceeded {
    pub fn error(&self) -> async_graphql::ServerError {
        let what = match self.limit {
            "cost" => "the answer could hold more values than allowed",
            "depth" => "fields are nested deeper than allowed",
            "aliases" => "the query has more aliases than allowed",
            "rootFields" => "the query has more root fields than allowed",
            "directives" => "the query has more directives than allowed",
            _ => "the query text has more tokens than allowed",
        };
        let at_least = if self.limit == "cost" {
            "at least "
        } else {
            ""
        };
        let mut error = async_graphql::ServerError::new(
            format!(
                "{what}: {at_least}{} (at most {}); ask for fewer fields or smaller pages",
                self.actual, self.max
            ),
            None,
        );
        let mut extensions = async_graphql::ErrorExtensionValues::default();
        extensions.set("code", crate::codes::LIMIT_EXCEEDED);
        extensions.set("limit", self.limit);
        extensions.set("max", self.max);
        extensions.set("actual", self.actual);
        error.extensions = Some(extensions);
        error
    }
}

/// For each object type, each field's result: its named type, whether it is a list, and whether
/// it takes `first`.
#[derive(Debug, Default)]
pub struct Model {
    /// Type name → field name → field.
    fields: HashMap<String, HashMap<String, Field>>,
    /// Values `cities` and `compare` can hold: the cities served.
    cities: u64,
}

#[derive(Debug)]
struct Field {
    ty: String,
    list: bool,
    paged: bool,
}

impl Model {
    /// From the schema's SDL and the number of cities served.
    pub fn new(sdl: &str, cities: usize) -> Self {
        let mut fields: HashMap<String, HashMap<String, Field>> = HashMap::new();
        if let Ok(ServiceDocument { definitions }) = async_graphql::parser::parse_schema(sdl) {
            for definition in definitions {
                let TypeSystemDefinition::Type(ty) = definition else {
                    continue;
                };
                let ty = ty.node;
                let object_fields = match ty.kind {
                    TypeKind::Object(object) => object.fields,
                    TypeKind::Interface(interface) => interface.fields,
                    _ => continue,
                };
                let parent = fields.entry(ty.name.node.to_string()).or_default();
                for field in object_fields {
                    let field = field.node;
                    let mut base = &field.ty.node.base;
                    let mut list = false;
                    while let BaseType::List(inner) = base {
                        list = true;
                        base = &inner.base;
                    }
                    let BaseType::Named(named) = base else {
                        continue;
                    };
                    let paged = field.arguments.iter().any(|a| a.node.name.node == "first");
                    parent.insert(
                        field.name.node.to_string(),
                        Field {
                            ty: named.to_string(),
                            list,
                            paged,
                        },
                    );
                }
            }
        }
        Self {
            fields,
            cities: cities as u64,
        }
    }

    /// Measures `operation`; `Err` at the first limit it goes over.
    pub fn measure(
        &self,
        budget: &Budget,
        document: &ExecutableDocument,
        operation: &OperationDefinition,
        variables: &async_graphql::Variables,
        tokens: u64,
    ) -> Result<Measured, Exceeded> {
        let mut walk = Walk {
            model: self,
            budget,
            document,
            variables,
            measured: Measured {
                tokens,
                ..Measured::default()
            },
        };
        let root = match operation.ty {
            async_graphql::parser::types::OperationType::Query => "Query",
            async_graphql::parser::types::OperationType::Mutation => "Mutation",
            async_graphql::parser::types::OperationType::Subscription => "Subscription",
        };
        walk.directives(operation.directives.len())?;
        walk.set(&operation.selection_set.node, root, 1, 0, None, 0)?;
        let m = walk.measured;
        for (limit, actual, max) in [
            ("aliases", m.aliases, budget.max_aliases),
            ("rootFields", m.root_fields, budget.max_root_fields),
        ] {
            if actual > max {
                return Err(Exceeded { limit, max, actual });
            }
        }
        Ok(m)
    }
}

/// The first limit the text alone goes over: its tokens. Counted without parsing.
pub fn check_tokens(budget: &Budget, text: &str) -> Result<u64, Exceeded> {
    let tokens = count_tokens(text);
    if tokens > budget.max_tokens {
        return Err(Exceeded {
            limit: "tokens",
            max: budget.max_tokens,
            actual: tokens,
        });
    }
    Ok(tokens)
}

/// Fragments nest at most this deep (validation refuses cycles later; this stops them here).
const MAX_FRAGMENT_NESTING: u32 = 32;

struct Walk<'a> {
    model: &'a Model,
    budget: &'a Budget,
    document: &'a ExecutableDocument,
    variables: &'a async_graphql::Variables,
    measured: Measured,
}

impl Walk<'_> {
    /// Counts `n` more directives; `Err` past the limit.
    fn directives(&mut self, n: usize) -> Result<(), Exceeded> {
        self.measured.directives += n as u64;
        if self.measured.directives > self.budget.max_directives {
            return Err(Exceeded {
                limit: "directives",
                max: self.budget.max_directives,
                actual: self.measured.directives,
            });
        }
        Ok(())
    }

    /// `page`: the `first` of the connection whose `nodes`/`edges` this set may select.
    fn set(
        &mut self,
        set: &SelectionSet,
        parent: &str,
        multiplier: u64,
        depth: u64,
        page: Option<u64>,
        nesting: u32,
    ) -> Result<(), Exceeded> {
        if nesting > MAX_FRAGMENT_NESTING {
            return Ok(());
        }
        for selection in &set.items {
            let (fragment, ty) = match &selection.node {
                Selection::Field(field) => {
                    self.field(&field.node, parent, multiplier, depth, page, nesting)?;
                    continue;
                }
                Selection::InlineFragment(inline) => {
                    let inline = &inline.node;
                    self.directives(inline.directives.len())?;
                    let ty = inline
                        .type_condition
                        .as_ref()
                        .map_or(parent, |t| t.node.on.node.as_str());
                    (&inline.selection_set.node, ty)
                }
                Selection::FragmentSpread(spread) => {
                    let spread = &spread.node;
                    self.directives(spread.directives.len())?;
                    let Some(fragment) = self.document.fragments.get(&spread.fragment_name.node)
                    else {
                        continue;
                    };
                    let fragment = &fragment.node;
                    self.directives(fragment.directives.len())?;
                    let ty = fragment.type_condition.node.on.node.as_str();
                    (&fragment.selection_set.node, ty)
                }
            };
            self.set(fragment, ty, multiplier, depth, page, nesting + 1)?;
        }
        Ok(())
    }

    /// One field selected `multiplier` times (once per parent value), at `depth` below the root.
    fn field(
        &mut self,
        field: &async_graphql::parser::types::Field,
        parent: &str,
        multiplier: u64,
        depth: u64,
        page: Option<u64>,
        nesting: u32,
    ) -> Result<(), Exceeded> {
        self.directives(field.directives.len())?;
        if field.alias.is_some() {
            self.measured.aliases += 1;
        }
        if depth == 0 {
            self.measured.root_fields += 1;
        }
        let depth = depth + 1;
        if depth > self.measured.depth {
            self.measured.depth = depth;
            if depth > self.budget.max_depth {
                return Err(Exceeded {
                    limit: "depth",
                    max: self.budget.max_depth,
                    actual: depth,
                });
            }
        }
        let name = field.name.node.as_str();
        let info = self.model.fields.get(parent).and_then(|f| f.get(name));
        let first = || {
            field
                .get_argument("first")
                .and_then(|v| {
                    v.node
                        .clone()
                        .into_const_with(|var| self.variables.get(&var).cloned().ok_or(()))
                        .ok()
                })
                .and_then(|v| match v {
                    Value::Number(n) => n.as_u64(),
                    _ => None,
                })
                .unwrap_or(DEFAULT_FIRST)
                .min(MAX_FIRST)
        };
        let count = match (info, page, name) {
            (Some(info), _, _) if info.list && info.paged => first(),
            (Some(info), Some(page), "nodes" | "edges") if info.list => page,
            (Some(info), _, "cities" | "compare") if info.list && parent == "Query" => {
                self.model.cities
            }
            (Some(info), _, "sources") if info.list && parent == "Query" => self.model.cities * 2,
            (Some(info), _, _) if info.list => LIST_BOUND,
            _ => 1,
        };
        let values = multiplier.saturating_mul(count.max(1));
        self.measured.cost = self.measured.cost.saturating_add(values);
        if self.measured.cost > self.budget.max_cost {
            return Err(Exceeded {
                limit: "cost",
                max: self.budget.max_cost,
                actual: self.measured.cost,
            });
        }
        if let Some(info) = info {
            let page = (info.paged && !info.list).then(first);
            self.set(
                &field.selection_set.node,
                &info.ty,
                values,
                depth,
                page,
                nesting,
            )?;
        }
        Ok(())
    }
}

/// GraphQL's lexical tokens in `text`: punctuators (`...` is one), names, numbers, strings and
/// block strings; whitespace, commas and comments are not tokens.
fn count_tokens(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut tokens = 0u64;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            0xEF if bytes[i..].starts_with(&[0xEF, 0xBB, 0xBF]) => i += 3,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' => {
                tokens += 1;
                if bytes[i..].starts_with(b"\"\"\"") {
                    i += 3;
                    while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                        i += if bytes[i..].starts_with(b"\\\"\"\"") {
                            4
                        } else {
                            1
                        };
                    }
                    i += 3;
                } else {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
            }
            b'.' if bytes[i..].starts_with(b"...") => {
                tokens += 1;
                i += 3;
            }
            b'_' | b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' => {
                tokens += 1;
                i += 1;
                while i < bytes.len()
                    && matches!(bytes[i], b'_' | b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'+' | b'-')
                {
                    i += 1;
                }
            }
            _ => {
                tokens += 1;
                i += 1;
            }
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_counted_as_graphql_lexes_them() {
        assert_eq!(count_tokens("{ cities { id } }"), 6);
        assert_eq!(
            count_tokens("query Q($n: Int = -1.5e3) { a: rooms(first: $n) { ...F } }"),
            25
        );
        assert_eq!(count_tokens("# a comment { { {\n{ a }"), 3);
        assert_eq!(count_tokens(r#"{ search(text: "a \" } {") { id } }"#), 11);
        assert_eq!(count_tokens("{ a(t: \"\"\"x \\\"\"\" { }\"\"\") }"), 8);
        assert_eq!(count_tokens(",,, \u{feff}"), 0);
    }
}
