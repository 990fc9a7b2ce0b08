//! Productivity of input matrices (MODEL.md section 2, capability `inputs`).
//!
//! A Leontief technology A (a[k,l] units of k per unit of l) can deliver a positive net output
//! only if its spectral radius is below 1; otherwise the balance rows force unbounded or zero
//! production. A is non-negative, so its radius is the largest radius over the strongly
//! connected components of its support graph; checking component by component also tells the
//! user *where* the problem is, as a cycle of layers.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};

use nalgebra::{DMatrix, Schur};

use super::validate::fmt_num;

/// Radius at or above which a technology is rejected.
const LIMIT: f64 = 1.0 - 1e-12;

/// A strongly connected component whose spectral radius is >= 1.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Offense {
    pub radius: f64,
    /// Layers of the component, ascending.
    pub nodes: Vec<usize>,
    /// A simple cycle inside the component, closed: first == last; each layer uses the next.
    pub cycle: Vec<usize>,
}

impl Offense {
    pub fn message(&self, columns: &[Vec<(usize, f64)>], names: &[&str]) -> String {
        let name = |i: usize| names.get(i).copied().unwrap_or("?");
        let path = self
            .cycle
            .iter()
            .map(|&i| name(i))
            .collect::<Vec<_>>()
            .join(" -> ");
        let uses = self
            .cycle
            .windows(2)
            .map(|w| {
                let a = coefficient(columns, w[1], w[0]);
                format!(
                    "each unit of {} uses {} {}",
                    name(w[0]),
                    fmt_num(a),
                    name(w[1])
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        format!(
            "input matrix is not productive (spectral radius {} >= 1) on the cycle {path} \
             ({uses}); lower an input coefficient on that cycle",
            fmt_num(self.radius)
        )
    }
}

/// a[k,l], summing repeated entries.
fn coefficient(columns: &[Vec<(usize, f64)>], k: usize, l: usize) -> f64 {
    columns.get(l).map_or(0.0, |col| {
        col.iter().filter(|e| e.0 == k).map(|e| e.1).sum()
    })
}

/// Every strongly connected component of the technology whose spectral radius is >= 1.
/// `columns[l]` lists `(k, a[k,l])`; coefficients must be finite and >= 0, indices < len.
pub(crate) fn unproductive(columns: &[Vec<(usize, f64)>]) -> Vec<Offense> {
    let n = columns.len();
    // Edge l -> k when l uses k.
    let out: Vec<Vec<usize>> = columns
        .iter()
        .map(|col| {
            let mut ks: Vec<usize> = col
                .iter()
                .filter(|e| e.1 > 0.0 && e.0 < n)
                .map(|e| e.0)
                .collect();
            ks.sort_unstable();
            ks.dedup();
            ks
        })
        .collect();
    let mut offenses = Vec::new();
    for nodes in components(&out) {
        let m = DMatrix::from_fn(nodes.len(), nodes.len(), |i, j| {
            coefficient(columns, nodes[i], nodes[j])
        });
        let radius = spectral_radius(&m);
        if radius >= LIMIT || radius.is_nan() {
            let cycle = best_cycle(&nodes, &out, columns);
            offenses.push(Offense {
                radius,
                nodes,
                cycle,
            });
        }
    }
    offenses.sort_by_key(|o| o.nodes[0]);
    offenses
}

/// Strongly connected components (Kosaraju, iterative) that contain at least one edge.
fn components(out: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = out.len();
    let mut incoming = vec![Vec::new(); n];
    for (l, ks) in out.iter().enumerate() {
        for &k in ks {
            incoming[k].push(l);
        }
    }
    // First pass: finishing order.
    let mut seen = vec![false; n];
    let mut order = Vec::with_capacity(n);
    for start in 0..n {
        if seen[start] {
            continue;
        }
        seen[start] = true;
        let mut stack = vec![(start, 0usize)];
        while let Some(top) = stack.last_mut() {
            let (v, next) = *top;
            if let Some(&w) = out[v].get(next) {
                top.1 += 1;
                if !seen[w] {
                    seen[w] = true;
                    stack.push((w, 0));
                }
            } else {
                order.push(v);
                stack.pop();
            }
        }
    }
    // Second pass on the reversed graph, in reverse finishing order.
    let mut comp = vec![usize::MAX; n];
    let mut result = Vec::new();
    for &root in order.iter().rev() {
        if comp[root] != usize::MAX {
            continue;
        }
        let id = result.len();
        comp[root] = id;
        let mut members = vec![root];
        let mut stack = vec![root];
        while let Some(v) = stack.pop() {
            for &w in &incoming[v] {
                if comp[w] == usize::MAX {
                    comp[w] = id;
                    members.push(w);
                    stack.push(w);
                }
            }
        }
        members.sort_unstable();
        result.push(members);
    }
    result
        .into_iter()
        .filter(|c| c.len() > 1 || out[c[0]].contains(&c[0]))
        .collect()
}

/// Spectral radius of a non-negative matrix: the largest eigenvalue modulus (nalgebra's Schur
/// form), falling back to power iteration if that does not converge.
fn spectral_radius(m: &DMatrix<f64>) -> f64 {
    let n = m.nrows();
    if n == 0 {
        return 0.0;
    }
    if n == 1 {
        return m[(0, 0)].abs();
    }
    // Scaling keeps large coefficients from overflowing; the radius scales with the matrix.
    let scale = m.amax();
    if scale == 0.0 {
        return 0.0;
    }
    if !scale.is_finite() {
        return f64::INFINITY;
    }
    let scaled = m / scale;
    if let Some(schur) = Schur::try_new(scaled.clone(), f64::EPSILON, 1000 * n) {
        let r = schur
            .complex_eigenvalues()
            .iter()
            .map(|z| z.norm())
            .fold(0.0, f64::max);
        if r.is_finite() {
            return r * scale;
        }
    }
    power_radius(&scaled) * scale
}

/// Upper Collatz-Wielandt bound of the radius after power iteration on M + I (primitive when M
/// is irreducible, so the iteration converges).
fn power_radius(m: &DMatrix<f64>) -> f64 {
    let n = m.nrows();
    let shifted = m + DMatrix::identity(n, n);
    let mut x = nalgebra::DVector::from_element(n, 1.0);
    let mut upper = f64::INFINITY;
    for _ in 0..100_000 {
        let y = &shifted * &x;
        let ratios = y.iter().zip(x.iter()).map(|(a, b)| a / b);
        let (lo, hi) = ratios.fold((f64::INFINITY, 0.0f64), |(lo, hi), r| {
            (lo.min(r), hi.max(r))
        });
        upper = hi - 1.0;
        if hi - lo <= 1e-14 * hi {
            break;
        }
        let top = y.amax();
        if !(top.is_finite() && top > 0.0) {
            break;
        }
        x = y / top;
    }
    upper.max(0.0)
}

/// Among the shortest cycles through each layer of the component, the one with the largest
/// geometric-mean coefficient: the loop that most plausibly carries the excess.
fn best_cycle(nodes: &[usize], out: &[Vec<usize>], columns: &[Vec<(usize, f64)>]) -> Vec<usize> {
    let inside = |v: usize| nodes.binary_search(&v).is_ok();
    let mut best: Option<(f64, Vec<usize>)> = None;
    for &start in nodes {
        let Some(cycle) = shortest_cycle(start, out, &inside) else {
            continue;
        };
        let log_sum: f64 = cycle
            .windows(2)
            .map(|w| coefficient(columns, w[1], w[0]).ln())
            .sum();
        let score = log_sum / (cycle.len() - 1) as f64;
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, cycle));
        }
    }
    best.map(|b| b.1).unwrap_or_else(|| nodes.to_vec())
}

/// Breadth-first search for the shortest cycle start -> ... -> start within the component.
fn shortest_cycle(
    start: usize,
    out: &[Vec<usize>],
    inside: &dyn Fn(usize) -> bool,
) -> Option<Vec<usize>> {
    let mut parent: HashMap<usize, usize> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in &out[v] {
            if !inside(w) {
                continue;
            }
            if w == start {
                let mut chain = Vec::new();
                let mut u = v;
                while u != start {
                    chain.push(u);
                    u = *parent.get(&u)?;
                }
                chain.reverse();
                let mut path = vec![start];
                path.extend(chain);
                path.push(start);
                return Some(path);
            }
            if let Entry::Vacant(slot) = parent.entry(w) {
                slot.insert(v);
                queue.push_back(w);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(n: usize, entries: &[(usize, usize, f64)]) -> Vec<Vec<(usize, f64)>> {
        // entries are (k, l, a[k,l])
        let mut c = vec![Vec::new(); n];
        for &(k, l, a) in entries {
            c[l].push((k, a));
        }
        c
    }

    #[test]
    fn acyclic_and_small_cycles_are_productive() {
        assert!(unproductive(&cols(3, &[(0, 1, 5.0), (1, 2, 7.0)])).is_empty());
        assert!(unproductive(&cols(2, &[(0, 1, 0.9), (1, 0, 0.9)])).is_empty());
        assert!(unproductive(&cols(1, &[(0, 0, 0.5)])).is_empty());
    }

    #[test]
    fn two_cycle_reports_radius_and_cycle() {
        // fab (0) uses 2 memory (1); memory uses 0.6 fab: radius sqrt(1.2).
        let c = cols(3, &[(1, 0, 2.0), (0, 1, 0.6), (0, 2, 1.0)]);
        let off = unproductive(&c);
        assert_eq!(off.len(), 1);
        assert!((off[0].radius - 1.2f64.sqrt()).abs() < 1e-9);
        assert_eq!(off[0].nodes, vec![0, 1]);
        assert_eq!(off[0].cycle, vec![0, 1, 0]);
        let msg = off[0].message(&c, &["fab", "memory", "compute"]);
        assert!(msg.contains("spectral radius 1.0954 >= 1"), "{msg}");
        assert!(msg.contains("fab -> memory -> fab"), "{msg}");
        assert!(msg.contains("each unit of fab uses 2 memory; each unit of memory uses 0.6 fab"));
    }

    #[test]
    fn self_loop_and_exact_one() {
        let off = unproductive(&cols(2, &[(1, 1, 1.0)]));
        assert_eq!(off.len(), 1);
        assert_eq!(off[0].cycle, vec![1, 1]);
    }

    #[test]
    fn three_cycle_order_follows_use() {
        // 0 uses 1, 1 uses 2, 2 uses 0, product 1.331 > 1.
        let off = unproductive(&cols(3, &[(1, 0, 1.1), (2, 1, 1.1), (0, 2, 1.1)]));
        assert_eq!(off.len(), 1);
        assert_eq!(off[0].cycle, vec![0, 1, 2, 0]);
        assert!((off[0].radius - 1.1).abs() < 1e-9);
    }

    #[test]
    fn only_the_offending_component_is_reported() {
        // {0,1} productive, {2,3} not.
        let c = cols(
            4,
            &[
                (1, 0, 0.5),
                (0, 1, 0.5),
                (3, 2, 3.0),
                (2, 3, 0.5),
                (2, 0, 1.0),
            ],
        );
        let off = unproductive(&c);
        assert_eq!(off.len(), 1);
        assert_eq!(off[0].nodes, vec![2, 3]);
    }

    #[test]
    fn huge_coefficients_do_not_break_the_radius() {
        let off = unproductive(&cols(2, &[(1, 0, 1e300), (0, 1, 1e300)]));
        assert_eq!(off.len(), 1);
        assert!(off[0].radius > 1.0);
        let m = DMatrix::from_row_slice(2, 2, &[0.0, 2.0, 0.6, 0.0]);
        assert!((power_radius(&m) - 1.2f64.sqrt()).abs() < 1e-9);
    }
}
