//! `wazir validate changelog` in real git repositories: Keep a Changelog structure, and with
//! `--require-entries --base REV` a new `[Unreleased]` entry for commits since REV.

use crate::support::validate as support;

use support::*;

const GOOD: &str = "# Changelog

All notable changes to this project are listed here.

## [Unreleased]

### Added

- The `doctor` command.

## [1.1.0] - 2026-02-01

### Fixed

- Reading an empty manifest.

## [1.0.0] - 2026-01-15

### Added

- The first release.
";

fn changelog_fixture(text: &str) -> Fixture {
    let f = git_fixture(&[]);
    f.commit(&[("CHANGELOG.md", text)], "docs: add the changelog");
    f
}

#[test]
fn a_keep_a_changelog_file_passes() {
    let f = changelog_fixture(GOOD);
    let (code, out, err) = f.run(&["validate", "changelog"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("changelog: ok (2 releases, 1 unreleased entries)"),
        "{out}"
    );
}

#[test]
fn a_missing_unreleased_section_and_an_unknown_group_fail() {
    let f = changelog_fixture(
        &GOOD
            .replace(
                "## [Unreleased]\n\n### Added\n\n- The `doctor` command.\n\n",
                "",
            )
            .replace("### Fixed", "### Bugfixes"),
    );
    let (code, _, err) = f.run(&["validate", "changelog"]);
    assert_eq!(code, 1);
    assert_eq!(
        errors(&err),
        vec![
            "CHANGELOG.md:7: `### Bugfixes` is not a change group: use one of Added, Changed, Deprecated, \
             Removed, Fixed, Security"
                .to_string(),
            "CHANGELOG.md:1: no `## [Unreleased]` section: add one above the releases for changes not yet \
             released"
                .to_string(),
        ],
        "{err}"
    );
}

#[test]
fn releases_out_of_order_and_a_bad_heading_fail() {
    let f = changelog_fixture(
        &GOOD
            .replace("## [1.1.0] - 2026-02-01", "## [1.0.0] - 2026-01-15")
            .replace(
                "## [1.0.0] - 2026-01-15\n\n### Added\n\n- The first",
                "## [1.1.0] - 2026-02-01\n\n### Added\n\n- The first",
            )
            .replace("# Changelog", "# Changelog\n\n## Version 0.9"),
    );
    let (code, _, err) = f.run(&["validate", "changelog"]);
    assert_eq!(code, 1);
    assert_eq!(
        errors(&err),
        vec![
            "CHANGELOG.md:3: `## Version 0.9` is not a Keep a Changelog section: use `## [Unreleased]` or \
             `## [X.Y.Z] - YYYY-MM-DD`"
                .to_string(),
            "CHANGELOG.md:19: release 1.1.0 is listed below an older or equal release (line 13): list \
             releases newest first"
                .to_string(),
        ],
        "{err}"
    );
}

#[test]
fn require_entries_wants_a_new_unreleased_line() {
    let f = changelog_fixture(GOOD);
    f.git(&["checkout", "-q", "-b", "feature/export"]);
    f.commit(&[("src/export.rs", "// export\n")], "feat: add export");
    assert_one_error(
        f.run(&[
            "validate",
            "changelog",
            "--require-entries",
            "--base",
            "main",
        ]),
        "CHANGELOG.md: 1 commit(s) in main..HEAD but no new entry under `## [Unreleased]`: add a line \
         saying what changed for users",
    );
    f.commit(
        &[(
            "CHANGELOG.md",
            &GOOD.replace(
                "- The `doctor` command.",
                "- The `doctor` command.\n- The `export` command.",
            ),
        )],
        "docs: note export in the changelog",
    );
    let (code, _, err) = f.run(&[
        "validate",
        "changelog",
        "--require-entries",
        "--base",
        "main",
    ]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn no_changelog_is_an_error() {
    let f = git_fixture(&[]);
    assert_one_error(
        f.run(&["validate", "changelog"]),
        "CHANGELOG.md: no changelog: create it with a `# Changelog` title and an `## [Unreleased]` \
         section (https://keepachangelog.com/en/1.1.0/)",
    );
}
