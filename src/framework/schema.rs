//! Schemas: the attributes and nested blocks of a provider, resource or data source, with the descriptions
//! `terraform providers schema -json` and plan reviewers read, and the plan behaviours the engine applies.

use super::types::Type;
use super::value::Value;
use std::fmt;
use std::sync::Arc;

/// Checks a known, non-null attribute value; `Err` carries the diagnostic detail (name the value and what is
/// accepted).
pub type Validator = Arc<dyn Fn(&Value) -> Result<(), String> + Send + Sync>;

/// A schema: a versioned top-level block.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    /// The state version; bumped when stored state needs upgrading.
    pub version: i64,
    /// The top-level block.
    pub block: Block,
}

/// A block: attributes and nested blocks.
#[derive(Clone, Debug, Default)]
pub struct Block {
    /// The attributes, in declaration order.
    pub attributes: Vec<Attribute>,
    /// The nested block types.
    pub blocks: Vec<NestedBlock>,
    /// Markdown description.
    pub description: String,
}

/// How a nested block repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// At most one; an object or null.
    Single,
    /// Zero or more, ordered.
    List,
    /// Zero or more, unordered.
    Set,
}

/// A nested block type.
#[derive(Clone, Debug)]
pub struct NestedBlock {
    /// The block's name in configuration.
    pub name: String,
    /// Its content.
    pub block: Block,
    /// How it repeats.
    pub nesting: Nesting,
    /// Minimum count (0 for none).
    pub min_items: i64,
    /// Maximum count (0 for no limit).
    pub max_items: i64,
}

/// An attribute and how the engine treats it.
#[derive(Clone)]
pub struct Attribute {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// Markdown description.
    pub description: String,
    /// Must be set in configuration.
    pub required: bool,
    /// May be set in configuration.
    pub optional: bool,
    /// Set by the provider (with `optional`: when the configuration leaves it null).
    pub computed: bool,
    /// Hidden in plan output and logs.
    pub sensitive: bool,
    /// A change to it replaces the resource.
    pub requires_replace: bool,
    /// The value planned when configuration leaves it null (the attribute is optional and computed).
    pub default: Option<Value>,
    /// A computed attribute that keeps its prior value in plans of updates instead of becoming unknown.
    pub use_state_for_unknown: bool,
    /// Checks run on known, non-null configuration values.
    pub validators: Vec<Validator>,
}

impl fmt::Debug for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attribute")
            .field("name", &self.name)
            .field("ty", &self.ty)
            .field("required", &self.required)
            .field("optional", &self.optional)
            .field("computed", &self.computed)
            .field("sensitive", &self.sensitive)
            .field("requires_replace", &self.requires_replace)
            .field("default", &self.default)
            .field("validators", &self.validators.len())
            .finish()
    }
}

impl Attribute {
    /// A new attribute of type `ty`; mark it required, optional or computed.
    pub fn new(name: &str, ty: Type) -> Attribute {
        Attribute {
            name: name.to_owned(),
            ty,
            description: String::new(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            requires_replace: false,
            default: None,
            use_state_for_unknown: false,
            validators: Vec::new(),
        }
    }

    /// A string attribute.
    pub fn string(name: &str) -> Attribute {
        Attribute::new(name, Type::String)
    }

    /// A number attribute.
    pub fn number(name: &str) -> Attribute {
        Attribute::new(name, Type::Number)
    }

    /// A bool attribute.
    pub fn bool(name: &str) -> Attribute {
        Attribute::new(name, Type::Bool)
    }

    /// Sets the description.
    pub fn description(mut self, text: &str) -> Attribute {
        self.description = text.to_owned();
        self
    }

    /// Must be set in configuration.
    pub fn required(mut self) -> Attribute {
        self.required = true;
        self
    }

    /// May be set in configuration.
    pub fn optional(mut self) -> Attribute {
        self.optional = true;
        self
    }

    /// Set by the provider.
    pub fn computed(mut self) -> Attribute {
        self.computed = true;
        self
    }

    /// Hidden in plan output.
    pub fn sensitive(mut self) -> Attribute {
        self.sensitive = true;
        self
    }

    /// A change to it replaces the resource.
    pub fn requires_replace(mut self) -> Attribute {
        self.requires_replace = true;
        self
    }

    /// Planned as `value` when configuration leaves it null; makes the attribute optional and computed.
    pub fn default(mut self, value: Value) -> Attribute {
        self.default = Some(value);
        self.optional = true;
        self.computed = true;
        self
    }

    /// Keeps the prior value in update plans instead of planning it unknown.
    pub fn use_state_for_unknown(mut self) -> Attribute {
        self.use_state_for_unknown = true;
        self
    }

    /// Adds a validator.
    pub fn validate(
        mut self,
        check: impl Fn(&Value) -> Result<(), String> + Send + Sync + 'static,
    ) -> Attribute {
        self.validators.push(Arc::new(check));
        self
    }
}

impl Block {
    /// An empty block with a description.
    pub fn new(description: &str) -> Block {
        Block {
            description: description.to_owned(),
            ..Block::default()
        }
    }

    /// Adds an attribute.
    pub fn attribute(mut self, attribute: Attribute) -> Block {
        self.attributes.push(attribute);
        self
    }

    /// Adds a nested block type.
    pub fn block(mut self, name: &str, nesting: Nesting, block: Block, max_items: i64) -> Block {
        self.blocks.push(NestedBlock {
            name: name.to_owned(),
            block,
            nesting,
            min_items: 0,
            max_items,
        });
        self
    }

    /// The attribute named `name`.
    pub fn find_attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The object type of a value of this block.
    pub fn value_type(&self) -> Type {
        let attributes = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.ty.clone()));
        let blocks = self.blocks.iter().map(|b| {
            let object = b.block.value_type();
            let ty = match b.nesting {
                Nesting::Single => object,
                Nesting::List => Type::list(object),
                Nesting::Set => Type::set(object),
            };
            (b.name.clone(), ty)
        });
        Type::Object(attributes.chain(blocks).collect())
    }
}

impl Schema {
    /// A version-0 schema of `block`.
    pub fn new(block: Block) -> Schema {
        Schema { version: 0, block }
    }

    /// The object type of values of this schema.
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_type_includes_nested_blocks() {
        let inner = Block::new("inner").attribute(Attribute::string("x").optional());
        let block = Block::new("outer")
            .attribute(Attribute::string("a").required())
            .block("single", Nesting::Single, inner.clone(), 1)
            .block("many", Nesting::List, inner, 0);
        let x = Type::object([("x", Type::String)]);
        assert_eq!(
            block.value_type(),
            Type::object([
                ("a", Type::String),
                ("single", x.clone()),
                ("many", Type::list(x))
            ])
        );
    }

    #[test]
    fn default_makes_an_attribute_optional_and_computed() {
        let a = Attribute::string("role_name").default(Value::string("ram-for-dts"));
        assert!(a.optional && a.computed && !a.required);
    }
}
