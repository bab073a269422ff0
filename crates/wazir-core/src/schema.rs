//! JSON Schema checks (draft 2020-12) with problems reported as JSON pointer, rule and message.
//! Schemas come from a project's `schemas/` folder or the embedded kit.

use std::path::Path;

use serde_json::Value;

/// One way an instance fails its schema.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SchemaProblem {
    /// JSON pointer into the instance (`""` is the whole document).
    pub pointer: String,
    /// The schema keyword that failed (`required`, `type`, `additionalProperties`, …).
    pub rule: String,
    pub message: String,
}

impl std::fmt::Display for SchemaProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "{at}: {} ({})", self.message, self.rule)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("schema `{0}` not found in the project's schemas folder nor in the embedded kit")]
    NotFound(String),
    #[error("{file}: not valid JSON: {message}")]
    Json { file: String, message: String },
    #[error("{file}: not a usable JSON Schema: {message}")]
    Invalid { file: String, message: String },
}

/// A compiled schema.
pub struct Schema {
    pub name: String,
    validator: jsonschema::Validator,
}

impl Schema {
    /// Compiles a schema document; `name` is used in messages.
    pub fn compile(name: &str, doc: &Value) -> Result<Self, SchemaError> {
        let validator = jsonschema::validator_for(doc).map_err(|e| SchemaError::Invalid {
            file: name.to_string(),
            message: e.to_string(),
        })?;
        Ok(Self {
            name: name.to_string(),
            validator,
        })
    }

    /// Loads `<name>.schema.json` from `schemas_dir` when it exists there, else from the embedded
    /// kit's `schemas/`.
    pub fn load(name: &str, schemas_dir: Option<&Path>) -> Result<Self, SchemaError> {
        let file = format!("{name}.schema.json");
        let (label, text) = match schemas_dir.map(|d| d.join(&file)).filter(|p| p.is_file()) {
            Some(p) => (
                p.display().to_string(),
                std::fs::read_to_string(&p).map_err(|e| SchemaError::Json {
                    file: p.display().to_string(),
                    message: e.to_string(),
                })?,
            ),
            None => (
                format!("schemas/{file} (embedded kit)"),
                crate::kit::text(&format!("schemas/{file}"))
                    .ok_or_else(|| SchemaError::NotFound(name.to_string()))?,
            ),
        };
        let doc: Value = serde_json::from_str(&text).map_err(|e| SchemaError::Json {
            file: label.clone(),
            message: e.to_string(),
        })?;
        Self::compile(name, &doc)
    }

    /// Every problem of `instance`, in document order; empty when it is valid.
    pub fn problems(&self, instance: &Value) -> Vec<SchemaProblem> {
        let mut out: Vec<SchemaProblem> = self
            .validator
            .iter_errors(instance)
            .map(|e| SchemaProblem {
                pointer: e.instance_path().to_string(),
                rule: e
                    .schema_path()
                    .as_str()
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .to_string(),
                message: e.to_string(),
            })
            .collect();
        out.sort_by(|a, b| a.pointer.cmp(&b.pointer));
        out
    }

    pub fn is_valid(&self, instance: &Value) -> bool {
        self.validator.is_valid(instance)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_pointer_and_rule() {
        let s = Schema::compile(
            "t",
            &json!({"type":"object","required":["a"],"properties":{"b":{"type":"integer"}}}),
        )
        .unwrap();
        let p = s.problems(&json!({"b":"x"}));
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(
            p.iter()
                .any(|p| p.pointer.is_empty() && p.rule == "required")
        );
        assert!(p.iter().any(|p| p.pointer == "/b" && p.rule == "type"));
        assert!(s.problems(&json!({"a":1})).is_empty());
    }
}
