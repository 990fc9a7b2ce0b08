//! `--set`, `--overlay` and `--variant` (src/scenario/overrides.rs): every selector form, an
//! override builds the same program as the hand-edited file, and bad paths are exit 2 naming
//! the path with a suggestion.

use std::path::{Path, PathBuf};
use std::process::Command;

use aistack::formulation::{self, BuildOptions};
use aistack::scenario::overrides::{self, Overrides};
use aistack::scenario::{Format, Scenario};

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("instances/example.toml")
}

fn example_text() -> String {
    std::fs::read_to_string(example()).expect("example readable")
}

/// The built program under the file's switches and with every agreement on, as text (Debug
/// prints floats exactly, so equal text is an identical program).
fn programs(s: &Scenario) -> (String, String) {
    let base = BuildOptions::from_file(s);
    let mut all = base.clone();
    all.active = vec![true; s.agreements.len()];
    (
        format!("{:?}", formulation::build(s, &base)),
        format!("{:?}", formulation::build(s, &all)),
    )
}

fn with_sets(path: &Path, sets: &[&str]) -> Scenario {
    let o = Overrides {
        sets: sets.iter().map(|s| s.to_string()).collect(),
        ..Overrides::default()
    };
    match overrides::load(path, &o) {
        Ok((s, applied)) => {
            assert_eq!(applied.len(), sets.len());
            s
        }
        Err(e) => panic!("{e}"),
    }
}

fn by_hand(text: &str) -> Scenario {
    Scenario::from_str(text, Format::Toml, "edited.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// Replace exactly one occurrence of `from` in `text`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
    text.replacen(from, to, 1)
}

fn assert_same(over: &Scenario, hand: &Scenario) {
    let (a, b) = (programs(over), programs(hand));
    assert!(a.0 == b.0, "programs differ (file switches)");
    assert!(a.1 == b.1, "programs differ (all agreements on)");
}

#[test]
fn pair_selector_equals_hand_edit() {
    let over = with_sets(&example(), &["capability[KOR/memory].capacity=180"]);
    let hand = edit(
        &example_text(),
        "unit_cost = 0.8\ncapacity = 50",
        "unit_cost = 0.8\ncapacity = 180",
    );
    assert_same(&over, &by_hand(&hand));
    // And it differs from the unedited file (the test can fail).
    let plain = Scenario::from_path(example()).unwrap();
    assert_ne!(programs(&plain).0, programs(&over).0);
}

#[test]
fn star_selector_adds_and_replaces_fields() {
    let over = with_sets(&example(), &["security[*].domestic_floor=0.5"]);
    let mut hand = edit(
        &example_text(),
        "domestic_floor = 0.2",
        "domestic_floor = 0.5",
    );
    hand = edit(&hand, "domestic_floor = 0.15", "domestic_floor = 0.5");
    hand = edit(
        &hand,
        "reserve_cost = 0.4\n",
        "reserve_cost = 0.4\ndomestic_floor = 0.5\n",
    );
    assert_same(&over, &by_hand(&hand));
}

#[test]
fn id_selector_wildcard_part_and_top_level_paths() {
    let over = with_sets(
        &example(),
        &[
            "layer[fab].trade_cost=0.2",
            "demand[IND/*].growth=1.1",
            "trade.default_cost=0.3",
            "meta.discount_rate=0.07",
            "agreement[chip-alliance].active=true",
            "agreement[services-pact].clause[trade_cost_factor].factor=0.4",
            "agreement[chip-alliance].clause[3].max_producers=2",
            "layer[compute].inputs.fab=0.6",
            "demand[USA/apps].blocks[2].value=7",
            "trade.cost[USA/IND/models].cost=0.15",
            "upgrade.adjacency_discount=0.3",
        ],
    );
    let mut h = example_text();
    h = edit(
        &h,
        "name = \"Wafer fabrication\"\n",
        "name = \"Wafer fabrication\"\ntrade_cost = 0.2\n",
    );
    h = edit(&h, "growth = 1.2", "growth = 1.1");
    h = edit(&h, "must_serve = 2", "must_serve = 2\ngrowth = 1.1");
    h = edit(&h, "default_cost = 0.2", "default_cost = 0.3");
    h = edit(&h, "discount_rate = 0.05", "discount_rate = 0.07");
    h = edit(
        &h,
        "members = [\"USA\", \"KOR\", \"TWN\"]\nactive = false",
        "members = [\"USA\", \"KOR\", \"TWN\"]\nactive = true",
    );
    h = edit(&h, "factor = 0.5", "factor = 0.4");
    h = edit(&h, "max_producers = 1", "max_producers = 2");
    h = edit(
        &h,
        "{ fab = 0.5, memory = 0.3 }",
        "{ fab = 0.6, memory = 0.3 }",
    );
    h = edit(
        &h,
        "{ quantity = 15, value = 6.0 }",
        "{ quantity = 15, value = 7 }",
    );
    h = edit(&h, "cost = 0.1\n", "cost = 0.15\n");
    h = edit(&h, "adjacency_discount = 0.25", "adjacency_discount = 0.3");
    assert_same(&over, &by_hand(&h));
}

#[test]
fn overlay_and_variant_equal_hand_edit() {
    let dir = tempfile::tempdir().unwrap();
    let overlay = dir.path().join("overlay.toml");
    std::fs::write(
        &overlay,
        "[meta]\ndiscount_rate = 0.03\n\n[[capability]]\ncountry = \"KOR\"\nlayer = \"memory\"\ncapacity = 70\n\n\
         [[capability]]\ncountry = \"TWN\"\nlayer = \"memory\"\nunit_cost = 0.9\ncapacity = 5\n",
    )
    .unwrap();
    let expected = {
        let mut h = edit(
            &example_text(),
            "discount_rate = 0.05",
            "discount_rate = 0.03",
        );
        h = edit(
            &h,
            "unit_cost = 0.8\ncapacity = 50",
            "unit_cost = 0.8\ncapacity = 70",
        );
        h.push_str("\n[[capability]]\ncountry = \"TWN\"\nlayer = \"memory\"\nunit_cost = 0.9\ncapacity = 5\n");
        h = edit(&h, "domestic_floor = 0.2", "domestic_floor = 0.6");
        by_hand(&h)
    };
    // --overlay FILE then --set.
    let o = Overrides {
        overlays: vec![overlay.clone()],
        sets: vec!["security[KOR/models].domestic_floor=0.6".into()],
        ..Overrides::default()
    };
    let (s, applied) = overrides::load(&example(), &o).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(applied[0].kind, "overlay");
    assert_eq!(
        applied[0].entries, 3,
        "meta + one merged + one added capability"
    );
    assert_same(&s, &expected);

    // The same as a named variant inside the scenario file.
    let with_variant = format!(
        "{}\n[variant.memory]\ndescription = \"Korean memory and a Taiwanese plant\"\n\
         overlay = [\"overlay.toml\"]\nset = [\"security[KOR/models].domestic_floor=0.6\"]\n",
        example_text()
    );
    let file = dir.path().join("scenario.toml");
    std::fs::write(&file, &with_variant).unwrap();
    // The file stays valid without --variant: `variant` is a known top-level key.
    Scenario::from_path(&file).unwrap_or_else(|e| panic!("{e}"));
    let o = Overrides {
        variant: Some("memory".into()),
        ..Overrides::default()
    };
    let (s, applied) = overrides::load(&file, &o).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(applied[0].kind, "variant");
    assert_eq!(applied.len(), 3, "variant, its overlay, its set");
    assert_same(&s, &expected);

    // Inline tables in a variant are an overlay too.
    let inline = format!(
        "{}\n[variant.floor.meta]\ndiscount_rate = 0.03\n\n[[variant.floor.security]]\ncountry = \"KOR\"\nlayer = \"models\"\ndomestic_floor = 0.6\n",
        example_text()
    );
    std::fs::write(&file, &inline).unwrap();
    let o = Overrides {
        variant: Some("floor".into()),
        ..Overrides::default()
    };
    let (s, _) = overrides::load(&file, &o).unwrap_or_else(|e| panic!("{e}"));
    let h = edit(
        &example_text(),
        "discount_rate = 0.05",
        "discount_rate = 0.03",
    );
    assert_same(
        &s,
        &by_hand(&edit(&h, "domestic_floor = 0.2", "domestic_floor = 0.6")),
    );
    let o = Overrides {
        variant: Some("flor".into()),
        ..Overrides::default()
    };
    let e = overrides::load(&file, &o).unwrap_err().to_string();
    assert!(e.contains("did you mean \"floor\""), "{e}");
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(args)
        .output()
        .expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_paths_are_exit_2_naming_the_path_with_a_suggestion() {
    let file = example();
    let file = file.to_str().unwrap();
    for (set, wanted) in [
        ("capability[KRO/memory].capacity=1", "did you mean \"KOR\""),
        ("capability[KOR/fab].capacty=1", "did you mean \"capacity\""),
        ("securty[*].domestic_floor=1", "did you mean \"security\""),
        ("layer[fabb].trade_cost=1", "did you mean \"fab\""),
        ("demand[TWN/fab].growth=1", "no demand entry TWN/fab"),
        (
            "agreement[chip-aliance].active=true",
            "did you mean \"chip-alliance\"",
        ),
        ("layer.trade_cost=1", "select them with layer[...]"),
        (
            "capability[KOR/memory].capacity=abc",
            "capacity must be a number",
        ),
        (
            "capability[KOR/memory].capacity=-5",
            "capacity must be >= 0",
        ),
        ("meta.periods", "expected PATH=VALUE"),
    ] {
        let (code, _, err) = run(&["validate", file, "--set", set]);
        assert_eq!(code, 2, "{set}: {err}");
        let path = set.split('=').next().unwrap();
        assert!(err.contains(path), "{set}: the path is named: {err}");
        assert!(err.contains(wanted), "{set}: {err}");
    }
    let (code, _, err) = run(&["solve", file, "--variant", "x"]);
    assert_eq!(code, 2);
    assert!(err.contains("variant \"x\" is unknown"), "{err}");
}

#[test]
fn applied_overrides_are_echoed_in_json_and_tables() {
    let file = example();
    let file = file.to_str().unwrap();
    let (code, out, err) = run(&[
        "solve",
        file,
        "--format",
        "json",
        "--set",
        "security[*].domestic_floor=0.3",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["overrides"][0]["kind"], "set");
    assert_eq!(v["overrides"][0]["text"], "security[*].domestic_floor=0.3");
    assert_eq!(v["overrides"][0]["entries"], 3);
    // Without overrides the key is absent (outputs unchanged).
    let (_, out, _) = run(&["solve", file, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v.get("overrides").is_none());

    let (code, out, _) = run(&[
        "compare",
        file,
        "--agreement",
        "chip-alliance",
        "--set",
        "trade.default_cost=0.25",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("overrides: set trade.default_cost=0.25 (1 entry)"),
        "{out}"
    );
    let (code, out, _) = run(&[
        "coalitions",
        file,
        "--agreement",
        "services-pact",
        "--format",
        "json",
        "--set",
        "trade.default_cost=0.25",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["overrides"][0]["text"], "trade.default_cost=0.25");
}
