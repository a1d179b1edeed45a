//! A small page builder over printpdf's operations: text in two weights with
//! word wrapping measured from the font's own advances, rules, boxes and a QR
//! code. Coordinates are millimetres from the page's top-left corner, as a
//! designer measures a form; printpdf's origin is bottom-left.

use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfFontHandle, Point, Pt, Rect,
    TextItem,
};

/// A sheet's size and margin, in millimetres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Sheet {
    pub width: f32,
    pub height: f32,
    pub margin: f32,
}

impl Sheet {
    pub const A4: Sheet = Sheet {
        width: 210.0,
        height: 297.0,
        margin: 18.0,
    };

    pub fn content_width(&self) -> f32 {
        self.width - 2.0 * self.margin
    }
}

// The A4 geometry the full-page documents are drawn with.
pub(crate) const PAGE_WIDTH: f32 = Sheet::A4.width;
pub(crate) const MARGIN: f32 = Sheet::A4.margin;
pub(crate) const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;

pub(crate) const PT_PER_MM: f32 = 72.0 / 25.4;

/// A font added to the document, with what measuring needs.
pub(crate) struct Face<'a> {
    pub id: FontId,
    pub parsed: &'a ParsedFont,
}

impl Face<'_> {
    /// Width of `text` at `size` points, in millimetres (advances, no kerning).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units = f32::from(self.parsed.pdf_font_metrics.units_per_em.max(1));
        let advance: u32 = text
            .chars()
            .map(|c| {
                self.parsed
                    .lookup_glyph_index(u32::from(c))
                    .map(|glyph| u32::from(self.parsed.get_horizontal_advance(glyph)))
                    .unwrap_or(0)
            })
            .sum();
        advance as f32 / units * size / PT_PER_MM
    }
}

pub(crate) struct Page<'a> {
    pub sheet: Sheet,
    pub ops: Vec<Op>,
    /// Pages already full, in order (see [`Page::break_page`]).
    pub done: Vec<Vec<Op>>,
    pub regular: Face<'a>,
    pub bold: Face<'a>,
    /// The next baseline, from the top of the page.
    pub y: f32,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

impl<'a> Page<'a> {
    pub fn new(sheet: Sheet, regular: Face<'a>, bold: Face<'a>) -> Self {
        Page {
            sheet,
            ops: Vec::new(),
            done: Vec::new(),
            regular,
            bold,
            y: sheet.margin,
        }
    }

    /// Closes this page and starts the next one at its top margin.
    pub fn break_page(&mut self) {
        self.done.push(std::mem::take(&mut self.ops));
        self.y = self.sheet.margin;
    }

    /// Whether `mm` more fit above the bottom margin.
    pub fn fits(&self, mm: f32) -> bool {
        self.y + mm <= self.sheet.height - self.sheet.margin
    }

    /// Every page's operations, this one last.
    pub fn into_pages(mut self) -> Vec<Vec<Op>> {
        self.done.push(self.ops);
        self.done
    }

    fn face(&self, weight: Weight) -> &Face<'a> {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// One line of text with its baseline at `y` (from the top).
    pub fn text_at(&mut self, x: f32, y: f32, size: f32, weight: Weight, text: &str) {
        let font = self.face(weight).id.clone();
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::External(font),
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point::new(Mm(x), Mm(self.sheet.height - y)),
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_string())],
            },
            Op::EndTextSection,
        ]);
    }

    /// Text centred on the page at `y`.
    pub fn centred(&mut self, y: f32, size: f32, weight: Weight, text: &str) {
        let width = self.face(weight).width(text, size);
        self.text_at((self.sheet.width - width) / 2.0, y, size, weight, text);
    }

    /// Text wrapped at word boundaries into `width` mm from `x`, starting on
    /// the current line; moves `y` past it. A line that would fall below the
    /// bottom margin starts the next page: nothing is drawn off the sheet.
    pub fn paragraph(&mut self, x: f32, width: f32, size: f32, weight: Weight, text: &str) {
        let line_height = size * 1.35 / PT_PER_MM;
        for line in self.wrap(text, width, size, weight) {
            if !self.fits(line_height) {
                self.break_page();
            }
            self.y += line_height;
            self.text_at(x, self.y, size, weight, &line);
        }
    }

    /// A word cut into pieces no wider than `width` (the word itself when it fits).
    fn pieces(face: &Face<'_>, word: &str, width: f32, size: f32) -> Vec<String> {
        if face.width(word, size) <= width {
            return vec![word.to_owned()];
        }
        let mut pieces = Vec::new();
        let mut piece = String::new();
        for c in word.chars() {
            piece.push(c);
            if piece.chars().count() > 1 && face.width(&piece, size) > width {
                piece.pop();
                pieces.push(std::mem::replace(&mut piece, c.to_string()));
            }
        }
        pieces.push(piece);
        pieces
    }

    pub fn wrap(&self, text: &str, width: f32, size: f32, weight: Weight) -> Vec<String> {
        let face = self.face(weight);
        let mut lines = Vec::new();
        for source_line in text.split('\n') {
            let mut line = String::new();
            for whole in source_line.split_whitespace() {
                // A word wider than the column is broken inside it, never drawn past it.
                for word in Self::pieces(face, whole, width, size) {
                    let candidate = if line.is_empty() {
                        word.to_string()
                    } else {
                        format!("{line} {word}")
                    };
                    if !line.is_empty() && face.width(&candidate, size) > width {
                        lines.push(std::mem::replace(&mut line, word.to_string()));
                    } else {
                        line = candidate;
                    }
                }
            }
            lines.push(line);
        }
        lines
    }

    /// A labelled field: the bilingual label in small type, the value below it.
    pub fn field(&mut self, label: &str, value: &str) {
        self.sized_field(label, value, 11.0);
    }

    /// A labelled field with the value at `size` points.
    pub fn sized_field(&mut self, label: &str, value: &str, size: f32) {
        let (margin, width) = (self.sheet.margin, self.sheet.content_width());
        self.y += 2.0;
        self.paragraph(margin, width, 7.5, Weight::Regular, label);
        self.paragraph(margin + 2.0, width - 2.0, size, Weight::Bold, value);
    }

    pub fn gap(&mut self, mm: f32) {
        self.y += mm;
    }

    /// A horizontal rule across the content at the current `y`.
    pub fn rule(&mut self) {
        self.y += 2.0;
        let (left, right) = (self.sheet.margin, self.sheet.width - self.sheet.margin);
        self.line(left, right, self.y, 0.6);
    }

    /// A horizontal line from `left` to `right` at `y` (from the top), `pt` thick.
    pub fn line(&mut self, left: f32, right: f32, y: f32, pt: f32) {
        let y = self.sheet.height - y;
        self.ops.extend([
            Op::SetOutlineColor { col: grey(0.3) },
            Op::SetOutlineThickness { pt: Pt(pt) },
            Op::DrawLine {
                line: Line {
                    points: vec![
                        LinePoint {
                            p: Point::new(Mm(left), Mm(y)),
                            bezier: false,
                        },
                        LinePoint {
                            p: Point::new(Mm(right), Mm(y)),
                            bezier: false,
                        },
                    ],
                    is_closed: false,
                },
            },
        ]);
    }

    /// A framed box around wrapped text (the "provisional" mark, notices).
    pub fn framed(&mut self, size: f32, text: &str) {
        let (margin, width) = (self.sheet.margin, self.sheet.content_width());
        let lines = self.wrap(text, width - 8.0, size, Weight::Bold);
        let line_height = size * 1.35 / PT_PER_MM;
        let height = lines.len() as f32 * line_height + 5.0;
        self.y += 2.0;
        let top = self.y;
        self.ops.extend([
            Op::SetOutlineColor { col: grey(0.0) },
            Op::SetOutlineThickness { pt: Pt(1.4) },
            Op::DrawRectangle {
                rectangle: Rect {
                    mode: Some(PaintMode::Stroke),
                    ..Rect::from_xywh(
                        Mm(margin).into(),
                        Mm(self.sheet.height - top - height).into(),
                        Mm(width).into(),
                        Mm(height).into(),
                    )
                },
            },
        ]);
        self.y += 1.5;
        for line in lines {
            self.y += line_height;
            self.text_at(margin + 4.0, self.y, size, Weight::Bold, &line);
        }
        self.y = top + height;
    }

    /// A QR code of `modules`×`modules` dark/light cells, `size` mm wide, its
    /// top-left corner at (`x`, `y`). Drawn as filled squares so any reader decodes it.
    pub fn qr(&mut self, x: f32, y: f32, size: f32, modules: usize, dark: &[bool]) {
        let quiet = 4.0;
        let cell = size / (modules as f32 + 2.0 * quiet);
        self.ops.push(Op::SetFillColor { col: grey(0.0) });
        for (index, _) in dark.iter().enumerate().filter(|(_, dark)| **dark) {
            let (row, column) = (index / modules, index % modules);
            let left = x + (column as f32 + quiet) * cell;
            let top = y + (row as f32 + quiet) * cell;
            self.ops.push(Op::DrawRectangle {
                rectangle: Rect {
                    mode: Some(PaintMode::Fill),
                    ..Rect::from_xywh(
                        Mm(left).into(),
                        Mm(self.sheet.height - top - cell).into(),
                        Mm(cell).into(),
                        Mm(cell).into(),
                    )
                },
            });
        }
    }
}

fn grey(level: f32) -> Color {
    Color::Greyscale(Greyscale {
        percent: level,
        icc_profile: None,
    })
}
