//! Checking an artifact: valid JSON, valid against the schema its workflow names, and an envelope
//! that belongs to this run and phase. Used by `capture artifact` before recording, and at phase
//! exit for any artifact whose bytes changed since it was recorded.

use std::path::Path;

use serde_json::Value;
use wazir_core::schema::Schema;

use crate::error::LedgerError;

/// Schema problems listed in one message; the rest are counted.
const MAX_PROBLEMS: usize = 12;

/// What a valid artifact says about itself.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    pub status: Option<String>,
    pub loop_number: Option<u64>,
}

/// Checks `bytes` (read from `label`). `Err` lists every problem, one per line. A schema that
/// cannot be loaded is an error of its own, not a problem of the artifact.
pub(crate) fn check(
    bytes: &[u8],
    label: &str,
    run_id: &str,
    phase: &str,
    schema: &str,
    schemas_dir: Option<&Path>,
) -> Result<std::result::Result<Checked, Vec<String>>, LedgerError> {
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            return Ok(Err(vec![format!(
                "{label}:{}:{}: not valid JSON: {e}",
                e.line(),
                e.column()
            )]));
        }
    };
    let compiled = Schema::load(schema, schemas_dir)?;
    let mut problems: Vec<String> = Vec::new();
    let found = compiled.problems(&value);
    for p in found.iter().take(MAX_PROBLEMS) {
        problems.push(format!("{label}: schema {schema}: {p}"));
    }
    if found.len() > MAX_PROBLEMS {
        problems.push(format!(
            "{label}: … and {} more schema problems",
            found.len() - MAX_PROBLEMS
        ));
    }
    let field = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_string);
    match field("run_id") {
        Some(r) if r != run_id => problems.push(format!(
            "{label}: run_id is `{r}` but this run is `{run_id}`: an artifact belongs to one run"
        )),
        // A schema names a missing envelope field itself; say it only when none did.
        None if value.is_object() && found.is_empty() => {
            problems.push(format!("{label}: run_id is missing"))
        }
        _ => {}
    }
    if let Some(p) = field("phase")
        && wazir_core::ids::to_id(&p) != phase
    {
        problems.push(format!(
            "{label}: phase is `{p}` but the artifact is recorded for `{phase}`"
        ));
    }
    if !problems.is_empty() {
        // Schema problems and envelope problems can repeat one another; keep each once.
        problems.dedup();
        return Ok(Err(problems));
    }
    Ok(Ok(Checked {
        status: field("status"),
        loop_number: value.get("loop").and_then(Value::as_u64),
    }))
}

/// BLAKE3 of `bytes`, hex.
pub(crate) fn hash(bytes: &[u8]) -> String {
    wazir_core::digest::blake3_hex(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema_dir() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        let s = json!({
            "type": "object",
            "required": ["run_id", "phase", "loop", "title"],
            "properties": {"title": {"type": "string", "minLength": 3}}
        });
        std::fs::write(d.path().join("note.schema.json"), s.to_string()).unwrap();
        d
    }

    #[test]
    fn reports_json_schema_and_envelope_problems() {
        let d = schema_dir();
        let dir = Some(d.path());
        let bad_json = check(b"{\n  \"a\": ", "a.json", "r1", "plan", "note", dir).unwrap();
        assert!(bad_json.unwrap_err()[0].starts_with("a.json:2:"));

        let v = json!({"run_id": "other", "phase": "design", "loop": 1, "title": "x"});
        let probs = check(
            v.to_string().as_bytes(),
            "a.json",
            "r1",
            "plan",
            "note",
            dir,
        )
        .unwrap()
        .unwrap_err();
        let all = probs.join("\n");
        assert!(all.contains("/title"), "{all}");
        assert!(all.contains("run_id is `other`"), "{all}");
        assert!(all.contains("phase is `design`"), "{all}");

        let v =
            json!({"run_id": "r1", "phase": "plan", "loop": 2, "title": "fine", "status": "final"});
        let ok = check(
            v.to_string().as_bytes(),
            "a.json",
            "r1",
            "plan",
            "note",
            dir,
        )
        .unwrap()
        .unwrap();
        assert_eq!(ok.loop_number, Some(2));
        assert_eq!(ok.status.as_deref(), Some("final"));
    }

    #[test]
    fn a_missing_schema_is_an_error() {
        let e = check(b"{}", "a.json", "r", "p", "no-such-schema", None).unwrap_err();
        assert!(e.to_string().contains("no-such-schema"), "{e}");
    }
}
