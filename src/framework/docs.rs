//! Registry documentation generated from the schemas, the way tfplugindocs does it for Go providers: a template
//! per page holds the prose, and the generator adds the front matter and the title, and fills in the
//! `## Schema` section from the schema itself, so every attribute's text has one source: its `description`.
//!
//! Templates are Markdown with a few placeholders, each alone on its line:
//! - `{{description}}`: the schema's (or function's) description;
//! - `{{schema}}`: the `## Schema` section (Required / Optional / Read-Only, then each nested block);
//! - `{{identity}}`: a resource's `## Identity Schema` section (the attributes an import by identity takes);
//! - `{{example PATH}}`: the file at PATH (relative to the repository) in a `terraform` code fence;
//! - `{{signature}}` and `{{arguments}}`: a function's signature and its numbered arguments.
//!
//! Pure: file access is the caller's, through [`Sources`].

use super::engine::Engine;
use super::function::FunctionDefinition;
use super::identity::IdentitySchema;
use super::provider::Provider;
use super::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use super::types::Type;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A page that could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum DocsError {
    /// A registered type or function has no template: every one needs a page.
    #[error(
        "no template {0} (every resource, data source, list resource, function and action needs a page)"
    )]
    MissingTemplate(String),
    /// A placeholder the page kind does not offer, or a misspelt one.
    #[error("{template}: unknown placeholder {placeholder:?}")]
    UnknownPlaceholder {
        /// The template.
        template: String,
        /// The placeholder as written.
        placeholder: String,
    },
    /// An `{{example PATH}}` file that cannot be read.
    #[error("{template}: example {path}: {reason}")]
    Example {
        /// The template.
        template: String,
        /// The example's path.
        path: String,
        /// Why it cannot be read.
        reason: String,
    },
}

/// Where templates and examples come from.
pub trait Sources {
    /// The template at `path` (such as `resources/role.md.tmpl`), or `None` when there is none.
    fn template(&self, path: &str) -> Option<String>;
    /// Every template path not generated for a type (guides and the like), passed through with placeholders
    /// filled.
    fn other_templates(&self) -> Vec<String>;
    /// The file at `path`, relative to the repository.
    fn file(&self, path: &str) -> Result<String, String>;
}

/// Every documentation page of `engine`'s provider, by path under `docs/` (such as `resources/role.md`).
pub fn pages<P: Provider>(
    engine: &Engine<P>,
    sources: &dyn Sources,
) -> Result<BTreeMap<String, String>, DocsError> {
    let provider = engine.provider_type_name();
    let prefix = format!("{provider}_");
    let short = |name: &str| name.strip_prefix(&prefix).unwrap_or(name).to_owned();
    let mut pages = BTreeMap::new();

    let index = Page {
        front_title: format!("Provider: {provider}"),
        heading: format!("{provider} Provider"),
        description: engine.provider_schema().block.description.clone(),
        schema: Some(engine.provider_schema()),
        identity: None,
        function: None,
    };
    let identities: BTreeMap<&str, &IdentitySchema> = engine.identity_schemas().collect();
    pages.insert(
        "index.md".to_owned(),
        index.render("index.md.tmpl", sources)?,
    );

    let typed = [
        (
            "resources",
            "Resource",
            engine.resource_schemas().collect::<Vec<_>>(),
        ),
        (
            "data-sources",
            "Data Source",
            engine.data_source_schemas().collect(),
        ),
        (
            "list-resources",
            "List Resource",
            engine.list_resource_schemas().collect(),
        ),
        ("actions", "Action", engine.action_schemas().collect()),
    ];
    for (dir, kind, schemas) in typed {
        for (name, schema) in schemas {
            let page = Page {
                front_title: format!("{name} {kind} - {provider}"),
                heading: format!("{name} ({kind})"),
                description: schema.block.description.clone(),
                schema: Some(schema),
                identity: identities.get(name).copied().filter(|_| dir == "resources"),
                function: None,
            };
            let path = format!("{dir}/{}.md", short(name));
            pages.insert(path.clone(), page.render(&format!("{path}.tmpl"), sources)?);
        }
    }
    for (name, definition) in engine.function_definitions() {
        let page = Page {
            front_title: format!("{name} function - {provider}"),
            heading: format!("function: {name}"),
            description: definition.description.clone(),
            schema: None,
            identity: None,
            function: Some((name, definition)),
        };
        let path = format!("functions/{name}.md");
        pages.insert(path.clone(), page.render(&format!("{path}.tmpl"), sources)?);
    }
    for template in sources.other_templates() {
        if let Some(path) = template.strip_suffix(".tmpl") {
            if pages.contains_key(path) {
                continue;
            }
            let text = sources
                .template(&template)
                .ok_or_else(|| DocsError::MissingTemplate(template.clone()))?;
            pages.insert(path.to_owned(), fill(&template, &text, None, sources)?);
        }
    }
    Ok(pages)
}

/// One generated page: its header from the schema or definition, its body from the template.
struct Page<'a> {
    front_title: String,
    heading: String,
    description: String,
    schema: Option<&'a Schema>,
    identity: Option<&'a IdentitySchema>,
    function: Option<(&'a str, &'a FunctionDefinition)>,
}

impl Page<'_> {
    fn render(&self, template: &str, sources: &dyn Sources) -> Result<String, DocsError> {
        let body = sources
            .template(template)
            .ok_or_else(|| DocsError::MissingTemplate(template.to_owned()))?;
        let summary = self
            .function
            .map(|(_, d)| d.summary.clone())
            .unwrap_or_else(|| first_paragraph(&self.description));
        let mut out = String::new();
        let _ = writeln!(out, "---");
        let _ = writeln!(out, "page_title: \"{}\"", self.front_title);
        let _ = writeln!(out, "subcategory: \"\"");
        let _ = writeln!(out, "description: |-");
        for line in summary.lines() {
            let _ = writeln!(out, "  {line}");
        }
        let _ = writeln!(out, "---\n");
        let _ = writeln!(out, "# {}\n", self.heading);
        out.push_str(&fill(template, &body, Some(self), sources)?);
        Ok(out)
    }
}

fn first_paragraph(text: &str) -> String {
    text.split("\n\n")
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// Replaces each placeholder line of `body` (those of `page`, when the body belongs to one).
fn fill(
    template: &str,
    body: &str,
    page: Option<&Page<'_>>,
    sources: &dyn Sources,
) -> Result<String, DocsError> {
    let schema = page.and_then(|p| p.schema);
    let identity = page.and_then(|p| p.identity);
    let function = page.and_then(|p| p.function);
    let mut out = String::new();
    for line in body.lines() {
        let Some(placeholder) = line
            .trim()
            .strip_prefix("{{")
            .and_then(|l| l.strip_suffix("}}"))
            .map(str::trim)
        else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        let unknown = || DocsError::UnknownPlaceholder {
            template: template.to_owned(),
            placeholder: placeholder.to_owned(),
        };
        let mut words = placeholder.split_whitespace();
        match (words.next(), words.next(), schema, function) {
            (Some("schema"), None, Some(schema), _) => {
                out.push_str(&schema_markdown(&schema.block))
            }
            (Some("identity"), None, _, _) if identity.is_some() => {
                out.push_str(&identity.map(identity_markdown).unwrap_or_default())
            }
            (Some("signature"), None, _, Some((name, d))) => out.push_str(&signature(name, d)),
            (Some("arguments"), None, _, Some((_, d))) => out.push_str(&arguments(d)),
            (Some("example"), Some(path), _, _) if words.next().is_none() => {
                let text = sources.file(path).map_err(|reason| DocsError::Example {
                    template: template.to_owned(),
                    path: path.to_owned(),
                    reason,
                })?;
                let _ = writeln!(out, "```terraform\n{}\n```", text.trim_end());
            }
            _ => return Err(unknown()),
        }
    }
    Ok(out)
}

/// The `## Schema` section of `block`, as tfplugindocs writes it.
pub fn schema_markdown(block: &Block) -> String {
    let mut out = String::from("## Schema\n");
    let mut nested = Vec::new();
    block_sections(block, "", "###", &mut out, &mut nested);
    while !nested.is_empty() {
        let mut next = Vec::new();
        for (anchor, path, block) in nested {
            let _ = write!(
                out,
                "\n<a id=\"{anchor}\"></a>\n### Nested Schema for `{path}`\n"
            );
            block_sections(block, &format!("{path}."), "", &mut out, &mut next);
        }
        nested = next;
    }
    out
}

/// The `## Identity Schema` section of a resource: the attributes an import by identity must or may give.
pub fn identity_markdown(identity: &IdentitySchema) -> String {
    let mut out = String::from("## Identity Schema\n");
    for (title, wanted) in [("Required", true), ("Optional", false)] {
        let mut items: Vec<String> = identity
            .attributes
            .iter()
            .filter(|a| {
                if wanted {
                    a.required_for_import
                } else {
                    !a.required_for_import
                }
            })
            .map(|a| item(&a.name, &type_name(&a.ty), &a.description, None))
            .collect();
        if items.is_empty() {
            continue;
        }
        items.sort();
        let _ = write!(out, "\n### {title}\n\n");
        for line in items {
            out.push_str(&line);
        }
    }
    out
}

/// Which section an attribute or block belongs in.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Required,
    Optional,
    ReadOnly,
}

impl Section {
    fn of(attribute: &Attribute) -> Section {
        if attribute.required {
            Section::Required
        } else if attribute.optional {
            Section::Optional
        } else {
            Section::ReadOnly
        }
    }

    fn title(self) -> &'static str {
        match self {
            Section::Required => "Required",
            Section::Optional => "Optional",
            Section::ReadOnly => "Read-Only",
        }
    }
}

/// Writes the Required / Optional / Read-Only lists of `block`; nested blocks are queued in `nested` with
/// their anchors and dotted paths. Top-level sections are `###` headings, nested ones plain labels.
fn block_sections<'a>(
    block: &'a Block,
    path_prefix: &str,
    heading: &str,
    out: &mut String,
    nested: &mut Vec<(String, String, &'a Block)>,
) {
    let mut lines: BTreeMap<Section, Vec<String>> = BTreeMap::new();
    for attribute in &block.attributes {
        let mut kind = type_name(&attribute.ty);
        if attribute.sensitive {
            kind.push_str(", Sensitive");
        }
        lines.entry(Section::of(attribute)).or_default().push(item(
            &attribute.name,
            &kind,
            &attribute.description,
            None,
        ));
    }
    for block_type in &block.blocks {
        let path = format!("{path_prefix}{}", block_type.name);
        let anchor = format!("nestedblock--{}", path.replace('.', "--"));
        let section = if block_type.min_items > 0 {
            Section::Required
        } else {
            Section::Optional
        };
        lines.entry(section).or_default().push(item(
            &block_type.name,
            &block_kind(block_type),
            &block_type.block.description,
            Some(&anchor),
        ));
        nested.push((anchor, path, &block_type.block));
    }
    for (section, mut items) in lines {
        items.sort();
        if heading.is_empty() {
            let _ = write!(out, "\n{}:\n\n", section.title());
        } else {
            let _ = write!(out, "\n{heading} {}\n\n", section.title());
        }
        for line in items {
            out.push_str(&line);
        }
    }
}

fn item(name: &str, kind: &str, description: &str, anchor: Option<&str>) -> String {
    let mut line = format!("- `{name}` ({kind})");
    if !description.is_empty() {
        let _ = write!(line, " {}", description.trim());
    }
    if let Some(anchor) = anchor {
        let _ = write!(line, " (see [below for nested schema](#{anchor}))");
    }
    line.push('\n');
    line
}

fn block_kind(block: &NestedBlock) -> String {
    let mut kind = match block.nesting {
        Nesting::Single => "Block".to_owned(),
        Nesting::List => "Block List".to_owned(),
        Nesting::Set => "Block Set".to_owned(),
    };
    if block.min_items > 0 {
        let _ = write!(kind, ", Min: {}", block.min_items);
    }
    if block.max_items > 0 && block.nesting != Nesting::Single {
        let _ = write!(kind, ", Max: {}", block.max_items);
    }
    kind
}

/// A type as tfplugindocs names it: `String`, `Set of String`, `Map of Number`, `Object`, ...
fn type_name(ty: &Type) -> String {
    match ty {
        Type::String => "String".into(),
        Type::Number => "Number".into(),
        Type::Bool => "Boolean".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(inner) => format!("List of {}", type_name(inner)),
        Type::Set(inner) => format!("Set of {}", type_name(inner)),
        Type::Map(inner) => format!("Map of {}", type_name(inner)),
        Type::Object(_) => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
    }
}

/// The type as written in a function signature: `string`, `list(string)`, ...
fn signature_type(ty: &Type) -> String {
    match ty {
        Type::String => "string".into(),
        Type::Number => "number".into(),
        Type::Bool => "bool".into(),
        Type::Dynamic => "dynamic".into(),
        Type::List(inner) => format!("list({})", signature_type(inner)),
        Type::Set(inner) => format!("set({})", signature_type(inner)),
        Type::Map(inner) => format!("map({})", signature_type(inner)),
        Type::Object(_) => "object".into(),
        Type::Tuple(_) => "tuple".into(),
    }
}

fn signature(name: &str, definition: &FunctionDefinition) -> String {
    let parameters: Vec<String> = definition
        .parameters
        .iter()
        .map(|p| format!("{} {}", p.name, signature_type(&p.ty)))
        .collect();
    format!(
        "```text\n{name}({}) {}\n```\n",
        parameters.join(", "),
        signature_type(&definition.return_type)
    )
}

fn arguments(definition: &FunctionDefinition) -> String {
    let mut out = String::new();
    for (i, p) in definition.parameters.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}. `{}` ({}) {}",
            i + 1,
            p.name,
            type_name(&p.ty),
            p.description.trim()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_sections_and_nested_blocks_follow_tfplugindocs() {
        let endpoints = Block::new("Endpoints to use.").attribute(
            Attribute::string("ram")
                .optional()
                .description("RAM endpoint."),
        );
        let block = Block::new("A provider.")
            .attribute(
                Attribute::string("name")
                    .required()
                    .description("The name."),
            )
            .attribute(
                Attribute::string("secret")
                    .optional()
                    .sensitive()
                    .description("A secret."),
            )
            .attribute(Attribute::new("tags", Type::map(Type::String)).computed())
            .block("endpoints", Nesting::List, endpoints, 1);
        let expected = "## Schema\n\n### Required\n\n- `name` (String) The name.\n\n### Optional\n\n\
- `endpoints` (Block List, Max: 1) Endpoints to use. (see [below for nested schema](#nestedblock--endpoints))\n\
- `secret` (String, Sensitive) A secret.\n\n### Read-Only\n\n- `tags` (Map of String)\n\n\
<a id=\"nestedblock--endpoints\"></a>\n### Nested Schema for `endpoints`\n\nOptional:\n\n- `ram` (String) RAM endpoint.\n";
        assert_eq!(schema_markdown(&block), expected);
    }
}
