//! T-IN-5: the committed fuzz corpora (`fuzz/corpus/<target>/`) replayed on stable through the
//! same entry points and the same property checks as the fuzz targets (`fuzz/checks.rs`), so
//! every input the fuzzer kept, and every crash it once found, is checked on every run. The
//! fuzzing itself (nightly, cargo-fuzz) is `scripts/fuzz.sh`.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The slowest a single input may be (the criterion's time-out), with room for a debug build.
const SLOW: Duration = Duration::from_secs(5);

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target)
}

/// Runs every file of the target's corpus through its check; a failing input is named with its
/// file, and the test fails with all of them.
fn replay(target: &str) {
    let check = checks::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .map(|(_, check)| *check)
        .expect("a target");
    let dir = corpus_dir(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(
        files.len() >= 5,
        "{}: only {} inputs",
        dir.display(),
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        let data = std::fs::read(file).expect("a corpus file");
        let started = Instant::now();
        let outcome = std::panic::catch_unwind(|| check(&data));
        let took = started.elapsed();
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        if outcome.is_err() {
            failures.push(format!("{name} ({})", checks::describe(&data)));
        } else if took > SLOW {
            failures.push(format!("{name} took {took:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{target}: {} of {} inputs fail:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn every_corpus_directory_is_a_target() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    for entry in std::fs::read_dir(&dir).expect("fuzz/corpus") {
        let name = entry.expect("an entry").file_name();
        let name = name.to_string_lossy();
        assert!(
            checks::TARGETS.iter().any(|(t, _)| *t == name),
            "fuzz/corpus/{name} has no target"
        );
    }
    for (target, _) in checks::TARGETS {
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/fuzz_targets")
            .join(format!("{target}.rs"));
        assert!(file.is_file(), "{} is missing", file.display());
    }
}

#[test]
fn xlsx_import_corpus_holds() {
    replay("xlsx_import");
}

#[test]
fn xlsx_headers_corpus_holds() {
    replay("xlsx_headers");
}

#[test]
fn ingest_payload_corpus_holds() {
    replay("ingest_payload");
}

#[test]
fn upload_name_corpus_holds() {
    replay("upload_name");
}

#[test]
fn redirect_next_corpus_holds() {
    replay("redirect_next");
}

#[test]
fn period_corpus_holds() {
    replay("period");
}

/// Known answers pass the checks, so a replay fails only on a real property break.
#[test]
fn known_good_inputs_pass_the_checks() {
    checks::redirect_next(b"/hazards?q=%E6%B6%88");
    checks::redirect_next("/hazards?q=消防".as_bytes());
    checks::period(b"2026-Q4");
    checks::period(
        "date,kind,name\n2026-10-01,holiday,国庆节\n2026-10-10,workday,国庆节调休上班\n".as_bytes(),
    );
    checks::upload_name(b"\x00../../etc/passwd.jpg");
    // The hand-written workbook seeds are workbooks, so the fuzzer starts inside the reader.
    for seed in [
        "seed-schools.xlsx",
        "seed-catalogue.xlsx",
        "seed-inline-deflate.xlsx",
    ] {
        let bytes = std::fs::read(corpus_dir("xlsx_import").join(seed)).expect("a seed");
        let rows = safecampus::xlsx::read_first_sheet(&bytes, &Default::default());
        assert!(rows.is_ok_and(|r| r.len() >= 2), "{seed}");
    }
    checks::ingest_payload(
        br#"{"events": [{"id": "e1", "at": "2026-12-01T07:59:00Z", "metric": "smoke", "value": 1}]}"#,
    );
}
