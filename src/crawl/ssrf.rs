//! The SSRF guard: outgoing requests stay off private, loopback and link-local networks.
//!
//! Sources can be added by users, so a URL must not make the server fetch its own admin ports,
//! the cloud metadata service or the office network. [`Guard::check`] vets a URL before a request
//! (scheme, credentials, and every address its host resolves to); [`GuardedResolver`] applies the
//! same address rules when a connection is made, so a name that resolves to a public address at
//! check time and to a private one at connect time (DNS rebinding) is refused too; and
//! [`client_builder`] wires both, plus a redirect policy that re-checks every hop, into a
//! `reqwest` client. Hosts and networks on the allow-list skip the address rules; that is how a
//! deployment reaches an internal forge and how tests reach loopback fixtures.
//!
//! This module decides, it does not retry: callers report a [`Refused`] as they see fit. The
//! refused address itself is logged here and never put in a refusal's text, which crawl events
//! publish.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// Most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 10;

/// Why a URL or an address was refused.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// The scheme is not http or https.
    #[error("the `{scheme}` scheme is not allowed; only http and https URLs are fetched")]
    Scheme {
        /// The refused scheme.
        scheme: String,
    },
    /// The URL carries a user name or a password.
    #[error("URLs with credentials (user:password@) are not fetched; configure a token instead")]
    Credentials,
    /// The URL has no host.
    #[error("the URL has no host")]
    NoHost,
    /// The host is, or resolves to, an address on a network that is never fetched.
    /// Its text, which crawl events publish, names the host and the kind of network but not
    /// the address: what an internal name resolves to stays in the server log.
    #[error(
        "{host} is refused: it is or resolves to a {kind} address, which is not fetched unless the host or network is allow-listed"
    )]
    Forbidden {
        /// The host as written in the URL.
        host: String,
        /// The forbidden address.
        addr: IpAddr,
        /// What kind of network it belongs to (`loopback`, `private`, ...).
        kind: &'static str,
    },
    /// The host is allow-listed only on other ports.
    #[error("{host} is allow-listed only on other ports, not on port {port}")]
    Port {
        /// The host.
        host: String,
        /// The refused port.
        port: u16,
    },
    /// The host name could not be resolved.
    #[error("cannot resolve {host}")]
    Resolve {
        /// The host name.
        host: String,
        /// The resolver's error.
        #[source]
        source: std::io::Error,
    },
    /// The host name resolved to no address at all.
    #[error("{host} resolves to no address")]
    NoAddress {
        /// The host name.
        host: String,
    },
    /// A redirect chain was longer than [`MAX_REDIRECTS`].
    #[error("more than {MAX_REDIRECTS} redirects")]
    TooManyRedirects,
}

/// An allow-list entry that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{entry}` is not a host name, host:port, IP address or CIDR network for the fetch allow-list"
)]
pub struct InvalidAllowEntry {
    /// The entry as given.
    pub entry: String,
}

/// A host allow-listed by name, on any port or on one.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HostEntry {
    /// Lower case, without a trailing dot; IPv6 literals in brackets, as `Url::host_str` has them.
    host: String,
    port: Option<u16>,
}

/// What the allow-list says about a host name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HostRule {
    NotListed,
    Allowed,
    /// Listed, but only with ports other than this one.
    OtherPort,
}

/// Decides which URLs and addresses may be fetched.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    hosts: Vec<HostEntry>,
    nets: Vec<IpNet>,
}

impl Guard {
    /// A guard that refuses every forbidden address except those allow-listed in `allow`.
    ///
    /// Each entry is a host name (`git.internal.example`, any port), `host:port`
    /// (`localhost:8080`), an IP address (`10.1.2.3`, `::1`) or a CIDR network (`10.0.0.0/8`).
    /// A listed host name is trusted whatever it resolves to; a listed address or network makes
    /// its addresses fetchable whatever name leads there.
    ///
    /// # Errors
    ///
    /// [`InvalidAllowEntry`] for an entry that is none of those.
    pub fn new(allow: Vec<String>) -> Result<Self, InvalidAllowEntry> {
        let mut guard = Self::default();
        for entry in allow {
            let trimmed = entry.trim();
            if let Ok(net) = IpNet::from_str(trimmed) {
                guard.nets.push(net.trunc());
            } else if let Ok(ip) = IpAddr::from_str(trimmed) {
                guard.nets.push(IpNet::from(ip));
            } else if let Some(host) = parse_host_entry(trimmed) {
                guard.hosts.push(host);
            } else {
                return Err(InvalidAllowEntry { entry });
            }
        }
        Ok(guard)
    }

    /// Checks `url` before it is fetched, resolving its host.
    ///
    /// # Errors
    ///
    /// A [`Refused`] saying why the URL must not be fetched: the scheme, credentials, no host, a
    /// host that does not resolve, or any resolved address on a forbidden network.
    pub async fn check(&self, url: &Url) -> Result<(), Refused> {
        match self.check_without_dns(url)? {
            Next::Done => Ok(()),
            Next::Resolve { host, port } => {
                let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
                    .await
                    .map_err(|source| Refused::Resolve {
                        host: host.clone(),
                        source,
                    })?
                    .collect();
                if addrs.is_empty() {
                    return Err(Refused::NoAddress { host });
                }
                addrs
                    .iter()
                    .try_for_each(|addr| self.check_addr(&host, addr.ip()))
            }
        }
    }

    /// Everything that can be decided without DNS: scheme, credentials, allow-listed names and
    /// literal IP addresses (in any notation the URL parser normalizes).
    fn check_without_dns(&self, url: &Url) -> Result<Next, Refused> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refused::Scheme {
                scheme: url.scheme().to_owned(),
            });
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Refused::Credentials);
        }
        let host = url.host().ok_or(Refused::NoHost)?;
        let port = url.port_or_known_default().unwrap_or(80);
        let name = url.host_str().unwrap_or_default();
        if self.host_rule(name, Some(port)) == HostRule::Allowed {
            return Ok(Next::Done);
        }
        match host {
            Host::Ipv4(ip) => self.check_addr(name, IpAddr::V4(ip)).map(|()| Next::Done),
            Host::Ipv6(ip) => self.check_addr(name, IpAddr::V6(ip)).map(|()| Next::Done),
            Host::Domain(domain) => Ok(Next::Resolve {
                host: domain.to_owned(),
                port,
            }),
        }
    }

    /// Whether `addr`, reached through `host`, may be fetched.
    fn check_addr(&self, host: &str, addr: IpAddr) -> Result<(), Refused> {
        if self.nets.iter().any(|net| net.contains(&addr)) {
            return Ok(());
        }
        match forbidden(addr) {
            Some(kind) => {
                // The address goes to the operator's log only (see `Refused::Forbidden`).
                tracing::warn!(host, %addr, kind, "refused a forbidden address");
                Err(Refused::Forbidden {
                    host: host.to_owned(),
                    addr,
                    kind,
                })
            }
            None => Ok(()),
        }
    }

    /// What the allow-list says about `host` on `port` (`None`: any port will do).
    fn host_rule(&self, host: &str, port: Option<u16>) -> HostRule {
        let host = normalize_host(host);
        let mut rule = HostRule::NotListed;
        for entry in self.hosts.iter().filter(|e| e.host == host) {
            match (entry.port, port) {
                (None, _) | (_, None) => return HostRule::Allowed,
                (Some(a), Some(b)) if a == b => return HostRule::Allowed,
                _ => rule = HostRule::OtherPort,
            }
        }
        rule
    }

    /// The redirect policy: re-checks every hop without DNS (names are checked by
    /// [`GuardedResolver`] when the connection is made), and never follows a redirect to `file`.
    fn redirect(&self, attempt: reqwest::redirect::Attempt<'_>) -> reqwest::redirect::Action {
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(Refused::TooManyRedirects);
        }
        let url = attempt.url();
        let verdict = self.check_without_dns(url).and_then(|next| match next {
            Next::Done => Ok(()),
            Next::Resolve { host, port } => match self.host_rule(&host, Some(port)) {
                HostRule::OtherPort => Err(Refused::Port { host, port }),
                HostRule::Allowed | HostRule::NotListed => Ok(()),
            },
        });
        match verdict {
            Ok(()) => attempt.follow(),
            Err(refused) => attempt.error(refused),
        }
    }
}

/// What is left to check once the parts that need no DNS have passed.
enum Next {
    Done,
    Resolve { host: String, port: u16 },
}

fn normalize_host(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}

fn parse_host_entry(entry: &str) -> Option<HostEntry> {
    // `[::1]:8080` and `host:8080`: a numeric suffix after the last colon is the port.
    let (host, port) = match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') || host.ends_with(']') => {
            (host, Some(port.parse::<u16>().ok()?))
        }
        _ => (entry, None),
    };
    let host = if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Ipv6Addr::from_str(inner).ok()?;
        host.to_owned()
    } else {
        // Reuse the URL parser's host rules (IDNA, forbidden characters, IPv4 notations).
        let url = Url::parse(&format!("http://{host}/")).ok()?;
        if url.path() != "/" || normalize_host(url.host_str()?) != normalize_host(host) {
            return None;
        }
        url.host_str()?.to_owned()
    };
    Some(HostEntry {
        host: normalize_host(&host),
        port,
    })
}

/// The kind of network `addr` belongs to, if it is one that is never fetched.
#[must_use]
pub fn forbidden(addr: IpAddr) -> Option<&'static str> {
    match addr {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn v4net(a: u8, b: u8, c: u8, d: u8, len: u8) -> Option<Ipv4Net> {
    Ipv4Net::new(Ipv4Addr::new(a, b, c, d), len).ok()
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    if ip == Ipv4Addr::BROADCAST {
        return Some("broadcast");
    }
    let table = [
        (v4net(0, 0, 0, 0, 8), "this-network (0.0.0.0/8)"),
        (v4net(10, 0, 0, 0, 8), "private"),
        (v4net(100, 64, 0, 0, 10), "carrier-grade NAT"),
        (v4net(127, 0, 0, 0, 8), "loopback"),
        (
            v4net(169, 254, 0, 0, 16),
            "link-local (cloud metadata lives here)",
        ),
        (v4net(172, 16, 0, 0, 12), "private"),
        (v4net(192, 0, 0, 0, 24), "IETF protocol assignment"),
        (v4net(192, 0, 2, 0, 24), "documentation"),
        (v4net(192, 88, 99, 0, 24), "6to4 relay"),
        (v4net(192, 168, 0, 0, 16), "private"),
        (v4net(198, 18, 0, 0, 15), "benchmarking"),
        (v4net(198, 51, 100, 0, 24), "documentation"),
        (v4net(203, 0, 113, 0, 24), "documentation"),
        (v4net(224, 0, 0, 0, 4), "multicast"),
        (v4net(240, 0, 0, 0, 4), "reserved"),
    ];
    table
        .into_iter()
        .find(|(net, _)| net.is_some_and(|net| net.contains(&ip)))
        .map(|(_, kind)| kind)
}

fn v6net(segments: [u16; 8], len: u8) -> Option<Ipv6Net> {
    let [a, b, c, d, e, f, g, h] = segments;
    Ipv6Net::new(Ipv6Addr::new(a, b, c, d, e, f, g, h), len).ok()
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    if ip.is_loopback() {
        return Some("loopback");
    }
    let [s0, s1, s2, _, _, _, s6, s7] = ip.segments();
    let [a, b] = s6.to_be_bytes();
    let [c, d] = s7.to_be_bytes();
    let embedded = Ipv4Addr::new(a, b, c, d);
    // Forms that carry an IPv4 address are as bad as the address they carry.
    if ip.to_ipv4_mapped().is_some() || v6net([0; 8], 96).is_some_and(|n| n.contains(&ip)) {
        return forbidden_v4(embedded).or_else(|| {
            // `::a.b.c.d` (IPv4-compatible, deprecated) is not routed anywhere.
            ip.to_ipv4_mapped().is_none().then_some("IPv4-compatible")
        });
    }
    if s0 == 0x2002 {
        // 6to4: the IPv4 address sits in the second and third segments.
        let [a, b] = s1.to_be_bytes();
        let [c, d] = s2.to_be_bytes();
        return forbidden_v4(Ipv4Addr::new(a, b, c, d));
    }
    let table = [
        (v6net([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96), "NAT64"),
        (v6net([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48), "NAT64"),
        (v6net([0x100, 0, 0, 0, 0, 0, 0, 0], 64), "discard-only"),
        (v6net([0x2001, 0, 0, 0, 0, 0, 0, 0], 32), "Teredo"),
        (
            v6net([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32),
            "documentation",
        ),
        (v6net([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7), "unique-local"),
        (v6net([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10), "link-local"),
        (v6net([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10), "site-local"),
        (v6net([0xff00, 0, 0, 0, 0, 0, 0, 0], 8), "multicast"),
    ];
    table
        .into_iter()
        .find(|(net, _)| net.is_some_and(|net| net.contains(&ip)))
        .map(|(_, kind)| kind)
}

/// A `reqwest` resolver that drops forbidden addresses at connect time.
///
/// Names on the allow-list resolve as usual. For the others, addresses on forbidden networks
/// are dropped; a name left with none is refused. `reqwest` does not ask the resolver about
/// literal IP addresses: [`Guard::check`] and the redirect policy of [`client_builder`] cover
/// those.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    guard: Arc<Guard>,
}

impl GuardedResolver {
    /// A resolver applying `guard`'s rules.
    #[must_use]
    pub fn new(guard: Arc<Guard>) -> Self {
        Self { guard }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = Arc::clone(&self.guard);
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|source| Refused::Resolve {
                    host: host.clone(),
                    source,
                })?
                .collect();
            // Port-specific entries are enforced before the connection (check and redirects);
            // the resolver only sees the name.
            if guard.host_rule(&host, None) == HostRule::Allowed {
                let addrs: Addrs = Box::new(resolved.into_iter());
                return Ok(addrs);
            }
            let mut first_refusal = None;
            let allowed: Vec<SocketAddr> = resolved
                .iter()
                .copied()
                .filter(|addr| match guard.check_addr(&host, addr.ip()) {
                    Ok(()) => true,
                    Err(refused) => {
                        first_refusal.get_or_insert(refused);
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                let refused = first_refusal.unwrap_or(Refused::NoAddress { host });
                return Err(Box::new(refused) as Box<dyn std::error::Error + Send + Sync>);
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

/// A `reqwest` client builder with the guard wired in: the guarded resolver, a redirect policy
/// that re-checks every hop (at most [`MAX_REDIRECTS`]), and no proxy (a proxy would resolve
/// names out of the guard's sight). Add timeouts and a user agent, then build.
///
/// The client cannot see the first URL's literal IP address before connecting: send requests
/// through [`GuardedClient`], or call [`Guard::check`] first.
pub fn client_builder(guard: Arc<Guard>) -> reqwest::ClientBuilder {
    let policy_guard = Arc::clone(&guard);
    reqwest::Client::builder()
        .dns_resolver(Arc::new(GuardedResolver::new(guard)))
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            policy_guard.redirect(attempt)
        }))
        .no_proxy()
}

/// A `reqwest` client that checks each URL with its guard before sending.
#[derive(Debug, Clone)]
pub struct GuardedClient {
    client: reqwest::Client,
    guard: Arc<Guard>,
}

impl GuardedClient {
    /// Wraps a client built from [`client_builder`] with the same guard.
    #[must_use]
    pub fn new(client: reqwest::Client, guard: Arc<Guard>) -> Self {
        Self { client, guard }
    }

    /// The guard.
    #[must_use]
    pub fn guard(&self) -> &Guard {
        &self.guard
    }

    /// A GET request for `url`, once the guard has passed it.
    ///
    /// # Errors
    ///
    /// The [`Refused`] from [`Guard::check`].
    pub async fn get(&self, url: Url) -> Result<reqwest::RequestBuilder, Refused> {
        self.guard.check(&url).await?;
        Ok(self.client.get(url))
    }
}

impl fmt::Display for HostEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) => write!(f, "{}:{port}", self.host),
            None => f.write_str(&self.host),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_entries() {
        let g = Guard::new(vec![
            "Git.Example.".into(),
            "localhost:8080".into(),
            "[::1]:9000".into(),
            "10.0.0.0/8".into(),
            "192.168.1.7".into(),
        ])
        .unwrap();
        let hosts: Vec<String> = g.hosts.iter().map(ToString::to_string).collect();
        assert_eq!(hosts, ["git.example", "localhost:8080", "[::1]:9000"]);
        assert_eq!(g.nets.len(), 2);
        for bad in ["http://x", "host:port", "a b", "1.2.3.4/40"] {
            assert!(Guard::new(vec![bad.into()]).is_err(), "{bad}");
        }
    }

    #[test]
    fn host_rules() {
        let g = Guard::new(vec!["localhost:8080".into(), "git.example".into()]).unwrap();
        assert_eq!(g.host_rule("localhost", Some(8080)), HostRule::Allowed);
        assert_eq!(g.host_rule("localhost", Some(22)), HostRule::OtherPort);
        assert_eq!(g.host_rule("GIT.example.", Some(22)), HostRule::Allowed);
        assert_eq!(g.host_rule("other", Some(80)), HostRule::NotListed);
    }

    #[test]
    fn forbidden_kinds() {
        let cases = [
            ("127.0.0.1", Some("loopback")),
            (
                "169.254.169.254",
                Some("link-local (cloud metadata lives here)"),
            ),
            ("255.255.255.255", Some("broadcast")),
            ("::ffff:10.0.0.1", Some("private")),
            ("::ffff:8.8.8.8", None),
            ("::8.8.8.8", Some("IPv4-compatible")),
            ("::127.0.0.1", Some("loopback")),
            ("64:ff9b::8.8.8.8", Some("NAT64")),
            ("2002:7f00:1::", Some("loopback")),
            ("2002:0808:0808::", None),
            ("2a00:1450:4002::1", None),
            ("8.8.8.8", None),
        ];
        for (ip, kind) in cases {
            assert_eq!(forbidden(ip.parse().unwrap()), kind, "{ip}");
        }
    }
}
