//! What the community's e-mail says, in the reader's language: each message is a subject and a
//! body in `locales/*.toml` (`mail.<kind>.subject`, `mail.<kind>.body`) with `{name}` holes.
//! A message to an administration's registered address is in Italian and English, one after the
//! other, since nobody there chose a language.

use std::fmt::Display;

use super::roles::OrgRole;
use crate::catalog::ValidityChange;
use crate::i18n::Lang;
use crate::mail::Message;

fn message(lang: Lang, kind: &str, to: &str, args: &[(&str, &dyn Display)]) -> Message {
    Message {
        to: to.to_owned(),
        subject: lang.tf(&format!("mail.{kind}.subject"), args),
        text: lang.tf(&format!("mail.{kind}.body"), args),
        html: None,
    }
}

/// "Confirm your address": the link that verifies a new account's e-mail.
pub fn verify(lang: Lang, to: &str, name: &str, link: &str) -> Message {
    message(lang, "verify", to, &[("name", &name), ("link", &link)])
}

/// Someone tried to sign up with an address that already has an account.
pub fn already_registered(lang: Lang, to: &str, reset_link: &str) -> Message {
    message(lang, "already", to, &[("link", &reset_link)])
}

/// The link that sets a new password.
pub fn reset(lang: Lang, to: &str, link: &str) -> Message {
    message(lang, "reset", to, &[("link", &link)])
}

/// To an administration's registered address: a person asks to act for it.
pub fn claim(
    to: &str,
    claimant: &str,
    claimant_email: &str,
    organisation: &str,
    code: &str,
    role: OrgRole,
    link: &str,
) -> Message {
    let role_key = match role {
        OrgRole::Admin => "membership.role_admin",
        OrgRole::Member => "membership.role_member",
    };
    let in_lang = |lang: Lang| {
        let role = lang.t(role_key);
        let args: [(&str, &dyn Display); 6] = [
            ("name", &claimant),
            ("email", &claimant_email),
            ("organisation", &organisation),
            ("code", &code),
            ("role", &role),
            ("link", &link),
        ];
        message(lang, "claim", to, &args)
    };
    let it = in_lang(Lang::It);
    let en = in_lang(Lang::En);
    Message {
        to: to.to_owned(),
        subject: format!("{} / {}", it.subject, en.subject),
        text: format!("{}\n\n----------\n\n{}", it.text, en.text),
        html: None,
    }
}

/// To the owner's members: an administration declared it uses their software.
pub fn declared(lang: Lang, to: &str, software: &str, organisation: &str, link: &str) -> Message {
    message(
        lang,
        "declared",
        to,
        &[
            ("software", &software),
            ("organisation", &organisation),
            ("link", &link),
        ],
    )
}

/// To an owner's member who asked for it: the file of `software` turned invalid on `since`,
/// is valid again, or stayed invalid past the grace of `days` days (`change`).
pub fn validity(
    lang: Lang,
    to: &str,
    change: ValidityChange,
    software: &str,
    since: &str,
    days: u32,
    link: &str,
) -> Message {
    message(
        lang,
        change.as_str(),
        to,
        &[
            ("software", &software),
            ("since", &since),
            ("days", &days),
            ("link", &link),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_written_in_both_languages_with_its_link() {
        for lang in Lang::ALL {
            for m in [
                verify(lang, "a@example.org", "Ada", "https://x/v/1"),
                already_registered(lang, "a@example.org", "https://x/v/1"),
                reset(lang, "a@example.org", "https://x/v/1"),
                declared(lang, "a@example.org", "GovPay", "Comune", "https://x/v/1"),
                validity(
                    lang,
                    "a@example.org",
                    ValidityChange::TurnedInvalid,
                    "GovPay",
                    "2026-12-07",
                    14,
                    "https://x/v/1",
                ),
                validity(
                    lang,
                    "a@example.org",
                    ValidityChange::ValidAgain,
                    "GovPay",
                    "2026-12-07",
                    14,
                    "https://x/v/1",
                ),
                validity(
                    lang,
                    "a@example.org",
                    ValidityChange::Deactivated,
                    "GovPay",
                    "2026-12-07",
                    14,
                    "https://x/v/1",
                ),
            ] {
                assert!(
                    !m.subject.contains('{') && !m.subject.starts_with("mail."),
                    "{m:?}"
                );
                assert!(
                    m.text.contains("https://x/v/1") && !m.text.contains('{'),
                    "{m:?}"
                );
            }
        }
        let m = claim(
            "pec@example.org",
            "Ada",
            "ada@example.org",
            "Comune di Bologna",
            "c_a944",
            OrgRole::Admin,
            "https://x/c/1",
        );
        assert!(m.text.contains("Amministratore") && m.text.contains("Administrator"));
        assert!(m.text.contains("Comune di Bologna") && m.text.contains("c_a944"));
        assert_eq!(m.text.matches("https://x/c/1").count(), 2, "{}", m.text);
        assert!(m.subject.contains(" / "));
    }
}

/// What a mail about a post says.
#[derive(Debug, Clone, Copy)]
pub struct PostMail<'a> {
    /// Who wrote it.
    pub author: &'a str,
    /// In which community.
    pub community: &'a str,
    /// In which thread.
    pub thread: &'a str,
    /// Its first characters, as written.
    pub excerpt: &'a str,
    /// Where to read it.
    pub link: &'a str,
}

/// To a person told of a post: it mentions them (`mention`), or it is in a thread or community
/// they follow.
pub fn community_post(lang: Lang, to: &str, mention: bool, post: &PostMail<'_>) -> Message {
    let author = crate::untrusted::name(post.author);
    let community = crate::untrusted::name(post.community);
    let thread = crate::untrusted::name(post.thread);
    message(
        lang,
        if mention {
            "community_mention"
        } else {
            "community_post"
        },
        to,
        &[
            ("author", &author),
            ("community", &community),
            ("thread", &thread),
            ("excerpt", &post.excerpt),
            ("link", &post.link),
        ],
    )
}

/// To a person who follows communities or threads with a daily digest: the `n` posts of the
/// day, `list`ed (titles and links).
pub fn community_digest(lang: Lang, to: &str, n: usize, list: &str) -> Message {
    message(lang, "community_digest", to, &[("n", &n), ("list", &list)])
}
