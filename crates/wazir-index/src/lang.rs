//! Languages the index knows: file-extension mapping, tree-sitter grammars and query sources.

use std::path::Path;

/// A language the index can read, either for symbols (code) or for an outline (data and docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Rust,
    Python,
    JavaScript,
    TypeScript,
    Tsx,
    Go,
    Java,
    Sql,
    Json,
    Yaml,
    Markdown,
}

impl Lang {
    pub const ALL: [Lang; 11] = [
        Lang::Rust,
        Lang::Python,
        Lang::JavaScript,
        Lang::TypeScript,
        Lang::Tsx,
        Lang::Go,
        Lang::Java,
        Lang::Sql,
        Lang::Json,
        Lang::Yaml,
        Lang::Markdown,
    ];

    /// The stable name stored in the index and accepted by `--lang`.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Rust => "rust",
            Lang::Python => "python",
            Lang::JavaScript => "javascript",
            Lang::TypeScript => "typescript",
            Lang::Tsx => "tsx",
            Lang::Go => "go",
            Lang::Java => "java",
            Lang::Sql => "sql",
            Lang::Json => "json",
            Lang::Yaml => "yaml",
            Lang::Markdown => "markdown",
        }
    }

    /// Written between the names of nested scopes: `a::b` in Rust, `a.b` elsewhere.
    pub fn container_sep(self) -> &'static str {
        if self == Lang::Rust { "::" } else { "." }
    }

    pub fn from_name(name: &str) -> Option<Lang> {
        let lower = name.to_ascii_lowercase();
        let alias = match lower.as_str() {
            "rs" => "rust",
            "py" => "python",
            "js" | "jsx" => "javascript",
            "ts" => "typescript",
            "md" => "markdown",
            "yml" => "yaml",
            "golang" => "go",
            other => other,
        };
        Lang::ALL.into_iter().find(|l| l.name() == alias)
    }

    /// The language of a path, decided by its extension.
    pub fn from_path(path: &Path) -> Option<Lang> {
        let ext = path.extension()?.to_str()?;
        Some(match ext {
            "rs" => Lang::Rust,
            "py" | "pyi" => Lang::Python,
            "js" | "jsx" | "mjs" | "cjs" => Lang::JavaScript,
            "ts" | "mts" | "cts" => Lang::TypeScript,
            "tsx" => Lang::Tsx,
            "go" => Lang::Go,
            "java" => Lang::Java,
            "sql" => Lang::Sql,
            "json" => Lang::Json,
            "yaml" | "yml" => Lang::Yaml,
            "md" | "markdown" => Lang::Markdown,
            _ => return None,
        })
    }

    /// True for languages that yield symbols; the others yield an outline.
    pub fn has_symbols(self) -> bool {
        !matches!(self, Lang::Json | Lang::Yaml | Lang::Markdown)
    }

    /// The tree-sitter grammar, when the language is parsed with one.
    pub fn grammar(self) -> Option<tree_sitter::Language> {
        Some(match self {
            Lang::Rust => tree_sitter_rust::LANGUAGE.into(),
            Lang::Python => tree_sitter_python::LANGUAGE.into(),
            Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Lang::Go => tree_sitter_go::LANGUAGE.into(),
            Lang::Java => tree_sitter_java::LANGUAGE.into(),
            Lang::Sql => tree_sitter_sequel::LANGUAGE.into(),
            Lang::Json => tree_sitter_json::LANGUAGE.into(),
            Lang::Yaml => tree_sitter_yaml::LANGUAGE.into(),
            Lang::Markdown => return None,
        })
    }

    /// The grammar's `node-types.json`: which node kinds may appear inside which.
    pub fn node_types(self) -> Option<&'static str> {
        Some(match self {
            Lang::Rust => tree_sitter_rust::NODE_TYPES,
            Lang::Python => tree_sitter_python::NODE_TYPES,
            Lang::JavaScript => tree_sitter_javascript::NODE_TYPES,
            Lang::TypeScript => tree_sitter_typescript::TYPESCRIPT_NODE_TYPES,
            Lang::Tsx => tree_sitter_typescript::TSX_NODE_TYPES,
            Lang::Go => tree_sitter_go::NODE_TYPES,
            Lang::Java => tree_sitter_java::NODE_TYPES,
            Lang::Sql => tree_sitter_sequel::NODE_TYPES,
            Lang::Json => tree_sitter_json::NODE_TYPES,
            Lang::Yaml => tree_sitter_yaml::NODE_TYPES,
            Lang::Markdown => return None,
        })
    }

    /// Our own definition query for the language (symbols languages only).
    pub fn query_source(self) -> Option<String> {
        const JS_COMMON: &str = include_str!("queries/javascript.scm");
        const TS_EXTRA: &str = include_str!("queries/typescript.scm");
        Some(match self {
            Lang::Rust => include_str!("queries/rust.scm").to_string(),
            Lang::Python => include_str!("queries/python.scm").to_string(),
            Lang::JavaScript => format!(
                "{JS_COMMON}\n{}",
                include_str!("queries/javascript_only.scm")
            ),
            Lang::TypeScript | Lang::Tsx => format!("{JS_COMMON}\n{TS_EXTRA}"),
            Lang::Go => include_str!("queries/go.scm").to_string(),
            Lang::Java => include_str!("queries/java.scm").to_string(),
            Lang::Sql => include_str!("queries/sql.scm").to_string(),
            _ => return None,
        })
    }
}
