use super::*;
use crate::scenario::Format;

const EXAMPLE: &str = include_str!("../../../instances/example.toml");

/// A small valid scenario that tests extend by appending tables.
const BASE: &str = r#"
[meta]
periods = 2

[[layer]]
id = "fab"

[[layer]]
id = "memory"

[[layer]]
id = "models"
inputs = { fab = 0.5, memory = 0.2 }

[[country]]
id = "KOR"

[[country]]
id = "USA"

[[country]]
id = "TWN"

[[capability]]
country = "KOR"
layer = "fab"
unit_cost = 1

[[capability]]
country = "KOR"
layer = "memory"
unit_cost = 1

[[capability]]
country = "USA"
layer = "models"
unit_cost = 2

[[demand]]
country = "USA"
layer = "models"
blocks = [{ quantity = 10, value = 5 }]
"#;

fn load(text: &str) -> Result<Scenario, ScenarioError> {
    Scenario::from_str(text, Format::Toml, "test.toml")
}

fn ok(text: &str) -> Scenario {
    match load(text) {
        Ok(s) => s,
        Err(e) => panic!("expected a valid scenario, got: {e}"),
    }
}

/// The problems of an invalid scenario, as displayed.
fn problems(text: &str) -> Vec<String> {
    match load(text) {
        Ok(_) => panic!("expected problems, the scenario loaded"),
        Err(e) => {
            assert!(
                matches!(e, ScenarioError::Invalid { .. }),
                "not Invalid: {e}"
            );
            e.problems().iter().map(|p| p.to_string()).collect()
        }
    }
}

fn with(extra: &str) -> String {
    format!("{BASE}\n{extra}")
}

fn inputs_by_name(s: &Scenario, inputs: &[(LayerId, f64)]) -> Vec<(String, f64)> {
    inputs
        .iter()
        .map(|&(k, a)| (s.layers[k].id.clone(), a))
        .collect()
}

#[test]
fn example_loads() {
    let s = ok(EXAMPLE);
    assert_eq!(s.countries.len(), 4);
    assert_eq!(s.layers.len(), 6);
    assert_eq!(s.capabilities.len(), 17);
    assert_eq!(s.agreements.len(), 2);
    assert_eq!(s.demands.len(), 6);
    assert_eq!(s.security.len(), 3);
    assert_eq!(s.meta.periods, 2);
    assert_eq!(s.meta.currency, "USD bn");
    assert!((s.discount(2) - 1.0 / 1.05).abs() < 1e-12);

    let ind = s.country_index("IND").expect("IND");
    let kor = s.country_index("KOR").expect("KOR");
    let apps = s.layer_index("apps").expect("apps");
    let models = s.layer_index("models").expect("models");
    let compute = s.layer_index("compute").expect("compute");
    let fab = s.layer_index("fab").expect("fab");
    let ind_apps = s.capability(ind, apps).expect("IND/apps");
    assert_eq!(
        inputs_by_name(&s, &ind_apps.inputs),
        vec![("models".into(), 0.25), ("compute".into(), 0.05)]
    );
    assert!((ind_apps.cost_trend - 0.95).abs() < 1e-15);
    let kor_models = s.capability(kor, models).expect("KOR/models");
    assert_eq!(
        inputs_by_name(&s, &kor_models.inputs),
        vec![("compute".into(), 0.8)]
    );
    assert_eq!(
        s.input_coefficients(kor, models),
        kor_models.inputs.as_slice()
    );
    assert_eq!(
        (
            kor_models.entry_cost,
            kor_models.min_scale,
            kor_models.capacity
        ),
        (8.0, 3.0, 0.0)
    );

    // Layer defaults.
    let l = &s.layers[models];
    assert_eq!(l.name, "Frontier models");
    assert!(l.tradable && l.requires_adjacent);
    assert_eq!(
        (l.interop_cost, l.trade_cost, l.adjacency_discount),
        (0.3, None, 0.25)
    );
    assert_eq!(l.adjacent, vec![apps]);
    assert_eq!(
        inputs_by_name(&s, &l.import_requires),
        vec![("evaluation".into(), 0.1)]
    );
    assert!(!s.layers[s.layer_index("evaluation").expect("evaluation")].tradable);
    assert_eq!(s.layers[fab].adjacency_discount, 0.25);

    // Trade.
    assert_eq!(s.trade.default_cost, 0.2);
    assert_eq!(s.trade.costs.len(), 1);
    assert_eq!(s.trade.costs[0].layer, Some(models));
    assert_eq!(
        s.trade.blocks[0].layers,
        Some(vec![s.layer_index("memory").expect("memory")])
    );

    // Agreements and clauses.
    let usa = s.country_index("USA").expect("USA");
    let pact = &s.agreements[s.agreement_index("services-pact").expect("pact")];
    assert!(!pact.active);
    assert_eq!(pact.members, vec![usa, ind]);
    assert_eq!(
        pact.clauses,
        vec![
            Clause::TradeCostFactor {
                layers: vec![models, apps],
                factor: 0.5
            },
            Clause::UpgradeRoute {
                layers: vec![models],
                entry_discount: 0.5
            },
            Clause::Commit {
                country: ind,
                layer: compute,
                build: true,
                from_period: 2
            },
        ]
    );
    let alliance = &s.agreements[0];
    assert_eq!(
        alliance.clauses[2],
        Clause::NoDuplication {
            layer: models,
            max_producers: 1
        }
    );

    let ind_eval = &s.demands[4];
    assert_eq!(
        (ind_eval.country, ind_eval.must_serve, ind_eval.growth),
        (ind, 2.0, 1.0)
    );
    let sec = &s.security[1];
    assert_eq!(
        (sec.domestic_floor, sec.max_supplier_share, sec.n_minus_1),
        (None, Some(0.8), Some(0.5))
    );
}

#[test]
fn base_defaults() {
    let s = ok(BASE);
    assert_eq!(s.meta.discount_rate, 0.0);
    assert_eq!(s.meta.currency, "");
    assert_eq!(s.layers[0].name, "fab");
    assert_eq!(s.layers[0].adjacency_discount, 0.0);
    let c = &s.capabilities[0];
    assert_eq!(
        (
            c.cost_trend,
            c.capacity,
            c.max_expansion,
            c.expansion_cost,
            c.lead_time,
            c.entry_cost
        ),
        (1.0, 0.0, 0.0, 0.0, 0, 0.0)
    );
    assert!(s.agreements.is_empty() && s.trade.costs.is_empty());
}

#[test]
fn all_problems_are_reported_at_once() {
    let got = problems(
        r#"
        [meta]
        periods = 0
        discount_rate = -0.1

        [[layer]]
        id = "fab"
        adjacent = ["fab"]

        [[layer]]
        id = "fab"

        [[layer]]
        id = "models"
        inputs = { fabb = 0.5 }
        requires_adjacent = true

        [[country]]
        id = "KOR"

        [[capability]]
        country = "KOR"
        layer = "fab"
        unit_cost = -1
        lead_time = -2

        [[capability]]
        country = "KOR"
        layer = "fab"
        unit_cost = 1

        [[capability]]
        country = "KRO"
        layer = "models"

        [[demand]]
        country = "KOR"
        layer = "fab"
        blocks = []

        [[security]]
        country = "KOR"
        layer = "fab"
        domestic_floor = 1.5

        [[trade.block]]
        from = "KOR"
        to = "KOR"
        layers = []
        "#,
    );
    let expected = [
        "meta: periods must be an integer >= 1, got 0",
        "meta: discount_rate must be >= 0, got -0.1",
        r#"layer fab: id "fab" is used by more than one layer (entries 1 and 2)"#,
        r#"layer fab: adjacent lists the layer itself ("fab")"#,
        r#"layer models: inputs: layer "fabb" is unknown (did you mean "fab"?)"#,
        "layer models: requires_adjacent needs at least one adjacent layer",
        "capability KOR/fab: unit_cost must be >= 0, got -1",
        "capability KOR/fab: lead_time must be >= 0, got -2",
        "capability KOR/fab: more than one [[capability]] for the same country and layer (entries 1 and 2)",
        r#"capability KRO/models: country "KRO" is unknown (did you mean "KOR"?)"#,
        "capability KRO/models: missing required field unit_cost",
        "demand KOR/fab: blocks is empty; give at least one { quantity, value } block",
        "security KOR/fab: domestic_floor must lie in [0, 1], got 1.5",
        r#"trade.block 1: from and to are both "KOR"; a route needs two countries"#,
        "trade.block 1: layers is empty; omit it to block every layer",
    ];
    assert_eq!(got, expected);
    assert_eq!(got.len(), 15);
}

#[test]
fn invalid_error_lists_every_problem() {
    let err = load(&with("[[country]]\nid = \"KOR\"\n")).expect_err("duplicate country");
    assert_eq!(
        err.to_string(),
        "test.toml: 1 problem:\n  - country KOR: id \"KOR\" is used by more than one country (entries 1 and 4)"
    );
    let p = &err.problems()[0];
    assert_eq!((p.entity.as_str(), p.field.as_str()), ("country KOR", "id"));
}

#[test]
fn unknown_field_suggestion() {
    let text = BASE.replacen("unit_cost = 1", "unit_cots = 1", 1);
    let got = problems(&text);
    // The typo is not reported a second time as a missing unit_cost.
    assert_eq!(
        got,
        vec![r#"capability KOR/fab: unknown field "unit_cots" (did you mean "unit_cost"?)"#]
    );
    let err = load(&text).expect_err("invalid");
    assert_eq!(err.problems()[0].field, "unit_cots");
}

#[test]
fn unknown_id_suggestion() {
    let got = problems(&with(
        "[[capability]]\ncountry = \"TWN\"\nlayer = \"modles\"\nunit_cost = 1\n\
         [[demand]]\ncountry = \"JPN\"\nlayer = \"fab\"\nblocks = [{ quantity = 1, value = 1 }]\n",
    ));
    assert_eq!(
        got,
        vec![
            r#"capability TWN/modles: layer "modles" is unknown (did you mean "models"?)"#,
            r#"demand JPN/fab: country "JPN" is unknown (known countries: KOR, USA, TWN)"#,
        ]
    );
}

#[test]
fn duplicate_capability_demand_security() {
    let got = problems(&with(
        "[[capability]]\ncountry = \"KOR\"\nlayer = \"fab\"\nunit_cost = 3\n\
         [[demand]]\ncountry = \"USA\"\nlayer = \"models\"\nblocks = [{ quantity = 1, value = 1 }]\n\
         [[security]]\ncountry = \"USA\"\nlayer = \"fab\"\n\
         [[security]]\ncountry = \"USA\"\nlayer = \"fab\"\n",
    ));
    assert_eq!(
        got,
        vec![
            "capability KOR/fab: more than one [[capability]] for the same country and layer (entries 1 and 4)",
            "demand USA/models: more than one [[demand]] for the same country and layer (entries 1 and 2)",
            "security USA/fab: more than one [[security]] for the same country and layer (entries 1 and 2)",
        ]
    );
}

#[test]
fn unproductive_two_cycle_is_named() {
    let text = BASE
        .replacen(
            "id = \"fab\"\n",
            "id = \"fab\"\ninputs = { memory = 2 }\n",
            1,
        )
        .replacen(
            "id = \"memory\"\n",
            "id = \"memory\"\ninputs = { fab = 0.6 }\n",
            1,
        );
    let got = problems(&text);
    assert_eq!(
        got,
        vec![
            "layer technology: input matrix is not productive (spectral radius 1.0954 >= 1) on the \
             cycle fab -> memory -> fab (each unit of fab uses 2 memory; each unit of memory uses \
             0.6 fab); lower an input coefficient on that cycle"
        ]
    );
}

#[test]
fn country_override_can_make_its_technology_unproductive() {
    // The layer matrix is productive (fab needs 0.5 memory, memory needs 0.6 fab: radius 0.55);
    // Korea's own fab technology needs 2 memory: radius sqrt(1.2).
    let text = BASE
        .replacen(
            "id = \"fab\"\n",
            "id = \"fab\"\ninputs = { memory = 0.5 }\n",
            1,
        )
        .replacen(
            "id = \"memory\"\n",
            "id = \"memory\"\ninputs = { fab = 0.6 }\n",
            1,
        )
        .replacen(
            "layer = \"fab\"\nunit_cost = 1\n",
            "layer = \"fab\"\nunit_cost = 1\ninputs = { memory = 2.0 }\n",
            1,
        );
    let got = problems(&text);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].starts_with(
            "technology of country KOR: input matrix is not productive (spectral radius 1.0954 >= 1) \
             on the cycle fab -> memory -> fab"
        ),
        "{}",
        got[0]
    );
    // Without the override the same file is fine, and the capability inherits the layer's inputs.
    let fine = BASE
        .replacen(
            "id = \"fab\"\n",
            "id = \"fab\"\ninputs = { memory = 0.5 }\n",
            1,
        )
        .replacen(
            "id = \"memory\"\n",
            "id = \"memory\"\ninputs = { fab = 0.6 }\n",
            1,
        );
    let s = ok(&fine);
    assert_eq!(s.capabilities[0].inputs, vec![(1, 0.5)]);
}

#[test]
fn empty_inputs_override_means_no_inputs() {
    let text = BASE.replacen(
        "layer = \"models\"\nunit_cost = 2\n",
        "layer = \"models\"\nunit_cost = 2\ninputs = {}\n",
        1,
    );
    let s = ok(&text);
    let usa = s.country_index("USA").expect("USA");
    let models = s.layer_index("models").expect("models");
    assert!(s
        .capability(usa, models)
        .expect("USA/models")
        .inputs
        .is_empty());
    assert_eq!(s.layers[models].inputs.len(), 2);
}

const ALLIANCE: &str = r#"
[[agreement]]
id = "pact"
members = ["KOR", "USA"]
"#;

#[test]
fn clause_missing_field_and_field_of_another_kind() {
    let got = problems(&with(&format!(
        "{ALLIANCE}\n[[agreement.clause]]\nkind = \"trade_cost_factor\"\nlayers = [\"fab\"]\n\
         [[agreement.clause]]\nkind = \"no_duplication\"\nlayer = \"fab\"\nmax_producers = 1\nfactor = 0.5\n\
         [[agreement.clause]]\nkind = \"trusted_suply\"\n\
         [[agreement.clause]]\nlayers = [\"fab\"]\n"
    )));
    assert_eq!(
        got,
        vec![
            "agreement pact clause 1 (trade_cost_factor): missing required field factor",
            "agreement pact clause 2 (no_duplication): field \"factor\" does not apply to a \
             no_duplication clause (it takes: layer, max_producers)",
            "agreement pact clause 3 (trusted_suply): kind \"trusted_suply\" is unknown (did you mean \"trusted_supply\"?)",
            "agreement pact clause 4: missing required field kind",
        ]
    );
}

#[test]
fn commit_naming_a_non_member() {
    let got = problems(&with(&format!(
        "{ALLIANCE}\n[[agreement.clause]]\nkind = \"commit\"\ncountry = \"TWN\"\nlayer = \"fab\"\nbuild = true\n"
    )));
    assert_eq!(
        got,
        vec![
            r#"agreement pact clause 1 (commit): country "TWN" is not a member of agreement pact (members: KOR, USA)"#,
            r#"agreement pact clause 1 (commit): country "TWN" has no [[capability]] for layer "fab"; a commit needs one"#,
        ]
    );
}

#[test]
fn commit_needs_a_capability_and_a_valid_period() {
    let got = problems(&with(&format!(
        "{ALLIANCE}\n[[agreement.clause]]\nkind = \"commit\"\ncountry = \"USA\"\nlayer = \"fab\"\nbuild = false\n\
         [[agreement.clause]]\nkind = \"commit\"\ncountry = \"KOR\"\nlayer = \"fab\"\nbuild = true\nfrom_period = 3\n\
         [[agreement.clause]]\nkind = \"commit\"\ncountry = \"KOR\"\nlayer = \"memory\"\nbuild = true\nfrom_period = -1\n"
    )));
    assert_eq!(
        got,
        vec![
            r#"agreement pact clause 1 (commit): country "USA" has no [[capability]] for layer "fab"; a commit needs one"#,
            "agreement pact clause 2 (commit): from_period must be in 1..=2, got 3",
            "agreement pact clause 3 (commit): from_period must be in 1..=2, got -1",
        ]
    );
    let s = ok(&with(&format!(
        "{ALLIANCE}\n[[agreement.clause]]\nkind = \"commit\"\ncountry = \"KOR\"\nlayer = \"fab\"\nbuild = false\n"
    )));
    assert_eq!(
        s.agreements[0].clauses[0],
        Clause::Commit {
            country: 0,
            layer: 0,
            build: false,
            from_period: 1
        }
    );
    assert!(s.agreements[0].active);
}

#[test]
fn agreement_members() {
    let got = problems(&with(
        "[[agreement]]\nid = \"solo\"\nmembers = [\"KOR\"]\n\
         [[agreement]]\nid = \"twice\"\nmembers = [\"KOR\", \"KOR\"]\n\
         [[agreement]]\nid = \"solo\"\nmembers = [\"KOR\", \"UAS\"]\n\
         [[agreement]]\nname = \"no id\"\n",
    ));
    assert_eq!(
        got,
        vec![
            r#"agreement solo: id "solo" is used by more than one agreement (entries 1 and 3)"#,
            "agreement 4: missing required field id",
            "agreement solo: members must name at least two different countries, got 1",
            r#"agreement twice: members lists "KOR" more than once"#,
            "agreement twice: members must name at least two different countries, got 1",
            r#"agreement solo: members: country "UAS" is unknown (did you mean "USA"?)"#,
            "agreement 4: missing required field members",
        ]
    );
}

#[test]
fn out_of_range_factor_and_discounts() {
    let got = problems(&with(&format!(
        "[upgrade]\nadjacency_discount = 2\n{ALLIANCE}\n\
         [[agreement.clause]]\nkind = \"trade_cost_factor\"\nlayers = [\"fab\"]\nfactor = 1.5\n\
         [[agreement.clause]]\nkind = \"upgrade_route\"\nlayers = []\nentry_discount = -0.5\n\
         [[agreement.clause]]\nkind = \"no_duplication\"\nlayer = \"fab\"\nmax_producers = -1\n"
    )));
    assert_eq!(
        got,
        vec![
            "upgrade: adjacency_discount must lie in [0, 1], got 2",
            "agreement pact clause 1 (trade_cost_factor): factor must lie in [0, 1], got 1.5",
            "agreement pact clause 2 (upgrade_route): layers is empty; a clause must name at least one layer",
            "agreement pact clause 2 (upgrade_route): entry_discount must lie in [0, 1], got -0.5",
            "agreement pact clause 3 (no_duplication): max_producers must be >= 0, got -1",
        ]
    );
}

#[test]
fn non_finite_numbers_and_wrong_types() {
    let got = problems(&with(
        "[[capability]]\ncountry = \"TWN\"\nlayer = \"fab\"\nunit_cost = nan\ncapacity = inf\nmin_scale = \"big\"\n\
         [[demand]]\ncountry = \"KOR\"\nlayer = \"fab\"\nblocks = [{ quantity = 1 }, { quantity = -1, value = \"x\" }]\n",
    ));
    assert_eq!(
        got,
        vec![
            r#"capability TWN/fab: min_scale must be a number, got "big""#,
            r#"demand KOR/fab block 2: value must be a number, got "x""#,
            "capability TWN/fab: unit_cost must be a finite number, got NaN",
            "capability TWN/fab: capacity must be a finite number, got inf",
            "demand KOR/fab block 1: missing required field value",
            "demand KOR/fab block 2: quantity must be >= 0, got -1",
        ]
    );
}

#[test]
fn trade_routes() {
    let got = problems(&with(
        "[trade]\ndefault_cost = 0.1\n\
         [[trade.cost]]\nfrom = \"KOR\"\nto = \"USA\"\ncost = 1\n\
         [[trade.cost]]\nfrom = \"KOR\"\nto = \"USA\"\ncost = 2\n\
         [[trade.cost]]\nfrom = \"KOR\"\nto = \"USA\"\nlayer = \"fab\"\ncost = 2\n\
         [[trade.cost]]\nfrom = \"USA\"\nlayer = \"fab\"\n\
         [[trade.block]]\nfrom = \"USA\"\nto = \"TWN\"\n",
    ));
    assert_eq!(
        got,
        vec![
            "trade.cost 2: same from, to and layer as trade.cost 1",
            "trade.cost 4: missing required field to",
            "trade.cost 4: missing required field cost",
        ]
    );
    let s = ok(&with(
        "[[trade.cost]]\nfrom = \"KOR\"\nto = \"USA\"\ncost = 1\n\
         [[trade.cost]]\nfrom = \"KOR\"\nto = \"USA\"\nlayer = \"fab\"\ncost = 2\n\
         [[trade.block]]\nfrom = \"USA\"\nto = \"TWN\"\n",
    ));
    assert_eq!(s.trade.costs.len(), 2);
    assert_eq!(s.trade.blocks[0].layers, None);
}

#[test]
fn essential_demand_above_the_blocks_is_not_invalid() {
    let text = BASE.replacen(
        "blocks = [{ quantity = 10, value = 5 }]",
        "blocks = [{ quantity = 10, value = 5 }]\nmust_serve = 50",
        1,
    );
    assert_eq!(ok(&text).demands[0].must_serve, 50.0);
    let got = problems(&with("[[demand]]\ncountry = \"KOR\"\nlayer = \"fab\"\n"));
    assert_eq!(got, vec!["demand KOR/fab: missing required field blocks"]);
}

#[test]
fn json_loads_like_toml() {
    let json = r#"{
      "meta": {"periods": 2},
      "layer": [
        {"id": "fab"},
        {"id": "memory"},
        {"id": "models", "inputs": {"fab": 0.5, "memory": 0.2}}
      ],
      "country": [{"id": "KOR"}, {"id": "USA"}, {"id": "TWN"}],
      "capability": [
        {"country": "KOR", "layer": "fab", "unit_cost": 1},
        {"country": "KOR", "layer": "memory", "unit_cost": 1},
        {"country": "USA", "layer": "models", "unit_cost": 2}
      ],
      "demand": [{"country": "USA", "layer": "models", "blocks": [{"quantity": 10, "value": 5}]}]
    }"#;
    let from_json = match Scenario::from_str(json, Format::Json, "t.json") {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let from_toml = ok(BASE);
    let fingerprint = |s: &Scenario| {
        format!(
            "{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}",
            s.meta,
            s.layers,
            s.countries,
            s.capabilities,
            s.demands,
            s.security,
            s.trade,
            s.agreements
        )
    };
    assert_eq!(fingerprint(&from_json), fingerprint(&from_toml));
    assert_eq!(from_json.capability_index, from_toml.capability_index);

    let err = Scenario::from_str(
        r#"{"layer": [{"id": "fab", "tradeable": false}]}"#,
        Format::Json,
        "t.json",
    )
    .expect_err("unknown field");
    assert_eq!(
        err.problems()[0].to_string(),
        r#"layer fab: unknown field "tradeable" (did you mean "tradable"?)"#
    );
}

#[test]
fn file_errors() {
    let err = Scenario::from_path("/nonexistent/scenario.yaml").expect_err("format");
    assert_eq!(
        err.to_string(),
        "/nonexistent/scenario.yaml: unknown scenario format \".yaml\" (expected .toml or .json)"
    );
    assert!(err.problems().is_empty());
    let err = Scenario::from_path("/nonexistent/scenario.toml").expect_err("io");
    assert!(matches!(err, ScenarioError::Io { .. }));
    assert!(
        err.to_string()
            .starts_with("cannot read /nonexistent/scenario.toml: "),
        "{err}"
    );
    let err = load("[meta\n").expect_err("syntax");
    assert!(matches!(err, ScenarioError::Parse { .. }));
    assert!(err.to_string().contains("line 1"), "{err}");
}

#[test]
fn did_you_mean_is_conservative() {
    assert_eq!(did_you_mean("modles", ["models", "apps"]), Some("models"));
    assert_eq!(did_you_mean("kor", ["KOR", "USA"]), Some("KOR"));
    assert_eq!(did_you_mean("xyz", ["fab", "apps"]), None);
    assert_eq!(
        did_you_mean("unit_cots", ["unit_cost", "cost_trend"]),
        Some("unit_cost")
    );
    assert_eq!(fmt_num(1.2f64.sqrt()), "1.0954");
    assert_eq!(fmt_num(-1.0), "-1");
}

#[test]
fn arbitrary_text_does_not_panic() {
    let samples = [
        "",
        "[[layer]]",
        "layer = 3",
        "[[layer]]\nid = 1\ninputs = 2",
        "[[capability]]\ninputs = { x = [] }",
        "[[agreement]]\nclause = 5",
        "[[agreement]]\n[[agreement.clause]]\nkind = 3",
        "[[demand]]\nblocks = [1, 2]",
        "[meta]\nperiods = 99999999999999999",
        "[trade]\nblock = {}",
        "[[layer]]\nid = \"a\"\ninputs = { a = 1e308 }",
        "[meta]\ndate = 1979-05-27T07:32:00Z",
    ];
    for text in samples {
        let _ = load(text);
    }
    for text in [
        "null",
        "[]",
        "{\"layer\": null}",
        "{\"country\": [null]}",
        "1e999",
    ] {
        let _ = Scenario::from_str(text, Format::Json, "t.json");
    }
}
