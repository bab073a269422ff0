//! The bundle as markdown: each kept module's brief inline under its id, title and the path of
//! the full module; the matching learnings; then what was left out and why. The blocks rendered
//! here are exactly what the budget counts.

use std::fmt::Write;

use crate::engine::Composition;
use crate::learnings::Learning;
use crate::module::Module;

/// The block printed for one module; its o200k count is what the budget is charged.
pub fn module_block(m: &Module, path: &str) -> String {
    format!(
        "### {} — {}\n\nFull module: {}\n\n{}\n\n",
        m.id, m.title, path, m.brief
    )
}

/// The block printed for one learning.
pub fn learning_block(l: &Learning, matched: &[String]) -> String {
    let files: Vec<&str> = matched
        .iter()
        .filter_map(|m| m.rsplit(" → ").next())
        .collect();
    let mut s = format!(
        "- **{}** (confidence {:.2}; applies to {}): {}\n",
        l.id,
        l.confidence,
        files.join(", "),
        l.learning
    );
    if let Some(c) = &l.check {
        let _ = writeln!(s, "  Check: {c}");
    }
    s
}

/// The whole bundle as markdown.
pub fn markdown(c: &Composition) -> String {
    let mut s = String::new();
    let _ = write!(s, "# Expertise for the {}", c.role);
    if let Some(p) = &c.phase {
        let _ = write!(s, " (phase {p})");
    }
    s.push_str("\n\n");
    let stacks = if c.stacks.is_empty() {
        "none".to_string()
    } else {
        c.stacks
            .iter()
            .map(|u| match u.evidence.first() {
                Some(e) => format!("{} ({e})", u.id),
                None => format!("{} (requested)", u.id),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let concerns = if c.concerns.is_empty() {
        "none".to_string()
    } else {
        c.concerns.join(", ")
    };
    let kept = c.kept().count();
    let _ = writeln!(s, "- Stacks: {stacks}");
    let _ = writeln!(s, "- Concerns: {concerns}");
    let _ = writeln!(
        s,
        "- {kept} modules and {} learnings, {} of {} budget tokens; library: {}",
        c.kept_learnings().count(),
        c.tokens_used,
        c.budget,
        c.library
    );
    s.push_str("\n## Modules\n\n");
    if kept == 0 {
        s.push_str("No module was kept.\n\n");
    }
    for m in c.kept() {
        s.push_str(&m.block);
    }
    if c.kept_learnings().count() > 0 {
        s.push_str("## Accepted learnings for these files\n\n");
        for l in c.kept_learnings() {
            s.push_str(&l.block);
        }
        s.push('\n');
    }
    let dropped: Vec<String> = c
        .modules
        .iter()
        .filter(|m| !m.kept)
        .map(|m| {
            format!(
                "- {} ({}): {}",
                m.id,
                m.map_key,
                m.dropped.as_deref().unwrap_or("")
            )
        })
        .chain(c.learnings.iter().filter(|l| !l.kept).map(|l| {
            format!(
                "- learning {}: {}",
                l.id,
                l.dropped.as_deref().unwrap_or("")
            )
        }))
        .collect();
    if !dropped.is_empty() {
        s.push_str("## Not included\n\n");
        for d in dropped {
            s.push_str(&d);
            s.push('\n');
        }
        s.push('\n');
    }
    if !c.notes.is_empty() {
        s.push_str("## Notes\n\n");
        for n in &c.notes {
            let _ = writeln!(s, "- {n}");
        }
    }
    s.trim_end().to_string() + "\n"
}
