//! The hostile-path suite of the protected-path guard: paths that reach a protected entry by
//! `..`, absolute paths, symlinked folders and files (dangling ones too), `./` and repeated
//! separators, letter case, globs, patches with several files and moves, and shell commands
//! that write by redirection or by a writing command, across all four hosts. Every case must
//! be decided right: no bypass (a protected write let through) and no false block (an ordinary
//! write refused).

use crate::support::hook as hook_support;

use hook_support::*;
use serde_json::{Value, json};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Want {
    Block,
    Allow,
}
use Want::*;

struct Case {
    name: &'static str,
    host: &'static str,
    payload: Value,
    want: Want,
}

/// Whether this file system ignores letter case (then `ROLES/x` is `roles/x`).
fn case_insensitive(p: &TestProject) -> bool {
    p.root.join("WAZIR.MANIFEST.YAML").exists()
}

fn cases(p: &TestProject) -> Vec<Case> {
    let r = &p.root;
    let abs = |rel: &str| p.path(rel);
    let w = |host: &'static str, path: String| write_payload(host, r, &path);
    let sh = |host: &'static str, cmd: &str| shell_payload(host, r, cmd);
    let patch = |text: &str| patch_payload(r, text);
    let folded = if case_insensitive(p) { Block } else { Allow };
    let claude_tool = |tool: &str, input: Value| {
        json!({"session_id": "s", "cwd": r, "hook_event_name": "PreToolUse",
               "tool_name": tool, "tool_input": input, "tool_use_id": "t"})
    };
    let cursor_tool = |tool: &str, input: Value| {
        json!({"conversation_id": "c", "generation_id": "g", "hook_event_name": "preToolUse",
               "workspace_roots": [r], "tool_name": tool, "tool_input": input})
    };
    let c = |name, host, payload, want| Case {
        name,
        host,
        payload,
        want,
    };
    vec![
        // Claude Code edit tools.
        c(
            "claude write into roles",
            "claude",
            w("claude", abs("roles/new.md")),
            Block,
        ),
        c(
            "claude dot-dot back into roles",
            "claude",
            w("claude", abs("src/../roles/x.md")),
            Block,
        ),
        c(
            "claude ./ and doubled separators",
            "claude",
            w("claude", format!("{}/./roles//x.md", r.display())),
            Block,
        ),
        c(
            "claude mixed case",
            "claude",
            w("claude", abs("ROLES/x.md")),
            folded,
        ),
        c(
            "claude symlinked folder",
            "claude",
            w("claude", abs("src/rolelink/x.md")),
            Block,
        ),
        c(
            "claude symlink to a protected file",
            "claude",
            w("claude", abs("notes.md")),
            Block,
        ),
        c(
            "claude dangling symlink into skills",
            "claude",
            w("claude", abs("src/pending.md")),
            Block,
        ),
        c(
            "claude project reached through a symlinked parent",
            "claude",
            w("claude", abs("alias/roles/x.md")),
            Block,
        ),
        c(
            "claude manifest",
            "claude",
            w("claude", abs("wazir.manifest.yaml")),
            Block,
        ),
        c(
            "claude hook definitions",
            "claude",
            w("claude", abs("hooks/definitions/x.yaml")),
            Block,
        ),
        c(
            "claude exported package",
            "claude",
            w("claude", abs("exports/hosts/claude/CLAUDE.md")),
            Block,
        ),
        c(
            "claude NotebookEdit",
            "claude",
            claude_tool(
                "NotebookEdit",
                json!({"notebook_path": abs("schemas/n.ipynb")}),
            ),
            Block,
        ),
        c(
            "claude MultiEdit",
            "claude",
            claude_tool(
                "MultiEdit",
                json!({"file_path": abs("workflows/plan.md"), "edits": []}),
            ),
            Block,
        ),
        c(
            "claude ordinary source file",
            "claude",
            w("claude", abs("src/main.rs")),
            Allow,
        ),
        c(
            "claude name that only starts like a protected one",
            "claude",
            w("claude", abs("roles-notes.md")),
            Allow,
        ),
        c(
            "claude protected name deeper in another folder",
            "claude",
            w("claude", abs("docs/roles/notes.md")),
            Allow,
        ),
        c(
            "claude hooks folder outside definitions",
            "claude",
            w("claude", abs("hooks/README.md")),
            Allow,
        ),
        c(
            "claude outside the project",
            "claude",
            w("claude", "/tmp/wazir-elsewhere.txt".into()),
            Allow,
        ),
        c(
            "claude symlink that leads out of protection",
            "claude",
            w("claude", abs("outlink/x.md")),
            Allow,
        ),
        c(
            "claude Read is never blocked",
            "claude",
            claude_tool("Read", json!({"file_path": abs("roles/executor.md")})),
            Allow,
        ),
        // Shell commands (Claude Code Bash).
        c(
            "redirect",
            "claude",
            sh("claude", "echo x > roles/a.md"),
            Block,
        ),
        c(
            "append glued to the word",
            "claude",
            sh("claude", "echo x>>roles/a.md"),
            Block,
        ),
        c(
            "tee -a",
            "claude",
            sh("claude", "cat notes | tee -a skills/tdd/SKILL.md"),
            Block,
        ),
        c(
            "sed -i",
            "claude",
            sh("claude", "sed -i 's/a/b/' workflows/plan.md"),
            Block,
        ),
        c(
            "cp into a protected folder",
            "claude",
            sh("claude", "cp /tmp/x.json schemas/"),
            Block,
        ),
        c(
            "mv out of a protected folder",
            "claude",
            sh("claude", "mv roles/executor.md /tmp/"),
            Block,
        ),
        c(
            "rm -rf of a folder holding a protected one",
            "claude",
            sh("claude", "rm -rf hooks"),
            Block,
        ),
        c(
            "truncate the manifest",
            "claude",
            sh("claude", "truncate -s 0 wazir.manifest.yaml"),
            Block,
        ),
        c(
            "cd then write",
            "claude",
            sh("claude", "cd roles && echo x > a.md"),
            Block,
        ),
        c(
            "nested bash -c",
            "claude",
            sh("claude", "bash -c \"rm roles/executor.md\""),
            Block,
        ),
        c(
            "second line",
            "claude",
            sh("claude", "echo ok\nrm roles/executor.md"),
            Block,
        ),
        c(
            "cd inside a nested shell",
            "claude",
            sh("claude", "bash -c \"cd roles; rm executor.md\""),
            Block,
        ),
        c(
            "cd in a subshell that ended",
            "claude",
            sh("claude", "(cd /tmp) && rm roles/executor.md"),
            Block,
        ),
        c(
            "eval of quoted text",
            "claude",
            sh("claude", "eval 'echo x >workflows/new.md'"),
            Block,
        ),
        c(
            "variable set on the line",
            "claude",
            sh("claude", "D=roles; echo x > $D/a.md"),
            Block,
        ),
        c(
            "glob over the root",
            "claude",
            sh("claude", "rm -rf *"),
            Block,
        ),
        c(
            "fd redirect into a protected file",
            "claude",
            sh("claude", "make 2> exports/hosts/log.txt"),
            Block,
        ),
        c(
            "sed reads protected, writes elsewhere",
            "claude",
            sh("claude", "sed 's/a/b/' roles/executor.md > build/out.md"),
            Allow,
        ),
        c(
            "reading protected files",
            "claude",
            sh(
                "claude",
                "cat roles/executor.md && ls -la roles && grep -r x workflows",
            ),
            Allow,
        ),
        c(
            "protected name under build",
            "claude",
            sh(
                "claude",
                "mkdir -p build/roles && echo x > build/roles/a.md",
            ),
            Allow,
        ),
        c(
            "copy a protected file out",
            "claude",
            sh("claude", "cp roles/executor.md /tmp/copy.md"),
            Allow,
        ),
        c(
            "remove build output",
            "claude",
            sh("claude", "rm -rf build target"),
            Allow,
        ),
        c(
            "quoted operator text",
            "claude",
            sh("claude", "git commit -m 'roles > docs: tidy'"),
            Allow,
        ),
        c(
            "regeneration command",
            "claude",
            sh("claude", "wazir export build && wazir export check"),
            Allow,
        ),
        // Codex apply_patch and shell.
        c(
            "patch adds a protected file",
            "codex",
            patch("*** Begin Patch\n*** Add File: roles/x.md\n+x\n*** End Patch\n"),
            Block,
        ),
        c(
            "patch with several files, one protected",
            "codex",
            patch(
                "*** Begin Patch\n*** Update File: src/main.rs\n@@\n-x\n+y\n*** Add File: workflows/new.md\n+x\n*** End Patch\n",
            ),
            Block,
        ),
        c(
            "patch moves a file into a protected folder",
            "codex",
            patch(
                "*** Begin Patch\n*** Update File: src/main.rs\n*** Move to: roles/main.md\n@@\n-x\n+y\n*** End Patch\n",
            ),
            Block,
        ),
        c(
            "patch moves a protected file out",
            "codex",
            patch(
                "*** Begin Patch\n*** Update File: roles/executor.md\n*** Move to: src/executor.md\n@@\n-x\n+y\n*** End Patch\n",
            ),
            Block,
        ),
        c(
            "patch deletes a schema",
            "codex",
            patch("*** Begin Patch\n*** Delete File: schemas/spec.schema.json\n*** End Patch\n"),
            Block,
        ),
        c(
            "patch walks out and back in",
            "codex",
            patch(&format!(
                "*** Begin Patch\n*** Add File: ../{}/roles/x.md\n+x\n*** End Patch\n",
                r.file_name().unwrap().to_string_lossy()
            )),
            Block,
        ),
        c(
            "patch with absolute path",
            "codex",
            patch(&format!(
                "*** Begin Patch\n*** Update File: {}\n@@\n-x\n+y\n*** End Patch\n",
                abs("skills/tdd/SKILL.md")
            )),
            Block,
        ),
        c(
            "ordinary patch",
            "codex",
            patch(
                "*** Begin Patch\n*** Add File: src/new.rs\n+x\n*** Update File: docs/roles/notes.md\n@@\n-x\n+y\n*** End Patch\n",
            ),
            Allow,
        ),
        c(
            "codex shell with ./ and doubled separators",
            "codex",
            sh("codex", "printf x > ./roles//a.md"),
            Block,
        ),
        c(
            "codex apply_patch through the shell",
            "codex",
            sh(
                "codex",
                "apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: roles/y.md\n+y\n*** End Patch\nEOF",
            ),
            Block,
        ),
        c(
            "codex ordinary shell",
            "codex",
            sh("codex", "cargo fmt && cargo test > build/test.log"),
            Allow,
        ),
        // Gemini CLI.
        c(
            "gemini write_file absolute",
            "gemini",
            w("gemini", abs("skills/new/SKILL.md")),
            Block,
        ),
        c(
            "gemini replace through symlinked folder",
            "gemini",
            json!({"session_id": "s", "cwd": r, "hook_event_name": "BeforeTool", "tool_name": "replace", "tool_input": {"file_path": abs("src/rolelink/executor.md"), "old_string": "x", "new_string": "y"}}),
            Block,
        ),
        c(
            "gemini shell touch",
            "gemini",
            sh("gemini", "touch roles/new.md"),
            Block,
        ),
        c(
            "gemini ordinary replace",
            "gemini",
            w("gemini", abs("src/main.rs")),
            Allow,
        ),
        c(
            "gemini ordinary shell",
            "gemini",
            sh("gemini", "npm test > build/log.txt 2>&1"),
            Allow,
        ),
        // Cursor.
        c(
            "cursor Write",
            "cursor",
            w("cursor", abs("workflows/x.md")),
            Block,
        ),
        c(
            "cursor Delete",
            "cursor",
            cursor_tool("Delete", json!({"file_path": abs("roles/executor.md")})),
            Block,
        ),
        c(
            "cursor Delete of a folder holding protected files",
            "cursor",
            cursor_tool("Delete", json!({"file_path": abs("exports")})),
            Block,
        ),
        c(
            "cursor StrReplace elsewhere",
            "cursor",
            cursor_tool("StrReplace", json!({"file_path": abs("src/main.rs")})),
            Allow,
        ),
        c(
            "cursor Read",
            "cursor",
            cursor_tool("Read", json!({"file_path": abs("roles/executor.md")})),
            Allow,
        ),
        c(
            "cursor shell mv into protected",
            "cursor",
            sh("cursor", "mv notes.txt roles/"),
            Block,
        ),
        c(
            "cursor shell ln into protected",
            "cursor",
            sh("cursor", "ln -s /etc/hostname roles/host.md"),
            Block,
        ),
        c(
            "cursor shell with sudo and env",
            "cursor",
            sh(
                "cursor",
                "sudo -u me env A=1 rm -f schemas/spec.schema.json",
            ),
            Block,
        ),
        c(
            "cursor ordinary shell",
            "cursor",
            sh("cursor", "git status && git diff > build/diff.txt"),
            Allow,
        ),
    ]
}

fn project_with_links() -> TestProject {
    let p = TestProject::new();
    let r = &p.root;
    std::os::unix::fs::symlink(r.join("roles"), r.join("src/rolelink")).unwrap();
    std::os::unix::fs::symlink(r.join("roles/executor.md"), r.join("notes.md")).unwrap();
    std::os::unix::fs::symlink(r.join("skills/pending.md"), r.join("src/pending.md")).unwrap();
    std::os::unix::fs::symlink(r, r.join("alias")).unwrap();
    std::os::unix::fs::symlink("/tmp", r.join("outlink")).unwrap();
    p
}

#[test]
fn hostile_paths_have_no_bypass_and_no_false_block() {
    let p = project_with_links();
    let all = cases(&p);
    assert!(all.len() >= 40, "{} cases", all.len());
    let mut bypasses = Vec::new();
    let mut false_blocks = Vec::new();
    for case in &all {
        let out = p.hook(case.host, "protected-path", &case.payload);
        let host_event = case.payload["hook_event_name"].as_str().unwrap();
        check_answer(case.host, host_event, &out);
        let got = if out.blocked() { Block } else { Allow };
        assert!(out.code == 0 || out.code == 2, "{}: {out:?}", case.name);
        match (case.want, got) {
            (Block, Allow) => bypasses.push(format!("{} ({}): {out:?}", case.name, case.host)),
            (Allow, Block) => {
                false_blocks.push(format!("{} ({}): {}", case.name, case.host, out.stderr))
            }
            _ => {}
        }
    }
    let hosts: std::collections::BTreeSet<_> = all.iter().map(|c| c.host).collect();
    assert_eq!(hosts.len(), 4);
    assert!(
        bypasses.is_empty() && false_blocks.is_empty(),
        "{} cases: {} bypasses, {} false blocks\nbypasses:\n{}\nfalse blocks:\n{}",
        all.len(),
        bypasses.len(),
        false_blocks.len(),
        bypasses.join("\n"),
        false_blocks.join("\n")
    );
    // Nothing was written: the guard only reads.
    assert_eq!(
        std::fs::read(p.root.join("roles/executor.md")).unwrap(),
        std::fs::read(kit().join("roles/executor.md")).unwrap()
    );
}
