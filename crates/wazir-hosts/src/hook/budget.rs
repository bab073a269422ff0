//! The decision budget of a guard. Every host lets a tool call through when its hook runs past
//! the registered timeout, so a guard that is slow on some input fails open. Each guard carries
//! a deadline and checks it inside every loop whose length depends on the input; past it, the
//! guard stops and blocks with a reason that says so. The budget is far below every host's
//! timeout and below the 50 ms a hook answer may take.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};

/// The time a guard may spend deciding, from the moment it starts reading the call.
pub const DECISION_BUDGET: Duration = Duration::from_millis(25);

/// A deadline, checked where input-sized work loops.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    deadline: Instant,
    limit: Duration,
}

impl Budget {
    pub fn new(limit: Duration) -> Budget {
        Budget {
            deadline: Instant::now() + limit,
            limit,
        }
    }

    /// The standard guard budget.
    pub fn guard() -> Budget {
        Budget::new(DECISION_BUDGET)
    }

    /// Whether the deadline has passed.
    pub fn expired(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// An error naming the budget once the deadline has passed; `what` says what was running.
    pub fn check(&self, what: &str) -> Result<()> {
        if self.expired() {
            bail!(
                "deciding took longer than the guard's budget of {} ms while {what}; the call is \
                 blocked rather than let through unchecked (split the command or the patch into \
                 smaller calls)",
                self.limit.as_millis()
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expired_budget_is_an_error_naming_the_limit() {
        let b = Budget::new(Duration::ZERO);
        let e = b.check("reading the command").unwrap_err().to_string();
        assert!(
            e.contains("budget of 0 ms while reading the command"),
            "{e}"
        );
        assert!(Budget::guard().check("x").is_ok());
    }
}
