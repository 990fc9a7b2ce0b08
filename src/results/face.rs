//! The optimal dual face of a priced LP, and the two questions asked of it (MODEL.md 12):
//! its least-norm point (the canonical prices) and the least and most a linear function of the
//! duals (a country's welfare, a gain, v(S)) can be over it.
//!
//! The face is described from one optimal primal point by complementary slackness, which holds
//! between every optimal primal and every optimal dual: a row with slack has dual 0, and a
//! column strictly inside its bounds has reduced cost 0. What is left is a polyhedron in the
//! duals of the tight rows and the bound multipliers of the columns at a bound:
//!
//! ```text
//!   sum_r a_rj y_r + w_j - v_j = c_j      every column j that is not fixed
//!   y_r >= 0 (<= rows), y_r <= 0 (>= rows), y_r free (= rows); w_j, v_j >= 0
//! ```
//!
//! with w_j only where x_j sits at its upper bound and v_j only where it sits at its lower
//! bound. Bound multipliers are not rows, so they carry no weight in the norm (MODEL.md 13.12).
//! If the primal point is too inexact for the classification to leave a non-empty face, the
//! face is described instead by dual feasibility plus "dual objective = W*" (the same set in
//! exact arithmetic, less well conditioned).
//!
//! Both questions are convex programs solved with Clarabel: a pure-Rust interior-point solver
//! for QPs and LPs (sparse LDL, equilibration, iterative refinement), so the default build
//! needs nothing but cargo. Its answers are accurate to about 1e-10; the reported duals are
//! then checked for strong duality like any other.

use clarabel::algebra::CscMatrix;
use clarabel::solver::{
    DefaultSettingsBuilder, DefaultSolver, IPSolver, SolverStatus, SupportedConeT,
};

use std::sync::OnceLock;
use std::time::Instant;

use crate::formulation::{Program, Sense};

/// Relative tolerance for "a row is tight" and "a column sits at a bound".
const ACTIVE_TOL: f64 = 1e-9;

/// Clarabel's tolerances for the reported (canonical) duals: checked for strong duality.
const PRICE_TOL: f64 = 1e-11;

/// Clarabel's tolerances for ranges and feasibility tests: a verdict depends on prices when a
/// range is wider than 1e-6 max(1, |W|) (MODEL.md 13.13), far above this.
const RANGE_TOL: f64 = 1e-9;

/// At most this (times the money scale) at the face's interior point: a sign restriction that
/// holds with equality on the whole face (see [`Hull`]).
const PINNED_TIGHT: f64 = 1e-10;

/// At least this: a sign restriction that is strict somewhere on the face.
const PINNED_LOOSE: f64 = 1e-8;

/// Clarabel's step limit.
const MAX_ITER: u32 = 500;

/// Rounds of the active-set polish of a least-norm point (see `Problem::solve`).
const POLISH_ROUNDS: usize = 6;

#[derive(Debug, thiserror::Error)]
pub enum FaceError {
    #[error("the optimal dual face could not be computed ({0})")]
    Solver(String),
    /// The command's time budget ran out (issue 10: pricing a stopped MIP must not overrun it).
    #[error("the time limit was reached before the least-norm prices were computed")]
    TimeLimit,
}

/// One unknown of the face problems.
#[derive(Debug, Clone, Copy)]
enum Unknown {
    /// The dual of program row `r`.
    Dual(usize),
    /// A bound multiplier (enters column `j`'s equation with `sign`, >= 0).
    Bound { column: usize, sign: f64 },
}

/// The optimal dual face of one LP (integers already fixed).
#[derive(Debug, Clone)]
pub struct Face {
    unknowns: Vec<Unknown>,
    /// Sign restriction of each unknown: +1 (>= 0), -1 (<= 0), 0 (free).
    signs: Vec<f64>,
    /// For each program row, its unknown (None: the dual is 0 on the face).
    of_row: Vec<Option<usize>>,
    /// Equations: (terms over unknowns, right-hand side).
    equations: Vec<(Vec<(usize, f64)>, f64)>,
    n_rows: usize,
    /// The command's time budget: no problem over this face runs past it (None: no limit).
    deadline: Option<Instant>,
    /// The face's affine hull, computed at the first range asked (None: it could not be
    /// told; every range is then an LP).
    hull: OnceLock<Option<Hull>>,
}

impl Face {
    /// The face of `lp` at the optimal primal point `values` (objective `objective`), and its
    /// least-norm point under `weights` (one per row, MODEL.md 13.12).
    ///
    /// The complementary-slackness description is tried first; if it leaves no dual (the
    /// primal point was too inexact to classify), the objective-row description is used.
    /// Nothing runs past `deadline` (the command's time budget): then [`FaceError::TimeLimit`].
    pub fn canonical(
        lp: &Program,
        values: &[f64],
        objective: f64,
        weights: &[f64],
        deadline: Option<Instant>,
    ) -> Result<(Face, Vec<f64>), FaceError> {
        let mut face = Face::complementary(lp, values);
        face.deadline = deadline;
        match face.least_norm(weights) {
            Ok(y) => return Ok((face, y)),
            Err(FaceError::TimeLimit) => return Err(FaceError::TimeLimit),
            Err(_) => {}
        }
        let mut face = Face::by_objective(lp, values, objective);
        face.deadline = deadline;
        let y = face.least_norm(weights)?;
        Ok((face, y))
    }

    fn complementary(lp: &Program, values: &[f64]) -> Face {
        let mut face = Face::empty(lp.rows.len());
        for (r, row) in lp.rows.iter().enumerate() {
            let lhs: f64 = row.terms.iter().map(|&(j, a)| a * values[j]).sum();
            let scale = row
                .terms
                .iter()
                .map(|&(j, a)| (a * values[j]).abs())
                .fold(row.rhs.abs().max(1.0), f64::max);
            // A row without terms constrains nothing: its dual enters no column's equation, so
            // the least-norm point and every range have it at 0.
            let tight = !row.terms.is_empty()
                && (row.sense == Sense::Eq || (lhs - row.rhs).abs() <= ACTIVE_TOL * scale);
            if tight {
                face.add_dual(r, row.sense);
            }
        }
        face.add_columns(lp, |j, bound| {
            (values[j] - bound).abs() <= ACTIVE_TOL * bound.abs().max(1.0)
        });
        face
    }

    fn by_objective(lp: &Program, values: &[f64], objective: f64) -> Face {
        let mut face = Face::empty(lp.rows.len());
        for (r, row) in lp.rows.iter().enumerate() {
            if !row.terms.is_empty() {
                face.add_dual(r, row.sense);
            }
        }
        face.add_columns(lp, |_, _| true);
        // Dual objective = W*: sum_r b'_r y_r + sum (u w - l v) + c_fixed x_fixed = W*, with
        // fixed columns moved to the right-hand side (b' = b - A_fixed x_fixed).
        let fixed = |j: usize| lp.columns[j].lower == lp.columns[j].upper;
        let mut terms = Vec::new();
        for (k, u) in face.unknowns.iter().enumerate() {
            let coef = match *u {
                Unknown::Dual(r) => {
                    let row = &lp.rows[r];
                    row.rhs
                        - row
                            .terms
                            .iter()
                            .filter(|&&(j, _)| fixed(j))
                            .map(|&(j, a)| a * lp.columns[j].lower)
                            .sum::<f64>()
                }
                Unknown::Bound { column, sign } => {
                    let c = &lp.columns[column];
                    if sign > 0.0 {
                        c.upper
                    } else {
                        -c.lower
                    }
                }
            };
            if coef != 0.0 {
                terms.push((k, coef));
            }
        }
        let constant: f64 = lp
            .columns
            .iter()
            .enumerate()
            .filter(|&(j, _)| fixed(j))
            .map(|(j, c)| c.objective * values[j])
            .sum();
        face.equations.push((terms, objective - constant));
        face
    }

    fn empty(n_rows: usize) -> Face {
        Face {
            unknowns: Vec::new(),
            signs: Vec::new(),
            of_row: vec![None; n_rows],
            equations: Vec::new(),
            n_rows,
            deadline: None,
            hull: OnceLock::new(),
        }
    }

    fn add_dual(&mut self, r: usize, sense: Sense) {
        self.of_row[r] = Some(self.unknowns.len());
        self.unknowns.push(Unknown::Dual(r));
        self.signs.push(match sense {
            Sense::Le => 1.0,
            Sense::Ge => -1.0,
            Sense::Eq => 0.0,
        });
    }

    /// One equation per column that is not fixed; a bound multiplier where `at(j, bound)`.
    fn add_columns(&mut self, lp: &Program, at: impl Fn(usize, f64) -> bool) {
        let mut by_column: Vec<Vec<(usize, f64)>> = vec![Vec::new(); lp.columns.len()];
        for (r, row) in lp.rows.iter().enumerate() {
            if let Some(k) = self.of_row[r] {
                for &(j, a) in &row.terms {
                    by_column[j].push((k, a));
                }
            }
        }
        for (j, col) in lp.columns.iter().enumerate() {
            if col.lower == col.upper {
                continue;
            }
            let mut terms = std::mem::take(&mut by_column[j]);
            for (bound, sign) in [(col.upper, 1.0), (col.lower, -1.0)] {
                if bound.is_finite() && at(j, bound) {
                    terms.push((self.unknowns.len(), sign));
                    self.unknowns.push(Unknown::Bound { column: j, sign });
                    self.signs.push(1.0);
                }
            }
            self.equations.push((terms, col.objective));
        }
    }

    /// The point of the face with the least weighted norm sum_r weight_r y_r^2, as a dual for
    /// every program row (0 off the face).
    pub fn least_norm(&self, weights: &[f64]) -> Result<Vec<f64>, FaceError> {
        let diag: Vec<f64> = self
            .unknowns
            .iter()
            .map(|u| match *u {
                Unknown::Dual(r) => weights[r],
                Unknown::Bound { .. } => 0.0,
            })
            .collect();
        let x = self
            .problem()
            .solve(&vec![0.0; self.unknowns.len()], Some(&diag), PRICE_TOL)
            .map_err(|f| match f {
                Failure::TimeLimit => FaceError::TimeLimit,
                _ => FaceError::Solver("the least-norm problem has no solution".into()),
            })?;
        Ok(self.row_duals(&x))
    }

    /// The least and the most of `g . y` (g indexed by program row) over the face.
    pub fn range(&self, g: &[(usize, f64)]) -> Result<(f64, f64), FaceError> {
        let q = self.objective(g);
        if let Some(v) = self.hull().and_then(|h| h.constant(&q)) {
            return Ok((v, v));
        }
        range_of(self.problem(), &q)
    }

    /// `g` over the face's unknowns.
    fn objective(&self, g: &[(usize, f64)]) -> Vec<f64> {
        let mut q = vec![0.0; self.unknowns.len()];
        for &(r, a) in g {
            if let Some(k) = self.of_row[r] {
                q[k] += a;
            }
        }
        q
    }

    /// The value of `g . y` when it is the same at every point of the face (None: not shown
    /// so; the range LPs then decide).
    fn constant(&self, g: &[(usize, f64)]) -> Option<f64> {
        self.hull()?.constant(&self.objective(g))
    }

    /// The face's affine hull, computed at the first call.
    fn hull(&self) -> Option<&Hull> {
        self.hull.get_or_init(|| Hull::of(self.problem())).as_ref()
    }

    fn row_duals(&self, x: &[f64]) -> Vec<f64> {
        let mut y = vec![0.0; self.n_rows];
        for (k, u) in self.unknowns.iter().enumerate() {
            if let Unknown::Dual(r) = *u {
                y[r] = x[k];
            }
        }
        y
    }

    fn problem(&self) -> Problem {
        let mut p = Problem::default();
        p.append(self);
        p
    }
}

/// The affine hull of a face: which linear functions of its unknowns are constant on it
/// (issue 13: on the 60-country generated LP 49 of the 60 countries' welfare is, and each
/// needed two range LPs).
///
/// The hull is the face's equations plus its implicit equalities: the sign restrictions that
/// hold with equality at every point (a price gap that equals the trade cost under every
/// optimal price system). One point in the face's relative interior tells them, as there every
/// other restriction is strict; Clarabel's point for the zero objective is one, its iterates
/// following the central path on which the restrictions that can be strict stay away from 0.
/// The classification needs a clear gap: every restriction at most [`PINNED_TIGHT`] (times the
/// money scale) is an implicit equality, every other at least [`PINNED_LOOSE`]; a value
/// between, or a failed solve, and there is no hull.
///
/// A function `q . x` is constant on the hull iff q is a combination of the hull's equations.
/// That is decided in three steps: unknowns the chain substitution ([`Problem::substitute`]) fixes
/// are constant; an equation with an unknown no other equation has (a loose bound multiplier)
/// only defines that unknown, so q's coefficient on it is moved onto the equation's other
/// unknowns and the equation set aside ("peeled", repeatedly); what is left (the core, a few
/// hundred price unknowns coupled by trade) is small, and q's rest must lie in its row space,
/// found by Gaussian elimination with partial pivoting on the dense core (models/decisions.md
/// 200).
#[derive(Debug, Clone)]
struct Hull {
    /// A point of the face (its value of a constant function is the function's value).
    point: Vec<f64>,
    /// Per unknown of the face, its index among those the substitution left (None: fixed).
    index: Vec<Option<usize>>,
    /// Peeled equations, in the order they were peeled.
    peeled: Vec<Peeled>,
    /// Per unknown left, its column in the core (None: in no core equation).
    core_column: Vec<Option<usize>>,
    n_core: usize,
    /// The core's row space in echelon form: (pivot column, dense row).
    echelon: Vec<(usize, Vec<f64>)>,
}

/// An equation set aside because it only defines one unknown (indices among the unknowns the
/// substitution left).
#[derive(Debug, Clone)]
struct Peeled {
    unknown: usize,
    coefficient: f64,
    /// The equation's other terms.
    rest: Vec<(usize, f64)>,
}

/// Relative size below which an elimination pivot or a residual counts as zero.
const HULL_TOL: f64 = 1e-9;

/// The most work (equations x unknowns x the smaller of the two) of the dense elimination of
/// a core, about a second; a larger core leaves no hull. The 60-country generated LP's is
/// 7.6e8.
const MAX_CORE_WORK: f64 = 3e9;

impl Hull {
    fn of(mut p: Problem) -> Option<Hull> {
        let point = p.solve(&vec![0.0; p.n], None, RANGE_TOL).ok()?;
        let sigma = p.money_scale();
        for k in 0..p.n {
            if p.signs[k] == 0.0 {
                continue;
            }
            let v = p.signs[k] * point[k];
            if v <= PINNED_TIGHT * sigma {
                p.eq.push((vec![(k, 1.0)], 0.0));
            } else if v < PINNED_LOOSE * sigma {
                return None;
            }
        }
        let sub = p.substitute().ok()?;
        // The values the hull fixes must be the interior point's.
        let agrees = sub
            .fixed
            .iter()
            .zip(&point)
            .all(|(f, &x)| f.is_none_or(|f| (f - x).abs() <= PINNED_LOOSE * sigma));
        if !agrees {
            return None;
        }
        let r = &sub.reduced;
        let index = (0..p.n)
            .map(|k| sub.fixed[k].is_none().then_some(sub.index[k]))
            .collect();
        // Peel: an unknown in exactly one live equation, repeatedly.
        let mut live = vec![true; r.eq.len()];
        let mut count = vec![0usize; r.n];
        let mut of_unknown: Vec<Vec<usize>> = vec![Vec::new(); r.n];
        for (e, (terms, _)) in r.eq.iter().enumerate() {
            for &(k, _) in terms {
                count[k] += 1;
                of_unknown[k].push(e);
            }
        }
        let mut queue: Vec<usize> = (0..r.n).rev().filter(|&k| count[k] == 1).collect();
        let mut peeled = Vec::new();
        while let Some(k) = queue.pop() {
            if count[k] != 1 {
                continue;
            }
            let Some(&e) = of_unknown[k].iter().find(|&&e| live[e]) else {
                continue;
            };
            let terms = &r.eq[e].0;
            let a = coefficient(terms, k);
            let big = largest(terms);
            if a.abs() <= HULL_TOL * big {
                continue;
            }
            live[e] = false;
            for &(j, _) in terms {
                count[j] -= 1;
                if count[j] == 1 {
                    queue.push(j);
                }
            }
            peeled.push(Peeled {
                unknown: k,
                coefficient: a,
                rest: terms.iter().copied().filter(|&(j, _)| j != k).collect(),
            });
        }
        // The core, densely.
        let mut core_column = vec![None; r.n];
        let mut n_core = 0;
        let core_rows: Vec<usize> = (0..r.eq.len()).filter(|&e| live[e]).collect();
        for &e in &core_rows {
            for &(k, _) in &r.eq[e].0 {
                if core_column[k].is_none() {
                    core_column[k] = Some(n_core);
                    n_core += 1;
                }
            }
        }
        let (m, n) = (core_rows.len() as f64, n_core as f64);
        if m * n * m.min(n) > MAX_CORE_WORK {
            return None;
        }
        let mut rows: Vec<Vec<f64>> = core_rows
            .iter()
            .map(|&e| {
                let mut row = vec![0.0; n_core];
                for &(k, a) in &r.eq[e].0 {
                    row[core_column[k].expect("a core unknown")] += a;
                }
                row
            })
            .collect();
        let echelon = echelon_form(&mut rows, n_core);
        Some(Hull {
            point,
            index,
            peeled,
            core_column,
            n_core,
            echelon,
        })
    }

    /// `q . x` if it is the same at every point of the hull.
    fn constant(&self, q: &[f64]) -> Option<f64> {
        let scale = q.iter().fold(0.0f64, |m, a| m.max(a.abs()));
        let value: f64 = q.iter().zip(&self.point).map(|(a, x)| a * x).sum();
        let mut rest = vec![0.0; self.core_column.len()];
        for (k, &a) in q.iter().enumerate() {
            if let Some(i) = self.index[k] {
                rest[i] += a;
            }
        }
        for p in &self.peeled {
            let f = rest[p.unknown] / p.coefficient;
            if f != 0.0 {
                rest[p.unknown] = 0.0;
                for &(j, c) in &p.rest {
                    rest[j] -= f * c;
                }
            }
        }
        let mut core = vec![0.0; self.n_core];
        for (i, &a) in rest.iter().enumerate() {
            match self.core_column[i] {
                Some(c) => core[c] = a,
                None if a.abs() > HULL_TOL * scale => return None,
                None => {}
            }
        }
        for (pivot, row) in &self.echelon {
            let f = core[*pivot] / row[*pivot];
            if f != 0.0 {
                for (c, &a) in core.iter_mut().zip(row) {
                    *c -= f * a;
                }
            }
        }
        core.iter()
            .all(|a| a.abs() <= HULL_TOL * scale)
            .then_some(value)
    }
}

/// Row-echelon form of dense `rows` (`n` columns) by Gaussian elimination with partial
/// pivoting: the pivot column and row of each independent row. A column whose largest entry
/// left is below [`HULL_TOL`] times the matrix's largest is dependent.
fn echelon_form(rows: &mut [Vec<f64>], n: usize) -> Vec<(usize, Vec<f64>)> {
    let big = rows.iter().flatten().fold(0.0f64, |m, a| m.max(a.abs()));
    let mut out = Vec::new();
    let mut top = 0;
    for col in 0..n {
        if top == rows.len() {
            break;
        }
        let (best, size) = (top..rows.len())
            .map(|i| (i, rows[i][col].abs()))
            .fold((top, -1.0), |b, c| if c.1 > b.1 { c } else { b });
        if size <= HULL_TOL * big {
            continue;
        }
        rows.swap(top, best);
        let (head, tail) = rows.split_at_mut(top + 1);
        let pivot = &head[top];
        for row in tail.iter_mut() {
            let f = row[col] / pivot[col];
            if f != 0.0 {
                for (a, &p) in row[col..].iter_mut().zip(&pivot[col..]) {
                    *a -= f * p;
                }
            }
        }
        out.push((col, head[top].clone()));
        top += 1;
    }
    out
}

/// A pair of faces (without and with a change) with the rows whose duals are held equal.
struct Pair {
    p: Problem,
    off0: usize,
    off1: usize,
}

impl Pair {
    fn new(f0: &Face, f1: &Face, coupled: &[(usize, usize)]) -> Pair {
        let mut p = Problem::default();
        let off0 = p.append(f0);
        let off1 = p.append(f1);
        for &(r0, r1) in coupled {
            match (f0.of_row[r0], f1.of_row[r1]) {
                (Some(k0), Some(k1)) => p.eq.push((vec![(off0 + k0, 1.0), (off1 + k1, -1.0)], 0.0)),
                (Some(k0), None) => p.eq.push((vec![(off0 + k0, 1.0)], 0.0)),
                (None, Some(k1)) => p.eq.push((vec![(off1 + k1, 1.0)], 0.0)),
                (None, None) => {}
            }
        }
        Pair { p, off0, off1 }
    }

    /// Coefficients of `g1 . y1 - g0 . y0` over the pair's unknowns.
    fn difference(
        &self,
        f0: &Face,
        g0: &[(usize, f64)],
        f1: &Face,
        g1: &[(usize, f64)],
    ) -> Vec<(usize, f64)> {
        let mut q = Vec::new();
        for &(r, a) in g0 {
            if let Some(k) = f0.of_row[r] {
                q.push((self.off0 + k, -a));
            }
        }
        for &(r, a) in g1 {
            if let Some(k) = f1.of_row[r] {
                q.push((self.off1 + k, a));
            }
        }
        q
    }
}

/// Whether some pair of optimal duals of the two programs has equal duals on every `coupled`
/// row pair (one price system optimal for both).
pub fn common_prices_exist(f0: &Face, f1: &Face, coupled: &[(usize, usize)]) -> bool {
    let pair = Pair::new(f0, f1, coupled);
    pair.p.solve(&vec![0.0; pair.p.n], None, RANGE_TOL).is_ok()
}

/// The least and the most of `g1 . y1 - g0 . y0` over pairs of optimal duals of two programs
/// (a scenario without and with a change), where the duals of `coupled` row pairs (r0, r1) are
/// equal. See [`crate::results::ranges`] for which rows are coupled.
pub fn difference_range(
    f0: &Face,
    g0: &[(usize, f64)],
    f1: &Face,
    g1: &[(usize, f64)],
    coupled: &[(usize, usize)],
) -> Result<(f64, f64), FaceError> {
    // Constant on each face: constant on any subset of their product.
    if let (Some(v0), Some(v1)) = (f0.constant(g0), f1.constant(g1)) {
        return Ok((v1 - v0, v1 - v0));
    }
    let pair = Pair::new(f0, f1, coupled);
    let mut q = vec![0.0; pair.p.n];
    for (k, a) in pair.difference(f0, g0, f1, g1) {
        q[k] += a;
    }
    range_of(pair.p, &q)
}

/// The most the smallest of several differences `constant_i + g1_i . y1 - g0_i . y0` can be
/// over the coupled pair of faces: max t s.t. every difference >= t. (Is there one choice of
/// optimal prices under which every member gains?) The pair is non-empty: the coupling is
/// only made where [`common_prices_exist`].
pub fn max_min_difference(
    f0: &Face,
    f1: &Face,
    coupled: &[(usize, usize)],
    differences: &[(f64, Vec<(usize, f64)>, Vec<(usize, f64)>)],
) -> Result<f64, FaceError> {
    // Every difference constant on the (non-empty) coupled pair: the least of them.
    let constants: Option<Vec<f64>> = differences
        .iter()
        .map(|(c, g0, g1)| Some(c + f1.constant(g1)? - f0.constant(g0)?))
        .collect();
    if let Some(v) = constants {
        return Ok(v.into_iter().fold(f64::INFINITY, f64::min));
    }
    let mut pair = Pair::new(f0, f1, coupled);
    let t = pair.p.n;
    pair.p.n += 1;
    pair.p.signs.push(0.0);
    for (constant, g0, g1) in differences {
        let slack = pair.p.n;
        pair.p.n += 1;
        pair.p.signs.push(1.0);
        let mut terms = pair.difference(f0, g0, f1, g1);
        terms.push((t, -1.0));
        terms.push((slack, -1.0));
        pair.p.eq.push((terms, -constant));
    }
    let mut q = vec![0.0; pair.p.n];
    q[t] = -1.0;
    match pair.p.solve(&q, None, RANGE_TOL) {
        Ok(x) => Ok(x[t]),
        Err(Failure::Unbounded) => Ok(f64::INFINITY),
        Err(Failure::TimeLimit) => Err(FaceError::TimeLimit),
        Err(f) => Err(FaceError::Solver(format!("the max-min LP failed ({f:?})"))),
    }
}

/// The least and most of `q . x` over `p`, which is known to be non-empty (a face whose
/// least-norm point exists, or a pair of them shown to have common prices).
fn range_of(mut p: Problem, q: &[f64]) -> Result<(f64, f64), FaceError> {
    if q.iter().all(|&a| a == 0.0) {
        return Ok((0.0, 0.0));
    }
    p.known_feasible = true;
    let dot = |x: &[f64]| x.iter().zip(q).map(|(a, b)| a * b).sum::<f64>();
    let end = |q: &[f64], unbounded: f64| match p.solve(q, None, RANGE_TOL) {
        Ok(x) => Ok(dot(&x)),
        Err(Failure::Unbounded) => Ok(unbounded),
        Err(Failure::TimeLimit) => Err(FaceError::TimeLimit),
        Err(f) => Err(FaceError::Solver(format!("a range LP failed ({f:?})"))),
    };
    let lo = end(q, f64::NEG_INFINITY)?;
    let neg: Vec<f64> = q.iter().map(|a| -a).collect();
    let hi = end(&neg, f64::INFINITY)?;
    Ok((lo, hi))
}

/// Relative tolerance of the signs and equations of the unknowns [`Problem::solve`] fixes
/// before Clarabel: that of the complementary-slackness classification.
const FIXED_TOL: f64 = ACTIVE_TOL;

/// Why a face problem has no solution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    Infeasible,
    /// The objective is unbounded below over the face (a range with an infinite end).
    Unbounded,
    Numerical,
    /// The deadline passed.
    TimeLimit,
}

/// The coefficient of unknown `k` in an equation's terms (summed: a term may repeat).
fn coefficient(terms: &[(usize, f64)], k: usize) -> f64 {
    terms
        .iter()
        .filter(|&&(j, _)| j == k)
        .map(|&(_, a)| a)
        .sum()
}

/// The largest |coefficient| of an equation's terms (the yardstick of a pivot too small to
/// trust).
fn largest(terms: &[(usize, f64)]) -> f64 {
    terms.iter().fold(0.0f64, |m, &(_, a)| m.max(a.abs()))
}

/// A problem after [`Problem::substitute`].
struct Substituted {
    /// Per unknown, its value if an equation fixed it.
    fixed: Vec<Option<f64>>,
    /// The problem over the unknowns left.
    reduced: Problem,
    /// Per unknown, its index in `reduced` (usize::MAX when fixed).
    index: Vec<usize>,
}

/// Equations and sign restrictions over `n` unknowns, in Clarabel's form.
#[derive(Default)]
struct Problem {
    n: usize,
    signs: Vec<f64>,
    eq: Vec<(Vec<(usize, f64)>, f64)>,
    /// No Clarabel solve runs past this instant.
    deadline: Option<Instant>,
    /// The problem is known to have a point: an objective that is constant over what the
    /// substitution leaves needs no solver (issue 13: most welfare and gain ranges of the
    /// world are such, a Clarabel solve each).
    known_feasible: bool,
}

impl Problem {
    /// Append a face's unknowns and equations; returns the offset of its unknowns.
    fn append(&mut self, f: &Face) -> usize {
        let off = self.n;
        self.deadline = match (self.deadline, f.deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.n += f.unknowns.len();
        self.signs.extend_from_slice(&f.signs);
        for (terms, rhs) in &f.equations {
            self.eq
                .push((terms.iter().map(|&(k, a)| (off + k, a)).collect(), *rhs));
        }
        off
    }

    /// Minimise q.x (+ 1/2 sum diag x^2) over the equations and signs, to tolerance `tol`.
    ///
    /// Unknowns that an equation with a single undetermined unknown fixes are substituted
    /// first (issue 13 item 2, models/decisions.md 70): on a transport-like LP most duals are
    /// fixed by a chain of such equations, every point of the face has those values, and only
    /// the rest (a third of the unknowns on the world) goes to Clarabel. The answer is the
    /// same optimum of the same problem; a fixed value that breaks its sign by more than
    /// [`FIXED_TOL`] (relative), or an equation left without unknowns that does not hold, is
    /// infeasibility, as Clarabel would find.
    fn solve(&self, q: &[f64], diag: Option<&[f64]>, tol: f64) -> Result<Vec<f64>, Failure> {
        let n = self.n;
        let sub = self.substitute()?;
        if sub.reduced.n == n {
            return self.solve_clarabel(q, diag, tol);
        }
        let keep = |v: &[f64]| -> Vec<f64> {
            (0..n)
                .filter(|&k| sub.fixed[k].is_none())
                .map(|k| v[k])
                .collect()
        };
        let rq = keep(q);
        if self.known_feasible && diag.is_none() && rq.iter().all(|&a| a == 0.0) {
            // Every point of the problem has the same objective; the unknowns left are set to 0
            // (they do not enter q . x).
            return Ok(sub.fixed.iter().map(|v| v.unwrap_or(0.0)).collect());
        }
        let rdiag = diag.map(keep);
        let part = sub.reduced.solve_clarabel(&rq, rdiag.as_deref(), tol)?;
        Ok((0..n)
            .map(|k| sub.fixed[k].unwrap_or_else(|| part[sub.index[k]]))
            .collect())
    }

    /// The unknowns that an equation with a single undetermined unknown fixes, substituted in
    /// index order (so the same each run), and the problem over the unknowns left.
    fn substitute(&self) -> Result<Substituted, Failure> {
        let n = self.n;
        let mut of_unknown: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (e, (terms, _)) in self.eq.iter().enumerate() {
            for &(k, _) in terms {
                if of_unknown[k].last() != Some(&e) {
                    of_unknown[k].push(e);
                }
            }
        }
        let coef = |e: usize, k: usize| coefficient(&self.eq[e].0, k);
        let mut x: Vec<Option<f64>> = vec![None; n];
        let mut open: Vec<usize> = self
            .eq
            .iter()
            .map(|(t, _)| {
                let mut ks: Vec<usize> = t.iter().map(|&(k, _)| k).collect();
                ks.sort_unstable();
                ks.dedup();
                ks.len()
            })
            .collect();
        let mut rest: Vec<f64> = self.eq.iter().map(|(_, b)| *b).collect();
        let mut queue: Vec<usize> = (0..self.eq.len()).filter(|&e| open[e] == 1).collect();
        queue.reverse();
        while let Some(e) = queue.pop() {
            if open[e] != 1 {
                continue;
            }
            let terms = &self.eq[e].0;
            let big = largest(terms);
            let Some(&(k, _)) = terms.iter().find(|&&(k, _)| x[k].is_none()) else {
                continue;
            };
            let a = coef(e, k);
            if a.abs() <= 1e-9 * big {
                // Too small a pivot to trust: leave the unknown to Clarabel.
                continue;
            }
            let v = rest[e] / a;
            x[k] = Some(v);
            for &f in &of_unknown[k] {
                open[f] -= 1;
                rest[f] -= coef(f, k) * v;
                if open[f] == 1 {
                    queue.push(f);
                }
            }
        }
        let scale = self.money_scale();
        for (k, v) in x.iter().enumerate() {
            if let Some(v) = v {
                if self.signs[k] * v < -FIXED_TOL * scale {
                    return Err(Failure::Infeasible);
                }
            }
        }
        let mut index = vec![usize::MAX; n];
        let mut reduced = Problem {
            deadline: self.deadline,
            ..Problem::default()
        };
        for k in 0..n {
            if x[k].is_none() {
                index[k] = reduced.n;
                reduced.n += 1;
                reduced.signs.push(self.signs[k]);
            }
        }
        for (e, (terms, _)) in self.eq.iter().enumerate() {
            if open[e] == 0 {
                if rest[e].abs() > FIXED_TOL * scale {
                    return Err(Failure::Infeasible);
                }
                continue;
            }
            let t = terms
                .iter()
                .filter(|&&(k, _)| x[k].is_none())
                .map(|&(k, a)| (index[k], a))
                .collect();
            reduced.eq.push((t, rest[e]));
        }
        Ok(Substituted {
            fixed: x,
            reduced,
            index,
        })
    }

    /// The largest right-hand side (at least 1): the problem's money scale.
    fn money_scale(&self) -> f64 {
        self.eq
            .iter()
            .map(|(_, b)| b.abs())
            .filter(|v| v.is_finite())
            .fold(1.0f64, f64::max)
    }

    /// [`Problem::solve`] by Clarabel alone.
    ///
    /// A least-norm point (with `diag`) is polished: an interior point converges only like the
    /// square root of its tolerance on a sign-restricted unknown that is 0 with a zero
    /// multiplier (a price that should be 0 came out as 3e-5), so the unknowns that look
    /// active (value <= max(multiplier, 1e-5) in money units) are fixed at 0 and the QP is
    /// solved again with them as equations; an unknown whose multiplier then comes out negative is freed and the QP solved
    /// again. The polished point is kept only when it is optimal for the original problem
    /// (every fixed unknown's multiplier is >= 0: the KKT conditions hold); otherwise the first
    /// point is returned.
    fn solve_clarabel(
        &self,
        q: &[f64],
        diag: Option<&[f64]>,
        tol: f64,
    ) -> Result<Vec<f64>, Failure> {
        let n = self.n;
        if n == 0 {
            return if self.eq.iter().all(|(_, rhs)| rhs.abs() <= 1e-9) {
                Ok(Vec::new())
            } else {
                Err(Failure::Infeasible)
            };
        }
        // Money units: every equation is homogeneous of degree one in the unknowns (duals are
        // money per unit), so dividing every right-hand side by the money scale σ solves the same
        // problem in units where the largest is 1 (the argmin of a norm or of a linear
        // objective is unchanged); the point is multiplied back by σ. Clarabel's tolerances are
        // absolute, so without this a scenario in thousandths or in millions fails.
        let sigma = self
            .eq
            .iter()
            .map(|(_, rhs)| rhs.abs())
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::max);
        let sigma = if sigma > 0.0 { sigma } else { 1.0 };
        // The same for a linear objective: its scale does not move the argmin.
        let q_scale = q
            .iter()
            .map(|v| v.abs())
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::max);
        let q: Vec<f64> = if q_scale > 0.0 {
            q.iter().map(|v| v / q_scale).collect()
        } else {
            q.to_vec()
        };
        let none = vec![false; n];
        let (x, z, iterations) = self.clarabel(&q, diag, tol, sigma, &none, MAX_ITER)?;
        // A polish round is the same problem with some unknowns fixed: it converges in about
        // as many steps, and one that does not is one whose fixed set is wrong (Clarabel
        // then spends hundreds of steps proving it infeasible: 12 s of the 60-country LP;
        // models/decisions.md 201).
        let polish_iter = 2 * iterations + 10;
        // In money units σ the point is of order 1; an unknown below 1e-5 that is truly
        // positive fails the KKT test below and the first point is kept.
        let mut fixed: Vec<bool> = (0..n)
            .map(|k| self.signs[k] != 0.0 && self.signs[k] * x[k] <= z[k].max(1e-5))
            .collect();
        // An active-set loop: an unknown whose multiplier comes out negative wants to be
        // positive, so it is freed and the QP solved again (a few rounds at most).
        let mut polished = None;
        if diag.is_some() {
            for _ in 0..POLISH_ROUNDS {
                if !fixed.iter().any(|&f| f) {
                    break;
                }
                let (xp, zp, _) = match self.clarabel(&q, diag, tol, sigma, &fixed, polish_iter) {
                    Ok(r) => r,
                    Err(Failure::TimeLimit) => return Err(Failure::TimeLimit),
                    Err(_) => break,
                };
                let scale = zp.iter().fold(1.0f64, |a, v| a.max(v.abs()));
                let wrong: Vec<usize> = (0..n)
                    .filter(|&k| fixed[k] && zp[k] < -1e-7 * scale)
                    .collect();
                if wrong.is_empty() {
                    polished = Some(xp);
                    break;
                }
                for k in wrong {
                    fixed[k] = false;
                }
            }
        }
        Ok(polished.unwrap_or(x).iter().map(|x| x * sigma).collect())
    }

    /// One Clarabel solve in money units σ, with the sign-restricted unknowns in `fixed` held
    /// at 0, in at most `max_iter` steps. Returns the point, per unknown the multiplier of its
    /// sign restriction (0 for a free unknown), and the steps taken.
    ///
    /// A sign-restricted unknown that is a slack (in one equation only, not in the objective)
    /// is not given to Clarabel: its equation becomes the inequality "the slack it would take
    /// has the right sign" (issue 13). On a face these are the bound multipliers of columns at
    /// a bound, most of the unknowns (a flow at 0 gives "its reduced cost <= 0"), so the
    /// KKT system Clarabel factors at every step is about a third of the size. The problem,
    /// its optimum and the multipliers are the same: the inequality row's slack is exactly
    /// `sign * x_k`, so its multiplier is that of the sign restriction it replaces.
    fn clarabel(
        &self,
        q: &[f64],
        diag: Option<&[f64]>,
        tol: f64,
        sigma: f64,
        fixed: &[bool],
        max_iter: u32,
    ) -> Result<(Vec<f64>, Vec<f64>, u32), Failure> {
        let n = self.n;
        let slack_of = self.slacks(q, diag);
        // Clarabel's columns: the unknowns that are not eliminated slacks.
        let mut eliminated = vec![false; n];
        for &(k, _) in slack_of.iter().flatten() {
            eliminated[k] = true;
        }
        let mut column = vec![usize::MAX; n];
        let mut n_kept = 0;
        for k in 0..n {
            if !eliminated[k] {
                column[k] = n_kept;
                n_kept += 1;
            }
        }
        // Rows, each with its cone: equations without a slack (zero cone); equations with one,
        // scaled so the row's slack is sign * x_k (zero cone when x_k is fixed at 0, else
        // nonnegative); the sign rows s = sign * x of the other restricted unknowns.
        struct RowSpec {
            terms: Vec<(usize, f64)>,
            rhs: f64,
            zero: bool,
            /// The unknown whose sign restriction this row carries.
            of: Option<usize>,
        }
        let mut specs = Vec::with_capacity(self.eq.len() + n);
        for (e, (terms, rhs)) in self.eq.iter().enumerate() {
            match slack_of[e] {
                None => specs.push(RowSpec {
                    terms: terms.iter().map(|&(k, a)| (column[k], a)).collect(),
                    rhs: *rhs / sigma,
                    zero: true,
                    of: None,
                }),
                Some((k, b)) => {
                    let f = self.signs[k] / b;
                    specs.push(RowSpec {
                        terms: terms
                            .iter()
                            .filter(|&&(j, _)| j != k)
                            .map(|&(j, a)| (column[j], f * a))
                            .collect(),
                        rhs: f * *rhs / sigma,
                        zero: fixed[k],
                        of: Some(k),
                    });
                }
            }
        }
        for (k, &sign) in self.signs.iter().enumerate() {
            if sign != 0.0 && column[k] != usize::MAX {
                specs.push(RowSpec {
                    terms: vec![(column[k], -sign)],
                    rhs: 0.0,
                    zero: fixed[k],
                    of: Some(k),
                });
            }
        }
        // Zero-cone rows first (stable: file order within each block).
        specs.sort_by_key(|r| !r.zero);
        let m = specs.len();
        let m_zero = specs.iter().filter(|r| r.zero).count();
        let mut cols: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n_kept];
        let mut b = Vec::with_capacity(m);
        let mut row_of = vec![None; n];
        for (i, r) in specs.iter().enumerate() {
            for &(c, a) in &r.terms {
                cols[c].push((i, a));
            }
            b.push(r.rhs);
            if let Some(k) = r.of {
                row_of[k] = Some(i);
            }
        }
        let a = csc(m, cols);
        let p = match diag {
            Some(d) => csc(
                n_kept,
                (0..n)
                    .filter(|&k| column[k] != usize::MAX)
                    .map(|k| {
                        if d[k] > 0.0 {
                            vec![(column[k], d[k])]
                        } else {
                            Vec::new()
                        }
                    })
                    .collect(),
            ),
            None => CscMatrix::zeros((n_kept, n_kept)),
        };
        let q_kept: Vec<f64> = (0..n)
            .filter(|&k| column[k] != usize::MAX)
            .map(|k| q[k])
            .collect();
        let mut cones = Vec::new();
        if m_zero > 0 {
            cones.push(SupportedConeT::ZeroConeT(m_zero));
        }
        if m > m_zero {
            cones.push(SupportedConeT::NonnegativeConeT(m - m_zero));
        }
        let time_limit = match self.deadline {
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(Failure::TimeLimit);
                }
                left.as_secs_f64()
            }
            None => f64::INFINITY,
        };
        let settings = DefaultSettingsBuilder::default()
            .verbose(false)
            .tol_gap_abs(tol)
            .tol_gap_rel(tol)
            .tol_feas(tol)
            .tol_ktratio(tol.max(1e-9))
            .max_iter(max_iter)
            .time_limit(time_limit)
            .build()
            .expect("valid Clarabel settings");
        let mut solver = DefaultSolver::new(&p, &q_kept, &a, &b, &cones, settings)
            .map_err(|_| Failure::Numerical)?;
        solver.solve();
        match solver.solution.status {
            SolverStatus::Solved | SolverStatus::AlmostSolved => {
                let sol = &solver.solution;
                let mut x = vec![0.0; n];
                for k in 0..n {
                    if column[k] != usize::MAX {
                        x[k] = sol.x[column[k]];
                    }
                }
                // An eliminated slack from its equation (exactly what it must be).
                for (e, (terms, rhs)) in self.eq.iter().enumerate() {
                    if let Some((k, b)) = slack_of[e] {
                        let rest: f64 = terms
                            .iter()
                            .filter(|&&(j, _)| j != k)
                            .map(|&(j, a)| a * x[j])
                            .sum();
                        x[k] = (*rhs / sigma - rest) / b;
                    }
                }
                let z = row_of.iter().map(|r| r.map_or(0.0, |i| sol.z[i])).collect();
                Ok((x, z, sol.iterations))
            }
            SolverStatus::PrimalInfeasible | SolverStatus::AlmostPrimalInfeasible => {
                Err(Failure::Infeasible)
            }
            SolverStatus::DualInfeasible | SolverStatus::AlmostDualInfeasible => {
                Err(Failure::Unbounded)
            }
            SolverStatus::MaxTime => Err(Failure::TimeLimit),
            _ => Err(Failure::Numerical),
        }
    }

    /// Per equation, the slack it can be written without: a sign-restricted unknown with no
    /// objective term that appears in that equation only, once, with a coefficient `b` well
    /// away from 0 (at most one per equation).
    fn slacks(&self, q: &[f64], diag: Option<&[f64]>) -> Vec<Option<(usize, f64)>> {
        let n = self.n;
        let mut count = vec![0usize; n];
        for (terms, _) in &self.eq {
            for &(k, _) in terms {
                count[k] += 1;
            }
        }
        let mut taken = vec![false; n];
        self.eq
            .iter()
            .map(|(terms, _)| {
                let big = largest(terms);
                let &(k, b) = terms.iter().find(|&&(k, b)| {
                    count[k] == 1
                        && !taken[k]
                        && self.signs[k] != 0.0
                        && q[k] == 0.0
                        && diag.is_none_or(|d| d[k] == 0.0)
                        && b.abs() >= 1e-3 * big
                })?;
                taken[k] = true;
                Some((k, b))
            })
            .collect()
    }
}

/// A CSC matrix from per-column (row, value) lists (sorted and merged here).
fn csc(m: usize, cols: Vec<Vec<(usize, f64)>>) -> CscMatrix<f64> {
    let n = cols.len();
    let mut colptr = Vec::with_capacity(n + 1);
    let mut rowval = Vec::new();
    let mut nzval = Vec::new();
    colptr.push(0);
    for mut c in cols {
        c.sort_unstable_by_key(|e| e.0);
        let mut last: Option<usize> = None;
        for (i, v) in c {
            if last == Some(i) {
                *nzval.last_mut().expect("merged entry") += v;
            } else {
                rowval.push(i);
                nzval.push(v);
                last = Some(i);
            }
        }
        colptr.push(rowval.len());
    }
    CscMatrix::new(m, n, colptr, rowval, nzval)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// y1 free, y2 >= 0, and two slacks s1, s2 >= 0:
    ///   y1 + y2 - s1 = 1   (y1 + y2 >= 1)
    ///   y1      - s2 = 0.5 (y1 >= 0.5)
    fn problem() -> Problem {
        Problem {
            n: 4,
            signs: vec![0.0, 1.0, 1.0, 1.0],
            eq: vec![
                (vec![(0, 1.0), (1, 1.0), (2, -1.0)], 1.0),
                (vec![(0, 1.0), (3, -1.0)], 0.5),
            ],
            ..Problem::default()
        }
    }

    #[test]
    fn slacks_are_found_and_the_least_norm_point_is_the_hand_solved_one() {
        let p = problem();
        let diag = [1.0, 1.0, 0.0, 0.0];
        let q = [0.0; 4];
        // Both slacks leave Clarabel (each equation becomes an inequality).
        assert_eq!(
            p.slacks(&q, Some(&diag)),
            vec![Some((2, -1.0)), Some((3, -1.0))]
        );
        // min y1^2 + y2^2 over y1 + y2 >= 1, y1 >= 0.5, y2 >= 0: the nearest point of the line
        // y1 + y2 = 1 to the origin is (0.5, 0.5), which meets y1 >= 0.5 with equality; both
        // slacks are 0 there.
        let x = p.solve(&q, Some(&diag), PRICE_TOL).unwrap();
        for (k, want) in [0.5, 0.5, 0.0, 0.0].into_iter().enumerate() {
            assert!(
                (x[k] - want).abs() < 1e-7,
                "x[{k}] = {} (want {want})",
                x[k]
            );
        }
    }

    #[test]
    fn ranges_over_a_problem_with_slacks() {
        // y2 over the set: least 0 (y1 = 1), no most (y2 grows with y1 fixed at 0.5).
        let (lo, hi) = range_of(problem(), &[0.0, 1.0, 0.0, 0.0]).unwrap();
        assert!(lo.abs() < 1e-7, "least y2 {lo}");
        assert_eq!(hi, f64::INFINITY);
        // y1 - 0.5 is the slack s2: least 0, no most.
        let (lo, _) = range_of(problem(), &[0.0, 0.0, 0.0, 1.0]).unwrap();
        assert!(lo.abs() < 1e-7, "least s2 {lo}");
    }

    #[test]
    fn an_objective_fixed_by_the_substitution_needs_no_solver() {
        // y1 = 2 (one unknown: substituted), y2 >= 0 free to move with its slack: the range of
        // 3 y1 is the point 6 whatever y2 does; with `known_feasible` no solver runs (the
        // deadline has passed, so one would answer "time limit").
        let p = Problem {
            n: 3,
            signs: vec![0.0, 1.0, 1.0],
            eq: vec![
                (vec![(0, 1.0)], 2.0),
                (vec![(0, 1.0), (1, 1.0), (2, -1.0)], 3.0),
            ],
            deadline: Some(Instant::now()),
            ..Problem::default()
        };
        assert_eq!(range_of(p, &[3.0, 0.0, 0.0]).unwrap(), (6.0, 6.0));
    }

    /// x0, x1 free; s, t, u >= 0:
    ///   x0 - x1 + s = 0   (x1 >= x0)
    ///   x1 - x0 + t = 0   (x0 >= x1)
    ///   x0      + u = 1   (x0 <= 1)
    /// The set is {x0 = x1 <= 1}: s and t are 0 at every point (implicit equalities) although
    /// no equation says so; u is a loose slack (peeled).
    fn thin() -> Problem {
        Problem {
            n: 5,
            signs: vec![0.0, 0.0, 1.0, 1.0, 1.0],
            eq: vec![
                (vec![(0, 1.0), (1, -1.0), (2, 1.0)], 0.0),
                (vec![(1, 1.0), (0, -1.0), (3, 1.0)], 0.0),
                (vec![(0, 1.0), (4, 1.0)], 1.0),
            ],
            ..Problem::default()
        }
    }

    #[test]
    fn the_hull_tells_constant_functions_through_implicit_equalities() {
        let hull = Hull::of(thin()).expect("a clear gap between tight and loose");
        let near = |v: Option<f64>, want: f64| v.is_some_and(|v| (v - want).abs() < 1e-7);
        // x0 - x1 = -s = 0 everywhere: constant only because s is an implicit equality.
        assert!(near(hull.constant(&[1.0, -1.0, 0.0, 0.0, 0.0]), 0.0));
        // x0 + u = 1 by the third equation (u peeled onto x0, then x0 - x0 = 0).
        assert!(near(hull.constant(&[1.0, 0.0, 0.0, 0.0, 1.0]), 1.0));
        // 2 s + 3 t: both pinned at 0.
        assert!(near(hull.constant(&[0.0, 0.0, 2.0, 3.0, 0.0]), 0.0));
        // x0 runs over (-inf, 1], and with it u and x0 + x1.
        assert_eq!(hull.constant(&[1.0, 0.0, 0.0, 0.0, 0.0]), None);
        assert_eq!(hull.constant(&[0.0, 0.0, 0.0, 0.0, 1.0]), None);
        assert_eq!(hull.constant(&[1.0, 1.0, 0.0, 0.0, 0.0]), None);
        // The LPs agree where the hull says "constant" and where it does not.
        let (lo, hi) = range_of(thin(), &[1.0, -1.0, 0.0, 0.0, 0.0]).unwrap();
        assert!(
            lo.abs() < 1e-7 && hi.abs() < 1e-7,
            "x0 - x1 over [{lo}, {hi}]"
        );
        let (lo, hi) = range_of(thin(), &[1.0, 0.0, 0.0, 0.0, 0.0]).unwrap();
        assert_eq!(lo, f64::NEG_INFINITY);
        assert!((hi - 1.0).abs() < 1e-7, "most x0 {hi}");
    }

    #[test]
    fn a_face_range_of_a_constant_function_runs_no_range_lp() {
        // The same set as a face's problem: once the hull is known, a constant function's range
        // is answered from it even with the deadline passed (a range LP would say "time
        // limit").
        let face = Face {
            unknowns: (0..5).map(Unknown::Dual).collect(),
            signs: thin().signs,
            of_row: (0..5).map(Some).collect(),
            equations: thin().eq,
            n_rows: 5,
            deadline: None,
            hull: OnceLock::new(),
        };
        assert!(face.constant(&[(0, 1.0), (1, -1.0)]).is_some());
        let late = Face {
            deadline: Some(Instant::now()),
            ..face.clone()
        };
        let (lo, hi) = late.range(&[(0, 1.0), (1, -1.0)]).unwrap();
        assert!(lo.abs() < 1e-7 && lo == hi);
        assert!(matches!(late.range(&[(0, 1.0)]), Err(FaceError::TimeLimit)));
    }

    #[test]
    fn echelon_form_finds_the_rank_of_dependent_rows() {
        // Row 3 = row 1 + row 2: rank 2, pivots in columns 0 and 1.
        let mut rows = vec![
            vec![1.0, 2.0, 3.0],
            vec![0.0, 1.0, 1.0],
            vec![1.0, 3.0, 4.0],
        ];
        let e = echelon_form(&mut rows, 3);
        assert_eq!(e.iter().map(|(c, _)| *c).collect::<Vec<_>>(), vec![0, 1]);
    }

    /// On real faces (the world, a generated 12-country scenario, each as a MIP and relaxed),
    /// every range the hull answers is the one the range LPs give, and the hull answers most.
    #[test]
    fn hull_ranges_equal_the_range_lps_on_real_faces() {
        use crate::formulation::BuildOptions;
        use crate::generate::{generate, GenerateOptions};
        use crate::results::{ranges::welfare_forms, SolveConfig};
        use crate::scenario::{Format, Scenario};
        let world = Scenario::from_path(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/instances/world-2026.toml"
        ))
        .unwrap();
        let text = generate(&GenerateOptions {
            countries: 12,
            ..GenerateOptions::default()
        })
        .unwrap();
        let generated = Scenario::from_str(&text, Format::Toml, "g12.toml").unwrap();
        let (mut answered, mut asked) = (0, 0);
        for s in [&world, &generated] {
            for relax in [false, true] {
                let opts = BuildOptions {
                    relax,
                    ..BuildOptions::default()
                };
                let o = crate::results::solve(s, &opts, &SolveConfig::default()).unwrap();
                let sol = o.solution.as_ref().unwrap();
                let face = sol.face.as_deref().unwrap();
                for f in welfare_forms(s, &o.program, &sol.values) {
                    asked += 1;
                    let Some(v) = face.constant(&f.terms) else {
                        continue;
                    };
                    answered += 1;
                    let (lo, hi) = range_of(face.problem(), &face.objective(&f.terms)).unwrap();
                    let tol = 1e-7 * v.abs().max(1.0);
                    assert!(
                        (lo - v).abs() <= tol && (hi - v).abs() <= tol,
                        "{}: the hull says {v}, the LPs [{lo}, {hi}]",
                        s.meta.name
                    );
                }
            }
        }
        assert!(
            2 * answered > asked,
            "the hull answered {answered} of {asked}"
        );
    }
}
