//! The fixture forge checks itself: each forge paginates as its documentation says, files come
//! back byte for byte, conditional requests give 304, mutations change what is served, every
//! fault behaves as declared, the latency is applied, `git clone` works over HTTP (plain git
//! repositories and the API forges' alike, with their known history) and requests are recorded.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::support::forge::{
    Account, Commit, Fault, FaultKind, ForgeFixture, ForgeKind, Match, Repo, World,
};

const PUBLICCODE: &[u8] =
    b"publiccodeYmlVersion: \"0.4\"\nname: Fixture\nurl: https://example.org/x\n";

/// JSON bodies through `serde_json` (the crate's reqwest has no `json` feature).
trait JsonBody {
    async fn json<T: serde::de::DeserializeOwned>(self) -> Result<T, serde_json::Error>;
}

impl JsonBody for reqwest::Response {
    async fn json<T: serde::de::DeserializeOwned>(self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.bytes().await.unwrap())
    }
}

/// GETs as the tests do, the test failing when no answer comes.
trait Fetch {
    /// The answer to a GET of `url`.
    async fn fetch(&self, url: impl reqwest::IntoUrl) -> reqwest::Response;

    /// The JSON body of the answer to a GET of `url`.
    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: impl reqwest::IntoUrl) -> T;
}

impl Fetch for reqwest::Client {
    async fn fetch(&self, url: impl reqwest::IntoUrl) -> reqwest::Response {
        self.get(url).send().await.unwrap()
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: impl reqwest::IntoUrl) -> T {
        self.fetch(url).await.json().await.unwrap()
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent("riuso-tests")
        .build()
        .unwrap()
}

fn repos(prefix: &str, n: usize) -> Vec<Repo> {
    (0..n)
        .map(|i| Repo::new(&format!("{prefix}{i:03}")).publiccode(PUBLICCODE))
        .collect()
}

/// The `link` header as (rel, URL) pairs, in order.
fn links(headers: &HeaderMap) -> Vec<(String, String)> {
    let Some(value) = headers.get("link") else {
        return Vec::new();
    };
    value
        .to_str()
        .unwrap()
        .split(',')
        .map(|part| {
            let (url, rel) = part.trim().split_once(';').unwrap();
            let url = url.trim().trim_start_matches('<').trim_end_matches('>');
            let rel = rel
                .trim()
                .strip_prefix("rel=\"")
                .unwrap()
                .trim_end_matches('"');
            (rel.to_owned(), url.to_owned())
        })
        .collect()
}

fn rel(headers: &HeaderMap, name: &str) -> Option<String> {
    links(headers)
        .into_iter()
        .find(|(r, _)| r == name)
        .map(|(_, u)| u)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).unwrap().to_str().unwrap()
}

/// Follows `link: rel="next"` from `url` to the end; returns every item's `key` and the headers
/// of each page.
async fn follow_links(url: &str, key: &str) -> (Vec<String>, Vec<HeaderMap>) {
    let client = client();
    let mut next = Some(url.to_owned());
    let (mut names, mut pages) = (Vec::new(), Vec::new());
    while let Some(url) = next {
        let response = client.fetch(&url).await;
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        let headers = response.headers().clone();
        let items: Vec<serde_json::Value> = response.json().await.unwrap();
        names.extend(items.iter().map(|i| i[key].as_str().unwrap().to_owned()));
        next = rel(&headers, "next");
        pages.push(headers);
    }
    (names, pages)
}

fn decode_base64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let digits: Vec<u32> = text
        .bytes()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'=')
        .map(|b| u32::try_from(ALPHABET.iter().position(|a| *a == b).unwrap()).unwrap())
        .collect();
    let mut out = Vec::new();
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0, |n, (i, d)| n | d << (18 - 6 * i));
        for i in 0..chunk.len() - 1 {
            out.push(u8::try_from((n >> (16 - 8 * i)) & 0xff).unwrap());
        }
    }
    out
}

#[tokio::test]
async fn github_lists_pages_with_link_headers_and_rate_limits() {
    let world = World::new()
        .account(Account::org(ForgeKind::GitHub, "comune-x").repos(repos("r", 75)))
        .account(Account::user(ForgeKind::GitHub, "mario").repos(repos("u", 3)));
    let fixture = ForgeFixture::start(world).await;
    let api = fixture.api_base(ForgeKind::GitHub);
    assert_eq!(api, format!("{}/github/api/v3", fixture.base()));
    assert_eq!(
        fixture.web_base(ForgeKind::GitHub),
        format!("{}/github", fixture.base())
    );

    let (names, pages) = follow_links(&format!("{api}/orgs/comune-x/repos"), "name").await;
    assert_eq!(names.len(), 75);
    assert_eq!(
        names.iter().collect::<BTreeSet<_>>().len(),
        75,
        "no repeats"
    );
    assert_eq!(
        names[0], "r074",
        "organisations sort by creation, newest first"
    );
    assert_eq!(pages.len(), 3, "30 a page by default");
    let first: Vec<String> = links(&pages[0]).into_iter().map(|(r, _)| r).collect();
    assert_eq!(first, ["next", "last"]);
    assert_eq!(
        rel(&pages[0], "next").unwrap(),
        format!("{api}/orgs/comune-x/repos?page=2")
    );
    let middle: Vec<String> = links(&pages[1]).into_iter().map(|(r, _)| r).collect();
    assert_eq!(middle, ["prev", "next", "last", "first"]);
    let last: Vec<String> = links(&pages[2]).into_iter().map(|(r, _)| r).collect();
    assert_eq!(last, ["prev", "first"]);
    let remaining: Vec<u32> = pages
        .iter()
        .map(|h| header(h, "x-ratelimit-remaining").parse().unwrap())
        .collect();
    assert_eq!(remaining, [4999, 4998, 4997]);
    for h in &pages {
        assert_eq!(header(h, "x-ratelimit-limit"), "5000");
        assert_eq!(header(h, "x-ratelimit-resource"), "core");
        assert!(header(h, "x-ratelimit-reset").parse::<u64>().unwrap() > 1_700_000_000);
        assert!(h.contains_key("x-ratelimit-used"));
    }

    // per_page above 100 is cut to 100; the other parameters stay in the links.
    let (names, pages) = follow_links(
        &format!("{api}/orgs/comune-x/repos?per_page=40&type=all"),
        "full_name",
    )
    .await;
    assert_eq!((names.len(), pages.len()), (75, 2));
    assert_eq!(
        rel(&pages[0], "last").unwrap(),
        format!("{api}/orgs/comune-x/repos?per_page=40&type=all&page=2")
    );
    let response = client()
        .fetch(format!("{api}/orgs/comune-x/repos?per_page=500"))
        .await;
    assert!(
        !response.headers().contains_key("link"),
        "one page: no link"
    );
    assert_eq!(
        response
            .json::<Vec<serde_json::Value>>()
            .await
            .unwrap()
            .len(),
        75
    );

    // Users: sorted by full name; /orgs/ does not know them.
    let (names, _) = follow_links(&format!("{api}/users/mario/repos"), "name").await;
    assert_eq!(names, ["u000", "u001", "u002"]);
    let response = client().fetch(format!("{api}/orgs/mario/repos")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["message"], "Not Found");
    assert!(
        body["documentation_url"]
            .as_str()
            .unwrap()
            .starts_with("https://docs.github.com/")
    );

    let repo: serde_json::Value = client().get_json(format!("{api}/repos/mario/u001")).await;
    assert_eq!(repo["full_name"], "mario/u001");
    assert_eq!(repo["owner"]["login"], "mario");
    assert_eq!(repo["owner"]["type"], "User");
    assert_eq!(repo["default_branch"], "main");
    assert_eq!(repo["visibility"], "public");
    assert_eq!(
        repo["html_url"],
        format!("{}/github/mario/u001", fixture.base())
    );
    for field in [
        "id",
        "private",
        "clone_url",
        "archived",
        "fork",
        "disabled",
        "stargazers_count",
        "forks_count",
        "pushed_at",
        "updated_at",
    ] {
        assert!(!repo[field].is_null(), "{field}");
    }
}

#[tokio::test]
async fn gitlab_rate_limit_budget_runs_out_with_429() {
    let world = World::new().account(Account::group("g").repos(repos("p", 1)));
    let fixture = ForgeFixture::start(world).await;
    fixture.set_rate_limit(ForgeKind::GitLab, 1);
    let url = format!("{}/projects/g%2Fp000", fixture.api_base(ForgeKind::GitLab));
    let first = client().fetch(&url).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(header(first.headers(), "ratelimit-limit"), "1");
    assert_eq!(header(first.headers(), "ratelimit-observed"), "1");
    let second = client().fetch(&url).await;
    assert_eq!(second.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(second.headers(), "ratelimit-remaining"), "0");
    let retry: u64 = header(second.headers(), "retry-after").parse().unwrap();
    assert!(retry <= 60);
}

#[tokio::test]
async fn github_rate_limit_budget_runs_out_with_403() {
    let world = World::new().account(Account::org(ForgeKind::GitHub, "o").repos(repos("r", 1)));
    let fixture = ForgeFixture::start(world).await;
    fixture.set_rate_limit(ForgeKind::GitHub, 2);
    let url = format!("{}/repos/o/r000", fixture.api_base(ForgeKind::GitHub));
    for remaining in ["1", "0"] {
        let response = client().fetch(&url).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            header(response.headers(), "x-ratelimit-remaining"),
            remaining
        );
    }
    let response = client().fetch(&url).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(header(response.headers(), "x-ratelimit-remaining"), "0");
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("rate limit exceeded")
    );
}

#[tokio::test]
async fn gitlab_lists_groups_with_subgroups_by_page_headers() {
    let world = World::new()
        .account(
            Account::group("regione").repos(repos("top", 3)).subgroup(
                Account::group("sanita")
                    .repos(repos("mid", 2))
                    .subgroup(Account::group("cup").repos(repos("deep", 25))),
            ),
        )
        .account(Account::user(ForgeKind::GitLab, "anna").repos(repos("a", 2)));
    let fixture = ForgeFixture::start(world).await;
    let api = fixture.api_base(ForgeKind::GitLab);
    let client = client();

    // x-next-page, followed until it is empty.
    let mut page = Some("1".to_owned());
    let mut seen = Vec::new();
    while let Some(p) = page {
        let url =
            format!("{api}/groups/regione/projects?include_subgroups=true&per_page=12&page={p}");
        let response = client.fetch(&url).await;
        let h = response.headers().clone();
        assert_eq!(header(&h, "x-total"), "30");
        assert_eq!(header(&h, "x-total-pages"), "3");
        assert_eq!(header(&h, "x-per-page"), "12");
        assert_eq!(header(&h, "x-page"), p);
        assert!(h.contains_key("ratelimit-remaining") && h.contains_key("ratelimit-resettime"));
        if p == "1" {
            assert_eq!(header(&h, "x-prev-page"), "");
            let rels: Vec<String> = links(&h).into_iter().map(|(r, _)| r).collect();
            assert_eq!(rels, ["next", "first", "last"]);
            assert_eq!(
                rel(&h, "next").unwrap(),
                format!("{api}/groups/regione/projects?include_subgroups=true&page=2&per_page=12")
            );
        }
        let items: Vec<serde_json::Value> = response.json().await.unwrap();
        seen.extend(
            items
                .iter()
                .map(|i| i["path_with_namespace"].as_str().unwrap().to_owned()),
        );
        page = Some(header(&h, "x-next-page").to_owned()).filter(|n| !n.is_empty());
    }
    assert_eq!(seen.len(), 30);
    assert!(
        seen.contains(&"regione/sanita/cup/deep024".to_owned()),
        "any depth"
    );
    assert!(seen.contains(&"regione/sanita/mid001".to_owned()));

    // The Link header walks the same pages; the default page size is 20.
    let (names, pages) = follow_links(
        &format!("{api}/groups/regione/projects?include_subgroups=true"),
        "path_with_namespace",
    )
    .await;
    assert_eq!((names.len(), pages.len()), (30, 2));
    assert_eq!(
        names.iter().collect::<BTreeSet<_>>(),
        seen.iter().collect::<BTreeSet<_>>()
    );

    // Without include_subgroups only the group's own projects; a subgroup by encoded path.
    let (names, _) = follow_links(&format!("{api}/groups/regione/projects"), "name").await;
    assert_eq!(
        names,
        ["top002", "top001", "top000"],
        "created_at descending"
    );
    let (names, _) = follow_links(&format!("{api}/groups/regione%2Fsanita/projects"), "name").await;
    assert_eq!(names, ["mid001", "mid000"]);
    let (names, _) = follow_links(&format!("{api}/users/anna/projects"), "name").await;
    assert_eq!(names.len(), 2);
    let response = client.fetch(format!("{api}/groups/anna/projects")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap()["message"],
        "404 Group Not Found"
    );

    // A project by encoded path and by id; its namespace; files by encoded path.
    let project: serde_json::Value = client
        .get_json(format!("{api}/projects/regione%2Fsanita%2Fcup%2Fdeep003"))
        .await;
    assert_eq!(project["path_with_namespace"], "regione/sanita/cup/deep003");
    assert_eq!(project["namespace"]["full_path"], "regione/sanita/cup");
    assert_eq!(project["namespace"]["kind"], "group");
    assert_eq!(project["visibility"], "public");
    assert_eq!(
        project["http_url_to_repo"],
        format!("{}/gitlab/regione/sanita/cup/deep003.git", fixture.base())
    );
    for field in [
        "web_url",
        "default_branch",
        "archived",
        "star_count",
        "forks_count",
        "last_activity_at",
    ] {
        assert!(!project[field].is_null(), "{field}");
    }
    let id = project["id"].as_u64().unwrap();
    let by_id: serde_json::Value = client.get_json(format!("{api}/projects/{id}")).await;
    assert_eq!(by_id, project);
    let raw = client
        .fetch(format!(
            "{api}/projects/{id}/repository/files/publiccode.yml/raw?ref=main"
        ))
        .await;
    assert_eq!(raw.status(), StatusCode::OK);
    assert_eq!(raw.bytes().await.unwrap(), PUBLICCODE);
    fixture.set_file(
        ForgeKind::GitLab,
        "regione/sanita/cup/deep003",
        "docs/publiccode.yml",
        "nested",
    );
    let nested = client
        .fetch(format!(
            "{api}/projects/{id}/repository/files/docs%2Fpubliccode.yml/raw?ref=main"
        ))
        .await;
    assert_eq!(nested.bytes().await.unwrap(), "nested");
    let json: serde_json::Value = client
        .get_json(format!(
            "{api}/projects/{id}/repository/files/docs%2Fpubliccode.yml?ref=main"
        ))
        .await;
    assert_eq!(json["file_path"], "docs/publiccode.yml");
    assert_eq!(json["encoding"], "base64");
    assert_eq!(decode_base64(json["content"].as_str().unwrap()), b"nested");
    let missing = client
        .fetch(format!(
            "{api}/projects/{id}/repository/files/nope.yml/raw?ref=main"
        ))
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        missing.json::<serde_json::Value>().await.unwrap()["message"],
        "404 File Not Found"
    );
}

#[tokio::test]
async fn gitea_lists_with_limit_and_total_count() {
    let world = World::new()
        .account(Account::org(ForgeKind::Gitea, "unione").repos(repos("g", 65)))
        .account(Account::user(ForgeKind::Gitea, "luca").repos(repos("l", 1)));
    let fixture = ForgeFixture::start(world).await;
    let api = fixture.api_base(ForgeKind::Gitea);

    let (names, pages) = follow_links(&format!("{api}/orgs/unione/repos"), "name").await;
    assert_eq!((names.len(), pages.len()), (65, 3), "30 a page by default");
    assert_eq!(names[0], "g000", "id order");
    assert_eq!(header(&pages[0], "x-total-count"), "65");
    let raw_link = header(&pages[1], "link");
    assert!(
        raw_link.contains("rel=\"last\",<"),
        "joined by a bare comma: {raw_link}"
    );
    let rels: Vec<String> = links(&pages[1]).into_iter().map(|(r, _)| r).collect();
    assert_eq!(rels, ["next", "last", "first", "prev"]);
    assert_eq!(
        rel(&pages[0], "next").unwrap(),
        format!("{api}/orgs/unione/repos?page=2")
    );
    let (names, pages) = follow_links(&format!("{api}/orgs/unione/repos?limit=100"), "name").await;
    assert_eq!((names.len(), pages.len()), (65, 2), "limit is cut to 50");
    assert_eq!(
        rel(&pages[0], "next").unwrap(),
        format!("{api}/orgs/unione/repos?limit=100&page=2")
    );
    assert!(!pages[0].contains_key("x-ratelimit-remaining"));

    let (names, _) = follow_links(&format!("{api}/users/luca/repos"), "full_name").await;
    assert_eq!(names, ["luca/l000"]);
    let client = client();
    let response = client.fetch(format!("{api}/orgs/luca/repos")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap()["message"],
        "The target couldn't be found."
    );

    let repo: serde_json::Value = client.get_json(format!("{api}/repos/unione/g007")).await;
    assert_eq!(repo["full_name"], "unione/g007");
    assert_eq!(repo["owner"]["login"], "unione");
    assert_eq!(repo["empty"], false);
    for field in [
        "id",
        "private",
        "html_url",
        "clone_url",
        "default_branch",
        "archived",
        "stars_count",
        "forks_count",
        "updated_at",
        "mirror",
    ] {
        assert!(!repo[field].is_null(), "{field}");
    }
    let raw = client
        .fetch(format!(
            "{api}/repos/unione/g007/raw/publiccode.yml?ref=main"
        ))
        .await;
    assert_eq!(raw.bytes().await.unwrap(), PUBLICCODE);
    let contents: serde_json::Value = client
        .get_json(format!(
            "{api}/repos/unione/g007/contents/publiccode.yml?ref=main"
        ))
        .await;
    assert_eq!(contents["type"], "file");
    assert_eq!(contents["encoding"], "base64");
    assert_eq!(
        decode_base64(contents["content"].as_str().unwrap()),
        PUBLICCODE
    );
}

#[tokio::test]
async fn github_contents_raw_json_refs_and_private_repositories() {
    let long = "x".repeat(200);
    let world = World::new().account(
        Account::org(ForgeKind::GitHub, "ente")
            .repo(Repo::new("pub").branch("develop").publiccode(long.clone()))
            .repo(Repo::new("secret").private().publiccode(PUBLICCODE))
            .repo(Repo::new("old").archived().fork().mirror().counts(7, 3)),
    );
    let fixture = ForgeFixture::start(world).await;
    let api = fixture.api_base(ForgeKind::GitHub);
    let client = client();

    let raw = client
        .get(format!(
            "{api}/repos/ente/pub/contents/publiccode.yml?ref=develop"
        ))
        .header("accept", "application/vnd.github.raw+json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::OK);
    assert_eq!(raw.bytes().await.unwrap(), long.as_bytes());

    let json: serde_json::Value = client
        .get(format!(
            "{api}/repos/ente/pub/contents/publiccode.yml?ref=develop"
        ))
        .header("accept", "application/vnd.github+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let content = json["content"].as_str().unwrap();
    assert!(
        content.lines().all(|l| l.len() <= 60) && content.ends_with('\n'),
        "{content}"
    );
    assert_eq!(decode_base64(content), long.as_bytes());
    assert_eq!(
        (json["type"].as_str(), json["encoding"].as_str()),
        (Some("file"), Some("base64"))
    );
    assert_eq!(json["size"], 200);
    assert_eq!(json["name"], "publiccode.yml");
    assert_eq!(json["path"], "publiccode.yml");
    assert_eq!(json["sha"].as_str().unwrap().len(), 40);

    for url in [
        format!("{api}/repos/ente/pub/contents/publiccode.yml?ref=main"),
        format!("{api}/repos/ente/pub/contents/publiccode.yaml"),
        format!("{api}/repos/ente/secret/contents/publiccode.yml"),
        format!("{api}/repos/ente/secret"),
    ] {
        let response = client.fetch(&url).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{url}");
    }
    let listed: Vec<serde_json::Value> = client.get_json(format!("{api}/orgs/ente/repos")).await;
    assert_eq!(listed.len(), 2, "private repositories need credentials");
    let old = listed.iter().find(|r| r["name"] == "old").unwrap();
    assert_eq!(
        (&old["archived"], &old["fork"]),
        (&true.into(), &true.into())
    );
    assert_eq!(
        (&old["stargazers_count"], &old["forks_count"]),
        (&7.into(), &3.into())
    );
    let listed: Vec<serde_json::Value> = client
        .get(format!("{api}/orgs/ente/repos"))
        .bearer_auth("t0ken")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 3);
    let secret = client
        .get(format!("{api}/repos/ente/secret"))
        .bearer_auth("t0ken")
        .send()
        .await
        .unwrap();
    assert_eq!(
        secret.json::<serde_json::Value>().await.unwrap()["visibility"],
        "private"
    );
}

#[tokio::test]
async fn etags_give_304_and_mutations_change_them() {
    let world = World::new()
        .account(Account::org(ForgeKind::GitHub, "o").repos(repos("r", 2)))
        .account(Account::org(ForgeKind::Gitea, "o").repos(repos("r", 1)));
    let fixture = ForgeFixture::start(world).await;
    let api = fixture.api_base(ForgeKind::GitHub);
    let client = client();
    let file = format!("{api}/repos/o/r000/contents/publiccode.yml");
    let raw = |etag: Option<&str>| {
        let mut request = client
            .get(&file)
            .bearer_auth("t0ken")
            .header("accept", "application/vnd.github.raw");
        if let Some(etag) = etag {
            request = request.header("if-none-match", etag);
        }
        request.send()
    };

    let first = raw(None).await.unwrap();
    let etag = header(first.headers(), "etag").to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"') && !etag.starts_with("W/"));
    let last_modified = header(first.headers(), "last-modified").to_owned();
    assert!(last_modified.ends_with(" GMT"));
    let remaining = header(first.headers(), "x-ratelimit-remaining").to_owned();

    let again = raw(Some(&etag)).await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(again.headers(), "etag"), etag);
    assert_eq!(
        header(again.headers(), "x-ratelimit-remaining"),
        remaining,
        "a 304 with credentials is free"
    );
    assert!(again.bytes().await.unwrap().is_empty());
    let since = client
        .get(&file)
        .header("if-modified-since", &last_modified)
        .send()
        .await
        .unwrap();
    assert_eq!(since.status(), StatusCode::NOT_MODIFIED);

    fixture.set_file(ForgeKind::GitHub, "o/r000", "publiccode.yml", "changed");
    let changed = raw(Some(&etag)).await.unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(header(changed.headers(), "etag"), etag);
    assert_eq!(changed.bytes().await.unwrap(), "changed");

    // Listings change with the world too.
    let list = format!("{api}/orgs/o/repos");
    let before = client.fetch(&list).await;
    let list_etag = header(before.headers(), "etag").to_owned();
    fixture.remove_repo(ForgeKind::GitHub, "o/r001");
    fixture.add_repo(
        ForgeKind::GitHub,
        "o",
        Repo::new("nuovo").publiccode(PUBLICCODE),
    );
    let after = client
        .get(&list)
        .header("if-none-match", &list_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::OK);
    let names: Vec<String> = after
        .json::<Vec<serde_json::Value>>()
        .await
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["nuovo", "r000"]);
    let gone = client.fetch(format!("{api}/repos/o/r001")).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    fixture.update_repo(ForgeKind::GitHub, "o/r000", |r| r.archived = true);
    let repo: serde_json::Value = client.get_json(format!("{api}/repos/o/r000")).await;
    assert_eq!(repo["archived"], true);

    // The other forges answer conditionally too.
    let gitea = format!(
        "{}/repos/o/r000/raw/publiccode.yml",
        fixture.api_base(ForgeKind::Gitea)
    );
    let first = client.fetch(&gitea).await;
    let etag = header(first.headers(), "etag").to_owned();
    let again = client
        .get(&gitea)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    fixture.remove_file(ForgeKind::Gitea, "o/r000", "publiccode.yml");
    let removed = client
        .get(&gitea)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn faults_behave_as_declared() {
    let world = World::new()
        .account(Account::org(ForgeKind::GitHub, "o").repos(repos("r", 2)))
        .account(Account::group("g").repos(repos("p", 1)));
    let fixture = ForgeFixture::start(world).await;
    let api = fixture.api_base(ForgeKind::GitHub);
    let client = client();
    let r0 = format!("{api}/repos/o/r000");
    let r1 = format!("{api}/repos/o/r001");
    let get = |url: &str| client.get(url).send();

    // A 503 twice on one repository, then normal service; the other repository is untouched.
    fixture.inject(Fault {
        target: Match::Repo(ForgeKind::GitHub, "o/r000".to_owned()),
        kind: FaultKind::Status(503),
        times: Some(2),
    });
    assert_eq!(get(&r1).await.unwrap().status(), StatusCode::OK);
    for _ in 0..2 {
        let response = get(&r0).await.unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.json::<serde_json::Value>().await.unwrap()["message"].is_string());
    }
    assert_eq!(get(&r0).await.unwrap().status(), StatusCode::OK);

    fixture.inject(Fault {
        target: Match::Path("/repos/o/r001".to_owned()),
        kind: FaultKind::RateLimited403 {
            reset_in: Duration::from_secs(30),
        },
        times: Some(1),
    });
    let response = get(&r1).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(header(response.headers(), "x-ratelimit-remaining"), "0");
    let reset: u64 = header(response.headers(), "x-ratelimit-reset")
        .parse()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!((now + 29..=now + 31).contains(&reset), "{reset} vs {now}");

    fixture.inject(Fault {
        target: Match::Forge(ForgeKind::GitLab),
        kind: FaultKind::TooMany429 {
            retry_after: Duration::from_millis(1500),
        },
        times: Some(1),
    });
    let gitlab = format!("{}/projects/g%2Fp000", fixture.api_base(ForgeKind::GitLab));
    let response = get(&gitlab).await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(response.headers(), "retry-after"), "2");
    assert_eq!(get(&gitlab).await.unwrap().status(), StatusCode::OK);

    fixture.inject(Fault {
        target: Match::Any,
        kind: FaultKind::Delay(Duration::from_millis(300)),
        times: Some(1),
    });
    let started = Instant::now();
    assert_eq!(get(&r0).await.unwrap().status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));

    fixture.inject(Fault {
        target: Match::Any,
        kind: FaultKind::Truncated,
        times: Some(1),
    });
    let response = get(&r0).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "the headers arrive");
    let declared = response.content_length().unwrap();
    assert!(declared > 100);
    let error = response.bytes().await.unwrap_err();
    assert!(error.is_body() || error.is_decode(), "{error:?}");

    fixture.inject(Fault {
        target: Match::Any,
        kind: FaultKind::MalformedJson,
        times: Some(1),
    });
    let response = get(&r0).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(header(response.headers(), "content-type").starts_with("application/json"));
    assert!(response.json::<serde_json::Value>().await.is_err());

    fixture.inject(Fault {
        target: Match::Any,
        kind: FaultKind::Hang,
        times: None,
    });
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = impatient.get(&r0).send().await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    fixture.clear_faults();
    assert_eq!(get(&r0).await.unwrap().status(), StatusCode::OK);
    let statuses: Vec<u16> = fixture.requests().iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 0).count(),
        1,
        "the hang is recorded unanswered"
    );
}

#[tokio::test]
async fn latency_applies_to_every_request() {
    let world = World::new().account(Account::org(ForgeKind::Gitea, "o").repos(repos("r", 1)));
    let fixture = ForgeFixture::start(world).await;
    let url = format!("{}/repos/o/r000", fixture.api_base(ForgeKind::Gitea));
    fixture.set_latency(Duration::from_millis(150));
    let started = Instant::now();
    for _ in 0..2 {
        assert_eq!(client().fetch(&url).await.status(), StatusCode::OK);
    }
    assert!(started.elapsed() >= Duration::from_millis(300));
    // Taken away, it no longer applies: with a latency far beyond any scheduling delay of a
    // loaded machine set first, the bound cannot be met by chance.
    fixture.set_latency(Duration::from_secs(30));
    fixture.set_latency(Duration::ZERO);
    let started = Instant::now();
    client().fetch(&url).await;
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[tokio::test]
async fn git_clone_over_smart_http_checks_out_the_files() {
    let world = World::new().git_repo(
        Repo::new("comune")
            .publiccode(PUBLICCODE)
            .file("docs/readme.md", "# hi\n"),
    );
    let fixture = ForgeFixture::start(world).await;
    let url = fixture.git_url("comune");
    assert_eq!(url, format!("{}/git/comune.git", fixture.base()));
    assert!(fixture.git_dir("comune").join("HEAD").is_file());
    let scratch = tempfile::tempdir().unwrap();
    let dest = scratch.path().join("first");

    let clone = |url: String, dest: std::path::PathBuf| {
        tokio::task::spawn_blocking(move || {
            let out = std::process::Command::new("git")
                .args(["clone", "--quiet", &url])
                .arg(&dest)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let branch = std::process::Command::new("git")
                .args(["rev-parse", "--abbrev-ref", "HEAD"])
                .current_dir(&dest)
                .output()
                .unwrap();
            String::from_utf8(branch.stdout).unwrap().trim().to_owned()
        })
    };
    assert_eq!(clone(url.clone(), dest.clone()).await.unwrap(), "main");
    assert_eq!(
        std::fs::read(dest.join("publiccode.yml")).unwrap(),
        PUBLICCODE
    );
    assert_eq!(
        std::fs::read(dest.join("docs/readme.md")).unwrap(),
        b"# hi\n"
    );
    assert!(
        fixture.requests_for(ForgeKind::Git, "comune") >= 2,
        "ref discovery, then the pack"
    );
    assert!(fixture.requests().iter().any(|r| r.method == "POST"
        && r.path_and_query == "/git/comune.git/git-upload-pack"
        && r.status == 200));

    // A change is a new commit, seen by the next clone (here through file://).
    fixture.set_file(ForgeKind::Git, "comune", "publiccode.yml", "v2");
    let file_url = format!("file://{}", fixture.git_dir("comune").display());
    let second = scratch.path().join("second");
    clone(file_url, second.clone()).await.unwrap();
    assert_eq!(std::fs::read(second.join("publiccode.yml")).unwrap(), b"v2");

    let missing = client()
        .fetch(format!(
            "{}/git/nope.git/info/refs?service=git-upload-pack",
            fixture.base()
        ))
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    fixture.add_repo(ForgeKind::Git, "", Repo::new("altro").publiccode("x"));
    fixture.remove_repo(ForgeKind::Git, "comune.git");
    assert!(!fixture.git_dir("comune").exists());
    assert!(fixture.git_dir("altro").join("HEAD").is_file());
}

/// Runs the `git` command in `dir` off the runtime (which serves the fixture); its output.
async fn git_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let (dir, args) = (
        dir.to_path_buf(),
        args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>(),
    );
    tokio::task::spawn_blocking(move || {
        std::process::Command::new("git")
            .args(&args)
            .current_dir(dir)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn api_forge_repositories_clone_with_their_history_at_their_clone_url() {
    let history = vec![
        Commit::new(1_600_000_000, "first@example.it").tag("v0.1"),
        Commit::new(1_700_000_000, "second@example.it"),
        Commit::new(1_700_000_060, "third@example.it").tag("v1.0"),
    ];
    let world = World::new()
        .account(
            Account::org(ForgeKind::GitHub, "acme")
                .repo(
                    Repo::new("app")
                        .publiccode(PUBLICCODE)
                        .history(history.clone()),
                )
                .repo(Repo::new("secret").private().publiccode(PUBLICCODE)),
        )
        .account(
            Account::group("ente")
                .subgroup(Account::group("uffici").repo(Repo::new("protocollo").file("a", "b"))),
        )
        .account(Account::org(ForgeKind::Gitea, "unione").repo(Repo::new("sportello")));
    let fixture = ForgeFixture::start(world).await;
    let scratch = tempfile::tempdir().unwrap();

    // The clone URL is the one the API gives.
    let api = client()
        .fetch(format!(
            "{}/repos/acme/app",
            fixture.api_base(ForgeKind::GitHub)
        ))
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let url = fixture.clone_url(ForgeKind::GitHub, "acme/app");
    assert_eq!(api["clone_url"], url.as_str());
    let out = git_in(scratch.path(), &["clone", "--quiet", &url, "app"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let app = scratch.path().join("app");
    assert_eq!(
        std::fs::read(app.join("publiccode.yml")).unwrap(),
        PUBLICCODE
    );
    let log = git_in(&app, &["log", "--format=%ae %at", "--reverse"]).await;
    assert_eq!(
        String::from_utf8(log.stdout).unwrap(),
        "first@example.it 1600000000\nsecond@example.it 1700000000\nthird@example.it 1700000060\n"
    );
    let tags = git_in(&app, &["tag", "--points-at", "HEAD"]).await;
    assert_eq!(String::from_utf8(tags.stdout).unwrap(), "v1.0\n");
    assert!(fixture.requests_for(ForgeKind::GitHub, "acme/app") >= 3);

    // A push grows the history; the next fetch sees it.
    fixture.push(
        ForgeKind::GitHub,
        "acme/app",
        [Commit::new(1_700_000_120, "fourth@example.it")],
    );
    let pull = git_in(&app, &["pull", "--quiet", "--ff-only"]).await;
    assert!(
        pull.status.success(),
        "{}",
        String::from_utf8_lossy(&pull.stderr)
    );
    let last = git_in(&app, &["log", "-1", "--format=%ae"]).await;
    assert_eq!(
        String::from_utf8(last.stdout).unwrap(),
        "fourth@example.it\n"
    );

    // GitLab subgroups and Gitea; a repository without a history has one commit.
    for (kind, repo) in [
        (ForgeKind::GitLab, "ente/uffici/protocollo"),
        (ForgeKind::Gitea, "unione/sportello"),
    ] {
        let dest = repo.replace('/', "-");
        let url = fixture.clone_url(kind, repo);
        let out = git_in(scratch.path(), &["clone", "--quiet", &url, &dest]).await;
        assert!(
            out.status.success(),
            "{url}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let count = git_in(
            &scratch.path().join(&dest),
            &["rev-list", "--count", "HEAD"],
        )
        .await;
        assert_eq!(String::from_utf8(count.stdout).unwrap(), "1\n", "{url}");
    }

    // Private and unknown repositories are not there for anonymous clients.
    for path in ["acme/secret", "acme/nope"] {
        let refs = client()
            .fetch(format!(
                "{}/{path}.git/info/refs?service=git-upload-pack",
                fixture.web_base(ForgeKind::GitHub)
            ))
            .await;
        assert_eq!(refs.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn requests_are_recorded_with_their_headers() {
    let world = World::new().account(Account::group("g").repos(repos("p", 2)));
    let fixture = ForgeFixture::start(world).await;
    let api = fixture.api_base(ForgeKind::GitLab);
    let client = client();
    client
        .get(format!("{api}/projects/g%2Fp000?statistics=false"))
        .header("authorization", "Bearer s3cret")
        .header("if-none-match", "\"abc\"")
        .send()
        .await
        .unwrap();
    client
        .get(format!("{api}/projects/g%2Fp001"))
        .header("private-token", "tok")
        .send()
        .await
        .unwrap();
    client.fetch(format!("{api}/projects/g%2Fmissing")).await;
    let log = fixture.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].method, "GET");
    assert_eq!(
        log[0].path_and_query,
        "/gitlab/api/v4/projects/g%2Fp000?statistics=false"
    );
    assert_eq!(log[0].authorization.as_deref(), Some("Bearer s3cret"));
    assert_eq!(log[0].if_none_match.as_deref(), Some("\"abc\""));
    assert_eq!(log[0].user_agent.as_deref(), Some("riuso-tests"));
    assert_eq!(log[0].status, 200);
    assert_eq!(log[1].authorization.as_deref(), Some("PRIVATE-TOKEN tok"));
    assert_eq!(log[2].status, 404);
    assert_eq!(fixture.requests_for(ForgeKind::GitLab, "g/p000"), 1);
    fixture.clear_requests();
    assert!(fixture.requests().is_empty());
    assert_eq!(fixture.requests_for(ForgeKind::GitLab, "g/p000"), 0);
}

#[tokio::test]
async fn a_world_of_a_thousand_repositories_builds_quickly() {
    let started = Instant::now();
    let world =
        World::new().account(Account::org(ForgeKind::GitHub, "big").repos(repos("r", 1000)));
    let fixture = ForgeFixture::start(world).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let (names, pages) = follow_links(
        &format!(
            "{}/orgs/big/repos?per_page=100",
            fixture.api_base(ForgeKind::GitHub)
        ),
        "name",
    )
    .await;
    assert_eq!((names.len(), pages.len()), (1000, 10));
}
