//! The crawler: crawls against the fixture forge, the sources file, the SSRF guard, the
//! vitality index and its jobs, the grace of an invalid file.

mod declarations;
mod git;
mod grace;
mod identity;
mod publisher;
mod race;
mod releases;
mod run;
mod sources;
mod ssrf;
mod vitality;
mod vitality_job;
mod work;
