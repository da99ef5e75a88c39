//! Reuse cases (the art. 68 comparative evaluation): the store on both databases.

mod document;
mod pages;
mod store;
