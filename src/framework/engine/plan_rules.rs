//! The schema-driven plan rules, at every depth of a resource's blocks: defaults for optional attributes the
//! configuration leaves null, unknown values for computed attributes apply will set, and the paths of changed
//! attributes that force replacement.
//!
//! Nested blocks are walked where Terraform's proposed new state lines their objects up with the configuration
//! and the prior state: a single block by its name, a list block by index. Set elements have no identity
//! (Terraform matches them by value), so a set block may only hold attributes these rules leave alone;
//! [`check_plannable`] refuses any other schema when the engine is built.

use crate::framework::path::AttributePath;
use crate::framework::schema::{Block, Nesting};
use crate::framework::value::Value;

/// A schema the engine cannot plan correctly.
#[derive(Debug, thiserror::Error)]
#[error(
    "attribute {path} is {rule}, inside a set block: the engine cannot plan it (set elements have no identity to \
     line up configuration, prior state and plan); use a list or single block, or drop the rule"
)]
pub struct UnplannableAttribute {
    /// Where the attribute is, from the resource's root.
    pub path: AttributePath,
    /// The rule it carries: `computed`, `defaulted` or `requires_replace`.
    pub rule: &'static str,
}

/// Refuses a block whose set blocks (at any depth) hold an attribute that is computed, has a default or
/// requires replacement.
pub(crate) fn check_plannable(block: &Block) -> Result<(), UnplannableAttribute> {
    check_block(block, &AttributePath::default(), false)
}

fn check_block(
    block: &Block,
    path: &AttributePath,
    in_set: bool,
) -> Result<(), UnplannableAttribute> {
    if in_set {
        for attribute in &block.attributes {
            let rule = if attribute.requires_replace {
                Some("requires_replace")
            } else if attribute.default.is_some() {
                Some("defaulted")
            } else if attribute.computed {
                Some("computed")
            } else {
                None
            };
            if let Some(rule) = rule {
                return Err(UnplannableAttribute {
                    path: path.clone().attribute(&attribute.name),
                    rule,
                });
            }
        }
    }
    for nested in &block.blocks {
        let inner_in_set = in_set || nested.nesting == Nesting::Set;
        check_block(
            &nested.block,
            &path.clone().attribute(&nested.name),
            inner_in_set,
        )?;
    }
    Ok(())
}

/// Optional attributes with a default take it when the configuration leaves them null.
pub(crate) fn apply_defaults(block: &Block, config: &Value, planned: &mut Value) {
    for attribute in &block.attributes {
        if let Some(default) = attribute
            .default
            .as_ref()
            .filter(|_| config.attr(&attribute.name).is_null())
        {
            planned.set_attr(&attribute.name, default.clone());
        }
    }
    for nested in &block.blocks {
        for_each_object(
            nested.nesting,
            config.attr(&nested.name),
            &Value::Null,
            planned.attr_mut(&nested.name),
            |config, _, planned| apply_defaults(&nested.block, config, planned),
        );
    }
}

/// Computed attributes the configuration leaves null will be set by apply: unknown in the plan, unless they
/// have a default or keep their prior value by design (`use_state_for_unknown` with a prior value).
pub(crate) fn mark_computed_unknown(
    block: &Block,
    config: &Value,
    prior: &Value,
    planned: &mut Value,
) {
    for attribute in block
        .attributes
        .iter()
        .filter(|a| a.computed && a.default.is_none())
    {
        if !config.attr(&attribute.name).is_null() {
            continue;
        }
        let keep = attribute.use_state_for_unknown && !prior.attr(&attribute.name).is_null();
        let value = if keep {
            prior.attr(&attribute.name).clone()
        } else {
            Value::Unknown
        };
        planned.set_attr(&attribute.name, value);
    }
    for nested in &block.blocks {
        for_each_object(
            nested.nesting,
            config.attr(&nested.name),
            prior.attr(&nested.name),
            planned.attr_mut(&nested.name),
            |config, prior, planned| mark_computed_unknown(&nested.block, config, prior, planned),
        );
    }
}

/// Appends to `out` the path of every `requires_replace` attribute whose planned value differs from its prior
/// value. An object present on one side only compares with a null object: its replacing attributes that are
/// set count as changed.
pub(crate) fn replacing_changes(
    block: &Block,
    prior: &Value,
    planned: &Value,
    path: &AttributePath,
    out: &mut Vec<AttributePath>,
) {
    for attribute in block.attributes.iter().filter(|a| a.requires_replace) {
        if planned.attr(&attribute.name) != prior.attr(&attribute.name) {
            out.push(path.clone().attribute(&attribute.name));
        }
    }
    for nested in &block.blocks {
        let path = path.clone().attribute(&nested.name);
        let (prior, planned) = (prior.attr(&nested.name), planned.attr(&nested.name));
        match nested.nesting {
            Nesting::Single => replacing_changes(&nested.block, prior, planned, &path, out),
            Nesting::List => {
                let (prior, planned) = (elements(prior), elements(planned));
                for i in 0..prior.len().max(planned.len()) {
                    let (p, n) = (element(prior, i), element(planned, i));
                    replacing_changes(&nested.block, p, n, &path.clone().index(i as i64), out);
                }
            }
            // Refused by check_plannable.
            Nesting::Set => {}
        }
    }
}

/// Calls `visit(config, prior, planned)` for each planned object of a nested block with the configuration and
/// prior objects it lines up with (null where there is none).
fn for_each_object(
    nesting: Nesting,
    config: &Value,
    prior: &Value,
    planned: Option<&mut Value>,
    mut visit: impl FnMut(&Value, &Value, &mut Value),
) {
    let Some(planned) = planned else { return };
    match (nesting, planned) {
        (Nesting::Single, planned @ Value::Object(_)) => visit(config, prior, planned),
        (Nesting::List, Value::List(items)) => {
            let (config, prior) = (elements(config), elements(prior));
            for (i, planned) in items.iter_mut().enumerate() {
                visit(element(config, i), element(prior, i), planned);
            }
        }
        // Null or unknown blocks have nothing to plan inside; set blocks hold no planned rules.
        _ => {}
    }
}

fn elements(value: &Value) -> &[Value] {
    value.as_elements().unwrap_or_default()
}

fn element(elements: &[Value], i: usize) -> &Value {
    static NULL: Value = Value::Null;
    elements.get(i).unwrap_or(&NULL)
}
