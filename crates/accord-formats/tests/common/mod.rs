//! Helpers shared by the corpus tests: where the test data is and how to read it.
#![allow(
    dead_code,
    reason = "each test binary uses its own subset of these helpers"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use accord_formats::folder::FolderFile;

/// The repository's `testdata/` folder.
pub(crate) fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// A file's bytes; a missing file fails the test with its path.
pub(crate) fn read_bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// A UTF-8 file's text.
pub(crate) fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// One row of an `INDEX.tsv`, by column name.
pub(crate) type Row = BTreeMap<String, String>;

/// The rows of `testdata/<corpus>/INDEX.tsv`.
pub(crate) fn index_rows(corpus: &str) -> Vec<Row> {
    let text = read_text(&testdata().join(corpus).join("INDEX.tsv"));
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .expect("INDEX.tsv has a header")
        .split('\t')
        .collect();
    lines
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            header
                .iter()
                .zip(line.split('\t'))
                .map(|(key, value)| ((*key).to_string(), value.to_string()))
                .collect()
        })
        .collect()
}

/// Every file of a folder (not its subfolders), sorted by name.
pub(crate) fn folder_files(dir: &Path) -> Vec<FolderFile> {
    let mut files: Vec<FolderFile> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .map(|path| FolderFile {
            name: path.file_name().unwrap().to_string_lossy().into_owned(),
            bytes: read_bytes(&path),
        })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}
