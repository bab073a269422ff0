//! What every command gets: the global flags and lazy access to the project and its state root.

use std::path::PathBuf;

use anyhow::Result;
use wazir_core::Project;
use wazir_core::state_root::Legacy;

#[derive(Debug, Clone)]
pub struct Ctx {
    /// `--json`: print machine output.
    pub json: bool,
    /// `--state-root`, when given.
    pub state_root_flag: Option<PathBuf>,
}

impl Ctx {
    pub fn new(json: bool, state_root_flag: Option<PathBuf>) -> Self {
        Self {
            json,
            state_root_flag,
        }
    }

    /// The project found by walking up from the current folder.
    pub fn project(&self) -> Result<Project> {
        let cwd = std::env::current_dir()?;
        Ok(Project::discover(&cwd)?)
    }

    /// The resolved state root of `project`. When an older Wazir's state root was moved to it, or
    /// could not be moved and is used where it is, a note says so on stderr.
    pub fn state_root(&self, project: &Project) -> Result<PathBuf> {
        let sr = project.state_root(self.state_root_flag.as_deref())?;
        match &sr.legacy {
            Some(Legacy::Moved { from }) => eprintln!(
                "note: moved this project's state root from {} to {} (its name now carries a \
                 digest of the project's path, so no other project shares it)",
                from.display(),
                sr.path.display()
            ),
            Some(Legacy::InPlace { reason }) => eprintln!(
                "note: using the older state root {} ({reason}); move it by hand, see \
                 docs/reference/ledger.md",
                sr.path.display()
            ),
            None => {}
        }
        Ok(sr.path)
    }

    /// Prints `value` as pretty JSON on stdout.
    pub fn print_json<T: serde::Serialize>(&self, value: &T) -> Result<()> {
        println!("{}", serde_json::to_string_pretty(value)?);
        Ok(())
    }
}
