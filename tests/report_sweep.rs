//! `aistack sweep-report OUT_DIR --out DIR`: a tornado per metric and each metric against each
//! parameter, titled, axis-labelled and not empty, in a self-contained page.

use std::path::PathBuf;
use std::process::Command;

/// A text element whose content is exactly `t` (plotters writes it on a line of its own), or
/// ends a title.
fn has_text(svg: &str, t: &str) -> bool {
    svg.lines()
        .any(|l| l.trim() == t || (l.trim().ends_with(t) && l.contains(": ")))
}

/// The metric of a chart file: metric 1 is W, 2 is welfare[IND].
fn metric_of(file: &str) -> &'static str {
    if file.contains("-1") && !file.contains("metric-2") {
        "W"
    } else {
        "welfare[IND]"
    }
}

#[test]
fn report_draws_a_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("instances/example.toml");
    let sweep = d.join("s.toml");
    std::fs::write(
        &sweep,
        format!(
            "scenario = {:?}\noutput = \"out\"\nmetrics = [\"W\", \"welfare[IND]\"]\n\
             [[parameter]]\npath = \"security[*].domestic_floor\"\nvalues = [0.1, 0.3, 0.5]\n\
             [[parameter]]\npath = \"demand[IND/*].growth\"\nvalues = [1.0, 1.3]\n",
            example.display().to_string()
        ),
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(["sweep", sweep.to_str().unwrap(), "--jobs", "2"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = d.join("page");
    let o = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args([
            "sweep-report",
            d.join("out").to_str().unwrap(),
            "--out",
            page.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(page.join("index.html")).unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "self-contained"
    );
    // 2 metrics x (1 tornado + 2 parameters).
    let charts: Vec<PathBuf> = std::fs::read_dir(page.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(charts.len(), 6, "{charts:?}");
    for metric in ["W", "welfare[IND]"] {
        for title in [
            format!("Tornado: {metric}, one parameter at a time"),
            format!("{metric} against security[*].domestic_floor"),
            format!("{metric} against demand[IND/*].growth"),
        ] {
            let t = title.replace('&', "&amp;");
            assert!(html.contains(&t), "no chart titled {title}");
        }
    }
    for c in &charts {
        let svg = std::fs::read_to_string(c).unwrap();
        let name = c.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("tornado") {
            // parameter names on the y axis, the metric on the x axis, bars drawn
            assert!(has_text(&svg, "parameter"), "{name}: y label");
            assert!(
                has_text(
                    &svg,
                    &format!("{}, one parameter at a time", metric_of(&name))
                ),
                "{name}: title"
            );
            assert!(svg.contains("security[*].domestic_floor"), "{name}");
            assert!(svg.matches("<rect").count() >= 3, "{name}: bars");
        } else {
            assert!(svg.contains("<circle"), "{name}: points");
            let para = if name.contains("parameter-1") {
                "security[*].domestic_floor"
            } else {
                "demand[IND/*].growth"
            };
            assert!(has_text(&svg, para), "{name}: x label");
            assert!(has_text(&svg, metric_of(&name)), "{name}: y label");
            // one dot per design point with a value (6 grid + 5 one-at-a-time) plus the legend
            assert!(svg.matches("<circle").count() >= 11, "{name}");
        }
    }
    // Not a sweep directory: exit 2, naming the file.
    let o = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args([
            "sweep-report",
            d.to_str().unwrap(),
            "--out",
            page.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("summary.json"));
}
