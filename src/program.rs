//! Bot programs in human terms: an assembler from a readable form to the 16
//! floats a bot holds, and a disassembler back. A program's first 7 floats pick the
//! operation (argmax), the next 8 are the lookup table of the rule-table operation, and the
//! last is unused. A bot's memory is both its state and, read as an action, what it does.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::layout::{bot_act, BOT_OPS, BOT_TABLE, MESSAGE_LEN};

/// The seven operations, in program order. `mem` is the bot's memory, m1 and m2 the
/// messages of the two nearest entities it sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BotOp {
    /// out = m1 (and the memory is always written).
    Copy,
    /// out = mem.
    Keep,
    /// out = mem · m1.
    Product,
    /// out = mem · m1 + m2.
    MultiplyAdd,
    /// JaxLife's signed xor: out = (x·2 − 1)·mem·m1 + (1 − m1)·mem with
    /// x = round(mem₁₅) xor round(m1₁₅), and out₁₅ = mem₁₅.
    Xor,
    /// out = 1 − m1 · m2.
    Nand,
    /// out = mem with out₁₅ = table[4·[m1₁₅ > 0] + 2·[mem₁₅ > 0] + [m2₁₅ > 0]].
    RuleTable,
}

pub const OPS: [BotOp; BOT_OPS] = [
    BotOp::Copy,
    BotOp::Keep,
    BotOp::Product,
    BotOp::MultiplyAdd,
    BotOp::Xor,
    BotOp::Nand,
    BotOp::RuleTable,
];

impl BotOp {
    pub fn index(self) -> usize {
        OPS.iter().position(|o| *o == self).unwrap_or(0)
    }

    pub fn name(self) -> &'static str {
        match self {
            BotOp::Copy => "copy",
            BotOp::Keep => "keep",
            BotOp::Product => "product",
            BotOp::MultiplyAdd => "multiply_add",
            BotOp::Xor => "xor",
            BotOp::Nand => "nand",
            BotOp::RuleTable => "rule_table",
        }
    }
}

/// A program as a config gives it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ProgramSpec {
    /// Uniform in [-1, 1], as unplaced bots start.
    Random,
    /// One operation; its table (if it uses one) all −1.
    Op(BotOp),
    /// An elementary cellular automaton by Wolfram number: the rule-table operation with
    /// table[4·left + 2·centre + right] = +1 where that bit of the number is set, else −1,
    /// where left is m1, centre the bot's own bit and right m2.
    Rule(u8),
    /// The 16 floats, each in [-1, 1].
    Raw(Vec<f32>),
}

/// A memory as a config gives it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum MemorySpec {
    /// Uniform in [-1, 1], as unplaced bots start.
    Random,
    /// The memory read as an action, each in [-1, 1], unnamed ones 0.
    Values {
        #[serde(default)]
        move_x: f32,
        #[serde(default)]
        move_y: f32,
        #[serde(default)]
        push: f32,
        #[serde(default)]
        eat: f32,
        #[serde(default)]
        hit: f32,
        #[serde(default)]
        gate: f32,
        /// energy_gain, move_cost, push_cost, message_cost, reproduce_cost.
        #[serde(default)]
        terraform: [f32; 5],
        /// > 0.99 reads the bit under it after moving; < −0.99 writes its bit into the cell.
        #[serde(default)]
        bit_io: f32,
        /// > 0 writes each step's output back into memory.
        #[serde(default)]
        write: f32,
        /// Its bit (memory[15]): > 0 is a one.
        #[serde(default)]
        bit: f32,
    },
    /// The 16 floats, each in [-1, 1].
    Raw(Vec<f32>),
}

impl Default for MemorySpec {
    fn default() -> Self {
        MemorySpec::Values {
            move_x: 0.0,
            move_y: 0.0,
            push: 0.0,
            eat: 0.0,
            hit: 0.0,
            gate: 0.0,
            terraform: [0.0; 5],
            bit_io: 0.0,
            write: 0.0,
            bit: 0.0,
        }
    }
}

impl Default for ProgramSpec {
    fn default() -> Self {
        ProgramSpec::Op(BotOp::Keep)
    }
}

/// Problems with a spec's values, for config validation (`field` names where it sits).
pub fn check_floats(field: &str, values: &[f32], errs: &mut Vec<String>) {
    if values.len() != MESSAGE_LEN {
        errs.push(format!(
            "{field} has {} values: a bot program or memory has exactly {MESSAGE_LEN}",
            values.len()
        ));
    }
    for (k, v) in values.iter().enumerate() {
        if !(v.is_finite() && (-1.0..=1.0).contains(v)) {
            errs.push(format!(
                "{field}[{k}] = {v} is out of range: allowed -1 ..= 1"
            ));
        }
    }
}

impl ProgramSpec {
    /// The 16 floats; None for `Random` (drawn when the world is made).
    pub fn assemble(&self) -> Option<[f32; MESSAGE_LEN]> {
        let mut out = [0.0; MESSAGE_LEN];
        let op = |op: BotOp, out: &mut [f32; MESSAGE_LEN]| {
            for (k, v) in out.iter_mut().take(BOT_OPS).enumerate() {
                *v = if k == op.index() { 1.0 } else { -1.0 };
            }
            for v in out.iter_mut().skip(BOT_OPS).take(BOT_TABLE) {
                *v = -1.0;
            }
        };
        match self {
            ProgramSpec::Random => return None,
            ProgramSpec::Op(o) => op(*o, &mut out),
            ProgramSpec::Rule(n) => {
                op(BotOp::RuleTable, &mut out);
                for k in 0..BOT_TABLE {
                    out[BOT_OPS + k] = if (n >> k) & 1 == 1 { 1.0 } else { -1.0 };
                }
            }
            ProgramSpec::Raw(v) => out.copy_from_slice(&v[..MESSAGE_LEN.min(v.len())]),
        }
        Some(out)
    }

    pub fn check(&self, field: &str, errs: &mut Vec<String>) {
        if let ProgramSpec::Raw(v) = self {
            check_floats(field, v, errs);
        }
    }
}

impl MemorySpec {
    /// The 16 floats; None for `Random`.
    pub fn assemble(&self) -> Option<[f32; MESSAGE_LEN]> {
        let mut out = [0.0; MESSAGE_LEN];
        match self {
            MemorySpec::Random => return None,
            MemorySpec::Raw(v) => out.copy_from_slice(&v[..MESSAGE_LEN.min(v.len())]),
            MemorySpec::Values {
                move_x,
                move_y,
                push,
                eat,
                hit,
                gate,
                terraform,
                bit_io,
                write,
                bit,
            } => {
                out[bot_act::MOVE_X] = *move_x;
                out[bot_act::MOVE_Y] = *move_y;
                out[bot_act::PUSH] = *push;
                out[bot_act::EAT] = *eat;
                out[bot_act::HIT] = *hit;
                out[bot_act::GATE] = *gate;
                out[bot_act::TERRAFORM..bot_act::TERRAFORM + 5].copy_from_slice(terraform);
                out[bot_act::BIT_IO] = *bit_io;
                out[bot_act::WRITE] = *write;
                out[bot_act::BIT] = *bit;
            }
        }
        Some(out)
    }

    pub fn check(&self, field: &str, errs: &mut Vec<String>) {
        match self {
            MemorySpec::Raw(v) => check_floats(field, v, errs),
            MemorySpec::Values { .. } => {
                if let Some(v) = self.assemble() {
                    check_floats(field, &v, errs);
                }
            }
            MemorySpec::Random => {}
        }
    }
}

/// The operation a program selects: argmax over its first 7 floats, the first on ties
/// (as the shader and JaxLife's argmax do).
pub fn selected_op(program: &[f32; MESSAGE_LEN]) -> usize {
    let mut best = 0;
    for k in 1..BOT_OPS {
        if program[k] > program[best] {
            best = k;
        }
    }
    best
}

/// A bot's program and memory in human terms.
#[derive(Clone, Debug, PartialEq)]
pub struct Disassembly {
    pub op: BotOp,
    /// The table as bits (> 0), indexed 4·m1 + 2·mem + m2.
    pub table: [bool; BOT_TABLE],
    /// The Wolfram number the table encodes (meaningful for the rule-table operation).
    pub rule: u8,
    /// When the output is written back into memory.
    pub writes: String,
    pub memory: [f32; MESSAGE_LEN],
}

pub fn disassemble(program: &[f32; MESSAGE_LEN], memory: &[f32; MESSAGE_LEN]) -> Disassembly {
    let op = OPS[selected_op(program)];
    let mut table = [false; BOT_TABLE];
    let mut rule = 0u8;
    for k in 0..BOT_TABLE {
        table[k] = program[BOT_OPS + k] > 0.0;
        if table[k] {
            rule |= 1 << k;
        }
    }
    let w = memory[bot_act::WRITE];
    let writes = match op {
        BotOp::Copy => "every step (the copy operation always writes)".to_string(),
        BotOp::Keep | BotOp::RuleTable => format!(
            "when memory[13] > 0: {} (memory[13] = {w:.2})",
            if w > 0.0 { "every step" } else { "never" }
        ),
        _ => "when out[13] > 0, which depends on what it hears".to_string(),
    };
    Disassembly {
        op,
        table,
        rule,
        writes,
        memory: *memory,
    }
}

impl fmt::Display for Disassembly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "op {}", self.op.name())?;
        if self.op == BotOp::RuleTable {
            write!(f, "table (m1 mem m2 -> bit):")?;
            for k in (0..BOT_TABLE).rev() {
                write!(
                    f,
                    " {}{}{}->{}",
                    (k >> 2) & 1,
                    (k >> 1) & 1,
                    k & 1,
                    self.table[k] as u8
                )?;
            }
            writeln!(f, "  (rule {})", self.rule)?;
        }
        writeln!(f, "writes memory {}", self.writes)?;
        let m = &self.memory;
        let bit_io = m[bot_act::BIT_IO];
        write!(
            f,
            "memory as action: move ({:.2}, {:.2}) push {:.2} eat {} hit {:.2} gate {:.2} terraform [{:.2} {:.2} {:.2} {:.2} {:.2}] bit {} ; its bit {}",
            m[bot_act::MOVE_X],
            m[bot_act::MOVE_Y],
            m[bot_act::PUSH],
            if m[bot_act::EAT] > 0.0 { "yes" } else { "no" },
            m[bot_act::HIT],
            m[bot_act::GATE].max(0.0),
            m[7],
            m[8],
            m[9],
            m[10],
            m[11],
            if bit_io > 0.99 {
                "read"
            } else if bit_io < -0.99 {
                "write"
            } else {
                "untouched"
            },
            (m[bot_act::BIT] > 0.0) as u8
        )
    }
}
