//! Containers: the chain of enclosing definitions of a symbol, stored once per scope. Each scope
//! holds its name and a shared reference to its parent, so a file's containers take space
//! linear in its definitions however deep they nest; the full path (`a::b::C`, `pkg.Outer`) is
//! spelled out only when shown.

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
    depth: u32,
}

impl Container {
    /// An outermost scope.
    pub fn root(name: impl Into<String>, sep: &'static str) -> Container {
        Container(Arc::new(Scope {
            name: name.into(),
            sep,
            parent: None,
            depth: 1,
        }))
    }

    /// A scope inside this one, joined with this one's separator.
    pub fn child(&self, name: impl Into<String>) -> Container {
        Container(Arc::new(Scope {
            name: name.into(),
            sep: self.0.sep,
            parent: Some(self.clone()),
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
        self.chain().last().map_or("", Container::name)
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

impl Drop for Scope {
    /// Unlinks a long chain one scope at a time: the default drop would recurse once per level.
    fn drop(&mut self) {
        let mut next = self.parent.take();
        while let Some(Container(arc)) = next {
            next = match Arc::try_unwrap(arc) {
                Ok(mut scope) => scope.parent.take(),
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
