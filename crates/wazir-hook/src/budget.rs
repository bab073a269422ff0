//! The decision budget of a guard. Every host lets a tool call through when its hook runs past
//! the registered timeout, so a guard that is slow on some input fails open. Each guard carries
//! a budget and checks it inside every loop whose length depends on the input; past it, the
//! guard stops and blocks with a reason that says so.
//!
//! The budget is the guard's own work: 25 ms of the thread's CPU time (read from
//! `/proc/thread-self/schedstat` on Linux, only once 25 ms of wall time have passed), so a
//! machine busy with other work does not turn ordinary calls into blocks. Whatever the load,
//! the guard stops after 2 s of wall time, far below every host's registered timeout. Where the
//! CPU time cannot be read, the 25 ms are wall time.

use std::cell::Cell;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

/// The time a guard may spend deciding, from the moment it starts reading the call.
pub const DECISION_BUDGET: Duration = Duration::from_millis(25);
/// The wall-time limit whatever the machine's load.
pub const WALL_LIMIT: Duration = Duration::from_secs(2);

/// A budget, checked where input-sized work loops.
#[derive(Debug)]
pub struct Budget {
    start: Instant,
    limit: Duration,
    wall_limit: Duration,
    /// The thread's CPU time at the start, when it can be read.
    cpu_start: Option<Duration>,
    /// When the CPU time was last read, and whether it was over the limit then.
    last_probe: Cell<Option<(Instant, bool)>>,
}

impl Budget {
    pub fn new(limit: Duration) -> Budget {
        Budget {
            start: Instant::now(),
            limit,
            wall_limit: WALL_LIMIT.max(limit),
            cpu_start: thread_cpu_time(),
            last_probe: Cell::new(None),
        }
    }

    /// The standard guard budget.
    pub fn guard() -> Budget {
        Budget::new(DECISION_BUDGET)
    }

    /// Whether the budget is spent.
    pub fn expired(&self) -> bool {
        let wall = self.start.elapsed();
        if wall < self.limit {
            return false;
        }
        if wall >= self.wall_limit {
            return true;
        }
        let Some(c0) = self.cpu_start else {
            return true;
        };
        // Read the CPU time at most once a millisecond.
        if let Some((at, over)) = self.last_probe.get()
            && at.elapsed() < Duration::from_millis(1)
        {
            return over;
        }
        let over = thread_cpu_time().is_none_or(|c| c.saturating_sub(c0) >= self.limit);
        self.last_probe.set(Some((Instant::now(), over)));
        over
    }

    /// An error naming the budget once it is spent; `what` says what was running.
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

/// The calling thread's CPU time so far (Linux: the first field of its schedstat, in ns).
fn thread_cpu_time() -> Option<Duration> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
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

    #[test]
    fn waiting_is_not_work_but_working_is() {
        let b = Budget::new(Duration::from_millis(5));
        std::thread::sleep(Duration::from_millis(20));
        if thread_cpu_time().is_some() {
            assert!(!b.expired(), "sleeping spent the CPU budget");
            let t = Instant::now();
            let mut x = 0u64;
            while !b.expired() {
                x = x.wrapping_add(1);
                assert!(
                    t.elapsed() < Duration::from_secs(3),
                    "the budget never ran out"
                );
            }
            assert!(x > 0);
        } else {
            assert!(b.expired());
        }
    }
}
