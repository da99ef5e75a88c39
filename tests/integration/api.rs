//! The JSON API v1 through the router, on SQLite and PostgreSQL: every endpoint's JSON as a
//! snapshot (the contract), pagination, entity tags, CORS, rate limits, the OpenAPI document, the
//! documentation page, and the open-data exports (DCAT-AP_IT read back with an RDF parser).

mod communities;
mod crawls;
mod docs;
mod export;
mod middleware;
mod openapi;
mod organisations;
mod reviews;
mod software;
mod validate;

use serde_json::Value;

/// `value` with every timestamp (which changes from run to run) replaced by a marker, and
/// search-engine scores (which differ between SQLite's BM25 and PostgreSQL's ranking) too.
pub fn redact(mut value: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    match k.as_str() {
                        "createdAt" | "updatedAt" | "fetchedAt" | "at" | "startedAt"
                        | "finishedAt"
                            if !v.is_null() =>
                        {
                            *v = Value::String("[timestamp]".to_owned());
                        }
                        "score" => *v = Value::String("[score]".to_owned()),
                        _ => walk(v),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut value);
    value
}
