//! The science above the runs: experiments of variants × seeds and their statistics,
//! knockout forks, the verdict against declared targets, searches over designs, and the
//! reports and Muller plots drawn from run folders (read through [`crate::runs`]).

pub mod ablate;
pub mod evidence;
pub mod experiment;
pub mod figures;
pub mod fitness;
pub mod muller;
pub mod plan;
pub mod plot;
pub mod report;
pub mod search;
pub mod stats;
pub mod targets;
pub mod verdict;
