//! The model and turn policy of each role's subagent (the manifest's `agents` section): which
//! model tier a role runs on, what each tier means on each host, and how many turns the subagent
//! may take. Built-in defaults favour the strongest tier for reviewing and designing and the
//! light tier for research and summaries; a project's own entries replace the defaults one role
//! (or one tier and host) at a time.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The `agents` section as written in a manifest; empty when absent.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AgentPolicy {
    /// Tier name → host → the model that host's agent files name. A host missing from a tier
    /// keeps its session's model.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tiers: BTreeMap<String, BTreeMap<String, String>>,
    /// Role id → its tier and turn limit.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub roles: BTreeMap<String, RoleAgent>,
}

/// One role's entry; a missing field falls back to the default for that role.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RoleAgent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_turns: Option<u32>,
}

/// What one role's agent file carries on one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedAgent {
    pub tier: String,
    /// `None`: the host keeps the session's model (no entry for this host and tier).
    pub model: Option<String>,
    pub max_turns: u32,
}

/// The tier a role gets when neither the project nor the defaults name it.
pub const FALLBACK_TIER: &str = "standard";
/// The turn limit a role gets when neither the project nor the defaults name one.
pub const FALLBACK_MAX_TURNS: u32 = 50;

const DEFAULT_TIERS: &[(&str, &[(&str, &str)])] = &[
    (
        "strong",
        &[("claude", "opus"), ("gemini", "gemini-3-pro-preview")],
    ),
    (
        "standard",
        &[("claude", "sonnet"), ("gemini", "gemini-3-flash-preview")],
    ),
    (
        "light",
        &[("claude", "haiku"), ("gemini", "gemini-2.5-flash-lite")],
    ),
];

/// Role → (tier, turn limit). Reviewing and design get the strongest model; research and the
/// learner's summaries the light one.
const DEFAULT_ROLES: &[(&str, &str, u32)] = &[
    ("clarifier", "standard", 30),
    ("researcher", "light", 60),
    ("specifier", "standard", 40),
    ("content_author", "standard", 40),
    ("designer", "strong", 50),
    ("planner", "standard", 50),
    ("executor", "standard", 150),
    ("verifier", "standard", 80),
    ("reviewer", "strong", 60),
    ("learner", "light", 30),
];

impl AgentPolicy {
    /// The built-in policy.
    pub fn defaults() -> Self {
        Self {
            tiers: DEFAULT_TIERS
                .iter()
                .map(|(tier, hosts)| {
                    (
                        tier.to_string(),
                        hosts
                            .iter()
                            .map(|(h, m)| (h.to_string(), m.to_string()))
                            .collect(),
                    )
                })
                .collect(),
            roles: DEFAULT_ROLES
                .iter()
                .map(|(role, tier, turns)| {
                    (
                        role.to_string(),
                        RoleAgent {
                            tier: Some(tier.to_string()),
                            max_turns: Some(*turns),
                        },
                    )
                })
                .collect(),
        }
    }

    /// This (project) policy laid over the defaults: a project entry wins field by field.
    pub fn over_defaults(&self) -> Self {
        let mut out = Self::defaults();
        for (tier, hosts) in &self.tiers {
            let t = out.tiers.entry(tier.clone()).or_default();
            for (host, model) in hosts {
                t.insert(host.clone(), model.clone());
            }
        }
        for (role, entry) in &self.roles {
            let r = out.roles.entry(role.clone()).or_default();
            if entry.tier.is_some() {
                r.tier = entry.tier.clone();
            }
            if entry.max_turns.is_some() {
                r.max_turns = entry.max_turns;
            }
        }
        out
    }

    /// What `role`'s agent carries on `host`, from this policy as it stands (call
    /// [`AgentPolicy::over_defaults`] first to include the defaults). A model of `inherit`
    /// counts as no model.
    pub fn resolve(&self, role: &str, host: &str) -> ResolvedAgent {
        let entry = self.roles.get(role);
        let tier = entry
            .and_then(|e| e.tier.clone())
            .unwrap_or_else(|| FALLBACK_TIER.to_string());
        let max_turns = entry
            .and_then(|e| e.max_turns)
            .unwrap_or(FALLBACK_MAX_TURNS);
        let model = self
            .tiers
            .get(&tier)
            .and_then(|hosts| hosts.get(host))
            .filter(|m| m.as_str() != "inherit")
            .cloned();
        ResolvedAgent {
            tier,
            model,
            max_turns,
        }
    }

    /// Tiers that roles name but no tier table defines, as `(role, tier)`.
    pub fn undefined_tiers(&self) -> Vec<(String, String)> {
        self.roles
            .iter()
            .filter_map(|(role, e)| {
                let t = e.tier.as_ref()?;
                (!self.tiers.contains_key(t)).then(|| (role.clone(), t.clone()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_favour_the_strong_tier_for_review_and_the_light_one_for_research() {
        let p = AgentPolicy::defaults();
        let reviewer = p.resolve("reviewer", "claude");
        assert_eq!(reviewer.model.as_deref(), Some("opus"));
        assert_eq!(reviewer.tier, "strong");
        assert_eq!(
            p.resolve("researcher", "claude").model.as_deref(),
            Some("haiku")
        );
        assert_eq!(p.resolve("learner", "gemini").tier, "light");
        assert_eq!(p.resolve("executor", "claude").max_turns, 150);
        assert!(p.undefined_tiers().is_empty());
        // A host with no entry for the tier keeps the session's model.
        assert_eq!(p.resolve("reviewer", "cursor").model, None);
    }

    #[test]
    fn a_project_overrides_one_field_at_a_time() {
        let project: AgentPolicy = crate::yaml::from_str(std::path::Path::new("m.yaml"), 
            "tiers:\n  strong: { claude: inherit }\nroles:\n  researcher: { max_turns: 12 }\n  planner: { tier: strong }\n",
            0,
        )
        .unwrap();
        let p = project.over_defaults();
        let r = p.resolve("researcher", "claude");
        assert_eq!((r.tier.as_str(), r.max_turns), ("light", 12));
        let planner = p.resolve("planner", "gemini");
        assert_eq!(planner.model.as_deref(), Some("gemini-3-pro-preview"));
        assert_eq!(planner.max_turns, 50);
        assert_eq!(p.resolve("reviewer", "claude").model, None, "inherit");
        let bad: AgentPolicy = crate::yaml::from_str(
            std::path::Path::new("m.yaml"),
            "roles:\n  reviewer: { tier: huge }\n",
            0,
        )
        .unwrap();
        assert_eq!(
            bad.over_defaults().undefined_tiers(),
            vec![("reviewer".to_string(), "huge".to_string())]
        );
    }
}
