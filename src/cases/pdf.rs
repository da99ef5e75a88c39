//! The motivation document as a tagged, accessible PDF (PDF/UA-1 and PDF/A-2a, which krilla
//! checks as it writes): A4 pages of the [`Block`]s of a [`Document`], each heading, paragraph,
//! table (with its header cells scoped) and list in the structure tree in reading order, page
//! numbers as artifacts, the title and language in the metadata, and DejaVu Sans embedded.
//!
//! Reproducible: the same document gives the same bytes but for the creation date (and the
//! instance id the PDF derives from its bytes). Laid out in two passes: the text is placed
//! first, measured with the font's advances, then drawn page by page with the structure tree
//! built beside it.

use std::num::NonZeroU16;

use chrono::{DateTime, Datelike as _, Timelike as _, Utc};
use krilla::configure::{Accessibility, Archival, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::geom::Point;
use krilla::metadata::{DateTime as PdfDate, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::tagging::{
    ArtifactType, ContentTag, Identifier, ListNumbering, Node, SpanTag, TableHeaderScope, Tag,
    TagGroup, TagKind, TagTree,
};
use krilla::text::{Font, TextDirection};
use krilla::{Document as PdfDocument, SerializeSettings};
use sha2::{Digest as _, Sha256};
use skrifa::MetadataProvider as _;
use skrifa::instance::{LocationRef, Size};

use super::document::{Block, Document};
use crate::i18n::Lang;

/// DejaVu Sans (Bitstream Vera licence; DejaVu changes in the public domain).
static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold.
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;
const BODY: f32 = 9.5;
const SMALL: f32 = 8.0;
const CELL_GAP: f32 = 6.0;

/// Why a PDF could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The embedded font cannot be read.
    #[error("the embedded font cannot be read")]
    Font,
    /// krilla refused the document (a validation error of PDF/UA or PDF/A).
    #[error("the PDF cannot be written: {0}")]
    Krilla(String),
}

/// The PDF of `doc` in `lang`, dated `created`.
///
/// # Errors
///
/// [`PdfError`] when the font cannot be read or krilla refuses the document.
pub fn render(doc: &Document, lang: Lang, created: DateTime<Utc>) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::new()?;
    let blocks = doc.blocks(lang);
    let mut layout = Layout::new(&fonts);
    for block in &blocks {
        layout.block(block);
    }
    let footer = |page: usize, pages: usize| {
        lang.tf(
            "case.doc.page",
            &[("title", &doc.title), ("page", &page), ("pages", &pages)],
        )
    };
    let title = lang.tf("case.doc.title", &[("title", &doc.title)]);
    let configuration = ConfigurationBuilder::new()
        .with_accessibility_validator(Accessibility::UA1)
        .with_archival_validator(Archival::A2_A)
        .finish()
        .map_err(|e| PdfError::Krilla(format!("{e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        enable_tagging: true,
        ..SerializeSettings::default()
    };
    let mut pdf = PdfDocument::new_with(settings);
    let pages = layout.pages;
    let mut ids: Vec<Option<Identifier>> = layout.runs.iter().map(|_| None).collect();
    for page in 0..pages {
        let Some(settings) = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT) else {
            return Err(PdfError::Krilla("the page size".to_owned()));
        };
        let mut pdf_page = pdf.start_page_with(settings);
        let mut surface = pdf_page.surface();
        for (index, run) in layout
            .runs
            .iter()
            .enumerate()
            .filter(|(_, r)| r.page == page)
        {
            let font = if run.bold {
                fonts.bold.clone()
            } else {
                fonts.regular.clone()
            };
            let id = surface.start_tagged(ContentTag::Span(SpanTag::empty()));
            surface.draw_text(
                Point::from_xy(run.x, run.y),
                font,
                run.size,
                &run.text,
                false,
                TextDirection::Auto,
            );
            surface.end_tagged();
            ids[index] = Some(id);
        }
        surface.start_tagged(ContentTag::Artifact(krilla::tagging::Artifact::new(
            ArtifactType::PageNumber,
            None,
        )));
        surface.draw_text(
            Point::from_xy(MARGIN, PAGE_HEIGHT - MARGIN / 2.0),
            fonts.regular.clone(),
            SMALL,
            &footer(page + 1, pages),
            false,
            TextDirection::Auto,
        );
        surface.end_tagged();
        surface.finish();
        pdf_page.finish();
    }
    let mut tree = TagTree::new().with_lang(Some(lang.code().to_owned()));
    for node in layout.structure {
        if let Some(node) = node.into_node(&mut ids) {
            tree.push(node);
        }
    }
    pdf.set_tag_tree(tree);
    let mut outline = Outline::new();
    for node in outline_nodes(&layout.headings, 1) {
        outline.push_child(node);
    }
    pdf.set_outline(outline);
    let fingerprint: String = Sha256::digest(doc_json(doc).as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    pdf.set_metadata(
        Metadata::new()
            .title(title)
            .language(lang.code().to_owned())
            .creator("riuso".to_owned())
            .producer("riuso".to_owned())
            .authors(vec![doc.administration.name.clone()])
            .document_id(fingerprint)
            .creation_date(pdf_date(created)),
    );
    pdf.finish().map_err(|e| PdfError::Krilla(format!("{e:?}")))
}

/// The outline nodes of the headings of `level` in `headings`, each with the deeper headings
/// that follow it as children.
fn outline_nodes(headings: &[(u8, String, usize, f32)], level: u8) -> Vec<OutlineNode> {
    let mut out = Vec::new();
    let mut rest = headings;
    while let Some(((l, text, page, y), after)) = rest.split_first() {
        if *l < level {
            break;
        }
        let end = after.iter().position(|h| h.0 <= *l).unwrap_or(after.len());
        if *l == level {
            let mut node = OutlineNode::new(
                text.clone(),
                XyzDestination::new(*page, Point::from_xy(MARGIN, *y)),
            );
            for child in outline_nodes(&after[..end], level + 1) {
                node.push_child(child);
            }
            out.push(node);
        }
        rest = &after[end..];
    }
    out
}

fn doc_json(doc: &Document) -> String {
    serde_json::to_string(doc).unwrap_or_default()
}

fn pdf_date(at: DateTime<Utc>) -> PdfDate {
    let narrow = |v: u32| u8::try_from(v).unwrap_or(0);
    PdfDate::new(u16::try_from(at.year()).unwrap_or(2000))
        .month(narrow(at.month()))
        .day(narrow(at.day()))
        .hour(narrow(at.hour()))
        .minute(narrow(at.minute()))
        .second(narrow(at.second()))
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

/// The two faces, for drawing and for measuring.
struct Fonts {
    regular: Font,
    bold: Font,
}

impl Fonts {
    fn new() -> Result<Self, PdfError> {
        Ok(Self {
            regular: Font::new(REGULAR.to_vec().into(), 0).ok_or(PdfError::Font)?,
            bold: Font::new(BOLD.to_vec().into(), 0).ok_or(PdfError::Font)?,
        })
    }

    /// The width of `text` at `size` points, from the font's advances.
    fn width(text: &str, bold: bool, size: f32) -> f32 {
        let data = if bold { BOLD } else { REGULAR };
        let Ok(font) = skrifa::FontRef::new(data) else {
            return 0.0;
        };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|g| metrics.advance_width(g))
                    .unwrap_or(size * 0.5)
            })
            .sum()
    }
}

/// A line of text placed on a page.
struct Run {
    page: usize,
    x: f32,
    y: f32,
    size: f32,
    bold: bool,
    text: String,
}

/// A node of the structure tree: a group, or a run of text by its index.
enum Structure {
    Group(TagKind, Vec<Structure>),
    Run(usize),
}

impl Structure {
    /// The krilla node, each run's identifier taken once; `None` for a group left empty.
    fn into_node(self, ids: &mut [Option<Identifier>]) -> Option<Node> {
        match self {
            Self::Run(index) => ids.get_mut(index).and_then(Option::take).map(Node::from),
            Self::Group(kind, children) => {
                let children: Vec<Node> = children
                    .into_iter()
                    .filter_map(|c| c.into_node(ids))
                    .collect();
                (!children.is_empty()).then(|| TagGroup::with_children(kind, children).into())
            }
        }
    }
}

/// The first pass: where every line goes, and the structure it belongs to.
struct Layout<'f> {
    _fonts: &'f Fonts,
    runs: Vec<Run>,
    structure: Vec<Structure>,
    /// The headings, for the outline: level, text, page, top.
    headings: Vec<(u8, String, usize, f32)>,
    pages: usize,
    /// The baseline of the next line's top, from the top of the page.
    y: f32,
}

impl<'f> Layout<'f> {
    fn new(fonts: &'f Fonts) -> Self {
        Self {
            _fonts: fonts,
            runs: Vec::new(),
            structure: Vec::new(),
            headings: Vec::new(),
            pages: 1,
            y: MARGIN,
        }
    }

    fn bottom() -> f32 {
        PAGE_HEIGHT - MARGIN
    }

    /// Makes room for `height` points, on a new page when this one is full.
    fn room(&mut self, height: f32) {
        if self.y + height > Self::bottom() && self.y > MARGIN {
            self.pages += 1;
            self.y = MARGIN;
        }
    }

    /// Places the lines of `text` wrapped to `width` at `x`, from the current line; answers
    /// the runs.
    fn lines(&mut self, text: &str, x: f32, width: f32, size: f32, bold: bool) -> Vec<Structure> {
        let height = size * 1.35;
        let mut out = Vec::new();
        for line in wrap(text, width, size, bold) {
            self.room(height);
            if line.is_empty() {
                self.y += height;
                continue;
            }
            self.runs.push(Run {
                page: self.pages - 1,
                x,
                y: self.y + size,
                size,
                bold,
                text: line,
            });
            out.push(Structure::Run(self.runs.len() - 1));
            self.y += height;
        }
        out
    }

    fn block(&mut self, block: &Block) {
        let width = PAGE_WIDTH - 2.0 * MARGIN;
        match block {
            Block::Heading { level, text } => {
                let size = match level {
                    1 => 16.0,
                    2 => 13.0,
                    _ => 11.0,
                };
                self.y += size * 0.6;
                // A heading is not left alone at the bottom of a page.
                self.room(size * 1.35 + BODY * 4.0);
                self.headings
                    .push((*level, text.clone(), self.pages - 1, self.y));
                let runs = self.lines(text, MARGIN, width, size, true);
                let level = NonZeroU16::new(u16::from(*level)).unwrap_or(NonZeroU16::MIN);
                self.structure.push(Structure::Group(
                    Tag::Hn(level, Some(text.clone())).into(),
                    runs,
                ));
                self.y += 2.0;
            }
            Block::Paragraph(text) => {
                let runs = self.lines(text, MARGIN, width, BODY, false);
                self.structure.push(Structure::Group(Tag::P.into(), runs));
                self.y += BODY * 0.6;
            }
            Block::List(items) => {
                let mut lis = Vec::new();
                for item in items {
                    let top = self.y;
                    let label = self.lines("•", MARGIN + 4.0, 10.0, BODY, false);
                    self.y = top;
                    let body = self.lines(item, MARGIN + 16.0, width - 16.0, BODY, false);
                    lis.push(Structure::Group(
                        Tag::LI.into(),
                        vec![
                            Structure::Group(Tag::Lbl.into(), label),
                            Structure::Group(Tag::LBody.into(), body),
                        ],
                    ));
                }
                self.structure
                    .push(Structure::Group(Tag::L(ListNumbering::Disc).into(), lis));
                self.y += BODY * 0.6;
            }
            Block::Facts(facts) => {
                let rows: Vec<&(String, String)> =
                    facts.iter().filter(|(_, v)| !v.trim().is_empty()).collect();
                if rows.is_empty() {
                    return;
                }
                let label_width = width * 0.32;
                let mut trs = Vec::new();
                for (label, value) in rows {
                    let height = row_height(
                        &[
                            (label.as_str(), label_width, true),
                            (value, width - label_width, false),
                        ],
                        BODY,
                    );
                    self.room(height);
                    let top = self.y;
                    let th = self.lines(label, MARGIN, label_width - CELL_GAP, BODY, true);
                    self.y = top;
                    let td = self.lines(
                        value,
                        MARGIN + label_width,
                        width - label_width,
                        BODY,
                        false,
                    );
                    self.y = top + height + 2.0;
                    trs.push(Structure::Group(
                        Tag::TR.into(),
                        vec![
                            Structure::Group(Tag::TH(TableHeaderScope::Row).into(), th),
                            Structure::Group(Tag::TD.into(), td),
                        ],
                    ));
                }
                self.structure.push(Structure::Group(
                    Tag::Table.into(),
                    vec![Structure::Group(Tag::TBody.into(), trs)],
                ));
                self.y += BODY * 0.6;
            }
            Block::Table {
                caption,
                headers,
                rows,
            } => {
                if rows.is_empty() {
                    return;
                }
                let widths = column_widths(headers, rows, width);
                let mut children = Vec::new();
                let caption_runs = self.lines(caption, MARGIN, width, BODY, true);
                children.push(Structure::Group(Tag::Caption.into(), caption_runs));
                let head = self.row(headers, &widths, true);
                children.push(Structure::Group(Tag::THead.into(), vec![head]));
                let mut body = Vec::new();
                for row in rows {
                    body.push(self.row(row, &widths, false));
                }
                children.push(Structure::Group(Tag::TBody.into(), body));
                self.structure
                    .push(Structure::Group(Tag::Table.into(), children));
                self.y += BODY * 0.6;
            }
        }
    }

    /// One row of a table: header cells (scoped to their column) or data cells.
    fn row(&mut self, cells: &[String], widths: &[f32], header: bool) -> Structure {
        let cells_at: Vec<(&str, f32, bool)> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| (c.as_str(), *w, header))
            .collect();
        let height = row_height(&cells_at, SMALL);
        self.room(height);
        let top = self.y;
        let mut x = MARGIN;
        let mut tds = Vec::new();
        for (cell, width) in cells.iter().zip(widths) {
            self.y = top;
            let runs = self.lines(cell, x, width - CELL_GAP, SMALL, header);
            let tag: TagKind = if header {
                Tag::TH(TableHeaderScope::Column).into()
            } else {
                Tag::TD.into()
            };
            tds.push(Structure::Group(tag, runs));
            x += width;
        }
        self.y = top + height + 2.0;
        Structure::Group(Tag::TR.into(), tds)
    }
}

/// The height of a row of `cells` (text, column width, bold) at `size`.
fn row_height(cells: &[(&str, f32, bool)], size: f32) -> f32 {
    cells
        .iter()
        .map(|(text, width, bold)| wrap(text, width - CELL_GAP, size, *bold).len().max(1))
        .max()
        .unwrap_or(1) as f32
        * size
        * 1.35
}

/// Column widths summing to `total`: each column gets a share of its longest cell's natural
/// width, and at least a fifth of an equal share.
fn column_widths(headers: &[String], rows: &[Vec<String>], total: f32) -> Vec<f32> {
    let columns = headers.len().max(1);
    let natural: Vec<f32> = (0..columns)
        .map(|i| {
            std::iter::once(headers.get(i))
                .chain(rows.iter().map(|r| r.get(i)))
                .flatten()
                .map(|t| Fonts::width(t, false, SMALL).min(total))
                .fold(0.0, f32::max)
                + CELL_GAP
        })
        .collect();
    // No column is narrower than its longest word (within reason) or a fifth of an equal share.
    let longest_word: Vec<f32> = (0..columns)
        .map(|i| {
            std::iter::once(headers.get(i))
                .chain(rows.iter().map(|r| r.get(i)))
                .flatten()
                .flat_map(|t| t.split_whitespace())
                .map(|w| Fonts::width(w, true, SMALL).min(total / 4.0))
                .fold(0.0, f32::max)
                + CELL_GAP
        })
        .collect();
    let floor = total / columns as f32 / 5.0;
    let weights: Vec<f32> = natural
        .iter()
        .zip(&longest_word)
        .map(|(n, w)| n.max(floor).max(*w))
        .collect();
    let fixed: f32 = longest_word.iter().sum();
    if fixed < total && weights.iter().sum::<f32>() > total {
        // Each column keeps its longest word; the rest is shared by what is left to show.
        let spare = total - fixed;
        let extra: Vec<f32> = weights
            .iter()
            .zip(&longest_word)
            .map(|(w, l)| w - l)
            .collect();
        let extra_sum: f32 = extra.iter().sum();
        return longest_word
            .iter()
            .zip(&extra)
            .map(|(l, e)| l + e / extra_sum * spare)
            .collect();
    }
    let sum: f32 = weights.iter().sum();
    if sum <= total {
        let spare = (total - sum) / columns as f32;
        return weights.iter().map(|w| w + spare).collect();
    }
    weights.iter().map(|w| w / sum * total).collect()
}

/// `text` broken into lines no wider than `width` at `size` (words longer than a line are cut);
/// line breaks in the text are kept. At least one line.
fn wrap(text: &str, width: f32, size: f32, bold: bool) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if Fonts::width(&candidate, bold, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word wider than the line is cut where it must be.
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if Fonts::width(&piece, bold, size) > width && piece.chars().count() > 1 {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            line = piece;
        }
        lines.push(line);
    }
    while lines.len() > 1 && lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_wraps_within_its_width() {
        let lines = wrap(
            "una due tre quattro cinque sei sette otto",
            60.0,
            BODY,
            false,
        );
        assert!(lines.len() > 1);
        for line in &lines {
            assert!(Fonts::width(line, false, BODY) <= 60.0, "{line}");
        }
        let long = wrap(&"x".repeat(200), 50.0, BODY, false);
        assert!(long.len() > 3);
        assert_eq!(wrap("", 50.0, BODY, false), vec![String::new()]);
        assert_eq!(wrap("a\nb", 500.0, BODY, false), vec!["a", "b"]);
    }
}
