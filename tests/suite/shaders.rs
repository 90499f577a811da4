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
    let src = format!("{}\n{VIEW_WGSL}", silico::gpu::COMMON_WGSL);
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

#[test]
fn metric_columns_match_the_shader() {
    let src = silico::gpu::metrics::SHADER.source;
    assert!(src.contains(&format!(
        "const METRIC_COUNT: u32 = {}u;",
        METRIC_COLUMNS.len()
    )));
    assert!(src.contains(&format!(
        "const METRIC_RING: u32 = {}u;",
        silico::world::METRIC_RING
    )));
    use silico::world::{MEALS_AT, MEAL_SUMS, PARTIAL_STRIDE, SUMS};
    assert!(src.contains(&format!("const SUMS: u32 = {SUMS}u;")));
    assert!(src.contains(&format!("const MEAL_SUMS: u32 = {MEAL_SUMS}u;")));
    assert!(src.contains(&format!("const MEALS_AT: u32 = {MEALS_AT}u;")));
    assert!(src.contains(&format!("const PARTIAL_STRIDE: u32 = {PARTIAL_STRIDE}u;")));
}

/// The probe rows and the fixed-point scale of the lineage sums are WGSL constants too.
#[test]
fn probe_and_lineage_constants_agree() {
    use silico::world::{
        INFLUENCE_LISTENERS, LINEAGE_FIXED_SCALE, PROBE_ROWS, PROBE_SWAP, SALIENCY_ROWS,
    };
    for line in [
        format!("const INFLUENCE_LISTENERS: u32 = {INFLUENCE_LISTENERS}u;"),
        format!("const SALIENCY_ROWS: u32 = {SALIENCY_ROWS}u;"),
        format!("const PROBE_ROWS: u32 = {PROBE_ROWS}u;"),
        format!("const PROBE_SWAP: u32 = {PROBE_SWAP:#x}u;"),
        format!("const LINEAGE_FIXED_SCALE: f32 = {LINEAGE_FIXED_SCALE:.1};"),
    ] {
        assert!(
            silico::gpu::COMMON_WGSL.contains(&line),
            "shaders/common.wgsl must declare `{line}`"
        );
    }
}

/// The CPU reference sizes the genome dispatch as the shader's threads need.
#[test]
fn genome_pairs_per_thread_agree() {
    let line = format!(
        "const GENOME_PAIRS_PER_THREAD: u32 = {}u;",
        silico::world::GENOME_PAIRS_PER_THREAD
    );
    assert!(
        silico::gpu::births::SHADER.source.contains(&line),
        "shaders/births.wgsl must declare `{line}`"
    );
}

/// The block selection of births lays out its buffer and sizes its dispatches with Rust
/// copies of the shader's constants.
#[test]
fn birth_block_constants_agree() {
    use silico::gpu::births::{BLOCK_SLOTS, BLOCK_WORDS, HIST_BINS, SEL_WORDS};
    for (name, value) in [
        ("SEL_WORDS", SEL_WORDS),
        ("HIST_BINS", HIST_BINS),
        ("BLOCK_SLOTS", BLOCK_SLOTS),
        ("BLOCK_WORDS", BLOCK_WORDS),
    ] {
        let line = format!("const {name}: u32 = {value}u;");
        assert!(
            silico::gpu::births::SHADER.source.contains(&line),
            "shaders/births.wgsl must declare `{line}`"
        );
    }
}

/// The grid's level count is a WGSL constant; the CPU reference and the buffer sizes use the
/// Rust one.
#[test]
fn grid_levels_agree() {
    let line = format!("const GRID_LEVELS: u32 = {}u;", silico::world::GRID_LEVELS);
    assert!(
        silico::gpu::COMMON_WGSL.contains(&line),
        "shaders/common.wgsl must declare `{line}`"
    );
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
    // The accumulators are flat i32 arrays in WGSL, a word per AgentAcc field.
    assert!(src.contains(&format!(
        "const AGENT_ACC_LEN: u32 = {}u;",
        size_of::<silico::world::AgentAcc>() / 4
    )));
}
