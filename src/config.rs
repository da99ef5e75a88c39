//! Configuration: the only module that reads the environment.
//!
//! [`Config::from_env`] reads each variable once at start-up; tests build a [`Config`] in code
//! (or through [`Config::from_lookup`]) and never touch the process environment.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Everything the binary can be told through the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Database connection string.
    pub database_url: String,
    /// Address the web server listens on.
    pub bind: SocketAddr,
    /// Directory for the embedded database and other state.
    pub data_dir: PathBuf,
    /// Log filter, in `tracing` `EnvFilter` syntax.
    pub log_filter: String,
    /// Log line format.
    pub log_format: LogFormat,
    /// Largest publiccode.yml accepted, in bytes.
    pub max_file_bytes: usize,
    /// Timeout of every outgoing HTTP request.
    pub http_timeout: Duration,
    /// Forge tokens by variable name (`RIUSO_TOKEN_*`), for the crawler.
    pub tokens: Tokens,
    /// The crawl sources file the scheduler of `riuso serve` crawls.
    pub sources: PathBuf,
    /// Hours between scheduled crawls; 0 turns the scheduler off.
    pub crawl_every_hours: u64,
    /// Days an entry whose file turned invalid stays active, showing its last valid file, before
    /// it is deactivated (`RIUSO_INVALID_GRACE_DAYS`).
    pub invalid_grace_days: u32,
    /// Whether `riuso serve` runs a worker for queued jobs in the same process.
    pub embedded_worker: bool,
    /// Hosts, addresses and networks the crawler may fetch although they are private, loopback
    /// or link-local (the SSRF guard refuses them otherwise).
    pub fetch_allow: Vec<String>,
    /// Whether a crawl reads the `file://` git URLs its sources name (repositories on this
    /// machine); URLs a forge answers with are never read from the disk.
    pub fetch_files: bool,
    /// The public address of this server, for links and the IRIs of the open-data exports.
    pub public_url: String,
    /// Whether `RIUSO_PUBLIC_URL` gave it; otherwise it follows the address the server listens
    /// on (see [`Config::listening_on`]).
    pub public_url_given: bool,
    /// Requests per minute one client (IP address) may make to `/api`; 0 turns the limit off.
    pub api_rate_per_minute: u32,
    /// Attempts per minute at every account form (sign-up, sign-in, reset, deletion, membership
    /// claims), per client IP and per account; 0 turns the limit off.
    pub auth_rate_per_minute: u32,
    /// Password hashes (argon2, about 19 MiB each) the server runs at once.
    pub max_hashes: usize,
    /// How long a request waits for a hash to start before it is answered 503.
    pub hash_wait: Duration,
    /// The built web assets (Bootstrap Italia and our own), served at `/static/`.
    pub assets_dir: PathBuf,
    /// The SMTP server mail goes through; without one, messages wait in the outbox.
    pub smtp: Option<crate::mail::SmtpConfig>,
    /// The registry of public administrations (names, e-mail addresses), if one is configured.
    pub ipa_registry: Option<PathBuf>,
    /// How long a client may take to send a request's headers (and how long an idle
    /// keep-alive HTTP/1 connection waits for the next request) before it is disconnected.
    pub header_timeout: Duration,
    /// How long a connection may go without a byte read or written before it is closed.
    pub idle_timeout: Duration,
    /// Connections served at once; the others wait in the listen backlog.
    pub max_connections: usize,
    /// The time budget of a web page (the API and exports keep the server-wide 30 s).
    pub page_timeout: Duration,
    /// CPU-heavy tasks (validations, diffs) run at once, off the async runtime.
    pub max_cpu_jobs: usize,
    /// The pages every Italian PA site links from its footer.
    pub site: SiteNotices,
}

/// Where the accessibility statement, the privacy notice and the legal notes come from; each
/// unset one is riuso's own text, in the reader's language.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteNotices {
    /// The administration's accessibility statement (usually on AgID's platform,
    /// `form.agid.gov.it`), where `/accessibility` leads.
    pub accessibility_url: Option<String>,
    /// A text file with the privacy notice `/privacy` shows.
    pub privacy_file: Option<PathBuf>,
    /// A text file with the legal notes `/legal` shows.
    pub legal_file: Option<PathBuf>,
}

impl Config {
    /// Reads the configuration from the process environment.
    ///
    /// | variable | default | meaning |
    /// |---|---|---|
    /// | `DATABASE_URL` | `sqlite://<RIUSO_DATA_DIR>/riuso.db?mode=rwc` | SQLite file or `postgres://` URL |
    /// | `RIUSO_BIND` | `127.0.0.1:8080` | address `riuso serve` listens on |
    /// | `RIUSO_DATA_DIR` | `./data` | directory of the embedded database |
    /// | `RIUSO_LOG` | `info` | log filter (`EnvFilter` syntax, e.g. `riuso=debug,info`) |
    /// | `RIUSO_LOG_FORMAT` | `pretty` | `pretty` or `json` |
    /// | `RIUSO_MAX_FILE_BYTES` | `1048576` | largest publiccode.yml accepted |
    /// | `RIUSO_HTTP_TIMEOUT_SECS` | `10` | timeout of each outgoing HTTP request |
    /// | `RIUSO_PUBLIC_URL` | `http://<RIUSO_BIND>` | public address, for links and export IRIs |
    /// | `RIUSO_API_RATE_PER_MINUTE` | `600` | API requests per minute per client IP (0: no limit) |
    /// | `RIUSO_AUTH_RATE_PER_MINUTE` | `10` | attempts per minute at the account forms, per client IP and per account (0: no limit) |
    /// | `RIUSO_MAX_HASHES` | number of CPUs | password hashes run at once (about 19 MiB each) |
    /// | `RIUSO_HASH_WAIT_SECS` | `5` | how long a request waits for a hash to start before a 503 |
    /// | `RIUSO_TOKEN_*` | none | forge tokens, named in `publishers.yml` |
    /// | `RIUSO_SOURCES` | `publishers.yml` | crawl sources of the scheduler |
    /// | `RIUSO_CRAWL_EVERY_HOURS` | `24` | hours between scheduled crawls (0: no scheduler) |
    /// | `RIUSO_INVALID_GRACE_DAYS` | `14` | days an entry whose file turned invalid stays active with its last valid file before it is deactivated (0: at the next check) |
    /// | `RIUSO_EMBEDDED_WORKER` | `true` | whether `riuso serve` runs a worker |
    /// | `RIUSO_FETCH_ALLOW` | none | comma-separated hosts, `host:port`, addresses, networks the SSRF guard lets through |
    /// | `RIUSO_FETCH_FILES` | `false` | whether the `file://` git URLs of the sources are crawled |
    /// | `RIUSO_ASSETS_DIR` | `web/dist` | built web assets (`make assets`), served at `/static/` |
    /// | `RIUSO_IPA_REGISTRY` | none | CSV/TSV of administrations: IPA code, name, e-mail |
    /// | `RIUSO_SMTP_HOST` | none | SMTP server; unset, mail waits in the outbox |
    /// | `RIUSO_SMTP_PORT` | `587` (`465` with `tls`, `25` with `none`) | its port |
    /// | `RIUSO_SMTP_TLS` | `starttls` | `starttls`, `tls` or `none` |
    /// | `RIUSO_SMTP_USER`, `RIUSO_SMTP_PASSWORD` | none | credentials, when the server wants them |
    /// | `RIUSO_MAIL_FROM` | `riuso <noreply@<public host>>` | sender of every message |
    /// | `RIUSO_HEADER_TIMEOUT_SECS` | `10` | time to send a request's headers; also how long an idle keep-alive connection stays open |
    /// | `RIUSO_IDLE_TIMEOUT_SECS` | `60` | a connection with no byte read or written for this long is closed |
    /// | `RIUSO_MAX_CONNECTIONS` | `512` | connections served at once (the others wait in the backlog) |
    /// | `RIUSO_PAGE_TIMEOUT_SECS` | `10` | time budget of a web page (503 past it) |
    /// | `RIUSO_MAX_CPU_JOBS` | number of CPUs | validations and diffs run at once off the async runtime |
    /// | `RIUSO_ACCESSIBILITY_URL` | none | the accessibility statement `/accessibility` leads to (riuso's own text when unset) |
    /// | `RIUSO_PRIVACY_FILE` | none | text file of the privacy notice at `/privacy` (riuso's own text when unset) |
    /// | `RIUSO_LEGAL_FILE` | none | text file of the legal notes at `/legal` (riuso's own text when unset) |
    ///
    /// # Errors
    ///
    /// Fails when a variable is set to a value that cannot be parsed, naming the variable.
    #[expect(
        clippy::disallowed_methods,
        reason = "this is the one place that reads the environment"
    )]
    pub fn from_env() -> anyhow::Result<Self> {
        let mut config = Self::from_lookup(|name| std::env::var(name).ok())?;
        config.tokens = Tokens(
            std::env::vars()
                .filter(|(name, value)| name.starts_with(TOKEN_PREFIX) && !value.trim().is_empty())
                .collect(),
        );
        Ok(config)
    }

    /// `RIUSO_MAX_FILE_BYTES` alone, for the offline validator, which needs nothing else of the
    /// configuration (reading the rest would cost a process run per file a good part of its
    /// start-up).
    ///
    /// # Errors
    ///
    /// When the variable is not a number of bytes.
    #[expect(
        clippy::disallowed_methods,
        reason = "the validator's one setting, read where the rest is"
    )]
    pub fn max_file_bytes_from_env() -> anyhow::Result<usize> {
        max_file_bytes(std::env::var("RIUSO_MAX_FILE_BYTES").ok())
    }

    /// Reads the configuration through `lookup` (the environment, or a map in tests).
    ///
    /// # Errors
    ///
    /// Fails when a value cannot be parsed, naming the variable.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let data_dir = PathBuf::from(get("RIUSO_DATA_DIR").unwrap_or_else(|| "./data".to_owned()));
        let database_url = get("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}/riuso.db?mode=rwc", data_dir.display()));
        let bind: SocketAddr = get("RIUSO_BIND")
            .unwrap_or_else(|| "127.0.0.1:8080".to_owned())
            .parse()
            .context("RIUSO_BIND must be an address such as 127.0.0.1:8080")?;
        let log_format = match get("RIUSO_LOG_FORMAT").as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => anyhow::bail!("RIUSO_LOG_FORMAT must be pretty or json, not {other:?}"),
        };
        let max_file_bytes = max_file_bytes(get("RIUSO_MAX_FILE_BYTES"))?;
        let http_timeout = get("RIUSO_HTTP_TIMEOUT_SECS")
            .map(|v| v.parse().map(Duration::from_secs))
            .transpose()
            .context("RIUSO_HTTP_TIMEOUT_SECS must be a whole number of seconds")?
            .unwrap_or(Duration::from_secs(10));
        let public_url_given = get("RIUSO_PUBLIC_URL").is_some();
        let public_url = get("RIUSO_PUBLIC_URL").unwrap_or_else(|| format!("http://{bind}"));
        match url::Url::parse(&public_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.query().is_none() => {}
            _ => anyhow::bail!(
                "RIUSO_PUBLIC_URL must be an http(s) URL such as https://riuso.example.org, not {public_url:?}"
            ),
        }
        let api_rate_per_minute = get("RIUSO_API_RATE_PER_MINUTE")
            .map(|v| v.parse())
            .transpose()
            .context("RIUSO_API_RATE_PER_MINUTE must be a whole number of requests")?
            .unwrap_or(600);
        let auth_rate_per_minute = get("RIUSO_AUTH_RATE_PER_MINUTE")
            .map(|v| v.parse())
            .transpose()
            .context("RIUSO_AUTH_RATE_PER_MINUTE must be a whole number of attempts")?
            .unwrap_or(10);
        let secs = |name: &str, default: u64| -> anyhow::Result<Duration> {
            let n = get(name)
                .map(|v| v.trim().parse::<u64>())
                .transpose()
                .with_context(|| format!("{name} must be a whole number of seconds"))?
                .unwrap_or(default);
            anyhow::ensure!(n > 0, "{name} must be at least 1 second");
            Ok(Duration::from_secs(n))
        };
        let count = |name: &str, default: usize| -> anyhow::Result<usize> {
            let n = get(name)
                .map(|v| v.trim().parse::<usize>())
                .transpose()
                .with_context(|| format!("{name} must be a whole number"))?
                .unwrap_or(default);
            anyhow::ensure!(n > 0, "{name} must be at least 1");
            Ok(n)
        };
        let header_timeout = secs("RIUSO_HEADER_TIMEOUT_SECS", 10)?;
        let idle_timeout = secs("RIUSO_IDLE_TIMEOUT_SECS", 60)?;
        let max_connections = count("RIUSO_MAX_CONNECTIONS", 512)?;
        let page_timeout = secs("RIUSO_PAGE_TIMEOUT_SECS", 10)?;
        // Asked of the system at most once, and only when a default needs it: it reads cgroup
        // files, a cost every `riuso validate` process would pay for nothing.
        let cpus = std::cell::OnceCell::new();
        let cpus = || {
            *cpus.get_or_init(|| {
                std::thread::available_parallelism().map_or(0, std::num::NonZeroUsize::get)
            })
        };
        let max_cpu_jobs = match get("RIUSO_MAX_CPU_JOBS") {
            Some(_) => count("RIUSO_MAX_CPU_JOBS", 1)?,
            None => match cpus() {
                0 => 2,
                n => n,
            },
        };
        let max_hashes = match get("RIUSO_MAX_HASHES") {
            Some(v) => match v.trim().parse::<usize>() {
                Ok(n) if n > 0 => n,
                _ => anyhow::bail!("RIUSO_MAX_HASHES must be a whole number above 0, not {v:?}"),
            },
            None => cpus().max(1),
        };
        let hash_wait = get("RIUSO_HASH_WAIT_SECS")
            .map(|v| v.trim().parse().map(Duration::from_secs))
            .transpose()
            .context("RIUSO_HASH_WAIT_SECS must be a whole number of seconds")?
            .unwrap_or(Duration::from_secs(5));
        let smtp = match get("RIUSO_SMTP_HOST") {
            None => None,
            Some(host) => {
                let tls: crate::mail::SmtpTls = get("RIUSO_SMTP_TLS")
                    .map(|v| v.trim().parse())
                    .transpose()
                    .map_err(|e| anyhow::anyhow!("RIUSO_SMTP_TLS {e}"))?
                    .unwrap_or_default();
                let port = get("RIUSO_SMTP_PORT")
                    .map(|v| v.trim().parse::<u16>())
                    .transpose()
                    .context("RIUSO_SMTP_PORT must be a port number")?
                    .unwrap_or(match tls {
                        crate::mail::SmtpTls::None => 25,
                        crate::mail::SmtpTls::StartTls => 587,
                        crate::mail::SmtpTls::Tls => 465,
                    });
                let public_host = url::Url::parse(&public_url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
                    .unwrap_or_else(|| "localhost".to_owned());
                Some(crate::mail::SmtpConfig {
                    host: host.trim().to_owned(),
                    port,
                    tls,
                    credentials: get("RIUSO_SMTP_USER")
                        .map(|user| (user, lookup("RIUSO_SMTP_PASSWORD").unwrap_or_default())),
                    from: get("RIUSO_MAIL_FROM")
                        .unwrap_or_else(|| format!("riuso <noreply@{public_host}>")),
                    timeout: http_timeout,
                })
            }
        };
        let accessibility_url = get("RIUSO_ACCESSIBILITY_URL").map(|v| v.trim().to_owned());
        if let Some(u) = &accessibility_url {
            anyhow::ensure!(
                url::Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https")),
                "RIUSO_ACCESSIBILITY_URL must be an http(s) URL, not {u:?}"
            );
        }
        let site = SiteNotices {
            accessibility_url,
            privacy_file: get("RIUSO_PRIVACY_FILE").map(PathBuf::from),
            legal_file: get("RIUSO_LEGAL_FILE").map(PathBuf::from),
        };
        Ok(Self {
            site,
            header_timeout,
            idle_timeout,
            max_connections,
            page_timeout,
            max_cpu_jobs,
            ipa_registry: get("RIUSO_IPA_REGISTRY").map(PathBuf::from),
            smtp,
            assets_dir: PathBuf::from(
                get("RIUSO_ASSETS_DIR").unwrap_or_else(|| "web/dist".to_owned()),
            ),
            public_url: public_url.trim_end_matches('/').to_owned(),
            public_url_given,
            api_rate_per_minute,
            auth_rate_per_minute,
            max_hashes,
            hash_wait,
            database_url,
            bind,
            data_dir,
            log_filter: get("RIUSO_LOG").unwrap_or_else(|| "info".to_owned()),
            log_format,
            max_file_bytes,
            http_timeout,
            tokens: Tokens::default(),
            sources: PathBuf::from(
                get("RIUSO_SOURCES").unwrap_or_else(|| "publishers.yml".to_owned()),
            ),
            crawl_every_hours: get("RIUSO_CRAWL_EVERY_HOURS")
                .map(|v| v.trim().parse::<u64>())
                .transpose()
                .context("RIUSO_CRAWL_EVERY_HOURS must be a whole number of hours")?
                .unwrap_or(24),
            invalid_grace_days: get("RIUSO_INVALID_GRACE_DAYS")
                .map(|v| v.trim().parse::<u32>())
                .transpose()
                .context("RIUSO_INVALID_GRACE_DAYS must be a whole number of days")?
                .unwrap_or(DEFAULT_INVALID_GRACE_DAYS),
            fetch_allow: get("RIUSO_FETCH_ALLOW")
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|e| !e.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            embedded_worker: flag(get("RIUSO_EMBEDDED_WORKER"), "RIUSO_EMBEDDED_WORKER", true)?,
            fetch_files: flag(get("RIUSO_FETCH_FILES"), "RIUSO_FETCH_FILES", false)?,
        })
    }
}

/// How many days an entry whose file turned invalid stays active unless told otherwise.
pub const DEFAULT_INVALID_GRACE_DAYS: u32 = 14;

impl Config {
    /// This configuration listening on `bind` (`riuso serve --bind`). Without
    /// `RIUSO_PUBLIC_URL` the public address follows it: the links mailed to people (which carry
    /// secrets) must lead to this server, not to whatever listens on the default port.
    #[must_use]
    pub fn listening_on(mut self, bind: SocketAddr) -> Self {
        self.bind = bind;
        if !self.public_url_given {
            self.public_url = format!("http://{bind}");
        }
        self
    }
}

/// A yes-or-no variable `name` set to `value`; `default` when unset.
fn flag(value: Option<String>, name: &str, default: bool) -> anyhow::Result<bool> {
    match value.as_deref().map(str::trim) {
        None => Ok(default),
        Some("1" | "true" | "yes") => Ok(true),
        Some("0" | "false" | "no") => Ok(false),
        Some(other) => anyhow::bail!("{name} must be true or false, not {other:?}"),
    }
}

/// Forge tokens are read from the environment variables whose names start with this, named in
/// `publishers.yml` (`token: RIUSO_TOKEN_GITHUB`); their values never appear in logs.
pub const TOKEN_PREFIX: &str = "RIUSO_TOKEN_";

/// Secret tokens by variable name; `Debug` shows the names only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Tokens(pub std::collections::BTreeMap<String, String>);

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.keys()).finish()
    }
}

/// The largest `publiccode.yml` accepted, from `RIUSO_MAX_FILE_BYTES` (1 MiB unless set).
fn max_file_bytes(value: Option<String>) -> anyhow::Result<usize> {
    Ok(value
        .map(|v| v.parse())
        .transpose()
        .context("RIUSO_MAX_FILE_BYTES must be a number of bytes")?
        .unwrap_or(1024 * 1024))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> anyhow::Result<Config> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, "sqlite://./data/riuso.db?mode=rwc");
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.max_file_bytes, 1_048_576);
        assert_eq!(c.log_format, LogFormat::Pretty);
        assert_eq!(c.public_url, "http://127.0.0.1:8080");
        assert_eq!(c.api_rate_per_minute, 600);
        assert!(c.embedded_worker && !c.fetch_files);
        assert_eq!(c.invalid_grace_days, 14);
    }

    #[test]
    fn overrides_and_errors_name_the_variable() {
        let c = config(&[
            ("RIUSO_DATA_DIR", "/srv/riuso"),
            ("RIUSO_MAX_FILE_BYTES", "10"),
        ])
        .unwrap();
        assert_eq!(c.database_url, "sqlite:///srv/riuso/riuso.db?mode=rwc");
        assert_eq!(c.max_file_bytes, 10);
        let err = config(&[("RIUSO_PUBLIC_URL", "ftp://x")]).unwrap_err();
        assert!(format!("{err:#}").contains("RIUSO_PUBLIC_URL"));
        let err = config(&[("RIUSO_BIND", "nowhere")]).unwrap_err();
        assert!(format!("{err:#}").contains("RIUSO_BIND"));
        let c = config(&[("RIUSO_FETCH_FILES", "yes"), ("RIUSO_EMBEDDED_WORKER", "0")]).unwrap();
        assert!(c.fetch_files && !c.embedded_worker);
        let c = config(&[("RIUSO_MAX_HASHES", "3"), ("RIUSO_HASH_WAIT_SECS", "1")]).unwrap();
        assert_eq!((c.max_hashes, c.hash_wait), (3, Duration::from_secs(1)));
        assert!(config(&[]).unwrap().max_hashes >= 1);
        let err = config(&[("RIUSO_MAX_HASHES", "0")]).unwrap_err();
        assert!(format!("{err:#}").contains("RIUSO_MAX_HASHES"));
        let err = config(&[("RIUSO_FETCH_FILES", "maybe")]).unwrap_err();
        assert!(format!("{err:#}").contains("RIUSO_FETCH_FILES"));
        assert_eq!(
            config(&[("RIUSO_INVALID_GRACE_DAYS", "3")])
                .unwrap()
                .invalid_grace_days,
            3
        );
        let err = config(&[("RIUSO_INVALID_GRACE_DAYS", "a fortnight")]).unwrap_err();
        assert!(format!("{err:#}").contains("RIUSO_INVALID_GRACE_DAYS"));
    }

    #[test]
    fn site_notices_are_riusos_own_until_configured() {
        assert_eq!(config(&[]).unwrap().site, SiteNotices::default());
        let c = config(&[
            (
                "RIUSO_ACCESSIBILITY_URL",
                "https://form.agid.gov.it/view/0000",
            ),
            ("RIUSO_PRIVACY_FILE", "/etc/riuso/privacy.txt"),
        ])
        .unwrap();
        assert_eq!(
            c.site.accessibility_url.as_deref(),
            Some("https://form.agid.gov.it/view/0000")
        );
        assert_eq!(
            c.site.privacy_file,
            Some(PathBuf::from("/etc/riuso/privacy.txt"))
        );
        let err = config(&[("RIUSO_ACCESSIBILITY_URL", "javascript:alert(1)")]).unwrap_err();
        assert!(format!("{err:#}").contains("RIUSO_ACCESSIBILITY_URL"));
    }

    #[test]
    fn connection_and_work_limits() {
        let c = config(&[]).unwrap();
        assert_eq!(c.header_timeout, Duration::from_secs(10));
        assert_eq!(c.idle_timeout, Duration::from_secs(60));
        assert_eq!(c.max_connections, 512);
        assert_eq!(c.page_timeout, Duration::from_secs(10));
        assert!(c.max_cpu_jobs >= 1);
        let c = config(&[
            ("RIUSO_HEADER_TIMEOUT_SECS", "3"),
            ("RIUSO_MAX_CONNECTIONS", "7"),
            ("RIUSO_MAX_CPU_JOBS", "2"),
        ])
        .unwrap();
        assert_eq!(c.header_timeout, Duration::from_secs(3));
        assert_eq!((c.max_connections, c.max_cpu_jobs), (7, 2));
        for name in [
            "RIUSO_HEADER_TIMEOUT_SECS",
            "RIUSO_IDLE_TIMEOUT_SECS",
            "RIUSO_MAX_CONNECTIONS",
            "RIUSO_PAGE_TIMEOUT_SECS",
            "RIUSO_MAX_CPU_JOBS",
        ] {
            let err = config(&[(name, "0")]).unwrap_err();
            assert!(format!("{err:#}").contains(name), "{name}");
            let err = config(&[(name, "soon")]).unwrap_err();
            assert!(format!("{err:#}").contains(name), "{name}");
        }
    }

    #[test]
    fn the_public_address_follows_the_bind_address_unless_given() {
        let c = config(&[])
            .unwrap()
            .listening_on("127.0.0.1:9999".parse().unwrap());
        assert_eq!(c.public_url, "http://127.0.0.1:9999");
        let c = config(&[("RIUSO_BIND", "127.0.0.1:7000")]).unwrap();
        assert_eq!(c.public_url, "http://127.0.0.1:7000");
        let c = c.listening_on("[::1]:7001".parse().unwrap());
        assert_eq!(c.public_url, "http://[::1]:7001");
        let c = config(&[("RIUSO_PUBLIC_URL", "https://riuso.example.org/")])
            .unwrap()
            .listening_on("0.0.0.0:9999".parse().unwrap());
        assert_eq!(c.public_url, "https://riuso.example.org");
        assert_eq!(c.bind.to_string(), "0.0.0.0:9999");
    }

    #[test]
    fn smtp_is_off_until_a_host_is_given_and_the_port_follows_the_tls_mode() {
        assert_eq!(config(&[]).unwrap().smtp, None);
        let c = config(&[
            ("RIUSO_SMTP_HOST", "smtp.example.org"),
            ("RIUSO_PUBLIC_URL", "https://riuso.example.org"),
        ])
        .unwrap();
        let smtp = c.smtp.unwrap();
        assert_eq!((smtp.port, smtp.tls), (587, crate::mail::SmtpTls::StartTls));
        assert_eq!(smtp.from, "riuso <noreply@riuso.example.org>");
        let c = config(&[
            ("RIUSO_SMTP_HOST", "smtp.example.org"),
            ("RIUSO_SMTP_TLS", "tls"),
            ("RIUSO_SMTP_USER", "riuso"),
            ("RIUSO_SMTP_PASSWORD", "s3cret"),
        ])
        .unwrap();
        let smtp = c.smtp.unwrap();
        assert_eq!(smtp.port, 465);
        assert!(
            !format!("{smtp:?}").contains("s3cret"),
            "the password is never printed"
        );
        let err = config(&[("RIUSO_SMTP_HOST", "h"), ("RIUSO_SMTP_TLS", "ssl")]).unwrap_err();
        assert!(format!("{err:#}").contains("RIUSO_SMTP_TLS"));
    }
}
