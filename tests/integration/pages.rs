//! The web pages through the router (no browser): every route in both languages, the language
//! choice, the security headers, error pages for bad input (never a 500), and what each page
//! shows, checked with CSS selectors on the parsed HTML.

mod badges;
mod communities;
mod compare;
mod errors;
mod feeds;
mod follow_solution;
mod frame;
mod hostile;
mod notices;
mod publishers;
mod review;
mod search;
mod software;
mod thread_paging;
mod validator;

use crate::support::test_app::TestApp;

/// The slug of the first result of the search `query`.
pub async fn first_slug(app: &TestApp, query: &str) -> String {
    let page = app.get(&format!("/software?{query}")).await;
    let link = page.all("a.result-link")[0]
        .value()
        .attr("href")
        .unwrap()
        .to_owned();
    link.trim_start_matches("/software/").to_owned()
}
