use std::io::{Cursor, Read, Write};

use calamine::{DataRef, ExcelDateTime};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::headers::*;
use super::read::*;
use super::write::*;
use super::*;

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// A workbook with a header row and `rows` data rows of two columns.
fn workbook_with_rows(rows: usize) -> Vec<u8> {
    let data: Vec<Vec<Cell>> = (0..rows)
        .map(|i| vec![Cell::Text(format!("学校{i}")), Cell::Int(i as i64)])
        .collect();
    write_sheet("学校", &strings(&["名称", "人数"]), &data).unwrap()
}

/// Builds a zip in memory; each entry is (name, size, byte), written in 1 MiB chunks so a
/// 200 MiB entry never exists in memory uncompressed.
fn zip_of(entries: &[(&str, usize, u8)]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9));
    let chunk_len = 1024 * 1024;
    for (name, size, byte) in entries {
        writer.start_file(*name, options).unwrap();
        let chunk = vec![*byte; chunk_len.min(*size)];
        let mut left = *size;
        while left > 0 {
            let n = left.min(chunk_len);
            writer.write_all(&chunk[..n]).unwrap();
            left -= n;
        }
    }
    writer.finish().unwrap().into_inner()
}

/// Re-zips `xlsx` with `edit` applied to the text of `part`.
fn edit_part(xlsx: &[u8], part: &str, edit: impl Fn(&str) -> String) -> Vec<u8> {
    let mut archive = ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let name = entry.name().unwrap().into_owned();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        if name == part {
            content = edit(std::str::from_utf8(&content).unwrap()).into_bytes();
        }
        writer
            .start_file(name, SimpleFileOptions::default())
            .unwrap();
        writer.write_all(&content).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn round_trip_with_chinese_headers_and_mixed_cells() {
    let headers = strings(&["学校名称", "学生人数", "面积（亩）", "是否寄宿", "备注"]);
    let rows = vec![
        vec![
            Cell::Text("第一中学".into()),
            Cell::Int(12),
            Cell::Float(3.5),
            Cell::Bool(true),
            Cell::Empty,
        ],
        vec![
            Cell::Text("  实验小学　".into()),
            Cell::Int(-7),
            Cell::Float(40.0),
            Cell::Bool(false),
            Cell::Text("=1+1".into()),
        ],
        vec![
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
        ],
        vec![
            Cell::Text("Mixed ASCII".into()),
            Cell::Float(0.1 + 0.2),
            Cell::Float(-0.0),
            Cell::Int(1_000_000),
            Cell::Text("两行\n文字".into()),
        ],
        vec![Cell::Empty, Cell::Empty],
    ];
    let bytes = write_sheet("学校/名单", &headers, &rows).unwrap();
    let read = read_first_sheet(&bytes, &Limits::default()).unwrap();
    let expected = vec![
        headers.clone(),
        strings(&["第一中学", "12", "3.5", "true", ""]),
        strings(&["实验小学", "-7", "40", "false", "=1+1"]),
        strings(&["", "", "", "", ""]),
        strings(&["Mixed ASCII", "0.3", "0", "1000000", "两行\n文字"]),
    ];
    assert_eq!(read, expected);
}

#[test]
fn header_only_sheet_reads_back_and_empty_sheet_is_empty() {
    let headers = strings(&["姓名", "电话"]);
    let bytes = write_sheet("人员", &headers, &[]).unwrap();
    assert_eq!(
        read_first_sheet(&bytes, &Limits::default()).unwrap(),
        vec![headers]
    );

    let bytes = write_sheet("空", &[], &[]).unwrap();
    let err = read_first_sheet(&bytes, &Limits::default()).unwrap_err();
    assert!(matches!(err, XlsxError::Empty), "{err:?}");
}

#[test]
fn cjk_text_is_wider_than_the_same_number_of_ascii_characters() {
    assert_eq!(display_width("abcd"), 4);
    assert_eq!(display_width("平安校园"), 8);
    assert!(display_width("平安校园") > display_width("abcd"));
    assert_eq!(display_width("ＡＢ（）"), 8);
    assert_eq!(display_width("第一行\nsecond line"), 11);
    assert_eq!(display_width(""), 0);
}

#[test]
fn sheet_names_are_made_acceptable() {
    assert_eq!(sanitize_sheet_name("学校/名单"), "学校_名单");
    assert_eq!(sanitize_sheet_name("  "), "Sheet1");
    assert_eq!(sanitize_sheet_name(&"长".repeat(40)).chars().count(), 31);
    assert_eq!(sanitize_sheet_name("'quoted'"), "quoted");
}

#[test]
fn numbers_dates_and_errors_render_as_excel_shows_them() {
    assert_eq!(render_float(12.0), "12");
    assert_eq!(render_float(3.5), "3.5");
    assert_eq!(render_float(13_800_138_000.0), "13800138000");
    assert_eq!(render_float(1.0 / 3.0), "0.333333333333333");
    let date = |v| ExcelDateTime::new(v, calamine::ExcelDateTimeType::DateTime, false);
    assert_eq!(render_datetime(&date(45_943.0)), "2025-10-13");
    assert_eq!(render_datetime(&date(45_943.5)), "2025-10-13 12:00:00");
    assert_eq!(render_datetime(&date(0.25)), "06:00:00");
    let duration = ExcelDateTime::new(1.5, calamine::ExcelDateTimeType::TimeDelta, false);
    assert_eq!(render_datetime(&duration), "36:00:00");
    assert_eq!(render(&DataRef::Error(calamine::CellErrorType::NA)), "#N/A");
    assert_eq!(render(&DataRef::SharedString("\u{FEFF} 甲 \u{3000}")), "甲");
}

#[test]
fn random_bytes_are_not_xlsx() {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 56) as u8
        })
        .collect();
    let err = read_first_sheet(&bytes, &Limits::default()).unwrap_err();
    assert!(matches!(err, XlsxError::NotXlsx), "{err:?}");
}

#[test]
fn empty_bytes_are_not_xlsx() {
    let err = read_first_sheet(&[], &Limits::default()).unwrap_err();
    assert!(matches!(err, XlsxError::NotXlsx), "{err:?}");
}

#[test]
fn zip_that_is_not_a_workbook_is_not_xlsx() {
    let bytes = zip_of(&[("readme.txt", 100, b'a'), ("data/x.csv", 50, b'1')]);
    let err = read_first_sheet(&bytes, &Limits::default()).unwrap_err();
    assert!(matches!(err, XlsxError::NotXlsx), "{err:?}");
    assert_eq!(err.key(), "err.xlsx.not_xlsx");
}

#[test]
fn zip_bomb_is_refused_before_inflating() {
    // 200 MiB of zeros deflate to a few hundred KiB at level 9.
    let bytes = zip_of(&[
        ("xl/workbook.xml", 10, b' '),
        ("xl/worksheets/sheet1.xml", 200 * 1024 * 1024, 0),
    ]);
    assert!(bytes.len() < 1024 * 1024, "bomb is {} bytes", bytes.len());
    let err = read_first_sheet(&bytes, &Limits::default()).unwrap_err();
    assert!(matches!(err, XlsxError::Bomb(_)), "{err:?}");
    assert_eq!(err.key(), "err.xlsx.bomb");
    assert_eq!(err.detail(), "uncompressed: 200.0 MiB > 100.0 MiB");
}

#[test]
fn high_ratio_entry_is_a_bomb_even_under_the_total() {
    // 20 MiB of zeros: under the 100 MiB total, but the ratio is far above 200.
    let bytes = zip_of(&[
        ("xl/workbook.xml", 10, b' '),
        ("xl/sharedStrings.xml", 20 * 1024 * 1024, 0),
    ]);
    let err = read_first_sheet(&bytes, &Limits::default()).unwrap_err();
    match err {
        XlsxError::Bomb(detail) => assert!(detail.starts_with("ratio"), "{detail}"),
        other => panic!("expected Bomb, got {other:?}"),
    }
}

#[test]
fn too_many_entries_is_a_bomb() {
    let names: Vec<String> = (0..11).map(|i| format!("xl/media/{i}.bin")).collect();
    let mut entries: Vec<(&str, usize, u8)> = names.iter().map(|n| (n.as_str(), 1, b'x')).collect();
    entries.push(("xl/workbook.xml", 1, b' '));
    let bytes = zip_of(&entries);
    let limits = Limits {
        max_entries: 10,
        ..Limits::default()
    };
    let err = read_first_sheet(&bytes, &limits).unwrap_err();
    assert!(matches!(err, XlsxError::Bomb(_)), "{err:?}");
    assert_eq!(err.detail(), "entries: 12 > 10");
}

#[test]
fn upload_over_max_bytes_is_too_large() {
    let bytes = workbook_with_rows(3);
    let limits = Limits {
        max_bytes: 100,
        ..Limits::default()
    };
    let err = read_first_sheet(&bytes, &limits).unwrap_err();
    assert!(matches!(err, XlsxError::TooLarge(_)), "{err:?}");
}

#[test]
fn sheet_with_more_than_max_rows_is_too_large() {
    let limits = Limits {
        max_rows: 5,
        ..Limits::default()
    };
    // Header + 4 rows fits exactly.
    assert_eq!(
        read_first_sheet(&workbook_with_rows(4), &limits)
            .unwrap()
            .len(),
        5
    );
    let err = read_first_sheet(&workbook_with_rows(10), &limits).unwrap_err();
    assert!(matches!(err, XlsxError::TooLarge(_)), "{err:?}");
    assert_eq!(err.key(), "err.xlsx.too_large");
    assert_eq!(err.detail(), "rows: 11 > 5");
}

#[test]
fn sheet_with_more_than_max_cols_is_too_large() {
    let limits = Limits {
        max_cols: 1,
        ..Limits::default()
    };
    let err = read_first_sheet(&workbook_with_rows(1), &limits).unwrap_err();
    assert_eq!(err.detail(), "columns: 2 > 1");
}

#[test]
fn lying_or_missing_dimension_is_still_bounded() {
    let limits = Limits {
        max_rows: 5,
        ..Limits::default()
    };
    let xlsx = workbook_with_rows(10);
    let sheet = "xl/worksheets/sheet1.xml";
    let lying = edit_part(&xlsx, sheet, |xml| {
        assert!(xml.contains(r#"<dimension ref="A1:B11"/>"#), "{xml}");
        xml.replace(r#"<dimension ref="A1:B11"/>"#, r#"<dimension ref="A1"/>"#)
    });
    let err = read_first_sheet(&lying, &limits).unwrap_err();
    assert!(matches!(err, XlsxError::TooLarge(_)), "{err:?}");

    let missing = edit_part(&xlsx, sheet, |xml| {
        xml.replace(r#"<dimension ref="A1:B11"/>"#, "")
    });
    let err = read_first_sheet(&missing, &limits).unwrap_err();
    assert!(matches!(err, XlsxError::TooLarge(_)), "{err:?}");
}

#[test]
fn corrupt_workbook_part_is_a_read_error_not_a_panic() {
    let xlsx = workbook_with_rows(2);
    let broken = edit_part(&xlsx, "xl/workbook.xml", |_| {
        "<workbook><sheets>".to_owned()
    });
    let err = read_first_sheet(&broken, &Limits::default()).unwrap_err();
    assert!(matches!(err, XlsxError::Read(_)), "{err:?}");
    assert_eq!(err.key(), "err.xlsx.read");
}

#[test]
fn full_size_legitimate_workbook_passes_the_default_limits() {
    // The most repetitive realistic sheet (one shared string everywhere) compresses about
    // 12:1, far from the 200:1 bomb ratio.
    let limits = Limits::default();
    let headers: Vec<String> = (0..6).map(|i| format!("列{i}")).collect();
    let rows: Vec<Vec<Cell>> = (1..limits.max_rows)
        .map(|_| (0..6).map(|_| Cell::from("同")).collect())
        .collect();
    let bytes = write_sheet("大表", &headers, &rows).unwrap();
    let read = read_first_sheet(&bytes, &limits).unwrap();
    assert_eq!(read.len(), limits.max_rows);
    assert_eq!(read[limits.max_rows - 1], vec!["同"; 6]);
}

const SCHOOL: &[(&str, &[&str])] = &[
    ("name", &["学校名称", "名称", "School name"]),
    ("code", &["学校代码", "代码", "Code"]),
    ("phone", &["联系电话(手机)", "电话", "Phone"]),
];

#[test]
fn headers_map_by_chinese_and_english_aliases_in_any_order() {
    let header = strings(&[" 联系电话（手机） ", "SCHOOL NAME", "", "学校代码"]);
    let mapped = map_headers(&header, SCHOOL, &["name", "code"]).unwrap();
    assert_eq!(mapped, vec![Some(1), Some(3), Some(0)]);

    let header = strings(&["Name"]);
    assert_eq!(
        map_headers(&header, SCHOOL, &["name"]).unwrap(),
        vec![Some(0), None, None]
    );
}

#[test]
fn missing_required_columns_are_all_listed() {
    let header = strings(&["电话"]);
    let err = map_headers(&header, SCHOOL, &["name", "code"]).unwrap_err();
    match &err {
        XlsxError::MissingColumns(fields) => assert_eq!(fields, &strings(&["name", "code"])),
        other => panic!("expected MissingColumns, got {other:?}"),
    }
    assert_eq!(err.key(), "err.xlsx.missing_columns");
    assert_eq!(err.detail(), "name, code");
}

#[test]
fn unknown_column_reports_text_and_one_based_column() {
    let header = strings(&["学校名称", "学校代码", " 校长 "]);
    let err = map_headers(&header, SCHOOL, &["name"]).unwrap_err();
    match &err {
        XlsxError::UnknownColumn(text, column) => {
            assert_eq!(text, "校长");
            assert_eq!(*column, 3);
        }
        other => panic!("expected UnknownColumn, got {other:?}"),
    }
    assert_eq!(err.key(), "err.xlsx.unknown_column");
    assert_eq!(err.detail(), "C: 校长");
}

#[test]
fn the_same_field_twice_is_a_duplicate() {
    let header = strings(&["学校名称", "School Name"]);
    let err = map_headers(&header, SCHOOL, &[]).unwrap_err();
    match &err {
        XlsxError::DuplicateColumn(field) => assert_eq!(field, "name"),
        other => panic!("expected DuplicateColumn, got {other:?}"),
    }
    assert_eq!(err.key(), "err.xlsx.duplicate_column");
}

#[test]
fn import_then_map_headers_end_to_end() {
    let bytes = write_sheet(
        "学校",
        &strings(&["学校代码", "学校名称"]),
        &[vec![Cell::from("A001"), Cell::from("一中")]],
    )
    .unwrap();
    let rows = read_first_sheet(&bytes, &Limits::default()).unwrap();
    let mapped = map_headers(&rows[0], SCHOOL, &["name", "code"]).unwrap();
    assert_eq!(mapped, vec![Some(1), Some(0), None]);
    assert_eq!(rows[1][mapped[0].unwrap()], "一中");
}

#[test]
fn column_letters_follow_excel() {
    assert_eq!(column_letters(1), "A");
    assert_eq!(column_letters(26), "Z");
    assert_eq!(column_letters(27), "AA");
    assert_eq!(column_letters(703), "AAA");
}

/// Text a spreadsheet could evaluate (`=`, `+`, `-`, `@` first, fullwidth forms too) is
/// written as text with the quote prefix, so it stays text even after a trip through CSV, and
/// reads back unchanged; other text carries no prefix.
#[test]
fn formula_like_text_is_exported_with_the_quote_prefix_and_reads_back_unchanged() {
    let risky = [
        "=HYPERLINK(\"http://x\",\"y\")",
        "+1",
        "-2+3",
        "@SUM(A1)",
        "＝1",
    ];
    let mut rows: Vec<Vec<Cell>> = risky
        .iter()
        .map(|t| vec![Cell::Text((*t).to_owned())])
        .collect();
    rows.push(vec![Cell::Text("第一中学".into())]);
    let bytes = write_sheet("导出", &strings(&["名称"]), &rows).unwrap();
    let read = read_first_sheet(&bytes, &Limits::default()).unwrap();
    let texts: Vec<&str> = read[1..].iter().map(|r| r[0].as_str()).collect();
    let mut expected: Vec<&str> = risky.to_vec();
    expected.push("第一中学");
    assert_eq!(texts, expected);
    // The sheet holds no formula, and each risky cell's style has the quote prefix.
    let mut archive = ZipArchive::new(Cursor::new(&bytes)).unwrap();
    let mut sheet = String::new();
    archive
        .by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut sheet)
        .unwrap();
    assert!(!sheet.contains("<f>"), "no formula cell");
    let mut styles = String::new();
    archive
        .by_name("xl/styles.xml")
        .unwrap()
        .read_to_string(&mut styles)
        .unwrap();
    assert!(styles.contains("quotePrefix=\"1\""), "{styles}");
    let styled = sheet.matches(" s=\"").count();
    // The header (bold) and the six risky cells are styled; the plain one is not.
    assert_eq!(styled, 1 + risky.len(), "{sheet}");
    assert!(formula_like("-") && !formula_like("第一") && !formula_like(""));
}
