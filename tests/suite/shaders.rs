//! Every WGSL file parses and validates under naga, and the structs it shares with Rust
//! have the same size and member offsets on both sides.

use std::mem::{offset_of, size_of};

use silico::gpu::{binding_decls, full_source, pass_source, GenomePages, SHADERS};
use silico::world::*;

fn parse(src: &str, name: &str) -> naga::Module {
    naga::front::wgsl::parse_str(src)
        .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(src)))
}

fn one_page() -> GenomePages {
    GenomePages::single(64, 16)
}

fn validate(src: &str, name: &str) -> naga::Module {
    let module = parse(src, name);
    // unpack2x16float (f16 genomes) needs it; every Vulkan, Metal and DX12 adapter has it.
    naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::SHADER_FLOAT16_IN_FLOAT32,
    )
    .validate(&module)
    .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(src)));
    module
}

#[test]
fn every_shader_validates() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let mut seen = 0;
    for def in SHADERS {
        let src = full_source(def, &one_page());
        let module = validate(&src, def.file);
        for entry in def.entries {
            assert!(
                module.entry_points.iter().any(|ep| ep.name == entry.name),
                "{} has no entry point {}",
                def.file,
                entry.name
            );
        }
        assert!(
            !binding_decls(&pass_source(def, &one_page())).is_empty(),
            "{} declares no bindings",
            def.file
        );
        seen += 1;
    }
    // Every .wgsl in shaders/ (but common.wgsl, which is prepended, and the app's render
    // shader view.wgsl, tested below) belongs to a pass.
    let files = std::fs::read_dir(dir).unwrap().filter(|e| {
        let p = e.as_ref().unwrap().path();
        p.extension().is_some_and(|x| x == "wgsl")
            && !p.ends_with("common.wgsl")
            && !p.ends_with("view.wgsl")
    });
    assert_eq!(files.count(), seen, "a shader file is not in gpu::SHADERS");
}

/// Genomes paged over several buffers, as packed half floats or f32, give valid shaders
/// whose page bindings follow the pass's own without clashing.
#[test]
fn genome_pages_expand_to_valid_shaders() {
    for f16 in [false, true] {
        for pages in [1, 3, 16] {
            let layout = GenomePages {
                f16,
                pages,
                agents_per_page: 5,
                ..GenomePages::single(64, 5 * pages)
            };
            let mut readers = 0;
            for def in SHADERS {
                let pass = pass_source(def, &layout);
                let name = format!("{} ({pages} pages, f16 {f16})", def.file);
                validate(&full_source(def, &layout), &name);
                if pass == def.source {
                    continue;
                }
                readers += 1;
                let decls = binding_decls(&pass);
                let mut numbers: Vec<u32> = decls.iter().map(|d| d.binding).collect();
                numbers.sort();
                numbers.dedup();
                assert_eq!(numbers.len(), decls.len(), "{name}: a binding number twice");
                let paged = decls
                    .iter()
                    .filter(|d| d.name.starts_with("genome_page_"))
                    .count();
                // The brains read one page per dispatch, bound with the uniform saying
                // which agents it holds.
                let per_page = silico::gpu::genome::per_page(def.source);
                assert_eq!(paged, if per_page { 1 } else { pages }, "{name}");
                assert_eq!(
                    decls
                        .iter()
                        .any(|d| d.name == silico::gpu::genome::PAGE_INFO && d.uniform),
                    per_page,
                    "{name}"
                );
            }
            // policy, jaxlife_brain, compact_brain, births and metrics read genomes.
            assert_eq!(readers, 5);
        }
    }
}

#[test]
fn pass_files_come_in_threes() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for def in SHADERS {
        let stem = def.file.trim_end_matches(".wgsl");
        assert!(
            root.join("src/gpu").join(format!("{stem}.rs")).exists(),
            "src/gpu/{stem}.rs missing"
        );
        assert!(
            root.join("src/cpu").join(format!("{stem}.rs")).exists(),
            "src/cpu/{stem}.rs missing"
        );
    }
}

/// (member name, Rust offset) for each shared struct, and its Rust size.
/// (struct name, Rust size, [(member, Rust offset)]).
type StructLayout = (&'static str, usize, Vec<(&'static str, usize)>);

fn rust_layouts() -> Vec<StructLayout> {
    vec![
        (
            "Agent",
            size_of::<Agent>(),
            vec![
                ("pos", offset_of!(Agent, pos)),
                ("energy", offset_of!(Agent, energy)),
                ("age", offset_of!(Agent, age)),
                ("alive", offset_of!(Agent, alive)),
                ("generation", offset_of!(Agent, generation)),
                ("lineage_lo", offset_of!(Agent, lineage_lo)),
                ("lineage_hi", offset_of!(Agent, lineage_hi)),
                ("parent_lo", offset_of!(Agent, parent_lo)),
                ("parent_hi", offset_of!(Agent, parent_hi)),
                ("id", offset_of!(Agent, id)),
                ("self_message", offset_of!(Agent, self_message)),
                ("other_message", offset_of!(Agent, other_message)),
                ("last_action", offset_of!(Agent, last_action)),
            ],
        ),
        (
            "Cell",
            size_of::<Cell>(),
            vec![
                ("energy", offset_of!(Cell, energy)),
                ("max_energy", offset_of!(Cell, max_energy)),
                ("energy_gain", offset_of!(Cell, energy_gain)),
                ("move_cost", offset_of!(Cell, move_cost)),
                ("push_cost", offset_of!(Cell, push_cost)),
                ("message_cost", offset_of!(Cell, message_cost)),
                ("reproduce_cost", offset_of!(Cell, reproduce_cost)),
                ("bit", offset_of!(Cell, bit)),
            ],
        ),
        (
            "Bot",
            size_of::<Bot>(),
            vec![
                ("pos", offset_of!(Bot, pos)),
                ("energy", offset_of!(Bot, energy)),
                ("memory", offset_of!(Bot, memory)),
                ("program", offset_of!(Bot, program)),
            ],
        ),
        (
            "Clock",
            size_of::<Clock>(),
            vec![
                ("tick", offset_of!(Clock, tick)),
                ("alive", offset_of!(Clock, alive)),
                ("bot_step", offset_of!(Clock, bot_step)),
            ],
        ),
        (
            "BotTick",
            size_of::<BotTick>(),
            vec![
                ("out", offset_of!(BotTick, out)),
                ("op", offset_of!(BotTick, op)),
                ("step_cost", offset_of!(BotTick, step_cost)),
                ("step_stolen", offset_of!(BotTick, step_stolen)),
                ("cost", offset_of!(BotTick, cost)),
                ("eaten", offset_of!(BotTick, eaten)),
                ("hit_received", offset_of!(BotTick, hit_received)),
                ("stolen", offset_of!(BotTick, stolen)),
                ("clip", offset_of!(BotTick, clip)),
                ("cultivation", offset_of!(BotTick, cultivation)),
                ("cell", offset_of!(BotTick, cell)),
                ("seen", offset_of!(BotTick, seen)),
            ],
        ),
        (
            "AgentTick",
            size_of::<AgentTick>(),
            vec![
                ("eaten", offset_of!(AgentTick, eaten)),
                ("cost", offset_of!(AgentTick, cost)),
                ("hit_received", offset_of!(AgentTick, hit_received)),
                ("stolen", offset_of!(AgentTick, stolen)),
                ("death_energy", offset_of!(AgentTick, death_energy)),
                ("flags", offset_of!(AgentTick, flags)),
                ("cultivation", offset_of!(AgentTick, cultivation)),
                ("programming", offset_of!(AgentTick, programming)),
                ("programmed", offset_of!(AgentTick, programmed)),
                ("meal_from", offset_of!(AgentTick, meal_from)),
                ("meal_lineage", offset_of!(AgentTick, meal_lineage)),
            ],
        ),
        (
            "Measures",
            size_of::<Measures>(),
            vec![
                (
                    "eaten_cultivated_total",
                    offset_of!(Measures, eaten_cultivated_total),
                ),
                (
                    "cultivation_cost_total",
                    offset_of!(Measures, cultivation_cost_total),
                ),
                ("lineages_prev", offset_of!(Measures, lineages_prev)),
                ("genome_diversity", offset_of!(Measures, genome_diversity)),
                ("saliency", offset_of!(Measures, saliency)),
                ("influence_changed", offset_of!(Measures, influence_changed)),
                ("influence_delta", offset_of!(Measures, influence_delta)),
            ],
        ),
        (
            "CellTick",
            size_of::<CellTick>(),
            vec![
                ("eaten", offset_of!(CellTick, eaten)),
                ("regrowth", offset_of!(CellTick, regrowth)),
            ],
        ),
        (
            "BirthControl",
            size_of::<BirthControl>(),
            vec![
                ("spawn_args", offset_of!(BirthControl, spawn_args)),
                ("genome_args", offset_of!(BirthControl, genome_args)),
                ("count", offset_of!(BirthControl, count)),
                ("births", offset_of!(BirthControl, births)),
                ("respawns", offset_of!(BirthControl, respawns)),
                ("deaths", offset_of!(BirthControl, deaths)),
                ("candidates", offset_of!(BirthControl, candidates)),
                ("alive_after", offset_of!(BirthControl, alive_after)),
            ],
        ),
        (
            "Birth",
            size_of::<Birth>(),
            vec![
                ("child", offset_of!(Birth, child)),
                ("parent", offset_of!(Birth, parent)),
            ],
        ),
    ]
}

#[test]
fn rust_and_wgsl_layouts_agree() {
    // Any pass will do: they all include common.wgsl, where the structs live.
    let src = full_source(SHADERS[0], &one_page());
    let module = parse(&src, "common");
    let mut layouter = naga::proc::Layouter::default();
    layouter.update(module.to_ctx()).unwrap();
    for (name, rust_size, members) in rust_layouts() {
        let (handle, ty) = module
            .types
            .iter()
            .find(|(_, t)| t.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("WGSL has no struct {name}"));
        assert_eq!(layouter[handle].size as usize, rust_size, "size of {name}");
        let naga::TypeInner::Struct {
            members: wgsl_members,
            ..
        } = &ty.inner
        else {
            panic!("{name} is not a struct")
        };
        for (member, offset) in members {
            let m = wgsl_members
                .iter()
                .find(|m| m.name.as_deref() == Some(member))
                .unwrap_or_else(|| panic!("WGSL {name} has no member {member}"));
            assert_eq!(m.offset as usize, offset, "offset of {name}.{member}");
        }
    }
}

#[test]
fn the_view_shader_validates_and_its_uniform_matches() {
    use silico::view::{ViewUniform, VIEW_WGSL};
    let src = format!("{}\n{VIEW_WGSL}", silico::gpu::common_wgsl());
    let module = parse(&src, "view.wgsl");
    naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::default(),
    )
    .validate(&module)
    .unwrap_or_else(|e| panic!("view.wgsl: {}", e.emit_to_string(&src)));
    for ep in [
        "vs_terrain",
        "fs_terrain",
        "vs_agent",
        "fs_agent",
        "vs_bot",
        "fs_bot",
        "vs_line",
        "fs_line",
    ] {
        assert!(module.entry_points.iter().any(|e| e.name == ep), "no {ep}");
    }
    let mut layouter = naga::proc::Layouter::default();
    layouter.update(module.to_ctx()).unwrap();
    let (handle, ty) = module
        .types
        .iter()
        .find(|(_, t)| t.name.as_deref() == Some("View"))
        .unwrap();
    assert_eq!(layouter[handle].size as usize, size_of::<ViewUniform>());
    let naga::TypeInner::Struct { members, .. } = &ty.inner else {
        panic!()
    };
    for (name, off) in [
        ("rect", offset_of!(ViewUniform, rect)),
        ("map_size", offset_of!(ViewUniform, map_size)),
        ("line_mode", offset_of!(ViewUniform, line_mode)),
        ("max_energy", offset_of!(ViewUniform, max_energy)),
        ("view_agents", offset_of!(ViewUniform, view_agents)),
        ("view_bots", offset_of!(ViewUniform, view_bots)),
        ("highlights", offset_of!(ViewUniform, highlights)),
    ] {
        let m = members
            .iter()
            .find(|m| m.name.as_deref() == Some(name))
            .unwrap();
        assert_eq!(m.offset as usize, off, "View.{name}");
    }
}

#[test]
fn params_layout_agrees() {
    let src = full_source(SHADERS[0], &one_page());
    let module = parse(&src, "common");
    let mut layouter = naga::proc::Layouter::default();
    layouter.update(module.to_ctx()).unwrap();
    let (handle, ty) = module
        .types
        .iter()
        .find(|(_, t)| t.name.as_deref() == Some("Params"))
        .unwrap();
    assert_eq!(layouter[handle].size as usize, size_of::<Params>());
    let naga::TypeInner::Struct { members, .. } = &ty.inner else {
        panic!()
    };
    // Params is all 4-byte scalars, so member k sits at 4k on both sides when the names
    // line up in order; compare the order against the Rust field list by a known sample.
    let names: Vec<&str> = members.iter().map(|m| m.name.as_deref().unwrap()).collect();
    assert_eq!(
        names.len() * 4,
        size_of::<Params>(),
        "Params has a non-scalar member or padding"
    );
    for (name, off) in [
        ("map_size", offset_of!(Params, map_size)),
        ("seed_hi", offset_of!(Params, seed_hi)),
        ("cell_size", offset_of!(Params, cell_size)),
        ("age_cost", offset_of!(Params, age_cost)),
        (
            "season_period_ticks",
            offset_of!(Params, season_period_ticks),
        ),
        ("bot_initial_energy", offset_of!(Params, bot_initial_energy)),
        ("initial_agents", offset_of!(Params, initial_agents)),
        ("messages_shuffled", offset_of!(Params, messages_shuffled)),
        ("influence_every", offset_of!(Params, influence_every)),
    ] {
        let m = members
            .iter()
            .find(|m| m.name.as_deref() == Some(name))
            .unwrap();
        assert_eq!(m.offset as usize, off, "Params.{name}");
    }
    for (k, m) in members.iter().enumerate() {
        assert_eq!(
            m.offset as usize,
            4 * k,
            "Params.{:?} is not at its place",
            m.name
        );
    }
}

/// A line that starts like a binding but does not read as one is refused, not skipped.
#[test]
fn a_binding_line_that_does_not_parse_is_refused() {
    let ok = binding_decls("@group(0) @binding(3) var<storage, read> cells: array<Cell>;");
    assert_eq!(
        (ok[0].binding, ok[0].name.as_str(), ok[0].read_only),
        (3, "cells", true)
    );
    let bad = std::panic::catch_unwind(|| {
        binding_decls("@group(0) @binding(three) var<storage, read> cells: array<Cell>;")
    });
    assert!(bad.is_err());
}

/// A struct's field names in declaration order, read off its `{:?}` output (the derive
/// prints every field, in order, at the top level of the braces).
fn debug_fields(debug: &str) -> Vec<String> {
    let body = &debug[debug.find('{').expect("a struct") + 1..debug.rfind('}').unwrap()];
    let (mut depth, mut item, mut names) = (0, String::new(), Vec::new());
    for c in body.chars() {
        match c {
            '{' | '[' | '(' => depth += 1,
            '}' | ']' | ')' => depth -= 1,
            ',' if depth == 0 => {
                names.push(std::mem::take(&mut item));
                continue;
            }
            _ => {}
        }
        item.push(c);
    }
    names.push(item);
    names
        .iter()
        .filter_map(|f| Some(f.split_once(':')?.0.trim().to_string()))
        .collect()
}

/// Every struct shared with the shaders has the same fields, named alike, in the same
/// order in Rust and WGSL (with the sizes checked above, the offsets follow): a field
/// added, renamed or moved on one side only fails here. Params, all 4-byte scalars, is
/// held field by field at 4 bytes each.
#[test]
fn every_shared_struct_has_the_same_fields_in_order() {
    let src = full_source(SHADERS[0], &one_page());
    let module = parse(&src, "common");
    let rust: Vec<(&str, String)> = vec![
        ("Params", format!("{:?}", Params::default())),
        (
            "Agent",
            format!("{:?}", <Agent as bytemuck::Zeroable>::zeroed()),
        ),
        ("Cell", format!("{:?}", Cell::default())),
        (
            "Bot",
            format!("{:?}", <Bot as bytemuck::Zeroable>::zeroed()),
        ),
        (
            "Clock",
            format!("{:?}", <Clock as bytemuck::Zeroable>::zeroed()),
        ),
        (
            "BotTick",
            format!("{:?}", <BotTick as bytemuck::Zeroable>::zeroed()),
        ),
        ("AgentTick", format!("{:?}", AgentTick::default())),
        (
            "CellTick",
            format!("{:?}", <CellTick as bytemuck::Zeroable>::zeroed()),
        ),
        ("BirthControl", format!("{:?}", BirthControl::default())),
        (
            "Birth",
            format!("{:?}", <Birth as bytemuck::Zeroable>::zeroed()),
        ),
    ];
    for (name, debug) in rust {
        let (_, ty) = module
            .types
            .iter()
            .find(|(_, t)| t.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("WGSL has no struct {name}"));
        let naga::TypeInner::Struct { members, .. } = &ty.inner else {
            panic!("{name} is not a struct")
        };
        let wgsl: Vec<String> = members.iter().map(|m| m.name.clone().unwrap()).collect();
        assert_eq!(debug_fields(&debug), wgsl, "the fields of {name}");
        if name == "Params" {
            for (k, m) in members.iter().enumerate() {
                assert_eq!(m.offset as usize, 4 * k, "Params.{:?}", m.name);
            }
        }
    }
}

/// `(name, value)` pairs of Rust constants, each named as its WGSL twin.
macro_rules! twins {
    ($($wgsl:ident = $rust:expr),* $(,)?) => {
        vec![$((stringify!($wgsl), $rust as f64)),*]
    };
}

/// Every constant a shader declares (read by naga, so expressions are evaluated) equals
/// its Rust twin, and a shader constant with no Rust twin is one of the shaders' own
/// (listed below, with why): a constant added to a shader or changed on one side only
/// fails here.
#[test]
fn every_shader_constant_equals_its_rust_twin() {
    use silico::cpu::metrics as m;
    use silico::gpu::births as b;
    use silico::rng::stream as s;
    let mut rust: Vec<(&str, f64)> = twins![
        MESSAGE_LEN = MESSAGE_LEN,
        ID_LEN = ID_LEN,
        ACTION_LEN = ACTION_LEN,
        LAST_ACTION_LEN = LAST_ACTION_LEN,
        AGENT_VEC_LEN = AGENT_VEC_LEN,
        BOT_VEC_LEN = BOT_VEC_LEN,
        CELL_FEATURES = CELL_FEATURES,
        NONE = NONE,
        FIXED_SCALE = FIXED_SCALE,
        TAU = std::f32::consts::TAU,
        AGENT_ACC_LEN = size_of::<AgentAcc>() / 4,
        ACC_FROM_BOTS = offset_of!(AgentAcc, from_bots) / 4,
        CELL_ACC_LEN = size_of::<CellAcc>() / 4,
        CA_BIT_WRITERS = offset_of!(CellAcc, bit_writers) / 4,
        CA_BIT_SUM = offset_of!(CellAcc, bit_sum) / 4,
        A_MOVE_X = act::MOVE_X,
        A_MOVE_Y = act::MOVE_Y,
        A_PUSH = act::PUSH,
        A_EAT = act::EAT,
        A_REPRODUCE = act::REPRODUCE,
        A_HIT = act::HIT,
        A_GATE = act::GATE,
        A_SELF_MESSAGE = act::SELF_MESSAGE,
        A_OTHER_MESSAGE = act::OTHER_MESSAGE,
        A_TERRAFORM = act::TERRAFORM,
        BRAIN_LINEAR = brain_kind::LINEAR,
        BRAIN_RANDOM = brain_kind::RANDOM,
        BRAIN_ZERO = brain_kind::ZERO,
        BRAIN_JAXLIFE = brain_kind::JAXLIFE,
        BRAIN_COMPACT = brain_kind::COMPACT,
        TERRAIN_PERLIN = terrain_kind::PERLIN,
        TERRAIN_RANDOM = terrain_kind::RANDOM,
        TERRAIN_TWO_ISLANDS = terrain_kind::TWO_ISLANDS,
        TERRAIN_FOUR_ISLANDS = terrain_kind::FOUR_ISLANDS,
        S_POLICY = s::POLICY,
        S_WEATHER = s::WEATHER,
        S_TERRAIN = s::TERRAIN,
        S_CHILD_ID = s::CHILD_ID,
        S_GENOME = s::GENOME,
        S_SPAWN_POS = s::SPAWN_POS,
        S_SPAWN_ID = s::SPAWN_ID,
        S_MUTATION_MASK = s::MUTATION_MASK,
        S_SALIENCY = s::SALIENCY,
        S_SHUFFLE = s::SHUFFLE,
        S_INFLUENCE = s::INFLUENCE,
        S_CREDIT = s::CREDIT,
        S_PARENT_ORDER = s::PARENT_ORDER,
        S_FOOD_PATCH = s::FOOD_PATCH,
        EVENT_BIRTH = EVENT_BIRTH,
        EVENT_DEATH = EVENT_DEATH,
        CAUSE_STARVED = CAUSE_STARVED,
        CAUSE_HIT = CAUSE_HIT,
        SALIENCY_GROUPS = SALIENCY_GROUPS,
        SALIENCY_AGENTS = SALIENCY_AGENTS,
        SALIENCY_INPUTS = SALIENCY_INPUTS,
        SALIENCY_PROBES = SALIENCY_PROBES,
        SALIENCY_EPS = SALIENCY_EPS,
        INFLUENCE_LISTENERS = INFLUENCE_LISTENERS,
        SALIENCY_ROWS = SALIENCY_ROWS,
        PROBE_ROWS = PROBE_ROWS,
        PROBE_SWAP = PROBE_SWAP,
        AGENT_PLAIN = AGENT_VEC_LEN - 2 * MESSAGE_LEN,
        BOT_VIEW = BOT_VIEW,
        BOT_OPS = BOT_OPS,
        B_MOVE_X = bot_act::MOVE_X,
        B_MOVE_Y = bot_act::MOVE_Y,
        B_PUSH = bot_act::PUSH,
        B_EAT = bot_act::EAT,
        B_HIT = bot_act::HIT,
        B_GATE = bot_act::GATE,
        B_TERRAFORM = bot_act::TERRAFORM,
        B_BIT_IO = bot_act::BIT_IO,
        B_WRITE = bot_act::WRITE,
        B_BIT = bot_act::BIT,
        TICK_ACTED = TICK_ACTED,
        TICK_DIED = TICK_DIED,
        TICK_WANTS_CHILD = TICK_WANTS_CHILD,
        CULTIVATOR_NONE = CULTIVATOR_NONE,
        CULTIVATOR_AGENTS = CULTIVATOR_AGENTS,
        CULTIVATOR_BOTS = CULTIVATOR_BOTS,
        LINEAGE_FIXED_SCALE = LINEAGE_FIXED_SCALE,
        GRID_LEVELS = GRID_LEVELS,
        GRID_ROUNDING_MARGIN = silico::cpu::grid::GRID_ROUNDING_MARGIN,
        CREDIT_SLOT_BITS = silico::world::common::CREDIT_SLOT_BITS,
        CREDIT_SLOT_MASK = silico::world::common::CREDIT_SLOT_MASK,
        GENOME_PAIRS_PER_THREAD = GENOME_PAIRS_PER_THREAD,
        SEL_WORDS = b::SEL_WORDS,
        HIST_BINS = b::HIST_BINS,
        BLOCK_SLOTS = b::BLOCK_SLOTS,
        BLOCK_WORDS = b::BLOCK_WORDS,
        METRIC_COUNT = METRIC_COLUMNS.len(),
        DIVERSITY_SAMPLE = DIVERSITY_SAMPLE,
        DIVERSITY_EVERY_TICKS = DIVERSITY_EVERY_TICKS,
        METRIC_RING = METRIC_RING,
        SUMS = SUMS,
        MEAL_SUMS = MEAL_SUMS,
        MEALS_AT = MEALS_AT,
        PARTIAL_STRIDE = PARTIAL_STRIDE,
        PROGRAMMED_WINDOW_TICKS = PROGRAMMED_WINDOW_TICKS,
        MESSAGE_SYMBOLS = comm::MESSAGE_SYMBOLS,
        ACTION_SYMBOLS = comm::ACTION_SYMBOLS,
        COMM_TABLE = comm::TABLE,
        COMM_SLOT = comm::SLOT,
        COMM_WINDOW_TICKS = comm::WINDOW_TICKS,
        M_EATEN = m::M_EATEN,
        M_FARM_FOOD = m::M_FARM_FOOD,
        M_FARM_OWN = m::M_FARM_OWN,
        M_FARM_CHANCE = m::M_FARM_CHANCE,
        M_BOT_FOOD = m::M_BOT_FOOD,
        M_BOT_OWN = m::M_BOT_OWN,
        M_BOT_CHANCE = m::M_BOT_CHANCE,
        Q_ALIVE = m::Q_ALIVE,
        Q_ENERGY = m::Q_ENERGY,
        Q_AGE = m::Q_AGE,
        Q_GEN = m::Q_GEN,
        Q_TERRAIN = m::Q_TERRAIN,
        Q_REGROWTH = m::Q_REGROWTH,
        Q_EATEN_CELLS = m::Q_EATEN_CELLS,
        Q_ACTORS = m::Q_ACTORS,
        Q_ACTIONS = m::Q_ACTIONS,
        Q_EATEN = m::Q_EATEN,
        Q_COSTS = m::Q_COSTS,
        Q_HIT = m::Q_HIT,
        Q_STOLEN = m::Q_STOLEN,
        Q_DEATH = m::Q_DEATH,
        Q_CULTIVATION = m::Q_CULTIVATION,
        Q_PROGRAMMING = m::Q_PROGRAMMING,
        Q_BOT_ENERGY = m::Q_BOT_ENERGY,
        Q_BOT_ACTIONS = m::Q_BOT_ACTIONS,
        Q_BOT_COSTS = m::Q_BOT_COSTS,
        Q_BOT_EATEN = m::Q_BOT_EATEN,
        Q_BOT_HIT = m::Q_BOT_HIT,
        Q_BOT_STOLEN = m::Q_BOT_STOLEN,
        Q_BOT_CLIP = m::Q_BOT_CLIP,
        Q_BOT_CULTIVATION = m::Q_BOT_CULTIVATION,
        Q_CULTIVATED_CELLS = m::Q_CULTIVATED_CELLS,
        Q_EATEN_CULTIVATED = m::Q_EATEN_CULTIVATED,
        Q_CULTIVATION_COST = m::Q_CULTIVATION_COST,
        Q_GATE_OPEN = m::Q_GATE_OPEN,
        Q_PROGRAMMED = m::Q_PROGRAMMED,
        Q_BOTS_PROGRAMMED = m::Q_BOTS_PROGRAMMED,
        Q_BOT_TERRAFORM_STEPS = m::Q_BOT_TERRAFORM_STEPS,
        Q_BOT_MOVED = m::Q_BOT_MOVED,
        Q_EATEN_BOT_FARMS = m::Q_EATEN_BOT_FARMS,
        Q_GIFTS = m::Q_GIFTS,
        Q_THEFT = m::Q_THEFT,
        Q_FROM_BOTS = m::Q_FROM_BOTS,
        MAX_K = silico::config::MAX_VIEW_AGENTS,
        QUADS = ACTION_LEN / 4,
        ACTION_QUADS = ACTION_LEN / 4,
        BOT_PLAIN = BOT_VEC_LEN - MESSAGE_LEN,
        COMPACT_TERRAIN = silico::world::brain::COMPACT_TERRAIN_INPUTS,
        TERRAIN_SUMMARY = silico::world::brain::COMPACT_TERRAIN_INPUTS,
        HEARD_INPUTS = 4 * MESSAGE_LEN,
        ROUNDS = silico::cpu::shuffle::ROUNDS,
        WEATHER_FIELDS = WEATHER_FIELDS,
        // Written into the shaders by the genome pages' expansion.
        GENOME_PAGE_AGENTS = one_page().agents_per_page,
    ];
    // The view's layers, line kinds and agent colourings are their enums' positions.
    use silico::view::{AgentColors, Layer, Lines};
    let at = |k: usize| k as f64;
    for (name, k) in [
        ("LAYER_NATURAL", Layer::Natural),
        ("LAYER_ENERGY", Layer::Energy),
        ("LAYER_GAIN", Layer::EnergyGain),
        ("LAYER_CULTIVATION", Layer::Cultivation),
        ("LAYER_MOVE_COST", Layer::MoveCost),
        ("LAYER_PUSH_COST", Layer::PushCost),
        ("LAYER_MESSAGE_COST", Layer::MessageCost),
        ("LAYER_REPRODUCE_COST", Layer::ReproduceCost),
        ("LAYER_BIT", Layer::Bits),
        ("LAYER_BASE", Layer::Base),
        ("LAYER_CULTIVATED_BY", Layer::CultivatedBy),
    ] {
        rust.push((name, at(Layer::ALL.iter().position(|l| *l == k).unwrap())));
    }
    for (name, k) in [
        ("LINES_OFF", Lines::Off),
        ("LINES_MESSAGES", Lines::Messages),
        ("LINES_PUSHES", Lines::Pushes),
    ] {
        rust.push((name, at(Lines::ALL.iter().position(|l| *l == k).unwrap())));
    }
    for (name, k) in [
        ("COLOR_LINEAGE", AgentColors::Lineage),
        ("COLOR_ENERGY", AgentColors::Energy),
        ("COLOR_MESSAGE", AgentColors::Message),
        ("COLOR_FOUNDER", AgentColors::Founder),
    ] {
        rust.push((
            name,
            at(AgentColors::ALL.iter().position(|c| *c == k).unwrap()),
        ));
    }
    // The shaders' own, which no Rust code reads: workgroup sizes, tilings and
    // workgroup-array bounds, the block selection's packed codes and word offsets, the
    // GPU neighbour search's ordering level for crowded cells, a float sentinel.
    let shader_only = [
        "CODE_IDLE",
        "CODE_FREE",
        "BLOCK_THREADS",
        "SLOTS_PER_THREAD",
        "HIST_HI",
        "HIST_LO",
        "BLOCKS_AT",
        "SEL_ALIVE",
        "SEL_WANTS",
        "SEL_DEATHS",
        "SEL_RESPAWN",
        "SEL_THRESHOLD",
        "SEL_NEED_TIED",
        "SEL_RADIX",
        "SEL_LOADED",
        "BOT_THREADS",
        "MAX_HQ",
        "MAX_INPUTS",
        "WG",
        "MAX_HEAD_QUADS",
        "ROW_BLOCK",
        "BLOCK_OUT",
        "PARTIAL_THREADS",
        "ORDER_LEVEL",
        "INF",
    ];
    rust.sort_by_key(|(n, _)| *n);
    let mut seen = std::collections::BTreeSet::new();
    let sources = SHADERS
        .iter()
        .map(|def| (def.file, full_source(def, &one_page())))
        .chain([(
            "view.wgsl",
            format!(
                "{}\n{}",
                silico::gpu::common_wgsl(),
                silico::view::VIEW_WGSL
            ),
        )]);
    for (file, src) in sources {
        let module = parse(&src, file);
        for (_, c) in module.constants.iter() {
            let Some(name) = c.name.as_deref() else {
                continue;
            };
            let value = match module.global_expressions[c.init] {
                naga::Expression::Literal(naga::Literal::U32(v)) => v as f64,
                naga::Expression::Literal(naga::Literal::I32(v)) => v as f64,
                naga::Expression::Literal(naga::Literal::F32(v)) => v as f64,
                ref e => panic!("{file}: const {name} is {e:?}, not a scalar"),
            };
            seen.insert(name.to_string());
            match rust.binary_search_by_key(&name, |(n, _)| *n) {
                Ok(k) => assert_eq!(
                    value, rust[k].1,
                    "{file}: const {name} is {value}, its Rust twin {}",
                    rust[k].1
                ),
                Err(_) => assert!(
                    shader_only.contains(&name),
                    "{file}: const {name} has no Rust twin: add one (and to this test), or \
                     list it among the shaders' own"
                ),
            }
        }
    }
    // Each twin is still a shader's constant.
    for (name, _) in &rust {
        assert!(seen.contains(*name), "no shader declares {name} any more");
    }
}
