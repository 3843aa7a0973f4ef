//! Where a problem is and how it is worded: paths into a TOML or JSON document, their
//! line and column, and serde's messages in the project's words. Shared by the readers
//! of case files, package files and answer files.

use std::fmt::Write as _;

use serde_json::Value;

use crate::case_file::CaseFormat;
use crate::error::ErrorKind;

/// `serde_path_to_error` writes `.` for the root and `?` where it lost track.
pub(crate) fn field_of(path: &str) -> String {
    if path == "." || path == "?" {
        String::new()
    } else {
        path.to_string()
    }
}

/// serde's wording in the project's style: user values in backticks, no Rust type names.
pub(crate) fn tidy_serde_message(message: &str) -> String {
    let mut message = message
        .replace("expected f64", "expected a number")
        .replace("expected u64", "expected a whole number")
        .replace("expected i64", "expected a whole number")
        .replace("expected a sequence", "expected an array")
        .replace("expected a map", "expected a table");
    // toml reads a too-large integer as an i128 that no field takes.
    if let Some(rest) = message.strip_prefix("invalid type: integer `")
        && let Some(end) = rest.find("` as i128")
    {
        return format!(
            "the integer `{}` is too large (at most 9223372036854775807; write a decimal number such as `1e20` for a weight)",
            &rest[..end]
        );
    }
    if let Some(rest) = message.strip_prefix("invalid type: string \"")
        && let Some(end) = rest.find("\", expected")
    {
        message = format!(
            "invalid type: string `{}`{}",
            &rest[..end],
            &rest[end + 1..]
        );
    }
    message
}

pub(crate) fn kind_of(message: &str) -> ErrorKind {
    if message.starts_with("missing field") {
        ErrorKind::Missing
    } else if message.starts_with("invalid type") || message.starts_with("data did not match") {
        ErrorKind::WrongType
    } else if message.starts_with("unknown field") {
        ErrorKind::Unknown
    } else {
        ErrorKind::Invalid
    }
}

/// The line (and column 1) that nests deepest: the most dots in a key, or brackets and
/// braces open at once; where a recursion limit was hit.
pub(crate) fn deepest_line(text: &str) -> (usize, usize) {
    let mut depth = 0usize;
    let mut best = (0usize, 1usize);
    for (k, line) in text.lines().enumerate() {
        let mut deepest = line.matches('.').count();
        for c in line.chars() {
            match c {
                '[' | '{' => depth += 1,
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            deepest = deepest.max(depth);
        }
        if deepest > best.0 {
            best = (deepest, k + 1);
        }
    }
    (best.1, 1)
}

pub(crate) fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or("").trim().to_string()
}

pub(crate) fn strip_json_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(k) => message[..k].to_string(),
        None => message.to_string(),
    }
}

pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.chars().count(), |k| before[k + 1..].chars().count())
        + 1;
    (line, column)
}

/// One step of a path into the document.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

pub(crate) fn path_string(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                if key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    out.push_str(key);
                } else {
                    let _ = write!(out, "{key:?}");
                }
            }
            Step::Index(k) => {
                let _ = write!(out, "[{k}]");
            }
        }
    }
    out
}

/// Finds the line of a path in a document: the deepest value of the path that exists.
pub(crate) struct Locator<'t> {
    tree: Option<toml::Spanned<toml::de::DeTable<'t>>>,
    text: &'t str,
    format: CaseFormat,
}

impl<'t> Locator<'t> {
    /// Whether the document is TOML (which has no null: a null there was a `nan`).
    pub(crate) fn is_toml(&self) -> bool {
        self.tree.is_some()
    }

    pub(crate) fn new(text: &'t str, format: CaseFormat) -> Self {
        let tree = match format {
            CaseFormat::Toml => toml::de::DeTable::parse(text).ok(),
            CaseFormat::Json => None,
        };
        Self { tree, text, format }
    }

    pub(crate) fn locate(&self, path: &[Step]) -> Option<(usize, usize)> {
        if self.format == CaseFormat::Json {
            return json_offset(self.text, path).map(|at| line_col(self.text, at));
        }
        self.toml_span(path)
            .map(|(span, _)| line_col(self.text, span.start))
    }

    /// A value as the user wrote it. TOML has no null: a null read from TOML was a
    /// non-finite float (`nan`, `inf`, `-inf`), shown as written when `path` finds it.
    pub(crate) fn shown(&self, path: &[Step], value: &Value) -> String {
        if !(self.is_toml() && value.is_null()) {
            return value.to_string();
        }
        match self.toml_span(path) {
            Some((span, true)) => self.text[span].trim().to_string(),
            _ => "nan".to_string(),
        }
    }

    /// The span of the deepest value of `path` in a TOML document, and whether it is the
    /// value of the whole path.
    fn toml_span(&self, path: &[Step]) -> Option<(std::ops::Range<usize>, bool)> {
        let root = self.tree.as_ref()?;
        let mut span = root.span();
        let mut table = Some(root.get_ref());
        let mut array: Option<&toml::de::DeArray<'t>> = None;
        for step in path {
            let value = match step {
                Step::Key(key) => table?
                    .iter()
                    .find(|(k, _)| k.get_ref() == key)
                    .map(|(_, v)| v),
                Step::Index(k) => array?.get(*k),
            };
            let Some(value) = value else {
                return Some((span, false));
            };
            span = value.span();
            table = None;
            array = None;
            match value.get_ref() {
                toml::de::DeValue::Table(t) => table = Some(t),
                toml::de::DeValue::Array(a) => array = Some(a),
                _ => {}
            }
        }
        Some((span, true))
    }
}

/// The byte offset of the deepest value of `path` in a JSON document (read already, so
/// valid): members and elements before it are skipped without being parsed.
pub(crate) fn json_offset(text: &str, path: &[Step]) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = skip_space(bytes, 0);
    let mut found = at;
    'steps: for step in path {
        match (step, bytes.get(at)) {
            (Step::Key(wanted), Some(b'{')) => {
                at = skip_space(bytes, at + 1);
                while bytes.get(at) == Some(&b'"') {
                    let end = string_end(bytes, at)?;
                    let key: String = serde_json::from_str(text.get(at..end)?).ok()?;
                    at = skip_space(bytes, end);
                    if bytes.get(at) != Some(&b':') {
                        return Some(found);
                    }
                    at = skip_space(bytes, at + 1);
                    if &key == wanted {
                        found = at;
                        continue 'steps;
                    }
                    at = skip_space(bytes, value_end(bytes, at)?);
                    if bytes.get(at) == Some(&b',') {
                        at = skip_space(bytes, at + 1);
                    }
                }
                return Some(found);
            }
            (Step::Index(k), Some(b'[')) => {
                at = skip_space(bytes, at + 1);
                for _ in 0..*k {
                    at = skip_space(bytes, value_end(bytes, at)?);
                    if bytes.get(at) != Some(&b',') {
                        return Some(found);
                    }
                    at = skip_space(bytes, at + 1);
                }
                if bytes.get(at) == Some(&b']') {
                    return Some(found);
                }
                found = at;
            }
            _ => return Some(found),
        }
    }
    Some(found)
}

pub(crate) fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

/// Just past the string that opens at `at`.
pub(crate) fn string_end(bytes: &[u8], at: usize) -> Option<usize> {
    let mut k = at + 1;
    loop {
        match bytes.get(k)? {
            b'\\' => k += 2,
            b'"' => return Some(k + 1),
            _ => k += 1,
        }
    }
}

/// Just past the value that starts at `at`; nesting is counted, not recursed into.
pub(crate) fn value_end(bytes: &[u8], at: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut k = at;
    loop {
        match bytes.get(k) {
            Some(b'"') => k = string_end(bytes, k)?,
            Some(b'{' | b'[') => {
                depth += 1;
                k += 1;
            }
            Some(b'}' | b']') if depth > 0 => {
                depth -= 1;
                k += 1;
            }
            Some(b',') if depth > 0 => k += 1,
            Some(b',' | b'}' | b']') | None => return Some(k),
            Some(_) => k += 1,
        }
        if depth == 0 && k > at && matches!(bytes.get(k - 1), Some(b'}' | b']' | b'"')) {
            return Some(k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every path to every node of `value`, with the node.
    fn nodes(value: &Value, path: &mut Vec<Step>, out: &mut Vec<(Vec<Step>, Value)>) {
        out.push((path.clone(), value.clone()));
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    path.push(Step::Key(key.clone()));
                    nodes(child, path, out);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (k, child) in items.iter().enumerate() {
                    path.push(Step::Index(k));
                    nodes(child, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }

    #[test]
    fn json_paths_are_found_where_their_values_start() {
        let value = serde_json::json!({
            "a \"quoted\" key": [1, {"x": "a, string] with } brackets"}, [[], {}], -2.5e3],
            "é": {"": null, "nested": {"deep": [true, false, "\\"]}},
            "last": "x"
        });
        for text in [
            value.to_string(),
            serde_json::to_string_pretty(&value).unwrap(),
        ] {
            let mut all = Vec::new();
            nodes(&value, &mut Vec::new(), &mut all);
            for (path, node) in all {
                let at = json_offset(&text, &path).unwrap();
                let mut rest = serde_json::Deserializer::from_str(&text[at..]).into_iter::<Value>();
                assert_eq!(rest.next().unwrap().unwrap(), node, "{path:?} in {text}");
            }
            // A path that goes on past what exists stops at the deepest value found.
            let key = |k: &str| Step::Key(k.to_string());
            let path = [key("é"), key("nested"), key("missing"), Step::Index(3)];
            let at = json_offset(&text, &path).unwrap();
            assert!(text[at..].starts_with('{'), "{}", &text[at..]);
        }
    }
}
