//! The answer as JSON bytes, with every object's keys in the order the query selected them.
//!
//! async-graphql 7.2 puts a field into its object when the field finishes (completion order), so
//! the same request could answer `{"b":…,"a":…}` once and `{"a":…,"b":…}` the next time. The
//! GraphQL specification (§7.2.2, "Serialized Map Ordering") asks for the order of the selection
//! set, and caches, diffs and tools that take columns from the first record need the bytes to be
//! the same for the same request. So the answer is written here, not by async-graphql: before a
//! request executes, its operation is turned into a [`Shape`] (each object's response keys in
//! selection order, fragments and repeated keys merged as the specification's `CollectFields`
//! does), and the data is written walking that shape.
//!
//! Type conditions are not known when the shape is built, so a fragment's fields take their place
//! whatever its type condition. The one abstract type the schema has, `SearchNode`, could only
//! place a key differently when two fragments on different member types select the same response
//! key in different orders; the order is still the same for every identical request.

use async_graphql::parser::types::{
    ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Value};

/// The response keys of one object, in selection order, each with the shape of its value.
#[derive(Debug, Default)]
pub struct Shape {
    fields: Vec<(Name, Shape)>,
}

impl Shape {
    /// The shape of the answer to `operation`, one of `document`'s.
    pub fn of(document: &ExecutableDocument, operation: &OperationDefinition) -> Self {
        Self::collect(document, &[&operation.selection_set.node])
    }

    /// `CollectFields` over several selection sets (those merged under one response key).
    fn collect(document: &ExecutableDocument, sets: &[&SelectionSet]) -> Self {
        let mut keys: Vec<(Name, Vec<&SelectionSet>)> = Vec::new();
        for set in sets {
            gather(document, set, &mut keys, 0);
        }
        Self {
            fields: keys
                .into_iter()
                .map(|(key, sets)| {
                    let shape = Self::collect(document, &sets);
                    (key, shape)
                })
                .collect(),
        }
    }
}

/// Fragment spreads nest at most this deep here. Validation already refused cycles; this only
/// keeps a pathological document from recursing without end.
const MAX_FRAGMENT_DEPTH: usize = 64;

fn gather<'d>(
    document: &'d ExecutableDocument,
    set: &'d SelectionSet,
    keys: &mut Vec<(Name, Vec<&'d SelectionSet>)>,
    depth: usize,
) {
    if depth > MAX_FRAGMENT_DEPTH {
        return;
    }
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => {
                let key = field.node.response_key().node.clone();
                let sub = &field.node.selection_set.node;
                match keys.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, sets)) => sets.push(sub),
                    None => keys.push((key, vec![sub])),
                }
            }
            Selection::InlineFragment(fragment) => {
                gather(document, &fragment.node.selection_set.node, keys, depth + 1);
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node) {
                    gather(document, &fragment.node.selection_set.node, keys, depth + 1);
                }
            }
        }
    }
}

/// Writes `response` as JSON: `data` (left out when the request failed before it executed, as
/// GraphQL over HTTP asks; `raw` when it was built as JSON already), then `errors` and
/// `extensions` when there are any.
pub fn write(
    response: &async_graphql::Response,
    shape: Option<&Shape>,
    executed: bool,
    raw: Option<&[u8]>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.map_or(256, |r| r.len() + 256));
    out.push(b'{');
    let mut first = true;
    if executed {
        out.extend_from_slice(b"\"data\":");
        match raw {
            Some(raw) => out.extend_from_slice(raw),
            None => value(&mut out, &response.data, shape),
        }
        first = false;
    }
    if !response.errors.is_empty() {
        if !first {
            out.push(b',');
        }
        out.extend_from_slice(b"\"errors\":");
        json(&mut out, &response.errors);
        first = false;
    }
    if !response.extensions.is_empty() {
        if !first {
            out.push(b',');
        }
        out.extend_from_slice(b"\"extensions\":");
        json(&mut out, &response.extensions);
    }
    out.push(b'}');
    out
}

fn value(out: &mut Vec<u8>, v: &Value, shape: Option<&Shape>) {
    match v {
        Value::Object(map) => {
            out.push(b'{');
            let mut first = true;
            let mut put = |out: &mut Vec<u8>, key: &Name, v: &Value, shape: Option<&Shape>| {
                if !first {
                    out.push(b',');
                }
                first = false;
                json(out, key.as_str());
                out.push(b':');
                value(out, v, shape);
            };
            match shape {
                Some(shape) => {
                    let mut placed = 0;
                    for (key, sub) in &shape.fields {
                        if let Some(v) = map.get(key) {
                            put(out, key, v, Some(sub));
                            placed += 1;
                        }
                    }
                    // Never expected: a key the selection does not have goes last, not lost.
                    if placed < map.len() {
                        for (key, v) in map {
                            if !shape.fields.iter().any(|(k, _)| k == key) {
                                put(out, key, v, None);
                            }
                        }
                    }
                }
                None => {
                    for (key, v) in map {
                        put(out, key, v, None);
                    }
                }
            }
            out.push(b'}');
        }
        Value::List(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                value(out, item, shape);
            }
            out.push(b']');
        }
        other => json(out, other),
    }
}

fn json<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) {
    // Writing into a Vec cannot fail, and every value here is serialisable.
    let _ = serde_json::to_writer(&mut *out, v);
}
