//! Unit tests of the shell reader.

use super::*;

fn paths(cmd: &str) -> Vec<String> {
    scan(cmd, &Budget::guard())
        .unwrap()
        .targets
        .into_iter()
        .map(|t| t.path)
        .collect()
}

#[test]
fn redirections_and_writers() {
    assert_eq!(paths("echo hi>roles/a.md"), ["roles/a.md"]);
    assert_eq!(paths("true&&echo x>>skills/s.md"), ["skills/s.md"]);
    assert_eq!(paths("ls 2>/dev/null"), ["/dev/null"]);
    assert_eq!(
        paths("cmd 2>&1 | tee -a out.log").last().unwrap(),
        "out.log"
    );
    assert!(paths("sort < roles/a.md").is_empty());
    assert_eq!(paths("sed -i 's/a/b/' roles/x.md"), ["roles/x.md"]);
    assert!(paths("sed 's/a/b/' roles/x.md").is_empty());
    assert_eq!(paths("perl -pi -e 's/a/b/' roles/x.md")[0], "roles/x.md");
}

#[test]
fn quoting_and_expansions_are_read_as_bash_reads_them() {
    assert_eq!(paths("rm $'\\x2ewazir/a'"), [".wazir/a"]);
    assert_eq!(
        paths("touch .wazir/{roles,skills}/x.md"),
        [".wazir/roles/x.md", ".wazir/skills/x.md"]
    );
    assert_eq!(paths("D=roles; echo x > $D/a.md"), ["roles/a.md"]);
    assert_eq!(
        paths("cp 'my file.md' \"roles/new name.md\"")[0],
        "roles/new name.md"
    );
    assert_eq!(paths("rm${IFS}roles/a.md"), ["roles/a.md"]);
}

#[test]
fn heredoc_bodies_are_data_unless_a_shell_reads_them() {
    assert_eq!(
        paths("cat > notes.md <<'EOF'\nrm -rf roles\nEOF\n"),
        ["notes.md"]
    );
    assert_eq!(paths("bash <<'EOF'\nrm -rf roles\nEOF\n"), ["roles"]);
    assert_eq!(
        paths("cat <<-EOF > a.md\n\tx\n\tEOF\nrm roles/b.md"),
        ["a.md", "roles/b.md"]
    );
}

#[test]
fn cd_wrappers_and_nesting_are_followed() {
    let s = scan("cd roles\nsudo -u me rm -f a.md", &Budget::guard()).unwrap();
    assert_eq!(s.targets[0].path, "a.md");
    assert_eq!(s.targets[0].dir.as_deref(), Some("roles"));
    assert!(s.targets[0].removes);
    let s = scan("bash -c \"cd roles; rm a.md\"", &Budget::guard()).unwrap();
    assert_eq!(s.targets[0].dir.as_deref(), Some("roles"));
    assert_eq!(paths("eval 'echo x >roles/b.md'"), ["roles/b.md"]);
    assert!(paths("git commit -m 'a && rm roles/x.md'").is_empty());
    assert!(paths("git log --stat roles").is_empty());
}

#[test]
fn unprovable_commands_name_their_paths_with_a_reason() {
    let s = scan("python3 -c \"open('roles/x.md','w')\"", &Budget::guard()).unwrap();
    assert!(
        s.targets
            .iter()
            .any(|t| t.path == "roles/x.md" && t.why.is_some())
    );
    let s = scan(
        "for f in $(cat list); do rm $f; done; ls roles",
        &Budget::guard(),
    )
    .unwrap();
    assert!(
        s.targets
            .iter()
            .any(|t| t.path == "roles" && t.why.is_some())
    );
}

#[test]
fn commands_are_listed_for_the_ledger_guard() {
    let s = scan(
        "git status && wazir capture event --event phase_enter --phase plan | cat",
        &Budget::guard(),
    )
    .unwrap();
    assert_eq!(s.commands.len(), 3);
    assert_eq!(s.commands[1][0], "wazir");
    assert_eq!(s.commands[1][4], "phase_enter");
}

#[test]
fn characters_that_crash_the_grammar_scanner_are_read_safely() {
    for c in ['\u{E0100}', '\u{E01DE}', '\u{10FFFF}', '\u{F0000}'] {
        let cmd = format!("{{{c} && rm roles/{c}x");
        let s = scan(&cmd, &Budget::guard()).unwrap();
        assert!(
            s.targets.iter().any(|t| t.path == format!("roles/{c}x")),
            "{s:?}"
        );
    }
}

#[test]
fn brace_expansion() {
    assert_eq!(brace_expand("a{b,c}d"), ["abd", "acd"]);
    assert_eq!(brace_expand("x{1..3}"), ["x1", "x2", "x3"]);
    assert_eq!(brace_expand("{a,b}{c,d}"), ["ac", "ad", "bc", "bd"]);
    assert_eq!(brace_expand("{x}"), ["{x}"]);
}
