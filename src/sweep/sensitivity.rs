//! Sensitivity of a sweep's metrics: sample designs (Sobol, Latin hypercube, Monte Carlo),
//! Sobol indices (Saltelli 2010 first order, Jansen 1999 total), exact variance decomposition on
//! a full grid, one-at-a-time effects (tornado) and the sign-change flag. Pure functions, so
//! they are tested on analytic functions (Ishigami, linear models) without solving anything.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// How unit-cube points are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sampler {
    /// Owen-scrambled Sobol sequence (`sobol_burley`), seeded.
    Sobol,
    /// Latin hypercube: each dimension stratified into n equal cells, one point per cell.
    Lhs,
    /// Independent uniform draws (ChaCha8, seeded).
    MonteCarlo,
}

/// `n` points in the unit cube of dimension `dims` (at most 256 for Sobol): row k is point k.
pub fn unit_samples(sampler: Sampler, n: usize, dims: usize, seed: u64) -> Vec<Vec<f64>> {
    match sampler {
        Sampler::Sobol => (0..n)
            .map(|k| {
                (0..dims)
                    .map(|j| sobol_burley::sample(k as u32, j as u32, seed as u32) as f64)
                    .collect()
            })
            .collect(),
        Sampler::MonteCarlo => {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            (0..n)
                .map(|_| (0..dims).map(|_| rng.gen::<f64>()).collect())
                .collect()
        }
        Sampler::Lhs => {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut out = vec![vec![0.0; dims]; n];
            for j in 0..dims {
                let mut cells: Vec<usize> = (0..n).collect();
                // Fisher-Yates with the seeded generator (same seed, same design).
                for i in (1..n).rev() {
                    let k = rng.gen_range(0..=i);
                    cells.swap(i, k);
                }
                for (row, cell) in out.iter_mut().zip(cells) {
                    row[j] = (cell as f64 + rng.gen::<f64>()) / n as f64;
                }
            }
            out
        }
    }
}

/// The Saltelli design in the unit cube: matrices A and B (n x d each, from one 2d-dimensional
/// sample) and AB_i = A with column i taken from B. Returns (A, B, [AB_1..AB_d]).
pub type SaltelliDesign = (Vec<Vec<f64>>, Vec<Vec<f64>>, Vec<Vec<Vec<f64>>>);

pub fn saltelli_design(sampler: Sampler, n: usize, d: usize, seed: u64) -> SaltelliDesign {
    let u = unit_samples(sampler, n, 2 * d, seed);
    let a: Vec<Vec<f64>> = u.iter().map(|r| r[..d].to_vec()).collect();
    let b: Vec<Vec<f64>> = u.iter().map(|r| r[d..].to_vec()).collect();
    let ab = (0..d)
        .map(|i| {
            a.iter()
                .zip(&b)
                .map(|(ra, rb)| {
                    let mut r = ra.clone();
                    r[i] = rb[i];
                    r
                })
                .collect()
        })
        .collect();
    (a, b, ab)
}

/// First-order and total Sobol index of one parameter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SobolIndex {
    pub first: f64,
    pub total: f64,
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn variance(v: &[f64]) -> f64 {
    let m = mean(v);
    v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / v.len() as f64
}

/// Sobol indices from the model values on a Saltelli design: `fa[k] = f(A_k)`, `fb[k] =
/// f(B_k)`, `fab[i][k] = f(AB_i,k)`. First order by Saltelli et al. (2010),
/// `S_i = mean(f(B) (f(AB_i) - f(A))) / V`; total by Jansen (1999),
/// `T_i = mean((f(A) - f(AB_i))^2) / 2V`; V is the variance of f(A) and f(B) together. NaN
/// when the output does not vary (V = 0) or an input is NaN.
pub fn saltelli_indices(fa: &[f64], fb: &[f64], fab: &[Vec<f64>]) -> Vec<SobolIndex> {
    let all: Vec<f64> = fa.iter().chain(fb).copied().collect();
    let v = variance(&all);
    fab.iter()
        .map(|fi| {
            let n = fa.len() as f64;
            let first = fa
                .iter()
                .zip(fb)
                .zip(fi)
                .map(|((a, b), ab)| b * (ab - a))
                .sum::<f64>()
                / n
                / v;
            let total = fa
                .iter()
                .zip(fi)
                .map(|(a, ab)| (a - ab) * (a - ab))
                .sum::<f64>()
                / (2.0 * n)
                / v;
            if v > 0.0 {
                SobolIndex { first, total }
            } else {
                SobolIndex {
                    first: f64::NAN,
                    total: f64::NAN,
                }
            }
        })
        .collect()
}

/// Exact variance decomposition of a full factorial grid with equal weights: `y` in grid order
/// (the first parameter varies slowest), `levels[i]` values of parameter i. First order
/// `Var(E[Y|X_i]) / Var(Y)`, total `E[Var(Y|X_~i)] / Var(Y)`.
pub fn grid_indices(levels: &[usize], y: &[f64]) -> Vec<SobolIndex> {
    let v = variance(y);
    let d = levels.len();
    // Stride of parameter i in the flat grid order.
    let mut stride = vec![1usize; d];
    for i in (0..d.saturating_sub(1)).rev() {
        stride[i] = stride[i + 1] * levels[i + 1];
    }
    (0..d)
        .map(|i| {
            if v <= 0.0 || v.is_nan() {
                return SobolIndex {
                    first: f64::NAN,
                    total: f64::NAN,
                };
            }
            let digit = |k: usize| (k / stride[i]) % levels[i];
            let mut sums = vec![0.0; levels[i]];
            let mut counts = vec![0usize; levels[i]];
            for (k, yk) in y.iter().enumerate() {
                sums[digit(k)] += yk;
                counts[digit(k)] += 1;
            }
            let means: Vec<f64> = sums
                .iter()
                .zip(&counts)
                .map(|(s, c)| s / *c as f64)
                .collect();
            let first = variance(&means) / v;
            // Groups: every other coordinate fixed, parameter i varying.
            let mut within = 0.0;
            let mut groups = 0usize;
            for k in 0..y.len() {
                if digit(k) != 0 {
                    continue;
                }
                let g: Vec<f64> = (0..levels[i]).map(|j| y[k + j * stride[i]]).collect();
                within += variance(&g);
                groups += 1;
            }
            SobolIndex {
                first,
                total: within / groups as f64 / v,
            }
        })
        .collect()
}

/// One parameter's one-at-a-time effect: the metric at its low and high value with every other
/// parameter at its base value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effect {
    pub parameter: String,
    pub low: f64,
    pub high: f64,
    pub y_low: Option<f64>,
    pub y_high: Option<f64>,
    /// y_high - y_low.
    pub effect: Option<f64>,
    /// effect / (high - low): the coefficient of a linear model.
    pub slope: Option<f64>,
}

/// Tornado: one [`Effect`] per parameter, sorted by |effect| (largest first; unknown last).
pub fn tornado(
    names: &[String],
    lows: &[f64],
    highs: &[f64],
    y_low: &[Option<f64>],
    y_high: &[Option<f64>],
) -> Vec<Effect> {
    let mut out: Vec<Effect> = (0..names.len())
        .map(|i| {
            let effect = match (y_low[i], y_high[i]) {
                (Some(a), Some(b)) => Some(b - a),
                _ => None,
            };
            let width = highs[i] - lows[i];
            Effect {
                parameter: names[i].clone(),
                low: lows[i],
                high: highs[i],
                y_low: y_low[i],
                y_high: y_high[i],
                effect,
                slope: effect.filter(|_| width != 0.0).map(|e| e / width),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        let key = |e: &Effect| e.effect.map_or(-1.0, f64::abs);
        key(b).total_cmp(&key(a))
    });
    out
}

/// Does a metric take both signs over the sweep? Values within `tol` of zero count as zero.
pub fn changes_sign(values: &[f64], tol: f64) -> bool {
    values.iter().any(|&v| v > tol) && values.iter().any(|&v| v < -tol)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lhs_puts_one_point_per_cell() {
        let u = unit_samples(Sampler::Lhs, 10, 3, 7);
        for j in 0..3 {
            let mut cells: Vec<usize> = u.iter().map(|r| (r[j] * 10.0) as usize).collect();
            cells.sort();
            assert_eq!(cells, (0..10).collect::<Vec<_>>());
        }
        assert_eq!(u, unit_samples(Sampler::Lhs, 10, 3, 7));
    }

    #[test]
    fn grid_indices_of_an_additive_function() {
        // y = x0 + 2 x1 on a 3 x 3 grid of {0, 1, 2}: no interaction, S = T.
        let mut y = Vec::new();
        for a in 0..3 {
            for b in 0..3 {
                y.push(a as f64 + 2.0 * b as f64);
            }
        }
        let s = grid_indices(&[3, 3], &y);
        assert!((s[0].first - 0.2).abs() < 1e-12 && (s[0].total - 0.2).abs() < 1e-12);
        assert!((s[1].first - 0.8).abs() < 1e-12 && (s[1].total - 0.8).abs() < 1e-12);
    }
}
