//! `wazir capture usage`: tokens avoided by capture routing and tiered recall, counted with the
//! real o200k_base tokenizer, per phase and in total, as a table and as JSON that matches
//! `usage.schema.json`; counts cached by content hash.

use crate::support::ledger as ledger_support;

use ledger_support::{Proj, repo_root};
use serde_json::{Value, json};
use wazir_core::schema::Schema;
use wazir_core::tokens;
use wazir_ledger::{Delivery, Event, Ledger, Origin, RunId, kinds};

fn usage_schema() -> Schema {
    let path = repo_root().join("kit/schemas/usage.schema.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    Schema::compile("usage", &doc).unwrap()
}

#[test]
fn usage_counts_real_tokens_per_phase_and_caches_them() {
    let p = Proj::new();
    p.ok(&["capture", "init", "--run", "r1", "--phase", "execute"]);

    // A long command output routed to a capture file.
    let body = std::fs::read_to_string(repo_root().join("kit/wazir.manifest.yaml")).unwrap();
    let body = body.repeat(3);
    let out = p
        .cmd(&[
            "capture",
            "output",
            "--name",
            "dump.txt",
            "--command",
            "cat",
            "--exit-code",
            "0",
        ])
        .write_stdin(body.clone())
        .output()
        .unwrap();
    assert!(out.status.success());
    let reference = String::from_utf8(out.stdout).unwrap();
    let reference = reference.trim_end();

    // Move to verify, where recall serves a summary instead of a whole file.
    p.event("phase_exit", "execute");
    p.event("phase_enter", "verify");
    let source = "src/big.rs";
    let source_text: String = (0..300)
        .map(|i| format!("pub fn handler_{i}(req: &Request) -> Response {{ route(req, {i}) }}\n"))
        .collect();
    std::fs::create_dir_all(p.root().join("src")).unwrap();
    std::fs::write(p.root().join(source), &source_text).unwrap();
    let served = "src/big.rs: 300 request handlers `handler_N`, each forwarding to `route`.";
    let ledger = Ledger::new(&p.state());
    ledger
        .record_recall(&RunId::parse("r1").unwrap(), source, Some("L0"), served)
        .unwrap();

    let v = p.json(&["capture", "usage"]);
    let problems = usage_schema().problems(&v);
    assert!(problems.is_empty(), "{problems:?}\n{v:#}");
    assert_eq!(v["tokenizer"], "o200k_base");

    let full = tokens::count(&body) as u64;
    let given = tokens::count(reference) as u64;
    assert_ne!(
        full,
        body.len() as u64 / 4,
        "not characters divided by four"
    );
    let rows = v["phases"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{v:#}");
    assert_eq!(rows[0]["phase"], "execute");
    assert_eq!(rows[0]["capture"]["items"], 1);
    assert_eq!(rows[0]["capture"]["full_tokens"], full);
    assert_eq!(rows[0]["capture"]["given_tokens"], given);
    assert_eq!(
        rows[0]["capture"]["avoided_tokens"],
        full as i64 - given as i64
    );
    assert_eq!(rows[0]["recall"]["items"], 0);

    let rfull = tokens::count(&source_text) as u64;
    let rgiven = tokens::count(served) as u64;
    assert_eq!(rows[1]["phase"], "verify");
    assert_eq!(rows[1]["recall"]["full_tokens"], rfull);
    assert_eq!(rows[1]["recall"]["given_tokens"], rgiven);
    assert_eq!(
        v["total"]["avoided_tokens"],
        (full + rfull) as i64 - (given + rgiven) as i64
    );
    assert_eq!(v["cache"]["misses"], 4);

    // usage.json is written beside the ledger, and the second count comes from the cache.
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(p.run_dir("r1").join("usage.json")).unwrap())
            .unwrap();
    assert_eq!(written["total"], v["total"]);
    assert!(p.state().join("cache/token-counts.json").is_file());
    let again = p.json(&["capture", "usage", "--run", "r1"]);
    assert_eq!(again["cache"]["misses"], 0);
    assert_eq!(again["cache"]["hits"], 4);
    assert_eq!(again["total"], v["total"]);

    let table = p.ok(&["capture", "usage"]);
    assert!(table.starts_with("phase "), "{table}");
    assert!(table.contains("execute          capture"), "{table}");
    assert!(table.contains("verify           recall"), "{table}");
    assert!(table.contains("total            all"), "{table}");
    assert!(table.contains("Tokens counted with o200k_base"), "{table}");
}

#[test]
fn unreadable_sources_are_listed_as_skipped() {
    let p = Proj::new();
    p.ok(&["capture", "init", "--run", "r1", "--phase", "execute"]);
    let ledger = Ledger::new(&p.state());
    let run = RunId::parse("r1").unwrap();
    ledger
        .record_recall(&run, "gone.rs", None, "a summary")
        .unwrap();
    let v = p.json(&["capture", "usage"]);
    assert_eq!(v["skipped"][0]["seq"], 1);
    assert!(
        v["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("gone.rs")
    );
    assert_eq!(v["total"]["avoided_tokens"], 0);
    assert!(usage_schema().problems(&v).is_empty());
}

#[test]
fn the_usage_example_matches_the_schema() {
    let text =
        std::fs::read_to_string(repo_root().join("kit/templates/examples/usage.example.json"))
            .unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let problems = usage_schema().problems(&v);
    assert!(problems.is_empty(), "{problems:?}");
    // The example's totals are the sum of its rows.
    let rows = v["phases"].as_array().unwrap();
    let sum: i64 = rows
        .iter()
        .map(|r| r["avoided_tokens"].as_i64().unwrap())
        .sum();
    assert_eq!(v["total"]["avoided_tokens"].as_i64().unwrap(), sum);
    for r in rows {
        for k in ["capture", "recall"] {
            let t = &r[k];
            assert_eq!(
                t["avoided_tokens"].as_i64().unwrap(),
                t["full_tokens"].as_i64().unwrap() - t["given_tokens"].as_i64().unwrap()
            );
        }
    }
}

#[test]
fn only_outputs_the_model_did_not_receive_count_as_avoided() {
    let p = Proj::new();
    p.ok(&["capture", "init", "--run", "r1", "--phase", "execute"]);
    let ledger = Ledger::new(&p.state());
    let run = RunId::parse("r1").unwrap();
    let body: String = (1..=5000).map(|i| format!("{i}\n")).collect();
    let record = |name: &str, host: &str, delivery: Delivery| {
        let origin = Origin {
            host: Some(host),
            delivery,
        };
        ledger
            .record_output(
                &run,
                name,
                body.as_bytes(),
                Some("seq 1 5000"),
                Some(0),
                origin,
            )
            .unwrap()
    };
    let replaced = record("claude.txt", "claude", Delivery::Replaced);
    record("codex.txt", "codex", Delivery::Sent);
    record("gemini.txt", "gemini", Delivery::Sent);
    // A hook capture recorded before deliveries were: its post_tool_capture names it, and no
    // host replaced an output then, so it counts as sent.
    record("old.txt", "claude", Delivery::Sent);
    ledger
        .append_event(
            &run,
            &Event::new(kinds::POST_TOOL_CAPTURE)
                .data(json!({"host": "claude", "capture": "old.txt"})),
        )
        .unwrap();
    let log = p.run_dir("r1").join("events.ndjson");
    let old: String = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| {
            let mut e: Value = serde_json::from_str(l).unwrap();
            if e["data"]["capture"] == "old.txt" && e["event"] == "capture_output" {
                let data = e["data"].as_object_mut().unwrap();
                data.remove("delivery");
                data.remove("host");
            }
            format!("{e}\n")
        })
        .collect();
    std::fs::write(&log, old).unwrap();

    let v = p.json(&["capture", "usage"]);
    assert!(usage_schema().problems(&v).is_empty(), "{v:#}");
    let full = tokens::count(&body) as i64;
    let given = tokens::count(&replaced.reference) as i64;
    assert_eq!(v["total"]["capture"]["items"], 4);
    assert_eq!(v["total"]["capture"]["avoided_tokens"], full - given);
    let rows: Vec<(String, String, i64)> = v["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["host"].as_str().unwrap().to_string(),
                d["delivery"].as_str().unwrap().to_string(),
                d["avoided_tokens"].as_i64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("claude", "replaced", full - given),
        ("claude", "sent", 0),
        ("codex", "sent", 0),
        ("gemini", "sent", 0),
    ]
    .map(|(h, d, n)| (h.to_string(), d.to_string(), n));
    assert_eq!(rows, want);
    let table = p.ok(&["capture", "usage"]);
    assert!(
        table.contains(
            "codex: 1 sent, 0 tokens avoided (the host sent the whole output to the model too)"
        ),
        "{table}"
    );
    assert!(table.contains("claude: 1 replaced"), "{table}");
}
