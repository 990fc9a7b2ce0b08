//! Analyses built on repeated solves (MODEL.md section 8): comparing an agreement, the
//! coalition game it induces, marginal values and shocks, and infeasibility diagnosis.
pub mod coalitions;
pub mod coalitions_shard;
pub mod compare;
pub mod game;
pub mod infeasibility;
pub mod insurance;
pub mod margins;
pub mod value_added;
pub mod verdict;
