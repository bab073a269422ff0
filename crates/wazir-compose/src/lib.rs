//! The expertise library and the composition engine: the module format (front matter, brief,
//! related modules), the library's `index.yaml` and `composition-map.yaml`, stack detection from
//! a project's files, accepted learnings, the engine that resolves a role's bundle within a token
//! budget, and [`validate`] for `wazir validate expertise`.

pub mod detect;
pub mod engine;
pub mod index;
pub mod learnings;
pub mod library;
pub mod map;
pub mod module;
pub mod problem;
pub mod render;
pub mod superseded;
pub mod validate;

pub use detect::{Detection, detect_stacks};
pub use engine::{Candidate, ComposeError, Composition, Layer, Request, compose};
pub use index::ExpertiseIndex;
pub use library::{Library, Origin};
pub use map::CompositionMap;
pub use module::Module;
pub use problem::{Problem, Severity};
pub use validate::{ValidateOptions, validate};

/// The role ids of the kit's manifest, used when no manifest is at hand.
pub const DEFAULT_ROLES: [&str; 10] = [
    "clarifier",
    "researcher",
    "specifier",
    "content_author",
    "designer",
    "planner",
    "executor",
    "verifier",
    "reviewer",
    "learner",
];

/// The most o200k tokens a module's `## Brief` may hold.
pub const BRIEF_TOKEN_LIMIT: usize = 1_200;
/// The most modules one bundle may hold.
pub const MAX_MODULES: usize = 15;
/// The most accepted learnings one bundle may hold.
pub const MAX_LEARNINGS: usize = 10;
/// The default token budget of a bundle.
pub const DEFAULT_BUDGET: usize = 20_000;
