//! Resource identity: the few attributes that name a remote object for good (for a RAM role, its account and its
//! name), versioned apart from the schema. Terraform stores it beside the state, imports by it
//! (`import { identity = {...} }`) and receives it for each object a list resource finds.

use super::types::Type;

/// The identity schema of a resource type.
#[derive(Clone, Debug, Default)]
pub struct IdentitySchema {
    /// Bumped when the identity's attributes change; stored identities of older versions are upgraded.
    pub version: i64,
    /// The attributes.
    pub attributes: Vec<IdentityAttribute>,
}

/// One identity attribute.
#[derive(Clone, Debug)]
pub struct IdentityAttribute {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// Markdown description.
    pub description: String,
    /// An import by identity must give it.
    pub required_for_import: bool,
    /// An import by identity may leave it out (the provider knows it).
    pub optional_for_import: bool,
}

impl IdentityAttribute {
    /// A string attribute an import by identity must give.
    pub fn required_string(name: &str, description: &str) -> IdentityAttribute {
        IdentityAttribute {
            name: name.to_owned(),
            ty: Type::String,
            description: description.to_owned(),
            required_for_import: true,
            optional_for_import: false,
        }
    }
}

impl IdentitySchema {
    /// A version-0 identity of `attributes`.
    pub fn new(attributes: Vec<IdentityAttribute>) -> IdentitySchema {
        IdentitySchema {
            version: 0,
            attributes,
        }
    }

    /// The object type of identity values.
    pub fn value_type(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone()))
                .collect(),
        )
    }
}
