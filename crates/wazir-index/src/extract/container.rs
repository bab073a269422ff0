//! Containers: the chain of enclosing definitions of a symbol, stored once per scope. Each scope
//! holds its name and a shared reference to its parent, so a file's containers take space
//! linear in its definitions however deep they nest; the full path (`a::b::C`, `pkg.Outer`) is
//! spelled out only when shown.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// A symbol's container: the nearest enclosing scope and, through it, the whole chain.
#[derive(Clone)]
pub struct Container(Arc<Scope>);

struct Scope {
    name: String,
    /// Written between the parent's path and this name: `::` in Rust, `.` elsewhere.
    sep: &'static str,
    parent: Option<Container>,
    /// The outermost scope of the chain (`None` for the outermost itself).
    root: Option<Container>,
    depth: u32,
    /// Length in bytes of the full path.
    len: usize,
    /// FNV-1a over the chain's names: tells long paths apart without spelling them out.
    digest: u64,
}

/// FNV-1a of `name` continuing from `seed` (a separator byte first, so `ab`/`c` and `a`/`bc`
/// differ).
fn fnv(seed: u64, name: &str) -> u64 {
    let mut h = seed;
    for b in std::iter::once(0u8).chain(name.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl Container {
    /// An outermost scope.
    pub fn root(name: impl Into<String>, sep: &'static str) -> Container {
        let name = name.into();
        Container(Arc::new(Scope {
            len: name.len(),
            digest: fnv(0xcbf2_9ce4_8422_2325, &name),
            name,
            sep,
            parent: None,
            root: None,
            depth: 1,
        }))
    }

    /// A scope inside this one, joined with this one's separator.
    pub fn child(&self, name: impl Into<String>) -> Container {
        let name = name.into();
        Container(Arc::new(Scope {
            len: self.0.len + self.0.sep.len() + name.len(),
            digest: fnv(self.0.digest, &name),
            name,
            sep: self.0.sep,
            parent: Some(self.clone()),
            root: Some(self.0.root.clone().unwrap_or_else(|| self.clone())),
            depth: self.0.depth + 1,
        }))
    }

    /// The nearest scope's own name (`C` in `a::b::C`).
    pub fn name(&self) -> &str {
        &self.0.name
    }

    pub fn parent(&self) -> Option<&Container> {
        self.0.parent.as_ref()
    }

    /// How many scopes the chain has (`a::b::C` has three).
    pub fn depth(&self) -> u32 {
        self.0.depth
    }

    /// The separator between scope names.
    pub fn sep(&self) -> &'static str {
        self.0.sep
    }

    /// The outermost scope's name (`a` in `a::b::C`).
    pub fn root_name(&self) -> &str {
        self.0.root.as_ref().unwrap_or(self).name()
    }

    /// Length in bytes of the full path, without spelling it out.
    pub fn path_len(&self) -> usize {
        self.0.len
    }

    /// A 64-bit digest of the chain's names: equal paths have equal digests.
    pub fn digest(&self) -> u64 {
        self.0.digest
    }

    /// The path when it has at most `max` bytes, else the outermost scope, `…` and as many of
    /// the nearest scopes as fit: `a::…::y::z`. Costs no more than `max`, however deep the chain.
    pub fn short(&self, max: usize) -> String {
        if self.0.len <= max {
            return self.path();
        }
        let sep = self.0.sep;
        let root = self.root_name();
        let mut budget = max.saturating_sub(root.len() + 2 * sep.len() + '…'.len_utf8());
        let mut tail: Vec<&str> = Vec::new();
        for c in self.chain().take_while(|c| c.depth() > 1) {
            let cost = c.name().len() + if tail.is_empty() { 0 } else { sep.len() };
            if cost > budget && !tail.is_empty() {
                break;
            }
            budget = budget.saturating_sub(cost);
            tail.push(c.name());
        }
        tail.reverse();
        format!("{root}{sep}…{sep}{}", tail.join(sep))
    }

    /// The scopes from the nearest outwards.
    pub fn chain(&self) -> impl Iterator<Item = &Container> {
        std::iter::successors(Some(self), |c| c.parent())
    }

    /// Identifies the shared scope (two clones of one scope have the same key).
    pub fn key(&self) -> *const () {
        Arc::as_ptr(&self.0).cast()
    }

    /// The full path, outermost first.
    pub fn path(&self) -> String {
        let mut names: Vec<&str> = self.chain().map(Container::name).collect();
        names.reverse();
        names.join(self.0.sep)
    }
}

impl fmt::Display for Container {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

impl fmt::Debug for Container {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.path(), f)
    }
}

impl PartialEq for Container {
    fn eq(&self, other: &Container) -> bool {
        self.depth() == other.depth()
            && self.sep() == other.sep()
            && self
                .chain()
                .zip(other.chain())
                .all(|(a, b)| a.key() == b.key() || a.name() == b.name())
    }
}

impl Eq for Container {}

impl serde::Serialize for Container {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.path())
    }
}

/// Numbers the distinct scopes of one file: two containers get the same id when their chains
/// name the same scopes (two `impl Foo` blocks share one `Foo`). Each scope is looked at once,
/// so numbering a file's containers is linear however deep they nest.
#[derive(Default)]
pub struct ScopeIds<'x> {
    /// Id of each scope already numbered, by the scope's identity.
    by_key: HashMap<*const (), i64>,
    /// Id of each (parent id, name).
    by_name: HashMap<(Option<i64>, &'x str), i64>,
}

impl<'x> ScopeIds<'x> {
    /// The id of `c`, numbering it and any enclosing scope not numbered yet; `make` gives the id
    /// of a new scope from its parent's id and its name (the store inserts a row there).
    pub fn id_of<E>(
        &mut self,
        c: &'x Container,
        mut make: impl FnMut(Option<i64>, &'x str) -> Result<i64, E>,
    ) -> Result<i64, E> {
        let mut todo: Vec<&'x Container> = Vec::new();
        let mut parent = None;
        for s in c.chain() {
            if let Some(id) = self.by_key.get(&s.key()) {
                parent = Some(*id);
                break;
            }
            todo.push(s);
        }
        for s in todo.into_iter().rev() {
            let id = match self.by_name.get(&(parent, s.name())) {
                Some(id) => *id,
                None => {
                    let id = make(parent, s.name())?;
                    self.by_name.insert((parent, s.name()), id);
                    id
                }
            };
            self.by_key.insert(s.key(), id);
            parent = Some(id);
        }
        Ok(parent.expect("a container has at least one scope"))
    }

    /// The id of `c` when it has been numbered.
    pub fn known(&self, c: &Container) -> Option<i64> {
        self.by_key.get(&c.key()).copied()
    }

    /// The id of the scope named `name` directly inside scope `parent` (`None`: outermost).
    pub fn find(&self, parent: Option<i64>, name: &'x str) -> Option<i64> {
        self.by_name.get(&(parent, name)).copied()
    }
}

impl Drop for Scope {
    /// Unlinks a long chain one scope at a time: the default drop would recurse once per level.
    fn drop(&mut self) {
        self.root = None;
        let mut next = self.parent.take();
        while let Some(Container(arc)) = next {
            next = match Arc::try_unwrap(arc) {
                Ok(mut scope) => {
                    scope.root = None;
                    scope.parent.take()
                }
                Err(_) => None,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_spelled_out_from_the_outermost_scope() {
        let a = Container::root("a", "::");
        let c = a.child("b").child("C");
        assert_eq!(c.path(), "a::b::C");
        assert_eq!((c.name(), c.root_name(), c.depth()), ("C", "a", 3));
        assert_eq!(c, Container::root("a", "::").child("b").child("C"));
        assert_ne!(c, a.child("C"));
        assert_eq!(
            (c.path_len(), c.short(7), c.short(6)),
            (7, "a::b::C".into(), "a::…::C".into())
        );
        assert_eq!(
            c.digest(),
            Container::root("a", ".").child("b").child("C").digest()
        );
        assert_ne!(c.digest(), Container::root("a", "::").child("bC").digest());
    }

    #[test]
    fn a_short_path_keeps_the_outermost_and_the_nearest_scopes() {
        let mut c = Container::root("Space0", ".");
        for i in 1..10_000 {
            c = c.child(format!("Space{i}"));
        }
        let s = c.short(40);
        assert!(
            s.starts_with("Space0.….") && s.ends_with(".Space9998.Space9999"),
            "{s}"
        );
        assert!(s.len() <= 40, "{s}");
        assert_eq!(c.root_name(), "Space0");
    }

    #[test]
    fn a_deep_chain_drops_without_recursing() {
        let mut c = Container::root("n0", ".");
        for i in 1..200_000 {
            c = c.child(format!("n{i}"));
        }
        assert_eq!(c.depth(), 200_000);
        drop(c);
    }
}
