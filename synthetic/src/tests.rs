//! Corpus-level tests of the public API.

use std::str::FromStr;

use rust_decimal::Decimal;

use super::*;

fn text_only(
    seed: u64,
    invoices: usize,
    identities: usize,
    defect_share: f32,
) -> Vec<GeneratedDocument> {
    generate(&GeneratorOptions {
        seed,
        invoices,
        identities,
        scanned_share: 0.0,
        defect_share,
        scan_dpi: 200,
    })
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_else(|e| panic!("{s:?} is not a decimal: {e}"))
}

/// Every number-like token in `text`, read both with `,` and with `.` as the decimal mark.
fn amounts_in(text: &str) -> Vec<Decimal> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == ',')
            {
                i += 1;
            }
            let token: String = chars[start..i]
                .iter()
                .collect::<String>()
                .trim_end_matches(['.', ','])
                .to_string();
            let negative = start > 0 && chars[start - 1] == '-'
                || start > 1 && chars[start - 1] == '$' && chars[start - 2] == '-'
                || start > 1 && chars[start - 1] == '£' && chars[start - 2] == '-'
                || start > 2
                    && chars[start - 1] == ' '
                    && chars[start - 2] == '$'
                    && chars[start - 3] == '-'
                || start > 4
                    && chars[start - 5..start]
                        .iter()
                        .collect::<String>()
                        .ends_with("-USD ")
                || start > 4
                    && chars[start - 5..start]
                        .iter()
                        .collect::<String>()
                        .ends_with("-GBP ")
                || start > 4
                    && chars[start - 5..start]
                        .iter()
                        .collect::<String>()
                        .ends_with("-COP ");
            for candidate in [
                token.replace('.', "").replace(',', "."),
                token.replace(',', ""),
            ] {
                if let Ok(d) = Decimal::from_str(&candidate) {
                    out.push(if negative { -d } else { d });
                }
            }
        } else {
            i += 1;
        }
    }
    out
}

#[test]
fn the_same_seed_gives_identical_bytes() {
    let options = GeneratorOptions {
        seed: 7,
        invoices: 4,
        identities: 2,
        scanned_share: 0.5,
        defect_share: 0.5,
        scan_dpi: 60,
    };
    let a = generate(&options);
    let b = generate(&options);
    assert_eq!(a, b);
    let c = generate(&GeneratorOptions { seed: 8, ..options });
    assert_ne!(a[0].bytes, c[0].bytes);
}

#[test]
fn ground_truth_arithmetic_holds_for_clean_invoices() {
    let docs = text_only(11, 60, 0, 0.0);
    for d in &docs {
        assert!(d.defects.is_empty());
        let f = &d.fields;
        let (sub, tax, total, rate) = (
            dec(&f["subtotal"]),
            dec(&f["tax_amount"]),
            dec(&f["total"]),
            dec(&f["tax_rate"]),
        );
        assert_eq!(sub + tax, total, "{}", d.file_name);
        let expected_tax = (sub * rate / Decimal::ONE_HUNDRED)
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        assert_eq!(tax, expected_tax, "{}", d.file_name);
        let mut lines_sum = Decimal::ZERO;
        for li in &d.line_items {
            let amount = dec(&li["amount"]);
            let product = (dec(&li["quantity"]) * dec(&li["unit_price"]))
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            assert_eq!(amount, product, "{}: {li:?}", d.file_name);
            lines_sum += amount;
        }
        assert_eq!(lines_sum, sub, "{}", d.file_name);
        for key in ["subtotal", "tax_amount", "total"] {
            let (_, frac) = f[key].split_once('.').expect("two decimals");
            assert_eq!(frac.len(), 2, "{key} = {}", f[key]);
        }
        let credit = f["invoice_type"] == "credit_note";
        assert_eq!(total.is_sign_negative(), credit, "{}", d.file_name);
        if let Some(due) = f.get("due_date") {
            assert!(due >= &f["issue_date"]);
        }
    }
}

#[test]
fn ground_truth_uses_the_contract_normal_forms() {
    let docs = text_only(3, 60, 12, 0.3);
    let currencies = ["EUR", "USD", "COP", "MXN", "GBP"];
    for d in &docs {
        let f = &d.fields;
        let is_date =
            |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() && s.len() == 10;
        match d.kind {
            "invoice" => {
                assert!(currencies.contains(&f["currency"].as_str()));
                assert!(is_date(&f["issue_date"]));
                for k in ["supplier_tax_id", "customer_tax_id", "iban"] {
                    if let Some(v) = f.get(k) {
                        assert!(
                            v.chars()
                                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
                            "{k} = {v}"
                        );
                    }
                }
                for k in ["supplier_name", "customer_name"] {
                    assert!(!f[k].contains("  ") && f[k].trim() == f[k]);
                }
                assert!(!f["tax_rate"].contains(',') && !f["tax_rate"].ends_with(".0"));
            }
            "identity" => {
                assert!(["passport", "id_card"].contains(&f["document_type"].as_str()));
                assert!(is_date(&f["birth_date"]) && is_date(&f["expiry_date"]));
                assert!(["M", "F"].contains(&f["sex"].as_str()));
                assert_eq!(f["nationality"].len(), 3);
                assert_eq!(f["surname"], f["surname"].to_uppercase());
                let tampered = d.defects.contains(&PlantedDefect::TamperedMrz);
                assert_eq!(f["mrz_valid"], if tampered { "false" } else { "true" });
                let expired = d.defects.contains(&PlantedDefect::ExpiredIdentity);
                assert_eq!(f["expiry_date"].as_str() < "2026-11-01", expired);
            }
            other => panic!("unknown kind {other}"),
        }
    }
}

#[test]
fn shares_of_scans_and_defects_are_applied_exactly() {
    let docs = generate(&GeneratorOptions {
        seed: 5,
        invoices: 20,
        identities: 4,
        scanned_share: 0.25,
        defect_share: 0.5,
        scan_dpi: 40,
    });
    let invoices: Vec<_> = docs.iter().filter(|d| d.kind == "invoice").collect();
    assert_eq!(invoices.len(), 20);
    assert_eq!(
        invoices
            .iter()
            .filter(|d| d.rendering != Rendering::TextPdf)
            .count(),
        5
    );
    assert_eq!(
        invoices.iter().filter(|d| !d.defects.is_empty()).count(),
        10
    );
    let identities: Vec<_> = docs.iter().filter(|d| d.kind == "identity").collect();
    assert_eq!(
        identities
            .iter()
            .filter(|d| d.rendering != Rendering::TextPdf)
            .count(),
        1
    );
    assert_eq!(
        identities.iter().filter(|d| !d.defects.is_empty()).count(),
        2
    );
}

#[test]
fn every_generated_pdf_loads_and_shows_its_invoice_number_and_total() {
    let docs = text_only(21, 60, 8, 0.3);
    for d in &docs {
        assert!(d.file_name.ends_with(".pdf"));
        let pdf =
            lopdf::Document::load_mem(&d.bytes).unwrap_or_else(|e| panic!("{}: {e}", d.file_name));
        let text = pdf.extract_text(&[1]).expect("text extracts");
        if d.kind == "invoice" {
            assert!(
                text.contains(&d.fields["invoice_number"]),
                "{}: no number in {text}",
                d.file_name
            );
            let total = dec(&d.fields["total"]);
            assert!(
                amounts_in(&text).contains(&total),
                "{}: no total {total} in {text}",
                d.file_name
            );
            let locale = match d.fields["currency"].as_str() {
                "EUR" => locale::Locale::Es,
                "COP" => locale::Locale::Co,
                "MXN" => locale::Locale::Mx,
                "USD" => locale::Locale::Us,
                _ => locale::Locale::Uk,
            };
            let printed = [locale::MoneyStyle::Symbol, locale::MoneyStyle::Code]
                .map(|s| locale::fmt_money(total, locale, s));
            assert!(
                printed.iter().any(|p| text.contains(p.as_str())),
                "{}: neither of {printed:?} in {text}",
                d.file_name
            );
            for name in ["supplier_name", "customer_name"] {
                assert!(
                    text.contains(&d.fields[name]) || text.contains(&d.fields[name].to_uppercase()),
                    "{}: {name}",
                    d.file_name
                );
            }
        } else {
            for line in d.fields["mrz"].lines() {
                assert!(
                    text.contains(line),
                    "{}: MRZ line {line} missing",
                    d.file_name
                );
            }
            assert!(text.contains(&d.fields["document_number"]));
            assert!(text.contains(&d.fields["surname"].replace(' ', "<")), "{}: the MRZ holds the surname", d.file_name);
        }
    }
}

#[test]
fn scans_and_photos_decode_as_images_of_the_expected_size() {
    let dpi = 60;
    let docs = generate(&GeneratorOptions {
        seed: 9,
        invoices: 8,
        identities: 3,
        scanned_share: 1.0,
        defect_share: 0.0,
        scan_dpi: dpi,
    });
    let px = |pt: f32, dpi: u32| (pt * dpi as f32 / 72.0).round() as u32;
    for d in &docs {
        let img =
            image::load_from_memory(&d.bytes).unwrap_or_else(|e| panic!("{}: {e}", d.file_name));
        let (w, h) = (img.width(), img.height());
        match d.rendering {
            Rendering::Scan => {
                assert!(d.file_name.ends_with(".png"));
                let a4 = (px(page::A4.0, dpi), px(page::A4.1, dpi));
                let letter = (px(page::LETTER.0, dpi), px(page::LETTER.1, dpi));
                assert!((w, h) == a4 || (w, h) == letter, "{}: {w}x{h}", d.file_name);
            }
            Rendering::Photo => {
                assert!(d.file_name.ends_with(".jpg"));
                assert!(
                    (1240..=1700).contains(&w) && (1600..=2340).contains(&h),
                    "{}: {w}x{h}",
                    d.file_name
                );
            }
            Rendering::TextPdf => panic!("{} should be an image", d.file_name),
        }
    }
    assert!(docs.iter().any(|d| d.rendering == Rendering::Photo));
}

#[test]
fn an_a4_page_at_200_dpi_is_1654_by_2339_pixels() {
    let lines = vec![PlacedText {
        x: 50.0,
        y: 80.0,
        size: 11.0,
        text: "Factura nº 1".into(),
        bold: false,
        monospace: false,
    }];
    let img = render_scan(&lines, page::A4, 200, &ScanNoise::none(), 0);
    assert_eq!(img.dimensions(), (1654, 2339));
}

#[test]
fn write_corpus_writes_the_files_and_one_truth_line_per_document() {
    let docs = generate(&GeneratorOptions {
        seed: 2,
        invoices: 3,
        identities: 2,
        scanned_share: 0.2,
        defect_share: 0.4,
        scan_dpi: 40,
    });
    let dir = std::env::temp_dir().join(format!("tramite-synthetic-corpus-{}", std::process::id()));
    write_corpus(&dir, &docs).expect("corpus written");
    let truth = std::fs::read_to_string(dir.join("truth.jsonl")).expect("truth.jsonl exists");
    let lines: Vec<&str> = truth.lines().collect();
    assert_eq!(lines.len(), docs.len());
    for (line, doc) in lines.iter().zip(&docs) {
        let v: serde_json::Value = serde_json::from_str(line).expect("valid JSON");
        assert_eq!(v["file"], doc.file_name.as_str());
        assert_eq!(v, truth_line(doc));
        assert_eq!(
            std::fs::read(dir.join(&doc.file_name)).expect("file written"),
            doc.bytes
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn truth_lines_name_renderings_and_defects_in_snake_case() {
    let doc = GeneratedDocument {
        file_name: "x.pdf".into(),
        bytes: vec![],
        kind: "invoice",
        rendering: Rendering::TextPdf,
        fields: BTreeMap::from([("total".to_string(), "1.00".to_string())]),
        line_items: vec![],
        defects: vec![PlantedDefect::BadSupplierTaxId, PlantedDefect::TamperedMrz],
    };
    let v = truth_line(&doc);
    assert_eq!(v["rendering"], "text_pdf");
    assert_eq!(
        v["defects"],
        serde_json::json!(["bad_supplier_tax_id", "tampered_mrz"])
    );
    assert_eq!(v["fields"]["total"], "1.00");
    assert_eq!(v["kind"], "invoice");
    assert_eq!(serde_json::to_value(Rendering::Photo).unwrap(), "photo");
}

#[test]
fn planted_defects_show_up_in_the_ground_truth() {
    let docs = text_only(17, 40, 10, 1.0);
    for d in &docs {
        assert_eq!(d.defects.len(), 1, "{}", d.file_name);
        let f = &d.fields;
        match d.defects[0] {
            PlantedDefect::WrongTotal => assert_ne!(
                dec(&f["subtotal"]) + dec(&f["tax_amount"]),
                dec(&f["total"])
            ),
            PlantedDefect::BadIban => assert!(!checks::iban_valid(&f["iban"])),
            PlantedDefect::DueBeforeIssue => assert!(f["due_date"] < f["issue_date"]),
            PlantedDefect::BadSupplierTaxId => assert!(f.contains_key("supplier_tax_id")),
            PlantedDefect::ExpiredIdentity => assert!(f["expiry_date"].as_str() < "2026-11-01"),
            PlantedDefect::TamperedMrz => assert_eq!(f["mrz_valid"], "false"),
        }
    }
}

#[test]
fn the_demo_batch_has_the_advertised_mix() {
    // Text-only shape check: count kinds and shares without decoding images.
    let docs = demo_batch(1);
    assert_eq!(docs.iter().filter(|d| d.kind == "invoice").count(), 30);
    assert_eq!(docs.iter().filter(|d| d.kind == "identity").count(), 6);
    let scanned = docs
        .iter()
        .filter(|d| d.rendering != Rendering::TextPdf)
        .count();
    assert_eq!(scanned, 8 + 2);
    let defective = docs.iter().filter(|d| !d.defects.is_empty()).count();
    assert_eq!(defective, 6 + 1);
}
