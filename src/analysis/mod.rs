//! Analyses built on repeated solves (MODEL.md section 8): comparing an agreement, the
//! coalition game it induces, marginal values and shocks, and infeasibility diagnosis.
