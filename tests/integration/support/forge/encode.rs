//! Encodings the answers need: HTTP and RFC 3339 dates, base64, hashes, percent-encoding.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest as _, Sha256};

/// Seconds since the Unix epoch, now.
pub(super) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Whole seconds, rounded up (a `Retry-After` of 0.5 s must not read as "now").
pub(super) fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// An RFC 9110 HTTP date (`Mon, 01 Jan 2024 00:00:00 GMT`).
pub(super) fn http_date(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

/// Parses an HTTP date in the preferred (IMF-fixdate) form.
pub(super) fn parse_http_date(text: &str) -> Option<i64> {
    chrono::NaiveDateTime::parse_from_str(text.trim(), "%a, %d %b %Y %H:%M:%S GMT")
        .ok()
        .map(|t| t.and_utc().timestamp())
}

/// An RFC 3339 timestamp in UTC with whole seconds (`2024-01-01T00:00:00Z`).
pub(super) fn iso(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Standard base64 with padding; with `wrap`, a line break after every 60 characters and at the
/// end, as Ruby's `Base64.encode64` (and so GitHub's contents API) writes it.
pub(super) fn base64(bytes: &[u8], wrap: bool) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut plain = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                plain.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                plain.push('=');
            }
        }
    }
    if !wrap {
        return plain;
    }
    let mut wrapped = String::with_capacity(plain.len() + plain.len() / 60 + 1);
    for line in plain.as_bytes().chunks(60) {
        wrapped.push_str(std::str::from_utf8(line).unwrap());
        wrapped.push('\n');
    }
    wrapped
}

/// Lower-case hex of a SHA-256 digest.
pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A 40-hex blob id standing in for git's SHA-1 object id (the API forges keep no object store;
/// no client recomputes it): the SHA-256 of git's blob header and content, cut to 40 digits.
pub(super) fn blob_id(bytes: &[u8]) -> String {
    let mut framed = format!("blob {}\0", bytes.len()).into_bytes();
    framed.extend_from_slice(bytes);
    sha256_hex(&framed)[..40].to_owned()
}

/// Decodes `%XX` escapes (a path segment such as GitLab's `group%2Fsub`); `None` if the result
/// is not UTF-8.
pub(super) fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let hex = |b: u8| char::from(b).to_digit(16).map(|d| d as u8);
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(hi << 4 | lo);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Percent-encoded path segments decoded and joined by `/` (`owner/repo`, a file's path), as
/// GitHub and Gitea address them; a segment that does not decode reads as empty, which names
/// nothing.
pub(super) fn decode_path(segments: &[&str]) -> String {
    segments
        .iter()
        .map(|s| percent_decode(s).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("/")
}

/// Percent-encodes a query value (`application/x-www-form-urlencoded`).
pub(super) fn encode_query(pairs: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}
