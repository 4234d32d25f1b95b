//! The properties the fuzz targets hold, one function per target, each taking the raw bytes of
//! one input. The fuzz targets (`fuzz/fuzz_targets/*.rs`, nightly, cargo-fuzz) and the replay
//! of the committed corpora (`tests/fuzz_corpora.rs`, stable, in CI) both include this file, so
//! a corpus file is checked the same way in both. Every function panics when a property fails.

// Each fuzz target calls one function of this module; the replay calls them all.
#![allow(dead_code)]

use safecampus::domain::Code;
use safecampus::domain::calendar::{MonthDay, Period, PeriodKind, SchoolCalendar, WorkingCalendar};
use safecampus::domain::catalog::{COLUMNS, REQUIRED, parse_csv};
use safecampus::domain::device::DeviceKind;
use safecampus::domain::reading::{self, MAX_AHEAD_SECONDS, MAX_EVENT_ID, MAX_EVENTS};
use safecampus::domain::warning::Metric;
use safecampus::media::{MAX_NAME_CHARS, display_name};
use safecampus::storage::ingest::{read_batch, read_message, refusal_reason};
use safecampus::web::api::risk::parse_catalog_upload;
use safecampus::web::pages::auth::safe_next;
use safecampus::xlsx::{Limits, XlsxError, map_headers, read_first_sheet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::json;

/// The check of one target: the bytes of one input.
pub type Check = fn(&[u8]);

/// The targets: each corpus directory `fuzz/corpus/<name>/` is replayed through its check.
pub const TARGETS: &[(&str, Check)] = &[
    ("xlsx_import", xlsx_import),
    ("xlsx_headers", xlsx_headers),
    ("ingest_payload", ingest_payload),
    ("upload_name", upload_name),
    ("redirect_next", redirect_next),
    ("period", period),
];

/// Small limits, so the fuzzer reaches the limit checks with small inputs.
const LIMITS: Limits = Limits {
    max_bytes: 256 * 1024,
    max_uncompressed: 4 * 1024 * 1024,
    max_ratio: 200,
    max_entries: 64,
    max_rows: 200,
    max_cols: 20,
};

/// Trimmed as the import trims cells: whitespace, zero-width space, byte-order mark.
fn is_trimmed(s: &str) -> bool {
    let blank = |c: char| c.is_whitespace() || c == '\u{200B}' || c == '\u{FEFF}';
    !s.starts_with(blank) && !s.ends_with(blank)
}

/// The header mapper's result is consistent with its inputs: every required field has a column,
/// no column serves two fields, and each column is inside the header and not blank.
fn check_mapping(header: &[String], expected: &[(&str, &[&str])], required: &[&str]) {
    match map_headers(header, expected, required) {
        Ok(found) => {
            assert_eq!(found.len(), expected.len());
            let mut used = std::collections::HashSet::new();
            for column in found.iter().flatten() {
                assert!(*column < header.len(), "column {column} outside the header");
                assert!(used.insert(*column), "column {column} maps two fields");
                assert!(
                    !header[*column].trim().is_empty(),
                    "a blank cell was mapped"
                );
            }
            for name in required {
                let field = expected.iter().position(|(f, _)| f == name);
                assert!(
                    field.is_some_and(|f| found[f].is_some()),
                    "required {name} has no column"
                );
            }
        }
        Err(XlsxError::UnknownColumn(text, column)) => {
            assert!((1..=header.len()).contains(&column));
            assert!(!text.is_empty());
        }
        Err(XlsxError::DuplicateColumn(field)) => {
            assert!(expected.iter().any(|(f, _)| *f == field));
        }
        Err(XlsxError::MissingColumns(fields)) => {
            assert!(!fields.is_empty());
            assert!(fields.iter().all(|f| required.contains(&f.as_str())));
        }
        Err(other) => panic!("the header mapper answered {other:?}"),
    }
}

/// The catalogue's columns, by field name and a Chinese and English label each.
fn catalogue_fields() -> Vec<(&'static str, [&'static str; 2])> {
    const LABELS: &[(&str, [&str; 2])] = &[
        ("code", ["编号", "Code"]),
        ("aspect", ["方面", "Aspect"]),
        ("category", ["类别", "Category"]),
        ("point_type", ["风险点类型", "Point type"]),
        ("name", ["名称", "Name"]),
        ("hazard_factors", ["危险因素", "Hazard factors"]),
        ("default_l", ["可能性（L）", "L"]),
        ("default_e", ["暴露频率（E）", "E"]),
        ("default_c", ["后果（C）", "C"]),
    ];
    COLUMNS
        .iter()
        .map(|c| {
            let labels = LABELS
                .iter()
                .find(|(f, _)| f == c)
                .map_or(["", ""], |(_, l)| *l);
            (*c, labels)
        })
        .collect()
}

/// The `.xlsx` import: the zip checks and the cell reading under small limits, the header
/// mapping of the first row, and the whole catalogue import path under the default limits; the
/// same bytes read as the catalogue's CSV file.
pub fn xlsx_import(data: &[u8]) {
    match read_first_sheet(data, &LIMITS) {
        Ok(rows) => {
            assert!(!rows.is_empty(), "Ok with no rows");
            assert!(rows.len() <= LIMITS.max_rows, "{} rows", rows.len());
            let width = rows[0].len();
            assert!((1..=LIMITS.max_cols).contains(&width), "{width} columns");
            for row in &rows {
                assert_eq!(row.len(), width, "rows of different widths");
                assert!(
                    row.iter().all(|c| is_trimmed(c)),
                    "untrimmed cell in {row:?}"
                );
            }
            let last = rows.last().expect("rows");
            assert!(last.iter().any(|c| !c.is_empty()), "trailing empty row");
            let fields = catalogue_fields();
            let aliases: Vec<Vec<&str>> = fields
                .iter()
                .map(|(_, l)| l.iter().copied().filter(|a| !a.is_empty()).collect())
                .collect();
            let expected: Vec<(&str, &[&str])> = fields
                .iter()
                .zip(&aliases)
                .map(|((f, _), a)| (*f, a.as_slice()))
                .collect();
            check_mapping(&rows[0], &expected, REQUIRED);
        }
        Err(
            XlsxError::NotXlsx
            | XlsxError::Bomb(_)
            | XlsxError::TooLarge(_)
            | XlsxError::Empty
            | XlsxError::Read(_),
        ) => {}
        Err(other) => panic!("reading answered {other:?}"),
    }
    let catalogue = parse_catalog_upload(data).ok();
    // The catalogue's CSV format (the operator's import) maps the same columns.
    let csv = parse_csv(&String::from_utf8_lossy(data)).ok();
    for (entries, errors) in catalogue.iter().chain(&csv) {
        let mut codes = std::collections::HashSet::new();
        for entry in entries {
            assert!(
                codes.insert(entry.code.as_str()),
                "code {} twice",
                entry.code
            );
        }
        assert!(
            errors.iter().all(|e| e.row >= 2),
            "a row error before row 2"
        );
    }
}

/// The header mapper alone: the input is a header row, cells split on tabs and new lines
/// (lossy UTF-8), mapped to the school import's fields with Chinese and English aliases; the
/// first byte picks which fields are required.
pub fn xlsx_headers(data: &[u8]) {
    const EXPECTED: &[(&str, &[&str])] = &[
        ("name", &["学校名称", "名称", "School name"]),
        ("short_name", &["简称", "Short name"]),
        ("kind", &["学校类型", "类型", "Kind"]),
        ("address", &["地址", "Address"]),
        ("phone", &["电话（手机）", "Phone"]),
        ("principal", &["校长", "Principal"]),
    ];
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let required: Vec<&str> = EXPECTED
        .iter()
        .enumerate()
        .filter(|(i, _)| pick & (1 << i) != 0)
        .map(|(_, (f, _))| *f)
        .chain((pick & 0x80 != 0).then_some("not_a_field"))
        .collect();
    let text = String::from_utf8_lossy(rest);
    let header: Vec<String> = text.split(['\t', '\n']).map(str::to_owned).collect();
    check_mapping(&header, EXPECTED, &required);
}

/// The clock of the ingest target.
fn ingest_now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T08:00:00Z")
        .expect("a time")
        .with_timezone(&Utc)
}

/// The device ingest payload: a body read over HTTP and as a broker message, then each of its
/// first events checked for every kind of device. An accepted reading is within its bounds and
/// reads back the same once written out again.
pub fn ingest_payload(data: &[u8]) {
    let over_http = read_batch(data);
    let message = read_message(data);
    match &over_http {
        Ok(batch) => {
            assert!((1..=MAX_EVENTS).contains(&batch.events.len()));
            // A body without a token is read alike from the broker.
            let from_broker = message.batch.as_ref().expect("the broker reads it too");
            assert_eq!(from_broker.events, batch.events);
            assert!(message.token.is_none());
        }
        Err(e) => assert!(reading::PAYLOAD_REASONS.contains(&refusal_reason(e))),
    }
    let batch = match &message.batch {
        Ok(batch) => batch,
        Err(e) => {
            assert!(reading::PAYLOAD_REASONS.contains(&refusal_reason(e)));
            return;
        }
    };
    assert!((1..=MAX_EVENTS).contains(&batch.events.len()));
    let now = ingest_now();
    let max_age = Duration::hours(24);
    for event in batch.events.iter().take(16) {
        assert!(reading::event_id(event).chars().count() <= MAX_EVENT_ID);
        for kind in DeviceKind::ALL {
            let Ok(r) = reading::parse(event, *kind, now, max_age) else {
                continue;
            };
            assert!((1..=MAX_EVENT_ID).contains(&r.id.len()));
            assert!(
                r.id.chars()
                    .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\')
            );
            assert!(r.at <= now + Duration::seconds(MAX_AHEAD_SECONDS));
            assert!(r.at >= now - max_age);
            assert!(r.metric.allowed_for(*kind));
            assert!(r.metric.accepts(r.value), "{} out of range", r.value);
            let written = if r.metric == Metric::Gps {
                let (lat, lon) = (r.lat.expect("lat"), r.lon.expect("lon"));
                assert!((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon));
                json!({"id": r.id, "at": r.at.to_rfc3339(), "metric": r.metric.as_str(),
                       "lat": lat, "lon": lon, "speed_kmh": r.value})
            } else {
                assert!(r.lat.is_none() && r.lon.is_none());
                json!({"id": r.id, "at": r.at.to_rfc3339(), "metric": r.metric.as_str(),
                       "value": r.value})
            };
            let again = reading::parse(&written, *kind, now, max_age);
            assert_eq!(again.as_ref(), Ok(&r), "{written}");
        }
    }
}

/// What a display name must never hold: path separators, controls, bidirectional and
/// zero-width formatting, and the characters Windows refuses in a name.
fn unwanted_in_name(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '/' | '\\' | '"' | '*' | '<' | '>' | '?' | '|' | ':'
            | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}'
            | '\u{061C}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// The upload name cleaner: the first byte picks the stored type's extension, the rest is the
/// name the client sent (lossy UTF-8).
pub fn upload_name(data: &[u8]) {
    const EXTS: &[&str] = &["jpg", "png", "pdf"];
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let ext = EXTS[usize::from(pick) % EXTS.len()];
    let raw = String::from_utf8_lossy(rest);
    let name = display_name(&raw, ext);
    assert!(
        name.chars().count() <= MAX_NAME_CHARS,
        "{name:?} is too long"
    );
    assert!(!name.chars().any(unwanted_in_name), "{name:?}");
    assert!(!name.starts_with('.'), "{name:?} is hidden");
    let stem = name
        .strip_suffix(&format!(".{ext}"))
        .unwrap_or_else(|| panic!("{name:?} does not end with .{ext}"));
    assert!(!stem.is_empty() && stem.trim() == stem, "{name:?}");
    assert!(name != ".." && name != ".");
}

/// How a browser resolves a `Location` header given on a page of the platform.
fn resolved_host(location: &str) -> Option<String> {
    let base = url::Url::parse("https://school.example/login?next=x").expect("base");
    let target = base.join(location).ok()?;
    assert_eq!(target.scheme(), "https", "{location:?} changed the scheme");
    target.host_str().map(str::to_owned)
}

/// The `next=` redirect check: the input is the query value as received (lossy UTF-8). What it
/// answers is a path of this origin, a valid header value, and is answered again for itself.
pub fn redirect_next(data: &[u8]) {
    let raw = String::from_utf8_lossy(data);
    let out = safe_next(Some(&raw));
    assert!(out.starts_with('/'), "{out:?}");
    assert!(
        !out.starts_with("//") && !out.starts_with("/\\"),
        "{raw:?} → {out:?}"
    );
    assert!(
        out.bytes().all(|b| b.is_ascii_graphic()),
        "{out:?} is not a plain header value"
    );
    assert!(http::HeaderValue::from_str(&out).is_ok());
    assert_eq!(
        resolved_host(&out).as_deref(),
        Some("school.example"),
        "{raw:?} → {out:?} leaves the origin"
    );
    // Decoded once more (a server or browser that decodes the path) it is still local.
    let decoded = percent_decoded(&out);
    assert!(
        !decoded.starts_with("//") && !decoded.starts_with("/\\"),
        "{out:?} decodes to {decoded:?}"
    );
    if out.len() <= 2048 {
        assert_eq!(safe_next(Some(&out)), out, "not stable for {raw:?}");
    }
}

fn percent_decoded(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: Option<&u8>| c.and_then(|c| (*c as char).to_digit(16));
        match (b[i], hex(b.get(i + 1)), hex(b.get(i + 2))) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Dates and periods: the input (lossy UTF-8) as a reporting period, a day of the year and the
/// working-day calendar file. A parsed period prints back to the same text, its days run from
/// its first to its last, and its neighbours come back to it; a parsed calendar counts its
/// working days consistently.
pub fn period(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let cal = SchoolCalendar::default();
    if let Ok(p) = text.parse::<Period>() {
        assert_eq!(p.to_string(), text, "does not print back");
        let range = p.range(&cal);
        assert!(range.first <= range.last);
        assert!(p.contains(range.first, &cal) && p.contains(range.last, &cal));
        assert_eq!(Period::of(p.kind(), range.first, &cal), p);
        assert_eq!(Period::of(p.kind(), range.last, &cal), p);
        assert_eq!(p.next().prev(), p);
        assert_eq!(p.prev().next(), p);
        assert!(p.prev() < p && p < p.next());
        let days = range.len();
        let most = match p.kind() {
            PeriodKind::Month => 31,
            PeriodKind::Quarter => 92,
            PeriodKind::Semester => 366,
        };
        assert!((1..=most).contains(&days), "{p}: {days} days");
    }
    if let Ok(day) = text.parse::<MonthDay>() {
        assert_eq!(day.to_string(), text.trim());
        assert!(day.in_year(2001).is_some());
    }
    if let Ok(calendar) = WorkingCalendar::parse(&text) {
        for e in calendar.exceptions().take(8) {
            let from = e.date;
            assert_eq!(
                calendar.holiday_name(from).is_some(),
                !calendar.is_working_day(from)
            );
            let later = calendar.add_working_days(from, 5);
            if later != NaiveDate::MAX {
                assert_eq!(calendar.working_days_between(from, later), 5);
                assert_eq!(calendar.working_days_between(later, from), -5);
            }
        }
    }
}

/// A short description of an input, for the replay's messages.
pub fn describe(data: &[u8]) -> String {
    let shown: String = String::from_utf8_lossy(data).chars().take(60).collect();
    format!("{} bytes: {shown:?}", data.len())
}
