//! Reading configs: RON files and text, `--set path=VALUE` overrides, and errors that
//! name the file, line and field.

use std::path::Path;

use super::Config;
use crate::error::ConfigError;

impl Config {
    /// Read a RON config and check its fields; errors name the file and, where known, the
    /// line. `world::load_config` also checks it against the world's layout.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|cause| ConfigError::Io {
            path: path.display().to_string(),
            cause,
        })?;
        Self::from_ron(&text, &path.display().to_string())
    }

    /// A config from RON text with its fields checked (`world::config_from_ron`: in full).
    pub fn from_ron(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let cfg: Config = ron_options().from_str(text).map_err(|e| {
            let mut message = e.code.to_string();
            // RON's type errors ("Expected integer") do not say which field; find it.
            if !matches!(e.code, ron::Error::NoSuchStructField { .. }) {
                if let Some(field) = locate_bad_field(text) {
                    let parts: Vec<&str> = field.split('.').collect();
                    message = match (&e.code, integer_range(&parts)) {
                        (ron::Error::IntegerOutOfBounds, Some((min, max))) => {
                            format!("field {field}: it takes a whole number from {min} to {max}")
                        }
                        _ => format!("field {field}: {message}"),
                    };
                }
            }
            ConfigError::Parse {
                origin: origin.to_string(),
                line: e.span.start.line,
                column: e.span.start.col,
                message,
            }
        })?;
        cfg.validate().map_err(|errors| ConfigError::Invalid {
            origin: origin.to_string(),
            errors,
        })?;
        Ok(cfg)
    }

    pub fn to_ron(&self) -> String {
        ron::ser::to_string_pretty(self, ron::ser::PrettyConfig::default().struct_names(true))
            .unwrap_or_else(|e| format!("// could not serialise config: {e}"))
    }

    /// Apply `path.to.field=VALUE` overrides (VALUE in RON syntax), then check the fields
    /// (`world::with_overrides`: in full).
    ///
    /// Each VALUE is parsed by RON against the field's own type (so `brain=Random`,
    /// `world.cell_size=4` and `agents.child_energy_from_parent=true` all work), then
    /// spliced into the resolved config. A section may be given as a struct,
    /// `world=(map_size: 64)`: only the fields it names change.
    pub fn with_overrides(&self, sets: &[String]) -> Result<Self, ConfigError> {
        if sets.is_empty() {
            return Ok(self.clone());
        }
        let mut tree = serde_json::to_value(self).map_err(|e| ConfigError::Override {
            set: sets.join(" "),
            message: format!("cannot represent the current config: {e}"),
        })?;
        for set in sets {
            let (path, raw) = set.split_once('=').ok_or_else(|| ConfigError::Override {
                set: set.clone(),
                message: "expected path.to.field=VALUE, for example --set agents.capacity=256"
                    .into(),
            })?;
            apply_override(&mut tree, path.trim(), raw.trim()).map_err(|message| {
                ConfigError::Override {
                    set: set.clone(),
                    message,
                }
            })?;
        }
        let cfg: Config = serde_json::from_value(tree).map_err(|e| ConfigError::Override {
            set: sets.join(" "),
            message: e.to_string(),
        })?;
        cfg.validate().map_err(|errors| ConfigError::Invalid {
            origin: format!("--set {}", sets.join(" --set ")),
            errors,
        })?;
        Ok(cfg)
    }
}

/// RON options shared by files and overrides.
fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// Set `path` (dot-separated) in the JSON form of a config to the RON text `raw`.
fn apply_override(tree: &mut serde_json::Value, path: &str, raw: &str) -> Result<(), String> {
    let parts: Vec<&str> = path.split('.').map(str::trim).collect();
    if path.is_empty() || parts.iter().any(|p| p.is_empty()) {
        return Err(format!(
            "'{path}' is not a field path: use dot-separated names such as agents.capacity"
        ));
    }
    // The path must name an existing field; say which ones exist where it goes wrong.
    let mut cur: &serde_json::Value = tree;
    let mut is_integer_field = false;
    for (i, part) in parts.iter().enumerate() {
        let serde_json::Value::Object(map) = cur else {
            return Err(format!(
                "unknown field '{path}': '{}' is a value, not a section with fields",
                parts[..i].join(".")
            ));
        };
        match map.get(*part) {
            Some(next) => {
                is_integer_field = next.is_u64() || next.is_i64();
                cur = next;
            }
            None => {
                let section = if i == 0 {
                    "the config".to_string()
                } else {
                    format!("'{}'", parts[..i].join("."))
                };
                let known: Vec<&str> = map.keys().map(String::as_str).collect();
                return Err(format!(
                    "unknown field '{path}': {section} has no field '{part}'; valid fields are {}",
                    known.join(", ")
                ));
            }
        }
    }
    if raw.is_empty() {
        return Err(format!("no value given for {path}"));
    }
    // The value alone must be one RON value (this also stops `a=1), b: (2` injection).
    let shape: ron::Value = ron_options()
        .from_str(raw)
        .map_err(|e| format!("{path}: '{raw}' is not a RON value: {}", e.code))?;
    if has_non_finite(&shape) {
        return Err(format!(
            "{path} = {raw} is not allowed: the value must be a finite number"
        ));
    }
    // RON would report "Expected comma" after the integer part; say what is wrong.
    if is_integer_field
        && matches!(
            shape,
            ron::Value::Number(ron::Number::F32(_) | ron::Number::F64(_))
        )
    {
        return Err(format!("{path} cannot be '{raw}': it takes a whole number"));
    }
    // Parse it against the field's real type by wrapping it in its sections.
    let mut text = raw.to_string();
    for part in parts.iter().rev() {
        text = format!("({part}: {text})");
    }
    let partial: Config = ron_options().from_str(&text).map_err(|e| match e.code {
        ron::Error::IntegerOutOfBounds => match integer_range(&parts) {
            Some((min, max)) => {
                format!("{path} cannot be '{raw}': it takes a whole number from {min} to {max}")
            }
            None => format!("{path} cannot be '{raw}': {}", e.code),
        },
        code => format!("{path} cannot be '{raw}': {code}"),
    })?;
    let partial =
        serde_json::to_value(&partial).map_err(|e| format!("{path} cannot be '{raw}': {e}"))?;
    let mut new = &partial;
    let mut slot = &mut *tree;
    for part in &parts {
        new = new
            .get(*part)
            .ok_or_else(|| format!("unknown field '{path}'"))?;
        slot = slot
            .get_mut(*part)
            .ok_or_else(|| format!("unknown field '{path}'"))?;
    }
    merge(slot, new, &shape);
    Ok(())
}

/// The range of the integer field at `parts`, found by asking the parser which bounds of
/// the integer types it takes (the field's type is not known here otherwise).
fn integer_range(parts: &[&str]) -> Option<(i128, i128)> {
    let takes = |v: i128| {
        let mut text = v.to_string();
        for part in parts.iter().rev() {
            text = format!("({part}: {text})");
        }
        ron_options().from_str::<Config>(&text).is_ok()
    };
    let max = [
        u64::MAX as i128,
        i64::MAX as i128,
        u32::MAX as i128,
        i32::MAX as i128,
        u16::MAX as i128,
        i16::MAX as i128,
        u8::MAX as i128,
        i8::MAX as i128,
    ]
    .into_iter()
    .find(|&v| takes(v))?;
    let min = [
        i64::MIN as i128,
        i32::MIN as i128,
        i16::MIN as i128,
        i8::MIN as i128,
        0,
    ]
    .into_iter()
    .find(|&v| takes(v))?;
    Some((min, max))
}

/// Copy `new` into `slot`; where the override was a struct, only the fields it named.
fn merge(slot: &mut serde_json::Value, new: &serde_json::Value, shape: &ron::Value) {
    if let (ron::Value::Map(fields), serde_json::Value::Object(_)) = (shape, &*slot) {
        let mut named = Vec::new();
        for (k, v) in fields.iter() {
            match k {
                ron::Value::String(name) => named.push((name.clone(), v)),
                _ => {
                    *slot = new.clone();
                    return;
                }
            }
        }
        for (name, sub_shape) in named {
            if let (Some(s), Some(n)) = (slot.get_mut(&name), new.get(&name)) {
                merge(s, n, sub_shape);
            }
        }
        return;
    }
    *slot = new.clone();
}

fn has_non_finite(v: &ron::Value) -> bool {
    match v {
        ron::Value::Number(n) => !n.into_f64().is_finite(),
        ron::Value::Option(Some(inner)) => has_non_finite(inner),
        ron::Value::Seq(items) => items.iter().any(has_non_finite),
        ron::Value::Map(m) => m.iter().any(|(_, v)| has_non_finite(v)),
        _ => false,
    }
}

/// For a RON type error in a config file, find the dotted path of the offending field by
/// trying each given value against the defaults.
fn locate_bad_field(text: &str) -> Option<String> {
    let given: ron::Value = ron_options().from_str(text).ok()?;
    let defaults = serde_json::to_value(Config::default()).ok()?;
    let mut leaves = Vec::new();
    collect_leaves(&given, &defaults, String::new(), &mut leaves);
    leaves.into_iter().find_map(|(path, value)| {
        let raw = ron::to_string(value).ok()?;
        let mut tree = defaults.clone();
        apply_override(&mut tree, &path, &raw).err().map(|_| path)
    })
}

fn collect_leaves<'a>(
    given: &'a ron::Value,
    defaults: &serde_json::Value,
    prefix: String,
    out: &mut Vec<(String, &'a ron::Value)>,
) {
    match (given, defaults) {
        (ron::Value::Map(m), serde_json::Value::Object(d)) => {
            for (k, v) in m.iter() {
                if let ron::Value::String(name) = k {
                    if let Some(sub) = d.get(name) {
                        let path = if prefix.is_empty() {
                            name.clone()
                        } else {
                            format!("{prefix}.{name}")
                        };
                        collect_leaves(v, sub, path, out);
                    }
                }
            }
        }
        // A bare identifier (an enum variant) reads back as unit: nothing to check.
        (ron::Value::Unit, _) => {}
        _ if !prefix.is_empty() => out.push((prefix, given)),
        _ => {}
    }
}
