//! Winners of the Automated Negotiating Agents Competition (ANAC), built from their
//! published descriptions (never from their code). Each type's documentation gives its
//! source, the rules as described, and what accord had to interpret.
//!
//! | name | type | source |
//! |---|---|---|
//! | `agentk` | [`AgentK`] | Kawaguchi, Fujita and Ito 2012, "`AgentK`: Compromising Strategy based on Estimated Maximum Utility for Automated Negotiating Agents", in *New Trends in Agent-Based Complex Automated Negotiations* (winner of ANAC 2010) |
//! | `hardheaded` | [`HardHeaded`] | van Krimpen, Looije and Hajizadeh 2013, "`HardHeaded`", in *Complex Automated Negotiations: Theories, Models, and Software Competitions* (winner of ANAC 2011) |
//! | `cuhkagent` | [`CuhkAgent`] | Hao and Leung 2012, "`ABiNeS`: An Adaptive Bilateral Negotiating Strategy over Multiple Items", IAT 2012 (`CUHKAgent`, winner of ANAC 2012) |
//! | `atlas3` | [`Atlas3`] | Mori and Ito 2017, "`Atlas3`: A Negotiating Agent Based on Expecting Lower Limit of Concession Function", in *Modern Approaches to Agent-based Complex Automated Negotiation* (winner of ANAC 2015, multilateral) |
//!
//! Every utility below is relative to the negotiator's own best listed package (`best`)
//! and floor (`floor = max(r, worst)`), as for the standard negotiators. None of them
//! reads its discount factor: they play as their descriptions do without discounting
//! (the payoffs of a session are still discounted, [`crate::run_saop`]).

mod agentk;
mod atlas3;
mod cuhk;
mod hardheaded;

pub use agentk::AgentK;
pub use atlas3::Atlas3;
pub use cuhk::CuhkAgent;
pub use hardheaded::HardHeaded;

use crate::model::Package;
use crate::negotiation::Me;

/// The best offer a negotiator has received among those clearing its red lines.
#[derive(Debug, Clone, Default)]
struct BestReceived(Option<(f64, Package)>);

impl BestReceived {
    /// Hears an offer of `package`; its utility when it clears the red lines.
    fn hear(&mut self, me: &Me<'_>, package: &Package) -> Option<f64> {
        if !me.position.clears_red_lines(package) {
            return None;
        }
        let utility = me.utility(package);
        if self.0.as_ref().is_none_or(|(u, _)| utility > *u) {
            self.0 = Some((utility, package.clone()));
        }
        Some(utility)
    }

    /// Its utility; `None` before any.
    fn utility(&self) -> Option<f64> {
        self.0.as_ref().map(|(u, _)| *u)
    }

    /// The package and its utility, when it is worth at least `target`.
    fn at_least(&self, target: f64) -> Option<(Package, f64)> {
        self.0
            .as_ref()
            .filter(|(u, _)| *u >= target)
            .map(|(u, package)| (package.clone(), *u))
    }
}
