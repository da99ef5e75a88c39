//! Reuse cases (the art. 68 comparative evaluation): the store on both databases, the pages,
//! and the guided case over HTTP.

mod document;
mod pages;
mod store;
mod uploads;
mod wizard;
