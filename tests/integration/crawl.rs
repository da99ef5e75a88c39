//! The crawler: crawls against the fixture forge, the sources file, the SSRF guard and the
//! vitality index.

mod git;
mod run;
mod sources;
mod ssrf;
mod vitality;
mod work;
