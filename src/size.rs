//! Size guard (issue 9): estimate the program's size from the scenario before building it, so
//! that an absurd file (`periods = 2147483649`) is refused with the estimate instead of
//! aborting on an allocation or running for hours.

use crate::scenario::Scenario;

/// Default largest estimated number of columns a command builds without `--max-columns`.
pub const DEFAULT_MAX_COLUMNS: u64 = 5_000_000;

/// An upper estimate of the program's columns (exact arithmetic, saturating).
pub fn estimate_columns(s: &Scenario) -> u64 {
    let c = s.countries.len() as u64;
    let tradable = s.layers.iter().filter(|l| l.tradable).count() as u64;
    let per_period = (s.capabilities.len() as u64)
        .saturating_mul(5) // p, z, y, n, nd
        .saturating_add(
            tradable
                .saturating_mul(c)
                .saturating_mul(c.saturating_sub(1)),
        )
        .saturating_add(s.demands.iter().map(|d| d.blocks.len() as u64).sum::<u64>())
        .saturating_add((s.security.len() as u64).saturating_mul(c.saturating_add(1)))
        .saturating_add(
            s.security
                .iter()
                .filter(|p| p.shortfall_penalty.is_some())
                .count() as u64,
        )
        // cost-curve and learning segments with their binaries (MODEL.md 11)
        .saturating_add(
            s.capabilities
                .iter()
                .map(|cap| {
                    let j = cap.cost_curve.as_ref().map_or(0, |c| c.len() as u64)
                        + cap.learning.map_or(0, |l| l.segments as u64);
                    j.saturating_mul(2)
                })
                .fold(0u64, u64::saturating_add),
        );
    per_period.saturating_mul(s.meta.periods as u64)
}

/// Why a scenario is refused by the size guard.
#[derive(Debug, thiserror::Error)]
#[error(
    "the program would need about {columns} columns (periods = {periods}, {countries} countries, \
     {layers} layers, {capabilities} capabilities), more than the limit of {limit}; raise it \
     with --max-columns N"
)]
pub struct TooLarge {
    pub columns: u64,
    pub limit: u64,
    pub periods: usize,
    pub countries: usize,
    pub layers: usize,
    pub capabilities: usize,
}

/// Refuse a scenario whose estimated program exceeds `limit` columns.
pub fn guard(s: &Scenario, limit: u64) -> Result<u64, TooLarge> {
    let columns = estimate_columns(s);
    if columns > limit {
        return Err(TooLarge {
            columns,
            limit,
            periods: s.meta.periods,
            countries: s.countries.len(),
            layers: s.layers.len(),
            capabilities: s.capabilities.len(),
        });
    }
    Ok(columns)
}
