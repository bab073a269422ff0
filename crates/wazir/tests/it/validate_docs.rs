//! `wazir validate docs`: truth claims against the binary's real command tree and the files of
//! the project, and relative links with GitHub-style anchors. One passing project and one
//! precise problem for each way a claim or a link can break.

use crate::support::validate as support;

use support::*;

const GUIDE: &str = "# Start here\n\
\n\
Run `wazir validate hooks`, or `wazir validate commits --base main`.\n\
See [the hooks check](ref.md#the-hooks-check), [this page](#start-here) and\n\
[the schema](../schemas/docs-claim.schema.json).\n";

const REF: &str = "# Reference\n\n## The `hooks` check\n\nText.\n\n## Usage\n\n## Usage\n";

const CLAIMS: &str = "claims:
  - id: hooks-command
    file: docs/guide.md
    claim_type: command
    subject: validate hooks
    verifier: cli
  - id: commits-base
    file: docs/guide.md
    claim_type: option
    subject: validate commits --base
    verifier: cli
  - id: ref-page
    file: docs/guide.md
    claim_type: path
    subject: ref.md
    verifier: filesystem
";

fn docs_fixture() -> Fixture {
    let f = fixture(&["schemas"]);
    f.write("docs/guide.md", GUIDE);
    f.write("docs/ref.md", REF);
    f.write("docs/truth-claims.yaml", CLAIMS);
    f
}

#[test]
fn claims_hold_and_links_resolve() {
    let f = docs_fixture();
    // The path claim is relative to the project root.
    f.edit("docs/truth-claims.yaml", |t| {
        t.replace("subject: ref.md", "subject: docs/ref.md")
    });
    f.edit("docs/guide.md", |t| {
        t.replace("See [the hooks", "Also docs/ref.md. See [the hooks")
    });
    let (code, out, err) = f.run(&["validate", "docs"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("docs: ok (3 claims hold, 3 relative links in 2 files resolve)"),
        "{out}"
    );
}

#[test]
fn a_command_that_does_not_exist_fails_the_claim() {
    let f = docs_fixture();
    f.edit("docs/truth-claims.yaml", |t| {
        t.replace("subject: ref.md", "subject: docs/ref.md")
            .replace("subject: validate hooks", "subject: validate hookz")
    });
    f.edit("docs/guide.md", |t| {
        t.replace("validate hooks", "validate hookz docs/ref.md")
    });
    let (code, _, err) = f.run(&["validate", "docs"]);
    assert_eq!(code, 1, "{err}");
    let e = errors(&err);
    assert_eq!(e.len(), 1, "{err}");
    assert!(
        e[0].starts_with(
            "docs/truth-claims.yaml:2: claims[0] (hooks-command): claim does not hold: \
             `wazir validate` has no subcommand `hookz` (it has: manifest, hooks, docs,"
        ),
        "{err}"
    );
}

#[test]
fn an_option_that_does_not_exist_and_a_missing_path_fail() {
    let f = docs_fixture();
    f.edit("docs/truth-claims.yaml", |t| {
        t.replace(
            "subject: validate commits --base",
            "subject: validate commits --since",
        )
    });
    f.edit("docs/guide.md", |t| t.replace("--base", "--since"));
    let (code, _, err) = f.run(&["validate", "docs"]);
    assert_eq!(code, 1);
    assert_eq!(
        errors(&err),
        vec![
            "docs/truth-claims.yaml:7: claims[1] (commits-base): claim does not hold: `wazir validate commits` \
             has no option `--since`; fix docs/guide.md or the claim"
                .to_string(),
            "docs/truth-claims.yaml:12: claims[2] (ref-page): claim does not hold: `ref.md` does not exist \
             in the project; fix docs/guide.md or the claim"
                .to_string(),
        ],
        "{err}"
    );
}

#[test]
fn a_claim_its_doc_no_longer_makes_fails() {
    let f = docs_fixture();
    f.edit("docs/truth-claims.yaml", |t| {
        t.replace("subject: ref.md", "subject: docs/ref.md")
    });
    f.edit("docs/guide.md", |t| {
        t.replace("`wazir validate hooks`, or ", "")
            .replace("See [the hooks", "docs/ref.md. See [the hooks")
    });
    assert_one_error(
        f.run(&["validate", "docs"]),
        "docs/truth-claims.yaml:2: claims[0] (hooks-command): docs/guide.md does not mention \
         `validate hooks`: the claim no longer matches its doc; update the claim or the doc",
    );
}

#[test]
fn a_claim_breaking_its_schema_names_the_pointer() {
    let f = docs_fixture();
    f.edit("docs/truth-claims.yaml", |t| {
        t.replace(
            "subject: ref.md\n    verifier: filesystem",
            "subject: docs/ref.md\n    verifier: cli",
        )
    });
    f.edit("docs/guide.md", |t| {
        t.replace("See [the hooks", "docs/ref.md. See [the hooks")
    });
    assert_one_error(
        f.run(&["validate", "docs"]),
        "docs/truth-claims.yaml:12: /claims/2/verifier: \"filesystem\" was expected (rule `const`)",
    );
}

fn links_fixture() -> Fixture {
    let f = docs_fixture();
    f.edit("docs/truth-claims.yaml", |t| {
        t.replace("subject: ref.md", "subject: docs/ref.md")
    });
    f.edit("docs/guide.md", |t| {
        t.replace("See [the hooks", "docs/ref.md. See [the hooks")
    });
    f
}

#[test]
fn a_broken_link_names_file_line_and_column() {
    let f = links_fixture();
    f.edit("docs/guide.md", |t| {
        format!("{t}\nMore in [the missing page](missing.md).\n")
    });
    assert_one_error(
        f.run(&["validate", "docs"]),
        "docs/guide.md:7:9: broken link `missing.md`: docs/missing.md does not exist; fix the path or \
         remove the link",
    );
}

#[test]
fn a_broken_anchor_is_computed_the_github_way() {
    let f = links_fixture();
    // `## Usage` twice gives #usage and #usage-1; #usage-2 does not exist.
    f.edit("docs/guide.md", |t| {
        format!("{t}\n[ok](ref.md#usage-1) [bad](ref.md#usage-2)\n")
    });
    assert_one_error(
        f.run(&["validate", "docs"]),
        "docs/guide.md:7:22: broken anchor `ref.md#usage-2`: docs/ref.md has no heading whose anchor \
         is `#usage-2`; fix the anchor or the heading",
    );
}

#[test]
fn a_same_page_anchor_and_links_in_code_are_handled() {
    let f = links_fixture();
    f.edit("docs/guide.md", |t| {
        format!("{t}\n`[not a link](nowhere.md)`\n\n```\n[nor this](nowhere.md)\n```\n\n[top](#start-herre)\n")
    });
    assert_one_error(
        f.run(&["validate", "docs"]),
        "docs/guide.md:13:1: broken anchor `#start-herre`: docs/guide.md has no heading whose anchor is \
         `#start-herre`; fix the anchor or the heading",
    );
}
