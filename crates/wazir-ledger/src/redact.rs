//! Credential redaction: every text the ledger writes under the state root (event lines,
//! captures, `status.json`, summaries, the hook-error log) passes through [`redact`] first, so a
//! token an agent printed, typed into a command or read from a file is never kept.
//!
//! The rules describe the published shapes of common credentials: the provider prefixes and
//! lengths follow the rule set of gitleaks (MIT licence, <https://github.com/gitleaks/gitleaks>,
//! `config/gitleaks.toml`), rewritten here as a short list of Rust regular expressions; the
//! generic rules (authorization headers, credentials in URLs, `NAME=value` assignments of
//! secret-looking names) are checked by [`looks_secret`] so placeholders such as `$TOKEN`,
//! `${API_KEY}`, `<your-key>`, `changeme` or `xxxx` stay as written. A match is replaced by
//! `[REDACTED:<rule>]`; nothing of the secret is kept.
//!
//! Reads of secret files (`.env*`, `*.pem`, `*.key`, `id_rsa`-style keys; see
//! [`is_secret_file`]) are not captured at all.

use std::borrow::Cow;
use std::sync::{LazyLock, OnceLock};

use regex::{Captures, Regex};
use serde_json::Value;

/// What a redacted secret is replaced with: `[REDACTED:<rule>]`.
pub const MASK_PREFIX: &str = "[REDACTED:";

/// How a rule's match is judged and masked.
#[derive(Clone, Copy)]
enum Check {
    /// The shape alone is enough: mask the named group `s` (or the whole match).
    Shape,
    /// Mask group `s` only when [`looks_secret`] says it is a value, not a placeholder, and
    /// (`strict`) looks random rather than like a word.
    Value { strict: bool },
    /// `NAME=value`: a value of a password, secret, token or credential name is masked unless
    /// it is a placeholder; a value of a `*key` name must also look random (`sort_key: name`).
    Assignment,
}

struct Rule {
    id: &'static str,
    pattern: &'static str,
    /// Compiled on the first text that holds one of the rule's [`hints`]: most texts a hook
    /// writes hold none, and compiling every rule costs more than the rest of a hook call.
    re: OnceLock<Regex>,
    check: Check,
}

impl Rule {
    fn re(&self) -> &Regex {
        self.re
            .get_or_init(|| Regex::new(self.pattern).expect("the redaction rules compile"))
    }
}

/// Lower-case literals of which every match of the rule holds at least one: a text (lowered)
/// holding none of them cannot match, so the rule is neither compiled nor run on it.
fn hints(id: &str) -> &'static [&'static str] {
    match id {
        "private-key" => &["-----begin"],
        "aws-access-key-id" => &["a3t", "akia", "asia", "abia", "acca"],
        "github-token" => &["gh", "github_pat_"],
        "gitlab-token" => &["glpat-", "gldt-", "glptt-", "glrt-"],
        "anthropic-key" => &["sk-ant-"],
        "openai-key" => &["sk-"],
        "stripe-key" => &["sk_", "rk_", "whsec_"],
        "slack-token" => &["xox"],
        "slack-webhook" => &["hooks.slack.com"],
        "google-api-key" => &["aiza", "gocspx-", "ya29."],
        "npm-token" => &["npm_"],
        "pypi-token" => &["pypi-"],
        "huggingface-token" => &["hf_"],
        "sendgrid-key" => &["sg."],
        "twilio-key" => &["sk"],
        "digitalocean-token" => &["_v1_"],
        "age-secret-key" => &["age-secret-key-1"],
        "azure-storage-key" => &["accountkey="],
        "jwt" => &["eyj"],
        "bearer" => &["bearer", "token"],
        "basic-auth" => &["basic"],
        "url-credentials" => &["://"],
        "secret-assignment" => &[
            "token",
            "secret",
            "passw",
            "pwd",
            "passphrase",
            "credential",
            "key",
        ],
        "password-flag" => &["--password", "-p"],
        _ => &[""],
    }
}

/// `(id, pattern, check)`. A pattern with a named group `s` masks only that group.
const RULES: &[(&str, &str, Check)] = &[
    (
        "private-key",
        r"-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----(?s:.*?)(?:-----END[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----|\z)",
        Check::Shape,
    ),
    (
        "aws-access-key-id",
        r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b",
        Check::Shape,
    ),
    (
        "github-token",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{50,255})\b",
        Check::Shape,
    ),
    (
        "gitlab-token",
        r"\bgl(?:pat|dt|ptt|rt)-[A-Za-z0-9_-]{20,}",
        Check::Shape,
    ),
    (
        "anthropic-key",
        r"\bsk-ant-(?:api|admin|sid)\d\d-[A-Za-z0-9_-]{32,}",
        Check::Shape,
    ),
    (
        "openai-key",
        r"\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}|\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|\bsk-[A-Za-z0-9]{48}\b",
        Check::Shape,
    ),
    (
        "stripe-key",
        r"\b(?:sk|rk|whsec)_(?:live|test)_[A-Za-z0-9]{16,}|\bwhsec_[A-Za-z0-9]{24,}",
        Check::Shape,
    ),
    (
        "slack-token",
        r"\bxox[abposre]-[A-Za-z0-9-]{10,}",
        Check::Shape,
    ),
    (
        "slack-webhook",
        r"https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9+/_-]{20,}",
        Check::Shape,
    ),
    (
        "google-api-key",
        r"\bAIza[0-9A-Za-z_-]{35}|\bGOCSPX-[A-Za-z0-9_-]{28}|\bya29\.[0-9A-Za-z_-]{30,}",
        Check::Shape,
    ),
    ("npm-token", r"\bnpm_[A-Za-z0-9]{36}\b", Check::Shape),
    (
        "pypi-token",
        r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}",
        Check::Shape,
    ),
    (
        "huggingface-token",
        r"\bhf_[A-Za-z0-9]{34,}\b",
        Check::Shape,
    ),
    (
        "sendgrid-key",
        r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}",
        Check::Shape,
    ),
    ("twilio-key", r"\bSK[0-9a-f]{32}\b", Check::Shape),
    (
        "digitalocean-token",
        r"\bdo[opr]_v1_[a-f0-9]{64}\b",
        Check::Shape,
    ),
    (
        "age-secret-key",
        r"AGE-SECRET-KEY-1[0-9A-Z]{58}",
        Check::Shape,
    ),
    (
        "azure-storage-key",
        r"(?i)\bAccountKey=(?P<s>[A-Za-z0-9+/]{40,}={0,2})",
        Check::Shape,
    ),
    (
        "jwt",
        r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*",
        Check::Shape,
    ),
    (
        "bearer",
        r"(?i)\b(?:bearer|token)\s+(?P<s>[A-Za-z0-9._~+/=_-]{16,})",
        Check::Value { strict: true },
    ),
    (
        "basic-auth",
        r"(?i)\bbasic\s+(?P<s>[A-Za-z0-9+/]{12,}={0,2})",
        Check::Value { strict: true },
    ),
    (
        "url-credentials",
        r"\b[A-Za-z][A-Za-z0-9+.-]{1,20}://[^/\s:@]{1,100}:(?P<s>[^/\s@]{3,200})@",
        Check::Value { strict: false },
    ),
    (
        "secret-assignment",
        r#"(?i)(?P<n>\b[A-Za-z0-9_.-]{0,60}?(?:token|secret|passw(?:or)?d|pwd|passphrase|credentials?|api[_-]?key|access[_-]?key|private[_-]?key|signing[_-]?key|auth[_-]?key|secret[_-]?key|_key|key)(?:_base|_value)?)["']?\s{0,3}(?:=|:=|=>|:)[ \t]{0,3}["']?(?P<s>[^\s"',;`]{3,})"#,
        Check::Assignment,
    ),
    (
        "password-flag",
        r"(?i)(?:--password[= ]|\s-p)(?P<s>[^\s\x22'-][^\s\x22']{5,})",
        Check::Value { strict: true },
    ),
];

static COMPILED: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    RULES
        .iter()
        .map(|(id, pattern, check)| Rule {
            id,
            pattern,
            re: OnceLock::new(),
            check: *check,
        })
        .collect()
});

/// `text` with every credential replaced by `[REDACTED:<rule>]`; borrowed when nothing matched.
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    let lower = text.to_ascii_lowercase();
    for rule in COMPILED.iter() {
        if !hints(rule.id).iter().any(|h| lower.contains(h)) || !rule.re().is_match(&out) {
            continue;
        }
        let replaced = rule
            .re()
            .replace_all(&out, |c: &Captures<'_>| mask(rule, c));
        if let Cow::Owned(s) = replaced {
            out = Cow::Owned(s);
        }
    }
    out
}

/// [`redact`] for bytes: text is redacted (invalid UTF-8 sequences are kept as they were,
/// since each valid run is redacted on its own).
pub fn redact_bytes(bytes: &[u8]) -> Cow<'_, [u8]> {
    match std::str::from_utf8(bytes) {
        Ok(s) => match redact(s) {
            Cow::Borrowed(_) => Cow::Borrowed(bytes),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        },
        Err(_) => {
            let mut out = Vec::with_capacity(bytes.len());
            let mut changed = false;
            for chunk in bytes.utf8_chunks() {
                let r = redact(chunk.valid());
                changed |= matches!(r, Cow::Owned(_));
                out.extend_from_slice(r.as_bytes());
                out.extend_from_slice(chunk.invalid());
            }
            if changed {
                Cow::Owned(out)
            } else {
                Cow::Borrowed(bytes)
            }
        }
    }
}

/// Redacts every string (and object key's value) inside a JSON value, in place.
pub fn redact_json(v: &mut Value) {
    match v {
        Value::String(s) => {
            if let Cow::Owned(r) = redact(s) {
                *s = r;
            }
        }
        Value::Array(a) => a.iter_mut().for_each(redact_json),
        Value::Object(o) => o.values_mut().for_each(redact_json),
        _ => {}
    }
}

/// `Some(&str)` redacted, as an owned string.
pub fn redact_opt(s: Option<&str>) -> Option<String> {
    s.map(|s| redact(s).into_owned())
}

fn mask(rule: &Rule, c: &Captures<'_>) -> String {
    let whole = c.get(0).expect("a match");
    // Documentation examples (`AKIAIOSFODNN7EXAMPLE`) are published, not secret.
    if whole.as_str().ends_with("EXAMPLE") {
        return whole.as_str().to_string();
    }
    let Some(secret) = c.name("s") else {
        return format!("{MASK_PREFIX}{}]", rule.id);
    };
    let ok = match rule.check {
        Check::Shape => true,
        Check::Value { strict } => looks_secret(secret.as_str(), strict),
        Check::Assignment => {
            let name = c.name("n").map_or("", |n| n.as_str()).to_ascii_lowercase();
            let strong = [
                "token",
                "secret",
                "passw",
                "pwd",
                "passphrase",
                "credential",
            ]
            .iter()
            .any(|w| name.contains(w));
            looks_secret(secret.as_str(), !strong)
        }
    };
    if !ok || already_masked(secret.as_str()) {
        return whole.as_str().to_string();
    }
    let start = secret.start() - whole.start();
    let end = secret.end() - whole.start();
    let w = whole.as_str();
    format!("{}{MASK_PREFIX}{}]{}", &w[..start], rule.id, &w[end..])
}

fn already_masked(s: &str) -> bool {
    s.starts_with(MASK_PREFIX) || s.starts_with("[REDACTED")
}

/// Whether `value` (the right side of `NAME=value`, a bearer token, a URL password) is a
/// credential rather than a placeholder, a variable reference, a call or a plain word.
/// `strict`: it must also look random (a digit, or mixed case, or 24+ characters).
pub fn looks_secret(value: &str, strict: bool) -> bool {
    let v = value.trim_matches(|c| matches!(c, '"' | '\'' | '`'));
    if v.len() < 3 || v.starts_with('$') || v.starts_with('%') || v.starts_with('<') {
        return false;
    }
    if v.starts_with("{{") || v.contains('(') || v.starts_with(MASK_PREFIX) {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    const PLACEHOLDERS: [&str; 24] = [
        "true",
        "false",
        "null",
        "none",
        "nil",
        "yes",
        "no",
        "undefined",
        "changeme",
        "change_me",
        "redacted",
        "example",
        "placeholder",
        "secret",
        "password",
        "token",
        "required",
        "optional",
        "string",
        "str",
        "env",
        "hidden",
        "masked",
        "dummy",
    ];
    if PLACEHOLDERS.contains(&lower.as_str())
        || lower.starts_with("your")
        || lower.contains("example")
        || lower.contains("xxxx")
        || lower.contains("****")
        || lower
            .chars()
            .all(|c| c == lower.chars().next().unwrap_or('x'))
    {
        return false;
    }
    if !strict {
        return true;
    }
    let digits = v.chars().any(|c| c.is_ascii_digit());
    let upper = v.chars().any(|c| c.is_ascii_uppercase());
    let lowers = v.chars().any(|c| c.is_ascii_lowercase());
    digits || (upper && lowers) || v.len() >= 24
}

/// Whether reading `path` would read a credential file: `.env` and `.env.*` (but not the
/// `.env.example`/`.sample`/`.template` files meant to be shared), `*.pem`, `*.key`, `*.p12`,
/// `*.pfx`, SSH keys (`id_rsa`, `id_ed25519`… without `.pub`), `.netrc`, `.pgpass`,
/// `credentials` files.
pub fn is_secret_file(path: &str) -> bool {
    let name = path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase();
    if name == ".env" || name.starts_with(".env.") {
        return ![".example", ".sample", ".template", ".dist"]
            .iter()
            .any(|s| name.ends_with(s));
    }
    if name.starts_with("id_") && !name.ends_with(".pub") && !name.contains('.') {
        return true;
    }
    [".pem", ".key", ".p12", ".pfx", ".keystore", ".jks"]
        .iter()
        .any(|e| name.ends_with(e))
        || matches!(
            name.as_str(),
            ".netrc" | ".pgpass" | "credentials" | ".git-credentials" | ".npmrc" | ".pypirc"
        )
}

/// Whether a shell command line reads a credential file (`cat .env`, `less ~/.ssh/id_rsa`,
/// `source .env.local`): any of its words (split as the shell would, roughly) names one.
pub fn command_reads_secret_file(command: &str) -> bool {
    command
        .split(|c: char| c.is_whitespace() || matches!(c, ';' | '|' | '&' | '<' | '>' | '(' | ')'))
        .map(|w| w.trim_matches(|c| matches!(c, '"' | '\'')))
        .filter(|w| !w.is_empty() && !w.starts_with('-'))
        .any(is_secret_file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_its_own_hints_and_a_match_holds_one() {
        for (id, pattern, _) in RULES {
            let h = hints(id);
            assert!(
                !h.is_empty() && h.iter().all(|x| !x.is_empty()),
                "{id} has no hints"
            );
            assert!(Regex::new(pattern).is_ok(), "{id} does not compile");
        }
    }

    #[test]
    fn masks_shapes_and_keeps_the_rest() {
        let t = "push with ghp_0123456789abcdefABCDEF0123456789abcd ok";
        assert_eq!(redact(t), "push with [REDACTED:github-token] ok");
        let t = "export GITHUB_TOKEN=s3cr3tvalue99 && make";
        assert_eq!(
            redact(t),
            "export GITHUB_TOKEN=[REDACTED:secret-assignment] && make"
        );
        let t = "curl -H 'Authorization: Bearer abcDEF0123456789xyz' x";
        assert_eq!(
            redact(t),
            "curl -H 'Authorization: Bearer [REDACTED:bearer]' x"
        );
    }

    #[test]
    fn placeholders_and_words_are_kept() {
        for t in [
            "export GITHUB_TOKEN=$GITHUB_TOKEN",
            "api_key: ${API_KEY}",
            "password: <your-password>",
            "max_tokens: 1000",
            "sort_key: created_at",
            "the bearer of bad news",
            "Authorization: Bearer $TOKEN",
            "token = get_token()",
            "SECRET=changeme",
        ] {
            let r = redact(t);
            // `max_tokens` and friends are not secret names; values of secret names that are
            // placeholders stay.
            assert_eq!(r, t, "{t}");
        }
    }

    #[test]
    fn secret_files() {
        for p in [
            ".env",
            "app/.env.local",
            "certs/server.pem",
            "/home/u/.ssh/id_ed25519",
        ] {
            assert!(is_secret_file(p), "{p}");
        }
        for p in [
            ".env.example",
            "id_rsa.pub",
            "src/env.rs",
            "keys.rs",
            "README.md",
        ] {
            assert!(!is_secret_file(p), "{p}");
        }
        assert!(command_reads_secret_file("cat .env | grep DB"));
        assert!(command_reads_secret_file("less ~/.ssh/id_rsa"));
        assert!(!command_reads_secret_file("cargo test -p x"));
    }

    #[test]
    fn json_and_bytes() {
        let mut v = serde_json::json!({"cmd": "echo sk_live_0123456789abcdefABCD", "n": 3});
        redact_json(&mut v);
        assert_eq!(v["cmd"], "echo [REDACTED:stripe-key]");
        let mut b = b"AKIAIOSFODNN7Q2ABCDE\xff tail".to_vec();
        b = redact_bytes(&b).into_owned();
        assert_eq!(b, b"[REDACTED:aws-access-key-id]\xff tail");
    }
}
