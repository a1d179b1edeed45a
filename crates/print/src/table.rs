//! Tables whose cells wrap inside their columns: a row is as tall as its
//! fullest cell, so nothing is cut and nothing runs into the next column.

use crate::layout::{PT_PER_MM, Page, Weight};

/// One cell's lines: (text, size, weight).
pub(crate) type Cell = Vec<(String, f32, Weight)>;

/// Column lefts from the margin; the last column runs to the right margin.
pub(crate) struct Table<'c> {
    pub columns: &'c [f32],
    /// Space between a cell's text and the next column.
    pub gutter: f32,
    /// Above the first line and below the last of a row.
    pub padding: f32,
}

pub(crate) fn line_height(size: f32) -> f32 {
    size * 1.3 / PT_PER_MM
}

impl Table<'_> {
    /// The width text may take in column `index`.
    pub fn width(&self, page: &Page<'_>, index: usize) -> f32 {
        let right = self
            .columns
            .get(index + 1)
            .copied()
            .unwrap_or_else(|| page.sheet.content_width());
        right - self.columns[index] - self.gutter
    }

    /// `text` wrapped to column `index` (a `\n` starts a new line).
    pub fn cell(&self, page: &Page<'_>, index: usize, text: &str, size: f32, weight: Weight) -> Cell {
        page.wrap(text, self.width(page, index), size, weight)
            .into_iter()
            .map(|line| (line, size, weight))
            .collect()
    }

    pub fn height(&self, cells: &[Cell]) -> f32 {
        let tallest = cells
            .iter()
            .map(|cell| cell.iter().map(|(_, size, _)| line_height(*size)).sum::<f32>())
            .fold(0.0, f32::max);
        tallest + 2.0 * self.padding
    }

    /// Draws a row at the current `y`, a thin line under it; moves `y` past it.
    pub fn row(&self, page: &mut Page<'_>, cells: &[Cell]) {
        let margin = page.sheet.margin;
        let right = page.sheet.width - margin;
        let top = page.y;
        for (cell, x) in cells.iter().zip(self.columns) {
            let mut y = top + self.padding;
            for (text, size, weight) in cell {
                y += line_height(*size);
                page.text_at(margin + x, y - 0.8, *size, *weight, text);
            }
        }
        page.y = top + self.height(cells);
        page.line(margin, right, page.y, 0.3);
    }
}
