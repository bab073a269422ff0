//! `summary.md`: a run told in Markdown from its status and event log — where it stands, each
//! phase with its loop count, the artifacts and captures on record, and the latest events. A new
//! session (or a person) reads it to pick the run up.

use std::fmt::Write;

use crate::event::EventRecord;
use crate::status::RunStatus;
use crate::transitions::Transitions;

/// Events listed at the end of the summary.
const RECENT_EVENTS: usize = 20;

pub(crate) fn render(
    st: &RunStatus,
    events: &[EventRecord],
    rules: Option<&Transitions>,
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Run {}\n", st.run_id);
    let state = st.phase_state(&st.phase).map_or("unknown", |k| k.as_str());
    let _ = writeln!(
        s,
        "- Phase: `{}` ({state}); run status `{}`",
        st.phase, st.status
    );
    let _ = writeln!(
        s,
        "- Started {}; last change {}",
        st.created_at, st.updated_at
    );
    let counts: Vec<String> = st.events.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let _ = writeln!(
        s,
        "- Events: {}{}",
        st.event_count,
        if counts.is_empty() {
            String::new()
        } else {
            format!(" ({})", counts.join(", "))
        }
    );

    s.push_str("\n## Phases\n\n");
    if st.phases.is_empty() {
        s.push_str("No phase entered yet.\n");
    } else {
        s.push_str("| phase | state | loop | cap | entered | left | rejections |\n");
        s.push_str("|---|---|---|---|---|---|---|\n");
        let mut phases: Vec<_> = st.phases.iter().collect();
        phases.sort_by(|a, b| a.1.entered_at.cmp(&b.1.entered_at).then(a.0.cmp(b.0)));
        for (name, p) in phases {
            let cap = rules
                .and_then(|r| r.get(name))
                .map_or("-".to_string(), |r| r.loop_cap.to_string());
            let _ = writeln!(
                s,
                "| {name} | {} | {} | {cap} | {} | {} | {} |",
                p.state.as_str(),
                st.loop_count(name),
                p.entered_at,
                p.exited_at.as_deref().unwrap_or("-"),
                p.rejections
            );
        }
    }

    s.push_str("\n## Artifacts\n\n");
    if st.artifacts.is_empty() {
        s.push_str("None recorded.\n");
    } else {
        s.push_str("| artifact | phase | schema | status | loop | file | recorded |\n");
        s.push_str("|---|---|---|---|---|---|---|\n");
        for (name, a) in &st.artifacts {
            let _ = writeln!(
                s,
                "| {name} | {} | {} | {} | {} | {} | {} |",
                a.phase,
                a.schema,
                a.status.as_deref().unwrap_or("-"),
                a.loop_number.map_or("-".into(), |l| l.to_string()),
                a.file,
                a.recorded_at
            );
        }
    }

    let overrides: Vec<&EventRecord> = events
        .iter()
        .filter(|e| e.event == crate::kinds::OVERRIDE)
        .collect();
    if !overrides.is_empty() {
        s.push_str("\n## Overrides\n\n");
        s.push_str("The user lifted the write rule (a prompt starting `wazir allow:`):\n\n");
        s.push_str("| # | phase | at | reason | in force |\n|---|---|---|---|---|\n");
        for e in overrides {
            let live = st.write_override.as_ref().is_some_and(|o| o.seq == e.seq);
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                e.seq,
                e.phase,
                e.ts,
                e.message.as_deref().unwrap_or("-").replace('|', "\\|"),
                if live { "yes" } else { "no (phase changed)" }
            );
        }
    }

    s.push_str("\n## Captures\n\n");
    if st.captures.is_empty() {
        s.push_str("None.\n");
    } else {
        s.push_str("| capture | phase | lines | bytes | command | exit |\n");
        s.push_str("|---|---|---|---|---|---|\n");
        for (name, c) in &st.captures {
            let _ = writeln!(
                s,
                "| {name} | {} | {} | {} | {} | {} |",
                c.phase,
                c.lines,
                c.bytes,
                c.command.as_deref().map_or("-".into(), cell),
                match (c.reserved, c.exit_code) {
                    (true, _) => "reserved".to_string(),
                    (false, Some(x)) => x.to_string(),
                    (false, None) => "-".to_string(),
                }
            );
        }
    }

    let start = events.len().saturating_sub(RECENT_EVENTS);
    let _ = writeln!(
        s,
        "\n## Latest events\n\n{} of {}.\n",
        events.len() - start,
        events.len()
    );
    for e in &events[start..] {
        let _ = write!(s, "- #{} {} `{}` in `{}`", e.seq, e.ts, e.event, e.phase);
        if let Some(st) = &e.status {
            let _ = write!(s, " (status {st})");
        }
        if let Some(m) = &e.message {
            let one: String = m.lines().next().unwrap_or("").chars().take(160).collect();
            let _ = write!(s, ": {one}");
        }
        s.push('\n');
    }
    s
}

/// Makes text safe inside a table cell.
fn cell(s: &str) -> String {
    let one: String = s.lines().next().unwrap_or("").chars().take(80).collect();
    format!("`{}`", one.replace('|', "\\|").replace('`', "'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_section() {
        let mut st = RunStatus::new("r1", "plan", "active", "2026-11-24T09:00:00.000Z");
        st.event_count = 1;
        st.events.insert("note".into(), 1);
        let ev = EventRecord {
            seq: 1,
            ts: "2026-11-24T09:01:00.000Z".into(),
            run_id: "r1".into(),
            event: "note".into(),
            phase: "plan".into(),
            status: None,
            message: Some("first line\nsecond".into()),
            data: serde_json::Value::Null,
        };
        let md = render(&st, &[ev], None);
        assert!(md.starts_with("# Run r1\n"));
        assert!(md.contains("- Phase: `plan` (active)"));
        assert!(md.contains("| plan | active | 1 | - |"));
        assert!(md.contains("## Artifacts\n\nNone recorded."));
        assert!(md.contains("- #1 2026-11-24T09:01:00.000Z `note` in `plan`: first line\n"));
        assert_eq!(cell("a|b`c"), "`a\\|b'c`");
    }
}
