//! The crawler's parts: the sources file, the SSRF guard and the vitality index.

mod sources;
mod ssrf;
mod vitality;
