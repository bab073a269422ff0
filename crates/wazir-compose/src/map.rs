//! `composition-map.yaml`: which modules each layer names. Four layers — `always` (per role),
//! `auto` (every stack, every role), `stacks` (per stack: per-role lists and an `antipatterns`
//! list for the roles in `stack_antipattern_roles`) and `concerns` (per concern, per role).
//! Checked against `schemas/composition-map.schema.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The parsed map.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompositionMap {
    pub version: u32,
    /// Roles that receive a stack's `antipatterns` list.
    pub stack_antipattern_roles: Vec<String>,
    /// Per role: modules every bundle for that role starts with.
    pub always: BTreeMap<String, Vec<String>>,
    /// Modules every bundle gets, whatever the role and stack.
    pub auto: Vec<String>,
    /// Per stack id.
    #[serde(default)]
    pub stacks: BTreeMap<String, StackEntry>,
    /// Per concern id, per role.
    #[serde(default)]
    pub concerns: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

/// One stack's lists: `antipatterns` plus one list per role.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StackEntry {
    #[serde(default)]
    pub antipatterns: Vec<String>,
    #[serde(flatten)]
    pub roles: BTreeMap<String, Vec<String>>,
}

/// One place the map names a module: a dotted key such as `stacks.react.antipatterns`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapRef {
    pub key: String,
    pub id: String,
}

impl CompositionMap {
    /// Every module id the map names, with where.
    pub fn refs(&self) -> Vec<MapRef> {
        let mut out = Vec::new();
        let mut push = |key: String, ids: &[String]| {
            for id in ids {
                out.push(MapRef {
                    key: key.clone(),
                    id: id.clone(),
                });
            }
        };
        for (role, ids) in &self.always {
            push(format!("always.{role}"), ids);
        }
        push("auto".into(), &self.auto);
        for (stack, e) in &self.stacks {
            push(format!("stacks.{stack}.antipatterns"), &e.antipatterns);
            for (role, ids) in &e.roles {
                push(format!("stacks.{stack}.{role}"), ids);
            }
        }
        for (concern, roles) in &self.concerns {
            for (role, ids) in roles {
                push(format!("concerns.{concern}.{role}"), ids);
            }
        }
        out
    }

    /// Every role id the map uses as a key, with where.
    pub fn role_keys(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for r in &self.stack_antipattern_roles {
            out.push(("stack_antipattern_roles".into(), r.clone()));
        }
        for r in self.always.keys() {
            out.push(("always".into(), r.clone()));
        }
        for (s, e) in &self.stacks {
            for r in e.roles.keys() {
                out.push((format!("stacks.{s}"), r.clone()));
            }
        }
        for (c, roles) in &self.concerns {
            for r in roles.keys() {
                out.push((format!("concerns.{c}"), r.clone()));
            }
        }
        out
    }
}
