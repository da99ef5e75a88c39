//! `GET /software`: full-text search with facets as checkbox groups, active-filter chips, sort,
//! cursor pagination and an empty state with suggestions. The whole state is in the URL, so a
//! search can be shared and the back button works; the form works without JavaScript.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use askama::Template;
use axum::response::Response;
use url::form_urlencoded;

use crate::app::AppState;
use crate::catalog::browse::{self, Card};
use crate::catalog::search::{Facet, Query, Results, Sort};
use crate::i18n::Lang;
use crate::web::error::AppError;
use crate::web::page::{PageCtx, render};
use crate::web::params::{self, Params, QuerySpec};

/// Results per page.
const PAGE_SIZE: u64 = 20;

/// Facet values shown before "more".
const SHOWN_VALUES: usize = 8;

/// Parameters of the page, beside the facet filters.
const FIXED: &[&str] = &["q", "sort", "after", "lang"];

/// The parameters of the page: [`FIXED`] and the facet filters.
#[derive(Debug)]
pub struct SearchParams;

impl QuerySpec for SearchParams {
    const IGNORES_UNKNOWN: bool = true;

    fn names() -> &'static [&'static str] {
        static NAMES: LazyLock<Vec<&str>> = LazyLock::new(|| params::search_keys(FIXED));
        &NAMES
    }
}

/// One value of a facet, as a checkbox.
pub struct FacetValue {
    id: String,
    value: String,
    label: String,
    count: u64,
    checked: bool,
}

/// A facet as a group of checkboxes: the most frequent values, then the others under "more".
pub struct FacetGroup {
    name: &'static str,
    label: String,
    shown: Vec<FacetValue>,
    more: Vec<FacetValue>,
}

/// An active filter, with the address of the same search without it.
pub struct Chip {
    label: String,
    remove: String,
}

/// One result.
pub struct ResultItem {
    id: i64,
    slug: String,
    name: String,
    publisher: Option<String>,
    /// Whether the publisher is verified (else shown as claimed, not verified).
    publisher_verified: bool,
    description: String,
    /// The language of the description, when it is not the page's.
    description_lang: Option<String>,
    licence: Option<String>,
    status: Option<String>,
    updated: String,
    vitality: Option<u8>,
    active: bool,
    /// "publiccode.yml invalid since" and the date, while the repository's file is invalid.
    invalid: Option<String>,
}

/// A search with its words corrected to the catalog's vocabulary.
pub struct DidYouMean {
    words: String,
    href: String,
    count: u64,
}

/// A sort the reader can pick.
pub struct SortOption {
    value: &'static str,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "software/search.html")]
struct SearchPage {
    ctx: PageCtx,
    text: String,
    total: u64,
    results: Vec<ResultItem>,
    facets: Vec<FacetGroup>,
    chips: Vec<Chip>,
    sorts: Vec<SortOption>,
    next: Option<String>,
    first: Option<String>,
    clear: String,
    suggestions: Vec<Chip>,
    /// "Did you mean": the words corrected, the search with them, and how many it finds.
    did_you_mean: Option<DidYouMean>,
    /// Most solutions the comparison takes.
    compare_max: usize,
}

/// The search page.
pub async fn show(
    state: AppState,
    ctx: PageCtx,
    params: Params<SearchParams>,
) -> Result<Response, AppError> {
    let query = params.search_query("after", PAGE_SIZE)?;
    let results = state
        .search
        .search(&query)
        .await
        .map_err(params::search_error)?;
    let ids: Vec<i64> = results.hits.iter().map(|h| h.id).collect();
    let cards = state.cards.cards(&state.db, &ids).await?;
    let publisher_codes: Vec<String> = results
        .facets
        .get(&Facet::Publisher)
        .into_iter()
        .flatten()
        .map(|(v, _)| v.clone())
        .chain(
            query
                .filters
                .get(&Facet::Publisher)
                .into_iter()
                .flatten()
                .cloned(),
        )
        .collect();
    let names: BTreeMap<String, String> = browse::organisation_names(&state.db, &publisher_codes)
        .await?
        .into_iter()
        .map(|(code, name)| {
            let name = super::publisher_name(&state, &name, Some(&code));
            (code, name)
        })
        .collect();
    let everything = if results.total == 0 {
        Some(super::whole_catalog(&state).await?)
    } else {
        None
    };
    let did_you_mean = match &query.text {
        Some(text) if results.total == 0 => did_you_mean(&state, &query, text).await?,
        _ => None,
    };
    let found = Found {
        query,
        results,
        cards,
        names,
        everything,
        did_you_mean,
    };
    render(&SearchPage::new(ctx, &state, params.pairs(), found))
}

/// What a search found, with what its page shows beside the hits.
struct Found {
    query: Query,
    results: Results,
    /// The card of each hit, by id.
    cards: BTreeMap<i64, Card>,
    /// Publishers' names by IPA code.
    names: BTreeMap<String, String>,
    /// The whole catalog, when nothing matched: its common categories are suggested.
    everything: Option<Results>,
    /// The words corrected and how many entries they find, when nothing matched.
    did_you_mean: Option<(String, u64)>,
}

/// The search's words corrected to the catalog's vocabulary, with how many entries the
/// corrected search (same filters) finds; nothing when no word changes or it finds nothing.
///
/// # Errors
///
/// As a search.
async fn did_you_mean(
    state: &AppState,
    query: &Query,
    text: &str,
) -> Result<Option<(String, u64)>, AppError> {
    let Some(words) = state
        .search
        .did_you_mean(text)
        .await
        .map_err(params::search_error)?
    else {
        return Ok(None);
    };
    let corrected = Query {
        text: Some(words.clone()),
        limit: 1,
        after: None,
        ..query.clone()
    };
    let found = state
        .search
        .search(&corrected)
        .await
        .map_err(params::search_error)?;
    Ok((found.total > 0).then_some((words, found.total)))
}

impl SearchPage {
    /// The page of what a search with the parameters `pairs` `found`.
    fn new(ctx: PageCtx, state: &AppState, pairs: &[(String, String)], found: Found) -> Self {
        let lang = ctx.lang;
        let Found {
            query,
            results,
            cards,
            names,
            everything,
            did_you_mean,
        } = found;
        let pairs: Vec<(String, String)> =
            pairs.iter().filter(|(k, _)| k != "lang").cloned().collect();
        let label = |facet: Facet, value: &str| value_label(lang, facet, value, &names);

        let results_view = results
            .hits
            .into_iter()
            .map(|hit| {
                let card = cards.get(&hit.id).cloned().unwrap_or_default();
                let (tag, description) = card
                    .short_descriptions
                    .iter()
                    .find(|(tag, _)| Lang::from_tag(tag) == Some(lang))
                    .or_else(|| {
                        card.short_descriptions
                            .iter()
                            .find(|(tag, _)| Lang::from_tag(tag) == Some(Lang::It))
                    })
                    .or_else(|| card.short_descriptions.iter().next())
                    .map_or((None, String::new()), |(tag, d)| {
                        (Some(tag.clone()), d.clone())
                    });
                ResultItem {
                    id: hit.id,
                    slug: hit.slug,
                    name: hit.name,
                    publisher: hit
                        .publisher
                        .map(|p| super::publisher_name(state, &p, hit.publisher_ipa.as_deref())),
                    publisher_verified: hit.publisher_verified,
                    description_lang: tag.filter(|t| Lang::from_tag(t) != Some(lang)),
                    description,
                    licence: card.licence,
                    status: card.status.map(|s| label(Facet::Status, &s)),
                    updated: hit.updated_at.format("%Y-%m-%d").to_string(),
                    vitality: hit.vitality.map(vitality_points),
                    active: hit.active,
                    invalid: card.invalid_since.map(|d| {
                        lang.tf("software.invalid_since", &[("date", &d.format("%Y-%m-%d"))])
                    }),
                }
            })
            .collect();

        let mut facets = Vec::new();
        for facet in Facet::ALL {
            let selected = query.filters.get(&facet).cloned().unwrap_or_default();
            let mut counts = results.facets.get(&facet).cloned().unwrap_or_default();
            for value in &selected {
                if !counts.iter().any(|(v, _)| v == value) {
                    counts.push((value.clone(), 0));
                }
            }
            counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            if counts.is_empty() {
                continue;
            }
            let mut values: Vec<FacetValue> = counts
                .into_iter()
                .enumerate()
                .map(|(i, (value, count))| FacetValue {
                    id: format!("f-{}-{i}", facet.as_str()),
                    label: label(facet, &value),
                    checked: selected.contains(&value),
                    value,
                    count,
                })
                .collect();
            // Checked values always show, whatever their rank.
            let mut shown = Vec::new();
            let mut more = Vec::new();
            for v in values.drain(..) {
                if shown.len() < SHOWN_VALUES || v.checked {
                    shown.push(v);
                } else {
                    more.push(v);
                }
            }
            facets.push(FacetGroup {
                name: facet.as_str(),
                label: lang.t(&format!("facet.{}", facet.as_str())).to_owned(),
                shown,
                more,
            });
        }

        let mut chips = Vec::new();
        if let Some(text) = &query.text {
            chips.push(Chip {
                label: format!("{}: “{text}”", lang.t("search.chip_text")),
                remove: link(&pairs, |k, _| k != "q"),
            });
        }
        for (facet, values) in &query.filters {
            for value in values {
                chips.push(Chip {
                    label: format!(
                        "{}: {}",
                        lang.t(&format!("facet.{}", facet.as_str())),
                        label(*facet, value)
                    ),
                    remove: link(&pairs, |k, v| !(k == facet.as_str() && v == value)),
                });
            }
        }

        let suggestions = everything
            .as_ref()
            .map(|everything| suggestions(lang, &query, &pairs, everything))
            .unwrap_or_default();
        let sorts = [Sort::Relevance, Sort::Updated, Sort::Vitality, Sort::Name]
            .into_iter()
            .map(|s| {
                let value = sort_name(s);
                SortOption {
                    value,
                    label: lang.t(&format!("search.sort_{value}")).to_owned(),
                    selected: s == query.sort,
                }
            })
            .collect();
        Self {
            ctx,
            text: query.text.clone().unwrap_or_default(),
            total: results.total,
            results: results_view,
            facets,
            chips,
            sorts,
            next: results.next.map(|cursor| {
                let mut l = link(&pairs, |k, _| k != "after");
                l.push_str(if l.contains('?') { "&" } else { "?" });
                l.push_str(
                    &form_urlencoded::Serializer::new(String::new())
                        .append_pair("after", &cursor)
                        .finish(),
                );
                l
            }),
            first: query
                .after
                .is_some()
                .then(|| link(&pairs, |k, _| k != "after")),
            clear: "/software".to_owned(),
            did_you_mean: did_you_mean.map(|(words, n)| {
                let mut kept: Vec<(String, String)> = pairs
                    .iter()
                    .filter(|(k, _)| k != "q" && k != "after")
                    .cloned()
                    .collect();
                kept.insert(0, ("q".to_owned(), words.clone()));
                DidYouMean {
                    href: link(&kept, |_, _| true),
                    words,
                    count: n,
                }
            }),
            suggestions,
            compare_max: super::compare::MAX,
        }
    }
}

/// What to try when nothing matches: the same words without each filter, the filters without
/// the words, and the most common categories.
fn suggestions(
    lang: Lang,
    query: &Query,
    pairs: &[(String, String)],
    everything: &Results,
) -> Vec<Chip> {
    let mut out = Vec::new();
    if query.text.is_some() && !query.filters.is_empty() {
        out.push(Chip {
            label: lang.t("search.suggest_without_text").to_owned(),
            remove: link(pairs, |k, _| k != "q" && k != "after"),
        });
        out.push(Chip {
            label: lang.t("search.suggest_without_filters").to_owned(),
            remove: link(pairs, |k, _| k == "q" || k == "lang"),
        });
    }
    for (value, _) in everything
        .facets
        .get(&Facet::Category)
        .into_iter()
        .flatten()
        .take(5)
    {
        out.push(Chip {
            label: lang.label("category", value),
            remove: format!(
                "/software?{}",
                form_urlencoded::Serializer::new(String::new())
                    .append_pair("category", value)
                    .finish()
            ),
        });
    }
    out
}

/// `/software` with the pairs `keep` accepts (a changed search starts again from page one).
fn link(pairs: &[(String, String)], keep: impl Fn(&str, &str) -> bool) -> String {
    let kept: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(k, v)| k != "after" && keep(k, v))
        .collect();
    if kept.is_empty() {
        return "/software".to_owned();
    }
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in kept {
        query.append_pair(k, v);
    }
    format!("/software?{}", query.finish())
}

/// The name of a sort in the URL.
fn sort_name(sort: Sort) -> &'static str {
    match sort {
        Sort::Relevance => "relevance",
        Sort::Updated => "updated",
        Sort::Vitality => "vitality",
        Sort::Name => "name",
    }
}

/// How a facet value reads on the page.
fn value_label(lang: Lang, facet: Facet, value: &str, names: &BTreeMap<String, String>) -> String {
    match facet {
        Facet::Publisher => names
            .get(value)
            .cloned()
            .unwrap_or_else(|| value.to_owned()),
        Facet::Country => value.to_uppercase(),
        Facet::Licence => value.to_owned(),
        other => lang.label(other.as_str(), value),
    }
}

/// The vitality index as a whole number from 0 to 100.
pub fn vitality_points(v: f64) -> u8 {
    // Stored from whole points; the clamp keeps a hand-edited value in range.
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "clamped to 0..=100 first"
    )]
    let points = v.round().clamp(0.0, 100.0) as u8;
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_drop_the_cursor_and_the_removed_filter() {
        let pairs: Vec<(String, String)> = [
            ("q", "scuola"),
            ("category", "a"),
            ("category", "b"),
            ("after", "xyz"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .into();
        assert_eq!(
            link(&pairs, |k, v| !(k == "category" && v == "a")),
            "/software?q=scuola&category=b"
        );
        assert_eq!(link(&pairs, |_, _| false), "/software");
    }
}
