//! The kit's hook contracts (`kit/hooks/definitions/*.yaml`) describe, per host, the event and
//! matcher each behaviour registers on; `host.rs` is what the exporter really registers. This
//! test keeps the two in agreement, so a host change is made in both or fails here.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use wazir_hosts::{HookEvent, Host};

#[derive(Deserialize)]
struct Definition {
    id: String,
    command: String,
    host_fallback: BTreeMap<String, Fallback>,
}

#[derive(Deserialize)]
struct Fallback {
    event: String,
    #[serde(default)]
    matcher: Option<String>,
}

#[test]
fn hook_contracts_match_the_host_table() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kit/hooks/definitions");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let def: Definition = wazir_core::yaml::read(&path).unwrap();
        let event: HookEvent = def.command.parse().unwrap();
        for (host_name, fb) in &def.host_fallback {
            let host: Host = host_name.parse().unwrap();
            let regs = host.registrations(event);
            let first = regs
                .first()
                .unwrap_or_else(|| panic!("{host} has no {event:?}"));
            assert_eq!(
                fb.event, first.host_event,
                "{}: {host} event differs from host.rs",
                def.id
            );
            assert_eq!(
                fb.matcher.as_deref(),
                first.matcher,
                "{}: {host} matcher differs from host.rs",
                def.id
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 32, "8 contracts x 4 hosts");
}
