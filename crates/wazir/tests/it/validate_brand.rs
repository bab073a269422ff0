//! `wazir validate brand`: the manifest's prohibited terms in role and workflow files, matched as
//! whole words in any case and reported as file:line:column.

use crate::support::validate as support;

use support::*;

fn brand_fixture() -> Fixture {
    fixture(&["roles", "workflows"])
}

#[test]
fn kit_roles_and_workflows_pass() {
    let f = brand_fixture();
    let (code, out, err) = f.run(&["validate", "brand"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("brand: ok (8 terms, 25 role and workflow files)"),
        "{out}"
    );
}

#[test]
fn a_term_in_a_role_is_reported_with_line_and_column() {
    let f = brand_fixture();
    f.edit("roles/planner.md", |t| {
        format!("{t}\nPlans must be Seamless and exact.\n")
    });
    let line = f.read("roles/planner.md").lines().count();
    assert_one_error(
        f.run(&["validate", "brand"]),
        &format!(
            "roles/planner.md:{line}:15: prohibited term `seamless` (found as \"Seamless\"): reword it; \
             the list is prohibited_terms in the manifest"
        ),
    );
}

#[test]
fn a_hyphenated_term_in_a_workflow_is_found_and_part_words_are_not() {
    let f = brand_fixture();
    f.write(
        "workflows/learn.md",
        "---\nname: learn\n---\n# Learn\nninjas and synergyless are fine.\nA world-class  result.\n",
    );
    assert_one_error(
        f.run(&["validate", "brand"]),
        "workflows/learn.md:6:3: prohibited term `world-class` (found as \"world-class\"): reword it; \
         the list is prohibited_terms in the manifest",
    );
}

#[test]
fn every_hit_is_reported_and_other_folders_are_not_scanned() {
    let f = brand_fixture();
    f.write("docs/notes.md", "a rockstar page, not a role\n");
    f.write("roles/reviewer.md", "# Reviewer\nNo ROCKSTAR, no ninja.\n");
    let (code, _, err) = f.run(&["validate", "brand"]);
    assert_eq!(code, 1);
    assert_eq!(
        errors(&err),
        vec![
            "roles/reviewer.md:2:4: prohibited term `rockstar` (found as \"ROCKSTAR\"): reword it; the list \
             is prohibited_terms in the manifest"
                .to_string(),
            "roles/reviewer.md:2:17: prohibited term `ninja` (found as \"ninja\"): reword it; the list is \
             prohibited_terms in the manifest"
                .to_string(),
        ]
    );
}
