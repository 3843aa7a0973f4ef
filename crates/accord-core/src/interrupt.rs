//! Stopping a long analysis from outside it.
//!
//! The core has no clock, so it cannot keep a time budget itself: a caller that has one
//! (the workbench server answers in seconds, and stops work for a client that has gone)
//! runs the analysis under an [`Interrupt`] and raises it from another thread. Every long
//! loop of the analysis (enumeration chunks, merging, searches, trade evaluations) looks
//! at the interrupt watched on its thread and, once it is raised, gives up at once.
//!
//! An interrupted analysis returns promptly, but what it returns is meaningless (a search
//! cut short looks like one that ran out of budget, an enumeration cut short counts too
//! few packages): the caller must discard it, and it knows to because it raised the
//! interrupt.
//!
//! ```
//! use accord_core::Interrupt;
//!
//! let interrupt = Interrupt::new();
//! let watched = interrupt.clone();
//! // Raised by another thread (a timer, a closed connection) while `watch` runs.
//! interrupt.raise();
//! let answer = watched.watch(|| 42);
//! assert!(watched.is_raised());
//! # let _ = answer;
//! ```

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A flag shared between an analysis and whoever may stop it; clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct Interrupt {
    raised: Arc<AtomicBool>,
}

impl Interrupt {
    /// A flag not raised.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks every analysis watching this flag to stop.
    pub fn raise(&self) {
        self.raised.store(true, Ordering::Relaxed);
    }

    /// Whether the flag was raised.
    #[must_use]
    pub fn is_raised(&self) -> bool {
        self.raised.load(Ordering::Relaxed)
    }

    /// The flag watched on this thread, if any: work made of several analyses can look at
    /// it between them.
    #[must_use]
    pub fn current() -> Option<Self> {
        WATCHED.with(|w| w.borrow().clone())
    }

    /// Runs `f` on this thread with this flag watched by every analysis it calls (and the
    /// worker threads they spread to); the flag watched before is restored afterwards.
    pub fn watch<R>(&self, f: impl FnOnce() -> R) -> R {
        struct Restore(Option<Interrupt>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let before = self.0.take();
                WATCHED.with(|w| *w.borrow_mut() = before);
            }
        }
        let before = WATCHED.with(|w| w.borrow_mut().replace(self.clone()));
        let _restore = Restore(before);
        f()
    }
}

thread_local! {
    static WATCHED: RefCell<Option<Interrupt>> = const { RefCell::new(None) };
}

/// Whether the flag watched on this thread was raised: the analysis should stop.
pub(crate) fn raised() -> bool {
    WATCHED.with(|w| w.borrow().as_ref().is_some_and(Interrupt::is_raised))
}

/// Runs `f` watching `interrupt`, or as is when there is none (on a worker thread).
#[cfg(feature = "parallel")]
pub(crate) fn watching<R>(interrupt: Option<&Interrupt>, f: impl FnOnce() -> R) -> R {
    match interrupt {
        Some(interrupt) => interrupt.watch(f),
        None => f(),
    }
}

/// `f` of every item, in order, on every core where the core is parallel, each call
/// watching the interrupt watched here.
pub(crate) fn map_all<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        let interrupt = Interrupt::current();
        items
            .par_iter()
            .map(|item| watching(interrupt.as_ref(), || f(item)))
            .collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        items.iter().map(f).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        AdditiveUtility, Case, EnumerationLimit, Evaluator, MergeLimit, Party, Point, PointKind,
        Position, Role, merged_frontier, pareto_frontier,
    };

    /// `n_points` points of three options and two opposed parties, the first's weights
    /// rising by `tilt` a point.
    fn opposed(n_points: usize, tilt: f64) -> Case {
        let points: Vec<Point> = (0..n_points)
            .map(|i| Point::new(format!("p{i}"), PointKind::options(["a", "b", "c"])))
            .collect();
        let position = |scores: [f64; 3], tilt: f64| {
            Position::new(
                AdditiveUtility::new(
                    (0..n_points).map(|i| 1.0 + tilt * i as f64).collect(),
                    (0..n_points)
                        .map(|_| Evaluator::Options(scores.to_vec()))
                        .collect(),
                )
                .into(),
            )
        };
        let parties = vec![
            Party::new("p", "P", Role::Party).with_position(position([1.0, 0.55, 0.0], tilt)),
            Party::new("q", "Q", Role::Party).with_position(position([0.0, 0.6, 1.0], 0.0)),
        ];
        Case::new("opposed", points, parties).unwrap()
    }

    #[test]
    fn an_interrupted_analysis_gives_up() {
        let interrupt = Interrupt::new();
        let limit = EnumerationLimit::default();
        let merge = MergeLimit::default();
        // 3^10 packages, enumerated in one chunk; 3^40, merged.
        let (small, large) = (opposed(10, 0.1), opposed(40, 0.0));
        let parties = small.negotiating_parties();
        assert!(
            interrupt
                .watch(|| pareto_frontier(&small, &parties, limit))
                .is_ok()
        );
        assert!(
            interrupt
                .watch(|| merged_frontier(&large, &parties, merge))
                .is_ok()
        );
        interrupt.raise();
        assert!(
            interrupt
                .watch(|| pareto_frontier(&small, &parties, limit))
                .is_err()
        );
        assert!(
            interrupt
                .watch(|| merged_frontier(&large, &parties, merge))
                .is_err()
        );
        // Not watched here: the same calls answer.
        assert!(merged_frontier(&large, &parties, merge).is_ok());
    }

    #[test]
    fn a_raised_flag_is_seen_only_where_it_is_watched() {
        let interrupt = Interrupt::new();
        interrupt.raise();
        assert!(!raised(), "nothing is watched on this thread");
        assert!(interrupt.watch(raised));
        assert!(!raised(), "the flag watched before is restored");
        let other = Interrupt::new();
        assert!(!other.watch(raised));
        assert!(other.watch(|| interrupt.watch(raised)), "nested watches");
    }
}
