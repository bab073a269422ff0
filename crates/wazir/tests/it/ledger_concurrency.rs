//! Many hook processes writing one run at once: 64 concurrent writers of the real binary, each
//! appending 50 events (3,200 `wazir capture event` processes in all, up to 64 at a time). No
//! event may be lost or torn, and `status.json` must parse and hold the final counts.

use crate::support::ledger as ledger_support;

use std::collections::BTreeSet;
use std::process::Command;

use ledger_support::Proj;

const WRITERS: usize = 64;
const EVENTS_EACH: usize = 50;

#[test]
fn sixty_four_writers_lose_nothing_and_tear_nothing() {
    let p = Proj::new();
    p.ok(&["capture", "init", "--run", "busy", "--phase", "execute"]);
    let bin = assert_cmd::cargo::cargo_bin("wazir");
    let root = p.root().to_path_buf();
    let state = p.state();

    std::thread::scope(|s| {
        for w in 0..WRITERS {
            let (bin, root, state) = (&bin, &root, &state);
            s.spawn(move || {
                for i in 0..EVENTS_EACH {
                    let kind = if i % 2 == 0 {
                        "note"
                    } else {
                        "post_tool_capture"
                    };
                    let out = Command::new(bin)
                        .current_dir(root)
                        .env_remove("WAZIR_STATE_ROOT")
                        .arg("--state-root")
                        .arg(state)
                        .args(["capture", "event", "--run", "busy", "--event", kind])
                        .args(["--phase", "execute", "--message"])
                        .arg(format!("writer {w} event {i}"))
                        .output()
                        .expect("the binary runs");
                    assert!(
                        out.status.success(),
                        "writer {w} event {i}: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            });
        }
    });

    let total = WRITERS * EVENTS_EACH;
    let text = std::fs::read_to_string(p.run_dir("busy").join("events.ndjson")).unwrap();
    assert!(text.ends_with('\n'), "the last line is whole");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), total, "exactly {total} lines");
    let mut seqs = BTreeSet::new();
    let mut messages = BTreeSet::new();
    for (n, line) in lines.iter().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("line {} is not valid JSON ({e}): {line}", n + 1));
        assert_eq!(v["run_id"], "busy");
        seqs.insert(v["seq"].as_u64().unwrap());
        messages.insert(v["message"].as_str().unwrap().to_string());
    }
    assert_eq!(seqs.len(), total, "every sequence number is used once");
    assert_eq!(seqs.first(), Some(&1));
    assert_eq!(seqs.last(), Some(&(total as u64)));
    assert_eq!(messages.len(), total, "every writer's every event is there");

    let st = p.status("busy");
    assert_eq!(st["event_count"], total as u64);
    assert_eq!(st["events"]["note"], (total / 2) as u64);
    assert_eq!(st["events"]["post_tool_capture"], (total / 2) as u64);
    assert_eq!(st["last_event"]["seq"], total as u64);
    // No temporary files were left behind by the atomic writes.
    let leftovers: Vec<String> = std::fs::read_dir(p.run_dir("busy"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".wazir-tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
