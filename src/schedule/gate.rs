//! The gate: where operations that are ready wait for their turn, and the
//! choosers that give it.

use super::strategy::{Decisions, Strategy};
use crate::journal::Journal;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

/// A run's gate, when it has a schedule other than the default.
pub(crate) type Gate = Option<Arc<Gatekeeper>>;

/// Holds every operation that arrives ready until the harness, finding
/// the run with nothing else to do, releases one as the strategy says.
pub(crate) struct Gatekeeper {
    state: Mutex<State>,
    journal: Journal,
    /// The run's task, woken when an operation arrives: the operation may
    /// have been polled by another task (p2's HTTP runs in one of
    /// wasmtime-wasi's), and the run must look again.
    keeper: Mutex<Option<Waker>>,
    /// Set while the run's task polls the run: an operation arriving then
    /// is seen when the poll returns, and wakes nobody.
    polling: std::sync::atomic::AtomicBool,
}

struct State {
    chooser: Chooser,
    held: Vec<Waiting>,
    released: Vec<u64>,
    next_ticket: u64,
    next_chain: u64,
    /// Decisions so far: releases made with two or more held.
    points: u32,
    /// How many were held at each decision.
    held_at: Vec<u32>,
    /// Releases so far.
    steps: u32,
    taken: Vec<(u32, u32)>,
}

struct Waiting {
    ticket: u64,
    chain: u64,
    label: String,
    waker: Waker,
}

enum Chooser {
    Random(u64),
    Pct(Pct),
    Replay(Decisions),
}

struct Pct {
    rng: u64,
    depth: u32,
    /// Steps (1-based) after which the chain just released drops.
    changes: Vec<u32>,
    priority: HashMap<u64, u64>,
}

fn next(rng: &mut u64) -> u64 {
    *rng = crate::kernel::mix(*rng);
    *rng
}

/// What a gate did in one run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Taken {
    /// The decisions that did not take the first-held operation.
    pub decisions: Decisions,
    /// How many decisions there were (releases with two or more held).
    pub points: u32,
    /// How many operations were held and released.
    pub steps: u32,
    /// How many operations were held at each decision, in order: the
    /// choices the run could have made, which `exhaustive` walks.
    pub held: Vec<u32>,
}

impl Gatekeeper {
    /// A gate for `strategy`, or none for the default. `seed` is the
    /// run's; `steps` is how many releases a run of the same scenario made
    /// in arrival order (PCT spreads its change points over them).
    pub(crate) fn new(strategy: &Strategy, seed: u64, steps: u32, journal: Journal) -> Gate {
        let chooser = match strategy {
            Strategy::Default => return None,
            Strategy::Random { seed: s } => Chooser::Random(crate::kernel::mix(s.unwrap_or(seed) ^ 0x5c4e_d01e)),
            Strategy::Pct { depth, seed: s } => {
                let mut rng = crate::kernel::mix(s.unwrap_or(seed) ^ 0x9c7_5eed);
                let k = u64::from(steps.max(1));
                let changes = (1..*depth).map(|_| (next(&mut rng) % k) as u32 + 1).collect();
                Chooser::Pct(Pct { rng, depth: *depth, changes, priority: HashMap::new() })
            }
            Strategy::Replay(d) => Chooser::Replay(d.clone()),
            // An exploration gives each schedule of the walk as a replay;
            // alone, it is the walk's first.
            Strategy::Exhaustive { .. } => Chooser::Replay(Decisions::default()),
        };
        Some(Arc::new(Gatekeeper::with(chooser, journal)))
    }

    fn with(chooser: Chooser, journal: Journal) -> Self {
        Gatekeeper {
            state: Mutex::new(State {
                chooser,
                held: Vec::new(),
                released: Vec::new(),
                next_ticket: 0,
                next_chain: 0,
                points: 0,
                held_at: Vec::new(),
                steps: 0,
                taken: Vec::new(),
            }),
            journal,
            keeper: Mutex::new(None),
            polling: false.into(),
        }
    }

    /// Names the task to wake when an operation arrives.
    pub(crate) fn keep(&self, waker: &Waker) {
        let mut k = self.keeper.lock().unwrap_or_else(|e| e.into_inner());
        match &mut *k {
            Some(w) => w.clone_from(waker),
            None => *k = Some(waker.clone()),
        }
    }

    /// Polls `f` as the run's task: what arrives meanwhile is its own.
    pub(crate) fn polled<T>(&self, f: impl FnOnce() -> T) -> T {
        use std::sync::atomic::Ordering::SeqCst;
        self.polling.store(true, SeqCst);
        let out = f();
        self.polling.store(false, SeqCst);
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Is any operation waiting for its turn?
    pub(crate) fn holds(&self) -> bool {
        !self.lock().held.is_empty()
    }

    /// Releases one held operation, chosen by the strategy, and wakes it.
    /// Returns false when none was held.
    pub(crate) fn release_one(&self) -> bool {
        let mut s = self.lock();
        if s.held.is_empty() {
            return false;
        }
        let n = s.held.len();
        let point = s.points;
        let step = s.steps + 1;
        let State { chooser, held, .. } = &mut *s;
        if let Chooser::Pct(p) = chooser {
            for w in held.iter() {
                // Initial priorities sit above the change points'
                // (1..depth), in random order; a chain gets its own the
                // first time one of its operations is held.
                if !p.priority.contains_key(&w.chain) {
                    let pr = u64::from(p.depth) + (next(&mut p.rng) >> 16);
                    p.priority.insert(w.chain, pr);
                }
            }
        }
        let choice = match chooser {
            _ if n < 2 => 0,
            Chooser::Random(rng) => (next(rng) % n as u64) as usize,
            Chooser::Replay(d) => (d.at(point) as usize).min(n - 1),
            // The first held of the highest priority.
            Chooser::Pct(p) => (0..n).rev().max_by_key(|&i| p.priority[&held[i].chain]).unwrap_or(0),
        };
        let w = s.held.remove(choice);
        if let Chooser::Pct(p) = &mut s.chooser {
            for (i, at) in p.changes.iter().enumerate() {
                if *at == step {
                    p.priority.insert(w.chain, i as u64 + 1);
                }
            }
        }
        s.steps = step;
        if n >= 2 {
            s.points += 1;
            s.held_at.push(n as u32);
            if choice > 0 {
                s.taken.push((point, choice as u32));
            }
        }
        s.released.push(w.ticket);
        let others: Vec<String> = if n >= 2 && self.journal.is_some() { s.held.iter().map(|o| o.label.clone()).collect() } else { Vec::new() };
        drop(s);
        if n >= 2 {
            crate::journal::note(
                &self.journal,
                "schedule.pick",
                || format!("point {point}, {n} held"),
                || format!("#{choice} {} (before {})", w.label, others.join(", ")),
            );
        }
        crate::journal::note(&self.journal, "schedule.deliver", || w.label.clone(), String::new);
        w.waker.wake();
        true
    }

    /// What the gate did so far.
    pub(crate) fn taken(&self) -> Taken {
        let s = self.lock();
        Taken { decisions: Decisions(s.taken.clone()), points: s.points, steps: s.steps, held: s.held_at.clone() }
    }

    fn chain(&self) -> u64 {
        let mut s = self.lock();
        s.next_chain += 1;
        s.next_chain
    }
}

/// One chain of operations (a stream, a request) at the gate: each of its
/// operations waits there once before it finishes.
pub(crate) struct Hold {
    gate: Gate,
    chain: u64,
    ticket: Option<u64>,
}

impl Hold {
    /// A chain of its own at `gate` (with no gate, every poll is ready).
    pub(crate) fn new(gate: &Gate) -> Self {
        let chain = gate.as_ref().map_or(0, |g| g.chain());
        Hold { gate: gate.clone(), chain, ticket: None }
    }

    /// Ready once this operation's turn has come: the first poll holds it
    /// (named `label` in the journal), a later one finds it released.
    pub(crate) fn poll(&mut self, cx: &Context<'_>, label: impl FnOnce() -> String) -> Poll<()> {
        let Some(gate) = &self.gate else { return Poll::Ready(()) };
        let Some(t) = self.ticket else {
            // Arrives: the label is for the journal only.
            let label = if gate.journal.is_some() { label() } else { String::new() };
            crate::journal::note(&gate.journal, "schedule.ready", || label.clone(), String::new);
            let mut s = gate.lock();
            let ticket = s.next_ticket;
            s.next_ticket += 1;
            s.held.push(Waiting { ticket, chain: self.chain, label, waker: cx.waker().clone() });
            drop(s);
            self.ticket = Some(ticket);
            if !gate.polling.load(std::sync::atomic::Ordering::SeqCst)
                && let Some(k) = &*gate.keeper.lock().unwrap_or_else(|e| e.into_inner())
            {
                k.wake_by_ref();
            }
            return Poll::Pending;
        };
        let mut s = gate.lock();
        if let Some(i) = s.released.iter().position(|r| *r == t) {
            s.released.swap_remove(i);
            self.ticket = None;
            return Poll::Ready(());
        }
        if let Some(w) = s.held.iter_mut().find(|w| w.ticket == t) {
            w.waker.clone_from(cx.waker());
        }
        Poll::Pending
    }

    /// Waits for this operation's turn.
    pub(crate) async fn wait(&mut self, label: impl FnOnce() -> String) {
        let mut label = Some(label);
        std::future::poll_fn(|cx| self.poll(cx, || label.take().map(|l| l()).unwrap_or_default())).await
    }
}

impl Hold {
    /// Gives up the operation's place: it is no longer held, and a release
    /// already made for it is forgotten.
    pub(crate) fn cancel(&mut self) {
        if let (Some(gate), Some(t)) = (&self.gate, self.ticket.take()) {
            let mut s = gate.lock();
            s.held.retain(|w| w.ticket != t);
            s.released.retain(|r| *r != t);
        }
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        self.cancel();
    }
}
