//! Skimming Rust before it is parsed: the body of a function that cannot hold a definition is
//! blanked (every byte but newlines becomes a space), so tree-sitter does not build the trees
//! of statements and expressions that the definition walk never enters. Offsets and line
//! numbers are unchanged, so names, signatures and doc comments are still read from the
//! original text. A body is kept when any item keyword stands in it (`fn`, `struct`, `impl`,
//! `mod`, `const`, `static`, `macro_rules`, ...): the test is on words, so a keyword in a string
//! or comment only keeps a body that could have been blanked.
//!
//! Most of the parsing time of a Rust tree is spent in function bodies; ctags skips them too.

/// Words that can open a definition the Rust query captures.
const ITEM_WORDS: [&[u8]; 11] = [
    b"fn",
    b"struct",
    b"union",
    b"enum",
    b"trait",
    b"impl",
    b"mod",
    b"type",
    b"const",
    b"static",
    b"macro_rules",
];

/// `src` with the bodies of functions that hold no item keyword blanked, or `None` when there
/// is nothing to blank.
pub fn rust(src: &str) -> Option<String> {
    let b = src.as_bytes();
    let mut blank: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match lexeme(b, i) {
            Lexeme::Skip(next) => i = next,
            Lexeme::Word(end) => {
                if &b[i..end] == b"fn"
                    && let Some((open, close)) = body(b, end)
                {
                    if !has_item_word(b, open + 1, close) {
                        blank.push((open + 1, close));
                        i = close;
                        continue;
                    }
                    // A body with nested items: look at its inner functions one by one.
                    i = open + 1;
                    continue;
                }
                i = end;
            }
            Lexeme::Byte => i += 1,
        }
    }
    if blank.is_empty() {
        return None;
    }
    let mut out = b.to_vec();
    for (from, to) in blank {
        for c in &mut out[from..to] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    }
    // Only whole UTF-8 sequences were replaced, byte for byte, by ASCII spaces.
    Some(String::from_utf8(out).expect("blanking keeps the text UTF-8"))
}

enum Lexeme {
    /// A comment, string or character literal: continue at the offset given.
    Skip(usize),
    /// A word (identifier or keyword) ending at the offset given.
    Word(usize),
    /// Any other byte.
    Byte,
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// What starts at `i`: comments, strings (raw and byte strings included), character literals
/// and words are recognised so that braces and keywords inside them are not taken for code.
fn lexeme(b: &[u8], i: usize) -> Lexeme {
    let c = b[i];
    let next = b.get(i + 1).copied();
    match c {
        b'/' if next == Some(b'/') => Lexeme::Skip(memchr(b, i, b'\n').map_or(b.len(), |n| n + 1)),
        b'/' if next == Some(b'*') => Lexeme::Skip(block_comment_end(b, i)),
        b'"' => Lexeme::Skip(string_end(b, i + 1)),
        b'\'' => Lexeme::Skip(char_end(b, i)),
        _ if is_word_byte(c) => {
            if (c == b'r' || c == b'b')
                && (i == 0 || !is_word_byte(b[i - 1]))
                && let Some(end) = raw_or_byte_string_end(b, i)
            {
                return Lexeme::Skip(end);
            }
            let mut end = i;
            while end < b.len() && is_word_byte(b[end]) {
                end += 1;
            }
            if i > 0 && is_word_byte(b[i - 1]) {
                // The tail of a word that started inside a skipped literal: not a keyword.
                return Lexeme::Skip(end);
            }
            Lexeme::Word(end)
        }
        _ => Lexeme::Byte,
    }
}

fn memchr(b: &[u8], from: usize, c: u8) -> Option<usize> {
    b[from..].iter().position(|x| *x == c).map(|p| from + p)
}

fn block_comment_end(b: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i + 1 < b.len() {
        match (b[i], b[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    b.len()
}

/// The offset after the closing quote of a string whose content starts at `i`.
fn string_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// `r"…"`, `r#"…"#`, `b"…"`, `br#"…"#`, `c"…"` starting at `i`: the offset after it.
fn raw_or_byte_string_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    if b[j] == b'b' {
        j += 1;
        if b.get(j) == Some(&b'"') {
            return Some(string_end(b, j + 1));
        }
        if b.get(j) == Some(&b'\'') {
            return Some(char_end(b, j));
        }
    }
    if b.get(j) != Some(&b'r') {
        return None;
    }
    j += 1;
    let hashes = b[j..].iter().take_while(|c| **c == b'#').count();
    j += hashes;
    if b.get(j) != Some(&b'"') {
        return None;
    }
    j += 1;
    while j < b.len() {
        if b[j] == b'"'
            && b[j + 1..]
                .iter()
                .take(hashes)
                .filter(|c| **c == b'#')
                .count()
                == hashes
        {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(b.len())
}

/// A character literal (`'a'`, `'\n'`, `'\u{1F600}'`, `'é'`) starting at `i`, or a lifetime
/// (`'a`), which is skipped as the quote alone.
fn char_end(b: &[u8], i: usize) -> usize {
    match b.get(i + 1) {
        // The escaped character is at i + 2; the closing quote comes after it.
        Some(b'\\') => memchr(b, i + 3, b'\'').map_or(b.len(), |e| e + 1),
        Some(&c) => {
            let len = match c {
                0xf0.. => 4,
                0xe0.. => 3,
                0xc0.. => 2,
                _ => 1,
            };
            if b.get(i + 1 + len) == Some(&b'\'') {
                i + 2 + len
            } else {
                i + 1
            }
        }
        None => b.len(),
    }
}

/// The braces of the body of the function whose `fn` keyword ends at `from`: the first `{`
/// outside parentheses and brackets, and its matching `}`. `None` for a declaration without
/// a body (`;` first) or unbalanced text.
fn body(b: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut nest = 0usize;
    let mut i = from;
    let open = loop {
        if i >= b.len() {
            return None;
        }
        match lexeme(b, i) {
            Lexeme::Skip(n) | Lexeme::Word(n) => {
                i = n;
                continue;
            }
            Lexeme::Byte => {}
        }
        match b[i] {
            b'(' | b'[' => nest += 1,
            b')' | b']' => nest = nest.checked_sub(1)?,
            b';' if nest == 0 => return None,
            b'{' if nest == 0 => break i,
            b'}' if nest == 0 => return None,
            _ => {}
        }
        i += 1;
    };
    let mut depth = 0usize;
    let mut i = open;
    while i < b.len() {
        match lexeme(b, i) {
            Lexeme::Skip(n) | Lexeme::Word(n) => {
                i = n;
                continue;
            }
            Lexeme::Byte => {}
        }
        match b[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((open, i));
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// True when a word of `ITEM_WORDS` stands in `b[from..to]` (a lifetime such as `'static` does
/// not count).
fn has_item_word(b: &[u8], from: usize, to: usize) -> bool {
    let mut i = from;
    while i < to {
        if is_word_byte(b[i]) {
            let s = i;
            while i < to && is_word_byte(b[i]) {
                i += 1;
            }
            let lifetime = s > 0 && b[s - 1] == b'\'';
            if !lifetime && ITEM_WORDS.contains(&&b[s..i]) {
                return true;
            }
        } else {
            i += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::rust;

    /// `text` blanked as a body is: one space per byte.
    fn blank(text: &str) -> String {
        " ".repeat(text.len())
    }

    #[test]
    fn plain_bodies_are_blanked_and_bodies_with_items_kept() {
        let src = "/// Doc.\nfn a(x: [u8; 2]) -> u8 {\n    let s = \"}{\"; x[0] + b'}' as u8\n}\nfn b() { fn c() { 1 } }\nfn d() -> &'static str { r#\"}\"# }\nstruct S { f: u8 }\n";
        let out = rust(src).unwrap();
        let want = format!(
            "/// Doc.\nfn a(x: [u8; 2]) -> u8 {{\n{}\n}}\nfn b() {{ fn c() {{{}}} }}\nfn d() -> &'static str {{{}}}\nstruct S {{ f: u8 }}\n",
            blank("    let s = \"}{\"; x[0] + b'}' as u8"),
            blank(" 1 "),
            blank(" r#\"}\"# "),
        );
        assert_eq!(out, want);
    }

    #[test]
    fn declarations_and_odd_text_are_left_alone() {
        assert_eq!(rust("trait T { fn f(&self); }"), None);
        assert_eq!(rust("fn f() { let c = '{'; "), None);
        assert_eq!(rust("struct S { f: fn(u8) }"), None);
        assert_eq!(
            rust("fn é() { /* } */ 'é' '\\'' }"),
            Some(format!("fn é() {{{}}}", blank(" /* } */ 'é' '\\'' ")))
        );
        assert_eq!(
            rust("fn f() { let x: &'static u8 = &1; }").map(|s| s.len()),
            Some(35)
        );
        assert_eq!(rust("fn f() { static X: u8 = 1; }"), None);
    }
}
