//! Word-level helpers of the shell reader: quoting and escapes (`$'…'`, `"…"`), brace
//! expansion, option values and operands, and the names of programs.

use tree_sitter::Node;

use super::*;

/// `text` with every character outside the Basic Multilingual Plane replaced by U+10000
/// (four UTF-8 bytes each, so byte offsets are kept).
pub(super) fn astral_to_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().all(|c| (c as u32) < 0x10000) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| {
                if (c as u32) >= 0x10000 {
                    '\u{10000}'
                } else {
                    c
                }
            })
            .collect(),
    )
}

/// The operator of a file redirect (`>`, `>>`, `2>` gives `>`, `&>`, `<`, …).
pub(super) fn redirect_op<'s>(src: &'s str, r: Node) -> &'s str {
    let mut c = r.walk();
    for ch in r.children(&mut c) {
        if !ch.is_named() {
            return &src[ch.byte_range()];
        }
    }
    ""
}

/// Whether an argument node is an unquoted expansion (its value is split into words).
pub(super) fn unquoted_expansion(n: Node) -> bool {
    match n.kind() {
        "simple_expansion" | "expansion" | "command_substitution" => true,
        "concatenation" => {
            let mut c = n.walk();
            n.named_children(&mut c)
                .any(|k| matches!(k.kind(), "simple_expansion" | "expansion"))
        }
        _ => false,
    }
}

/// The value of variable `name`: the line's own, then the positional parameters, then the
/// hook's environment; `None` when only known at run time.
pub(super) fn lookup(name: &str, st: &St) -> Option<Vec<String>> {
    if let Some(v) = st.vars.get(name) {
        return v.clone().map(|v| vec![v]);
    }
    if name == "@" || name == "*" {
        return st.pos.as_ref().map(|p| p.iter().skip(1).cloned().collect());
    }
    if let Ok(n) = name.parse::<usize>() {
        return st
            .pos
            .as_ref()
            .map(|p| vec![p.get(n).cloned().unwrap_or_default()]);
    }
    match name {
        "PWD" => return Some(vec![st.dir.clone().unwrap_or_else(|| ".".into())]),
        "IFS" => return Some(vec![std::env::var("IFS").unwrap_or_else(|_| " ".into())]),
        "#" => {
            return st
                .pos
                .as_ref()
                .map(|p| vec![(p.len().saturating_sub(1)).to_string()]);
        }
        _ => {}
    }
    std::env::var(name).ok().map(|v| vec![v])
}

/// The words of `w` that may name a path: the whole value, and the pieces of it between
/// quotes, spaces and punctuation (a path inside a script or an option value).
pub(super) fn tokens(w: &W) -> Vec<String> {
    let text = w.text();
    let mut out = Vec::new();
    if !text.is_empty() && text.len() <= 4096 && !text.contains('\n') {
        out.push(text.to_string());
    }
    for piece in [text, w.raw.as_str()] {
        for t in piece.split(|c: char| c.is_whitespace() || "'\"`(){};|&<>=,:$\\".contains(c)) {
            if t.is_empty()
                || t == "."
                || t == ".."
                || t == "/"
                || t.starts_with('-')
                || t.len() > 4096
            {
                continue;
            }
            if !out.iter().any(|o| o == t) {
                out.push(t.to_string());
            }
        }
    }
    out
}

pub(super) fn base(cmd: &str) -> &str {
    cmd.rsplit('/').next().unwrap_or(cmd)
}

pub(super) fn basename(p: &str) -> &str {
    p.trim_end_matches('/').rsplit('/').next().unwrap_or(p)
}

pub(super) fn perl_in_place(vals: &[&str]) -> bool {
    vals.iter()
        .any(|a| a.starts_with('-') && !a.starts_with("--") && a[1..].contains('i'))
}

/// Whether a sed script writes a file or runs a command (`w FILE`, `W FILE`, `s///w FILE`, `e`).
pub(super) fn sed_script_writes(script: &str) -> bool {
    let b = script.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        matches!(c, b'w' | b'W' | b'e')
            && (i == 0
                || matches!(
                    b[i - 1],
                    b';' | b'}' | b'/' | b'\n' | b' ' | b'0'..=b'9' | b'$'
                ))
            && b.get(i + 1)
                .is_none_or(|n| n.is_ascii_whitespace() || *n == b';')
    })
}

/// The value of the first of `keys` in `args` (`-k V`, `-kV`, `--key=V`).
pub(super) fn arg_value(args: &[W], keys: &[&str]) -> Option<W> {
    for (i, a) in args.iter().enumerate() {
        let t = a.text();
        for k in keys {
            if t == *k {
                return args.get(i + 1).cloned();
            }
            if k.starts_with("--") {
                if let Some(v) = t.strip_prefix(&format!("{k}=")) {
                    return Some(W::known(v));
                }
            } else if let Some(v) = t.strip_prefix(k).filter(|v| !v.is_empty()) {
                return Some(W::known(v));
            }
        }
    }
    None
}

/// The operands of a command: its words that are not options (everything after `--`), with
/// the values of `valued` options taken out and returned separately.
pub(super) fn operands(args: &[W], valued: &[&str]) -> (Vec<W>, Vec<(String, W)>) {
    let mut ops = Vec::new();
    let mut opts = Vec::new();
    let mut i = 0;
    let mut only = false;
    while i < args.len() {
        let a = args[i].text();
        if only || a == "-" || !a.starts_with('-') {
            ops.push(args[i].clone());
        } else if a == "--" {
            only = true;
        } else if let Some((k, v)) = a.split_once('=').filter(|_| a.starts_with("--")) {
            opts.push((k.to_string(), W::known(v)));
        } else if valued.contains(&a) {
            if let Some(v) = args.get(i + 1) {
                opts.push((a.to_string(), v.clone()));
                i += 1;
            }
        } else if let Some(v) = valued
            .iter()
            .filter(|v| v.len() == 2)
            .find_map(|v| a.strip_prefix(*v).filter(|r| !r.is_empty()))
        {
            opts.push((a[..2].to_string(), W::known(v)));
        }
        i += 1;
    }
    (ops, opts)
}

/// An unquoted word with its backslash escapes applied.
pub(super) fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('\n') | None => {}
                Some(n) => out.push(n),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Text inside double quotes: only `\$`, `` \` ``, `\"`, `\\` and a newline are escapes.
pub(super) fn unescape_dq(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && matches!(chars.peek(), Some('$' | '`' | '"' | '\\' | '\n')) {
            let n = chars.next().unwrap_or_default();
            if n != '\n' {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Decodes ANSI-C quoting `$'…'` as bash does.
pub(super) fn ansi_c(text: &str) -> String {
    let inner = text
        .strip_prefix("$'")
        .and_then(|t| t.strip_suffix('\''))
        .unwrap_or(text);
    let mut out = String::new();
    let chars: Vec<char> = inner.chars().collect();
    let mut i = 0;
    let hex = |s: &[char]| u32::from_str_radix(&s.iter().collect::<String>(), 16).ok();
    while i < chars.len() {
        let c = chars[i];
        if c != '\\' || i + 1 >= chars.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let n = chars[i + 1];
        i += 2;
        match n {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'e' | 'E' => out.push('\x1b'),
            'f' => out.push('\x0c'),
            'v' => out.push('\x0b'),
            'x' | 'u' | 'U' => {
                let max = match n {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let len = chars[i..]
                    .iter()
                    .take(max)
                    .take_while(|c| c.is_ascii_hexdigit())
                    .count();
                match hex(&chars[i..i + len]).and_then(char::from_u32) {
                    Some(ch) if len > 0 => out.push(ch),
                    _ => {
                        out.push('\\');
                        out.push(n);
                    }
                }
                i += len;
            }
            '0'..='7' => {
                let len = chars[i - 1..]
                    .iter()
                    .take(3)
                    .take_while(|c| ('0'..='7').contains(c))
                    .count();
                let s: String = chars[i - 1..i - 1 + len].iter().collect();
                if let Some(ch) = u32::from_str_radix(&s, 8).ok().and_then(char::from_u32) {
                    out.push(ch);
                }
                i += len - 1;
            }
            'c' => {
                if i < chars.len() {
                    out.push(char::from((chars[i] as u8) & 0x1f));
                    i += 1;
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Bash brace expansion of one word: `a{b,c}d`, `{1..3}`, `{a..c}`, nested; capped at
/// [`MAX_EXPANSION`] results. Text without a valid brace group comes back unchanged.
pub fn brace_expand(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    expand_into(s, &mut out);
    if out.is_empty() {
        out.push(s.to_string());
    }
    out
}

pub(super) fn expand_into(s: &str, out: &mut Vec<String>) {
    if out.len() >= MAX_EXPANSION {
        return;
    }
    let b = s.as_bytes();
    // Find the first `{` with a matching `}` that holds a top-level `,` or `..`.
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == b'{' {
            let mut d = 0;
            let mut commas = Vec::new();
            let mut j = i;
            let mut close = None;
            while j < b.len() {
                match b[j] {
                    b'\\' => j += 1,
                    b'{' => d += 1,
                    b'}' => {
                        d -= 1;
                        if d == 0 {
                            close = Some(j);
                            break;
                        }
                    }
                    b',' if d == 1 => commas.push(j),
                    _ => {}
                }
                j += 1;
            }
            if let Some(close) = close {
                let pre = &s[..i];
                let post = &s[close + 1..];
                let body = &s[i + 1..close];
                let alts: Vec<String> = if !commas.is_empty() {
                    let mut v = Vec::new();
                    let mut start = i + 1;
                    for c in commas.iter().copied().chain(std::iter::once(close)) {
                        v.push(s[start..c].to_string());
                        start = c + 1;
                    }
                    v
                } else if let Some(r) = range(body) {
                    r
                } else {
                    i = close + 1;
                    continue;
                };
                for a in alts {
                    if out.len() >= MAX_EXPANSION {
                        return;
                    }
                    expand_into(&format!("{pre}{a}{post}"), out);
                }
                return;
            }
        }
        i += 1;
    }
    out.push(s.to_string());
}

/// `1..3`, `a..c`, `1..10..2` inside braces.
pub(super) fn range(body: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = body.split("..").collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let step: i64 = parts
        .get(2)
        .map_or(Some(1i64), |s| s.parse::<i64>().ok())?
        .abs()
        .max(1);
    if let (Ok(a), Ok(b)) = (parts[0].parse::<i64>(), parts[1].parse::<i64>()) {
        let mut v = Vec::new();
        let mut x = a;
        while v.len() < MAX_EXPANSION {
            v.push(x.to_string());
            if x == b {
                break;
            }
            x += if a < b { step } else { -step };
            if (a < b && x > b) || (a > b && x < b) {
                break;
            }
        }
        return Some(v);
    }
    let (a, b) = (
        parts[0].chars().collect::<Vec<_>>(),
        parts[1].chars().collect::<Vec<_>>(),
    );
    if a.len() == 1 && b.len() == 1 && a[0].is_ascii_alphabetic() && b[0].is_ascii_alphabetic() {
        let (x, y) = (a[0] as u8, b[0] as u8);
        let v: Vec<String> = if x <= y {
            (x..=y).map(|c| (c as char).to_string()).collect()
        } else {
            (y..=x).rev().map(|c| (c as char).to_string()).collect()
        };
        return Some(v);
    }
    None
}
