//! Analyses built on repeated solves (MODEL.md section 8): comparing an agreement, the
//! coalition game it induces, marginal values and shocks, infeasibility diagnosis, and the
//! near-optimal alternatives.
pub mod alternatives;
pub mod coalitions;
pub mod coalitions_shard;
pub mod compare;
pub mod entry_shard;
pub mod game;
pub mod infeasibility;
pub mod insurance;
pub mod margins;
pub mod value_added;
pub mod verdict;
