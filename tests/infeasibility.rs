//! Infeasibility diagnosis on purpose-built infeasible files (tests/data/infeasible): the set
//! named is the expected one, it is irreducible (the groups conflict, and dropping any one of
//! them makes the rest feasible, checked by independent solves), and the sentence names the
//! entities; `aistack solve` exits 1 and prints it.

use std::collections::HashSet;
use std::process::Command;

use aistack::analysis::infeasibility::{self, Diagnosis};
use aistack::formulation::{BuildOptions, Group};
use aistack::results::SolveConfig;
use aistack::scenario::Scenario;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/infeasible");

fn load(name: &str) -> Scenario {
    Scenario::from_path(format!("{DIR}/{name}")).unwrap_or_else(|e| panic!("{e}"))
}

fn diagnose(s: &Scenario) -> Diagnosis {
    infeasibility::diagnose(s, &BuildOptions::from_file(s), &SolveConfig::default())
        .expect("solver")
}

/// Group keys as "kind:country:layer", "clause:agreement:n" or "trade_block:n".
fn labels(d: &Diagnosis) -> HashSet<String> {
    d.keys
        .iter()
        .map(|k| match k.kind {
            "clause" => format!(
                "clause:{}:{}",
                k.agreement.as_deref().unwrap(),
                k.clause.unwrap()
            ),
            "trade_block" => format!("trade_block:{}", k.trade_block.unwrap()),
            kind => format!(
                "{kind}:{}:{}",
                k.country.as_deref().unwrap(),
                k.layer.as_deref().unwrap()
            ),
        })
        .collect()
}

/// The set conflicts on its own (every other droppable group dropped) and dropping any one of
/// its groups makes the rest feasible: independent feasibility solves.
fn assert_irreducible(s: &Scenario, d: &Diagnosis) {
    let opts = BuildOptions::from_file(s);
    let config = SolveConfig::default();
    let all = infeasibility::droppable_groups(s, &opts);
    let set: HashSet<Group> = d.groups.iter().copied().collect();
    assert!(
        set.iter().all(|g| all.contains(g)),
        "diagnosis names a group that is not in the program"
    );
    let rest: HashSet<Group> = all.iter().copied().filter(|g| !set.contains(g)).collect();
    assert_eq!(
        infeasibility::is_feasible_without(s, &opts, &HashSet::new(), &config).unwrap(),
        Some(false),
        "the scenario should be infeasible"
    );
    assert_eq!(
        infeasibility::is_feasible_without(s, &opts, &rest, &config).unwrap(),
        Some(false),
        "the named groups must conflict on their own"
    );
    for g in &d.groups {
        let mut dropped = rest.clone();
        dropped.insert(*g);
        assert_eq!(
            infeasibility::is_feasible_without(s, &opts, &dropped, &config).unwrap(),
            Some(true),
            "dropping {g:?} must make the rest feasible"
        );
    }
    // And dropping just that one group from the full scenario restores feasibility as well.
    for g in &d.groups {
        let dropped: HashSet<Group> = [*g].into_iter().collect();
        assert_eq!(
            infeasibility::is_feasible_without(s, &opts, &dropped, &config).unwrap(),
            Some(true)
        );
    }
    assert!(d.infeasible && d.complete && !d.core_conflict);
    assert_eq!(d.descriptions.len(), d.groups.len());
}

fn check(file: &str, expected: &[&str], phrases: &[&str]) {
    let s = load(file);
    let d = diagnose(&s);
    let want: HashSet<String> = expected.iter().map(|x| x.to_string()).collect();
    assert_eq!(labels(&d), want, "{file}: {}", d.explanation);
    assert_irreducible(&s, &d);
    for p in phrases {
        assert!(
            d.explanation.contains(p),
            "{file}: explanation lacks \"{p}\": {}",
            d.explanation
        );
    }
}

#[test]
fn essential_demand_against_capacity_and_non_tradable() {
    check(
        "essential-vs-capacity.toml",
        &["essential:IND:evaluation", "capacity:IND:evaluation"],
        &[
            "India's essential demand for evaluation (2 units in period 1) cannot be met",
            "India's capacity for evaluation (1 unit per period, no expansion)",
            "evaluation is not tradable outside a mutual-recognition clause",
        ],
    );
}

#[test]
fn conflicting_commitments_and_no_duplication() {
    check(
        "commit-vs-noduplication.toml",
        &["clause:chip-alliance:1", "clause:chip-alliance:2", "clause:chip-alliance:3"],
        &[
            "These cannot all hold",
            "no-duplication clause 1 of agreement chip-alliance (at most 1 of",
            "commit clause 2 of agreement chip-alliance (United States builds models from period 1)",
            "commit clause 3 of agreement chip-alliance (Korea builds models from period 2)",
        ],
    );
}

#[test]
fn security_floor_above_domestic_capacity() {
    check(
        "floor-short.toml",
        &[
            "essential:KOR:models",
            "security:KOR:models",
            "capacity:KOR:models",
        ],
        &[
            "the security floor of Korea on models (50% domestic)",
            "Korea's capacity for models (3 units",
        ],
    );
}

#[test]
fn trade_block_on_the_only_supplier() {
    check(
        "block-only-supplier.toml",
        &["essential:IND:memory", "trade_block:1"],
        &[
            "the trade block KOR -> IND on memory",
            "India cannot produce memory",
        ],
    );
}

#[test]
fn commitment_above_the_ladder() {
    check(
        "ladder-commit.toml",
        &["clause:services-pact:1", "ladder:IND:models"],
        &[
            "India builds models from period 1",
            "the capability ladder for models in India",
            "India cannot produce apps",
        ],
    );
}

#[test]
fn feasible_scenario_has_nothing_to_diagnose() {
    let s = Scenario::from_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/instances/example.toml"
    ))
    .unwrap();
    let d = diagnose(&s);
    assert!(!d.infeasible && d.groups.is_empty());
}

/// A forced decision (as `margins --entry` makes) is a group of its own.
#[test]
fn forced_decision_is_named() {
    let s = Scenario::from_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/instances/example.toml"
    ))
    .unwrap();
    let mut opts = BuildOptions::from_file(&s);
    let (ind, eval) = (
        s.country_index("IND").unwrap(),
        s.layer_index("evaluation").unwrap(),
    );
    opts.forced.push((ind, eval, false));
    let d = infeasibility::diagnose(&s, &opts, &SolveConfig::default()).unwrap();
    assert_eq!(
        d.groups,
        vec![
            Group::Essential {
                country: ind,
                layer: eval
            },
            Group::Forced {
                country: ind,
                layer: eval
            }
        ]
    );
    assert!(
        d.explanation
            .contains("the forced decision that India stays out of evaluation"),
        "{}",
        d.explanation
    );
}

#[test]
fn cli_solve_prints_the_diagnosis_and_exits_1() {
    let file = format!("{DIR}/essential-vs-capacity.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(["solve", &file])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("infeasible"), "{text}");
    assert!(
        text.contains(
            "India's essential demand for evaluation (2 units in period 1) cannot be met"
        ),
        "{text}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(["solve", &file, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["status"], "infeasible");
    let groups = v["diagnosis"]["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0]["kind"], "essential");
    assert_eq!(groups[0]["country"], "IND");
    assert!(v["diagnosis"]["explanation"]
        .as_str()
        .unwrap()
        .contains("cannot be met"));
}

/// A conflict as group labels.
fn conflict_labels(s: &Scenario, groups: &[Group]) -> HashSet<String> {
    groups
        .iter()
        .map(|g| {
            let k = infeasibility::key(s, g);
            format!(
                "{}:{}:{}",
                k.kind,
                k.country.unwrap_or_default(),
                k.layer.unwrap_or_default()
            )
        })
        .collect()
}

/// Every conflict of a file with several independent ones: each named and irreducible on its
/// own, dropping one group from each makes the scenario feasible, and the closing sentence says
/// so; no fewer drops do (re-solves).
fn check_every_conflict(file: &str, countries: &[(&str, &str)]) {
    let s = load(file);
    let opts = BuildOptions::from_file(&s);
    let config = SolveConfig::default();
    let d = diagnose(&s);
    assert!(d.infeasible && d.complete);
    assert_eq!(d.conflicts.len(), countries.len(), "{}", d.explanation);
    let all = infeasibility::droppable_groups(&s, &opts);
    for (country, layer) in countries {
        let want: HashSet<String> = [
            format!("essential:{country}:{layer}"),
            format!("capacity:{country}:{layer}"),
        ]
        .into_iter()
        .collect();
        let c = d
            .conflicts
            .iter()
            .find(|c| conflict_labels(&s, &c.groups) == want)
            .unwrap_or_else(|| panic!("{file}: no conflict {want:?} in {}", d.explanation));
        // Irreducible: the set alone conflicts; without any one of its groups it does not.
        let set: HashSet<Group> = c.groups.iter().copied().collect();
        let rest: HashSet<Group> = all.iter().copied().filter(|g| !set.contains(g)).collect();
        assert_eq!(
            infeasibility::is_feasible_without(&s, &opts, &rest, &config).unwrap(),
            Some(false)
        );
        for g in &c.groups {
            let mut dropped = rest.clone();
            dropped.insert(*g);
            assert_eq!(
                infeasibility::is_feasible_without(&s, &opts, &dropped, &config).unwrap(),
                Some(true),
                "{file}: dropping {g:?} must resolve its conflict"
            );
        }
    }
    // One group from each conflict (the first of each) makes the scenario feasible...
    let one_each: HashSet<Group> = d.conflicts.iter().map(|c| c.groups[0]).collect();
    assert_eq!(
        infeasibility::is_feasible_without(&s, &opts, &one_each, &config).unwrap(),
        Some(true)
    );
    // ... and leaving any one conflict untouched does not.
    for skip in 0..d.conflicts.len() {
        let fewer: HashSet<Group> = d
            .conflicts
            .iter()
            .enumerate()
            .filter(|&(k, _)| k != skip)
            .map(|(_, c)| c.groups[0])
            .collect();
        assert_eq!(
            infeasibility::is_feasible_without(&s, &opts, &fewer, &config).unwrap(),
            Some(false)
        );
    }
    let n = countries.len();
    let closing =
        format!("Dropping one group from each of these {n} conflicts makes the scenario feasible");
    assert!(d.explanation.contains(&closing), "{}", d.explanation);
    assert!(
        !d.explanation
            .contains("Dropping it makes the scenario feasible")
            && !d
                .explanation
                .contains("constraints makes the scenario feasible"),
        "no single drop may be claimed to restore feasibility: {}",
        d.explanation
    );
    assert!(d.render().contains(&format!("Conflict {n}")));
}

#[test]
fn two_independent_conflicts_are_both_named() {
    check_every_conflict(
        "two-conflicts.toml",
        &[("ALPHA", "models"), ("BETA", "data")],
    );
}

#[test]
fn three_independent_conflicts_are_all_named() {
    check_every_conflict(
        "three-conflicts.toml",
        &[("ALPHA", "models"), ("BETA", "data"), ("GAMMA", "talent")],
    );
}
