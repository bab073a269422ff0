//! The four hosts (Claude Code, Codex CLI, Gemini CLI, Cursor): the facts about each in one
//! table ([`host`]), the hook runtime that speaks each host's protocol ([`hook`], with one module
//! per host under `hook/protocol/`), and the export compiler that writes each host's package
//! ([`export`], with one module per host under `export/package/`).

pub mod export;
pub mod hook;
pub mod host;
