//! A plain aligned text table: numbers right-aligned, text left-aligned.

/// Column alignment.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A titled table built row by row.
pub struct Table {
    title: String,
    header: Vec<String>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// Columns named in `header`; a name starting with '>' is right-aligned (the '>' is dropped).
    pub fn new(title: impl Into<String>, header: &[&str]) -> Table {
        let align = header
            .iter()
            .map(|h| {
                if h.starts_with('>') {
                    Align::Right
                } else {
                    Align::Left
                }
            })
            .collect();
        let header = header
            .iter()
            .map(|h| h.trim_start_matches('>').to_string())
            .collect();
        Table {
            title: title.into(),
            header,
            align,
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Render; `limit` keeps the first rows and says how many were left out.
    pub fn render(&self, limit: Option<usize>) -> String {
        let shown = limit.map_or(self.rows.len(), |n| n.min(self.rows.len()));
        let mut width: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows[..shown] {
            for (i, c) in r.iter().enumerate() {
                if i < width.len() {
                    width[i] = width[i].max(c.chars().count());
                }
            }
        }
        let line = |cells: &[String]| -> String {
            let parts: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let w = width.get(i).copied().unwrap_or(0);
                    match self.align.get(i) {
                        Some(Align::Right) => format!("{c:>w$}"),
                        _ => format!("{c:<w$}"),
                    }
                })
                .collect();
            parts.join("  ").trim_end().to_string()
        };
        let mut out = format!("{}\n", self.title);
        out.push_str(&line(&self.header));
        out.push('\n');
        let total: usize = width.iter().sum::<usize>() + 2 * width.len().saturating_sub(1);
        out.push_str(&"-".repeat(total));
        out.push('\n');
        for r in &self.rows[..shown] {
            out.push_str(&line(r));
            out.push('\n');
        }
        if shown < self.rows.len() {
            let more = self.rows.len() - shown;
            out.push_str(&format!(
                "... {more} more {} (--limit all shows every row; --format json or csv writes them)\n",
                plural(more, "row", "rows")
            ));
        }
        out
    }
}

/// A number for people: four decimals (so below 5e-5 it prints 0.0000: the canonical prices
/// come from an interior-point QP whose round-off is around 1e-6, and the JSON and CSV outputs
/// carry every digit), scientific notation with five significant digits from 1e9 on (where
/// fixed decimals are a wall of digits: 1e300), never `-0`.
pub fn num(v: f64) -> String {
    let a = v.abs();
    if a < 5e-5 {
        "0.0000".into()
    } else if !a.is_finite() {
        format!("{v}")
    } else if a >= 1e9 {
        format!("{v:.4e}")
    } else {
        format!("{v:.4}")
    }
}

/// A share as a percentage with one decimal, never `-0.0%`.
pub fn pct(share: f64) -> String {
    let t = format!("{:.1}%", 100.0 * share);
    if t == "-0.0%" {
        "0.0%".into()
    } else {
        t
    }
}

/// `word` for one, `words` otherwise ("1 period", "2 periods").
pub fn plural<'a>(n: usize, word: &'a str, words: &'a str) -> &'a str {
    if n == 1 {
        word
    } else {
        words
    }
}
