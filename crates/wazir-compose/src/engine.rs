//! The composition engine: resolves the layers of the composition map for one role (`always`,
//! then `auto`, then each stack, then each concern; antipatterns first for the reviewer and the
//! verifier), removes duplicates, keeps at most [`crate::MAX_MODULES`] modules whose rendered
//! briefs fit the token budget (counted exactly with o200k), adds the matching accepted
//! learnings, and records for every candidate why it was chosen and, if dropped, why.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::detect::Detection;
use crate::index::KNOWN_STACKS;
use crate::learnings::{self, Learning};
use crate::library::Library;
use crate::render;

/// Which layer named a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    Always,
    Auto,
    Stack,
    Concern,
}

impl Layer {
    pub fn as_str(&self) -> &'static str {
        match self {
            Layer::Always => "always",
            Layer::Auto => "auto",
            Layer::Stack => "stack",
            Layer::Concern => "concern",
        }
    }
}

/// What to compose.
#[derive(Debug, Clone)]
pub struct Request {
    /// Role id (underscore spelling).
    pub role: String,
    pub phase: Option<String>,
    /// Stacks named on the command line.
    pub stacks: Vec<String>,
    /// Stacks detected from the project's files (`--stack auto`), with evidence.
    pub detected: Vec<Detection>,
    pub concerns: Vec<String>,
    /// Token budget for the briefs and learnings of the bundle.
    pub budget: usize,
    pub max_modules: usize,
    pub max_learnings: usize,
    /// Project-relative paths of the task's files (`--paths`).
    pub paths: Vec<String>,
    /// Role ids that exist (the manifest's).
    pub known_roles: Vec<String>,
    /// Today, `YYYY-MM-DD`, to skip expired learnings.
    pub today: String,
}

impl Request {
    pub fn new(role: &str) -> Self {
        Self {
            role: wazir_core::ids::to_id(role),
            phase: None,
            stacks: Vec::new(),
            detected: Vec::new(),
            concerns: Vec::new(),
            budget: crate::DEFAULT_BUDGET,
            max_modules: crate::MAX_MODULES,
            max_learnings: crate::MAX_LEARNINGS,
            paths: Vec::new(),
            known_roles: crate::DEFAULT_ROLES.iter().map(|s| s.to_string()).collect(),
            today: String::new(),
        }
    }
}

/// A stack the bundle was composed for.
#[derive(Debug, Clone, Serialize)]
pub struct StackUse {
    pub id: String,
    /// `detected` or `requested`.
    pub source: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// One module the map named for this role.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub id: String,
    /// The first (highest-priority) layer that named it.
    pub layer: Layer,
    /// The map key that named it first, e.g. `stacks.rust.antipatterns`.
    pub map_key: String,
    /// Why it was chosen.
    pub reason: String,
    /// Other map keys that named it too (removed as duplicates).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_in: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Where the full module is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// o200k tokens of its rendered brief block; absent when the module does not exist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokens: Option<usize>,
    pub kept: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dropped: Option<String>,
    /// The rendered block (heading, path, brief) printed in the bundle.
    #[serde(skip)]
    pub block: String,
}

/// One accepted learning considered for the bundle.
#[derive(Debug, Clone, Serialize)]
pub struct LearningCandidate {
    pub id: String,
    pub confidence: f64,
    pub file: String,
    /// `pattern → path` pairs that matched.
    pub matched: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokens: Option<usize>,
    pub kept: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dropped: Option<String>,
    #[serde(skip)]
    pub block: String,
}

/// The resolved bundle.
#[derive(Debug, Clone, Serialize)]
pub struct Composition {
    pub role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// Where the modules were read from.
    pub library: String,
    pub stacks: Vec<StackUse>,
    pub concerns: Vec<String>,
    pub budget: usize,
    /// Tokens of everything kept (module blocks plus learning blocks).
    pub tokens_used: usize,
    pub max_modules: usize,
    /// Every module candidate, in priority order.
    pub modules: Vec<Candidate>,
    /// Every accepted learning whose scope named this role, best first.
    pub learnings: Vec<LearningCandidate>,
    /// Things the user should know (unmapped concerns, skipped learning files, no paths, …).
    pub notes: Vec<String>,
}

impl Composition {
    pub fn kept(&self) -> impl Iterator<Item = &Candidate> {
        self.modules.iter().filter(|c| c.kept)
    }
    pub fn kept_learnings(&self) -> impl Iterator<Item = &LearningCandidate> {
        self.learnings.iter().filter(|c| c.kept)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("unknown role `{role}`; use one of: {known}")]
    UnknownRole { role: String, known: String },
    #[error("unknown stack `{stack}`; use `auto` or one of: {known}")]
    UnknownStack { stack: String, known: String },
    #[error("unknown concern `{concern}`; use one of: {known}")]
    UnknownConcern { concern: String, known: String },
    #[error("{where_}: {why}; fix it and check the library with `wazir validate expertise`")]
    NoMap { where_: String, why: String },
}

/// Composes the bundle for `req` from `lib`, with `learnings` from the memory path.
pub fn compose(
    lib: &Library,
    req: &Request,
    learnings: &[Learning],
) -> Result<Composition, ComposeError> {
    let Some(map) = &lib.map else {
        let why = lib
            .problems
            .iter()
            .find(|p| p.rule() == "map-schema")
            .map(|p| match p.line {
                Some(l) => format!("line {l}: {}", p.message),
                None => p.message.clone(),
            })
            .unwrap_or_else(|| "the library has no composition-map.yaml".into());
        return Err(ComposeError::NoMap {
            where_: lib.display_path(crate::library::MAP_FILE),
            why,
        });
    };
    let role = wazir_core::ids::to_id(&req.role);
    if !req.known_roles.contains(&role) {
        return Err(ComposeError::UnknownRole {
            role,
            known: req.known_roles.join(", "),
        });
    }
    let stack_vocab: Vec<String> = match &lib.index {
        Some(ix) => ix.stacks.clone(),
        None => KNOWN_STACKS.iter().map(|s| s.to_string()).collect(),
    };
    let concern_vocab: Vec<String> = match &lib.index {
        Some(ix) => ix.concerns.clone(),
        None => map.concerns.keys().cloned().collect(),
    };
    let mut notes = Vec::new();

    // Stacks: requested ones, then detected ones, in vocabulary order.
    let mut uses: BTreeMap<usize, StackUse> = BTreeMap::new();
    for s in &req.stacks {
        let pos =
            stack_vocab
                .iter()
                .position(|v| v == s)
                .ok_or_else(|| ComposeError::UnknownStack {
                    stack: s.clone(),
                    known: stack_vocab.join(", "),
                })?;
        uses.entry(pos).or_insert(StackUse {
            id: s.clone(),
            source: "requested",
            evidence: Vec::new(),
        });
    }
    for d in &req.detected {
        if let Some(pos) = stack_vocab.iter().position(|v| *v == d.stack) {
            uses.entry(pos).or_insert(StackUse {
                id: d.stack.clone(),
                source: "detected",
                evidence: d.evidence.clone(),
            });
        }
    }
    let stacks: Vec<StackUse> = uses.into_values().collect();
    let mut concerns = Vec::new();
    for c in &req.concerns {
        if !concern_vocab.contains(c) {
            return Err(ComposeError::UnknownConcern {
                concern: c.clone(),
                known: concern_vocab.join(", "),
            });
        }
        if !concerns.contains(c) {
            concerns.push(c.clone());
        }
    }

    // Raw candidates in resolution order.
    let mut raw: Vec<(Layer, String, String, String)> = Vec::new(); // layer, key, id, reason
    if let Some(ids) = map.always.get(&role) {
        for id in ids {
            raw.push((
                Layer::Always,
                format!("always.{role}"),
                id.clone(),
                format!("always loaded for the {role}"),
            ));
        }
    }
    for id in &map.auto {
        raw.push((
            Layer::Auto,
            "auto".into(),
            id.clone(),
            "loaded for every role and stack".into(),
        ));
    }
    for s in &stacks {
        let why = match s.source {
            "detected" => format!(
                "stack {} detected ({})",
                s.id,
                s.evidence.first().cloned().unwrap_or_default()
            ),
            _ => format!("stack {} requested", s.id),
        };
        let Some(entry) = map.stacks.get(&s.id) else {
            notes.push(format!(
                "the composition map has no modules for stack `{}` yet",
                s.id
            ));
            continue;
        };
        if let Some(ids) = entry.roles.get(&role) {
            for id in ids {
                raw.push((
                    Layer::Stack,
                    format!("stacks.{}.{role}", s.id),
                    id.clone(),
                    format!("{why}: for the {role}"),
                ));
            }
        }
        if map.stack_antipattern_roles.contains(&role) {
            for id in &entry.antipatterns {
                raw.push((
                    Layer::Stack,
                    format!("stacks.{}.antipatterns", s.id),
                    id.clone(),
                    format!("{why}: the stack's antipatterns"),
                ));
            }
        }
    }
    for c in &concerns {
        match map.concerns.get(c).and_then(|r| r.get(&role)) {
            Some(ids) => {
                for id in ids {
                    raw.push((
                        Layer::Concern,
                        format!("concerns.{c}.{role}"),
                        id.clone(),
                        format!("concern {c} declared: for the {role}"),
                    ));
                }
            }
            None => notes.push(format!(
                "the composition map has no `{c}` modules for the {role}"
            )),
        }
    }

    // De-duplicate, keeping the first place each module was named.
    let mut cands: Vec<Candidate> = Vec::new();
    for (layer, key, id, reason) in raw {
        if let Some(c) = cands.iter_mut().find(|c| c.id == id) {
            if !c.also_in.contains(&key) && c.map_key != key {
                c.also_in.push(key);
            }
            continue;
        }
        cands.push(Candidate {
            id,
            layer,
            map_key: key,
            reason,
            also_in: Vec::new(),
            title: None,
            path: None,
            tokens: None,
            kept: false,
            dropped: None,
            block: String::new(),
        });
    }
    // Reviewer and verifier read the antipatterns first (stable: layer order kept within each).
    if role == "reviewer" || role == "verifier" {
        let (mut anti, rest): (Vec<_>, Vec<_>) = cands
            .into_iter()
            .partition(|c| c.id.starts_with("antipatterns/"));
        for c in &mut anti {
            c.reason.push_str("; antipatterns first for the ");
            c.reason.push_str(&role);
        }
        anti.extend(rest);
        cands = anti;
    }

    // Render, then keep in priority order within the cap and the budget.
    let mut used = 0usize;
    let mut kept_count = 0usize;
    for c in &mut cands {
        let Some(m) = lib.module(&c.id) else {
            c.dropped = Some(match lib.unreadable.get(&c.id) {
                Some(why) => format!("the module file cannot be read: {why}"),
                None => "no such module in the library yet".into(),
            });
            continue;
        };
        let path = lib.display_path(&m.rel_path);
        c.block = render::module_block(m, &path);
        let t = wazir_core::tokens::count(&c.block);
        c.title = Some(m.title.clone());
        c.path = Some(path);
        c.tokens = Some(t);
        if kept_count >= req.max_modules {
            c.dropped = Some(format!(
                "over the {}-module cap; the {} modules before it have higher priority",
                req.max_modules, req.max_modules
            ));
        } else if used + t > req.budget {
            c.dropped = Some(format!(
                "over the token budget: its brief is {t} tokens and {} of {} remain after \
                 higher-priority modules",
                req.budget - used,
                req.budget
            ));
        } else {
            used += t;
            kept_count += 1;
            c.kept = true;
        }
    }

    // Learnings: role and phase scope, not expired, a pattern matching a task path.
    let mut lcands: Vec<LearningCandidate> = Vec::new();
    let scoped: Vec<&Learning> = learnings
        .iter()
        .filter(|l| l.roles.contains(&role))
        .collect();
    if !scoped.is_empty() && req.paths.is_empty() {
        notes.push(format!(
            "{} accepted learning(s) name the {role}; pass the task's files with --paths to \
             include those that apply",
            scoped.len()
        ));
    }
    let mut ranked = scoped;
    ranked.sort_by(|a, b| {
        b.confidence
            .partial_cmp(&a.confidence)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.id.cmp(&b.id))
    });
    let mut kept_l = 0usize;
    for l in ranked {
        if req.paths.is_empty() {
            break;
        }
        let matched: Vec<String> = learnings::matches(l, &req.paths)
            .into_iter()
            .map(|(p, f)| format!("{p} → {f}"))
            .collect();
        let mut lc = LearningCandidate {
            id: l.id.clone(),
            confidence: l.confidence,
            file: l.file.display().to_string(),
            matched: matched.clone(),
            tokens: None,
            kept: false,
            dropped: None,
            block: String::new(),
        };
        if matched.is_empty() {
            continue;
        }
        if let (Some(phase), false) = (&req.phase, l.phases.is_empty())
            && !l.phases.contains(phase)
        {
            lc.dropped = Some(format!("its scope names other phases, not {phase}"));
            lcands.push(lc);
            continue;
        }
        if let Some(exp) = &l.expires
            && !req.today.is_empty()
            && exp.as_str() < req.today.as_str()
        {
            lc.dropped = Some(format!("expired on {exp}; re-review it"));
            lcands.push(lc);
            continue;
        }
        lc.block = render::learning_block(l, &matched);
        let t = wazir_core::tokens::count(&lc.block);
        lc.tokens = Some(t);
        if kept_l >= req.max_learnings {
            lc.dropped = Some(format!(
                "beyond the {} highest-confidence matching learnings",
                req.max_learnings
            ));
        } else if used + t > req.budget {
            lc.dropped = Some(format!(
                "over the token budget: {t} tokens and {} of {} remain",
                req.budget - used,
                req.budget
            ));
        } else {
            used += t;
            kept_l += 1;
            lc.kept = true;
        }
        lcands.push(lc);
    }

    Ok(Composition {
        role,
        phase: req.phase.clone(),
        library: match &lib.origin {
            crate::library::Origin::Dir(d) => d.display().to_string(),
            crate::library::Origin::Embedded => "embedded kit".into(),
        },
        stacks,
        concerns,
        budget: req.budget,
        tokens_used: used,
        max_modules: req.max_modules,
        modules: cands,
        learnings: lcands,
        notes,
    })
}

/// Today's UTC date as `YYYY-MM-DD`, for expiry checks.
pub fn today() -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::OffsetDateTime::now_utc()
        .date()
        .format(&fmt)
        .unwrap_or_default()
}
