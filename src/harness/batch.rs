//! Many runs of one guest on a pool of threads, each run on a paused
//! runtime of its own.

use super::{Guest, Harness, HarnessError};
use crate::report::RunReport;
use crate::scenario::Scenario;

impl Harness {
    /// Runs `guest` `runs` times on `threads` threads (at least one, at
    /// most `runs`), each run on its own paused runtime, and returns the
    /// reports in run order. Stops at the first harness error. It keeps
    /// every report; [`Harness::run_each`] hands each one over instead.
    pub fn run_many(
        &self,
        guest: &Guest,
        scenario: &Scenario,
        runs: usize,
        threads: usize,
    ) -> Result<Vec<RunReport>, HarnessError> {
        let all = std::sync::Mutex::new(Vec::with_capacity(runs));
        self.run_each(guest, runs, threads, |_| std::borrow::Cow::Borrowed(scenario), |i, report| {
            all.lock().unwrap_or_else(|e| e.into_inner()).push((i, report));
            true
        })?;
        let mut all = all.into_inner().unwrap_or_else(|e| e.into_inner());
        all.sort_by_key(|(i, _)| *i);
        Ok(all.into_iter().map(|(_, r)| r).collect())
    }

    /// Runs `guest` with `scenario(i)` for each `i` in `0..runs`, on
    /// `threads` threads (at least one, at most `runs`), and hands each
    /// report to `each` as it comes, in no set order; nothing else is kept,
    /// so memory stays flat however many runs there are. Runs are taken in
    /// index order. `each` returning `false` stops the runs not yet begun;
    /// the first harness error stops them too, and is returned.
    pub fn run_each<'s>(
        &self,
        guest: &Guest,
        runs: usize,
        threads: usize,
        scenario: impl Fn(usize) -> std::borrow::Cow<'s, Scenario> + Sync,
        each: impl Fn(usize, RunReport) -> bool + Sync,
    ) -> Result<(), HarnessError> {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let work = || {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= runs || stop.load(Ordering::Relaxed) {
                    return Ok::<_, HarnessError>(());
                }
                let report = match self.run(guest, &scenario(i)) {
                    Ok(r) => r,
                    Err(e) => {
                        stop.store(true, Ordering::Relaxed);
                        return Err(e);
                    }
                };
                if !each(i, report) {
                    stop.store(true, Ordering::Relaxed);
                }
            }
        };
        let threads = threads.clamp(1, runs.max(1));
        std::thread::scope(|s| {
            let workers: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
            let mut result = work();
            for w in workers {
                let theirs = w.join().map_err(|_| HarnessError::Internal("a run thread panicked".into()))?;
                result = result.and(theirs);
            }
            result
        })
    }
}
