//! The README's table "Flags of every subcommand" states exactly what each subcommand accepts:
//! every long flag `aistack SUB --help` lists is in the table's row for SUB and every flag in the
//! row is accepted (no drift between the documentation and the program), and the shared flags
//! list their values.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// The rows of the README table: subcommand -> its flags (backticked `--name` tokens).
fn readme_rows() -> Vec<(String, BTreeSet<String>)> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("## Flags of every subcommand")
        .nth(1)
        .expect("README has a section \"Flags of every subcommand\"");
    let mut rows = Vec::new();
    for line in section.lines().skip_while(|l| !l.starts_with('|')) {
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let name = cells.get(1).copied().unwrap_or("").trim_matches('`');
        if name.is_empty() || name == "subcommand" || name.starts_with('-') {
            continue;
        }
        rows.push((name.to_string(), flags(&cells[2..].join(" "))));
    }
    rows
}

/// Every `--name` in a text.
fn flags(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(str::to_string)
        .collect()
}

fn help(sub: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args([sub, "--help"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "aistack {sub} --help");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The flags a `--help` text defines: lines `  --name ...` or `  -x, --name ...` (not the
/// flags its descriptions mention).
fn defined(help: &str) -> BTreeSet<String> {
    help.lines()
        .map(str::trim_start)
        .filter_map(|l| {
            let l = match l.split_once(", ") {
                Some((short, rest)) if short.len() == 2 && short.starts_with('-') => rest,
                _ => l,
            };
            l.starts_with("--")
                .then(|| flags(l.split_whitespace().next().unwrap_or("")))
        })
        .flatten()
        .collect()
}

#[test]
fn readme_states_exactly_the_flags_of_every_subcommand() {
    let rows = readme_rows();
    let names: Vec<&str> = rows.iter().map(|(n, _)| n.as_str()).collect();
    for sub in [
        "validate",
        "solve",
        "compare",
        "coalitions",
        "margins",
        "report",
        "export",
        "generate",
        "sweep",
        "sweep-report",
    ] {
        assert!(names.contains(&sub), "README flag table lacks {sub}");
    }
    // The global flag (every subcommand, its own README row).
    for (sub, documented) in rows.iter().filter(|(n, _)| n == "(every subcommand)") {
        assert!(
            documented.contains("--max-columns"),
            "{sub}: {documented:?}"
        );
    }
    for (sub, documented) in rows.into_iter().filter(|(n, _)| !n.starts_with('(')) {
        let text = help(&sub);
        let mut accepted = defined(&text);
        // Every subcommand has --help; --max-columns is global (its own README row).
        accepted.remove("--help");
        accepted.remove("--max-columns");
        assert_eq!(
            accepted, documented,
            "aistack {sub}: --help lists {accepted:?}, the README table {documented:?}"
        );
    }
}

#[test]
fn scenario_subcommands_share_one_interface() {
    for sub in [
        "validate",
        "solve",
        "compare",
        "coalitions",
        "margins",
        "report",
        "export",
    ] {
        let text = help(sub);
        let accepted = defined(&text);
        for f in [
            "--set",
            "--overlay",
            "--variant",
            "--activate",
            "--deactivate",
            "--format",
        ] {
            assert!(accepted.contains(f), "aistack {sub} lacks {f}");
        }
        assert!(
            text.contains("table, json, csv"),
            "aistack {sub} --format lists its values:\n{text}"
        );
        if sub != "report" && sub != "export" && sub != "validate" {
            for f in [
                "--solver",
                "--mip-gap",
                "--time-limit",
                "--prices",
                "--limit",
                "--out",
            ] {
                assert!(accepted.contains(f), "aistack {sub} lacks {f}");
            }
            assert!(
                text.contains("microlp, highs"),
                "aistack {sub} --solver lists its values"
            );
        }
    }
}
