//! Reading git in-process with gix for the git-aware checks (branches, commits, changelog,
//! docs-drift): the current branch, the commits of a range, the paths a range changed and a file
//! as it was at a revision. Nothing here writes to the repository.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use gix::bstr::ByteSlice;

use crate::report::Problem;

/// A repository opened for reading.
pub struct Git {
    repo: gix::Repository,
    /// The top of the working tree.
    pub workdir: PathBuf,
}

/// One commit of a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// Full hex id.
    pub id: String,
    /// The first line of the message.
    pub subject: String,
    /// The whole message.
    pub message: String,
    /// Number of parents (2 or more for a merge).
    pub parents: usize,
}

impl CommitInfo {
    /// The abbreviated id shown in reports.
    pub fn short(&self) -> &str {
        &self.id[..self.id.len().min(10)]
    }
}

/// The resolved range `base..head` of a git-aware check.
#[derive(Debug, Clone)]
pub struct Range {
    /// What `base` was given or chosen as (for messages).
    pub base_label: String,
    pub base: gix::ObjectId,
    pub head_label: String,
    pub head: gix::ObjectId,
}

impl Range {
    pub fn label(&self) -> String {
        format!("{}..{}", self.base_label, self.head_label)
    }
}

/// The repository holding `dir` and the range `base..head` of a check, or the problem that ends
/// the check: `dir` is not in a repository (`outside` says so and why the check needs one), or
/// the range does not resolve (reported against the options named by `flags`).
pub fn open_range(
    dir: &Path,
    base: Option<&str>,
    head: Option<&str>,
    outside: &str,
    flags: &str,
) -> Result<(Git, Range), Box<Problem>> {
    let git = Git::discover(dir).ok_or_else(|| Problem::error(".git", outside))?;
    let range = git
        .range(base, head)
        .map_err(|e| Problem::error(flags, e))?;
    Ok((git, range))
}

fn err(what: &str, e: impl std::fmt::Display) -> String {
    format!("{what}: {e}")
}

impl Git {
    /// Opens the repository containing `dir`, or `None` when `dir` is not inside one.
    pub fn discover(dir: &Path) -> Option<Git> {
        let repo = gix::discover(dir).ok()?;
        let workdir = repo.workdir()?.to_path_buf();
        let workdir = workdir.canonicalize().unwrap_or(workdir);
        Some(Git { repo, workdir })
    }

    /// The short name of the checked-out branch, `None` on a detached HEAD.
    pub fn current_branch(&self) -> Result<Option<String>, String> {
        let name = self
            .repo
            .head_name()
            .map_err(|e| err("cannot read HEAD", e))?;
        Ok(name.map(|n| n.shorten().to_str_lossy().into_owned()))
    }

    /// Resolves a revision (`main`, `HEAD~3`, a hash) to a commit id.
    pub fn resolve(&self, rev: &str) -> Result<gix::ObjectId, String> {
        let id = self.repo.rev_parse_single(rev).map_err(|e| {
            format!("`{rev}` does not name a commit in this repository ({e}); pass an existing branch, tag or hash")
        })?;
        let obj = id
            .object()
            .map_err(|e| err(&format!("cannot read `{rev}`"), e))?;
        let commit = obj
            .peel_to_commit()
            .map_err(|e| err(&format!("`{rev}` is not a commit"), e))?;
        Ok(commit.id)
    }

    /// The default base when none is given: the first of `origin/main`, `main`, `origin/master`,
    /// `master`, `develop` that exists. `None` when none does.
    pub fn default_base(&self) -> Option<(String, gix::ObjectId)> {
        ["origin/main", "main", "origin/master", "master", "develop"]
            .iter()
            .find_map(|b| self.resolve(b).ok().map(|id| (b.to_string(), id)))
    }

    /// The range of a check. With no `base`, the default base is used; when HEAD is that base
    /// (or none exists) the range is the last commit alone (`HEAD~1..HEAD`, or the root commit).
    pub fn range(&self, base: Option<&str>, head: Option<&str>) -> Result<Range, String> {
        let head_label = head.unwrap_or("HEAD").to_string();
        let head = self.resolve(&head_label)?;
        if let Some(b) = base {
            return Ok(Range {
                base_label: b.to_string(),
                base: self.resolve(b)?,
                head_label,
                head,
            });
        }
        if let Some((label, id)) = self.default_base()
            && id != head
        {
            return Ok(Range {
                base_label: label,
                base: id,
                head_label,
                head,
            });
        }
        let parent = self
            .repo
            .find_commit(head)
            .map_err(|e| err("cannot read HEAD's commit", e))?
            .parent_ids()
            .next()
            .map(|p| p.detach());
        let base = parent.unwrap_or_else(|| gix::ObjectId::null(head.kind()));
        Ok(Range {
            base_label: format!("{head_label}~1"),
            base,
            head_label,
            head,
        })
    }

    /// The commits reachable from `range.head` and not from `range.base`, oldest first.
    pub fn commits(&self, range: &Range) -> Result<Vec<CommitInfo>, String> {
        let mut walk = self.repo.rev_walk([range.head]);
        if !range.base.is_null() {
            walk = walk.with_hidden([range.base]);
        }
        let mut out = Vec::new();
        for info in walk.all().map_err(|e| err("cannot walk the history", e))? {
            let info = info.map_err(|e| err("cannot walk the history", e))?;
            let commit = info.object().map_err(|e| err("cannot read a commit", e))?;
            let message = commit
                .message_raw()
                .map_err(|e| err("cannot read a commit message", e))?
                .to_str_lossy()
                .into_owned();
            let subject = message.lines().next().unwrap_or("").trim_end().to_string();
            out.push(CommitInfo {
                id: info.id.to_string(),
                subject,
                message,
                parents: info.parent_ids().count(),
            });
        }
        out.reverse();
        Ok(out)
    }

    /// Repository-relative paths whose content differs between the merge base of the range
    /// and its head (what the commits of the range changed).
    pub fn changed_paths(&self, range: &Range) -> Result<BTreeSet<String>, String> {
        let from = if range.base.is_null() {
            None
        } else {
            self.repo
                .merge_base(range.base, range.head)
                .map_err(|e| err("cannot find the merge base", e))?
                .map(|id| id.detach())
        };
        let old = match from {
            Some(id) => self.flat_tree(id)?,
            None => BTreeMap::new(),
        };
        let new = self.flat_tree(range.head)?;
        let mut changed = BTreeSet::new();
        for (p, id) in &new {
            if old.get(p) != Some(id) {
                changed.insert(p.clone());
            }
        }
        for p in old.keys() {
            if !new.contains_key(p) {
                changed.insert(p.clone());
            }
        }
        Ok(changed)
    }

    fn flat_tree(&self, commit: gix::ObjectId) -> Result<BTreeMap<String, gix::ObjectId>, String> {
        let tree = self
            .repo
            .find_commit(commit)
            .map_err(|e| err("cannot read a commit", e))?
            .tree_id()
            .map_err(|e| err("cannot read a commit's tree", e))?
            .detach();
        let mut out = BTreeMap::new();
        let mut stack = vec![(String::new(), tree)];
        while let Some((prefix, id)) = stack.pop() {
            let tree = self
                .repo
                .find_tree(id)
                .map_err(|e| err("cannot read a tree", e))?;
            for entry in tree.iter() {
                let entry = entry.map_err(|e| err("cannot read a tree entry", e))?;
                let path = format!("{prefix}{}", entry.filename().to_str_lossy());
                if entry.mode().is_tree() {
                    stack.push((format!("{path}/"), entry.object_id()));
                } else {
                    out.insert(path, entry.object_id());
                }
            }
        }
        Ok(out)
    }

    /// The text of `path` (relative to the working tree top) at commit `rev`, `None` when the
    /// file did not exist there.
    pub fn file_at(&self, rev: gix::ObjectId, path: &str) -> Result<Option<String>, String> {
        let tree = self
            .repo
            .find_commit(rev)
            .map_err(|e| err("cannot read a commit", e))?
            .tree()
            .map_err(|e| err("cannot read a commit's tree", e))?;
        let entry = tree
            .lookup_entry_by_path(path)
            .map_err(|e| err(&format!("cannot look up {path}"), e))?;
        let Some(entry) = entry else { return Ok(None) };
        let obj = entry
            .object()
            .map_err(|e| err(&format!("cannot read {path}"), e))?;
        Ok(Some(String::from_utf8_lossy(&obj.data).into_owned()))
    }

    /// `path` relative to the working tree top, `/`-separated; `None` when outside it.
    pub fn rel(&self, path: &Path) -> Option<String> {
        let abs = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        abs.strip_prefix(&self.workdir)
            .ok()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
    }
}
