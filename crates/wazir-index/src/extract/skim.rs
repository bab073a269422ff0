//! Skimming Rust before it is parsed: the parts of a file that can never hold a definition the
//! Rust query captures are left out of the parse, so tree-sitter does not build trees the
//! definition walk never enters. Left out (the delimiters themselves stay):
//!
//! - the body of a function in which no item keyword stands (`fn`, `struct`, `impl`, `mod`,
//!   `const`, `static`, `macro_rules`, ...), and its parameters;
//! - the fields of a struct or union and the variants of an enum;
//! - the arguments of a macro invocation and the rules of a `macro_rules!` definition (tree-sitter
//!   reads both as token trees, never as items);
//! - the arguments of an attribute after its path (`#[cfg(…)]` is parsed as `#[cfg]`);
//! - the initializer of a `const` or `static` item (`= …` up to the `;`).
//!
//! A part where an item can stand (an item keyword before a name, `impl`, `macro_rules`) is
//! kept and skimmed inside. Offsets, lines and columns are unchanged: a short gap is blanked
//! (each byte but a newline becomes a space), a long one is left out of the parse ranges, so
//! names, signatures and doc comments are still read from the original text.
//!
//! The tokens come from rustc's own lexer (`ra-ap-rustc_lexer`, published from the Rust
//! repository for rust-analyzer): comments, strings, raw strings, characters and lifetimes are
//! told apart by the compiler's rules, and a keyword in a string or comment is not taken for
//! code. Measured on the 139 MB of Rust in the crate sources of `bench/index.sh`, one thread:
//! tree-sitter parses them in 17.2 s whole, 13.7 s with the function bodies of the earlier
//! hand-written skim blanked, 6.0 s with this skim, which costs 0.8 s itself. proc-macro2's
//! `TokenStream::from_str` (with `span-locations`, for byte offsets) took 4.4 s to tokenize
//! and walk the same files, as it allocates every token; this lexer allocates nothing.

use ra_ap_rustc_lexer::{FrontmatterAllowed, TokenKind, strip_shebang, tokenize};
use tree_sitter::{Point, Range};

/// Words that can open a definition the Rust query captures.
const ITEM_WORDS: [&str; 11] = [
    "fn",
    "struct",
    "union",
    "enum",
    "trait",
    "impl",
    "mod",
    "type",
    "const",
    "static",
    "macro_rules",
];

/// Rust's keywords: a word among them before `!` is not a macro's name (`if !(a && b)`), nor
/// the path of an attribute whose arguments may be left out.
const KEYWORDS: [&str; 40] = [
    "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
    "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true",
    "type", "unsafe", "use", "where", "while", "yield",
];

/// A token that is neither whitespace nor a comment, with its byte range.
#[derive(Clone, Copy)]
struct Tok {
    kind: TokenKind,
    start: usize,
    end: usize,
}

/// The byte ranges of a Rust file left out of its parse, in order and disjoint.
pub struct Skim {
    gaps: Vec<(usize, usize)>,
}

impl Skim {
    /// `src` with every gap blanked: each byte but newlines becomes a space, so offsets, lines
    /// and columns are those of the original.
    pub fn blanked(&self, src: &str) -> String {
        let mut out = src.as_bytes().to_vec();
        for &(from, to) in &self.gaps {
            for c in &mut out[from..to] {
                if *c != b'\n' {
                    *c = b' ';
                }
            }
        }
        // Only whole UTF-8 sequences (between tokens) were replaced, byte for byte, by spaces.
        String::from_utf8(out).expect("blanking keeps the text UTF-8")
    }

    /// The byte ranges tree-sitter should parse: all of `src` but the gaps of `LONG_GAP` bytes
    /// or more, with their lines and columns. The lexer would step over a blanked gap one
    /// space at a time; it jumps over a gap left out of the ranges, but looks the current
    /// range up from the first one at every token, so only the long gaps are worth a range
    /// (a range per gap took a quarter of the build's CPU).
    pub fn ranges(&self, src: &str) -> Vec<Range> {
        let b = src.as_bytes();
        let mut out = Vec::new();
        let (mut at, mut point) = (0usize, Point { row: 0, column: 0 });
        let advance = |point: &mut Point, from: usize, to: usize| {
            let chunk = &b[from..to];
            match chunk.iter().rposition(|c| *c == b'\n') {
                Some(last) => {
                    point.row += chunk.iter().filter(|c| **c == b'\n').count();
                    point.column = to - (from + last + 1);
                }
                None => point.column += to - from,
            }
        };
        let long = self.gaps.iter().filter(|(from, to)| to - from >= LONG_GAP);
        for &(from, to) in long.chain(std::iter::once(&(b.len(), b.len()))) {
            let start_point = point;
            advance(&mut point, at, from);
            out.push(Range {
                start_byte: at,
                end_byte: from,
                start_point,
                end_point: point,
            });
            advance(&mut point, from, to);
            at = to;
        }
        out
    }
}

/// Gaps at least this long are left out of the parse ranges; shorter ones are only blanked.
const LONG_GAP: usize = 1024;

/// What of `src` to leave out of its parse, or `None` when nothing is (or the delimiters do
/// not balance: the file is then parsed whole).
pub fn rust(src: &str) -> Option<Skim> {
    let mut s = Skimmer::new(src)?;
    let mut i = 0;
    while i < s.toks.len() {
        i = s.step(i);
    }
    if s.gaps.is_empty() {
        return None;
    }
    Some(Skim { gaps: s.gaps })
}

struct Skimmer<'a> {
    src: &'a str,
    toks: Vec<Tok>,
    /// For an opening delimiter, the index of its closing one.
    close: Vec<usize>,
    /// `words[i]`: item keywords among `toks[..i]`.
    words: Vec<u32>,
    gaps: Vec<(usize, usize)>,
}

impl<'a> Skimmer<'a> {
    fn new(src: &'a str) -> Option<Skimmer<'a>> {
        let mut pos = strip_shebang(src).unwrap_or(0);
        let mut toks = Vec::new();
        for t in tokenize(&src[pos..], FrontmatterAllowed::No) {
            let end = pos + t.len as usize;
            if !matches!(
                t.kind,
                TokenKind::Whitespace
                    | TokenKind::LineComment { .. }
                    | TokenKind::BlockComment { .. }
            ) {
                toks.push(Tok {
                    kind: t.kind,
                    start: pos,
                    end,
                });
            }
            pos = end;
        }
        let mut close = vec![usize::MAX; toks.len()];
        let mut open: Vec<usize> = Vec::new();
        let mut words = Vec::with_capacity(toks.len() + 1);
        let mut n = 0u32;
        for (i, t) in toks.iter().enumerate() {
            words.push(n);
            match t.kind {
                TokenKind::OpenParen | TokenKind::OpenBracket | TokenKind::OpenBrace => {
                    open.push(i)
                }
                TokenKind::CloseParen | TokenKind::CloseBracket | TokenKind::CloseBrace => {
                    let o = open.pop()?;
                    if !pairs(toks[o].kind, t.kind) {
                        return None;
                    }
                    close[o] = i;
                }
                TokenKind::Ident if opens_item(src, &toks, i) => n += 1,
                _ => {}
            }
        }
        words.push(n);
        if !open.is_empty() {
            return None;
        }
        Some(Skimmer {
            src,
            toks,
            close,
            words,
            gaps: Vec::new(),
        })
    }

    fn kind(&self, i: usize) -> Option<TokenKind> {
        self.toks.get(i).map(|t| t.kind)
    }

    /// The word at `i` when it is an identifier or keyword.
    fn word(&self, i: usize) -> Option<&'a str> {
        let t = self.toks.get(i)?;
        (t.kind == TokenKind::Ident).then(|| &self.src[t.start..t.end])
    }

    /// True when the token at `i` is a name (`r#match` included).
    fn is_name(&self, i: usize) -> bool {
        matches!(self.kind(i), Some(TokenKind::Ident | TokenKind::RawIdent))
    }

    fn is_open(&self, i: usize) -> bool {
        matches!(
            self.kind(i),
            Some(TokenKind::OpenParen | TokenKind::OpenBracket | TokenKind::OpenBrace)
        )
    }

    /// True when an item keyword stands strictly between tokens `a` and `b`.
    fn has_item_word(&self, a: usize, b: usize) -> bool {
        self.words[b] > self.words[a + 1]
    }

    /// Leaves out what lies between tokens `a` and `b` (both kept).
    fn gap(&mut self, a: usize, b: usize) {
        let (from, to) = (self.toks[a].end, self.toks[b].start);
        if from < to {
            self.gaps.push((from, to));
        }
    }

    /// Leaves out the inside of the group opened at `open` when no item keyword stands in it;
    /// returns where the scan goes on: after the group, or inside it.
    fn group(&mut self, open: usize) -> usize {
        let close = self.close[open];
        if self.has_item_word(open, close) {
            return open + 1;
        }
        self.gap(open, close);
        close + 1
    }

    /// Looks at the token `i` and returns the index of the next token to look at.
    fn step(&mut self, i: usize) -> usize {
        match self.kind(i) {
            Some(TokenKind::Pound) => self.attribute(i).unwrap_or(i + 1),
            Some(TokenKind::Ident) => {
                let w = self.word(i).unwrap_or("");
                let next = self.kind(i + 1);
                let named = self.is_name(i + 1);
                let found = match w {
                    "fn" if named => self.function(i),
                    "struct" | "union" | "enum" if named => self.data(i),
                    "const" | "static" => self.initializer(i),
                    "macro_rules" if next == Some(TokenKind::Bang) && self.is_name(i + 2) => {
                        self.is_open(i + 3).then(|| self.group_always(i + 3))
                    }
                    _ if next == Some(TokenKind::Bang)
                        && self.is_open(i + 2)
                        && !KEYWORDS.contains(&w) =>
                    {
                        Some(self.group_always(i + 2))
                    }
                    _ => None,
                };
                found.unwrap_or(i + 1)
            }
            _ => i + 1,
        }
    }

    /// Token trees (macro arguments and rules) hold no item tree-sitter reads.
    fn group_always(&mut self, open: usize) -> usize {
        let close = self.close[open];
        self.gap(open, close);
        close + 1
    }

    /// `#[path args]` or `#![path args]`: the arguments are left out.
    fn attribute(&mut self, i: usize) -> Option<usize> {
        let mut j = i + 1;
        if self.kind(j) == Some(TokenKind::Bang) {
            j += 1;
        }
        if self.kind(j) != Some(TokenKind::OpenBracket) {
            return None;
        }
        let close = self.close[j];
        self.word(j + 1).filter(|w| !KEYWORDS.contains(w))?;
        let mut k = j + 1;
        while self.kind(k + 1) == Some(TokenKind::Colon)
            && self.kind(k + 2) == Some(TokenKind::Colon)
            && self.word(k + 3).is_some()
        {
            k += 3;
        }
        if k + 1 < close {
            self.gap(k, close);
        }
        Some(close + 1)
    }

    /// `fn name … (params) … { body }` or `… ;`: the parameters are left out, and the body
    /// when it holds no item.
    fn function(&mut self, i: usize) -> Option<usize> {
        let mut params = None;
        let body = self.header_end(i + 2, |s, k| {
            if params.is_none() && s.kind(k) == Some(TokenKind::OpenParen) {
                params = Some(k);
            }
        })?;
        if let Some(p) = params {
            self.gap(p, self.close[p]);
        }
        match body {
            End::Semi(k) => Some(k + 1),
            End::Group(open) => Some(self.group(open)),
        }
    }

    /// `struct`, `union` or `enum` `name … { fields }` or `(fields)`: the fields or variants
    /// are left out.
    fn data(&mut self, i: usize) -> Option<usize> {
        let mut tuple = None;
        let end = self.header_end(i + 2, |s, k| {
            // A tuple struct's fields follow its name or generics (not a bound's `Fn(…)`).
            let after_name = k == i + 2 || s.kind(k - 1) == Some(TokenKind::Gt);
            if tuple.is_none() && after_name && s.kind(k) == Some(TokenKind::OpenParen) {
                tuple = Some(k);
            }
        })?;
        if let Some(p) = tuple {
            return Some(self.group(p));
        }
        match end {
            End::Semi(k) => Some(k + 1),
            End::Group(open) => Some(self.group(open)),
        }
    }

    /// Scans an item header from `k`: generics (`<…>`, `->` is no bracket), parameters and
    /// bounds, to the `{` that opens the body or the `;` that ends the item. `seen` is called
    /// with each group opened at angle depth 0 on the way.
    fn header_end(&self, k: usize, seen: impl FnMut(&Self, usize)) -> Option<End> {
        let end = self.scan(
            k,
            true,
            |t| matches!(t, TokenKind::Semi | TokenKind::OpenBrace),
            seen,
        )?;
        Some(match self.toks[end].kind {
            TokenKind::Semi => End::Semi(end),
            _ => End::Group(end),
        })
    }

    /// Walks from token `k` over whole groups and, with `angles`, over `<…>`, to the first
    /// token outside them for which `stop` holds. Each group opened on the way outside `<…>`
    /// is shown to `seen`. `None` when an enclosing group closes first.
    fn scan(
        &self,
        mut k: usize,
        angles: bool,
        stop: impl Fn(TokenKind) -> bool,
        mut seen: impl FnMut(&Self, usize),
    ) -> Option<usize> {
        let mut angle = 0usize;
        loop {
            let kind = self.kind(k)?;
            if angle == 0 && stop(kind) {
                return Some(k);
            }
            match kind {
                TokenKind::Lt if angles => angle += 1,
                TokenKind::Gt if angles && !self.arrow(k) => angle = angle.checked_sub(1)?,
                TokenKind::OpenParen | TokenKind::OpenBracket | TokenKind::OpenBrace => {
                    if angle == 0 {
                        seen(self, k);
                    }
                    k = self.close[k];
                }
                TokenKind::CloseParen | TokenKind::CloseBracket | TokenKind::CloseBrace => {
                    return None;
                }
                _ => {}
            }
            k += 1;
        }
    }

    /// True when the `>` at `k` ends a `->`.
    fn arrow(&self, k: usize) -> bool {
        k > 0
            && self.toks[k - 1].kind == TokenKind::Minus
            && self.toks[k - 1].end == self.toks[k].start
    }

    /// `const NAME: T = value;` or `static [mut] NAME: T = value;` where an item stands: the
    /// `= value` is left out when it holds no item.
    fn initializer(&mut self, i: usize) -> Option<usize> {
        if !self.item_position(i) {
            return None;
        }
        let mut k = i + 1;
        if self.word(k) == Some("mut") {
            k += 1;
        }
        if !self.is_name(k) {
            return None;
        }
        if self.kind(k + 1) != Some(TokenKind::Colon) {
            return None;
        }
        let eq = self.scan(
            k + 2,
            true,
            |t| matches!(t, TokenKind::Eq | TokenKind::Semi),
            |_, _| {},
        )?;
        if self.toks[eq].kind == TokenKind::Semi {
            return Some(eq + 1);
        }
        let semi = self.scan(eq + 1, false, |t| t == TokenKind::Semi, |_, _| {})?;
        if self.has_item_word(eq, semi) {
            return None;
        }
        // The gap runs from the `=` itself to the `;`.
        let from = self.toks[eq].start;
        let to = self.toks[semi].start;
        self.gaps.push((from, to));
        Some(semi + 1)
    }

    /// True when the token at `i` starts an item: first in the file, after `;`, a brace, an
    /// attribute's `]`, `pub` or `pub(…)`.
    fn item_position(&self, i: usize) -> bool {
        if i == 0 {
            return true;
        }
        match self.toks[i - 1].kind {
            TokenKind::Semi
            | TokenKind::OpenBrace
            | TokenKind::CloseBrace
            | TokenKind::CloseBracket => true,
            TokenKind::Ident => self.word(i - 1) == Some("pub"),
            TokenKind::CloseParen => {
                // `pub(crate)`, `pub(in a::b)`: the `(` is a few tokens back.
                let open = (i.saturating_sub(10)..i - 1)
                    .rev()
                    .find(|&o| self.close[o] == i - 1);
                open.is_some_and(|o| o > 0 && self.word(o - 1) == Some("pub"))
            }
            _ => false,
        }
    }
}

/// True when the word at `i` opens an item: an item keyword followed by a name (`fn(u8)` is a
/// type, `const {` a block), or `impl`, or `macro_rules`.
fn opens_item(src: &str, toks: &[Tok], i: usize) -> bool {
    let w = &src[toks[i].start..toks[i].end];
    if !ITEM_WORDS.contains(&w) {
        return false;
    }
    matches!(w, "impl" | "macro_rules")
        || toks
            .get(i + 1)
            .is_some_and(|t| matches!(t.kind, TokenKind::Ident | TokenKind::RawIdent))
}

enum End {
    /// The `;` that ends an item without a body.
    Semi(usize),
    /// The `{` that opens the body.
    Group(usize),
}

fn pairs(open: TokenKind, close: TokenKind) -> bool {
    matches!(
        (open, close),
        (TokenKind::OpenParen, TokenKind::CloseParen)
            | (TokenKind::OpenBracket, TokenKind::CloseBracket)
            | (TokenKind::OpenBrace, TokenKind::CloseBrace)
    )
}

#[cfg(test)]
mod tests {
    use super::rust;

    /// `src` with each byte left out of the parse shown as `~` (newlines kept).
    fn marks(src: &str) -> String {
        let mut out = src.as_bytes().to_vec();
        for &(from, to) in &rust(src).map(|s| s.gaps).unwrap_or_default() {
            out[from..to]
                .iter_mut()
                .filter(|c| **c != b'\n')
                .for_each(|c| *c = b'~');
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Pairs of lines: a source, then what of it is left out of the parse.
    const CASES: &str = r##"fn a(x: [u8; 2]) -> u8 { x[0] + b'}' }
fn a(~~~~~~~~~~) -> u8 {~~~~~~~~~~~~~}
fn b() { fn c() { 1 } }
fn b() { fn c() {~~~} }
fn d() -> &'static str { r#"}"# }
fn d() -> &'static str {~~~~~~~~}
fn e() { "fn x" } fn é() { /* } */ '\'' }
fn e() {~~~~~~~~} fn é() {~~~~~~~~~~~~~~}
fn f() { let f: fn(u8) = g; } fn f() { static X: u8 = 1; }
fn f() {~~~~~~~~~~~~~~~~~~~~} fn f() { static X: u8 ~~~; }
trait T { fn f(&self); } impl<const N: usize> S<N> {}
trait T { fn f(~~~~~); } impl<const N: usize> S<N> {}
#[cfg(test)] #![doc = "x"] foo!(a, b); macro_rules! m { () => {} }
#[cfg~~~~~~] #![doc~~~~~~] foo!(~~~~); macro_rules! m {~~~~~~~~~~}
const X: Option<u8> = Some(1); pub(crate) static mut T: [u8; 2] = [1, 2];
const X: Option<u8> ~~~~~~~~~; pub(crate) static mut T: [u8; 2] ~~~~~~~~;
const I: &dyn Iterator<Item = u8> = &X; const C: bool = if !(a) { 1 } else { 2 };
const I: &dyn Iterator<Item = u8> ~~~~; const C: bool ~~~~~~~~~~~~~~~~~~~~~~~~~~;
struct S { f: u8 } enum E { A = 1 } struct P<T>(T); struct W<F: Fn(u8)> where F: Copy { }
struct S {~~~~~~~} enum E {~~~~~~~} struct P<T>(~); struct W<F: Fn(u8)> where F: Copy {~}
fn f() { let c = '{';
fn f() { let c = '{';
"##;

    #[test]
    fn what_cannot_hold_an_item_is_left_out() {
        let lines: Vec<&str> = CASES.lines().collect();
        for pair in lines.chunks(2) {
            assert_eq!(marks(pair[0]), pair[1], "{}", pair[0]);
        }
    }

    #[test]
    fn ranges_keep_the_original_positions() {
        let body = format!("{{\n{}\n}}", "x;".repeat(super::LONG_GAP));
        let src = format!("fn a() {body}\nfn é() {body}\n");
        let r = rust(&src).unwrap().ranges(&src);
        let at = |i: usize| {
            (
                r[i].start_byte,
                r[i].start_point.row,
                r[i].start_point.column,
            )
        };
        assert_eq!(r.len(), 3);
        assert_eq!(
            (r[0].end_byte, r[0].end_point.row, r[0].end_point.column),
            (8, 0, 8)
        );
        let second = src.rfind('}').unwrap();
        assert_eq!((at(1), at(2)), ((body.len() + 6, 2, 0), (second, 5, 0)));
    }

    /// Symbols, signatures, docs and containers are the same with and without the skim.
    #[test]
    fn the_skim_changes_no_symbol() {
        use crate::extract::{parse, parse_ranges, walk};
        use crate::lang::Lang;
        let fixture =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rust/shapes.rs");
        let extra = "#![allow(dead_code)]\n/// A table.\n#[rustfmt::skip]\npub(crate) static T: [(u32, u32); 2] = [(1, 2), (3, 4)];\nconst _: () = { impl S { fn hidden(&self) -> u8 { 1 } } };\nmacro_rules! m { ($x:expr) => { fn f() {} } }\nm!(1);\nstruct W<F: Fn(u8) -> u8>(F) where F: Copy;\nenum E { A = { const K: isize = 1; K }, B }\nfn outer<T>(t: T) -> impl Fn() { fn inner() {} move || drop(t) }\nextern \"C\" { fn ext(a: u8, ...) -> i32; static mut G: u8; }\ntrait Tr { const C: u8 = 1; fn d(&self) { if !(true) {} } }\n";
        let sources = [
            std::fs::read_to_string(fixture).expect("fixture"),
            extra.to_string(),
        ];
        for src in &sources {
            let whole = parse(Lang::Rust, src).expect("parses");
            let skim = rust(src).expect("something to skim");
            let part =
                parse_ranges(Lang::Rust, &skim.blanked(src), &skim.ranges(src)).expect("parses");
            let want = walk::symbols(Lang::Rust, whole.root_node(), src);
            let got = walk::symbols(Lang::Rust, part.root_node(), src);
            assert!(want.len() > 10, "{want:?}");
            assert_eq!(got, want);
        }
    }
}
