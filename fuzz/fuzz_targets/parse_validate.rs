//! Feeds arbitrary bytes to `riuso::publiccode::parse` and, when that succeeds,
//! to `riuso::publiccode::validate` with the default (offline, no assets)
//! context. Any result is fine, `Ok` or `Err`; the only failure is a panic
//! (or an abort, an out-of-memory or a timeout caught by libFuzzer).
#![no_main]

use libfuzzer_sys::fuzz_target;
use riuso::publiccode::{Context, Limits, parse, validate};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if let Ok(raw) = parse(data, &limits) {
        let ctx = Context::default();
        let _ = validate(&raw, &ctx);
    }
});
