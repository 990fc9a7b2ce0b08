//! How far a welfare split can move over the optimal dual face (MODEL.md 12, 13.13).
//!
//! With the primal fixed, each country's welfare (MODEL.md 7) is an affine function of the
//! duals of the balance and origin rows: [`welfare_forms`] writes it out row by row, and the
//! least and the most of it over the face are two LPs ([`Face::range`]).
//!
//! A gain compares two programs (without and with an agreement, or a coalition). If one price
//! system is optimal for both (the change moves no price), the gain is judged at such common
//! prices: every row the two programs share has the same dual on both sides, so an agreement
//! that changes nothing has gain 0 for every country. Otherwise the two sides' optimal duals
//! vary independently, each over its own face (models/decisions.md).

use rayon::prelude::*;

use super::face::{self, Face, FaceError};
use super::{Outcome, View};
use crate::formulation::{Program, Row, Var};
use crate::scenario::{CountryId, OutcomeId, Scenario};

/// `constant + sum coef * dual[row]`: a quantity that is affine in the duals.
#[derive(Debug, Clone, Default)]
pub struct LinearForm {
    pub constant: f64,
    pub terms: Vec<(usize, f64)>,
}

impl LinearForm {
    pub fn eval(&self, duals: &[f64]) -> f64 {
        self.constant + self.terms.iter().map(|&(r, a)| a * duals[r]).sum::<f64>()
    }

    /// `a` × the dual of `row` in `stage` (the copy of the column's outcome, else the first
    /// stage).
    fn add(&mut self, program: &Program, stage: Option<OutcomeId>, row: Row, a: f64) {
        if let Some(r) = program.row_in(&row, stage) {
            self.terms.push((r, a));
        }
    }

    /// Sum of several forms.
    pub fn sum<'a>(forms: impl IntoIterator<Item = &'a LinearForm>) -> LinearForm {
        let mut out = LinearForm::default();
        for f in forms {
            out.constant += f.constant;
            out.terms.extend_from_slice(&f.terms);
        }
        out
    }
}

/// The least and the most a quantity can be over the optimal dual face.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

impl Range {
    pub fn point(v: f64) -> Range {
        Range { min: v, max: v }
    }

    /// MODEL.md 13.13: max - min > 1e-6 max(1, |W|).
    pub fn depends_on_prices(&self, w: f64) -> bool {
        self.max - self.min > 1e-6 * w.abs().max(1.0)
    }

    pub fn contains(&self, v: f64, tol: f64) -> bool {
        v >= self.min - tol && v <= self.max + tol
    }
}

/// Each country's welfare (consumers + producers + rents, MODEL.md 7) as an affine function of
/// the row duals, with the primal `values` of `program` fixed. Term for term the same sums as
/// [`super::welfare`] and [`super::producers`]. For a risk-neutral stochastic program it is the
/// expected welfare Σ_s P_s welfare_s (decision 151): with ω = 0 a second-stage column's
/// objective is P_s × its W coefficient and the raw dual of outcome s's row is P_s δ_t λ_s, so
/// the same sums, each column priced at its own outcome's rows, give the expectation.
pub fn welfare_forms(s: &Scenario, program: &Program, values: &[f64]) -> Vec<LinearForm> {
    let mut forms = vec![LinearForm::default(); s.countries.len()];
    let balance = |country, layer, period| Row::Balance {
        country,
        layer,
        period,
    };
    let origin = |country, layer, period| Row::Origin {
        country,
        layer,
        period,
    };
    for (j, col) in program.columns.iter().enumerate() {
        let x = values[j];
        if x == 0.0 {
            continue;
        }
        match col.var {
            Var::Serve {
                country,
                layer,
                period,
                ..
            } => {
                let f = &mut forms[country];
                f.constant += col.objective * x;
                f.add(program, col.outcome, balance(country, layer, period), -x);
            }
            Var::Flow {
                from,
                to,
                layer,
                period,
            } => {
                let f = &mut forms[to];
                f.constant += col.objective * x;
                f.add(program, col.outcome, balance(to, layer, period), x);
                f.add(program, col.outcome, balance(from, layer, period), -x);
                f.add(program, col.outcome, origin(from, layer, period), -x);
                for &(k, m) in &s.layers[layer].import_requires {
                    f.add(program, col.outcome, balance(to, k, period), -m * x);
                }
            }
            Var::Reserve { to, .. } => forms[to].constant += col.objective * x,
            // Shortfall cost: the policy's country (MODEL.md 13.4); curve and learning costs:
            // the producer (MODEL.md 7, 11).
            Var::Shortfall { country, .. }
            | Var::Segment { country, .. }
            | Var::Fill { country, .. } => forms[country].constant += col.objective * x,
            Var::Produce {
                country,
                layer,
                period,
            } => {
                let f = &mut forms[country];
                f.constant += col.objective * x;
                f.add(program, col.outcome, balance(country, layer, period), x);
                if let Some(cap) = s.capability(country, layer) {
                    for &(k, a) in &cap.inputs {
                        f.add(program, col.outcome, balance(country, k, period), -a * x);
                    }
                }
            }
            Var::Build { country, .. }
            | Var::Enter { country, .. }
            | Var::EnterDiscounted { country, .. } => forms[country].constant += col.objective * x,
            _ => {}
        }
    }
    // Exports earn the export rent Θ (MODEL.md 7, producer profit).
    for (j, col) in program.columns.iter().enumerate() {
        if let Var::Flow {
            from,
            layer,
            period,
            ..
        } = col.var
        {
            if values[j] != 0.0 {
                forms[from].add(program, col.outcome, origin(from, layer, period), values[j]);
            }
        }
    }
    forms
}

/// Whether welfare splits of `program` are ranged over its face: always, except on a stochastic
/// program with ω > 0 (MODEL.md 13.13; decision 151).
pub fn ranged(program: &Program) -> bool {
    program
        .stochastic
        .as_ref()
        .is_none_or(|st| st.risk_weight == 0.0)
}

/// The welfare range of every country over the optimal dual face of `outcome` (None without a
/// face: `--prices any`, or no solution).
pub fn welfare_ranges(s: &Scenario, outcome: &Outcome) -> Result<Option<Vec<Range>>, FaceError> {
    let Some(sol) = &outcome.solution else {
        return Ok(None);
    };
    let Some(face) = &sol.face else {
        return Ok(None);
    };
    // None with ω > 0 (MODEL.md 13.13): the split is then risk-adjusted and the face is not
    // ranged (decision 151).
    if !ranged(&outcome.program) {
        return Ok(None);
    }
    welfare_forms(s, &outcome.program, &sol.values)
        .par_iter()
        .map(|f| range_of(face, f))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Range of an affine form over one face.
pub fn range_of(face: &Face, f: &LinearForm) -> Result<Range, FaceError> {
    let (lo, hi) = face.range(&f.terms)?;
    Ok(Range {
        min: f.constant + lo,
        max: f.constant + hi,
    })
}

/// Two priced outcomes (without and with a change), each with its face and welfare forms.
struct Priced<'a> {
    before: &'a Outcome,
    after: &'a Outcome,
    fb: &'a Face,
    fa: &'a Face,
    wb: Vec<LinearForm>,
    wa: Vec<LinearForm>,
}

impl<'a> Priced<'a> {
    /// None when either side has no solution or no face (`--prices any`).
    fn of(s: &Scenario, before: &'a Outcome, after: &'a Outcome) -> Option<Priced<'a>> {
        let (b, a) = (before.solution.as_ref()?, after.solution.as_ref()?);
        Some(Priced {
            before,
            after,
            fb: b.face.as_deref()?,
            fa: a.face.as_deref()?,
            wb: welfare_forms(s, &before.program, &b.values),
            wa: welfare_forms(s, &after.program, &a.values),
        })
    }

    /// Row pairs (same key in both programs) held equal: all of them when one price system is
    /// optimal for both programs, none otherwise (module docs).
    fn coupled_rows(&self) -> Vec<(usize, usize)> {
        let shared: Vec<(usize, usize)> = self
            .before
            .program
            .rows
            .iter()
            .enumerate()
            .filter_map(|(r0, row)| {
                // The same key in the same stage (outcome) on both sides.
                self.after
                    .program
                    .row_in(&row.row, row.outcome)
                    .filter(|&r1| self.after.program.rows[r1].outcome == row.outcome)
                    .map(|r1| (r0, r1))
            })
            .collect();
        if face::common_prices_exist(self.fb, self.fa, &shared) {
            shared
        } else {
            Vec::new()
        }
    }
}

/// Ranges of the gains `after(group) - before(group)` of several groups of countries (a
/// country alone, or a coalition), over pairs of optimal duals of the two outcomes with the
/// prices the change does not move held equal (module docs). None if either side has no face.
pub fn gain_ranges(
    s: &Scenario,
    before: &Outcome,
    after: &Outcome,
    groups: &[Vec<CountryId>],
) -> Result<Option<Vec<Range>>, FaceError> {
    let Some(p) = Priced::of(s, before, after) else {
        return Ok(None);
    };
    let coupled = p.coupled_rows();
    groups
        .par_iter()
        .map(|g| {
            let f0 = LinearForm::sum(g.iter().map(|&c| &p.wb[c]));
            let f1 = LinearForm::sum(g.iter().map(|&c| &p.wa[c]));
            let (lo, hi) = face::difference_range(p.fb, &f0.terms, p.fa, &f1.terms, &coupled)?;
            let constant = f1.constant - f0.constant;
            Ok(Range {
                min: constant + lo,
                max: constant + hi,
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Welfare of each country through its affine form at the reported duals (a consistency check
/// of [`welfare_forms`] against the split of MODEL.md 7).
pub fn welfare_at_duals(v: &View) -> Vec<f64> {
    welfare_forms(v.s, v.program, &v.sol.values)
        .iter()
        .map(|f| f.eval(&v.sol.duals))
        .collect()
}

/// The most the smallest gain among `countries` can be over coupled pairs of optimal duals:
/// >= 0 means there are optimal prices under which every one of them gains. None without faces.
pub fn best_least_gain(
    s: &Scenario,
    before: &Outcome,
    after: &Outcome,
    countries: &[CountryId],
) -> Result<Option<f64>, FaceError> {
    let Some(p) = Priced::of(s, before, after) else {
        return Ok(None);
    };
    let differences: Vec<_> = countries
        .iter()
        .map(|&c| {
            (
                p.wa[c].constant - p.wb[c].constant,
                p.wb[c].terms.clone(),
                p.wa[c].terms.clone(),
            )
        })
        .collect();
    face::max_min_difference(p.fb, p.fa, &p.coupled_rows(), &differences).map(Some)
}

/// Most prices whose ranges are computed ([`price_ranges`]): two LPs over the face per price;
/// above this, prices are "not checked" (decisions.md 102).
pub const MAX_PRICE_RANGES: usize = 400;

/// A price's least and most value over the optimal dual face (period money per unit,
/// decisions.md 102). `unique` where they agree to 1e-7 (relative to 1 or the price); an
/// unbounded side is infinite (JSON `null`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct PriceRange {
    pub country: String,
    pub layer: String,
    pub period: usize,
    pub min: f64,
    pub max: f64,
    pub unique: bool,
}

/// The range of every price λ[c,l,t] over the optimal dual face of `outcome`: two LPs per
/// balance row, run in parallel. None without a face (`--prices any`, no solution) or with
/// more than [`MAX_PRICE_RANGES`] prices.
/// [`price_ranges`] as `margins` reports them (CLI and Python): the ranges, or why they are
/// missing although the prices are canonical.
pub fn price_ranges_reported(
    s: &Scenario,
    outcome: &Outcome,
) -> (Option<Vec<PriceRange>>, Option<String>) {
    let has_face = outcome.solution.as_ref().is_some_and(|x| x.face.is_some());
    match price_ranges(s, outcome) {
        Ok(Some(r)) => (Some(r), None),
        Ok(None) if has_face => (
            None,
            Some(format!("not checked: more than {MAX_PRICE_RANGES} prices")),
        ),
        Ok(None) => (None, None),
        Err(e) => (None, Some(format!("not checked: {e}"))),
    }
}

pub fn price_ranges(s: &Scenario, outcome: &Outcome) -> Result<Option<Vec<PriceRange>>, FaceError> {
    let Some(face) = outcome
        .solution
        .as_ref()
        .and_then(|sol| sol.face.as_deref())
    else {
        return Ok(None);
    };
    let rows: Vec<(usize, CountryId, usize, usize)> = outcome
        .program
        .rows
        .iter()
        .enumerate()
        .filter_map(|(r, row)| match row.row {
            Row::Balance {
                country,
                layer,
                period,
            } => Some((r, country, layer, period)),
            _ => None,
        })
        .collect();
    if rows.len() > MAX_PRICE_RANGES {
        return Ok(None);
    }
    rows.par_iter()
        .map(|&(r, c, l, t)| {
            let (lo, hi) = face.range(&[(r, 1.0)])?;
            let sense = outcome.program.rows[r].sense;
            let d = s.discount(t);
            let (a, b) = (
                super::shadow_value(sense, lo) / d,
                super::shadow_value(sense, hi) / d,
            );
            let (min, max) = (a.min(b), a.max(b));
            Ok(PriceRange {
                country: s.countries[c].id.clone(),
                layer: s.layers[l].id.clone(),
                period: t,
                min,
                max,
                // An unbounded side (no finite bound on the face) is never unique.
                unique: (max - min).is_finite()
                    && max - min <= 1e-7 * max.abs().max(min.abs()).max(1.0),
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}
