//! `wazir validate docs-drift` in real git repositories: a role, workflow, skill or hook changed
//! since `--base` without a change to a doc naming it is a warning, an error with `--strict`.

use crate::support::validate as support;

use support::*;

fn drift_fixture() -> Fixture {
    let f = fixture(&[]);
    f.write("roles/planner.md", "# Planner\n");
    f.write("workflows/plan-review.md", "# Plan review\n");
    f.write("skills/tdd/SKILL.md", "---\nname: tdd\n---\n");
    f.write(
        "docs/roles.md",
        "# Roles\n\nThe `planner` writes the plan.\n",
    );
    f.write("docs/phases.md", "# Phases\n\nThe plan_review gate.\n");
    f.git(&["init", "-q", "-b", "main"]);
    f.commit(&[], "chore: start the project");
    f.git(&["checkout", "-q", "-b", "feature/change"]);
    f
}

#[test]
fn a_source_changed_with_its_doc_passes() {
    let f = drift_fixture();
    f.commit(
        &[
            ("roles/planner.md", "# Planner\n\nNow with estimates.\n"),
            (
                "docs/roles.md",
                "# Roles\n\nThe `planner` writes the plan and its estimates.\n",
            ),
        ],
        "feat: planners estimate",
    );
    let (code, out, err) = f.run(&["validate", "docs-drift", "--base", "main", "--strict"]);
    assert_eq!(code, 0, "{err}");
    assert!(warnings(&err).is_empty(), "{err}");
    assert!(
        out.contains("docs-drift: ok (1 canonical sources changed in main..HEAD)"),
        "{out}"
    );
}

#[test]
fn a_role_changed_alone_warns_and_fails_when_strict() {
    let f = drift_fixture();
    f.commit(
        &[("roles/planner.md", "# Planner\n\nChanged.\n")],
        "feat: change the planner",
    );
    let expected = "roles/planner.md: the role `planner` changed in main..HEAD but no doc describing it \
                    changed: review and update docs/roles.md";
    let (code, _, err) = f.run(&["validate", "docs-drift", "--base", "main"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(warnings(&err), vec![expected.to_string()]);
    assert_one_error(
        f.run(&["validate", "docs-drift", "--base", "main", "--strict"]),
        expected,
    );
}

#[test]
fn a_workflow_named_with_underscores_and_an_undocumented_skill_are_reported() {
    let f = drift_fixture();
    f.commit(
        &[
            ("workflows/plan-review.md", "# Plan review\n\nStricter.\n"),
            (
                "skills/tdd/SKILL.md",
                "---\nname: tdd\ndescription: test first\n---\n",
            ),
            (
                "docs/roles.md",
                "# Roles\n\nThe `planner` writes the plan.\n\nUnrelated edit.\n",
            ),
        ],
        "feat: stricter plan review",
    );
    let (code, _, err) = f.run(&["validate", "docs-drift", "--base", "main", "--strict"]);
    assert_eq!(code, 1);
    assert_eq!(
        errors(&err),
        vec![
            "skills/tdd/SKILL.md: the skill `tdd` changed in main..HEAD but no doc describing it changed: \
             no doc under docs/ names `tdd` yet: describe it there"
                .to_string(),
            "workflows/plan-review.md: the workflow `plan-review` changed in main..HEAD but no doc \
             describing it changed: review and update docs/phases.md"
                .to_string(),
        ]
    );
}

#[test]
fn the_folder_readme_counts_as_the_doc() {
    let f = drift_fixture();
    f.commit(
        &[
            (
                "skills/tdd/SKILL.md",
                "---\nname: tdd\ndescription: test first\n---\n",
            ),
            ("skills/README.md", "# Skills\n"),
        ],
        "feat: describe tdd",
    );
    let (code, _, err) = f.run(&["validate", "docs-drift", "--base", "main", "--strict"]);
    assert_eq!(code, 0, "{err}");
}
