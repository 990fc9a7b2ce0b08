//! The README's examples are real: every `$ aistack ...` line in it is run, its exit code is
//! the one the README states (`# exit N`, else 0), and its output matches the lines shown
//! below it (a line `...` stands for any number of lines). Files the examples write go to a
//! temporary directory. The round-off figures of a solve's first line (duality gap, welfare
//! residual, around 1e-16) are not compared: they vary with the platform's floating point.

use std::path::Path;
use std::process::Command;

struct Example {
    args: Vec<String>,
    exit: i32,
    expected: Vec<String>,
}

fn examples() -> Vec<Example> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut out: Vec<Example> = Vec::new();
    let mut in_block = false;
    let mut current: Option<Example> = None;
    for line in readme.lines() {
        if line.starts_with("```") {
            if let Some(e) = current.take() {
                out.push(e);
            }
            in_block = !in_block;
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ aistack ") {
            if let Some(e) = current.take() {
                out.push(e);
            }
            let (cmd, comment) = cmd.split_once('#').unwrap_or((cmd, ""));
            let exit = comment
                .trim()
                .strip_prefix("exit ")
                .map_or(0, |n| n.trim().parse().unwrap());
            current = Some(Example {
                args: shlex::split(cmd).expect("README command quoting"),
                exit,
                expected: Vec::new(),
            });
        } else if let Some(e) = current.as_mut() {
            e.expected.push(line.to_string());
        }
    }
    out
}

/// A line without its round-off figures ("; duality gap ..., welfare residual ...").
fn mask(line: &str) -> &str {
    line.split("; duality gap ")
        .next()
        .unwrap_or(line)
        .trim_end()
}

/// `actual` matches `expected` line by line; `...` skips any number of actual lines; trailing
/// blank lines are ignored on both sides.
fn matches(expected: &[String], actual: &[&str]) -> bool {
    fn trim<'a, T: AsRef<str>>(v: &'a [T]) -> &'a [T] {
        let mut n = v.len();
        while n > 0 && v[n - 1].as_ref().trim().is_empty() {
            n -= 1;
        }
        &v[..n]
    }
    fn go(e: &[String], a: &[&str]) -> bool {
        match e.split_first() {
            None => a.is_empty(),
            Some((first, rest)) if first.trim() == "..." => {
                (0..=a.len()).any(|k| go(rest, &a[k..]))
            }
            Some((first, rest)) => !a.is_empty() && mask(a[0]) == mask(first) && go(rest, &a[1..]),
        }
    }
    go(trim(expected), trim(actual))
}

#[test]
fn every_readme_example_runs_as_shown() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().to_str().unwrap().to_string();
    let all = examples();
    assert!(all.len() >= 8, "only {} examples found", all.len());
    for e in all {
        // Outputs the example writes (after --out, --lp, --mps) go to the temporary directory.
        let mut args = e.args.clone();
        for i in 1..args.len() {
            if matches!(args[i - 1].as_str(), "--out" | "--lp" | "--mps") {
                args[i] = format!("{tmp}/{}", args[i]);
            }
        }
        let out = Command::new(env!("CARGO_BIN_EXE_aistack"))
            .args(&args)
            .current_dir(root)
            .env("COLUMNS", "200")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .replace(&format!("{tmp}/"), "");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            out.status.code(),
            Some(e.exit),
            "aistack {}: exit code\n{text}",
            e.args.join(" ")
        );
        assert!(
            matches(&e.expected, &lines),
            "aistack {}: README shows\n{}\n--- but the program printed\n{text}",
            e.args.join(" "),
            e.expected.join("\n")
        );
    }
}
