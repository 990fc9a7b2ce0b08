//! The HTML report in a real browser (issue 16): headless Chromium loads the page at 800 and
//! 1400 px; a small script, injected into a test copy of the page, measures every chart and
//! writes the measurements into the DOM, which `--dump-dom` returns. Checked: no chart is wider
//! than its container, the page does not scroll sideways, and every text of every chart
//! (titles, axis labels and legends) lies inside the viewport. Screenshots of both widths are
//! saved under `target/report-screenshots/` as test artefacts. Skipped, with the reason printed,
//! only when no Chromium can be found (`.ci/run` installs the Debian package `chromium`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The browser: `$CHROMIUM`, else the first of the usual names on `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome", "chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Writes one line per figure into `<pre id="measurements">`: id, whether the chart overflows
/// its figure, how many chart texts lie outside the viewport, and the widths.
const MEASURE: &str = r#"<script>
(function () {
  var vw = document.documentElement.clientWidth;
  var lines = ['viewport ' + vw + ' page ' + document.documentElement.scrollWidth];
  document.querySelectorAll('figure').forEach(function (f) {
    var svg = f.querySelector('svg');
    var fr = f.getBoundingClientRect();
    var sr = svg.getBoundingClientRect();
    var over = (sr.right > fr.right + 1 || sr.left < fr.left - 1 || f.scrollWidth > f.clientWidth + 1) ? 1 : 0;
    var outside = 0;
    svg.querySelectorAll('text').forEach(function (t) {
      var r = t.getBoundingClientRect();
      if (r.width > 0 && (r.right > vw + 1 || r.left < -1)) { outside += 1; }
    });
    lines.push('figure ' + f.id + ' ' + over + ' ' + outside + ' ' + Math.round(sr.width) + ' ' + Math.round(fr.width));
  });
  var pre = document.createElement('pre');
  pre.id = 'measurements';
  pre.textContent = lines.join('\n');
  document.body.appendChild(pre);
})();
</script>"#;

/// Run headless Chromium on `page` with a window `width` x `height` px.
fn browser(
    chrome: &Path,
    profile: &Path,
    (width, height): (u32, u32),
    extra: &[String],
    page: &Path,
) -> String {
    let out = Command::new(chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--window-size={width},{height}"))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn report(dir: &Path, file: &str, extra: &[&str]) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .arg("report")
        .arg(root.join(file))
        .args(extra)
        .arg("--out")
        .arg(dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "report {file}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join("index.html")
}

fn check(name: &str, file: &str, extra: &[&str]) {
    let Some(chrome) = chromium() else {
        println!(
            "skipped: no chromium on PATH (install the Debian package `chromium`, or set CHROMIUM)"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let index = report(&tmp.path().join("report"), file, extra);
    let html = std::fs::read_to_string(&index).unwrap();
    let measured = index.with_file_name("measured.html");
    std::fs::write(
        &measured,
        html.replacen("</body>", &format!("{MEASURE}</body>"), 1),
    )
    .unwrap();
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/report-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for width in [800u32, 1400] {
        let profile = tmp.path().join(format!("profile-{width}"));
        let dom = browser(
            &chrome,
            &profile,
            (width, 2000),
            &["--dump-dom".into()],
            &measured,
        );
        let block = dom
            .split("<pre id=\"measurements\">")
            .nth(1)
            .and_then(|x| x.split("</pre>").next())
            .unwrap_or_else(|| panic!("{name} at {width} px: no measurements in the DOM"));
        let mut lines = block.lines();
        let head: Vec<&str> = lines.next().unwrap().split(' ').collect();
        let (viewport, page): (u32, u32) = (head[1].parse().unwrap(), head[3].parse().unwrap());
        assert!(
            page <= viewport,
            "{name} at {width} px: the page scrolls sideways ({page} > {viewport} px)"
        );
        let mut figures = 0;
        for l in lines {
            let f: Vec<&str> = l.split(' ').collect();
            figures += 1;
            assert_eq!(
                f[2], "0",
                "{name} at {width} px: chart {} overflows its container ({l})",
                f[1]
            );
            assert_eq!(
                f[3], "0",
                "{name} at {width} px: chart {} has text outside the viewport ({l})",
                f[1]
            );
        }
        assert!(figures >= 5, "{name}: only {figures} charts measured");
        let shot = shots.join(format!("{name}-{width}.png"));
        // Tall enough for the whole page.
        browser(
            &chrome,
            &profile,
            (width, 9000),
            &[format!("--screenshot={}", shot.display())],
            &index,
        );
        assert!(shot.is_file(), "no screenshot {}", shot.display());
    }
}

#[test]
fn example_report_fits_800_and_1400_px() {
    check("example", "instances/example.toml", &["--alternatives"]);
}

/// 17 blocs and 8 layers: the widest charts (the welfare chart overflowed at 1400 px before).
#[test]
fn world_report_fits_800_and_1400_px() {
    check(
        "world",
        "instances/world-2026-sovereign.toml",
        &["--agreement", "india-services"],
    );
}

/// Two periods and outcomes: the trajectory lines (legend beside the plot) and the uncertainty
/// bars fit too.
#[test]
fn example_with_outcomes_report_fits_800_and_1400_px() {
    check(
        "example-outcomes",
        "instances/example.toml",
        &["--overlay", "tests/data/example-outcomes.toml"],
    );
}

/// A scenario with [uncertainty]: the outcome and risk-frontier charts too.
#[test]
fn resilience_report_fits_800_and_1400_px() {
    check("resilience", "instances/resilience.toml", &[]);
}
