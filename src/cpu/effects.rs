//! Reference of shaders/effects.wgsl: what each alive agent does to others and to its cell,
//! from the same pre-step snapshot. Everything that lands on a shared target
//! (a neighbour, a cell) is rounded to fixed point per contribution and summed as integers,
//! exactly as the GPU's atomics do, so the sum does not depend on order.

use rayon::prelude::*;

use super::{cell_index_of, credit_mark, wrap_delta};
use crate::world::{
    act, to_fixed, AgentAcc, AgentTick, Cell, CellAcc, Params, Scratch, State, ACTION_LEN,
    MESSAGE_LEN, NONE, TICK_ACTED, TICK_WANTS_CHILD,
};

/// The energy an agent spends this tick and whether it can reproduce: it asks, can afford
/// it, and is not `crowded` (`ecology.crowding_limit`).
pub fn energy_cost(
    p: &Params,
    st: &State,
    i: usize,
    c: &Cell,
    o: &[f32],
    crowded: bool,
) -> (f32, bool) {
    let a = &st.agents[i];
    let f = st.clock.alive as f32 / p.capacity as f32;
    let gate = o[act::GATE].max(0.0);
    let threshold = p.max_reproduce_cost * c.reproduce_cost * p.reproduce_factor * f;
    let wants = o[act::REPRODUCE] > 0.0 && a.energy > threshold && !crowded;
    let mut terraform = 0.0;
    for t in 0..5 {
        terraform += super::terraform_act(p, o[act::TERRAFORM + t]).abs();
    }
    let cost = p.move_cost * c.move_cost * (o[act::MOVE_X].abs() + o[act::MOVE_Y].abs())
        + p.push_cost * c.push_cost * o[act::PUSH].abs()
        + p.message_cost * c.message_cost * gate
        + p.max_reproduce_cost * f * c.reproduce_cost * if wants { 1.0 } else { 0.0 }
        + p.hit_cost * o[act::HIT].abs()
        + p.terraform_cost * terraform
        + a.age / p.age_cost
        + p.life_cost;
    (cost, wants)
}

/// The wrapped offset from `from` to `to`.
pub fn offset(p: &Params, from: [f32; 2], to: [f32; 2]) -> [f32; 2] {
    [
        wrap_delta(p, to[0] - from[0]),
        wrap_delta(p, to[1] - from[1]),
    ]
}

/// An actor's gated message in fixed point, as each entity it sees receives it: the same
/// for all of them, so converted once per actor (WGSL `said` in effects.wgsl).
pub fn said(gate: f32, message: &[f32; MESSAGE_LEN]) -> [i32; MESSAGE_LEN] {
    message.map(|v| to_fixed(v * gate))
}

/// What an actor does to one entity it sees at offset `[dx, dy]`: push along the direction
/// to it, hit it (less with distance), and if its gate is open, send it its message, `said`
/// (in fixed point, from `said`). Returns the fixed-point contribution and the hit's size
/// (for stealing).
pub fn contact(
    p: &Params,
    [dx, dy]: [f32; 2],
    push: f32,
    hit: f32,
    gate: f32,
    said: &[i32; MESSAGE_LEN],
) -> (AgentAcc, f32) {
    let norm = (dx * dx + dy * dy).sqrt() + 0.1;
    let hit_amount = hit * p.hit_strength * hit_decay(-p.hit_distance_decay * norm);
    let mut acc = AgentAcc {
        push: [
            to_fixed(p.push_speed * push * (dx / norm)),
            to_fixed(p.push_speed * push * (dy / norm)),
        ],
        hit: to_fixed(-hit_amount),
        ..Default::default()
    };
    if gate > 0.0 {
        acc.gate = to_fixed(gate);
        acc.message = *said;
    }
    (acc, hit_amount)
}

/// e^x, with x below -104 taken as 0: under half the least float, as the C library's
/// `expf` gives, which reaches that answer by a slow path.
fn hit_decay(exponent: f32) -> f32 {
    if exponent < -104.0 {
        0.0
    } else {
        exponent.exp()
    }
}

/// The most agents an actor sees (`agents.view_agents`).
const MAX_SEEN: usize = crate::config::MAX_VIEW_AGENTS as usize;

/// `contact`'s arithmetic for every target at `offsets` at once: each target's push and hit
/// in fixed point and the hit's size, the same operations lane by lane, so that they
/// vectorise (`contact` stays the reference, and the GPU's).
#[multiversion::multiversion(targets("x86_64+avx2"))]
fn contact_terms(
    p: &Params,
    offsets: &[[f32; 2]],
    push: f32,
    hit: f32,
    terms: &mut [[i32; 3]],
    hit_amounts: &mut [f32],
) {
    let n = offsets.len();
    let (terms, hit_amounts) = (&mut terms[..n], &mut hit_amounts[..n]);
    let mut norms = [0.0f32; MAX_SEEN];
    let norms = &mut norms[..n];
    for (norm, [dx, dy]) in norms.iter_mut().zip(offsets) {
        *norm = (dx * dx + dy * dy).sqrt() + 0.1;
    }
    for (h, norm) in hit_amounts.iter_mut().zip(norms.iter()) {
        *h = hit * p.hit_strength * hit_decay(-p.hit_distance_decay * norm);
    }
    for ((t, [dx, dy]), (norm, h)) in terms
        .iter_mut()
        .zip(offsets)
        .zip(norms.iter().zip(hit_amounts.iter()))
    {
        *t = [
            to_fixed(p.push_speed * push * (dx / norm)),
            to_fixed(p.push_speed * push * (dy / norm)),
            to_fixed(-h),
        ];
    }
}

/// Fixed-point sums wrap like the GPU's integer atomics.
pub fn add_acc(t: &mut AgentAcc, acc: &AgentAcc) {
    t.push[0] = t.push[0].wrapping_add(acc.push[0]);
    t.push[1] = t.push[1].wrapping_add(acc.push[1]);
    t.hit = t.hit.wrapping_add(acc.hit);
    t.gate = t.gate.wrapping_add(acc.gate);
    for m in 0..MESSAGE_LEN {
        t.message[m] = t.message[m].wrapping_add(acc.message[m]);
    }
    t.from_bots = t.from_bots.wrapping_add(acc.from_bots);
}

/// Words of an `AgentAcc`.
const ACC_WORDS: usize = std::mem::size_of::<AgentAcc>() / 4;

/// What one actor does to its own cell: kept per actor and added afterwards, as each
/// actor touches one cell of many (a copy of every cell per thread would cost more).
#[derive(Clone, Copy)]
struct CellTouch {
    cell: u32,
    eats: bool,
    terraform: [i32; 5],
    /// The actor's `credit_mark` if it raised the cell's energy_gain, else 0.
    raiser: u32,
}

/// One thread's share of what the agents scatter: its own copy of the agent and bot
/// accumulators, summed with the others' afterwards, and its actors' cell touches.
/// Integer sums (wrapping, as the GPU's atomics) do not depend on their order, so the
/// result is the GPU's whatever the split. An agent's accumulator is kept in two parts:
/// push and hit, which every contact adds to, and gate and message, which only an open
/// gate's contacts do; the first part of every agent fits in a core's cache where the
/// whole accumulator does not.
struct Scatter {
    agent_push_hit: Vec<[i32; 3]>,
    agent_said: Vec<[i32; 1 + MESSAGE_LEN]>,
    bot: Vec<i32>,
    /// The largest `credit_mark` of those that wrote a bot.
    writer: Vec<u32>,
    cells: Vec<CellTouch>,
}

impl Scatter {
    fn new(agents: usize, bots: usize, actors: usize) -> Self {
        Self {
            agent_push_hit: vec![[0; 3]; agents],
            agent_said: vec![[0; 1 + MESSAGE_LEN]; agents],
            bot: vec![0; bots * ACC_WORDS],
            writer: vec![0; bots],
            cells: Vec::with_capacity(actors),
        }
    }

    /// Read the accumulators of the agents in `seen` (the next actor's), so that their
    /// cache misses overlap each other while this actor's contacts run, where each
    /// contact's own misses would come one or two at a time.
    fn touch_targets(&self, seen: &[u32]) {
        let mut touch = 0i32;
        for &j in seen {
            if j != NONE {
                let j = j as usize;
                let said = &self.agent_said[j];
                touch ^= self.agent_push_hit[j][0] ^ said[0] ^ said[MESSAGE_LEN];
            }
        }
        std::hint::black_box(touch);
    }

    /// One contact with agent j (wrapping, as the GPU's atomics): its push and hit, and
    /// if the gate is open, the gate and message (`contact`: a closed gate carries none).
    fn add_agent(
        &mut self,
        j: usize,
        push_hit: [i32; 3],
        said: Option<(i32, &[i32; MESSAGE_LEN])>,
    ) {
        for (dst, v) in self.agent_push_hit[j].iter_mut().zip(push_hit) {
            *dst = dst.wrapping_add(v);
        }
        if let Some((gate, message)) = said {
            let to = &mut self.agent_said[j];
            to[0] = to[0].wrapping_add(gate);
            for (dst, v) in to[1..].iter_mut().zip(message) {
                *dst = dst.wrapping_add(*v);
            }
        }
    }
}

/// The threads' two-part agent accumulators summed into `AgentAcc`s, in parallel over
/// agents.
fn merge_agents(accs: &mut [AgentAcc], parts: &[Scatter]) {
    const AGENTS_PER_TASK: usize = 4096;
    accs.par_chunks_mut(AGENTS_PER_TASK)
        .enumerate()
        .for_each(|(task, accs)| {
            for (r, acc) in accs.iter_mut().enumerate() {
                let j = task * AGENTS_PER_TASK + r;
                for part in parts {
                    let [px, py, hit] = part.agent_push_hit[j];
                    acc.push[0] = acc.push[0].wrapping_add(px);
                    acc.push[1] = acc.push[1].wrapping_add(py);
                    acc.hit = acc.hit.wrapping_add(hit);
                    let said = &part.agent_said[j];
                    acc.gate = acc.gate.wrapping_add(said[0]);
                    for (dst, v) in acc.message.iter_mut().zip(&said[1..]) {
                        *dst = dst.wrapping_add(*v);
                    }
                }
            }
        });
}

/// Add one contribution at `base` (wrapping, as the GPU's atomics).
fn add_contact(to: &mut [i32], base: usize, acc: &AgentAcc) {
    for (dst, v) in
        to[base..base + ACC_WORDS]
            .iter_mut()
            .zip(bytemuck::cast_slice::<AgentAcc, i32>(std::slice::from_ref(
                acc,
            )))
    {
        *dst = dst.wrapping_add(*v);
    }
}

/// Words a task of the merges below takes at least: a small world's merge is cheaper on
/// one thread than handed out.
const MERGE_MIN_WORDS: usize = 1 << 14;

/// Sum the threads' copies into the accumulators, in parallel over the words.
fn merge_into(words: &mut [i32], parts: &[&[i32]]) {
    let words = words.par_iter_mut().with_min_len(MERGE_MIN_WORDS);
    words.enumerate().for_each(|(w, dst)| {
        for part in parts {
            *dst = dst.wrapping_add(part[w]);
        }
    });
}

fn max_into(words: &mut [u32], parts: &[&[u32]]) {
    let words = words.par_iter_mut().with_min_len(MERGE_MIN_WORDS);
    words.enumerate().for_each(|(w, dst)| {
        for part in parts {
            *dst = (*dst).max(part[w]);
        }
    });
}

/// Every actor's cell touch onto the cells' accumulators, each thread adding those in its
/// own range of cells.
fn add_touches(acc: &mut [CellAcc], raiser: &mut [u32], parts: &[Scatter]) {
    const CELLS_PER_TASK: usize = 16_384;
    acc.par_chunks_mut(CELLS_PER_TASK)
        .zip(raiser.par_chunks_mut(CELLS_PER_TASK))
        .enumerate()
        .for_each(|(task, (acc, raiser))| {
            let first = task * CELLS_PER_TASK;
            for touch in parts.iter().flat_map(|x| &x.cells) {
                let Some(c) = (touch.cell as usize).checked_sub(first) else {
                    continue;
                };
                if c >= acc.len() {
                    continue;
                }
                let a = &mut acc[c];
                a.eaters = a.eaters.wrapping_add(touch.eats as u32);
                for (w, fx) in a.terraform.iter_mut().zip(touch.terraform) {
                    *w = w.wrapping_add(fx);
                }
                raiser[c] = raiser[c].max(touch.raiser);
            }
        });
}

/// Each agent's contacts with its neighbours and bots. Long because it is the reference
/// of shaders/effects.wgsl, kept in the shader's order so the two read side by side.
pub fn effects(p: &Params, rng: &crate::rng::Rng, st: &State, sc: &mut Scratch) {
    let k = p.view_agents as usize;
    let kb = p.view_bots as usize;
    let n = st.agents.len();
    let (actions, neighbors, bot_neighbors) =
        (&sc.actions, &sc.neighbor_list, &sc.bot_neighbor_list);
    // Positions side by side: the pairs read them in no order, and a whole 256-byte agent
    // record per pair misses the cache in large worlds. Each agent's cell beside them, in
    // the same pass: a loop of independent reads whose cache misses overlap, where in the
    // actors' loop, with its long body between, they come one at a time (a 512² world's
    // cells are 8 MB).
    let (pos, agent_cells): (Vec<[f32; 2]>, Vec<Cell>) = st
        .agents
        .par_iter()
        .with_min_len(4096)
        .map(|a| (a.pos, st.cells[cell_index_of(p, a.pos)]))
        .unzip();
    let threads = rayon::current_num_threads().max(1);
    let per = n.div_ceil(threads).max(1);
    let parts: Vec<Scatter> = sc
        .agent_tick
        .par_chunks_mut(per)
        .enumerate()
        .map(|(chunk, records)| {
            let mut out = Scatter::new(n, st.bots.len(), records.len());
            for (r, record) in records.iter_mut().enumerate() {
                let i = chunk * per + r;
                out.touch_targets(&neighbors[(i + 1).min(n - 1) * k..][..k]);
                let a = &st.agents[i];
                if a.alive == 0 {
                    continue;
                }
                let o = &actions[i * ACTION_LEN..(i + 1) * ACTION_LEN];
                let push = o[act::PUSH];
                let hit = o[act::HIT];
                let gate = o[act::GATE].max(0.0);
                let message: &[f32; MESSAGE_LEN] = o
                    [act::OTHER_MESSAGE..act::OTHER_MESSAGE + MESSAGE_LEN]
                    .try_into()
                    .expect("a message is MESSAGE_LEN actions");
                let said_to_agents = said(gate, message);
                let seen_agents = || {
                    neighbors[i * k..(i + 1) * k]
                        .iter()
                        .filter(|&&j| j != NONE)
                        .map(|&j| offset(p, a.pos, pos[j as usize]))
                };
                let seen_bots = || {
                    bot_neighbors[i * kb..(i + 1) * kb]
                        .iter()
                        .filter(|&&b| b != NONE)
                        .map(|&b| offset(p, a.pos, st.bots[b as usize].pos))
                };
                let hit = if p.honest_gifts != 0 && hit < 0.0 {
                    let reach: f32 = seen_agents()
                        .chain(seen_bots())
                        .map(|d| super::hit_reach(p, d))
                        .sum();
                    super::given_hit(p, hit, a.energy, reach)
                } else {
                    hit
                };
                let crowded = p.crowding_limit != 0
                    && seen_agents()
                        .filter(|[dx, dy]| (dx * dx + dy * dy).sqrt() < p.crowding_radius)
                        .count() as u32
                        >= p.crowding_limit;
                let mut hit_total = 0.0f32;
                let (mut targets, mut offsets) = ([0usize; MAX_SEEN], [[0.0f32; 2]; MAX_SEEN]);
                let mut m = 0;
                for &j in &neighbors[i * k..(i + 1) * k] {
                    if j != NONE {
                        targets[m] = j as usize;
                        offsets[m] = offset(p, a.pos, pos[j as usize]);
                        m += 1;
                    }
                }
                let (mut terms, mut hit_amounts) = ([[0i32; 3]; MAX_SEEN], [0.0f32; MAX_SEEN]);
                contact_terms(p, &offsets[..m], push, hit, &mut terms, &mut hit_amounts);
                let said_open = (gate > 0.0).then(|| (to_fixed(gate), &said_to_agents));
                for ((&j, &term), &hit_amount) in targets[..m].iter().zip(&terms).zip(&hit_amounts)
                {
                    hit_total += hit_amount;
                    out.add_agent(j, term, said_open);
                }
                // The same push and hit on the bots it sees, and programming: its gated
                // other_message pulls their programs (not under `controls.programming:
                // Off`). One writer of a bot, drawn at random, is its programmer, and one
                // of those raising a cell's energy_gain its cultivator: the largest mark.
                let mark = credit_mark(rng, st.clock.tick, i as u32);
                let programs = if p.programming_on != 0 { gate } else { 0.0 };
                let said_to_bots = said(programs, message);
                let mut programming = 0.0f32;
                let mut programmed = 0u32;
                for s in 0..kb {
                    let b = bot_neighbors[i * kb + s];
                    if b == NONE {
                        continue;
                    }
                    let (acc, hit_amount) = contact(
                        p,
                        offset(p, a.pos, st.bots[b as usize].pos),
                        push,
                        hit,
                        programs,
                        &said_to_bots,
                    );
                    hit_total += hit_amount;
                    if programs > 0.0 {
                        programming += programs;
                        programmed += 1;
                        out.writer[b as usize] = out.writer[b as usize].max(mark);
                    }
                    add_contact(&mut out.bot, b as usize * ACC_WORDS, &acc);
                }
                let mut touch = CellTouch {
                    cell: cell_index_of(p, a.pos) as u32,
                    eats: o[act::EAT] > 0.0,
                    terraform: [0; 5],
                    raiser: 0,
                };
                for t in 0..5 {
                    let fx =
                        to_fixed(p.terraform_rate * super::terraform_act(p, o[act::TERRAFORM + t]));
                    touch.terraform[t] = fx;
                    if t == 0 && fx > 0 {
                        touch.raiser = mark;
                    }
                }
                out.cells.push(touch);
                let (cost, wants) = energy_cost(p, st, i, &agent_cells[i], o, crowded);
                *record = AgentTick {
                    cost,
                    stolen: super::hit_income(p, hit, hit_total),
                    flags: TICK_ACTED | if wants { TICK_WANTS_CHILD } else { 0 },
                    cultivation: (p.terraform_rate * super::terraform_act(p, o[act::TERRAFORM]))
                        .max(0.0),
                    programming,
                    programmed,
                    ..Default::default()
                };
            }
            out
        })
        .collect();
    let refs = |f: fn(&Scatter) -> &[i32]| -> Vec<&[i32]> { parts.iter().map(f).collect() };
    merge_agents(&mut sc.agent_acc, &parts);
    merge_into(bytemuck::cast_slice_mut(&mut sc.bot_acc), &refs(|x| &x.bot));
    add_touches(&mut sc.cell_acc, &mut sc.cell_raiser, &parts);
    let writers: Vec<&[u32]> = parts.iter().map(|x| x.writer.as_slice()).collect();
    max_into(&mut sc.bot_writer, &writers);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// The lanes of `contact_terms` are `contact`'s push, hit and hit size, bit for bit, at
    /// every distance from touching to past the decay's underflow, for pushes and hits of
    /// either sign.
    #[test]
    fn contact_terms_are_contacts() {
        let p = Params::new(&Config::default());
        let said = [0i32; MESSAGE_LEN];
        let mut state = 0x1234_5678u32;
        let mut unit = move || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as f32 / u32::MAX as f32
        };
        for round in 0..2000 {
            let n = round % (MAX_SEEN + 1);
            let reach = [0.01, 3.0, 40.0, 300.0][round % 4];
            let offsets: Vec<[f32; 2]> = (0..n)
                .map(|_| [(unit() - 0.5) * reach, (unit() - 0.5) * reach])
                .collect();
            let (push, hit) = (2.0 * unit() - 1.0, 2.0 * unit() - 1.0);
            let (mut terms, mut hits) = ([[0i32; 3]; MAX_SEEN], [0.0f32; MAX_SEEN]);
            contact_terms(&p, &offsets, push, hit, &mut terms, &mut hits);
            for (s, &d) in offsets.iter().enumerate() {
                let (acc, hit_amount) = contact(&p, d, push, hit, 0.0, &said);
                assert_eq!(
                    terms[s],
                    [acc.push[0], acc.push[1], acc.hit],
                    "offset {d:?}"
                );
                assert_eq!(hits[s].to_bits(), hit_amount.to_bits(), "offset {d:?}");
            }
        }
    }
}
