//! Sweep additions behind the findings (decisions.md 46): `command = "coordination"` (W with
//! every agreement on minus W with every agreement off, per country too), parameters with
//! `scale = true`, `with = [...]` and `name`; each equals the same change made by hand.

use std::path::PathBuf;
use std::process::Command;

fn example() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("instances/example.toml")
        .display()
        .to_string()
}

fn solve(sets: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "solve".to_string(),
        example(),
        "--format".into(),
        "json".into(),
    ];
    for s in sets {
        args.push("--set".into());
        args.push(s.to_string());
    }
    let o = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(&args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn welfare(v: &serde_json::Value, c: &str) -> f64 {
    v["welfare"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["country"] == c)
        .map(|w| w["total"].as_f64().unwrap())
        .unwrap()
}

#[test]
fn coordination_scale_and_with_equal_edits_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sweep = d.join("c.toml");
    std::fs::write(
        &sweep,
        format!(
            "scenario = {:?}\ncommand = \"coordination\"\noutput = \"out\"\n\
             metrics = [\"gain\", \"W\", \"gain[KOR]\"]\ndesign = \"list\"\n\
             [[parameter]]\nname = \"KOR memory (factor)\"\npath = \"capability[KOR/memory].capacity\"\n\
             scale = true\nvalues = [0.5, 1.0]\n\
             [[parameter]]\npath = \"security[KOR/models].domestic_floor\"\n\
             with = [\"security[USA/fab].domestic_floor\"]\nvalues = [0.3, 0.1]\n",
            example()
        ),
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(["sweep", sweep.to_str().unwrap(), "--jobs", "2"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(d.join("out/results.csv")).unwrap();
    assert!(csv.starts_with(
        "point,role,KOR memory (factor),security[KOR/models].domestic_floor,metric,value"
    ));
    // Point 0: KOR memory 50 * 0.5 = 25, both floors 0.3.
    let by_hand = |active: &str| {
        solve(&[
            "capability[KOR/memory].capacity=25",
            "security[KOR/models].domestic_floor=0.3",
            "security[USA/fab].domestic_floor=0.3",
            &format!("agreement[*].active={active}"),
        ])
    };
    let (on, off) = (by_hand("true"), by_hand("false"));
    let want = [
        (
            "gain",
            on["objective"].as_f64().unwrap() - off["objective"].as_f64().unwrap(),
        ),
        ("W", on["objective"].as_f64().unwrap()),
        ("gain[KOR]", welfare(&on, "KOR") - welfare(&off, "KOR")),
    ];
    for (metric, x) in want {
        let row = csv
            .lines()
            .find(|l| l.starts_with("0,list,") && l.split(',').nth(4) == Some(metric))
            .unwrap_or_else(|| panic!("no row for {metric}"));
        let got: f64 = row.split(',').nth(5).unwrap().parse().unwrap();
        assert!(
            (got - x).abs() <= 1e-9 * x.abs().max(1.0),
            "{metric}: {got} != {x}"
        );
    }
    // A scaled text value is refused before anything runs (exit 2).
    std::fs::write(
        &sweep,
        format!(
            "scenario = {:?}\nmetrics = [\"W\"]\n[[parameter]]\npath = \"agreement[*].active\"\n\
             scale = true\nvalues = [true, false]\n",
            example()
        ),
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(["sweep", sweep.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("scale = true needs numbers"));
}
