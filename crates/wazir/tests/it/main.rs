//! The integration tests of the `wazir` binary, in one test binary (one build, one link): each
//! module tests one command family through the real binary, on real files in temporary folders;
//! `support` holds the fixtures and helpers they share.

mod support;

mod compose_cli;
mod compose_validate_expertise;
mod doctor_checks;
mod export_check;
mod export_install;
mod export_packages;
mod help_text;
mod hook_enforcement;
mod hook_events;
mod hook_hostile_paths;
mod hook_ledger;
mod hook_protocols;
mod index_cli;
mod init_project;
mod kit_replay;
mod ledger_capture;
mod ledger_concurrency;
mod ledger_faults;
mod ledger_secrets;
mod ledger_transitions;
mod ledger_usage;
mod manifest_confinement;
mod skills_kit;
mod skills_wazir_run;
mod state_root_legacy;
mod validate_all;
mod validate_artifacts;
mod validate_branches;
mod validate_brand;
mod validate_changelog;
mod validate_commits;
mod validate_docs;
mod validate_docs_drift;
mod validate_expertise;
mod validate_hooks;
mod validate_manifest;
mod validate_runtime;
mod verify_evidence;
