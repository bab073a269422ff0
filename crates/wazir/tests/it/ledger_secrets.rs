//! The secrets suite: credentials in the common published formats (synthetic, made here from a
//! fixed seed, never real) go through every way the ledger writes (a captured output and its
//! command, event messages, the post-tool hook's command and output, a read of `.env`, the
//! summary and usage files), and then no file under the state root may hold any of them. Text
//! that only looks like a credential must come through unchanged: at most 2 false redactions.

use crate::support::ledger as ledger_support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ledger_support::Proj;
use serde_json::json;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const HEX: &[u8] = b"0123456789abcdef";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URLSAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/// Deterministic characters from an alphabet (xorshift), so the suite is reproducible.
struct Gen(u64);
impl Gen {
    fn s(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                alphabet[(self.0 % alphabet.len() as u64) as usize] as char
            })
            .collect()
    }
}

fn b64url(bytes: &[u8]) -> String {
    // Enough base64url for a JWT's header and payload (no padding).
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..=chunk.len() {
            out.push(URLSAFE[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// (line as it would appear in output or a command, the secret part of it).
fn secrets() -> Vec<(String, String)> {
    let mut g = Gen(0x9e37_79b9_7f4a_7c15);
    let mut v: Vec<(String, String)> = Vec::new();
    let mut add = |line: String, secret: String| v.push((line, secret));
    let s = format!("AKIA{}", g.s(UPPER32, 16));
    add(format!("aws_access_key_id = {s}"), s);
    let s = g.s(B64, 40);
    add(format!("AWS_SECRET_ACCESS_KEY={s}"), s);
    for p in ["ghp_", "gho_", "ghs_", "ghu_"] {
        let s = format!("{p}{}", g.s(ALNUM, 36));
        add(format!("git push https://x@github.com/o/r {s}"), s);
    }
    let s = format!("github_pat_{}_{}", g.s(ALNUM, 22), g.s(ALNUM, 59));
    add(format!("token: {s}"), s);
    let s = format!("glpat-{}", g.s(URLSAFE, 20));
    add(format!("GITLAB {s}"), s);
    let s = format!(
        "xoxb-{}-{}-{}",
        g.s(b"0123456789", 12),
        g.s(b"0123456789", 13),
        g.s(ALNUM, 24)
    );
    add(format!("slack bot {s}"), s);
    let s = format!(
        "xoxp-{}-{}-{}-{}",
        g.s(b"0123456789", 12),
        g.s(b"0123456789", 12),
        g.s(b"0123456789", 13),
        g.s(HEX, 32)
    );
    add(format!("slack user {s}"), s);
    let s = format!(
        "https://hooks.slack.com/services/T{}/B{}/{}",
        g.s(UPPER32, 8),
        g.s(UPPER32, 10),
        g.s(ALNUM, 24)
    );
    add(format!("curl -X POST {s}"), s);
    let s = format!("sk_live_{}", g.s(ALNUM, 24));
    add(format!("Stripe.api_key = '{s}'"), s);
    let s = format!("rk_test_{}", g.s(ALNUM, 24));
    add(format!("restricted {s}"), s);
    let s = format!("sk-proj-{}T3BlbkFJ{}", g.s(URLSAFE, 74), g.s(URLSAFE, 74));
    add(format!("OPENAI {s}"), s);
    let s = format!("sk-{}T3BlbkFJ{}", g.s(ALNUM, 20), g.s(ALNUM, 20));
    add(format!("openai.api_key={s}"), s);
    let s = format!("sk-ant-api03-{}AA", g.s(URLSAFE, 93));
    add(format!("x-api-key: {s}"), s);
    let s = format!("AIza{}", g.s(URLSAFE, 35));
    add(format!("maps?key={s}&q=1"), s);
    let s = format!("GOCSPX-{}", g.s(URLSAFE, 28));
    add(format!("client {s}"), s);
    let s = format!("ya29.{}", g.s(URLSAFE, 80));
    add(format!("gcloud token {s}"), s);
    let s = format!("npm_{}", g.s(ALNUM, 36));
    add(format!("//registry.npmjs.org/:_authToken={s}"), s);
    let s = format!("pypi-AgEIcHlwaS5vcmc{}", g.s(URLSAFE, 70));
    add(format!("password = {s}"), s);
    let s = format!("hf_{}", g.s(ALNUM, 34));
    add(format!("HF {s}"), s);
    let s = format!("SG.{}.{}", g.s(URLSAFE, 22), g.s(URLSAFE, 43));
    add(format!("sendgrid {s}"), s);
    let s = format!("SK{}", g.s(HEX, 32));
    add(format!("twilio {s}"), s);
    let s = format!("dop_v1_{}", g.s(HEX, 64));
    add(format!("doctl {s}"), s);
    let header = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = b64url(br#"{"sub":"1234567890","name":"Test User","iat":1700000000}"#);
    let s = format!("{header}.{payload}.{}", g.s(URLSAFE, 43));
    add(format!("cookie: session={s}"), s);
    let s = g.s(URLSAFE, 40);
    add(
        format!("curl -H 'Authorization: Bearer {s}' https://api.x"),
        s,
    );
    let s = g.s(B64, 28);
    add(format!("Authorization: Basic {s}"), s);
    let body = (0..8).map(|_| g.s(B64, 64)).collect::<Vec<_>>().join("\n");
    let s = body.lines().nth(3).unwrap().to_string();
    add(
        format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"),
        s,
    );
    let body = (0..6).map(|_| g.s(B64, 70)).collect::<Vec<_>>().join("\n");
    let s = body.lines().nth(2).unwrap().to_string();
    add(
        format!("-----BEGIN OPENSSH PRIVATE KEY-----\n{body}\n-----END OPENSSH PRIVATE KEY-----"),
        s,
    );
    let s = format!("hunter{}Xy", g.s(b"0123456789", 3));
    add(format!("DB_PASSWORD={s}"), s);
    let s = g.s(ALNUM, 32);
    add(format!("export API_SECRET=\"{s}\""), s);
    let s = format!("Pw{}", g.s(ALNUM, 10));
    add(format!("DATABASE_URL=postgres://admin:{s}@db:5432/app"), s);
    let s = g.s(ALNUM, 40);
    add(format!("GITHUB_TOKEN={s} gh pr list"), s);
    let s = g.s(ALNUM, 24);
    add(format!("{{\"client_secret\": \"{s}\"}}"), s);
    let s = format!("{}==", g.s(B64, 86));
    add(
        format!("DefaultEndpointsProtocol=https;AccountName=x;AccountKey={s};"),
        s,
    );
    let s = format!("AGE-SECRET-KEY-1{}", g.s(UPPER32, 58));
    add(format!("age {s}"), s);
    let s = format!("S3cret{}", g.s(ALNUM, 6));
    add(format!("mysql -u root -p{s} app"), s);
    let s = format!("Sup3r{}", g.s(ALNUM, 8));
    add(format!("psql --password={s}"), s);
    let s = g.s(HEX, 64);
    add(format!("SECRET_KEY_BASE={s}"), s);
    add(
        "PASSWORD=correcthorsebatterystaple".into(),
        "correcthorsebatterystaple".into(),
    );
    v
}

/// Text that resembles credentials but is not one.
fn look_alikes() -> Vec<String> {
    let mut g = Gen(0x1234_5678_9abc_def1);
    vec![
        format!("commit {}", g.s(HEX, 40)),
        "request id 3f0c2d4e-8b1a-4c5d-9e6f-7a8b9c0d1e2f".into(),
        format!("checksum = \"{}\"", g.s(HEX, 64)),
        "max_tokens: 4096".into(),
        "sort_key: created_at".into(),
        "primary_key = \"id\"".into(),
        "TOKEN_LIMIT=8000".into(),
        "export GITHUB_TOKEN=$GITHUB_TOKEN".into(),
        "api_key: ${API_KEY}".into(),
        "password: <your-password>".into(),
        "Authorization: Bearer $TOKEN".into(),
        "the bearer of bad news arrived".into(),
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE".into(),
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==".into(),
        "pip install scikit-learn sk-learn-utils".into(),
        "GitHub tokens start with ghp_ and gho_".into(),
        "ls /home/user/.ssh/known_hosts".into(),
        "-----BEGIN PUBLIC KEY-----".into(),
        "-----BEGIN CERTIFICATE-----".into(),
        "password_hint: the name of the first pet".into(),
        "token_type: bearer".into(),
        "next_token: null".into(),
        "csrf_token = get_token()".into(),
        "SECRET=changeme".into(),
        "version = \"1.2.3\"".into(),
        "test redact::tests::json_and_bytes ... ok".into(),
        format!("image@sha256:{}", g.s(HEX, 64)),
        "https://github.com/org/repo.git".into(),
        "ssh git@github.com:org/repo.git".into(),
        "KEY_FILE=/etc/ssl/server.crt".into(),
        "hotkey: ctrl+shift+k".into(),
        "monkey: banana".into(),
        "Basic usage: run the binary with --help".into(),
        "tokenization_pipeline_configuration loaded".into(),
        "passwordless login is enabled".into(),
        "the secret sauce is patience".into(),
        "Bearer authentication scheme".into(),
        "header eyJhbGciOiJIUzI1NiJ9 alone".into(),
        "color: #ff00aa".into(),
        "cargo test -p wazir-ledger --lib".into(),
    ]
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path());
            }
        }
    }
    out
}

fn hook(p: &Proj, payload: &serde_json::Value) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wazir"));
    c.args(["hook", "--host", "claude", "capture"])
        .current_dir(p.root())
        .env("WAZIR_STATE_ROOT", p.state())
        .env_remove("CLAUDE_PROJECT_DIR")
        .env_remove("WAZIR_CAPTURE_THRESHOLD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(payload.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn post(
    p: &Proj,
    id: &str,
    tool: &str,
    input: serde_json::Value,
    output: &str,
) -> serde_json::Value {
    json!({
        "session_id": "s1", "transcript_path": "/tmp/t.jsonl", "cwd": p.root().display().to_string(),
        "permission_mode": "default", "hook_event_name": "PostToolUse",
        "tool_name": tool, "tool_input": input, "tool_use_id": id,
        "tool_response": {"stdout": output, "stderr": "", "exit_code": 0}
    })
}

#[test]
fn no_secret_is_kept_and_look_alikes_come_through() {
    let secrets = secrets();
    let looks = look_alikes();
    assert!(
        secrets.len() >= 30 && looks.len() >= 30,
        "{} {}",
        secrets.len(),
        looks.len()
    );
    let p = Proj::new();
    p.ok(&["capture", "init", "--run", "r", "--phase", "execute"]);

    // A captured output holding every secret and every look-alike, its command a secret too.
    let mut body = String::new();
    for (line, _) in &secrets {
        body.push_str(line);
        body.push('\n');
    }
    for l in &looks {
        body.push_str(l);
        body.push('\n');
    }
    p.cmd(&[
        "capture",
        "output",
        "--name",
        "all.txt",
        "--exit-code",
        "1",
        "--command",
        &secrets[30].0,
    ])
    .write_stdin(body.clone())
    .assert()
    .success();
    // Each secret as an event message.
    for (line, _) in &secrets {
        let message = format!("--message={line}");
        p.ok(&[
            "capture", "event", "--event", "note", "--phase", "execute", &message,
        ]);
    }
    // The post-tool hook: a command carrying a token, and a large output.
    let big = body.repeat(4);
    hook(
        &p,
        &post(
            &p,
            "toolu_s1",
            "Bash",
            json!({"command": secrets[0].0}),
            &big,
        ),
    );
    for (i, (line, _)) in secrets.iter().enumerate().take(8) {
        hook(
            &p,
            &post(
                &p,
                &format!("toolu_c{i}"),
                "Bash",
                json!({"command": line}),
                "ok",
            ),
        );
    }
    // A read of .env is not captured, whatever its size.
    let env_text = format!("{}\n{}", secrets[30].0, "PADDING=1\n".repeat(2000));
    hook(
        &p,
        &post(
            &p,
            "toolu_env",
            "Read",
            json!({"file_path": p.root().join(".env")}),
            &env_text,
        ),
    );
    p.ok(&["capture", "summary"]);
    p.ok(&["capture", "usage"]);

    let state = p.state();
    assert!(
        !p.run_dir("r").join("captures/toolu_env.txt").exists(),
        "the .env read was captured"
    );
    assert!(p.run_dir("r").join("captures/toolu_s1.txt").is_file());
    let mut leaks = Vec::new();
    let all: Vec<(PathBuf, String)> = files(&state)
        .into_iter()
        .map(|f| {
            let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
            (f, text)
        })
        .collect();
    for (_, secret) in &secrets {
        let probes: Vec<&str> = if secret.len() >= 24 {
            vec![
                secret.as_str(),
                &secret[secret.len() - 16..],
                &secret[4..20],
            ]
        } else {
            vec![secret.as_str()]
        };
        for (f, text) in &all {
            // JSON files escape `/` as is; newlines in key blocks are escaped in event lines,
            // so a key block's single line is the probe.
            if probes.iter().any(|pr| text.contains(pr)) {
                leaks.push(format!("{} in {}", secret, f.display()));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "{} secrets kept:\n{}",
        leaks.len(),
        leaks.join("\n")
    );

    let captured = std::fs::read_to_string(p.run_dir("r").join("captures/all.txt")).unwrap();
    let changed: Vec<&String> = looks
        .iter()
        .filter(|l| !captured.contains(l.as_str()))
        .collect();
    eprintln!(
        "secrets suite: {} secrets, 0 kept; {} look-alikes, {} redacted by mistake: {changed:?}",
        secrets.len(),
        looks.len(),
        changed.len()
    );
    assert!(changed.len() <= 2, "false redactions: {changed:#?}");
}
