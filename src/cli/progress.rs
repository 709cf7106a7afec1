//! Progress of a long run on a terminal: runs done, runs per second and
//! classes so far, redrawn a few times a second on stderr. Nothing is
//! drawn when stderr is not a terminal, so logs and pipes see only the
//! result.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasi_replay::explore::Watch;

/// A watch that Ctrl-C stops: the first press asks the workers to stop
/// and the command prints what ran; a second ends the process at once.
/// Set before anything runs, so an early press is never a bare kill.
pub fn on_ctrl_c() -> Arc<Watch> {
    let watch = Arc::new(Watch::default());
    let stop = watch.clone();
    let _ = ctrlc::set_handler(move || {
        if stop.stop.swap(true, Ordering::Relaxed) {
            std::process::exit(i32::from(super::EXIT_INTERRUPTED));
        }
    });
    watch
}

/// A drawing thread, when stderr is a terminal.
pub struct Progress {
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    /// Starts drawing what `watch` counts.
    pub fn start(watch: &Arc<Watch>) -> Progress {
        let done = Arc::new(AtomicBool::new(false));
        if !std::io::stderr().is_terminal() {
            return Progress { done, thread: None };
        }
        let (watch, finished) = (watch.clone(), done.clone());
        let thread = std::thread::spawn(move || {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4));
            bar.set_style(ProgressStyle::with_template("{spinner} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()));
            let start = Instant::now();
            while !finished.load(Ordering::Relaxed) {
                let runs = watch.runs.load(Ordering::Relaxed);
                let rate = runs as f64 / start.elapsed().as_secs_f64().max(1e-3);
                let stopping = if watch.stop.load(Ordering::Relaxed) { " (stopping: Ctrl-C again ends at once)" } else { "" };
                bar.set_message(format!("{runs} runs, {rate:.0} runs/s, {} classes so far{stopping}", watch.classes.load(Ordering::Relaxed)));
                bar.tick();
                std::thread::sleep(Duration::from_millis(250));
            }
            bar.finish_and_clear();
        });
        Progress { done, thread: Some(thread) }
    }

    /// Stops drawing and clears the line.
    pub fn finish(mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
