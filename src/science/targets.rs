//! What a behaviour must show to count as emerged: the targets an experiment declares
//! before its runs (docs/measures.md, "Targets"), and the names of the controls a target
//! can be measured against besides a variant.

use serde::{Deserialize, Serialize};

/// The `control` of a row comparing a measure with its own chance level.
pub const CHANCE: &str = "chance";
/// The `control` of a knockout row: the naive population's loss.
pub const NAIVE: &str = "naive";
/// The `control` of a knockout row against the placebo knockout's loss (same population).
pub const PLACEBO: &str = "placebo";

/// Which way a target's world must differ from its control.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    #[default]
    Above,
    Below,
}

/// One test a behaviour must pass to count as emerged: `measure` of the world beyond
/// `control` (a variant, `chance`, or for a knockout `naive` or `placebo`) across seeds, in
/// `direction`, by more than `min_effect` (in the measure's units, ≥ 0). Declared in the
/// experiment file before the runs (pre-registered).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub behaviour: String,
    pub measure: String,
    pub control: String,
    #[serde(default)]
    pub direction: Direction,
    #[serde(default)]
    pub min_effect: f64,
}

impl Target {
    pub fn new(behaviour: &str, measure: &str, control: &str) -> Self {
        Self {
            behaviour: behaviour.into(),
            measure: measure.into(),
            control: control.into(),
            direction: Direction::Above,
            min_effect: 0.0,
        }
    }
}

/// The standard targets: per behaviour, its attributed or causal measure against its sharp
/// control (own harvest and programmer benefit as their excess over their own world's
/// chance level, against a `brain: Random` world; message influence against shuffled
/// messages), and its evolved dependence from the knockout forks against the naive
/// population's (net energy income per agent-tick).
pub fn standard_targets() -> Vec<Target> {
    let fitness = crate::science::fitness::FITNESS[0];
    vec![
        Target::new("Agriculture", "agri_own_harvest_excess", "random-brain"),
        Target::new(
            "Agriculture",
            &format!("knockout:terraform-off:{fitness}"),
            NAIVE,
        ),
        Target::new("Communication", "comm_influence_changed", "shuffled"),
        Target::new(
            "Communication",
            &format!("knockout:messages-shuffled:{fitness}"),
            NAIVE,
        ),
        Target::new("Tool use", "tool_programmer_benefit_excess", "random-brain"),
        Target::new(
            "Tool use",
            &format!("knockout:programming-off:{fitness}"),
            NAIVE,
        ),
    ]
}

/// The targets a file declares, or the standard ones when it declares none.
pub fn targets_or_standard(declared: &[Target]) -> Vec<Target> {
    if declared.is_empty() {
        standard_targets()
    } else {
        declared.to_vec()
    }
}
