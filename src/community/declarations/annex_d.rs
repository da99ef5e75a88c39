//! The pure pieces of Annex D: the notice to open on the owner's forge, the forge's "new issue"
//! address that carries it, and the change to `usedBy` that acknowledges declarations.

use url::Url;

use super::queries::Declaration;
use crate::i18n::Lang;

/// A well-formed http(s) URL, for the variant repository and the issue address.
pub(super) fn web_url(text: &str) -> Option<Url> {
    Url::parse(text.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

/// The Annex D notification, ready to open on the owner's forge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The issue's title.
    pub title: String,
    /// The issue's body (Markdown).
    pub body: String,
    /// The line to add under `usedBy` in the owner's `publiccode.yml`.
    pub used_by_line: String,
    /// The forge's "new issue" page with title and body filled in, when the forge has one that
    /// takes them.
    pub new_issue_url: Option<String>,
}

/// The Annex D notice of `d`, linking back to `public_url`. It is in Italian, the language of
/// the owners' repositories and of the guidelines (`annex.*` in `locales/it.toml`).
#[must_use]
pub fn notice(d: &Declaration, public_url: &str) -> Notice {
    let lang = Lang::It;
    let code = d.organisation.ipa_code.clone().unwrap_or_default();
    let used_by_line = format!("  - {}", d.organisation.name);
    let modified = match (d.row.modified, &d.row.variant_url) {
        (true, Some(url)) => lang.tf("annex.modified_variant", &[("url", url)]),
        (true, None) => lang.t("annex.modified_yes").to_owned(),
        (false, _) => lang.t("annex.modified_no").to_owned(),
    };
    let note = if d.row.note.is_empty() {
        String::new()
    } else {
        format!("\n{}\n", d.row.note)
    };
    let title = lang.tf("annex.title", &[("organisation", &d.organisation.name)]);
    let link = format!(
        "{}/declarations/{}",
        public_url.trim_end_matches('/'),
        d.row.id
    );
    let body = lang.tf(
        "annex.body",
        &[
            ("software", &d.software_name),
            ("organisation", &d.organisation.name),
            ("code", &code),
            ("version", &d.row.version),
            ("since", &d.row.since),
            ("modified", &modified),
            ("contact", &d.row.contact),
            ("note", &note),
            ("used_by", &used_by_line),
            ("link", &link),
        ],
    );
    let new_issue_url = new_issue_url(&d.forge, &d.repository, &title, &body);
    Notice {
        title,
        body,
        used_by_line,
        new_issue_url,
    }
}

/// The forge's page for a new issue with `title` and `body` filled in: GitHub and Gitea/Forgejo
/// take `title` and `body`, GitLab `issue[title]` and `issue[description]`.
fn new_issue_url(forge: &str, repository: &str, title: &str, body: &str) -> Option<String> {
    let base = web_url(repository)?;
    let path = base
        .path()
        .trim_end_matches('/')
        .trim_end_matches(".git")
        .to_owned();
    // An entry imported from files, or reached as plain git, does not say its forge: the
    // well-known hosts do.
    let forge = match (forge, base.host_str()) {
        ("github" | "gitea" | "gitlab", _) => forge,
        (_, Some("github.com")) => "github",
        (_, Some("gitlab.com")) => "gitlab",
        (_, Some("codeberg.org")) => "gitea",
        _ => return None,
    };
    let (suffix, title_key, body_key) = match forge {
        "gitlab" => ("/-/issues/new", "issue[title]", "issue[description]"),
        _ => ("/issues/new", "title", "body"),
    };
    let mut url = base;
    url.set_path(&format!("{path}{suffix}"));
    url.set_fragment(None);
    url.query_pairs_mut()
        .clear()
        .append_pair(title_key, title)
        .append_pair(body_key, body);
    Some(url.to_string())
}

/// The change to `usedBy` that lists every administration in `adding` beside those already in
/// `current`, as a unified diff of that section.
#[must_use]
pub fn used_by_patch(current: &[String], adding: &[String]) -> String {
    let mut out = String::from(" usedBy:\n");
    for name in current {
        out.push_str(&format!("   - {name}\n"));
    }
    let known: Vec<String> = current.iter().map(|n| n.trim().to_lowercase()).collect();
    for name in adding {
        if !known.contains(&name.trim().to_lowercase()) {
            out.push_str(&format!("+  - {name}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_issue_pages_per_forge() {
        let gh =
            new_issue_url("github", "https://github.com/link-it/govpay", "T", "a b&c").unwrap();
        assert_eq!(
            gh,
            "https://github.com/link-it/govpay/issues/new?title=T&body=a+b%26c"
        );
        let gl = new_issue_url("gitlab", "https://gitlab.com/g/sub/p.git", "T", "B").unwrap();
        assert_eq!(
            gl,
            "https://gitlab.com/g/sub/p/-/issues/new?issue%5Btitle%5D=T&issue%5Bdescription%5D=B"
        );
        let gt = new_issue_url("gitea", "https://codeberg.org/o/r/", "T", "B").unwrap();
        assert_eq!(gt, "https://codeberg.org/o/r/issues/new?title=T&body=B");
        assert_eq!(
            new_issue_url("git", "https://example.org/r.git", "T", "B"),
            None
        );
    }

    #[test]
    fn the_used_by_patch_adds_only_who_is_missing() {
        let patch = used_by_patch(
            &["Comune di Milano".to_owned()],
            &[
                "comune di milano".to_owned(),
                "Comune di Bologna".to_owned(),
            ],
        );
        assert_eq!(
            patch,
            " usedBy:\n   - Comune di Milano\n+  - Comune di Bologna\n"
        );
    }
}
