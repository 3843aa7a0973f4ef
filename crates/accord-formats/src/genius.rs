//! GENIUS XML domains and profiles (`shared/formats/genius-xml.md`), the format of the ANAC
//! competition domains 2010–2019.
//!
//! GENIUS has no schema: its hand-written Java reader is the definition, and this module
//! follows it. In particular:
//!
//! - The text is read as leniently as GENIUS reads it (spec section 2): comments and
//!   declarations in any order before the root, a bare `&` in an attribute value, no
//!   space between attributes, Windows-1252 bytes. Anything GENIUS would choke on (a
//!   truncated file, mismatched tags) is a syntax error with its line.
//! - Profiles refer to the domain's issues by `index`, never by name or position.
//! - Utilities are GENIUS' numbers: discrete evaluations divided by the issue's largest
//!   evaluation, weights as written (not normalised), the sum clamped at 1, integer
//!   issues scored `clamp(offset + slope * (v - lowerbound), 0, 1)`, hyper-rectangle
//!   profiles divided by `maxutility`. A profile on which GENIUS fails for every bid (an
//!   issue without a weight, a value without an evaluation) is an error.
//!
//! The main items are [`classify`] (domain, profile or neither, by root element),
//! [`read_domain`] (a [`Domain`]: the issues as [`Point`]s) and [`read_profile`] (a
//! [`Profile`]: a [`Position`] over a domain's points).
//!
//! ```
//! use accord_core::{Choice, OptionIdx, Package};
//! use accord_formats::genius::{FileKind, classify, read_domain, read_profile};
//!
//! let domain_xml = br#"<negotiation_template><utility_space>
//!   <objective index="0" name="Laptop">
//!     <issue index="1" name="Brand" type="discrete"><item value="Dell"/><item value="HP"/></issue>
//!     <issue index="2" name="Price" type="integer" lowerbound="8" upperbound="14"/>
//!   </objective>
//! </utility_space></negotiation_template>"#;
//! let profile_xml = br#"<utility_space><objective index="0" name="Laptop">
//!     <issue index="1" name="Brand" type="discrete">
//!       <item value="Dell" evaluation="5"/><item value="HP" evaluation="10"/>
//!     </issue>
//!     <issue index="2" name="Price" type="integer" lowerbound="8" upperbound="14">
//!       <evaluator ftype="linear" offset="1.0" slope="-0.15"/>
//!     </issue>
//!     <weight index="1" value="0.25"/><weight index="2" value="0.75"/>
//!   </objective>
//!   <reservation value="0.3"/>
//! </utility_space>"#;
//! assert_eq!(classify(domain_xml), FileKind::Domain);
//! assert_eq!(classify(profile_xml), FileKind::Profile);
//! let domain = read_domain("laptop.xml", domain_xml)?;
//! let profile = read_profile("buyer.xml", profile_xml, &domain)?;
//! // Dell scores 5 / 10 (divided by the issue's maximum); price 8 scores the offset, 1.
//! let package = Package(vec![Choice::Option(OptionIdx(0)), Choice::Integer(8)]);
//! assert_eq!(profile.position.utility(&package), 0.25 * 0.5 + 0.75);
//! assert_eq!(profile.position.reservation_value, 0.3);
//! assert_eq!(profile.position.discount_factor, 1.0);
//! # Ok::<(), accord_formats::FormatError>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use accord_core::{
    AdditiveUtility, Aggregation, Bound, ConstraintNode, ConstraintUtility, Evaluator, Point,
    PointIdx, PointKind, PointOption, Position, Rectangle, UtilityFunction,
};
use roxmltree::{Document, Node};

use crate::error::{ErrorKind, FormatError, Problem};

/// GENIUS scores every value of a discrete issue 0 when its largest evaluation is below this.
const ZERO_MAX_EVALUATION: f64 = 0.00001;

/// Deepest nesting of objectives or `ufun`s read; deeper files are rejected rather than
/// risking the stack on hostile input (the corpus nests two levels at most).
const MAX_DEPTH: usize = 64;

pub use crate::FileKind;

/// Classifies a file by the name of its root element, skipping any prolog of
/// declarations, comments and doctypes as GENIUS does. Only the start of the file is
/// looked at, so a damaged domain or profile is still classified as one (and reading it
/// reports the damage).
#[must_use]
pub fn classify(bytes: &[u8]) -> FileKind {
    let (text, _) = decode(bytes);
    let b = text.as_bytes();
    let start = prolog_end(b);
    let name_end = b[start..]
        .iter()
        .skip(1)
        .position(|&c| is_xml_space(c) || matches!(c, b'/' | b'>'))
        .map_or(b.len(), |k| start + 1 + k);
    if b.get(start) != Some(&b'<') {
        return FileKind::Other;
    }
    match &b[start + 1..name_end] {
        b"negotiation_template" => FileKind::Domain,
        b"utility_space" => FileKind::Profile,
        _ => FileKind::Other,
    }
}

/// A GENIUS domain: the issues of the negotiation, in GENIUS' order.
#[derive(Debug, Clone, PartialEq)]
pub struct Domain {
    /// The source name given to [`read_domain`], used in messages.
    pub source: String,
    /// One point per issue, in GENIUS' preorder (sub-objectives before a node's own
    /// issues). Ids are the issue names; options are the distinct `value`s in document
    /// order, compared exactly.
    pub points: Vec<Point>,
    /// Things read leniently that a user may want to know about (encoding, duplicate
    /// values, ...), each a full message naming the source.
    pub warnings: Vec<String>,
    /// The GENIUS `index` of each point's issue, in point order.
    issue_indices: Vec<i64>,
    /// The indices of the root objective (first) and of any nested objectives.
    objective_indices: Vec<i64>,
}

impl Domain {
    /// The point whose issue has this GENIUS index.
    fn point_of(&self, index: i64) -> Option<PointIdx> {
        self.issue_indices
            .iter()
            .position(|&i| i == index)
            .map(PointIdx)
    }

    fn is_objective(&self, index: i64) -> bool {
        self.objective_indices.contains(&index)
    }
}

/// Reads a domain file (root `negotiation_template`). Every problem in the file is
/// reported, each with its line and column.
pub fn read_domain(source: &str, bytes: &[u8]) -> Result<Domain, FormatError> {
    let (text, encoding_warning) = decode(bytes);
    let prepared = Prepared::new(source, text)?;
    let document = prepared.parse()?;
    let mut reader = Reader::new(source, &prepared);
    if let Some(warning) = encoding_warning {
        reader.warnings.push(warning.render(source));
    }
    let domain = reader.domain(&document);
    let Reader {
        problems, warnings, ..
    } = reader;
    let domain = domain.map(|domain| Domain { warnings, ..domain });
    match domain {
        Some(domain) if problems.is_empty() => Ok(domain),
        _ => Err(failure(source, problems)),
    }
}

/// A GENIUS preference profile, read against its domain.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The source name given to [`read_profile`], used in messages.
    pub source: String,
    /// The preferences over the domain's points: GENIUS' utility function, the
    /// reservation value (0 when absent) and the discount factor (1 when absent, not a
    /// number, or outside `(0, 1]`).
    pub position: Position,
    /// Things read leniently that a user may want to know about (a discount factor GENIUS
    /// ignores, an issue name that differs from the domain's, ...), each a full message.
    pub warnings: Vec<String>,
}

/// Reads a profile file (root `utility_space`) of `domain`: linear-additive, `UNCERTAIN`
/// (read as its complete linear-additive preferences) or `nonlinear` (hyper-rectangles).
/// Every problem in the file is reported, each with its line and column.
pub fn read_profile(source: &str, bytes: &[u8], domain: &Domain) -> Result<Profile, FormatError> {
    let (text, encoding_warning) = decode(bytes);
    let prepared = Prepared::new(source, text)?;
    let document = prepared.parse()?;
    let mut reader = Reader::new(source, &prepared);
    if let Some(warning) = encoding_warning {
        reader.warnings.push(warning.render(source));
    }
    let position = reader.profile(&document, domain);
    let Reader {
        problems, warnings, ..
    } = reader;
    match position {
        Some(position) if problems.is_empty() => Ok(Profile {
            source: source.to_string(),
            position,
            warnings,
        }),
        _ => Err(failure(source, problems)),
    }
}

/// The problems as an error. Every path that gives up reports a problem first; the
/// fallback only keeps the promise that a [`FormatError`] is never empty.
fn failure(source: &str, mut problems: Vec<Problem>) -> FormatError {
    if problems.is_empty() {
        let problem = Problem::at(
            source,
            None,
            "",
            ErrorKind::Invalid,
            "the file could not be read",
        );
        problems.push(problem);
    }
    FormatError { problems }
}

// ---------------------------------------------------------------------------------------
// Bytes to text.

/// A warning found before the text has positions to map.
struct EncodingWarning {
    line: usize,
}

impl EncodingWarning {
    fn render(&self, source: &str) -> String {
        Problem::at(
            source,
            Some((self.line, 1)),
            "",
            ErrorKind::Invalid,
            "the file is not valid UTF-8; read the whole file as Windows-1252",
        )
        .to_string()
    }
}

/// Decodes as UTF-8 (or UTF-16 with a byte-order mark); failing that, the whole file as
/// Windows-1252, as spec section 2 says (GENIUS uses the platform's charset).
fn decode(bytes: &[u8]) -> (String, Option<EncodingWarning>) {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes)
        && encoding != encoding_rs::UTF_8
    {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return (text.into_owned(), None);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), None),
        Err(error) => {
            let line = line_number(&bytes[..error.valid_up_to()]);
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), Some(EncodingWarning { line }))
        }
    }
}

// ---------------------------------------------------------------------------------------
// The lenient lexical layer: GENIUS' text becomes well-formed XML for roxmltree, with
// every newline kept so that lines stay right.

/// The 1-based line on which the text after `before` starts.
fn line_number(before: &[u8]) -> usize {
    before.split(|&c| c == b'\n').count()
}

fn is_xml_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Length of the declaration, comment or doctype at the start of `rest`, if it is one
/// and is closed.
fn markup_declaration_len(rest: &[u8]) -> Option<usize> {
    if rest.starts_with(b"<?") {
        find(&rest[2..], b"?>").map(|k| k + 4)
    } else if rest.starts_with(b"<!--") {
        find(&rest[4..], b"-->").map(|k| k + 7)
    } else if rest.starts_with(b"<!") {
        // A doctype may hold an internal subset in brackets, with `>` inside.
        let close = rest.iter().position(|&c| c == b'>')?;
        match rest[..close].iter().position(|&c| c == b'[') {
            Some(open) => {
                let end = find(&rest[open..], b"]")? + open;
                rest[end..]
                    .iter()
                    .position(|&c| c == b'>')
                    .map(|k| end + k + 1)
            }
            None => Some(close + 1),
        }
    } else {
        None
    }
}

/// Where the root element starts: after any run of whitespace, `<?..?>`, `<!--..-->` and
/// `<!..>` in any order (GENIUS skips them all; the corpus puts comments and blank lines
/// before the XML declaration).
fn prolog_end(b: &[u8]) -> usize {
    let mut i = 0;
    loop {
        while i < b.len() && is_xml_space(b[i]) {
            i += 1;
        }
        match markup_declaration_len(&b[i..]) {
            Some(len) => i += len,
            None => return i,
        }
    }
}

/// The length of a well-formed entity or character reference at the start of `rest`.
fn entity_len(rest: &[u8]) -> Option<usize> {
    for name in [&b"&amp;"[..], b"&lt;", b"&gt;", b"&quot;", b"&apos;"] {
        if rest.starts_with(name) {
            return Some(name.len());
        }
    }
    let (digits_at, radix) = if rest.starts_with(b"&#x") {
        (3, 16)
    } else if rest.starts_with(b"&#") {
        (2, 10)
    } else {
        return None;
    };
    let end = rest.iter().take(16).position(|&c| c == b';')?;
    let digits = rest.get(digits_at..end)?;
    if digits.is_empty()
        || !digits
            .iter()
            .all(|c| c.is_ascii_digit() || (radix == 16 && c.is_ascii_hexdigit()))
    {
        return None;
    }
    let digits = std::str::from_utf8(digits).ok()?;
    let code = u32::from_str_radix(digits, radix).ok()?;
    let valid =
        matches!(code, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x1_0000..=0x10_FFFF);
    valid.then_some(end + 1)
}

/// The text after sanitising, with what is needed to map positions back.
struct Prepared {
    source: String,
    original: String,
    sanitised: String,
    /// `(offset in sanitised, bytes inserted there)`, in increasing order.
    inserts: Vec<(usize, usize)>,
}

/// A structural problem the sanitiser found, at a byte offset of the original text.
struct LexicalProblem {
    offset: usize,
    message: String,
}

struct Sanitiser<'a> {
    b: &'a [u8],
    i: usize,
    out: Vec<u8>,
    inserts: Vec<(usize, usize)>,
    /// Open elements: name and offset of `<`.
    open: Vec<(&'a [u8], usize)>,
    saw_element: bool,
    problem: Option<LexicalProblem>,
}

impl<'a> Sanitiser<'a> {
    fn copy(&mut self, n: usize) {
        let end = (self.i + n).min(self.b.len());
        self.out.extend_from_slice(&self.b[self.i..end]);
        self.i = end;
    }

    /// Replaces `n` bytes by spaces, keeping newlines.
    fn blank(&mut self, n: usize) {
        let end = (self.i + n).min(self.b.len());
        for &c in &self.b[self.i..end] {
            self.out.push(if c == b'\n' { b'\n' } else { b' ' });
        }
        self.i = end;
    }

    fn insert(&mut self, text: &[u8]) {
        self.inserts.push((self.out.len(), text.len()));
        self.out.extend_from_slice(text);
    }

    fn fail(&mut self, offset: usize, message: String) {
        if self.problem.is_none() {
            self.problem = Some(LexicalProblem { offset, message });
        }
    }

    fn line_of(&self, offset: usize) -> usize {
        line_number(&self.b[..offset])
    }

    fn name_at(&self, from: usize) -> &'a [u8] {
        let len = self.b[from..]
            .iter()
            .position(|&c| is_xml_space(c) || matches!(c, b'/' | b'>' | b'"' | b'\'' | b'='))
            .unwrap_or(self.b.len() - from);
        &self.b[from..from + len]
    }

    /// `&` that starts a well-formed reference stays; any other is a literal `&`.
    fn ampersand(&mut self) {
        if let Some(len) = entity_len(&self.b[self.i..]) {
            self.copy(len);
        } else {
            self.copy(1);
            self.insert(b"amp;");
        }
    }

    /// A literal `<` where XML forbids it (attribute values, stray text).
    fn less_than(&mut self) {
        self.out.push(b'&');
        self.i += 1;
        self.insert(b"lt;");
    }

    fn run(mut self) -> (Vec<u8>, Vec<(usize, usize)>, Option<LexicalProblem>) {
        let prolog = prolog_end(self.b);
        self.blank(prolog);
        while self.i < self.b.len() && self.problem.is_none() {
            match self.b[self.i] {
                b'<' => self.markup(),
                b'&' => self.ampersand(),
                _ => self.copy(1),
            }
        }
        if self.problem.is_none() {
            if let Some(&(name, offset)) = self.open.last() {
                let message = format!(
                    "the file ends before `<{}>` (line {}) is closed; is it truncated?",
                    String::from_utf8_lossy(name),
                    self.line_of(offset)
                );
                self.fail(self.b.len(), message);
            } else if !self.saw_element {
                self.fail(self.b.len(), "the file holds no XML element".to_string());
            }
        }
        (self.out, self.inserts, self.problem)
    }

    fn markup(&mut self) {
        let rest = &self.b[self.i..];
        let start = self.i;
        let unclosed = |what: &str| format!("the file ends inside this {what}; is it truncated?");
        if rest.starts_with(b"<![CDATA[") {
            match find(rest, b"]]>") {
                Some(k) => self.copy(k + 3),
                None => self.fail(start, unclosed("CDATA section")),
            }
        } else if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            // Comments, declarations and doctypes carry nothing GENIUS reads; blanking
            // them also accepts a comment containing `--` or a late declaration.
            match markup_declaration_len(rest) {
                Some(len) => self.blank(len),
                None => self.fail(start, unclosed("comment or declaration")),
            }
        } else if rest.starts_with(b"</") {
            self.close_tag();
        } else if rest
            .get(1)
            .is_some_and(|&c| c.is_ascii_alphabetic() || matches!(c, b'_' | b':') || c >= 0x80)
        {
            self.start_tag();
        } else {
            self.less_than();
        }
    }

    fn close_tag(&mut self) {
        let start = self.i;
        let name = self.name_at(start + 2);
        let Some(len) = self.b[start..].iter().position(|&c| c == b'>') else {
            let message = format!(
                "the file ends inside `</{}`; is it truncated?",
                String::from_utf8_lossy(name)
            );
            return self.fail(start, message);
        };
        match self.open.pop() {
            Some((open, _)) if open == name => {}
            Some((open, offset)) => {
                let message = format!(
                    "`</{}>` does not close `<{}>` (line {})",
                    String::from_utf8_lossy(name),
                    String::from_utf8_lossy(open),
                    self.line_of(offset)
                );
                return self.fail(start, message);
            }
            None => {
                let message = format!(
                    "`</{}>` closes no open element",
                    String::from_utf8_lossy(name)
                );
                return self.fail(start, message);
            }
        }
        self.copy(len + 1);
    }

    fn start_tag(&mut self) {
        let start = self.i;
        let name = self.name_at(start + 1);
        self.saw_element = true;
        self.copy(1 + name.len());
        let truncated = |name: &[u8]| {
            format!(
                "the file ends inside the tag `<{}`; is it truncated?",
                String::from_utf8_lossy(name)
            )
        };
        while self.i < self.b.len() {
            match self.b[self.i] {
                quote @ (b'"' | b'\'') => {
                    self.copy(1);
                    loop {
                        match self.b.get(self.i) {
                            None => return self.fail(start, truncated(name)),
                            Some(&c) if c == quote => break,
                            Some(b'&') => self.ampersand(),
                            Some(b'<') => self.less_than(),
                            Some(_) => self.copy(1),
                        }
                    }
                    self.copy(1);
                    // GENIUS accepts `a="x"b="y"`; XML needs a space between attributes.
                    if self
                        .b
                        .get(self.i)
                        .is_some_and(|&c| !is_xml_space(c) && !matches!(c, b'/' | b'>' | b'?'))
                    {
                        self.insert(b" ");
                    }
                }
                b'/' if self.b.get(self.i + 1) == Some(&b'>') => return self.copy(2),
                b'>' => {
                    self.open.push((name, start));
                    return self.copy(1);
                }
                _ => self.copy(1),
            }
        }
        self.fail(start, truncated(name));
    }
}

impl Prepared {
    fn new(source: &str, original: String) -> Result<Self, FormatError> {
        let sanitiser = Sanitiser {
            b: original.as_bytes(),
            i: 0,
            out: Vec::with_capacity(original.len() + 64),
            inserts: Vec::new(),
            open: Vec::new(),
            saw_element: false,
            problem: None,
        };
        let (out, inserts, problem) = sanitiser.run();
        // Only ASCII was inserted and only whole characters were blanked, so this is
        // always valid UTF-8; the lossy conversion merely avoids a panic path.
        let sanitised = String::from_utf8_lossy(&out).into_owned();
        let prepared = Self {
            source: source.to_string(),
            original,
            sanitised,
            inserts,
        };
        match problem {
            Some(problem) => {
                Err(prepared.syntax(prepared.line_col(problem.offset), problem.message))
            }
            None => Ok(prepared),
        }
    }

    fn parse(&self) -> Result<Document<'_>, FormatError> {
        let options = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..roxmltree::ParsingOptions::default()
        };
        Document::parse_with_options(&self.sanitised, options).map_err(|error| {
            let pos = error.pos();
            let offset = self.sanitised_offset(pos.row as usize, pos.col as usize);
            let message = match &error {
                roxmltree::Error::UnexpectedCloseTag(expected, actual, _) => {
                    format!("`</{actual}>` does not close `<{expected}>`")
                }
                roxmltree::Error::DuplicatedAttribute(name, _) => {
                    format!("attribute `{name}` is given twice")
                }
                other => {
                    // roxmltree's messages end in " at row:col"; the position is ours.
                    let text = other.to_string();
                    let text = text
                        .rsplit_once(" at ")
                        .filter(|(_, tail)| tail.chars().all(|c| c.is_ascii_digit() || c == ':'))
                        .map_or(text.as_str(), |(head, _)| head)
                        .to_string();
                    format!("not well-formed XML: {text}")
                }
            };
            self.syntax(self.line_col(self.original_offset(offset)), message)
        })
    }

    fn syntax(&self, line_col: (usize, usize), message: String) -> FormatError {
        Problem::at(&self.source, Some(line_col), "", ErrorKind::Syntax, message).into()
    }

    /// The byte offset in the sanitised text of a 1-based row and character column.
    fn sanitised_offset(&self, row: usize, col: usize) -> usize {
        let text = &self.sanitised;
        let line_start = if row <= 1 {
            0
        } else {
            text.match_indices('\n')
                .nth(row - 2)
                .map_or(text.len(), |(k, _)| k + 1)
        };
        text[line_start..]
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(text.len(), |(k, _)| line_start + k)
    }

    /// Maps a sanitised offset back to the original text.
    fn original_offset(&self, sanitised: usize) -> usize {
        let mut shift = 0;
        for &(at, len) in &self.inserts {
            if at >= sanitised {
                break;
            }
            shift += len.min(sanitised - at);
        }
        sanitised - shift
    }

    /// 1-based line and character column of an offset in the original text.
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.original.len());
        let before = &self.original.as_bytes()[..offset];
        let line = line_number(before);
        let line_start = before
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |k| k + 1);
        let column = self.original[line_start..]
            .char_indices()
            .take_while(|&(k, _)| line_start + k < offset)
            .count()
            + 1;
        (line, column)
    }
}

/// Decodes the references the sanitiser left in place (all well-formed).
fn decode_references(raw: &str) -> String {
    if !raw.contains('&') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(len) = entity_len(rest.as_bytes()) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let reference = &rest[1..len - 1];
        let decoded = match reference {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => reference
                .strip_prefix("#x")
                .map(|hex| u32::from_str_radix(hex, 16))
                .or_else(|| reference.strip_prefix('#').map(str::parse))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => out.push(c),
            None => out.push_str(&rest[..len]),
        }
        rest = &rest[len..];
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------------------
// Reading elements.

fn children<'a, 'input>(
    node: Node<'a, 'input>,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children()
        .filter(move |child| child.is_element() && child.tag_name().name() == name)
}

fn child<'a, 'input>(node: Node<'a, 'input>, name: &'static str) -> Option<Node<'a, 'input>> {
    children(node, name).next()
}

/// The element with its identifying attributes, e.g. `<weight index="3">`.
fn field(node: Node) -> String {
    let name = node.tag_name().name();
    let mut text = format!("<{name}");
    let keys: &[&str] = match name {
        "issue" => &["index", "name"],
        "item" => &["value"],
        _ => &["index"],
    };
    for key in keys {
        if let Some(value) = node.attribute(*key) {
            let _ = write!(text, " {key}=\"{value}\"");
        }
    }
    text.push('>');
    text
}

/// `a`, `` `a` and `b` ``, `` `a`, `b` and `c` ``.
fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

/// Java's `Double.valueOf` accepts surrounding whitespace; only finite numbers are useful.
fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

fn parse_integer(text: &str) -> Option<i64> {
    text.trim().parse::<i64>().ok()
}

/// The issue type of an `issue` element: `type`, case-insensitive, missing = discrete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IssueType {
    Discrete,
    Integer,
    Real,
}

impl IssueType {
    fn word(self) -> &'static str {
        match self {
            IssueType::Discrete => "discrete",
            IssueType::Integer => "integer",
            IssueType::Real => "real",
        }
    }

    fn of(kind: &PointKind) -> Self {
        match kind {
            PointKind::Options(_) => IssueType::Discrete,
            PointKind::Integer { .. } => IssueType::Integer,
            PointKind::Real { .. } => IssueType::Real,
        }
    }
}

/// What became of each domain issue while reading a linear-additive profile.
#[derive(Debug)]
enum Slot {
    /// No profile issue with this index.
    Absent,
    /// A profile issue without a weight at its level: the element's line and field.
    Unweighted((usize, usize), String),
    /// Read, but with problems already reported.
    Failed,
    /// Weight and evaluator.
    Done(f64, Evaluator),
}

struct Reader<'p> {
    source: &'p str,
    prepared: &'p Prepared,
    problems: Vec<Problem>,
    warnings: Vec<String>,
}

impl<'p> Reader<'p> {
    fn new(source: &'p str, prepared: &'p Prepared) -> Self {
        Self {
            source,
            prepared,
            problems: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn pos(&self, node: Node) -> (usize, usize) {
        let offset = self.prepared.original_offset(node.range().start);
        self.prepared.line_col(offset)
    }

    fn problem(&mut self, node: Node, kind: ErrorKind, message: impl Into<String>) {
        let problem = Problem::at(
            self.source,
            Some(self.pos(node)),
            field(node),
            kind,
            message,
        );
        self.problems.push(problem);
    }

    fn warn(&mut self, node: Node, message: impl Into<String>) {
        let warning = Problem::at(
            self.source,
            Some(self.pos(node)),
            field(node),
            ErrorKind::Invalid,
            message,
        );
        self.warnings.push(warning.to_string());
    }

    /// An attribute's value exactly as written (entities decoded, whitespace kept; an XML
    /// parser would turn tabs and newlines into spaces, GENIUS does not).
    fn attribute(&self, node: Node, name: &str) -> Option<String> {
        let attribute = node.attributes().find(|a| a.name() == name)?;
        let raw = self
            .prepared
            .sanitised
            .get(attribute.range_value())
            .unwrap_or_else(|| attribute.value());
        Some(decode_references(raw))
    }

    fn required(&mut self, node: Node, name: &str) -> Option<String> {
        let value = self.attribute(node, name);
        if value.is_none() {
            self.problem(
                node,
                ErrorKind::Missing,
                format!("missing attribute `{name}`"),
            );
        }
        value
    }

    /// What a bad number is called in messages: the example of STYLE.md names no
    /// attribute for `value`.
    fn not_a(&mut self, node: Node, name: &str, text: &str, what: &str) {
        let message = if name == "value" {
            format!("`{text}` is not {what}")
        } else {
            format!("{name} `{text}` is not {what}")
        };
        self.problem(node, ErrorKind::WrongType, message);
    }

    fn number(&mut self, node: Node, name: &str) -> Option<f64> {
        let text = self.required(node, name)?;
        let value = parse_number(&text);
        if value.is_none() {
            self.not_a(node, name, &text, "a number");
        }
        value
    }

    fn optional_number(&mut self, node: Node, name: &str, default: f64) -> Option<f64> {
        if self.attribute(node, name).is_some() {
            self.number(node, name)
        } else {
            Some(default)
        }
    }

    fn integer(&mut self, node: Node, name: &str) -> Option<i64> {
        let text = self.required(node, name)?;
        let value = parse_integer(&text);
        if value.is_none() {
            self.not_a(node, name, &text, "an integer");
        }
        value
    }

    fn issue_type(&mut self, issue: Node, other: &str) -> Option<IssueType> {
        let Some(word) = self.attribute(issue, "type") else {
            return Some(IssueType::Discrete);
        };
        let kind = match word.to_ascii_lowercase().as_str() {
            "discrete" => IssueType::Discrete,
            "integer" => IssueType::Integer,
            "real" => IssueType::Real,
            _ => {
                self.problem(
                    issue,
                    ErrorKind::Invalid,
                    format!(
                        "unknown issue type `{word}` (expected `discrete`, `integer` or `real`)"
                    ),
                );
                return None;
            }
        };
        if let Some(other_word) = self.attribute(issue, other)
            && !other_word.eq_ignore_ascii_case(&word)
        {
            self.warn(
                issue,
                format!("{other} `{other_word}` disagrees with type `{word}`; the type wins, as in GENIUS"),
            );
        }
        Some(kind)
    }

    // -----------------------------------------------------------------------------------
    // Domain.

    fn domain(&mut self, document: &Document) -> Option<Domain> {
        let root = document.root_element();
        match root.tag_name().name() {
            "negotiation_template" => {}
            "utility_space" => {
                self.problem(
                    root,
                    ErrorKind::Invalid,
                    "this is a GENIUS profile (`<utility_space>`), not a domain (`<negotiation_template>`)",
                );
                return None;
            }
            other => {
                self.problem(
                    root,
                    ErrorKind::Invalid,
                    format!(
                        "expected the root element `<negotiation_template>`, found `<{other}>`"
                    ),
                );
                return None;
            }
        }
        let Some(space) = child(root, "utility_space") else {
            self.problem(root, ErrorKind::Missing, "no `<utility_space>` element");
            return None;
        };
        let Some(objective) = child(space, "objective") else {
            self.problem(space, ErrorKind::Missing, "no `<objective>` element");
            return None;
        };
        let mut domain = Domain {
            source: self.source.to_string(),
            points: Vec::new(),
            warnings: Vec::new(),
            issue_indices: Vec::new(),
            objective_indices: Vec::new(),
        };
        let mut seen_indices: HashMap<i64, (usize, usize)> = HashMap::new();
        self.objective(objective, 0, &mut domain, &mut seen_indices);
        if domain.points.is_empty() && self.problems.is_empty() {
            self.problem(objective, ErrorKind::Missing, "the domain has no issues");
        }
        Some(domain)
    }

    fn note_index(
        &mut self,
        node: Node,
        index: i64,
        seen: &mut HashMap<i64, (usize, usize)>,
    ) -> bool {
        if let Some(&(line, _)) = seen.get(&index) {
            self.problem(
                node,
                ErrorKind::Duplicate,
                format!(
                    "index {index} is already used by another issue or objective (line {line})"
                ),
            );
            return false;
        }
        seen.insert(index, self.pos(node));
        true
    }

    /// GENIUS' preorder: the sub-objectives of a node (with their issues), then its own
    /// issues.
    fn objective(
        &mut self,
        objective: Node,
        depth: usize,
        domain: &mut Domain,
        seen: &mut HashMap<i64, (usize, usize)>,
    ) {
        if depth > MAX_DEPTH {
            self.problem(
                objective,
                ErrorKind::Unsupported,
                format!("objectives nested deeper than {MAX_DEPTH} levels"),
            );
            return;
        }
        if let Some(index) = self.integer(objective, "index")
            && self.note_index(objective, index, seen)
        {
            domain.objective_indices.push(index);
        }
        for sub in children(objective, "objective") {
            self.objective(sub, depth + 1, domain, seen);
        }
        for issue in children(objective, "issue") {
            let index = self.integer(issue, "index");
            let name = self.required(issue, "name");
            let kind = self.domain_issue_kind(issue, name.as_deref().unwrap_or(""));
            // The index is checked even when the issue is otherwise broken, so that every
            // problem is reported at once.
            let unique = index.is_some_and(|index| self.note_index(issue, index, seen));
            let (Some(index), Some(name), Some(kind), true) = (index, name, kind, unique) else {
                continue;
            };
            if let Some(other) = domain.points.iter().position(|p| p.id == name) {
                let message = format!(
                    "issue name `{name}` is already used by the issue with index {}",
                    domain.issue_indices[other]
                );
                self.problem(issue, ErrorKind::Duplicate, message);
                continue;
            }
            domain.points.push(Point::new(name, kind));
            domain.issue_indices.push(index);
        }
    }

    fn domain_issue_kind(&mut self, issue: Node, name: &str) -> Option<PointKind> {
        match self.issue_type(issue, "vtype")? {
            IssueType::Discrete => {
                let mut options: Vec<PointOption> = Vec::new();
                let mut seen = HashSet::new();
                for item in children(issue, "item") {
                    let Some(value) = self.required(item, "value") else {
                        continue;
                    };
                    if seen.insert(value.clone()) {
                        options.push(PointOption::new(value));
                    } else {
                        self.warn(
                            item,
                            format!(
                                "value `{value}` is listed twice in issue `{name}`; counted once"
                            ),
                        );
                    }
                }
                if options.is_empty() && children(issue, "item").next().is_none() {
                    self.problem(
                        issue,
                        ErrorKind::Missing,
                        "a discrete issue needs `<item value=\"..\">` children",
                    );
                    return None;
                }
                Some(PointKind::Options(options))
            }
            IssueType::Integer => {
                let min = self.integer(issue, "lowerbound");
                let max = self.integer(issue, "upperbound");
                let (min, max) = (min?, max?);
                if min > max {
                    self.problem(
                        issue,
                        ErrorKind::Invalid,
                        format!("the range `{min}..{max}` is empty"),
                    );
                    return None;
                }
                Some(PointKind::Integer { min, max })
            }
            IssueType::Real => {
                let (min, max) = self.real_range(issue)?;
                Some(PointKind::Real { min, max })
            }
        }
    }

    /// The bounds of a real issue, from its `<range>` child (GENIUS reads them nowhere else).
    fn real_range(&mut self, issue: Node) -> Option<(f64, f64)> {
        let Some(range) = child(issue, "range") else {
            self.problem(
                issue,
                ErrorKind::Missing,
                "a real issue needs a `<range lowerbound=\"..\" upperbound=\"..\"/>` child",
            );
            return None;
        };
        let min = self.number(range, "lowerbound");
        let max = self.number(range, "upperbound");
        let (min, max) = (min?, max?);
        if min > max {
            self.problem(
                range,
                ErrorKind::Invalid,
                format!("the range `{min}..{max}` is empty"),
            );
            return None;
        }
        Some((min, max))
    }

    // -----------------------------------------------------------------------------------
    // Profile.

    fn profile(&mut self, document: &Document, domain: &Domain) -> Option<Position> {
        let root = document.root_element();
        match root.tag_name().name() {
            "utility_space" => {}
            "negotiation_template" => {
                self.problem(
                    root,
                    ErrorKind::Invalid,
                    "this is a GENIUS domain (`<negotiation_template>`), not a profile (`<utility_space>`)",
                );
                return None;
            }
            other => {
                self.problem(
                    root,
                    ErrorKind::Invalid,
                    format!("expected the root element `<utility_space>`, found `<{other}>`"),
                );
                return None;
            }
        }
        let kind = self.attribute(root, "type");
        let utility = match kind.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("linear" | "uncertain") => {
                self.additive(root, domain).map(UtilityFunction::Additive)
            }
            Some("nonlinear") => {
                self.check_issue_names(root, domain);
                self.constraint(root, domain)
                    .map(UtilityFunction::Constraint)
            }
            Some("constraint") => {
                self.problem(
                    root,
                    ErrorKind::Unsupported,
                    "`constraint` profiles are not supported",
                );
                None
            }
            Some(_) => {
                let word = kind.unwrap_or_default();
                self.problem(
                    root,
                    ErrorKind::Invalid,
                    format!("unknown profile type `{word}` (expected `linear`, `UNCERTAIN` or `nonlinear`)"),
                );
                None
            }
        };
        let reservation_value = self.reservation_value(root);
        let discount_factor = self.discount_factor(root);
        let mut position = Position::new(utility?);
        position.reservation_value = reservation_value;
        position.discount_factor = discount_factor;
        Some(position)
    }

    /// The first `<reservation>` child; 0 when absent or not a number, as in GENIUS.
    fn reservation_value(&mut self, root: Node) -> f64 {
        let Some(element) = child(root, "reservation") else {
            return 0.0;
        };
        let Some(text) = self.attribute(element, "value") else {
            self.warn(
                element,
                "missing attribute `value`; reservation value 0, as in GENIUS",
            );
            return 0.0;
        };
        parse_number(&text).unwrap_or_else(|| {
            let message = format!("`{text}` is not a number; reservation value 0, as in GENIUS");
            self.warn(element, message);
            0.0
        })
    }

    /// The first `<discount_factor>` child; 1 (no discount) when absent, not a number, or
    /// outside `(0, 1]`, as in GENIUS.
    fn discount_factor(&mut self, root: Node) -> f64 {
        const FALLBACK: &str = "no discount (factor 1), as in GENIUS";
        let Some(element) = child(root, "discount_factor") else {
            return 1.0;
        };
        let Some(text) = self.attribute(element, "value") else {
            self.warn(element, format!("missing attribute `value`; {FALLBACK}"));
            return 1.0;
        };
        match parse_number(&text) {
            Some(value) if value > 0.0 && value <= 1.0 => value,
            Some(_) => {
                let message = format!("discount factor `{text}` is outside (0, 1]; {FALLBACK}");
                self.warn(element, message);
                1.0
            }
            None => {
                self.warn(element, format!("`{text}` is not a number; {FALLBACK}"));
                1.0
            }
        }
    }

    /// Warns about profile issues whose name differs from the domain issue of their index.
    fn check_issue_name(&mut self, issue: Node, index: i64, domain: &Domain) {
        let Some(point) = domain.point_of(index) else {
            return;
        };
        let expected = &domain.points[point.0].id;
        if let Some(name) = self.attribute(issue, "name")
            && &name != expected
        {
            self.warn(
                issue,
                format!("the domain calls issue {index} `{expected}`, not `{name}`; matched by index, as in GENIUS"),
            );
        }
    }

    fn check_issue_names(&mut self, root: Node, domain: &Domain) {
        for objective in children(root, "objective") {
            for issue in children(objective, "issue") {
                if let Some(index) = issue.attribute("index").and_then(parse_integer) {
                    self.check_issue_name(issue, index, domain);
                }
            }
        }
    }

    /// A linear-additive profile, read the way GENIUS' `AdditiveUtilitySpace` does: at
    /// each level, the weights among an element's children go to the issues among the
    /// same children, matched to the domain by index.
    fn additive(&mut self, root: Node, domain: &Domain) -> Option<AdditiveUtility> {
        let mut slots: Vec<Slot> = domain.points.iter().map(|_| Slot::Absent).collect();
        self.additive_level(root, 0, domain, &mut slots);
        let mut weights = Vec::with_capacity(slots.len());
        let mut evaluators = Vec::with_capacity(slots.len());
        let mut complete = true;
        for (k, slot) in slots.into_iter().enumerate() {
            let point = &domain.points[k];
            let index = domain.issue_indices[k];
            match slot {
                Slot::Done(weight, evaluator) => {
                    weights.push(weight);
                    evaluators.push(evaluator);
                }
                Slot::Failed => complete = false,
                Slot::Unweighted(line_col, field) => {
                    complete = false;
                    self.problems.push(Problem::at(
                        self.source,
                        Some(line_col),
                        field,
                        ErrorKind::Missing,
                        format!("no `<weight index=\"{index}\">` for this issue; GENIUS fails on every bid"),
                    ));
                }
                Slot::Absent => {
                    complete = false;
                    let id = &point.id;
                    self.problem(
                        root,
                        ErrorKind::Missing,
                        format!("the domain's issue `{id}` (index {index}) is not in this profile; GENIUS fails on every bid"),
                    );
                }
            }
        }
        complete.then(|| AdditiveUtility::new(weights, evaluators))
    }

    fn additive_level(&mut self, element: Node, depth: usize, domain: &Domain, slots: &mut [Slot]) {
        if depth > MAX_DEPTH {
            self.problem(
                element,
                ErrorKind::Unsupported,
                format!("objectives nested deeper than {MAX_DEPTH} levels"),
            );
            return;
        }
        // `None`: the weight is there but unusable (already reported).
        let mut weights: HashMap<i64, Option<f64>> = HashMap::new();
        for weight in children(element, "weight") {
            let index = self.integer(weight, "index");
            let value = self.number(weight, "value");
            let Some(index) = index else {
                continue;
            };
            if let Some(v) = value.filter(|v| *v < 0.0) {
                self.problem(
                    weight,
                    ErrorKind::Invalid,
                    format!("weight `{v}` must not be negative"),
                );
            }
            if domain.point_of(index).is_none() && !domain.is_objective(index) {
                self.warn(
                    weight,
                    format!("no issue of the domain has index {index}; ignored"),
                );
            }
            // A repeated index: the last one wins, as in GENIUS.
            weights.insert(index, value.filter(|v| *v >= 0.0));
        }
        for issue in children(element, "issue") {
            self.additive_issue(issue, &weights, domain, slots);
        }
        for objective in children(element, "objective") {
            self.additive_level(objective, depth + 1, domain, slots);
        }
    }

    fn additive_issue(
        &mut self,
        issue: Node,
        weights: &HashMap<i64, Option<f64>>,
        domain: &Domain,
        slots: &mut [Slot],
    ) {
        let Some(index) = self.integer(issue, "index") else {
            return;
        };
        let Some(point) = domain.point_of(index) else {
            let what = if domain.is_objective(index) {
                "names an objective of the domain, not an issue"
            } else {
                "names no issue of the domain"
            };
            self.warn(
                issue,
                format!("index {index} {what}; ignored, as in GENIUS"),
            );
            return;
        };
        self.check_issue_name(issue, index, domain);
        if !matches!(slots[point.0], Slot::Absent | Slot::Unweighted(..)) {
            self.problem(
                issue,
                ErrorKind::Duplicate,
                format!("issue {index} is given twice"),
            );
            return;
        }
        let Some(&weight) = weights.get(&index) else {
            slots[point.0] = Slot::Unweighted(self.pos(issue), field(issue));
            return;
        };
        // The evaluator is read even when the weight is unusable, to report its problems.
        let evaluator = self.evaluator(issue, &domain.points[point.0]);
        slots[point.0] = match (weight, evaluator) {
            (Some(weight), Some(evaluator)) => Slot::Done(weight, evaluator),
            _ => Slot::Failed,
        };
    }

    /// The evaluator of a profile issue; its kind comes from the profile's `type`.
    fn evaluator(&mut self, issue: Node, point: &Point) -> Option<Evaluator> {
        let kind = self.issue_type(issue, "etype")?;
        let expected = IssueType::of(&point.kind);
        if kind != expected {
            self.problem(
                issue,
                ErrorKind::Invalid,
                format!(
                    "the profile says `{}`, the domain says `{}`",
                    kind.word(),
                    expected.word()
                ),
            );
            return None;
        }
        match &point.kind {
            PointKind::Options(options) => self.discrete_evaluator(issue, options),
            PointKind::Integer { min, max } => self.integer_evaluator(issue, *min, *max),
            PointKind::Real { .. } => self.real_evaluator(issue),
        }
    }

    /// Each value's evaluation divided by the issue's largest evaluation (0 for every
    /// value when that is below 0.00001), as GENIUS' `EvaluatorDiscrete` does.
    fn discrete_evaluator(&mut self, issue: Node, options: &[PointOption]) -> Option<Evaluator> {
        let mut evaluations: HashMap<String, f64> = HashMap::new();
        let mut ok = true;
        for item in children(issue, "item") {
            let Some(value) = self.required(item, "value") else {
                ok = false;
                continue;
            };
            // GENIUS skips an item without evaluation (or with the word `null`).
            let Some(text) = self.attribute(item, "evaluation").filter(|t| t != "null") else {
                continue;
            };
            match parse_number(&text) {
                Some(evaluation) if evaluation >= 0.0 => {
                    evaluations.insert(value, evaluation);
                }
                Some(evaluation) => {
                    self.problem(
                        item,
                        ErrorKind::Invalid,
                        format!("evaluation `{evaluation}` is negative"),
                    );
                    ok = false;
                }
                None => {
                    self.not_a(item, "evaluation", &text, "a number");
                    ok = false;
                }
            }
        }
        if evaluations.is_empty() && ok {
            self.problem(
                issue,
                ErrorKind::Missing,
                "no item has an `evaluation`; GENIUS fails on every bid",
            );
            return None;
        }
        let missing: Vec<&str> = options
            .iter()
            .map(|o| o.id.as_str())
            .filter(|id| !evaluations.contains_key(*id))
            .collect();
        let mut unknown: Vec<&str> = evaluations
            .keys()
            .map(String::as_str)
            .filter(|v| !options.iter().any(|o| o.id == *v))
            .collect();
        unknown.sort_unstable();
        if !missing.is_empty() && ok {
            let (plural, pronoun) = if missing.len() == 1 {
                ("", "it")
            } else {
                ("s", "them")
            };
            let hint = if unknown.is_empty() {
                String::new()
            } else {
                format!(
                    "\nhint: the profile rates {}, which the domain does not have (a misspelling?)",
                    list(&unknown)
                )
            };
            self.problem(
                issue,
                ErrorKind::Missing,
                format!(
                    "no evaluation for the domain's value{plural} {}; GENIUS fails on bids with {pronoun}{hint}",
                    list(&missing)
                ),
            );
            return None;
        }
        if !unknown.is_empty() {
            self.warn(
                issue,
                format!(
                    "the profile rates {}, which the domain does not have; GENIUS ignores it except in the issue's largest evaluation",
                    list(&unknown)
                ),
            );
        }
        if !ok {
            return None;
        }
        let max = evaluations
            .values()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        let scores = options
            .iter()
            .map(|o| {
                if max < ZERO_MAX_EVALUATION {
                    0.0
                } else {
                    evaluations[&o.id] / max
                }
            })
            .collect();
        Some(Evaluator::Options(scores))
    }

    /// `clamp(offset + slope * (v - lowerbound), 0, 1)` with the profile's `lowerbound`;
    /// without an `<evaluator>`, offset and slope are 0 (GENIUS' `EvaluatorInteger`).
    fn integer_evaluator(&mut self, issue: Node, min: i64, max: i64) -> Option<Evaluator> {
        let lower = self.integer(issue, "lowerbound")?;
        let upper = self
            .attribute(issue, "upperbound")
            .and_then(|t| parse_integer(&t));
        if lower != min || upper.is_some_and(|u| u != max) {
            self.warn(
                issue,
                format!("the domain's range is `{min}..{max}`; scores are computed from the profile's lowerbound `{lower}`, as in GENIUS"),
            );
        }
        let (offset, slope) = match child(issue, "evaluator") {
            Some(evaluator) => {
                let offset = self.number(evaluator, "offset");
                let slope = self.number(evaluator, "slope");
                (offset?, slope?)
            }
            None => (0.0, 0.0),
        };
        Some(Evaluator::Linear {
            origin: lower as f64,
            offset,
            slope,
        })
    }

    /// GENIUS' `EvaluatorReal`: `linear`, `constant` or `triangular` in `parameter0..2`.
    fn real_evaluator(&mut self, issue: Node) -> Option<Evaluator> {
        self.real_range(issue)?;
        let Some(evaluator) = child(issue, "evaluator") else {
            self.problem(
                issue,
                ErrorKind::Missing,
                "a real issue needs an `<evaluator ftype=\"..\">` child",
            );
            return None;
        };
        let ftype = self.required(evaluator, "ftype")?;
        match ftype.to_ascii_lowercase().as_str() {
            "linear" => {
                let offset = self.number(evaluator, "parameter0");
                let slope = self.number(evaluator, "parameter1");
                Some(Evaluator::Linear {
                    origin: 0.0,
                    offset: offset?,
                    slope: slope?,
                })
            }
            "constant" => Some(Evaluator::Constant(self.number(evaluator, "parameter0")?)),
            "triangular" => {
                let lower = self.number(evaluator, "parameter0");
                let upper = self.number(evaluator, "parameter1");
                let top = self.number(evaluator, "parameter2");
                let (lower, upper, top) = (lower?, upper?, top?);
                if !(lower <= top && top <= upper) {
                    self.problem(
                        evaluator,
                        ErrorKind::Invalid,
                        "a triangular evaluator needs parameter0 <= parameter2 <= parameter1",
                    );
                    return None;
                }
                Some(Evaluator::Triangular { lower, top, upper })
            }
            _ => {
                self.problem(
                    evaluator,
                    ErrorKind::Unsupported,
                    format!("`{ftype}` evaluators are not supported (expected `linear`, `constant` or `triangular`)"),
                );
                None
            }
        }
    }

    /// A hyper-rectangle profile (ANAC 2014): the `utility` element of the first child of
    /// `utility_space`, whose first `ufun` is the function.
    fn constraint(&mut self, root: Node, domain: &Domain) -> Option<ConstraintUtility> {
        let Some(first) = root.first_element_child() else {
            self.problem(root, ErrorKind::Missing, "no `<objective>` element");
            return None;
        };
        let Some(utility) = child(first, "utility") else {
            self.problem(
                first,
                ErrorKind::Missing,
                "a nonlinear profile needs a `<utility maxutility=\"..\">` element here",
            );
            return None;
        };
        let max_utility = self.number(utility, "maxutility");
        let Some(ufun) = child(utility, "ufun") else {
            self.problem(utility, ErrorKind::Missing, "no `<ufun>` element");
            return None;
        };
        let root_node = self.ufun(ufun, 0, domain);
        let max_utility = max_utility?;
        if max_utility <= 0.0 {
            self.problem(
                utility,
                ErrorKind::Invalid,
                format!("maxutility `{max_utility}` must be positive"),
            );
            return None;
        }
        Some(ConstraintUtility {
            root: root_node?,
            max_utility,
        })
    }

    fn ufun(&mut self, ufun: Node, depth: usize, domain: &Domain) -> Option<ConstraintNode> {
        if depth > MAX_DEPTH {
            self.problem(
                ufun,
                ErrorKind::Unsupported,
                format!("`<ufun>`s nested deeper than {MAX_DEPTH} levels"),
            );
            return None;
        }
        let aggregation = match self.attribute(ufun, "aggregation") {
            None => {
                self.problem(
                    ufun,
                    ErrorKind::Missing,
                    "missing attribute `aggregation`; GENIUS fails without it",
                );
                None
            }
            Some(word) => Some(match word.to_ascii_lowercase().as_str() {
                "sum" => Aggregation::Sum,
                "min" => Aggregation::Min,
                "max" => Aggregation::Max,
                _ => {
                    self.warn(
                        ufun,
                        format!("unknown aggregation `{word}`; summed, as in GENIUS"),
                    );
                    Aggregation::Sum
                }
            }),
        };
        let weight = self.optional_number(ufun, "weight", 1.0);
        let rectangles: Vec<Option<Rectangle>> = children(ufun, "hyperRectangle")
            .map(|rectangle| self.rectangle(rectangle, domain))
            .collect();
        let nested: Vec<Option<ConstraintNode>> = children(ufun, "ufun")
            .map(|nested| self.ufun(nested, depth + 1, domain))
            .collect();
        Some(ConstraintNode {
            aggregation: aggregation?,
            weight: weight?,
            rectangles: rectangles.into_iter().collect::<Option<_>>()?,
            children: nested.into_iter().collect::<Option<_>>()?,
        })
    }

    /// Pays `utility * weight` inside all its `INCLUDES` bounds, or outside some of its
    /// `EXCLUDES` bounds (GENIUS uses only the `EXCLUDES` when both occur); bounds are
    /// inclusive and name issues by index.
    fn rectangle(&mut self, rectangle: Node, domain: &Domain) -> Option<Rectangle> {
        let utility = self.number(rectangle, "utility");
        let weight = self.optional_number(rectangle, "weight", 1.0);
        let excludes = child(rectangle, "EXCLUDES").is_some();
        let tag = if excludes { "EXCLUDES" } else { "INCLUDES" };
        let bounds: Vec<Option<Bound>> = children(rectangle, tag)
            .map(|bound| self.bound(bound, domain))
            .collect();
        Some(Rectangle {
            utility: utility? * weight?,
            excludes,
            bounds: bounds.into_iter().collect::<Option<_>>()?,
        })
    }

    fn bound(&mut self, bound: Node, domain: &Domain) -> Option<Bound> {
        let index = self.integer(bound, "index");
        let min = self.number(bound, "min");
        let max = self.number(bound, "max");
        let index = index?;
        let Some(point) = domain.point_of(index) else {
            self.problem(
                bound,
                ErrorKind::Unknown,
                format!("no issue of the domain has index {index}"),
            );
            return None;
        };
        if matches!(domain.points[point.0].kind, PointKind::Options(_)) {
            let id = &domain.points[point.0].id;
            self.problem(
                bound,
                ErrorKind::Unsupported,
                format!(
                    "issue `{id}` is discrete; hyper-rectangle bounds need integer or real issues"
                ),
            );
            return None;
        }
        Some(Bound {
            point,
            min: min?,
            max: max?,
        })
    }
}

#[cfg(test)]
mod tests {
    use accord_core::{Choice, Package};

    use super::*;

    /// What a domain and profile should give.
    enum Expect<'a> {
        /// Utilities of packages, each written as one label per point (option id, or the
        /// number for a range), and the reservation value and discount factor.
        Utilities {
            packages: &'a [(&'a [&'a str], f64)],
            reservation_value: f64,
            discount_factor: f64,
        },
        /// The error (of the domain, else of the profile) renders to exactly this.
        Error(&'a str),
        /// Reading succeeds and some warning contains this.
        Warning(&'a str),
    }

    fn package(points: &[Point], labels: &[&str]) -> Package {
        let choices = points
            .iter()
            .zip(labels)
            .map(|(point, label)| match &point.kind {
                PointKind::Options(_) => Choice::Option(
                    point
                        .option_idx(label)
                        .unwrap_or_else(|| panic!("no option `{label}`")),
                ),
                PointKind::Integer { .. } => Choice::Integer(label.parse().unwrap()),
                PointKind::Real { .. } => Choice::Real(label.parse().unwrap()),
            })
            .collect();
        Package(choices)
    }

    fn check(domain: &[u8], profile: &[u8], expect: &Expect) {
        assert_eq!(classify(domain), FileKind::Domain);
        assert_eq!(classify(profile), FileKind::Profile);
        let result = read_domain("d.xml", domain).and_then(|domain| {
            read_profile("p.xml", profile, &domain).map(|profile| (domain, profile))
        });
        match (expect, result) {
            (Expect::Error(expected), Err(error)) => assert_eq!(&error.to_string(), expected),
            (Expect::Error(expected), Ok(_)) => panic!("expected the error {expected}"),
            (_, Err(error)) => panic!("unexpected error:\n{error}"),
            (Expect::Warning(expected), Ok((domain, profile))) => {
                let warnings = [domain.warnings, profile.warnings].concat();
                assert!(
                    warnings.iter().any(|w| w.contains(expected)),
                    "no warning contains {expected}: {warnings:#?}"
                );
            }
            (
                Expect::Utilities {
                    packages,
                    reservation_value,
                    discount_factor,
                },
                Ok((domain, profile)),
            ) => {
                for (labels, expected) in *packages {
                    let got = profile.position.utility(&package(&domain.points, labels));
                    assert!(
                        (got - expected).abs() < 1e-12,
                        "{labels:?}: {got} != {expected}"
                    );
                }
                assert_eq!(profile.position.reservation_value, *reservation_value);
                assert_eq!(profile.position.discount_factor, *discount_factor);
            }
        }
    }

    fn utilities<'a>(packages: &'a [(&'a [&'a str], f64)]) -> Expect<'a> {
        Expect::Utilities {
            packages,
            reservation_value: 0.0,
            discount_factor: 1.0,
        }
    }

    const DOMAIN: &str = r#"<negotiation_template>
  <utility_space number_of_issues="0">
    <objective index="0" name="Laptop">
      <issue index="1" name="Brand" type="discrete">
        <item index="1" value="Dell"/>
        <item index="2" value="HP"/>
      </issue>
      <issue index="2" name="Price" type="integer" lowerbound="8" upperbound="14"/>
    </objective>
  </utility_space>
</negotiation_template>
"#;

    /// A profile of [`DOMAIN`] with the given items of Brand, evaluator of Price and
    /// weights, and extra elements after the objective.
    fn profile(brand_items: &str, price: &str, weights: &str, extra: &str) -> String {
        format!(
            r#"<utility_space>
  <objective index="0" name="Laptop">
    <issue index="1" name="Brand" type="discrete">{brand_items}</issue>
    <issue index="2" name="Price" type="integer" lowerbound="8" upperbound="14">{price}</issue>
    {weights}
  </objective>
  {extra}
</utility_space>
"#
        )
    }

    const ITEMS: &str = r#"<item value="Dell" evaluation="4"/><item value="HP" evaluation="10"/>"#;
    const PRICE: &str = r#"<evaluator ftype="linear" offset="1.0" slope="-0.15"/>"#;
    const WEIGHTS: &str = r#"<weight index="1" value="0.4"/><weight index="2" value="0.6"/>"#;

    #[test]
    fn discrete_scores_are_divided_by_the_largest_evaluation() {
        let p = profile(ITEMS, PRICE, WEIGHTS, "");
        let packages: &[(&[&str], f64)] =
            &[(&["Dell", "8"], 0.4 * 0.4 + 0.6), (&["HP", "8"], 0.4 + 0.6)];
        check(DOMAIN.as_bytes(), p.as_bytes(), &utilities(packages));
    }

    #[test]
    fn integer_evaluator_starts_at_the_lower_bound() {
        // anac2016-AgentHp2: offset 1 and slope -0.15 on 8..14 give 1.0 at 8, 0.1 at 14.
        let weights = r#"<weight index="1" value="0"/><weight index="2" value="1"/>"#;
        let p = profile(ITEMS, PRICE, weights, "");
        let packages: &[(&[&str], f64)] = &[
            (&["HP", "8"], 1.0),
            (&["HP", "14"], 0.1),
            (&["HP", "11"], 0.55),
        ];
        check(DOMAIN.as_bytes(), p.as_bytes(), &utilities(packages));
        // Without an evaluator, offset and slope are 0.
        let p = profile(ITEMS, "", weights, "");
        check(
            DOMAIN.as_bytes(),
            p.as_bytes(),
            &utilities(&[(&["HP", "8"], 0.0)]),
        );
    }

    #[test]
    fn an_issue_whose_evaluations_are_all_zero_scores_zero() {
        let items =
            r#"<item value="Dell" evaluation="0"/><item value="HP" evaluation="0.000001"/>"#;
        let p = profile(items, PRICE, WEIGHTS, "");
        check(
            DOMAIN.as_bytes(),
            p.as_bytes(),
            &utilities(&[(&["HP", "8"], 0.6)]),
        );
    }

    #[test]
    fn weights_are_used_as_written_and_the_sum_is_clamped_at_one() {
        let weights = r#"<weight index="1" value="0.5"/><weight index="2" value="0.7"/>"#;
        let p = profile(ITEMS, PRICE, weights, "");
        let packages: &[(&[&str], f64)] = &[
            (&["HP", "8"], 1.0),
            (&["Dell", "14"], 0.5 * 0.4 + 0.7 * 0.1),
        ];
        check(DOMAIN.as_bytes(), p.as_bytes(), &utilities(packages));
    }

    #[test]
    fn reservation_and_discount_follow_genius_fallbacks() {
        let extra = r#"<discount_factor value="0.5"/><reservation value="0.25"/>"#;
        let p = profile(ITEMS, PRICE, WEIGHTS, extra);
        let expect = Expect::Utilities {
            packages: &[],
            reservation_value: 0.25,
            discount_factor: 0.5,
        };
        check(DOMAIN.as_bytes(), p.as_bytes(), &expect);
        for bad in ["s", "0.0", "1.5"] {
            let extra = format!(r#"<discount_factor value="{bad}"/>"#);
            let p = profile(ITEMS, PRICE, WEIGHTS, &extra);
            let expect = Expect::Utilities {
                packages: &[],
                reservation_value: 0.0,
                discount_factor: 1.0,
            };
            check(DOMAIN.as_bytes(), p.as_bytes(), &expect);
            check(
                DOMAIN.as_bytes(),
                p.as_bytes(),
                &Expect::Warning("no discount (factor 1)"),
            );
        }
    }

    #[test]
    fn an_issue_without_weight_is_an_error() {
        let weights = r#"<weight index="1" value="1"/><weight index="0" value="1"/>"#;
        let p = profile(ITEMS, PRICE, weights, "");
        let expected = "p.xml:4:5: <issue index=\"2\" name=\"Price\">: no `<weight index=\"2\">` \
                        for this issue; GENIUS fails on every bid";
        check(DOMAIN.as_bytes(), p.as_bytes(), &Expect::Error(expected));
    }

    #[test]
    fn a_value_without_evaluation_is_an_error() {
        let items = r#"<item value="Dell" evaluation="4"/><item value="HP"/>"#;
        let p = profile(items, PRICE, WEIGHTS, "");
        let expected = "p.xml:3:5: <issue index=\"1\" name=\"Brand\">: no evaluation for the \
                        domain's value `HP`; GENIUS fails on bids with it";
        check(DOMAIN.as_bytes(), p.as_bytes(), &Expect::Error(expected));
    }

    #[test]
    fn every_bad_number_is_reported() {
        let weights = r#"<weight index="1" value="abc"/>
    <weight index="2" value="0.6"/>"#;
        let items = r#"<item value="Dell" evaluation="x4"/><item value="HP" evaluation="10"/>"#;
        let p = profile(items, PRICE, weights, "");
        let expected = "p.xml:5:5: <weight index=\"1\">: `abc` is not a number\n\
                        p.xml:3:51: <item value=\"Dell\">: evaluation `x4` is not a number";
        check(DOMAIN.as_bytes(), p.as_bytes(), &Expect::Error(expected));
    }

    #[test]
    fn a_truncated_file_is_a_syntax_error_with_its_line() {
        let p = profile(ITEMS, PRICE, WEIGHTS, "");
        let cut = &p[..p.find("<weight").unwrap()];
        let expected = "p.xml:5:5: the file ends before `<objective>` (line 2) is closed; \
                        is it truncated?";
        check(DOMAIN.as_bytes(), cut.as_bytes(), &Expect::Error(expected));
        let cut = &p[..p.find("name=\"Price\"").unwrap() + 8];
        let expected = "p.xml:4:5: the file ends inside the tag `<issue`; is it truncated?";
        check(DOMAIN.as_bytes(), cut.as_bytes(), &Expect::Error(expected));
        let mismatched = p.replace("</issue>\n    <issue", "</objective>\n    <issue");
        let expected = "p.xml:3:120: `</objective>` does not close `<issue>` (line 3)";
        check(
            DOMAIN.as_bytes(),
            mismatched.as_bytes(),
            &Expect::Error(expected),
        );
    }

    #[test]
    fn prolog_of_comments_and_declarations_in_any_order_is_skipped() {
        let p = format!(
            "\n<!-- profile 1 -->\n<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n<!DOCTYPE x>{}",
            profile(ITEMS, PRICE, WEIGHTS, "<!-- a -- comment -->")
        );
        check(
            DOMAIN.as_bytes(),
            p.as_bytes(),
            &utilities(&[(&["HP", "8"], 1.0)]),
        );
    }

    #[test]
    fn bare_ampersands_and_missing_spaces_between_attributes_are_accepted() {
        let domain = DOMAIN
            .replace("\"Dell\"", "\"AT & T\"")
            .replace("name=\"Brand\" type", "name=\"Brand\"type");
        let items = r#"<item value="AT & T"evaluation="4"/><item value="HP" evaluation="10"/>"#;
        let p = profile(items, PRICE, WEIGHTS, "");
        check(
            domain.as_bytes(),
            p.as_bytes(),
            &utilities(&[(&["AT & T", "8"], 0.4 * 0.4 + 0.6)]),
        );
        // Errors after the insertions still point at the original columns.
        let items = r#"<item value="AT & T"evaluation="4"/><item value="HP" evaluation="?"/>"#;
        let p = profile(items, PRICE, WEIGHTS, "");
        let expected = "p.xml:3:87: <item value=\"HP\">: evaluation `?` is not a number";
        check(domain.as_bytes(), p.as_bytes(), &Expect::Error(expected));
    }

    #[test]
    fn values_are_compared_exactly() {
        let domain = DOMAIN.replace("\"Dell\"", "\"Dell \"");
        let p = profile(ITEMS, PRICE, WEIGHTS, "");
        let expected = "p.xml:3:5: <issue index=\"1\" name=\"Brand\">: no evaluation for the \
                        domain's value `Dell `; GENIUS fails on bids with it\nhint: the profile rates `Dell`, which the domain does not have (a misspelling?)";
        check(domain.as_bytes(), p.as_bytes(), &Expect::Error(expected));
    }

    #[test]
    fn windows_1252_bytes_are_decoded_with_a_warning() {
        let mut domain = DOMAIN.replace("\"Dell\"", "\"#10,000\"").into_bytes();
        let mut p = profile(ITEMS, PRICE, WEIGHTS, "")
            .replace("\"Dell\"", "\"#10,000\"")
            .into_bytes();
        for bytes in [&mut domain, &mut p] {
            let at = bytes.iter().position(|&c| c == b'#').unwrap();
            bytes[at] = 0x80;
        }
        check(
            &domain,
            &p,
            &utilities(&[(&["€10,000", "8"], 0.4 * 0.4 + 0.6)]),
        );
        check(
            &domain,
            &p,
            &Expect::Warning(
                "d.xml:5:1: the file is not valid UTF-8; read the whole file as Windows-1252",
            ),
        );
    }

    #[test]
    fn profile_issues_are_matched_by_index_not_name() {
        let p = profile(ITEMS, PRICE, WEIGHTS, "").replace("name=\"Brand\"", "name=\"Make\"");
        check(
            DOMAIN.as_bytes(),
            p.as_bytes(),
            &utilities(&[(&["HP", "8"], 1.0)]),
        );
        check(
            DOMAIN.as_bytes(),
            p.as_bytes(),
            &Expect::Warning("the domain calls issue 1 `Brand`, not `Make`"),
        );
    }

    #[test]
    fn domain_problems_are_all_reported() {
        let domain = DOMAIN
            .replace("index=\"2\" name=\"Price\"", "index=\"1\" name=\"Price\"")
            .replace("type=\"discrete\"", "type=\"ordinal\"");
        let expected = "d.xml:4:7: <issue index=\"1\" name=\"Brand\">: unknown issue type `ordinal` \
                        (expected `discrete`, `integer` or `real`)\n\
                        d.xml:8:7: <issue index=\"1\" name=\"Price\">: index 1 is already used by \
                        another issue or objective (line 4)";
        check(
            domain.as_bytes(),
            b"<utility_space/>",
            &Expect::Error(expected),
        );
    }

    const NONLINEAR_DOMAIN: &str = r#"<negotiation_template><utility_space><objective index="0" name="root">
  <issue index="1" name="a" type="integer" lowerbound="0" upperbound="9"/>
  <issue index="2" name="b" type="integer" lowerbound="0" upperbound="9"/>
</objective></utility_space></negotiation_template>"#;

    #[test]
    fn hyper_rectangles_include_and_exclude_with_inclusive_bounds() {
        let p = r#"<utility_space type="nonlinear"><objective index="0" name="root">
  <utility maxutility="50">
    <ufun type="PlainUfun" weight="1" aggregation="sum">
      <hyperRectangle utility="20"><INCLUDES index="1" min="2" max="4"/></hyperRectangle>
      <hyperRectangle utility="10" weight="2">
        <EXCLUDES index="1" min="3" max="9"/><EXCLUDES index="2" min="0" max="5"/>
      </hyperRectangle>
      <ufun weight="0.5" aggregation="MAX">
        <hyperRectangle utility="8"/>
        <hyperRectangle utility="4"><INCLUDES index="2" min="9" max="9"/></hyperRectangle>
      </ufun>
    </ufun>
  </utility>
</objective><reservation value="0.75"/></utility_space>"#;
        let expect = Expect::Utilities {
            packages: &[
                // Inside the INCLUDES box (2 is inclusive), outside the EXCLUDES box.
                (&["2", "0"], (20.0 + 20.0 + 4.0) / 50.0),
                // Inside both boxes: only INCLUDES pays.
                (&["4", "5"], (20.0 + 4.0) / 50.0),
                // Outside the EXCLUDES box through the second bound.
                (&["5", "6"], (20.0 + 4.0) / 50.0),
                (&["5", "5"], 4.0 / 50.0),
            ],
            reservation_value: 0.75,
            discount_factor: 1.0,
        };
        check(NONLINEAR_DOMAIN.as_bytes(), p.as_bytes(), &expect);
        let missing = p.replace(" aggregation=\"sum\"", "");
        let expected =
            "p.xml:3:5: <ufun>: missing attribute `aggregation`; GENIUS fails without it";
        check(
            NONLINEAR_DOMAIN.as_bytes(),
            missing.as_bytes(),
            &Expect::Error(expected),
        );
    }

    #[test]
    fn real_evaluators() {
        let domain = r#"<negotiation_template><utility_space><objective index="0" name="r">
  <issue index="1" name="x" type="real"><range lowerbound="0" upperbound="4"/></issue>
  <issue index="2" name="y" type="real"><range lowerbound="0" upperbound="4"/></issue>
</objective></utility_space></negotiation_template>"#;
        let p = r#"<utility_space><objective index="0" name="r">
  <issue index="1" name="x" type="real"><range lowerbound="0" upperbound="4"/>
    <evaluator ftype="linear" parameter0="0.5" parameter1="0.25"/></issue>
  <issue index="2" name="y" type="real"><range lowerbound="0" upperbound="4"/>
    <evaluator ftype="triangular" parameter0="0" parameter1="4" parameter2="2"/></issue>
  <weight index="1" value="0.5"/><weight index="2" value="0.5"/>
</objective></utility_space>"#;
        let packages: &[(&[&str], f64)] = &[(&["0", "1"], 0.25 + 0.25), (&["4", "2"], 0.5 + 0.5)];
        check(domain.as_bytes(), p.as_bytes(), &utilities(packages));
        let faratin = p.replace("\"triangular\"", "\"faratin\"");
        let expected = "p.xml:5:5: <evaluator>: `faratin` evaluators are not supported \
                        (expected `linear`, `constant` or `triangular`)";
        check(
            domain.as_bytes(),
            faratin.as_bytes(),
            &Expect::Error(expected),
        );
    }

    #[test]
    fn damaged_files_give_errors_not_panics() {
        // Every prefix, and every position overwritten by a troublesome byte, reads to a
        // value or to an error that names a line.
        let p = profile(ITEMS, PRICE, WEIGHTS, "<reservation value=\"0.5\"/>").into_bytes();
        let domain = read_domain("d.xml", DOMAIN.as_bytes()).unwrap();
        let mut inputs: Vec<Vec<u8>> = (0..p.len()).map(|n| p[..n].to_vec()).collect();
        for at in 0..p.len() {
            for byte in [b'<', b'>', b'"', b'&', b'/', b'=', 0x80, 0xFF, 0] {
                let mut damaged = p.clone();
                damaged[at] = byte;
                inputs.push(damaged);
            }
        }
        for input in inputs {
            let _ = classify(&input);
            let errors = [
                read_domain("d.xml", &input).err(),
                read_profile("p.xml", &input, &domain).err(),
            ];
            for error in errors.into_iter().flatten() {
                assert!(!error.problems.is_empty());
                assert!(
                    error.problems.iter().all(|p| p.line_col.is_some()),
                    "{error}"
                );
            }
        }
    }

    #[test]
    fn other_files_are_classified_as_other() {
        assert_eq!(classify(b"0.1, 0.9\n0.5, 0.5\n"), FileKind::Other);
        assert_eq!(classify(b"<?xml version=\"1.0\"?><html/>"), FileKind::Other);
        assert_eq!(classify(b""), FileKind::Other);
        let error = read_domain("pareto.xml", b"0.1, 0.9\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "pareto.xml:2:1: the file holds no XML element"
        );
    }
}
