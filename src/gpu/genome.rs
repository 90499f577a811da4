//! Genome storage on the GPU: the population's genomes split into pages, each its own
//! storage buffer no larger than one binding may be, stored as f32 or packed half floats.
//!
//! A shader that reads genomes says so with a line `// @genome_pages read` (or
//! `read_write`); `expand` replaces it with one binding per page and the accessors
//! `genome_quad(agent, quad) -> vec4<f32>` (weights 4q..4q+3 of an agent),
//! `genome_pair(agent, pair) -> vec2<f32>`, `genome_weight(agent, w) -> f32` and, when
//! writable, `genome_store_pair(agent, pair, v)`, which rounds to half floats exactly as
//! `world::brain::round_weight` does. An agent's genome never straddles two pages.
//!
//! In a shader whose marker also says `per_page` (`// @genome_pages read per_page`), the
//! accessors read one page only, bound with a uniform `genome_page` saying which agents it
//! holds; the world dispatches such a pass once per page (`GpuWorld::record_dispatch`).
//! The brain passes do so: elsewhere every weight load is a switch over the pages, inlined
//! at every load site, and lavapipe took minutes to compile the big brain shaders so.

use super::Buffer;
use crate::world::Dims;

/// Pages a world may use; each costs every genome-reading shader one binding.
pub const MAX_PAGES: usize = 16;

/// The shader variables of the pages (`Buffer::GenomePage`).
pub const PAGE_NAMES: [&str; MAX_PAGES] = [
    "genome_page_0",
    "genome_page_1",
    "genome_page_2",
    "genome_page_3",
    "genome_page_4",
    "genome_page_5",
    "genome_page_6",
    "genome_page_7",
    "genome_page_8",
    "genome_page_9",
    "genome_page_10",
    "genome_page_11",
    "genome_page_12",
    "genome_page_13",
    "genome_page_14",
    "genome_page_15",
];

const MARKER: &str = "// @genome_pages ";

/// Name of the uniform saying which agents a `per_page` pass's page holds: a
/// `GenomePage` (`GENOME_PAGE_BYTES`) for each page, `GENOME_PAGE_STRIDE_BYTES` apart.
pub const PAGE_INFO: &str = "genome_page";
pub const GENOME_PAGE_BYTES: u64 = 16;
/// The largest `min_uniform_buffer_offset_alignment` WebGPU allows.
pub const GENOME_PAGE_STRIDE_BYTES: u64 = 256;

/// The marker's word for a pass that reads its genomes one page per dispatch.
const PER_PAGE: &str = "per_page";

/// Whether a pass reads its genomes one page per dispatch (its marker says `per_page`).
pub fn per_page(pass_source: &str) -> bool {
    marker_line(pass_source).is_some_and(|(_, _, words)| words.contains(&PER_PAGE))
}

/// Where a pass's marker line starts and ends, and the words after the marker.
fn marker_line(pass_source: &str) -> Option<(usize, usize, Vec<&str>)> {
    let at = pass_source.find(MARKER)?;
    let end = pass_source[at..]
        .find('\n')
        .map_or(pass_source.len(), |n| at + n);
    let words = pass_source[at + MARKER.len()..end]
        .split_whitespace()
        .collect();
    Some((at, end, words))
}

/// How a world's genomes are laid out in pages.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GenomePages {
    pub genome_len: usize,
    pub capacity: usize,
    pub f16: bool,
    pub agents_per_page: usize,
    pub pages: usize,
}

/// Why the genomes cannot be stored.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PagingError {
    pub needed_bytes: u64,
    pub genome_bytes: u64,
    pub page_limit_bytes: u64,
}

impl GenomePages {
    /// Pages of at most `page_limit_bytes` each (the adapter's largest storage binding).
    pub fn new(dims: &Dims, page_limit_bytes: u64) -> Result<Self, PagingError> {
        let mut pages = Self {
            genome_len: dims.genome_len,
            capacity: dims.capacity,
            f16: dims.genome_f16,
            agents_per_page: dims.capacity.max(1),
            pages: 1,
        };
        let genome_bytes = pages.bytes_per_agent();
        let needed_bytes = genome_bytes * dims.capacity as u64;
        let err = PagingError {
            needed_bytes,
            genome_bytes,
            page_limit_bytes,
        };
        if genome_bytes == 0 {
            return Ok(pages);
        }
        let per_page = (page_limit_bytes / genome_bytes) as usize;
        if per_page == 0 {
            return Err(err);
        }
        pages.agents_per_page = per_page.min(dims.capacity.max(1));
        pages.pages = dims.capacity.div_ceil(pages.agents_per_page).max(1);
        if pages.pages > MAX_PAGES {
            return Err(err);
        }
        Ok(pages)
    }

    /// One page of f32 (what a shader is validated with when no world is at hand).
    pub fn single(genome_len: usize, capacity: usize) -> Self {
        Self {
            genome_len,
            capacity,
            f16: false,
            agents_per_page: capacity.max(1),
            pages: 1,
        }
    }

    pub fn bytes_per_weight(&self) -> u64 {
        if self.f16 {
            2
        } else {
            4
        }
    }

    pub fn bytes_per_agent(&self) -> u64 {
        self.genome_len as u64 * self.bytes_per_weight()
    }

    /// The agents of page `p`.
    pub fn agents(&self, p: usize) -> std::ops::Range<usize> {
        let start = (p * self.agents_per_page).min(self.capacity);
        start..((p + 1) * self.agents_per_page).min(self.capacity)
    }

    /// Each page's buffer and agents.
    pub fn list(&self) -> impl Iterator<Item = (Buffer, std::ops::Range<usize>)> + '_ {
        (0..self.pages).map(|p| (Buffer::GenomePage(p), self.agents(p)))
    }

    /// Where the genomes of `agents` lie: for each page holding some of them, its buffer,
    /// the byte offset of the first of them in it, and which of them it holds.
    pub fn segments(
        &self,
        agents: std::ops::Range<usize>,
    ) -> impl Iterator<Item = (Buffer, u64, std::ops::Range<usize>)> + '_ {
        self.list().filter_map(move |(name, held)| {
            let (start, end) = (agents.start.max(held.start), agents.end.min(held.end));
            (start < end && self.bytes_per_agent() > 0).then(|| {
                let offset = (start - held.start) as u64 * self.bytes_per_agent();
                (name, offset, start..end)
            })
        })
    }

    /// The stored bytes of whole genomes (f32 values, `genome_len` per agent).
    pub fn encode(&self, genomes: &[f32]) -> Vec<u8> {
        if self.f16 {
            genomes
                .iter()
                .flat_map(|&w| crate::world::brain::half_weight(w).to_le_bytes())
                .collect()
        } else {
            bytemuck::cast_slice(genomes).to_vec()
        }
    }

    /// Genomes back from their stored bytes.
    pub fn decode(&self, bytes: &[u8]) -> Vec<f32> {
        if self.f16 {
            bytes
                .chunks_exact(2)
                .map(|h| half::f16::from_le_bytes([h[0], h[1]]).to_f32())
                .collect()
        } else {
            bytemuck::pod_collect_to_vec(bytes)
        }
    }

    /// A shader's pass source with its genome marker (if any) replaced by the page bindings
    /// and accessors; the bindings take the numbers after the pass's own.
    pub fn expand(&self, pass_source: &str) -> String {
        let Some((at, line_end, words)) = marker_line(pass_source) else {
            return pass_source.to_string();
        };
        let writable = words.first() == Some(&"read_write");
        let by_page = words.contains(&PER_PAGE);
        let first = super::binding_decls(pass_source)
            .iter()
            .map(|d| d.binding + 1)
            .max()
            .unwrap_or(0);
        format!(
            "{}{}{}",
            &pass_source[..at],
            self.wgsl(first, writable, by_page),
            &pass_source[line_end..]
        )
    }

    /// The contents of the `genome_page` uniform: page p's first agent and agent count at
    /// `p * GENOME_PAGE_STRIDE_BYTES`.
    pub fn page_info_bytes(&self) -> Vec<u8> {
        let mut out = vec![0u8; self.pages * GENOME_PAGE_STRIDE_BYTES as usize];
        for p in 0..self.pages {
            let held = self.agents(p);
            let words = [held.start as u32, held.len() as u32, 0, 0];
            let at = p * GENOME_PAGE_STRIDE_BYTES as usize;
            out[at..at + GENOME_PAGE_BYTES as usize].copy_from_slice(bytemuck::cast_slice(&words));
        }
        out
    }

    /// The page bindings and accessors; `by_page`: one page (whichever the dispatch binds)
    /// and the `genome_page` uniform, with `genome_page_holds(agent)`.
    fn wgsl(&self, first_binding: u32, writable: bool, by_page: bool) -> String {
        let one_page = Self { pages: 1, ..*self };
        let layout = if by_page { &one_page } else { self };
        let access = if writable { "read_write" } else { "read" };
        // Readers take a quad of weights per element; writers a pair, which one thread
        // owns whole, so no thread writes part of an element another thread writes.
        let (elem, per_elem) = match (self.f16, writable) {
            (false, false) => ("vec4<f32>", 4),
            (true, false) => ("vec2<u32>", 4),
            (false, true) => ("vec2<f32>", 2),
            (true, true) => ("u32", 2),
        };
        let mut s = format!(
            "// Genome pages ({} of up to {} agents, {}{}): generated by src/gpu/genome.rs.\n",
            self.pages,
            self.agents_per_page,
            if self.f16 { "packed f16" } else { "f32" },
            if by_page {
                ", one bound per dispatch"
            } else {
                ""
            }
        );
        for (p, (page, _)) in layout.list().enumerate() {
            s += &format!(
                "@group(0) @binding({}) var<storage, {access}> {}: array<{elem}>;\n",
                first_binding + p as u32,
                page.wgsl_name(),
            );
        }
        // Which page, and the element's index in it.
        if by_page {
            s += &format!(
                "struct GenomePage {{\n    first_agent: u32,\n    agents: u32,\n    unused: vec2<u32>,\n}}\n\
                 @group(0) @binding({}) var<uniform> {PAGE_INFO}: GenomePage;\n\
                 fn genome_page_holds(agent: u32) -> bool {{\n    return agent >= {PAGE_INFO}.first_agent && agent - {PAGE_INFO}.first_agent < {PAGE_INFO}.agents;\n}}\n\
                 fn genome_at(agent: u32, element: u32) -> vec2<u32> {{\n    return vec2<u32>(0u, (agent - {PAGE_INFO}.first_agent) * (params.genome_len / {per_elem}u) + element);\n}}\n",
                first_binding + 1
            );
        } else {
            s += &format!(
                "const GENOME_PAGE_AGENTS: u32 = {}u;\n",
                self.agents_per_page
            );
            s += &format!(
                "fn genome_at(agent: u32, element: u32) -> vec2<u32> {{\n    let page = agent / GENOME_PAGE_AGENTS;\n    return vec2<u32>(page, (agent - page * GENOME_PAGE_AGENTS) * (params.genome_len / {per_elem}u) + element);\n}}\n"
            );
        }
        let load = |p: usize| match (self.f16, writable) {
            (false, _) => format!("{}[at.y]", PAGE_NAMES[p]),
            (true, false) => format!("genome_unpack({}[at.y])", PAGE_NAMES[p]),
            (true, true) => format!("unpack2x16float({}[at.y])", PAGE_NAMES[p]),
        };
        if writable {
            s += "fn genome_pair(agent: u32, pair: u32) -> vec2<f32> {\n    let at = genome_at(agent, pair);\n";
            s += &layout.switch(|p| format!("return {};", load(p)));
            s += "}\n";
            s += "fn genome_quad(agent: u32, quad: u32) -> vec4<f32> {\n    return vec4<f32>(genome_pair(agent, 2u * quad), genome_pair(agent, 2u * quad + 1u));\n}\n";
            s += "fn genome_weight(agent: u32, w: u32) -> f32 {\n    return genome_pair(agent, w / 2u)[w % 2u];\n}\n";
            s += "fn genome_store_pair(agent: u32, pair: u32, v: vec2<f32>) {\n    let at = genome_at(agent, pair);\n";
            if self.f16 {
                s += "    let bits = f16_bits(v.x) | (f16_bits(v.y) << 16u);\n";
                s += &layout.switch(|p| format!("{}[at.y] = bits;", PAGE_NAMES[p]));
            } else {
                s += &layout.switch(|p| format!("{}[at.y] = v;", PAGE_NAMES[p]));
            }
            s += "}\n";
            if self.f16 {
                s += F16_BITS_WGSL;
            }
        } else {
            if self.f16 {
                s += "fn genome_unpack(h: vec2<u32>) -> vec4<f32> {\n    return vec4<f32>(unpack2x16float(h.x), unpack2x16float(h.y));\n}\n";
            }
            s += "fn genome_quad(agent: u32, quad: u32) -> vec4<f32> {\n    let at = genome_at(agent, quad);\n";
            s += &layout.switch(|p| format!("return {};", load(p)));
            s += "}\n";
            s += "fn genome_pair(agent: u32, pair: u32) -> vec2<f32> {\n    let q = genome_quad(agent, pair / 2u);\n    return select(q.xy, q.zw, (pair & 1u) == 1u);\n}\n";
            s += "fn genome_weight(agent: u32, w: u32) -> f32 {\n    return genome_quad(agent, w / 4u)[w % 4u];\n}\n";
        }
        s
    }

    /// A switch over `at.x` (the page) running `body(p)` for page p; one page needs none.
    fn switch(&self, body: impl Fn(usize) -> String) -> String {
        if self.pages == 1 {
            return format!("    {}\n", body(0));
        }
        let mut s = "    switch at.x {\n".to_string();
        for p in 1..self.pages {
            s += &format!("        case {p}u: {{ {} }}\n", body(p));
        }
        s += &format!("        default: {{ {} }}\n    }}\n", body(0));
        s
    }
}

/// f32 to half-float bits, rounding to nearest even, as the `half` crate does; magnitudes
/// clamp at 65504 so that mutation never stores an infinity.
pub const F16_BITS_WGSL: &str = r#"fn f16_bits(x: f32) -> u32 {
    let b = bitcast<u32>(clamp(x, -65504.0, 65504.0));
    let sign = (b >> 16u) & 0x8000u;
    let e = i32((b >> 23u) & 0xffu) - 127;
    let m = b & 0x7fffffu;
    if (e < -25) { return sign; }
    if (e < -14) {
        // A subnormal half: the 24-bit significand shifted right, rounded.
        let full = m | 0x800000u;
        let shift = u32(-1 - e);
        let r = full >> shift;
        let rest = full & ((1u << shift) - 1u);
        let halfway = 1u << (shift - 1u);
        let up = rest > halfway || (rest == halfway && (r & 1u) == 1u);
        return sign | (r + select(0u, 1u, up));
    }
    let r = (u32(e + 15) << 10u) | (m >> 13u);
    let rest = m & 0x1fffu;
    let up = rest > 0x1000u || (rest == 0x1000u && (r & 1u) == 1u);
    return sign | (r + select(0u, 1u, up));
}
"#;
