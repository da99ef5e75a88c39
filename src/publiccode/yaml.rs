//! A YAML 1.2 reader that keeps the position of every node.
//!
//! It owns the defences against hostile input: the size cap, UTF-8 and BOM handling, the
//! nesting-depth limit, the node budget that bounds alias expansion (a "billion laughs" file
//! stops as soon as the budget is spent, before any memory is committed to the copies), and the
//! detection of duplicate keys with both positions. It knows nothing of publiccode.yml.

use std::collections::HashMap;
use std::fmt;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// A position in the source: 1-based line and column (columns count characters).
///
/// `0:0` stands for "the whole file", used when there is no better place to point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Pos {
    /// 1-based line, 0 when unknown.
    pub line: u32,
    /// 1-based column in characters, 0 when unknown.
    pub column: u32,
}

impl Pos {
    /// The "whole file" position.
    pub const FILE: Pos = Pos { line: 0, column: 0 };

    /// A position from 1-based line and column numbers.
    #[must_use]
    pub const fn new(line: u32, column: u32) -> Self {
        Self { line, column }
    }

    fn from_span(span: &Span) -> Self {
        let line = u32::try_from(span.start.line()).unwrap_or(u32::MAX);
        let column = u32::try_from(span.start.col().saturating_add(1)).unwrap_or(u32::MAX);
        Self { line, column }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Limits applied while reading untrusted YAML.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest accepted input, in bytes.
    pub max_bytes: usize,
    /// Deepest accepted nesting of sequences and mappings.
    pub max_depth: usize,
    /// Most nodes the document may hold once aliases are expanded.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 1024 * 1024,
            max_depth: 64,
            max_nodes: 50_000,
        }
    }
}

/// What a scalar resolves to under the YAML 1.2 core schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarKind {
    /// `~`, `null`, or nothing at all.
    Null,
    /// `true` / `false` (YAML 1.1 words such as `yes` or `on` are strings).
    Bool,
    /// A decimal, octal (`0o`) or hexadecimal (`0x`) integer.
    Int,
    /// A floating-point number, `.inf` or `.nan`.
    Float,
    /// Anything else, and every quoted or block scalar.
    Str,
}

/// A scalar as written, with the type the core schema gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    /// The scalar's text after YAML unescaping and folding.
    pub text: String,
    /// Its resolved type.
    pub kind: ScalarKind,
}

/// One entry of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key's text.
    pub key: String,
    /// Where the key starts.
    pub key_pos: Pos,
    /// The value.
    pub value: Node,
}

/// The content of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar.
    Scalar(Scalar),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in source order, without duplicate keys (see [`Document::duplicate_keys`]).
    Map(Vec<Entry>),
}

/// A YAML node and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The node's content.
    pub value: Value,
    /// Where the node starts.
    pub pos: Pos,
}

impl Node {
    /// The entries, if this is a mapping.
    #[must_use]
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The scalar, if this is one.
    #[must_use]
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this is a null scalar.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar(s) if s.kind == ScalarKind::Null)
    }

    /// The entry for `key`, if this is a mapping that has it.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key == key)
    }

    /// A short name of the node's YAML type, for messages.
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
            Value::Scalar(s) => match s.kind {
                ScalarKind::Null => "null",
                ScalarKind::Bool => "a boolean",
                ScalarKind::Int => "an integer",
                ScalarKind::Float => "a number",
                ScalarKind::Str => "a string",
            },
        }
    }

    /// The node as JSON, the way a JSON Schema validator sees YAML.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
            Value::Scalar(s) => match s.kind {
                ScalarKind::Null => J::Null,
                ScalarKind::Bool => J::Bool(s.text.eq_ignore_ascii_case("true")),
                ScalarKind::Int => parse_int(&s.text)
                    .map(J::from)
                    .unwrap_or_else(|| J::String(s.text.clone())),
                ScalarKind::Float => s
                    .text
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map_or_else(|| J::String(s.text.clone()), J::Number),
                ScalarKind::Str => J::String(s.text.clone()),
            },
        }
    }

    fn count(&self) -> usize {
        1 + match &self.value {
            Value::Scalar(_) => 0,
            Value::Seq(items) => items.iter().map(Node::count).sum(),
            Value::Map(entries) => entries.iter().map(|e| 1 + e.value.count()).sum(),
        }
    }
}

/// A key that appears twice in the same mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// Dotted path of the mapping holding the key, plus the key.
    pub path: String,
    /// The first occurrence, which is the one kept.
    pub first: Pos,
    /// The repeated occurrence, which is dropped.
    pub second: Pos,
}

/// A parsed YAML document.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The root node (a null scalar for an empty file).
    pub root: Node,
    /// Keys repeated within a mapping; only the first occurrence is kept in the tree.
    pub duplicate_keys: Vec<DuplicateKey>,
    /// Whether the input started with a UTF-8 byte-order mark.
    pub had_bom: bool,
}

/// Why a document could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The input is larger than [`Limits::max_bytes`].
    #[error("the file is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge {
        /// Size of the input.
        size: usize,
        /// The limit in force.
        limit: usize,
    },
    /// The input is not UTF-8.
    #[error("the file is not valid UTF-8 (first bad byte at offset {offset}); save it as UTF-8")]
    NotUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
        /// Where it is.
        pos: Pos,
    },
    /// The text holds a C0 control character other than TAB, LF and CR (NUL, ESC…), which
    /// YAML forbids and no database or terminal should receive.
    #[error(
        "the file holds the control character U+{code_point:04X}, which text may not contain; remove it"
    )]
    ControlCharacter {
        /// The character's code point.
        code_point: u32,
        /// Where it is.
        pos: Pos,
    },
    /// The YAML syntax is broken.
    #[error("{message}")]
    Syntax {
        /// What the YAML reader said, made readable.
        message: String,
        /// Where.
        pos: Pos,
    },
    /// Sequences and mappings are nested deeper than [`Limits::max_depth`].
    #[error("nesting is deeper than the limit of {limit} levels")]
    TooDeep {
        /// The limit in force.
        limit: usize,
        /// Where the limit was crossed.
        pos: Pos,
    },
    /// Expanding aliases would create more than [`Limits::max_nodes`] nodes.
    #[error(
        "the document would hold more than {limit} nodes once aliases are expanded (a YAML bomb?)"
    )]
    TooManyNodes {
        /// The limit in force.
        limit: usize,
        /// Where the limit was crossed.
        pos: Pos,
    },
    /// An alias names an anchor that was never defined.
    #[error("alias refers to an unknown anchor")]
    UnknownAnchor {
        /// Where the alias is.
        pos: Pos,
    },
    /// A mapping key is itself a sequence or mapping.
    #[error("mapping keys must be plain strings, not lists or mappings")]
    ComplexKey {
        /// Where the key is.
        pos: Pos,
    },
    /// The stream holds more than one document.
    #[error("the file holds more than one YAML document; publiccode.yml must hold exactly one")]
    MultipleDocuments {
        /// Where the second document starts.
        pos: Pos,
    },
}

impl ParseError {
    /// Where the problem is ([`Pos::FILE`] when it concerns the whole file).
    #[must_use]
    pub fn pos(&self) -> Pos {
        match self {
            Self::TooLarge { .. } => Pos::FILE,
            Self::NotUtf8 { pos, .. }
            | Self::ControlCharacter { pos, .. }
            | Self::Syntax { pos, .. }
            | Self::TooDeep { pos, .. }
            | Self::TooManyNodes { pos, .. }
            | Self::UnknownAnchor { pos }
            | Self::ComplexKey { pos }
            | Self::MultipleDocuments { pos } => *pos,
        }
    }
}

/// Reads `bytes` as one YAML document within `limits`.
///
/// # Errors
///
/// Returns a [`ParseError`] when the input is too large, not UTF-8, not YAML, or crosses a limit.
pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Document, ParseError> {
    if bytes.len() > limits.max_bytes {
        return Err(ParseError::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let (had_bom, bytes) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        let before = bytes.get(..offset).unwrap_or_default();
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(before.get(line_start..).unwrap_or_default())
            .chars()
            .count()
            + 1;
        ParseError::NotUtf8 {
            offset: offset + usize::from(had_bom) * 3,
            pos: Pos::new(
                u32::try_from(line).unwrap_or(u32::MAX),
                u32::try_from(column).unwrap_or(u32::MAX),
            ),
        }
    })?;
    if let Some(error) = control_character(text) {
        return Err(error);
    }
    let mut builder = Builder::new(limits);
    let mut parser = Parser::new_from_str(text);
    let mut documents = 0usize;
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| syntax_error(text, &e, limits))?;
        let pos = Pos::from_span(&span);
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(ParseError::MultipleDocuments { pos });
                }
            }
            Event::StreamEnd => break,
            other => builder.event(other, pos)?,
        }
    }
    Ok(Document {
        root: builder.root.unwrap_or(Node {
            value: Value::Scalar(Scalar {
                text: String::new(),
                kind: ScalarKind::Null,
            }),
            pos: Pos::new(1, 1),
        }),
        duplicate_keys: builder.duplicates,
        had_bom,
    })
}

/// The first C0 control character of `text` other than TAB, LF and CR, with its position.
fn control_character(text: &str) -> Option<ParseError> {
    let at = text.find(|c: char| c < ' ' && !matches!(c, '\t' | '\n' | '\r'))?;
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    let code_point = text[at..].chars().next().map_or(0, u32::from);
    Some(ParseError::ControlCharacter {
        code_point,
        pos: Pos::new(
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        ),
    })
}

fn syntax_error(text: &str, e: &saphyr_parser::ScanError, limits: &Limits) -> ParseError {
    let marker = e.marker();
    let line = marker.line();
    let pos = Pos::new(
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(marker.col() + 1).unwrap_or(u32::MAX),
    );
    // The scanner runs ahead of the tree builder and has its own flow-nesting limit (255).
    if e.info() == "recursion limit exceeded" {
        return ParseError::TooDeep {
            limit: limits.max_depth,
            pos,
        };
    }
    let source_line = text.lines().nth(line.saturating_sub(1)).unwrap_or_default();
    let indent = &source_line[..source_line.len() - source_line.trim_start().len()];
    let message = if indent.contains('\t') {
        "a tab is used for indentation; YAML allows only spaces there".to_owned()
    } else {
        match syntax_hint(e.info()) {
            Some(hint) => format!("invalid YAML: {}. {hint}", e.info()),
            None => format!("invalid YAML: {}", e.info()),
        }
    };
    ParseError::Syntax { message, pos }
}

/// What usually causes each of the YAML reader's common complaints, in a maintainer's terms.
fn syntax_hint(info: &str) -> Option<&'static str> {
    Some(match info {
        "simple key expect ':'" | "simple key expected" => {
            "A key misses its ':', or a line of text is not indented: lines that continue a text \
             (e.g. after `longDescription: |`) must be indented more than the key above"
        }
        "mapping values are not allowed in this context" => {
            "A value contains ': ' (colon and space); put the whole value in quotes"
        }
        "while parsing a block mapping, did not find expected key" | "invalid indentation" => {
            "Check the indentation of this line: keys of the same mapping must line up"
        }
        "block sequence entries are not allowed in this context" => {
            "A list item ('- ') is indented wrongly, or follows a value on the same key"
        }
        "while scanning a quoted scalar, found unexpected end of stream" => {
            "A quoted value is never closed; add the closing quote"
        }
        "while parsing a node, did not find expected node content" => {
            "A value is missing or starts with a character YAML reserves (such as @ or `); \
             put it in quotes"
        }
        _ if info.starts_with("unexpected character") => {
            "Values starting with @, ` or % must be put in quotes"
        }
        _ => return None,
    })
}

enum Frame {
    Seq {
        pos: Pos,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        pos: Pos,
        anchor: usize,
        entries: Vec<Entry>,
        index: HashMap<String, Pos>,
        pending_key: Option<(String, Pos)>,
    },
}

struct Builder<'l> {
    limits: &'l Limits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    root: Option<Node>,
    duplicates: Vec<DuplicateKey>,
}

impl<'l> Builder<'l> {
    fn new(limits: &'l Limits) -> Self {
        Self {
            limits,
            stack: Vec::new(),
            anchors: HashMap::new(),
            nodes: 0,
            root: None,
            duplicates: Vec::new(),
        }
    }

    fn spend(&mut self, count: usize, pos: Pos) -> Result<(), ParseError> {
        self.nodes = self.nodes.saturating_add(count);
        if self.nodes > self.limits.max_nodes {
            return Err(ParseError::TooManyNodes {
                limit: self.limits.max_nodes,
                pos,
            });
        }
        Ok(())
    }

    fn open(&mut self, frame: Frame, pos: Pos) -> Result<(), ParseError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(ParseError::TooDeep {
                limit: self.limits.max_depth,
                pos,
            });
        }
        self.spend(1, pos)?;
        self.stack.push(frame);
        Ok(())
    }

    fn event(&mut self, event: Event<'_>, pos: Pos) -> Result<(), ParseError> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                self.spend(1, pos)?;
                let explicit_str = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let kind = if style == ScalarStyle::Plain && !explicit_str {
                    resolve_plain(&text)
                } else {
                    ScalarKind::Str
                };
                let node = Node {
                    value: Value::Scalar(Scalar {
                        text: text.into_owned(),
                        kind,
                    }),
                    pos,
                };
                self.finish(node, anchor)
            }
            Event::SequenceStart(anchor, _) => self.open(
                Frame::Seq {
                    pos,
                    anchor,
                    items: Vec::new(),
                },
                pos,
            ),
            Event::MappingStart(anchor, _) => self.open(
                Frame::Map {
                    pos,
                    anchor,
                    entries: Vec::new(),
                    index: HashMap::new(),
                    pending_key: None,
                },
                pos,
            ),
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Seq { pos, anchor, items }) => self.finish(
                    Node {
                        value: Value::Seq(items),
                        pos,
                    },
                    anchor,
                ),
                Some(Frame::Map {
                    pos,
                    anchor,
                    entries,
                    ..
                }) => self.finish(
                    Node {
                        value: Value::Map(entries),
                        pos,
                    },
                    anchor,
                ),
                None => Ok(()),
            },
            Event::Alias(id) => {
                let (node, size) = self
                    .anchors
                    .get(&id)
                    .ok_or(ParseError::UnknownAnchor { pos })?;
                let size = *size;
                // Check the budget before copying, so a bomb never allocates its copies.
                if self.nodes.saturating_add(size) > self.limits.max_nodes {
                    return Err(ParseError::TooManyNodes {
                        limit: self.limits.max_nodes,
                        pos,
                    });
                }
                let mut copy = node.clone();
                copy.pos = pos;
                self.spend(size, pos)?;
                self.finish(copy, 0)
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd => Ok(()),
            Event::DocumentStart(_) | Event::DocumentEnd => Ok(()),
        }
    }

    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), ParseError> {
        if anchor != 0 {
            let size = node.count();
            self.anchors.insert(anchor, (node.clone(), size));
        }
        let (key, first, second) = match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                return Ok(());
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                return Ok(());
            }
            Some(Frame::Map {
                entries,
                index,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => {
                    let Value::Scalar(Scalar { text, .. }) = node.value else {
                        return Err(ParseError::ComplexKey { pos: node.pos });
                    };
                    *pending_key = Some((text, node.pos));
                    return Ok(());
                }
                Some((key, key_pos)) => match index.get(&key) {
                    Some(first) => (key, *first, key_pos),
                    None => {
                        index.insert(key.clone(), key_pos);
                        entries.push(Entry {
                            key,
                            key_pos,
                            value: node,
                        });
                        return Ok(());
                    }
                },
            },
        };
        // Only a duplicate needs the path, and building it allocates: not on every node.
        let path = self.path();
        let path = if path.is_empty() {
            key
        } else {
            format!("{path}.{key}")
        };
        self.duplicates.push(DuplicateKey {
            path,
            first,
            second,
        });
        Ok(())
    }

    /// The dotted path of the innermost open mapping, for duplicate-key reports. Called once the
    /// repeated key has been taken out of that mapping, so the path stops at the mapping.
    fn path(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        for frame in &self.stack {
            match frame {
                Frame::Seq { items, .. } => {
                    if let Some(last) = parts.last_mut() {
                        last.push_str(&format!("[{}]", items.len()));
                    } else {
                        parts.push(format!("[{}]", items.len()));
                    }
                }
                Frame::Map { pending_key, .. } => {
                    if let Some((key, _)) = pending_key {
                        parts.push(key.clone());
                    }
                }
            }
        }
        parts.join(".")
    }
}

fn parse_int(text: &str) -> Option<i64> {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let value = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else {
        digits.parse::<i64>().ok()?
    };
    Some(sign * value)
}

/// Resolves a plain scalar with the YAML 1.2 core schema.
fn resolve_plain(text: &str) -> ScalarKind {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return ScalarKind::Null,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => return ScalarKind::Bool,
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => return ScalarKind::Float,
        _ => {}
    }
    let unsigned = text
        .strip_prefix('-')
        .or_else(|| text.strip_prefix('+'))
        .unwrap_or(text);
    let is_hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
    let is_oct = |s: &str| !s.is_empty() && s.bytes().all(|b| (b'0'..=b'7').contains(&b));
    if text.strip_prefix("0x").is_some_and(is_hex) || text.strip_prefix("0o").is_some_and(is_oct) {
        return ScalarKind::Int;
    }
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return ScalarKind::Int;
    }
    if is_core_float(unsigned) {
        return ScalarKind::Float;
    }
    ScalarKind::Str
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, the sign already removed.
fn is_core_float(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        digits(
            e.strip_prefix('-')
                .or_else(|| e.strip_prefix('+'))
                .unwrap_or(e),
        )
    });
    mantissa_ok && exponent_ok && (mantissa.contains('.') || exponent.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(src: &str) -> Result<Document, ParseError> {
        parse(src.as_bytes(), &Limits::default())
    }

    #[test]
    fn keeps_positions_of_keys_and_items() {
        let d = doc("a: 1\nb:\n  - x\n  - y\n").unwrap();
        let b = d.root.get("b").unwrap();
        assert_eq!(b.key_pos, Pos::new(2, 1));
        let Value::Seq(items) = &b.value.value else {
            panic!("not a list")
        };
        assert_eq!(items[1].pos, Pos::new(4, 5));
    }

    #[test]
    fn core_schema_resolution() {
        for (text, kind) in [
            ("yes", ScalarKind::Str),
            ("on", ScalarKind::Str),
            ("True", ScalarKind::Bool),
            ("~", ScalarKind::Null),
            ("0.2", ScalarKind::Float),
            ("1e3", ScalarKind::Float),
            ("12", ScalarKind::Int),
            ("0x1F", ScalarKind::Int),
            ("2019-01-01", ScalarKind::Str),
            (".5", ScalarKind::Float),
            ("1.", ScalarKind::Float),
            ("v1.0", ScalarKind::Str),
        ] {
            assert_eq!(resolve_plain(text), kind, "{text}");
        }
    }

    #[test]
    fn duplicate_keys_report_both_positions() {
        let d = doc("a:\n  b: 1\n  b: 2\n").unwrap();
        assert_eq!(
            d.duplicate_keys,
            vec![DuplicateKey {
                path: "a.b".into(),
                first: Pos::new(2, 3),
                second: Pos::new(3, 3),
            }]
        );
        assert_eq!(d.root.get("a").unwrap().value.to_json()["b"], 1);
    }

    #[test]
    fn duplicate_key_paths_go_through_lists() {
        for (src, path) in [
            ("a:\n  - x: 1\n  - b: 1\n    b: 2\n", "a[1].b"),
            ("- b: 1\n  b: 2\n", "[0].b"),
            ("a:\n  b:\n    c: 1\n    c: 2\n  b: 3\n", "a.b.c"),
        ] {
            let paths: Vec<String> = doc(src)
                .unwrap()
                .duplicate_keys
                .into_iter()
                .map(|d| d.path)
                .collect();
            assert_eq!(paths.first().map(String::as_str), Some(path), "{src}");
        }
    }

    #[test]
    fn billion_laughs_stops_at_the_budget() {
        let mut src = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let mut prev = 'a';
        for name in 'b'..='j' {
            src.push_str(&format!(
                "{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
            ));
            prev = name;
        }
        let err = doc(&src).unwrap_err();
        assert!(matches!(err, ParseError::TooManyNodes { .. }), "{err:?}");
    }

    #[test]
    fn depth_is_limited() {
        let src = "[".repeat(100) + &"]".repeat(100);
        assert!(matches!(doc(&src), Err(ParseError::TooDeep { .. })));
    }

    #[test]
    fn non_utf8_points_at_the_bad_byte() {
        let err = parse(b"a: 1\nb: caf\xe9\n", &Limits::default()).unwrap_err();
        assert_eq!(
            err,
            ParseError::NotUtf8 {
                offset: 11,
                pos: Pos::new(2, 7)
            }
        );
    }

    #[test]
    fn bom_and_crlf_are_accepted() {
        let d = parse(b"\xEF\xBB\xBFa: 1\r\nb: two\r\n", &Limits::default()).unwrap();
        assert!(d.had_bom);
        assert_eq!(d.root.get("b").unwrap().value.to_json(), "two");
        assert_eq!(d.root.get("b").unwrap().key_pos, Pos::new(2, 1));
    }

    #[test]
    fn tabs_in_indentation_get_a_clear_message() {
        let err = doc("a:\n\tb: 1\n").unwrap_err();
        assert!(err.to_string().contains("tab"), "{err}");
    }

    #[test]
    fn size_cap() {
        let limits = Limits {
            max_bytes: 4,
            ..Limits::default()
        };
        assert!(matches!(
            parse(b"a: 12345", &limits),
            Err(ParseError::TooLarge { size: 8, limit: 4 })
        ));
    }

    #[test]
    fn second_document_is_rejected() {
        assert!(matches!(
            doc("a: 1\n---\nb: 2\n"),
            Err(ParseError::MultipleDocuments { .. })
        ));
    }
}
