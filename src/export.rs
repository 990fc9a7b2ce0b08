//! Export: the [`Program`] that `solve` builds, written as free MPS or CPLEX LP with readable
//! names (`bal_KOR_fab_1`, `f_KOR_IND_fab_1`), so that any solver can check or reuse it.
//!
//! - Names come from [`Row::name`](crate::formulation::Row::name) and
//!   [`Var::name`](crate::formulation::Var::name), sanitised to `[A-Za-z0-9_.]` (anything else
//!   becomes `_`; a name that would start with a digit or `.` gets a leading `_`) and made
//!   unique by appending `_2`, `_3`, ... to later duplicates. The objective row is `W`.
//! - The objective is written as a **maximisation** as it is: MPS with an `OBJSENSE` section
//!   (`MAX`), LP with `Maximize`. HiGHS, highspy, CPLEX, Gurobi, SCIP and CBC read both.
//! - Numbers are written in Rust's shortest round-trip form (`{:?}`), so a reader gets the same
//!   `f64` values back: the exported program is the program, not an approximation of it.
//! - Integer columns (the operating binaries y) are marked (`MARKER INTORG/INTEND` in MPS,
//!   `General` in LP) and always carry explicit bounds, because readers disagree on the
//!   default upper bound of an integer column.

use std::collections::HashSet;
use std::io::{self, Write};

use crate::formulation::{Program, Sense};
use crate::scenario::Scenario;

/// Name of the objective row.
pub const OBJECTIVE: &str = "W";

/// Sanitised, unique names of a program's columns and rows (same order as the program).
#[derive(Debug, Clone)]
pub struct Names {
    pub columns: Vec<String>,
    pub rows: Vec<String>,
}

impl Names {
    /// Readable names from the typed keys of `program`, built from scenario `s`.
    pub fn new(program: &Program, s: &Scenario) -> Names {
        let mut seen: HashSet<String> = HashSet::new();
        let columns = (0..program.columns.len())
            .map(|j| unique(&mut seen, sanitise(&program.column_name(j, s))))
            .collect();
        let mut seen: HashSet<String> = HashSet::from([OBJECTIVE.to_string()]);
        let rows = (0..program.rows.len())
            .map(|i| unique(&mut seen, sanitise(&program.row_name(i, s))))
            .collect();
        Names { columns, rows }
    }

    /// Generic names `c1..`, `r1..` (for programs without a scenario, e.g. tests).
    pub fn generic(program: &Program) -> Names {
        Names {
            columns: (1..=program.columns.len())
                .map(|j| format!("c{j}"))
                .collect(),
            rows: (1..=program.rows.len()).map(|i| format!("r{i}")).collect(),
        }
    }
}

/// Replace every character outside `[A-Za-z0-9_.]` by `_`; prefix `_` to a name that is empty
/// or starts with a digit or `.` (LP readers take those for numbers).
pub fn sanitise(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || ch == '_' || ch == '.' {
                ch
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|ch: char| ch.is_ascii_digit() || ch == '.') {
        out.insert(0, '_');
    }
    out
}

fn unique(seen: &mut HashSet<String>, name: String) -> String {
    if seen.insert(name.clone()) {
        return name;
    }
    let mut k = 2;
    loop {
        let candidate = format!("{name}_{k}");
        if seen.insert(candidate.clone()) {
            return candidate;
        }
        k += 1;
    }
}

/// Shortest decimal form that reads back as the same `f64`.
fn num(v: f64) -> String {
    format!("{v:?}")
}

/// Nonzeros by column: `(row, coefficient)` lists in row order.
fn by_column(program: &Program) -> Vec<Vec<(usize, f64)>> {
    let mut cols: Vec<Vec<(usize, f64)>> = vec![Vec::new(); program.columns.len()];
    for (i, r) in program.rows.iter().enumerate() {
        for &(j, a) in &r.terms {
            cols[j].push((i, a));
        }
    }
    cols
}

/// Write `program` as free MPS (maximisation, `OBJSENSE MAX`).
pub fn write_mps<W: Write>(
    program: &Program,
    names: &Names,
    title: &str,
    out: W,
) -> io::Result<()> {
    let mut w = io::BufWriter::new(out);
    writeln!(w, "* {}", title.replace('\n', " "))?;
    writeln!(
        w,
        "* aistack export: maximise {OBJECTIVE}; {} columns, {} rows",
        program.columns.len(),
        program.rows.len()
    )?;
    writeln!(w, "NAME aistack")?;
    writeln!(w, "OBJSENSE")?;
    writeln!(w, "    MAX")?;
    writeln!(w, "ROWS")?;
    writeln!(w, " N  {OBJECTIVE}")?;
    for (r, name) in program.rows.iter().zip(&names.rows) {
        let kind = match r.sense {
            Sense::Le => 'L',
            Sense::Ge => 'G',
            Sense::Eq => 'E',
        };
        writeln!(w, " {kind}  {name}")?;
    }
    writeln!(w, "COLUMNS")?;
    let cols = by_column(program);
    let mut in_integer = false;
    let mut marker = 0;
    for (j, c) in program.columns.iter().enumerate() {
        if c.integer != in_integer {
            let kind = if c.integer { "INTORG" } else { "INTEND" };
            writeln!(w, "    MARKER{marker} 'MARKER' '{kind}'")?;
            marker += 1;
            in_integer = c.integer;
        }
        let name = &names.columns[j];
        if c.objective != 0.0 || cols[j].is_empty() {
            writeln!(w, "    {name} {OBJECTIVE} {}", num(c.objective))?;
        }
        for &(i, a) in &cols[j] {
            writeln!(w, "    {name} {} {}", names.rows[i], num(a))?;
        }
    }
    if in_integer {
        writeln!(w, "    MARKER{marker} 'MARKER' 'INTEND'")?;
    }
    writeln!(w, "RHS")?;
    for (r, name) in program.rows.iter().zip(&names.rows) {
        if r.rhs != 0.0 {
            writeln!(w, "    RHS {name} {}", num(r.rhs))?;
        }
    }
    writeln!(w, "BOUNDS")?;
    for (c, name) in program.columns.iter().zip(&names.columns) {
        let (l, u) = (c.lower, c.upper);
        if l == u {
            writeln!(w, " FX BND {name} {}", num(l))?;
            continue;
        }
        if l == f64::NEG_INFINITY && u == f64::INFINITY {
            writeln!(w, " FR BND {name}")?;
            continue;
        }
        if l == f64::NEG_INFINITY {
            writeln!(w, " MI BND {name}")?;
        } else if l != 0.0 || c.integer {
            writeln!(w, " LO BND {name} {}", num(l))?;
        }
        if u != f64::INFINITY {
            writeln!(w, " UP BND {name} {}", num(u))?;
        } else if c.integer {
            writeln!(w, " PL BND {name}")?;
        }
    }
    writeln!(w, "ENDATA")?;
    w.flush()
}

/// Terms per line in LP files (readers limit line length).
const TERMS_PER_LINE: usize = 8;

fn write_lp_terms<W: Write>(
    w: &mut W,
    terms: impl Iterator<Item = (f64, String)>,
) -> io::Result<()> {
    for (k, (a, name)) in terms.enumerate() {
        if k > 0 && k % TERMS_PER_LINE == 0 {
            write!(w, "\n   ")?;
        }
        let sign = if a.is_sign_negative() { '-' } else { '+' };
        write!(w, " {sign} {} {name}", num(a.abs()))?;
    }
    Ok(())
}

/// Write `program` as CPLEX LP (`Maximize`).
pub fn write_lp<W: Write>(program: &Program, names: &Names, title: &str, out: W) -> io::Result<()> {
    let mut w = io::BufWriter::new(out);
    writeln!(w, "\\ {}", title.replace('\n', " "))?;
    writeln!(
        w,
        "\\ aistack export: {} columns, {} rows",
        program.columns.len(),
        program.rows.len()
    )?;
    writeln!(w, "Maximize")?;
    write!(w, " {OBJECTIVE}:")?;
    let obj: Vec<(f64, String)> = program
        .columns
        .iter()
        .zip(&names.columns)
        .filter(|(c, _)| c.objective != 0.0)
        .map(|(c, n)| (c.objective, n.clone()))
        .collect();
    let placeholder = names.columns.first().cloned();
    if obj.is_empty() {
        if let Some(n) = &placeholder {
            write!(w, " 0 {n}")?;
        }
    }
    write_lp_terms(&mut w, obj.into_iter())?;
    writeln!(w)?;
    writeln!(w, "Subject To")?;
    for (r, name) in program.rows.iter().zip(&names.rows) {
        write!(w, " {name}:")?;
        if r.terms.is_empty() {
            match &placeholder {
                Some(n) => write!(w, " 0 {n}")?,
                None => continue,
            }
        }
        write_lp_terms(
            &mut w,
            r.terms.iter().map(|&(j, a)| (a, names.columns[j].clone())),
        )?;
        let op = match r.sense {
            Sense::Le => "<=",
            Sense::Ge => ">=",
            Sense::Eq => "=",
        };
        writeln!(w, " {op} {}", num(r.rhs))?;
    }
    writeln!(w, "Bounds")?;
    for (c, name) in program.columns.iter().zip(&names.columns) {
        let (l, u) = (c.lower, c.upper);
        if l == u {
            writeln!(w, " {name} = {}", num(l))?;
        } else if l == f64::NEG_INFINITY && u == f64::INFINITY {
            writeln!(w, " {name} free")?;
        } else if l != 0.0 || u != f64::INFINITY || c.integer {
            let lo = if l == f64::NEG_INFINITY {
                "-inf".to_string()
            } else {
                num(l)
            };
            let up = if u == f64::INFINITY {
                "+inf".to_string()
            } else {
                num(u)
            };
            writeln!(w, " {lo} <= {name} <= {up}")?;
        }
    }
    let integers: Vec<&String> = program
        .columns
        .iter()
        .zip(&names.columns)
        .filter(|(c, _)| c.integer)
        .map(|(_, n)| n)
        .collect();
    if !integers.is_empty() {
        writeln!(w, "General")?;
        for chunk in integers.chunks(TERMS_PER_LINE) {
            let line: Vec<&str> = chunk.iter().map(|s| s.as_str()).collect();
            writeln!(w, " {}", line.join(" "))?;
        }
    }
    writeln!(w, "End")?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formulation::{Row, Var};

    #[test]
    fn sanitise_keeps_safe_characters_and_guards_leading_digits() {
        assert_eq!(sanitise("bal_KOR_fab_1"), "bal_KOR_fab_1");
        assert_eq!(sanitise("f_KOR-1_IND fab_1"), "f_KOR_1_IND_fab_1");
        assert_eq!(sanitise("1abc"), "_1abc");
        assert_eq!(sanitise(".x"), "_.x");
        assert_eq!(sanitise(""), "_");
        assert_eq!(sanitise("é"), "_");
    }

    #[test]
    fn duplicates_get_suffixes() {
        let mut seen = HashSet::new();
        assert_eq!(unique(&mut seen, "a".into()), "a");
        assert_eq!(unique(&mut seen, "a".into()), "a_2");
        assert_eq!(unique(&mut seen, "a".into()), "a_3");
        assert_eq!(unique(&mut seen, "a_2".into()), "a_2_2");
    }

    fn tiny() -> Program {
        let mut p = Program::default();
        let x = p.add_column(
            Var::Produce {
                country: 0,
                layer: 0,
                period: 1,
            },
            0.0,
            4.0,
            3.0,
            false,
        );
        let y = p.add_column(
            Var::Operate {
                country: 0,
                layer: 0,
                period: 1,
            },
            0.0,
            1.0,
            -0.1,
            true,
        );
        let z = p.add_column(
            Var::Produce {
                country: 1,
                layer: 0,
                period: 1,
            },
            2.0,
            2.0,
            1.0,
            false,
        );
        p.add_row(
            Row::Capacity {
                country: 0,
                layer: 0,
                period: 1,
            },
            vec![(x, 1.0), (y, -5.0)],
            Sense::Le,
            0.0,
        );
        p.add_row(
            Row::Essential {
                country: 0,
                layer: 0,
                period: 1,
            },
            vec![(x, 1.0), (z, 1.0)],
            Sense::Ge,
            1e-7,
        );
        p
    }

    #[test]
    fn mps_has_sections_markers_and_bounds() {
        let p = tiny();
        let mut buf = Vec::new();
        write_mps(&p, &Names::generic(&p), "tiny", &mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        for needle in [
            "OBJSENSE\n    MAX\n",
            " N  W\n L  r1\n G  r2\n",
            "    c1 W 3.0\n    c1 r1 1.0\n    c1 r2 1.0\n",
            "'MARKER' 'INTORG'\n    c2 W -0.1\n    c2 r1 -5.0\n",
            "'INTEND'\n    c3 W 1.0\n",
            "    RHS r2 1e-7\n",
            " UP BND c1 4.0\n LO BND c2 0.0\n UP BND c2 1.0\n FX BND c3 2.0\n",
            "ENDATA\n",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
    }

    #[test]
    fn lp_has_sections_and_signs() {
        let p = tiny();
        let mut buf = Vec::new();
        write_lp(&p, &Names::generic(&p), "tiny", &mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        for needle in [
            "Maximize\n W: + 3.0 c1 - 0.1 c2 + 1.0 c3\n",
            " r1: + 1.0 c1 - 5.0 c2 <= 0.0\n",
            " r2: + 1.0 c1 + 1.0 c3 >= 1e-7\n",
            "Bounds\n 0.0 <= c1 <= 4.0\n 0.0 <= c2 <= 1.0\n c3 = 2.0\n",
            "General\n c2\nEnd\n",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
    }
}
