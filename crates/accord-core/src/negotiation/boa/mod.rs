//! BOA negotiators (Baarslag, Hindriks, Hendrikx, Dirkzwager and Jonker 2014, "Decoupling
//! negotiating agents to explore the space of negotiation strategies"): a negotiator
//! composed of a **B**idding (offering) strategy, an **O**pponent model and an
//! **A**cceptance condition, each chosen by name with its parameters.
//!
//! A composition is written in one line, wherever a negotiator is named (`accord
//! negotiate`, a tournament configuration, Python):
//!
//! ```text
//! boa(offering=time-dependent(e=0.2), acceptance=combi-max-w(t=0.98), model=frequency)
//! ```
//!
//! Each part is `NAME`, `NAME(key=value, ...)` or `NAME:key=value[:key=value...]`; names
//! and keys are case-insensitive, parts may come in any order and each may be left out:
//! `offering` defaults to `time-dependent` (`e` = 1), `acceptance` to `next` and `model` to
//! `none`. The components are listed in [`offering`], [`acceptance`] and
//! [`crate::negotiation::models`].
//!
//! A BOA negotiator, like the standard ones, sees its own position only (unless its model
//! is `perfect`), offers only packages of its own index and never accepts an offer across
//! one of its red lines or below its reservation value. On its turn it asks the offering
//! strategy for its next package, then the acceptance condition whether the standing offer
//! beats it; each offer it hears goes to its opponent model.
//!
//! ```
//! use accord_core::{NegotiatorSpec, negotiator};
//!
//! let spec = NegotiatorSpec::parse("BOA(offering=boulware, acceptance=const:c=0.8)").unwrap();
//! assert_eq!(
//!     spec.name(),
//!     "boa(offering=time-dependent(e=0.2, window=0.02), acceptance=const(c=0.8), model=none)"
//! );
//! assert!(negotiator("boa(model=frequency)").is_some());
//! let error = NegotiatorSpec::parse("boa(acceptance=next(x=1))").unwrap_err();
//! assert_eq!(
//!     error.to_string(),
//!     "negotiator `boa(acceptance=next(x=1))`: acceptance `next` has no parameter `x` (it takes a, b)"
//! );
//! ```

pub(crate) mod acceptance;
pub(crate) mod offering;

use rand_chacha::ChaCha8Rng;

use self::acceptance::{Acceptance, AcceptanceCondition, Moment};
use self::offering::{Offering, OfferingStrategy};
use crate::negotiation::models::{
    BayesianModel, FrequencyModel, OpponentModel, PerfectModel, TrueProfiles,
};
use crate::negotiation::negotiators::{NEGOTIATORS, standard};
use crate::negotiation::{Action, Me, Negotiator, Offer, State};

/// A negotiator composed of an offering strategy, an acceptance condition and, optionally,
/// an opponent model.
pub struct Boa {
    name: String,
    offering: Box<dyn OfferingStrategy>,
    acceptance: Box<dyn AcceptanceCondition>,
    model: Option<Box<dyn OpponentModel>>,
    /// Offers received: `(time, its utility)`.
    received: Vec<(f64, f64)>,
    /// Utilities of offers heard since its last turn, stamped with the time of its next.
    pending: Vec<f64>,
    /// Its utility of its last offer.
    previous: Option<f64>,
    /// The time of its last turn.
    time: f64,
}

impl std::fmt::Debug for Boa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Boa")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Boa {
    /// A negotiator of these components, called `name` in traces and tables.
    #[must_use]
    pub fn new(
        name: impl Into<String>,
        offering: Box<dyn OfferingStrategy>,
        acceptance: Box<dyn AcceptanceCondition>,
        model: Option<Box<dyn OpponentModel>>,
    ) -> Self {
        Self {
            name: name.into(),
            offering,
            acceptance,
            model,
            received: Vec::new(),
            pending: Vec::new(),
            previous: None,
            time: 0.0,
        }
    }
}

impl Negotiator for Boa {
    fn name(&self) -> &str {
        &self.name
    }

    fn start(&mut self, me: &Me<'_>) {
        self.received.clear();
        self.pending.clear();
        self.previous = None;
        self.time = 0.0;
        if let Some(model) = &mut self.model {
            model.start(me);
        }
    }

    fn act(
        &mut self,
        me: &Me<'_>,
        state: &State,
        standing: Option<&Offer>,
        rng: &mut ChaCha8Rng,
    ) -> Action {
        if me.outcomes.is_empty() {
            return Action::End;
        }
        self.time = state.time;
        self.received
            .extend(self.pending.drain(..).map(|u| (state.time, u)));
        let (package, next) = self.offering.offer(me, state, self.model.as_deref(), rng);
        let offered = standing
            .filter(|offer| me.position.clears_red_lines(&offer.package))
            .map(|offer| me.utility(&offer.package))
            .filter(|&u| u >= me.reservation_value());
        if let Some(offered) = offered {
            let moment = Moment {
                time: state.time,
                offered,
                next,
                previous: self.previous,
                received: &self.received,
            };
            if self.acceptance.accepts(&moment) {
                return Action::Accept;
            }
        }
        self.previous = Some(next);
        Action::Offer(package)
    }

    fn observe(&mut self, me: &Me<'_>, by: usize, action: &Action) {
        if let Action::Offer(package) = action {
            self.pending.push(me.utility(package));
            if let Some(model) = &mut self.model {
                model.update(me, by, package, self.time);
            }
        }
    }

    fn opponent_model(&self) -> Option<&dyn OpponentModel> {
        self.model.as_deref()
    }
}

/// Which opponent model a composition holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ModelChoice {
    /// No model.
    None,
    /// [`FrequencyModel`] with its weight step.
    Frequency {
        /// The weight step.
        learn: f64,
    },
    /// [`BayesianModel`] with its assumptions.
    Bayesian {
        /// The concession assumed by the deadline.
        concession: f64,
        /// The likelihood's spread.
        sigma: f64,
    },
    /// [`PerfectModel`].
    Perfect,
}

impl ModelChoice {
    /// The model (`Ok(None)` for none); `Err(())` for the perfect model without
    /// `profiles`.
    fn build(self, profiles: Option<&TrueProfiles>) -> Result<Option<Box<dyn OpponentModel>>, ()> {
        Ok(match self {
            Self::None => None,
            Self::Frequency { learn } => Some(Box::new(FrequencyModel::new(learn))),
            Self::Bayesian { concession, sigma } => {
                Some(Box::new(BayesianModel::new(concession, sigma)))
            }
            Self::Perfect => Some(Box::new(PerfectModel::new(profiles.ok_or(())?.clone()))),
        })
    }

    fn name(self) -> String {
        match self {
            Self::None => "none".into(),
            Self::Perfect => "perfect".into(),
            Self::Frequency { learn } => format!("frequency(learn={learn})"),
            Self::Bayesian { concession, sigma } => {
                format!("bayesian(concession={concession}, sigma={sigma})")
            }
        }
    }
}

/// A BOA composition as written: its three parts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoaSpec {
    /// The offering strategy.
    pub offering: Offering,
    /// The acceptance condition.
    pub acceptance: Acceptance,
    /// The opponent model.
    pub model: ModelChoice,
}

/// A negotiator as named: a standard one ([`crate::NEGOTIATORS`]) or a BOA composition.
#[derive(Debug, Clone, PartialEq)]
pub enum NegotiatorSpec {
    /// A standard negotiator, by its name.
    Standard(&'static str),
    /// A BOA composition.
    Boa(BoaSpec),
}

/// Why a negotiator's name does not name one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NegotiatorSpecError {
    /// Neither a standard name nor `boa(...)`.
    #[error(
        "unknown negotiator {}\nhint: the negotiators are {}, or a composition boa(offering=..., acceptance=..., model=...)",
        quoted(.name),
        NEGOTIATORS.join(", ")
    )]
    Unknown {
        /// The name given.
        name: String,
    },
    /// A `boa(...)` that does not parse or names an unknown part or parameter.
    #[error("negotiator {}: {reason}", quoted(.name))]
    Invalid {
        /// The name given.
        name: String,
        /// What is wrong, naming the part and the parameter.
        reason: String,
    },
    /// The perfect model in a session that does not hand out the true profiles.
    #[error(
        "negotiator {}: the perfect model reads every party's true profile, which only a tournament or a session run over the whole case gives",
        quoted(.name)
    )]
    NeedsProfiles {
        /// The name given.
        name: String,
    },
}

/// Splits a comma-separated list of negotiator names, keeping the commas inside a
/// composition's parentheses: `boulware,boa(offering=linear, model=frequency)` is two
/// names. Names are trimmed; an empty one stays (for the caller to refuse).
///
/// ```
/// assert_eq!(
///     accord_core::split_negotiators("boulware, boa(offering=linear, model=frequency)"),
///     ["boulware", "boa(offering=linear, model=frequency)"]
/// );
/// ```
#[must_use]
pub fn split_negotiators(text: &str) -> Vec<&str> {
    split_top(text).into_iter().map(str::trim).collect()
}

/// Splits `text` at the commas outside parentheses.
fn split_top(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0_i32, 0);
    for (k, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// `text` as a message quotes it: at most 60 characters, then an ellipsis.
fn quoted(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("`{}…`", &text[..cut]),
        None => format!("`{text}`"),
    }
}

/// Whether every parenthesis of `text` closes, in order.
fn balanced(text: &str) -> bool {
    let mut depth = 0_i64;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return false,
            ')' => depth -= 1,
            _ => {}
        }
    }
    depth == 0
}

/// A component written `NAME`, `NAME(k=v, ...)` or `NAME:k=v[:k=v...]`: its name and its
/// parameters as written (`key`, `value`), keys once each.
fn component(text: &str) -> Result<(String, Vec<(String, String)>), String> {
    let text = text.trim();
    let (name, params): (&str, Vec<&str>) = if let Some(open) = text.find('(') {
        let Some(inner) = text[open + 1..].strip_suffix(')') else {
            return Err(format!("text after the parameters of {}", quoted(text)));
        };
        if inner.contains(['(', ')']) {
            return Err(format!("a parameter of {} is not a number", quoted(text)));
        }
        (&text[..open], split_top(inner))
    } else if let Some((name, rest)) = text.split_once(':') {
        (name, rest.split(':').collect())
    } else {
        (text, Vec::new())
    };
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("{} has no name", quoted(text)));
    }
    let mut parsed: Vec<(String, String)> = Vec::new();
    for param in params.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let Some((key, value)) = param.split_once('=') else {
            return Err(format!(
                "{} in {} is not key=value",
                quoted(param),
                quoted(text)
            ));
        };
        let key = key.trim().to_string();
        if parsed.iter().any(|(k, _)| *k == key) {
            return Err(format!(
                "`{name}` parameter {} is given twice",
                quoted(&key)
            ));
        }
        parsed.push((key, value.trim().to_string()));
    }
    Ok((name.to_string(), parsed))
}

/// Where a parameter's value must lie.
#[derive(Debug, Clone, Copy)]
enum Bound {
    /// Any finite number.
    Any,
    /// At least 0.
    NonNegative,
    /// Above 0.
    Positive,
    /// In `[0, 1]`.
    Share,
}

impl Bound {
    fn holds(self, value: f64) -> bool {
        match self {
            Self::Any => true,
            Self::NonNegative => value >= 0.0,
            Self::Positive => value > 0.0,
            Self::Share => (0.0..=1.0).contains(&value),
        }
    }

    fn says(self) -> &'static str {
        match self {
            Self::Any => "a finite number",
            Self::NonNegative => "at least 0",
            Self::Positive => "above 0",
            Self::Share => "in [0, 1]",
        }
    }
}

/// Reads the parameters of component `part` `name`: `allowed` lists each key with its
/// default and where it must lie.
fn parameters<const N: usize>(
    part: &str,
    name: &str,
    given: &[(String, String)],
    allowed: [(&str, f64, Bound); N],
) -> Result<[f64; N], String> {
    for (key, _) in given {
        if !allowed.iter().any(|(k, _, _)| k == key) {
            let keys: Vec<&str> = allowed.iter().map(|(k, _, _)| *k).collect();
            return Err(if keys.is_empty() {
                format!("{part} `{name}` takes no parameter ({} given)", quoted(key))
            } else {
                format!(
                    "{part} `{name}` has no parameter {} (it takes {})",
                    quoted(key),
                    keys.join(", ")
                )
            });
        }
    }
    let mut values = [0.0; N];
    for (slot, (key, default, bound)) in values.iter_mut().zip(allowed) {
        let value = match given.iter().find(|(k, _)| k == key) {
            None => default,
            Some((_, written)) => match written.parse::<f64>() {
                Ok(value) if value.is_finite() && bound.holds(value) => value,
                Ok(value) if value.is_finite() => {
                    return Err(format!(
                        "{part} `{name}` parameter `{key}` = {} must be {}",
                        quoted(written),
                        bound.says()
                    ));
                }
                _ => {
                    return Err(format!(
                        "{part} `{name}` parameter `{key}`: {} is not a finite number",
                        quoted(written)
                    ));
                }
            },
        };
        *slot = value;
    }
    Ok(values)
}

fn offering_part(name: &str, given: &[(String, String)]) -> Result<Offering, String> {
    let part = "offering";
    let with_e = |e: f64| -> Result<Offering, String> {
        let [window] = parameters(part, name, given, [("window", 0.02, Bound::Share)])?;
        Ok(Offering::TimeDependent { e, window })
    };
    match name {
        "time-dependent" => {
            let [e, window] = parameters(
                part,
                name,
                given,
                [
                    ("e", 1.0, Bound::NonNegative),
                    ("window", 0.02, Bound::Share),
                ],
            )?;
            Ok(Offering::TimeDependent { e, window })
        }
        "boulware" => with_e(0.2),
        "linear" => with_e(1.0),
        "conceder" => with_e(2.0),
        "hardliner" => parameters(part, name, given, []).map(|_| Offering::HardLiner),
        "random" => parameters(part, name, given, []).map(|_| Offering::Random),
        _ => Err(format!(
            "unknown offering {} (the offering strategies are {})",
            quoted(name),
            offering::OFFERING_STRATEGIES.join(", ")
        )),
    }
}

fn acceptance_part(name: &str, given: &[(String, String)]) -> Result<Acceptance, String> {
    let part = "acceptance";
    // The paper's names: `AC_next` is `next`.
    let name = name
        .strip_prefix("ac-")
        .or_else(|| name.strip_prefix("ac_"))
        .unwrap_or(name);
    match name {
        "next" | "prev" => {
            let [a, b] = parameters(
                part,
                name,
                given,
                [("a", 1.0, Bound::Any), ("b", 0.0, Bound::Any)],
            )?;
            Ok(if name == "next" {
                Acceptance::Next { a, b }
            } else {
                Acceptance::Prev { a, b }
            })
        }
        "const" => {
            let [c] = parameters(part, name, given, [("c", 0.9, Bound::Any)])?;
            Ok(Acceptance::Const { c })
        }
        "time" => {
            let [t] = parameters(part, name, given, [("t", 0.99, Bound::Share)])?;
            Ok(Acceptance::Time { t })
        }
        "combi-max-w" | "combi-avg-w" => {
            let [t] = parameters(part, name, given, [("t", 0.98, Bound::Share)])?;
            Ok(if name == "combi-max-w" {
                Acceptance::CombiMax { t }
            } else {
                Acceptance::CombiAvg { t }
            })
        }
        _ => Err(format!(
            "unknown acceptance {} (the acceptance conditions are {})",
            quoted(name),
            acceptance::ACCEPTANCE_CONDITIONS.join(", ")
        )),
    }
}

fn model_part(name: &str, given: &[(String, String)]) -> Result<ModelChoice, String> {
    let part = "model";
    match name {
        "none" => parameters(part, name, given, []).map(|_| ModelChoice::None),
        "perfect" => parameters(part, name, given, []).map(|_| ModelChoice::Perfect),
        "frequency" => {
            let [learn] = parameters(part, name, given, [("learn", 0.2, Bound::NonNegative)])?;
            Ok(ModelChoice::Frequency { learn })
        }
        "bayesian" => {
            let [concession, sigma] = parameters(
                part,
                name,
                given,
                [
                    ("concession", 0.5, Bound::Share),
                    ("sigma", 0.15, Bound::Positive),
                ],
            )?;
            Ok(ModelChoice::Bayesian { concession, sigma })
        }
        _ => Err(format!(
            "unknown model {} (the opponent models are {})",
            quoted(name),
            crate::negotiation::models::OPPONENT_MODELS.join(", ")
        )),
    }
}

/// Parses the inside of `boa(...)`.
fn boa_spec(inner: &str) -> Result<BoaSpec, String> {
    let mut spec = BoaSpec {
        offering: Offering::time_dependent(1.0),
        acceptance: Acceptance::Next { a: 1.0, b: 0.0 },
        model: ModelChoice::None,
    };
    let mut seen: Vec<&str> = Vec::new();
    for part in split_top(inner).into_iter().map(str::trim) {
        if part.is_empty() {
            continue;
        }
        let Some((key, value)) = part.split_once('=') else {
            return Err(format!(
                "{} is not offering=..., acceptance=... or model=...",
                quoted(part)
            ));
        };
        let key = key.trim();
        let (name, given) = component(value)?;
        match key {
            "offering" | "bidding" => spec.offering = offering_part(&name, &given)?,
            "acceptance" => spec.acceptance = acceptance_part(&name, &given)?,
            "model" | "opponent-model" => spec.model = model_part(&name, &given)?,
            _ => {
                return Err(format!(
                    "unknown part {} (a composition has offering, acceptance and model)",
                    quoted(key)
                ));
            }
        }
        let canonical = match key {
            "bidding" => "offering",
            "opponent-model" => "model",
            other => other,
        };
        if seen.contains(&canonical) {
            return Err(format!("`{canonical}` is given twice"));
        }
        seen.push(canonical);
    }
    Ok(spec)
}

impl NegotiatorSpec {
    /// Reads a negotiator's name: a standard name (case-insensitive) or a BOA composition.
    ///
    /// # Errors
    /// An unknown name, or a composition that does not parse, with the part and parameter
    /// at fault.
    pub fn parse(text: &str) -> Result<Self, NegotiatorSpecError> {
        let lower = text.trim().to_ascii_lowercase();
        if let Some(&name) = NEGOTIATORS.iter().find(|n| **n == lower) {
            return Ok(Self::Standard(name));
        }
        let Some(inner) = lower
            .strip_prefix("boa")
            .map(str::trim_start)
            .and_then(|rest| rest.strip_prefix('('))
        else {
            return Err(NegotiatorSpecError::Unknown {
                name: text.to_string(),
            });
        };
        let invalid = |reason: String| NegotiatorSpecError::Invalid {
            name: text.to_string(),
            reason,
        };
        if !balanced(&lower) {
            return Err(invalid("its parentheses do not pair up".into()));
        }
        let Some(inner) = inner.trim_end().strip_suffix(')') else {
            return Err(invalid(
                "text after the closing parenthesis of `boa(...)`".into(),
            ));
        };
        if !balanced(inner) {
            return Err(invalid(
                "text after the closing parenthesis of `boa(...)`".into(),
            ));
        }
        boa_spec(inner).map(Self::Boa).map_err(invalid)
    }

    /// The name in full, with every parameter: what traces and tables call it.
    #[must_use]
    pub fn name(&self) -> String {
        match self {
            Self::Standard(name) => (*name).to_string(),
            Self::Boa(spec) => format!(
                "boa(offering={}, acceptance={}, model={})",
                spec.offering.name(),
                spec.acceptance.name(),
                spec.model.name()
            ),
        }
    }

    /// Whether `a` and `b` name the same negotiator: the same text, or names that read to
    /// the same negotiator (`Boulware` and `boulware`, or two spellings of one
    /// composition).
    #[must_use]
    pub fn same(a: &str, b: &str) -> bool {
        a == b
            || matches!(
                (Self::parse(a), Self::parse(b)),
                (Ok(x), Ok(y)) if x == y
            )
    }

    /// Whether it keeps an opponent model (a composition with one, or a standard negotiator
    /// such as `hardheaded` that learns its opponents).
    #[must_use]
    pub fn keeps_model(&self) -> bool {
        match self {
            Self::Standard(name) => standard(name).is_some_and(|n| n.opponent_model().is_some()),
            Self::Boa(spec) => spec.model != ModelChoice::None,
        }
    }

    /// Whether it reads the other parties' true profiles (a BOA composition with the
    /// perfect model).
    #[must_use]
    pub fn needs_profiles(&self) -> bool {
        matches!(
            self,
            Self::Boa(BoaSpec {
                model: ModelChoice::Perfect,
                ..
            })
        )
    }

    /// A fresh negotiator. `profiles` are the true positions in order of play, which only
    /// the perfect model reads.
    ///
    /// # Errors
    /// [`NegotiatorSpecError::NeedsProfiles`] for the perfect model without `profiles`.
    pub fn build(
        &self,
        profiles: Option<&TrueProfiles>,
    ) -> Result<Box<dyn Negotiator>, NegotiatorSpecError> {
        match self {
            Self::Standard(name) => Ok(standard(name).expect("a standard name")),
            Self::Boa(spec) => {
                let model = spec
                    .model
                    .build(profiles)
                    .map_err(|()| NegotiatorSpecError::NeedsProfiles { name: self.name() })?;
                Ok(Box::new(Boa::new(
                    self.name(),
                    Box::new(spec.offering),
                    Box::new(spec.acceptance),
                    model,
                )))
            }
        }
    }
}
