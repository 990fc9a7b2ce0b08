//! Rows of the agreement clauses in force (MODEL.md 5.9 and section 6): `no_duplication` caps
//! the members holding a layer, `commit` fixes a member's operating status (and output). The
//! other clauses change costs and flows instead (see `effects.rs`).

use super::columns::with_holding;
use super::{Builder, Row, Sense, Var};
use crate::scenario::{AgreementId, Clause, CountryId, LayerId, Period};

impl Builder<'_> {
    /// Section 6: the rows of every clause of every active agreement in period t, in file
    /// order.
    pub(super) fn clause_rows(&mut self, t: Period) {
        let s = self.s;
        for (a, ag) in s.agreements.iter().enumerate() {
            if !self.fx.is_active(a) {
                continue;
            }
            for (k, clause) in ag.clauses.iter().enumerate() {
                match *clause {
                    Clause::NoDuplication {
                        layer,
                        max_producers,
                    } => self.no_duplication_row(a, k, t, layer, max_producers),
                    Clause::Commit {
                        country,
                        layer,
                        build,
                        from_period,
                    } if t >= from_period => self.commit_rows(a, k, t, country, layer, build),
                    _ => {}
                }
            }
        }
    }

    /// `no_duplication`: sum over members with a capability for l of has[c,l,t] <=
    /// max_producers.
    fn no_duplication_row(
        &mut self,
        a: AgreementId,
        k: usize,
        t: Period,
        layer: LayerId,
        max_producers: usize,
    ) {
        let s = self.s;
        let mut terms = Vec::new();
        let mut rhs = max_producers as f64;
        for &c in &s.agreements[a].members {
            if s.capability(c, layer).is_some() {
                (terms, rhs) = with_holding(terms, self.holding(c, layer, t), 1.0, rhs);
            }
        }
        self.add_row(
            Row::NoDuplication {
                agreement: a,
                clause: k,
                period: t,
            },
            terms,
            Sense::Le,
            rhs,
        );
    }

    /// `commit` (for t >= from_period): build fixes y = 1; no build fixes y = 0 and p = 0.
    fn commit_rows(
        &mut self,
        a: AgreementId,
        k: usize,
        t: Period,
        country: CountryId,
        layer: LayerId,
        build: bool,
    ) {
        let y = self.col(Var::Operate {
            country,
            layer,
            period: t,
        });
        let pj = self.col(Var::Produce {
            country,
            layer,
            period: t,
        });
        if let Some(y) = y {
            let (sense, rhs) = if build {
                (Sense::Ge, 1.0)
            } else {
                (Sense::Le, 0.0)
            };
            self.add_row(
                Row::Commit {
                    agreement: a,
                    clause: k,
                    period: t,
                },
                vec![(y, 1.0)],
                sense,
                rhs,
            );
        }
        if let (Some(pj), false) = (pj, build) {
            self.add_row(
                Row::CommitOutput {
                    agreement: a,
                    clause: k,
                    period: t,
                },
                vec![(pj, 1.0)],
                Sense::Le,
                0.0,
            );
        }
    }
}
