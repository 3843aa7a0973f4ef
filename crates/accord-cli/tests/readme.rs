//! Every command of the README's "Using it" block, run as written and in order, from a
//! folder that sees the repository's `examples/` and `testdata/` as the README's reader
//! does from the root. A command that stops working, a file the README names that does
//! not ship, or a folder renamed under it fails here.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The commands of the README's `sh` block under "## Using it", comments dropped.
fn readme_commands(readme: &str) -> Vec<String> {
    let section = readme
        .split("\n## Using it")
        .nth(1)
        .expect("README.md has a \"Using it\" section");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the section opens with an sh block");
    block
        .lines()
        .map(|line| {
            line.split(" #")
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        })
        .filter(|line| !line.is_empty())
        .collect()
}

/// The commands whose documented answer may be the negative one (exit 1).
fn may_answer_no(args: &[&str]) -> bool {
    matches!(args.first(), Some(&("check" | "evaluate")))
}

#[test]
fn every_command_of_the_readme_works_as_written() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let commands = readme_commands(&readme);
    assert!(commands.len() >= 20, "{commands:?}");
    let dir = std::env::temp_dir().join(format!("accord-readme-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for shared in ["examples", "testdata"] {
        std::os::unix::fs::symlink(
            root().join(shared).canonicalize().unwrap(),
            dir.join(shared),
        )
        .unwrap();
    }
    for command in &commands {
        let words: Vec<&str> = command.split_whitespace().collect();
        assert_eq!(words[0], "accord", "{command}: every line runs accord");
        let args = &words[1..];
        let output = Command::cargo_bin("accord")
            .unwrap()
            .current_dir(&dir)
            .args(args)
            .output()
            .unwrap();
        let code = output.status.code();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let allowed: &[i32] = if may_answer_no(args) { &[0, 1] } else { &[0] };
        assert!(
            code.is_some_and(|c| allowed.contains(&c)),
            "`{command}` exited {code:?}\n{stderr}"
        );
        assert!(
            !output.stdout.is_empty() || written(&dir, args),
            "`{command}` said nothing"
        );
    }
    // What the commands say they write is there.
    for file in [
        "report.html",
        "report.md",
        "results/results.jsonl",
        "results/results.csv",
        "results/summary.txt",
        "labour-genius",
        "big.toml",
        "many.html",
        "boxes.toml",
    ] {
        assert!(dir.join(file).exists(), "{file} was not written");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Whether a command that prints nothing wrote its `-o` output.
fn written(dir: &Path, args: &[&str]) -> bool {
    args.iter()
        .position(|a| *a == "-o")
        .and_then(|k| args.get(k + 1))
        .is_some_and(|out| dir.join(out).exists())
}

#[test]
fn the_readme_block_is_read_whole() {
    let commands = readme_commands(
        "# x\n\n## Using it\n\n```sh\naccord a b   # one\n\naccord c\n```\n\nafter\n```sh\naccord d\n```\n",
    );
    assert_eq!(commands, vec!["accord a b", "accord c"]);
}
