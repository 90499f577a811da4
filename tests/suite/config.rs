//! Config: JaxLife's defaults, the shipped files, validation, `--set` overrides and
//! `silico validate`.

use std::path::{Path, PathBuf};
use std::process::Command;

use silico::config::{Brain, Config, TerrainKind};
use silico::error::ConfigError;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The error text for a config that must be refused.
fn refused(text: &str) -> String {
    match silico::world::config_from_ron(text, "test.ron") {
        Ok(cfg) => panic!("accepted {text}: {cfg:?}"),
        Err(e) => e.to_string(),
    }
}

fn sets(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn set(list: &[&str]) -> Config {
    Config::default()
        .with_overrides(&sets(list))
        .unwrap_or_else(|e| panic!("--set {list:?} refused: {e}"))
}

fn set_refused(list: &[&str]) -> String {
    match Config::default().with_overrides(&sets(list)) {
        Ok(cfg) => panic!("--set {list:?} accepted: {cfg:?}"),
        Err(e) => e.to_string(),
    }
}

fn assert_names(msg: &str, needles: &[&str]) {
    for n in needles {
        assert!(msg.contains(n), "error does not mention {n:?}:\n{msg}");
    }
}

// ---------------------------------------------------------------- defaults

#[test]
fn defaults_are_jaxlifes_numbers() {
    let c = Config::default();
    assert_eq!(c.world.map_size, 128);
    assert_eq!(c.world.cell_size, 8.0);
    assert_eq!(c.agents.capacity, 128);
    assert_eq!(c.agents.min_agents(), 32);
    assert_eq!(c.initial_agents(), 128);
    assert_eq!(c.agents.terrain_view_range, 4);
    assert_eq!(c.agents.view_agents, 16);
    assert_eq!(c.agents.view_bots, 2);
    assert_eq!(c.bots.count, 32);
    assert_eq!(c.bots.steps_per_tick, 4);
    assert_eq!(c.bots.initial_energy, 64.0);
    assert_eq!(c.agents.move_speed, 0.5);
    assert_eq!(c.agents.push_speed, 1.0);
    assert_eq!(c.agents.hit_strength, 1.0);
    assert_eq!(c.agents.hit_distance_decay, 0.5);
    assert_eq!(c.agents.hit_steal_fraction, 0.0);
    assert_eq!(c.agents.eat_rate, 0.2);
    assert_eq!(c.agents.terraform_rate, 0.1);
    assert_eq!(c.agents.child_energy, 32.0);
    assert_eq!(c.costs.move_cost, 0.5);
    assert_eq!(c.costs.push_cost, 0.25);
    assert_eq!(c.costs.hit_cost, 0.4);
    assert_eq!(c.costs.terraform_cost, 0.001);
    assert_eq!(c.costs.life_cost, 0.25);
    assert_eq!(c.costs.age_cost, 256.0);
    assert_eq!(c.costs.max_reproduce_cost, 32.0);
    assert_eq!(c.costs.reproduce_factor, 2.0);
    assert_eq!(c.terrain.kind, TerrainKind::Perlin);
    assert_eq!(c.terrain.perlin_res, 4);
    assert_eq!(c.terrain.weather_speed, 0.001);
    assert_eq!(c.terrain.alpha, 0.005);
    assert_eq!(c.terrain.max_energy, 8.0);
    assert_eq!(c.terrain.max_move_cost, 4.0);
    assert_eq!(c.terrain.max_push_cost, 4.0);
    assert_eq!(c.terrain.max_energy_gain, 1.0);
    assert_eq!(c.terrain.max_message_cost, 0.25);
    assert_eq!(c.terrain.max_reproduce_cost, 1.0);
    assert_eq!(c.terrain.gain_scaling, 1.5);
    assert_eq!(c.terrain.energy_gain_clip, 2.0);
    assert_eq!(c.mutation.sigma, 0.01);
    assert_eq!(c.validate(), Ok(()));
}

#[test]
fn default_ron_is_exactly_the_default() {
    let cfg = silico::world::load_config(&root().join("configs/default.ron")).unwrap();
    assert_eq!(cfg, Config::default());
}

#[test]
fn empty_file_gives_the_defaults() {
    assert_eq!(
        silico::world::config_from_ron("()", "empty").unwrap(),
        Config::default()
    );
}

#[test]
fn to_ron_round_trips() {
    let mut c = Config {
        brain: Brain::Random,
        ..Config::default()
    };
    c.terrain.kind = TerrainKind::TwoIslands;
    c.agents.eat_rate = 0.3;
    assert_eq!(
        silico::world::config_from_ron(&c.to_ron(), "round trip").unwrap(),
        c
    );
}

/// Every config file under `dir`; experiment files (configs/experiments/, checked in
/// tests/suite/experiment.rs) are not configs.
fn ron_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            if !p.ends_with("experiments") {
                ron_files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "ron") {
            out.push(p);
        }
    }
}

#[test]
fn every_shipped_config_loads_and_validates() {
    let mut files = Vec::new();
    ron_files(&root().join("configs"), &mut files);
    assert!(
        files.len() >= 4,
        "expected the shipped configs, found {files:?}"
    );
    for f in &files {
        let cfg = silico::world::load_config(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert_eq!(silico::world::validate(&cfg), Ok(()), "{}", f.display());
    }
    let islands = silico::world::load_config(&root().join("configs/four_islands.ron")).unwrap();
    assert_eq!(islands.terrain.kind, TerrainKind::FourIslands);
    let large = silico::world::load_config(&root().join("configs/large.ron")).unwrap();
    assert_eq!(large.brain, Brain::Random);
}

// ---------------------------------------------------------------- bad files

#[test]
fn out_of_range_numbers_are_refused_naming_the_field_and_range() {
    for (text, field, allowed) in [
        (
            "(agents: (capacity: 0, min_agents: 0, initial_agents: 0))",
            "agents.capacity",
            "allowed 1 ..= 4194304",
        ),
        (
            "(agents: (eat_rate: 2.0))",
            "agents.eat_rate",
            "allowed 0 ..= 1",
        ),
        (
            "(agents: (view_agents: 99))",
            "agents.view_agents",
            "allowed 0 ..= 32",
        ),
        (
            "(agents: (view_bots: 9))",
            "agents.view_bots",
            "allowed 0 ..= 8",
        ),
        (
            "(agents: (terrain_view_range: 9))",
            "agents.terrain_view_range",
            "allowed 0 ..= 8",
        ),
        (
            "(world: (map_size: 2))",
            "world.map_size",
            "allowed 4 ..= 4096",
        ),
        ("(world: (cell_size: 0.0))", "world.cell_size", "allowed"),
        (
            "(mutation: (sigma: -1.0))",
            "mutation.sigma",
            "allowed 0 ..= 100",
        ),
        (
            "(agents: (hit_steal_fraction: 1.5))",
            "agents.hit_steal_fraction",
            "allowed 0 ..= 1",
        ),
        ("(costs: (move_cost: -0.5))", "costs.move_cost", "allowed"),
        (
            "(terrain: (perlin_res: 0))",
            "terrain.perlin_res",
            "allowed 1 ..= 64",
        ),
        ("(metrics_every: 0)", "metrics_every", "allowed 1"),
        (
            "(agents: (capacity: 64, min_agents: 65, initial_agents: 64))",
            "agents.min_agents = 65",
            "agents.capacity (64)",
        ),
        (
            "(agents: (capacity: 64, min_agents: 16, initial_agents: 100))",
            "agents.initial_agents = 100",
            "agents.capacity (64)",
        ),
        (
            "(world: (map_size: 8), terrain: (perlin_res: 16))",
            "terrain.perlin_res",
            "map_size",
        ),
        (
            "(brain: Compact(hidden: 8))",
            "brain.hidden",
            "allowed 16 ..= 64",
        ),
        (
            "(brain: Compact(hidden: 18))",
            "brain.hidden = 18",
            "multiple of 4",
        ),
        (
            "(brain: JaxLife(hidden: 20, heads: 2))",
            "brain.hidden = 20",
            "multiple of 4 x heads",
        ),
    ] {
        let msg = refused(text);
        assert_names(&msg, &[field, allowed, "test.ron"]);
        assert!(
            matches!(
                silico::world::config_from_ron(text, "t"),
                Err(ConfigError::Invalid { .. })
            ),
            "{text}"
        );
    }
}

#[test]
fn float_values_print_short_in_errors() {
    let msg = refused("(agents: (eat_rate: 1.1))");
    assert_names(&msg, &["agents.eat_rate = 1.1 "]);
}

#[test]
fn nan_and_infinity_are_refused() {
    for (text, field) in [
        ("(agents: (eat_rate: NaN))", "agents.eat_rate"),
        ("(costs: (move_cost: inf))", "costs.move_cost"),
        ("(world: (cell_size: -inf))", "world.cell_size"),
        ("(mutation: (sigma: NaN))", "mutation.sigma"),
    ] {
        assert_names(&refused(text), &[field]);
    }
}

#[test]
fn wrong_type_is_refused_naming_the_field_and_line() {
    let text = "(\n    world: (\n        map_size: \"big\",\n    ),\n)";
    let err = silico::world::config_from_ron(text, "typed.ron").unwrap_err();
    match &err {
        ConfigError::Parse { line, .. } => assert_eq!(*line, 3, "{err}"),
        other => panic!("expected a parse error, got {other:?}"),
    }
    assert_names(&err.to_string(), &["typed.ron:3:", "world.map_size"]);

    assert_names(
        &refused("(agents: (child_energy_from_parent: 1))"),
        &["agents.child_energy_from_parent"],
    );
    assert_names(&refused("(agents: (capacity: -5))"), &["agents.capacity"]);
    assert_names(&refused("(seed: 1.5)"), &["seed"]);
    assert_names(&refused("(brain: Smart)"), &["Smart"]);
    assert_names(&refused("(terrain: (kind: Hills))"), &["Hills"]);
    assert_names(&refused("(world: 5)"), &["world"]);
}

#[test]
fn integer_for_a_float_field_is_accepted_in_files() {
    let cfg = silico::world::config_from_ron("(world: (cell_size: 4))", "t").unwrap();
    assert_eq!(cfg.world.cell_size, 4.0);
}

#[test]
fn unknown_fields_are_refused_by_name() {
    assert_names(&refused("(agents: (capcity: 5))"), &["capcity", "capacity"]);
    assert_names(&refused("(wrold: (map_size: 64))"), &["wrold"]);
    assert_names(
        &refused("(terrain: (kind: Perlin, sesaon: 1.0))"),
        &["sesaon"],
    );
}

#[test]
fn malformed_ron_reports_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("broken.ron");
    std::fs::write(
        &path,
        "(\n    world: (map_size: 64),\n    agents: (capacity: 64,, ),\n)\n",
    )
    .unwrap();
    let err = silico::world::load_config(&path).unwrap_err();
    match &err {
        ConfigError::Parse { origin, line, .. } => {
            assert_eq!(*line, 3, "{err}");
            assert!(origin.contains("broken.ron"), "{err}");
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
    assert_names(&err.to_string(), &["broken.ron:3:"]);

    let err = silico::world::config_from_ron("(\n  seed: 1,\n  world: (map_size: 64\n", "open.ron")
        .unwrap_err();
    assert!(matches!(err, ConfigError::Parse { .. }), "{err}");
    assert_names(&err.to_string(), &["open.ron:"]);
}

#[test]
fn missing_file_names_the_path() {
    let err = silico::world::load_config(Path::new("/nonexistent/dir/cfg.ron")).unwrap_err();
    assert!(matches!(err, ConfigError::Io { .. }));
    assert_names(&err.to_string(), &["/nonexistent/dir/cfg.ron"]);
}

// ---------------------------------------------------------------- --set

#[test]
fn overrides_apply_to_every_kind_of_field() {
    assert_eq!(set(&["agents.capacity=256"]).agents.capacity, 256);
    assert_eq!(set(&["world.cell_size=4.0"]).world.cell_size, 4.0);
    assert_eq!(set(&["world.cell_size=4"]).world.cell_size, 4.0);
    assert!(
        set(&["agents.child_energy_from_parent=true"])
            .agents
            .child_energy_from_parent
    );
    assert_eq!(set(&["brain=Random"]).brain, Brain::Random);
    assert_eq!(set(&["brain=Zero"]).brain, Brain::Zero);
    assert_eq!(
        set(&["terrain.kind=FourIslands"]).terrain.kind,
        TerrainKind::FourIslands
    );
    assert_eq!(set(&["seed=5"]).seed, 5);
    assert_eq!(set(&["seed=18446744073709551615"]).seed, u64::MAX);
    assert_eq!(set(&["agents.eat_rate=0.3"]).agents.eat_rate, 0.3);
    assert_eq!(set(&[" agents.view_agents = 8 "]).agents.view_agents, 8);
}

#[test]
fn an_override_changes_only_its_field() {
    let want = Config {
        seed: 5,
        ..Config::default()
    };
    assert_eq!(set(&["seed=5"]), want);

    let mut want = Config {
        brain: Brain::Random,
        ..Config::default()
    };
    want.terrain.kind = TerrainKind::TwoIslands;
    want.agents.capacity = 256;
    want.world.cell_size = 2.5;
    assert_eq!(
        set(&[
            "brain=Random",
            "terrain.kind=TwoIslands",
            "agents.capacity=256",
            "world.cell_size=2.5"
        ]),
        want
    );

    // On top of a loaded file, the file's other values stay.
    let islands = silico::world::load_config(&root().join("configs/four_islands.ron")).unwrap();
    let c = islands.with_overrides(&sets(&["seed=7"])).unwrap();
    assert_eq!(c.terrain.kind, TerrainKind::FourIslands);
    assert_eq!(c.terrain.season_period_ticks, 182.5);
    assert_eq!(c.seed, 7);
}

#[test]
fn later_overrides_win() {
    assert_eq!(set(&["seed=1", "seed=2"]).seed, 2);
}

#[test]
fn a_section_override_changes_only_the_fields_it_names() {
    let c = set(&["world=(map_size: 64)"]);
    assert_eq!(c.world.map_size, 64);
    assert_eq!(c.world.cell_size, 8.0);
    let c = set(&["terrain=(kind: FourIslands, season_period_ticks: 10)"]);
    assert_eq!(c.terrain.kind, TerrainKind::FourIslands);
    assert_eq!(c.terrain.season_period_ticks, 10.0);
    assert_eq!(c.terrain.alpha, 0.005);
}

#[test]
fn no_overrides_is_the_same_config() {
    let c = Config::default();
    assert_eq!(c.with_overrides(&[]).unwrap(), c);
}

#[test]
fn unknown_override_paths_are_named_with_the_valid_fields() {
    let msg = set_refused(&["agents.capcity=5"]);
    assert_names(
        &msg,
        &["agents.capcity", "capacity", "min_agents", "eat_rate"],
    );
    let msg = set_refused(&["nosuch=1"]);
    assert_names(&msg, &["nosuch", "agents", "world", "seed"]);
    let msg = set_refused(&["seed.x=1"]);
    assert_names(&msg, &["seed.x"]);
    let msg = set_refused(&["world..map_size=1"]);
    assert_names(&msg, &["world..map_size"]);
    assert!(matches!(
        Config::default().with_overrides(&sets(&["nosuch=1"])),
        Err(ConfigError::Override { .. })
    ));
}

#[test]
fn bad_override_values_are_named() {
    for (s, needles) in [
        ("agents.capacity=\"big\"", &["agents.capacity", "big"][..]),
        ("agents.capacity=-1", &["agents.capacity", "-1"]),
        (
            "agents.capacity=2.5",
            &["agents.capacity", "2.5", "whole number"],
        ),
        (
            "agents.capacity=99999999999",
            &["agents.capacity", "99999999999"],
        ),
        ("brain=Smart", &["brain", "Smart"]),
        ("terrain.kind=Hills", &["terrain.kind", "Hills"]),
        (
            "agents.child_energy_from_parent=3",
            &["agents.child_energy_from_parent", "3"],
        ),
        ("world.cell_size=true", &["world.cell_size", "true"]),
        ("world=5", &["world", "5"]),
        ("agents.capacity=(", &["agents.capacity", "("]),
        ("agents.capacity=", &["agents.capacity"]),
        ("agents.capacity", &["agents.capacity", "PATH=VALUE"]),
        ("seed=5), brain: (Random", &["seed"]),
        ("world=(map_sise: 64)", &["world", "map_sise"]),
    ] {
        let needles: Vec<&str> = needles
            .iter()
            .copied()
            .filter(|n| *n != "PATH=VALUE")
            .collect();
        let msg = set_refused(&[s]);
        assert_names(&msg, &needles);
        assert!(
            matches!(
                Config::default().with_overrides(&sets(&[s])),
                Err(ConfigError::Override { .. })
            ),
            "{s}: {msg}"
        );
    }
}

#[test]
fn non_finite_overrides_are_refused() {
    assert_names(
        &set_refused(&["agents.eat_rate=NaN"]),
        &["agents.eat_rate", "NaN"],
    );
    assert_names(
        &set_refused(&["costs.move_cost=inf"]),
        &["costs.move_cost", "inf"],
    );
}

#[test]
fn an_override_making_the_config_invalid_is_refused_by_validate() {
    for (s, field) in [
        ("agents.eat_rate=2.0", "agents.eat_rate"),
        ("agents.capacity=0", "agents.capacity"),
        ("agents.view_agents=99", "agents.view_agents"),
        ("agents.min_agents=200", "agents.min_agents"),
        ("mutation.sigma=-1", "mutation.sigma"),
        ("world.map_size=2", "world.map_size"),
    ] {
        let err = Config::default().with_overrides(&sets(&[s])).unwrap_err();
        assert!(matches!(err, ConfigError::Invalid { .. }), "{s}: {err}");
        assert_names(&err.to_string(), &[field, "allowed", "--set"]);
    }
}

#[test]
fn overrides_can_fix_an_invalid_combination_together() {
    // With the counts given explicitly, a smaller capacity alone is invalid; with them
    // lowered too it is fine.
    let explicit = silico::world::config_from_ron(
        "(agents: (capacity: 128, min_agents: 32, initial_agents: 128))",
        "explicit.ron",
    )
    .unwrap();
    let err = explicit
        .with_overrides(&["agents.capacity=16".to_string()])
        .unwrap_err()
        .to_string();
    assert!(err.contains("agents.min_agents = 32"), "{err}");
    let c = explicit
        .with_overrides(&[
            "agents.capacity=16".to_string(),
            "agents.min_agents=4".to_string(),
            "agents.initial_agents=16".to_string(),
        ])
        .unwrap();
    assert_eq!(
        (c.agents.capacity, c.agents.min_agents(), c.initial_agents()),
        (16, 4, 16)
    );
}

/// Counts left out follow the capacity: the whole pool at tick 0 (less what a scenario
/// places), a quarter of it respawned.
#[test]
fn the_agent_counts_follow_the_capacity_when_left_out() {
    let c = silico::world::load_config(&root().join("configs/default.ron"))
        .unwrap()
        .with_overrides(&["agents.capacity=64".to_string()])
        .unwrap();
    assert_eq!((c.initial_agents(), c.agents.min_agents()), (64, 16));
    let placed = silico::world::config_from_ron(
        "(agents: (capacity: 10), scenario: (agents: [(pos: (1.0, 1.0), count: 3)]))",
        "placed.ron",
    )
    .unwrap();
    assert_eq!(placed.initial_agents(), 7);
    // A resolved config keeps them left out, so a fork that changes the capacity follows.
    let round = silico::world::config_from_ron(&c.to_ron(), "round.ron").unwrap();
    assert_eq!(round.agents.initial_agents, None);
}

// ---------------------------------------------------------------- silico validate

fn silico(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_silico"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run silico")
}

#[test]
fn validate_accepts_the_shipped_configs() {
    let mut files = Vec::new();
    ron_files(&root().join("configs"), &mut files);
    for f in &files {
        let f = f.display().to_string();
        let out = silico(&["validate", &f]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{f}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains(&format!("{f}: ok")), "{stdout}");
    }
    let out = silico(&[
        "validate",
        "configs/default.ron",
        "--set",
        "brain=Random",
        "--set",
        "world.cell_size=4",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn validate_refuses_a_bad_file_naming_field_and_range() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("bad.ron");
    std::fs::write(&path, "(agents: (eat_rate: 2.0, view_agents: 99))").unwrap();
    let out = silico(&["validate", &path.display().to_string()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_names(
        &stderr,
        &[
            "error:",
            "bad.ron",
            "agents.eat_rate",
            "allowed 0 ..= 1",
            "agents.view_agents",
            "allowed 0 ..= 32",
        ],
    );

    let path = tmp.path().join("typo.ron");
    std::fs::write(&path, "(\n  agents: (capcity: 5),\n)").unwrap();
    let out = silico(&["validate", &path.display().to_string()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_names(&stderr, &["typo.ron:2:", "capcity"]);
}

#[test]
fn validate_refuses_bad_overrides() {
    let out = silico(&[
        "validate",
        "configs/default.ron",
        "--set",
        "agents.capcity=5",
    ]);
    assert!(!out.status.success());
    assert_names(
        &String::from_utf8_lossy(&out.stderr),
        &["agents.capcity", "capacity"],
    );
    let out = silico(&[
        "validate",
        "configs/default.ron",
        "--set",
        "agents.capacity=0",
    ]);
    assert!(!out.status.success());
    assert_names(
        &String::from_utf8_lossy(&out.stderr),
        &["agents.capacity", "allowed 1"],
    );
}

#[test]
fn worlds_too_big_for_memory_are_refused_before_allocating() {
    let text = "(agents: (capacity: 4000000, min_agents: 1, initial_agents: 1), brain: Linear)";
    let err = silico::world::config_from_ron(text, "huge.ron")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("GiB") && err.contains("agents.capacity"),
        "{err}"
    );
    // The same population with no genome fits.
    let ok = "(agents: (capacity: 4000000, min_agents: 1, initial_agents: 1), brain: Random)";
    assert!(silico::world::config_from_ron(ok, "ok.ron").is_ok());
}

#[test]
fn bad_scenarios_are_refused_naming_the_placement_and_field() {
    for (text, needles) in [
        (
            "(bots: (count: 2), scenario: (bots: [(pos: (1.0, 1.0), count: 3)]))",
            &["scenario.bots place 3 bots", "bots.count (2)"][..],
        ),
        (
            "(scenario: (bots: [(program: Raw([0.5, 2.0]))]))",
            &[
                "scenario.bots[0].program has 2 values",
                "scenario.bots[0].program[1] = 2",
                "allowed -1 ..= 1",
            ][..],
        ),
        (
            "(scenario: (bots: [(pos: (5000.0, 1.0))]))",
            &["scenario.bots[0].pos", "0 ..< 1024"][..],
        ),
        (
            "(scenario: (bots: [(memory: Values(gate: 3.0))]))",
            &["scenario.bots[0].memory[6] = 3", "allowed -1 ..= 1"][..],
        ),
        (
            "(scenario: (agents: [(genome: Tensors({\"linear.weights\": [1.0]}))]))",
            &["scenario.agents[0].genome names tensor \"linear.weights\"", "linear.bias"][..],
        ),
        (
            "(scenario: (agents: [(genome: Tensors({\"linear.bias\": [1.0]}))]))",
            &["scenario.agents[0].genome[\"linear.bias\"] has 1 values", "holds 44"][..],
        ),
        (
            "(agents: (capacity: 4, min_agents: 1, initial_agents: 4), scenario: (agents: [(pos: (1.0, 1.0))]))",
            &["scenario.agents place 1 agents", "agents.capacity (4)"][..],
        ),
        (
            "(scenario: (bits: [(cell: (128, 0), bit: 1.0)]))",
            &["scenario.bits[0].cell", "world.map_size (128)"][..],
        ),
    ] {
        let msg = refused(text);
        assert_names(&msg, needles);
    }
}

/// An integer out of its field's type range is refused with that range, in a file (with
/// its place) and in an override.
#[test]
fn integers_out_of_range_name_the_range() {
    let err = Config::from_ron("(agents: (capacity: -5))", "neg.ron")
        .unwrap_err()
        .to_string();
    assert_names(
        &err,
        &["neg.ron:1:", "agents.capacity", "from 0 to 4294967295"],
    );
    assert_names(
        &set_refused(&["agents.capacity=-5"]),
        &["agents.capacity", "'-5'", "from 0 to 4294967295"],
    );
    assert_names(
        &set_refused(&["seed=-1"]),
        &["seed", "from 0 to 18446744073709551615"],
    );
}
