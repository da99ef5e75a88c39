//! The publiccode.yml validator: conformance with the reference, real files, hostile input,
//! the CLI and its output formats, and the JSON Schemas.

mod claims;
mod cli;
mod conformance;
mod hostile;
mod real_files;
mod schemas;
