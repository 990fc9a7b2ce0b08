//! Progress of long solves (issue 9): a single line on stderr, only when stderr is a terminal.
//!
//! Stages of a solve ([`crate::results`]) and backends ([`super::microlp`] slices its branch and
//! bound into one-second calls when progress is wanted) report what they are doing through
//! [`Settings::progress`](super::Settings); a ticker thread redraws the line every half second
//! once the command has run for [`QUIET`]: elapsed time, stage and, for MIPs, the incumbent, the
//! gap and the nodes solved. The line is cleared when the [`Line`] is dropped.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Nothing is drawn before the command has run this long.
pub const QUIET: Duration = Duration::from_secs(2);

/// What a stage or backend reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Info {
    pub stage: String,
    /// Objective of the best integer solution found so far (MIPs).
    pub incumbent: Option<f64>,
    /// Relative MIP gap of the incumbent.
    pub gap: Option<f64>,
    /// Branch-and-bound nodes solved.
    pub nodes: Option<u64>,
}

impl Info {
    pub fn stage(stage: &str) -> Info {
        Info {
            stage: stage.into(),
            ..Info::default()
        }
    }
}

impl std::fmt::Display for Info {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.stage)?;
        if let Some(w) = self.incumbent {
            write!(f, ", incumbent W = {w:.6}")?;
        }
        if let Some(g) = self.gap {
            write!(f, ", gap {g:.1e}")?;
        }
        if let Some(n) = self.nodes {
            write!(f, ", {n} nodes")?;
        }
        Ok(())
    }
}

/// Where progress goes (cheap to clone; shared by every stage of a command).
#[derive(Clone)]
pub struct Progress(Arc<dyn Fn(Info) + Send + Sync>);

impl Progress {
    pub fn new(f: impl Fn(Info) + Send + Sync + 'static) -> Progress {
        Progress(Arc::new(f))
    }

    pub fn report(&self, info: Info) {
        (self.0)(info)
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress")
    }
}

/// The progress line of a command on stderr; cleared on drop.
pub struct Line {
    state: Arc<Mutex<Info>>,
    done: Arc<AtomicBool>,
    drawn: Arc<AtomicBool>,
}

impl Line {
    /// A line on stderr when it is a terminal (None otherwise: pipes and files get nothing).
    pub fn on_terminal(start: Instant) -> Option<Line> {
        std::io::stderr().is_terminal().then(|| Line::start(start))
    }

    fn start(start: Instant) -> Line {
        let state = Arc::new(Mutex::new(Info::stage("building")));
        let done = Arc::new(AtomicBool::new(false));
        let drawn = Arc::new(AtomicBool::new(false));
        {
            let (state, done, drawn) = (state.clone(), done.clone(), drawn.clone());
            std::thread::spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(500));
                    let elapsed = start.elapsed();
                    if elapsed < QUIET {
                        continue;
                    }
                    let info = state.lock().map(|i| i.to_string()).unwrap_or_default();
                    // `done` is read under the stderr lock, so nothing is drawn after the drop
                    // has cleared the line.
                    let mut e = std::io::stderr().lock();
                    if done.load(Ordering::Relaxed) {
                        break;
                    }
                    let _ = write!(e, "\r\x1b[K{:.0} s: {info}", elapsed.as_secs_f64());
                    let _ = e.flush();
                    drawn.store(true, Ordering::Relaxed);
                }
            });
        }
        Line { state, done, drawn }
    }

    /// The handle stages report to.
    pub fn progress(&self) -> Progress {
        let state = self.state.clone();
        Progress::new(move |info| {
            if let Ok(mut s) = state.lock() {
                *s = info;
            }
        })
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        let mut e = std::io::stderr().lock();
        self.done.store(true, Ordering::Relaxed);
        if self.drawn.load(Ordering::Relaxed) {
            let _ = write!(e, "\r\x1b[K");
            let _ = e.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_reads_well() {
        let i = Info {
            stage: "MIP search".into(),
            incumbent: Some(40.0),
            gap: Some(0.0123),
            nodes: Some(17),
        };
        assert_eq!(
            i.to_string(),
            "MIP search, incumbent W = 40.000000, gap 1.2e-2, 17 nodes"
        );
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let p = Progress::new(move |i| s.lock().unwrap().push(i.stage));
        p.report(Info::stage("pricing"));
        assert_eq!(*seen.lock().unwrap(), ["pricing"]);
    }
}
