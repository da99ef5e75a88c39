//! Hostile and malformed input: every case ends in a clear diagnostic, never a panic, and
//! within bounded time and memory.

use riuso::publiccode::{self, Code, Context, Limits, Outcome};

use crate::support::{fixtures, peak_rss};

fn check(bytes: &[u8]) -> Outcome {
    publiccode::check(bytes, &Limits::default(), &Context::default())
}

fn codes(outcome: &Outcome) -> Vec<Code> {
    outcome.diagnostics().iter().map(|d| d.code).collect()
}

fn valid_minimal() -> Vec<u8> {
    std::fs::read(fixtures().join("parser-go/testdata/v0/valid/valid.minimal.yml")).unwrap()
}

/// Nine levels of nine-fold aliases: about a billion strings once expanded.
fn billion_laughs() -> String {
    let mut src = String::from(
        "publiccodeYmlVersion: \"0\"\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for name in 'b'..='i' {
        let refs = vec![format!("*{prev}"); 9].join(",");
        src.push_str(&format!("{name}: &{name} [{refs}]\n"));
        prev = name;
    }
    src.push_str(&format!("name: *{prev}\n"));
    src
}

#[test]
fn billion_laughs_fails_fast_with_bounded_memory() {
    let src = billion_laughs();
    let (outcome, peak) = peak_rss(|| check(src.as_bytes()));
    assert_eq!(codes(&outcome), vec![Code::TooManyNodes]);
    assert!(peak < 64 * 1024 * 1024, "peak RSS {peak} bytes");
}

#[test]
fn aliases_within_the_budget_are_expanded() {
    let mut src = String::from_utf8(valid_minimal()).unwrap();
    src = src.replace("platforms:\n  - web", "platforms: &p\n  - web");
    src.push_str("usedBy: *p\n");
    let Outcome::Valid(v) = check(src.as_bytes()) else {
        panic!(
            "an ordinary alias must be accepted: {:?}",
            check(src.as_bytes())
        )
    };
    assert_eq!(v.code().used_by, vec!["web".to_owned()]);
}

#[test]
fn deep_nesting_is_refused() {
    let src = format!("name: {}{}\n", "[".repeat(50_000), "]".repeat(50_000));
    assert_eq!(codes(&check(src.as_bytes())), vec![Code::TooDeep]);
    let mut maps = String::new();
    for depth in 0..200 {
        maps.push_str(&format!("{}k{depth}:\n", "  ".repeat(depth)));
    }
    assert_eq!(codes(&check(maps.as_bytes())), vec![Code::TooDeep]);
}

#[test]
fn size_cap_is_enforced_and_configurable() {
    let big = vec![b'#'; 1024 * 1024 + 1];
    assert_eq!(codes(&check(&big)), vec![Code::TooLarge]);
    let small = Limits {
        max_bytes: 64,
        ..Limits::default()
    };
    let outcome = publiccode::check(&valid_minimal(), &small, &Context::default());
    assert_eq!(codes(&outcome), vec![Code::TooLarge]);
    assert!(
        outcome.diagnostics()[0]
            .message
            .contains("limit of 64 bytes")
    );
}

#[test]
fn non_utf8_is_reported_at_the_bad_byte() {
    let bytes =
        std::fs::read(fixtures().join("parser-go/testdata/v0/invalid/file_encoding.yml")).unwrap();
    let outcome = check(&bytes);
    assert_eq!(codes(&outcome), vec![Code::NotUtf8]);
    let d = &outcome.diagnostics()[0];
    let bad = bytes.iter().position(|b| !b.is_ascii()).unwrap();
    let line = bytes[..bad].iter().filter(|b| **b == b'\n').count() + 1;
    assert_eq!(d.line as usize, line);
    assert!(d.message.contains("UTF-8"));
}

#[test]
fn bom_and_crlf_change_nothing() {
    let lf = check(&valid_minimal());
    assert!(lf.is_valid());
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(valid_minimal());
    assert_eq!(check(&bom), lf);
    let crlf = String::from_utf8(valid_minimal())
        .unwrap()
        .replace('\n', "\r\n");
    assert_eq!(check(crlf.as_bytes()), lf);
}

#[test]
fn tab_indentation_gets_a_clear_message_with_position() {
    let src = String::from_utf8(valid_minimal())
        .unwrap()
        .replace("\n  - web", "\n\t- web");
    let outcome = check(src.as_bytes());
    assert_eq!(codes(&outcome), vec![Code::YamlSyntax]);
    let d = &outcome.diagnostics()[0];
    assert!(d.message.contains("tab"), "{}", d.message);
    assert!(d.line > 0);
}

#[test]
fn duplicate_keys_are_errors_with_both_positions() {
    let mut src = String::from_utf8(valid_minimal()).unwrap();
    src.push_str("name: Another name\n");
    let outcome = check(src.as_bytes());
    assert!(!outcome.is_valid());
    let dup: Vec<_> = outcome
        .diagnostics()
        .iter()
        .filter(|d| d.code == Code::DuplicateKey)
        .collect();
    assert_eq!(dup.len(), 1);
    let first_line = src.lines().position(|l| l.starts_with("name:")).unwrap() + 1;
    let last_line = src.lines().count();
    assert_eq!(dup[0].key, "name");
    assert_eq!(dup[0].line as usize, last_line);
    assert_eq!(dup[0].related.as_ref().unwrap().line as usize, first_line);
}

#[test]
fn broken_yaml_and_odd_documents_are_diagnosed() {
    for (src, code) in [
        ("name: [unclosed\n", Code::YamlSyntax),
        ("name: *nowhere\n", Code::YamlSyntax),
        ("? [a, b]\n: c\n", Code::YamlSyntax),
        ("a: 1\n---\nb: 2\n", Code::YamlSyntax),
        ("- just\n- a list\n", Code::NotAMapping),
        ("", Code::NotAMapping),
        ("\"just a string\"", Code::NotAMapping),
    ] {
        let outcome = check(src.as_bytes());
        assert_eq!(codes(&outcome).first(), Some(&code), "{src:?}: {outcome:?}");
    }
}

/// A small deterministic generator, so the mutation runs are reproducible.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn truncated_and_mutated_real_files_never_panic() {
    let mut rng = XorShift(0x5eed_cafe_f00d_d00d);
    let mut runs = 0;
    for entry in std::fs::read_dir(fixtures().join("real")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yml") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        for cut in [
            1,
            bytes.len() / 3,
            bytes.len() / 2,
            bytes.len().saturating_sub(1),
        ] {
            let _ = check(&bytes[..cut.min(bytes.len())]);
            runs += 1;
        }
        for _ in 0..8 {
            let mut mutated = bytes.clone();
            for _ in 0..4 {
                let at = (rng.next() as usize) % mutated.len().max(1);
                let byte = b":-[]{}&*!|>'\"#\t\n \xff\xc3"[(rng.next() % 18) as usize];
                if let Some(b) = mutated.get_mut(at) {
                    *b = byte;
                }
            }
            let _ = check(&mutated);
            runs += 1;
        }
    }
    assert!(runs > 1500, "only {runs} runs");
}
