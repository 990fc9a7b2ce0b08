//! Progress bars with ETA for commands that re-solve, drawn on stderr only when it is a terminal
//! (pipes, files and tests get no escape codes).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar that stays hidden until the number of solves is known (never shows 0/0) and is a
/// no-op off a terminal.
pub struct Bar(Option<ProgressBar>);

impl Bar {
    pub fn new(message: impl Into<String>) -> Bar {
        Bar::counting(message, "solves")
    }

    /// A bar counting `unit` (e.g. the points of a sweep) instead of solves.
    pub fn counting(message: impl Into<String>, unit: &str) -> Bar {
        if !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(&format!(
            "{{msg}} [{{bar:30}}] {{pos}}/{{len}} {unit} ({{eta}})"
        )) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(message.into());
        Bar(Some(bar))
    }

    /// `done` of `total` solves finished (callable from parallel workers).
    pub fn set(&self, done: usize, total: usize) {
        if let Some(b) = &self.0 {
            if b.length() != Some(total as u64) {
                b.set_length(total as u64);
                b.set_draw_target(ProgressDrawTarget::stderr());
            }
            b.set_position(done as u64);
        }
    }

    /// A new stage of the same command: new message, counts start again.
    pub fn stage(&self, message: impl Into<String>) {
        if let Some(b) = &self.0 {
            b.set_message(message.into());
            b.reset();
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}
