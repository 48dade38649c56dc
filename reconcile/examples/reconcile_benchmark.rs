//! Reconciliation benchmark: 100,000 invoices against a bank statement of
//! 100,000 lines, single-threaded.
//!
//! Generates, deterministically (a seeded linear congruential generator),
//! 5,000 suppliers, 100,000 invoices (half citing a purchase order, with
//! goods receipts), and a Spanish bank CSV export of 100,000 movements with
//! a running balance: payments citing the invoice, payments naming only
//! the supplier, one payment for three invoices of a billing period, partial payments,
//! over-payments, unpaid invoices and unrelated movements (fees, payroll,
//! customer receipts). Then it parses the statement, reconciles, prints
//! the time of each step, the throughput and the counts, and checks every
//! planted outcome against the result.
//!
//! Run it in release: `cargo run -p tramite-reconcile --release --example reconcile_benchmark`
//! (an optional argument changes the number of invoices and lines).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::Instant;

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use tramite_reconcile::bank_csv::parse_bank_csv;
use tramite_reconcile::invoice::{InvoiceForMatching, InvoiceLineForMatching, MatchingOptions};
use tramite_reconcile::purchase_orders::{GoodsReceipt, PurchaseOrder, PurchaseOrderLine};
use tramite_reconcile::report::{MatchStatus, ReportCategory, reconcile};

const SEED: u64 = 0x7A41_7E00_2026_0004;
const SUPPLIER_COUNT: usize = 5_000;

const ACTIVITIES: [&str; 20] = [
    "Suministros",
    "Transportes",
    "Limpiezas",
    "Construcciones",
    "Talleres",
    "Distribuciones",
    "Servicios",
    "Instalaciones",
    "Reformas",
    "Papelería",
    "Asesoría",
    "Consultores",
    "Ferretería",
    "Electricidad",
    "Fontanería",
    "Carpintería",
    "Imprenta",
    "Logística",
    "Mantenimiento",
    "Climatización",
];
const SURNAMES: [&str; 40] = [
    "García",
    "Fernández",
    "González",
    "Rodríguez",
    "López",
    "Martínez",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Martín",
    "Jiménez",
    "Ruiz",
    "Hernández",
    "Díaz",
    "Moreno",
    "Muñoz",
    "Álvarez",
    "Romero",
    "Alonso",
    "Gutiérrez",
    "Navarro",
    "Torres",
    "Domínguez",
    "Vázquez",
    "Ramos",
    "Gil",
    "Ramírez",
    "Serrano",
    "Blanco",
    "Molina",
    "Morales",
    "Suárez",
    "Ortega",
    "Delgado",
    "Castro",
    "Ortiz",
    "Rubio",
    "Marín",
    "Sanz",
    "Núñez",
];
const PLACES: [&str; 30] = [
    "Norte",
    "Levante",
    "Galicia",
    "Madrid",
    "Aragón",
    "Bética",
    "Cantábrico",
    "Mediterráneo",
    "Castilla",
    "Navarra",
    "Rioja",
    "Canarias",
    "Baleares",
    "Extremadura",
    "Murcia",
    "Asturias",
    "Vasca",
    "Catalana",
    "Valenciana",
    "Sur",
    "Centro",
    "Ibérica",
    "Atlántico",
    "Pirineos",
    "Duero",
    "Ebro",
    "Tajo",
    "Guadalquivir",
    "Sierra",
    "Costa",
];

/// A small deterministic pseudo-random generator (PCG-style LCG).
struct Generator(u64);

impl Generator {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    fn percent(&mut self) -> u64 {
        self.below(100)
    }
}

struct Supplier {
    tax_id: String,
    name: String,
    bank_name: String,
    number_prefix: String,
}

/// What a generated invoice's reconciliation should be.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Planted {
    PaidCitingInvoice,
    PaidNamingSupplier,
    PaidWithTwoOthers,
    PartlyPaid,
    OverPaid,
    Unpaid,
}

struct Movement {
    date: NaiveDate,
    amount: Decimal,
    concept: String,
    counterparty: String,
    pays: Vec<usize>,
}

fn bank_style(name: &str) -> String {
    let mut text = String::with_capacity(name.len());
    for character in name.chars() {
        text.push(match character {
            'á' | 'Á' => 'A',
            'é' | 'É' => 'E',
            'í' | 'Í' => 'I',
            'ó' | 'Ó' => 'O',
            'ú' | 'Ú' => 'U',
            'ñ' | 'Ñ' => 'N',
            other => other.to_ascii_uppercase(),
        });
    }
    text
}

fn spanish_amount(value: Decimal) -> String {
    let text = format!("{:.2}", value.abs());
    let (whole, fraction) = text.split_once('.').expect("two decimals");
    let mut grouped = String::new();
    for (position, digit) in whole.chars().enumerate() {
        if position > 0 && (whole.len() - position) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    format!("{}{grouped},{fraction}", if value.is_sign_negative() { "-" } else { "" })
}

fn main() {
    let invoice_target: usize = std::env::args().nth(1).and_then(|argument| argument.parse().ok()).unwrap_or(100_000);
    let line_target = invoice_target;
    let mut random = Generator(SEED);
    let started = Instant::now();

    let suppliers: Vec<Supplier> = (0..SUPPLIER_COUNT)
        .map(|index| {
            let name = format!(
                "{} {} {} SL",
                ACTIVITIES[index % ACTIVITIES.len()],
                SURNAMES[(index / ACTIVITIES.len()) % SURNAMES.len()],
                PLACES[(index / (ACTIVITIES.len() * SURNAMES.len())) % PLACES.len()]
            );
            let prefixes = ["FA", "F", "FV", "A", "INV", "FRA", "E", "SG"];
            Supplier {
                tax_id: format!("B{:08}", 10_000_000 + index * 7_919 % 89_999_999),
                bank_name: bank_style(&name),
                name,
                number_prefix: format!("{}{}", prefixes[index % prefixes.len()], (index / prefixes.len()) % 100),
            }
        })
        .collect();

    let first_day = NaiveDate::from_ymd_opt(2026, 1, 1).expect("a valid date");
    let mut invoices: Vec<InvoiceForMatching> = Vec::with_capacity(invoice_target);
    let mut planted: Vec<Planted> = Vec::with_capacity(invoice_target);
    let mut orders: Vec<PurchaseOrder> = Vec::new();
    let mut receipts: Vec<GoodsReceipt> = Vec::new();
    let mut movements: Vec<Movement> = Vec::with_capacity(line_target);

    let new_invoice = |random: &mut Generator,
                       invoices: &mut Vec<InvoiceForMatching>,
                       supplier_index: usize,
                       issued_after: Option<NaiveDate>,
                       orders: &mut Vec<PurchaseOrder>,
                       receipts: &mut Vec<GoodsReceipt>| {
        let supplier = &suppliers[supplier_index];
        let position = invoices.len();
        let issue_date = match issued_after {
            Some(date) => date + Duration::days(random.below(20) as i64),
            None => first_day + Duration::days(random.below(300) as i64),
        };
        let quantity = Decimal::from(1 + random.below(20));
        let unit_price = Decimal::new(500 + random.below(99_500) as i64, 2);
        let total = (quantity * unit_price * Decimal::new(121, 2)).round_dp(2);
        let number = match position % 4 {
            0 => format!("{}-{:06}", supplier.number_prefix, position),
            1 => format!("{}/2026/{:06}", supplier.number_prefix, position),
            2 => format!("{}{:07}", supplier.number_prefix, position),
            _ => format!("{} {:06}", supplier.number_prefix, position),
        };
        let cites_order = random.percent() < 50;
        let po_number = cites_order.then(|| format!("PO-{position:07}"));
        if let Some(po_number) = &po_number {
            orders.push(PurchaseOrder {
                po_number: po_number.clone(),
                supplier_tax_id: supplier.tax_id.clone(),
                supplier_name: supplier.name.clone(),
                currency: "EUR".to_string(),
                amount: total,
                issue_date: issue_date - Duration::days(10),
                lines: vec![PurchaseOrderLine {
                    line_number: 1,
                    description: "material".to_string(),
                    quantity,
                    unit_price: Some(unit_price),
                    source_line: 0,
                }],
                source_line: 0,
            });
            let short = random.percent() < 3;
            receipts.push(GoodsReceipt {
                receipt_id: format!("GR-{position:07}"),
                po_number: po_number.clone(),
                line_number: Some(1),
                quantity_received: if short { quantity - Decimal::ONE } else { quantity },
                received_date: issue_date - Duration::days(2),
                source_line: 0,
            });
        }
        invoices.push(InvoiceForMatching {
            id: format!("doc-{position:07}"),
            invoice_number: number,
            supplier_tax_id: supplier.tax_id.clone(),
            supplier_name: supplier.name.clone(),
            currency: "EUR".to_string(),
            total,
            issue_date,
            due_date: Some(issue_date + Duration::days(30)),
            po_number,
            lines: vec![InvoiceLineForMatching {
                line_number: 1,
                purchase_order_line: None,
                description: "material".to_string(),
                quantity,
                unit_price: Some(unit_price),
            }],
        });
        position
    };

    while invoices.len() < invoice_target && movements.len() < line_target {
        let supplier_index = random.below(SUPPLIER_COUNT as u64) as usize;
        let scenario = random.percent();
        let payment_date =
            |random: &mut Generator, invoice: &InvoiceForMatching| invoice.issue_date + Duration::days(5 + random.below(50) as i64);
        if scenario < 70 {
            let invoice = new_invoice(&mut random, &mut invoices, supplier_index, None, &mut orders, &mut receipts);
            planted.push(Planted::PaidCitingInvoice);
            let number = &invoices[invoice].invoice_number;
            let concept = match random.below(3) {
                0 => format!("PAGO FRA {number}"),
                1 => format!("FACTURA {}", number.replace(['-', '/'], " ")),
                _ => number.clone(),
            };
            let counterparty = if random.percent() < 70 { suppliers[supplier_index].bank_name.clone() } else { String::new() };
            movements.push(Movement {
                date: payment_date(&mut random, &invoices[invoice]),
                amount: -invoices[invoice].total,
                concept,
                counterparty,
                pays: vec![invoice],
            });
        } else if scenario < 78 {
            let invoice = new_invoice(&mut random, &mut invoices, supplier_index, None, &mut orders, &mut receipts);
            planted.push(Planted::PaidNamingSupplier);
            movements.push(Movement {
                date: payment_date(&mut random, &invoices[invoice]),
                amount: -invoices[invoice].total,
                concept: "TRANSFERENCIA A PROVEEDOR".to_string(),
                counterparty: suppliers[supplier_index].bank_name.clone(),
                pays: vec![invoice],
            });
        } else if scenario < 80 {
            let billing_period_start = first_day + Duration::days(random.below(280) as i64);
            let group: Vec<usize> = (0..3)
                .map(|_| new_invoice(&mut random, &mut invoices, supplier_index, Some(billing_period_start), &mut orders, &mut receipts))
                .collect();
            planted.extend([Planted::PaidWithTwoOthers; 3]);
            let latest_issue = group.iter().map(|&invoice| invoices[invoice].issue_date).max().expect("three invoices");
            let date = latest_issue + Duration::days(5 + random.below(30) as i64);
            movements.push(Movement {
                date,
                amount: -group.iter().map(|&invoice| invoices[invoice].total).sum::<Decimal>(),
                concept: "LIQUIDACION FACTURAS PENDIENTES".to_string(),
                counterparty: suppliers[supplier_index].bank_name.clone(),
                pays: group,
            });
        } else if scenario < 84 {
            let invoice = new_invoice(&mut random, &mut invoices, supplier_index, None, &mut orders, &mut receipts);
            planted.push(Planted::PartlyPaid);
            let share = Decimal::new(30 + random.below(40) as i64, 2);
            movements.push(Movement {
                date: payment_date(&mut random, &invoices[invoice]),
                amount: -(invoices[invoice].total * share).round_dp(2),
                concept: format!("A CUENTA FRA {}", invoices[invoice].invoice_number),
                counterparty: suppliers[supplier_index].bank_name.clone(),
                pays: vec![invoice],
            });
        } else if scenario < 86 {
            let invoice = new_invoice(&mut random, &mut invoices, supplier_index, None, &mut orders, &mut receipts);
            planted.push(Planted::OverPaid);
            movements.push(Movement {
                date: payment_date(&mut random, &invoices[invoice]),
                amount: -(invoices[invoice].total + Decimal::new(100 + random.below(5_000) as i64, 2)),
                concept: format!("PAGO FRA {}", invoices[invoice].invoice_number),
                counterparty: suppliers[supplier_index].bank_name.clone(),
                pays: vec![invoice],
            });
        } else if scenario < 91 {
            new_invoice(&mut random, &mut invoices, supplier_index, None, &mut orders, &mut receipts);
            planted.push(Planted::Unpaid);
        } else {
            let date = first_day + Duration::days(random.below(360) as i64);
            let (amount, concept, counterparty) = match random.below(4) {
                0 => (-Decimal::new(500 + random.below(4_000) as i64, 2), "COMISION MANTENIMIENTO CUENTA".to_string(), String::new()),
                1 => (
                    -Decimal::new(120_000 + random.below(300_000) as i64, 2),
                    "NOMINA EMPLEADO".to_string(),
                    "PERSONAL PLANTILLA".to_string(),
                ),
                2 => {
                    (Decimal::new(10_000 + random.below(2_000_000) as i64, 2), "COBRO CLIENTE".to_string(), "CLIENTE FINAL SA".to_string())
                }
                _ => (
                    -Decimal::new(3_000 + random.below(50_000) as i64, 2),
                    "RECIBO SUMINISTRO ELECTRICO".to_string(),
                    "COMERCIALIZADORA ENERGIA".to_string(),
                ),
            };
            movements.push(Movement { date, amount, concept, counterparty, pays: Vec::new() });
        }
    }
    while invoices.len() < invoice_target {
        let supplier_index = random.below(SUPPLIER_COUNT as u64) as usize;
        new_invoice(&mut random, &mut invoices, supplier_index, None, &mut orders, &mut receipts);
        planted.push(Planted::Unpaid);
    }
    while movements.len() < line_target {
        let date = first_day + Duration::days(random.below(360) as i64);
        movements.push(Movement {
            date,
            amount: -Decimal::new(500 + random.below(4_000) as i64, 2),
            concept: "COMISION TRANSFERENCIA".to_string(),
            counterparty: String::new(),
            pays: Vec::new(),
        });
    }
    movements.sort_by_key(|movement| movement.date);

    let mut statement_csv = String::with_capacity(line_target * 90);
    statement_csv.push_str("Fecha;Fecha valor;Concepto;Beneficiario;Importe;Saldo\n");
    let mut balance = Decimal::new(5_000_000_000, 2);
    let mut planted_entry_of_invoice: HashMap<usize, String> = HashMap::new();
    for (position, movement) in movements.iter().enumerate() {
        balance += movement.amount;
        let date = movement.date.format("%d/%m/%Y");
        let _ = writeln!(
            statement_csv,
            "{date};{date};{};{};{};{}",
            movement.concept,
            movement.counterparty,
            spanish_amount(movement.amount),
            spanish_amount(balance)
        );
        for &invoice in &movement.pays {
            planted_entry_of_invoice.insert(invoice, format!("CSV/{}", position + 1));
        }
    }
    let generated = started.elapsed();

    let parse_started = Instant::now();
    let import = parse_bank_csv(statement_csv.as_bytes(), "EUR").expect("the generated statement parses");
    let parsed = parse_started.elapsed();
    assert!(import.is_consistent(), "the generated running balance is consistent: {:?}", import.warnings);
    let entries = import.into_entries();

    let match_started = Instant::now();
    let report = reconcile(&invoices, &orders, &receipts, &entries, &MatchingOptions::default());
    let matched_in = match_started.elapsed();

    let mut reproduced: HashMap<Planted, (usize, usize)> = HashMap::new();
    for (position, expected) in planted.iter().enumerate() {
        let result = &report.invoices[position];
        let paid_by_planted_entry = planted_entry_of_invoice
            .get(&position)
            .is_some_and(|entry| result.payments.iter().all(|payment| &payment.bank_entry_id == entry));
        let as_planted = match expected {
            Planted::PaidCitingInvoice | Planted::PaidNamingSupplier | Planted::PaidWithTwoOthers => {
                result.category == ReportCategory::Matched && paid_by_planted_entry
            }
            Planted::PartlyPaid => result.category == ReportCategory::UnderPaid && paid_by_planted_entry,
            Planted::OverPaid => result.category == ReportCategory::OverPaid && paid_by_planted_entry,
            Planted::Unpaid => result.status == MatchStatus::Unmatched,
        };
        let tally = reproduced.entry(*expected).or_default();
        tally.1 += 1;
        if as_planted {
            tally.0 += 1;
        }
    }

    let totals = &report.totals_by_currency["EUR"];
    let entry_count = entries.len();
    let seconds = matched_in.as_secs_f64();
    println!(
        "machine: {} logical cores available; benchmark runs on one thread",
        std::thread::available_parallelism().map(|cores| cores.get()).unwrap_or(1)
    );
    println!(
        "generated {} invoices ({} suppliers, {} purchase orders, {} goods receipts) and a {}-line statement in {:.2?}",
        invoices.len(),
        SUPPLIER_COUNT,
        orders.len(),
        receipts.len(),
        entry_count,
        generated
    );
    println!(
        "parse statement CSV: {:.3} s ({:.0} lines/s, {:.1} MB)",
        parsed.as_secs_f64(),
        entry_count as f64 / parsed.as_secs_f64(),
        statement_csv.len() as f64 / 1e6
    );
    println!(
        "reconcile (2-way + 3-way + payments): {:.3} s ({:.0} statement lines/s, {:.0} invoices/s)",
        seconds,
        entry_count as f64 / seconds,
        invoices.len() as f64 / seconds
    );
    println!("parse + reconcile: {:.3} s", (parsed + matched_in).as_secs_f64());
    println!(
        "invoices: matched {} (EUR {}), over-paid {} (EUR {} too much), under-paid {} (EUR {} outstanding), unmatched {} (EUR {})",
        totals.matched_count,
        totals.matched_amount,
        totals.over_paid_count,
        totals.over_paid_amount,
        totals.under_paid_count,
        totals.under_paid_outstanding,
        totals.unmatched_count,
        totals.unmatched_amount
    );
    println!(
        "bank entries: matched {}, unmatched {} (signed sum EUR {})",
        report.matched_bank_entries.len(),
        totals.unmatched_bank_entry_count,
        totals.unmatched_bank_entry_amount
    );
    let mut finding_counts: HashMap<&str, usize> = HashMap::new();
    for invoice in &report.invoices {
        for finding in &invoice.findings {
            *finding_counts.entry(finding.code.as_str()).or_default() += 1;
        }
    }
    let mut finding_counts: Vec<(&str, usize)> = finding_counts.into_iter().collect();
    finding_counts.sort();
    println!("findings: {}", finding_counts.iter().map(|(code, count)| format!("{code} {count}")).collect::<Vec<_>>().join(", "));
    let mut planted_kinds: Vec<(&Planted, &(usize, usize))> = reproduced.iter().collect();
    planted_kinds.sort_by_key(|(kind, _)| format!("{kind:?}"));
    for (kind, (as_planted, total)) in planted_kinds {
        println!("planted {kind:?}: {as_planted} of {total} reproduced ({:.2} %)", 100.0 * *as_planted as f64 / (*total).max(1) as f64);
    }
}
