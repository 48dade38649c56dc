//! Synthetic invoices: the business data, its ground truth and several page layouts.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use rust_decimal::prelude::*;

use crate::PlantedDefect;
use crate::checks::*;
use crate::locale::*;
use crate::page::{Family, Page};

type Rng8 = ChaCha8Rng;

fn pick<'a, T>(rng: &mut Rng8, items: &'a [T]) -> &'a T {
    items.choose(rng).expect("non-empty list")
}

fn pick_s(rng: &mut Rng8, items: &[&str]) -> String {
    (*pick(rng, items)).to_string()
}

fn digits(rng: &mut Rng8, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

/// A digit different from `d`.
fn other_digit(rng: &mut Rng8, d: u32) -> u32 {
    (d + rng.random_range(1..10)) % 10
}

/// Uppercase letters and digits only: the ground-truth form of tax IDs and IBANs.
pub(crate) fn alnum_upper(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A company or person on an invoice.
#[derive(Debug, Clone)]
pub(crate) struct Party {
    pub name: String,
    pub address: Vec<String>,
    /// Phone and e-mail.
    pub contact: Option<(String, String)>,
    pub tax_label: String,
    pub tax_printed: Option<String>,
}

/// One line of the items table.
#[derive(Debug, Clone)]
pub(crate) struct LineItem {
    pub description: String,
    pub qty: Decimal,
    pub unit_price: Decimal,
    pub amount: Decimal,
}

/// An invoice as printed (defects already applied).
#[derive(Debug, Clone)]
pub(crate) struct Invoice {
    pub locale: Locale,
    pub credit_note: bool,
    pub number: String,
    pub issue: NaiveDate,
    pub due: Option<NaiveDate>,
    pub supplier: Party,
    pub customer: Party,
    pub lines: Vec<LineItem>,
    pub subtotal: Decimal,
    pub tax_rate: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
    /// IBAN without spaces, as printed.
    pub iban: Option<String>,
    pub iban_grouped: bool,
    pub bank_lines: Vec<String>,
    pub po: Option<String>,
    pub reference: Option<(String, NaiveDate)>,
    pub extras: Vec<(String, String)>,
    pub footer: Vec<String>,
    pub date_style: u8,
    pub money_style: MoneyStyle,
    pub defects: Vec<PlantedDefect>,
}

fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

// ---------------------------------------------------------------------------------------------
// Identifiers

/// Returns (label, printed) for a supplier or customer tax ID; `corrupt` makes its control
/// character wrong. `None` when the locale has no check digit to corrupt is never returned:
/// callers only ask to corrupt where [`tax_id_checkable`] holds.
fn tax_id(
    rng: &mut Rng8,
    locale: Locale,
    name: &str,
    person: bool,
    corrupt: bool,
) -> (String, String) {
    match locale {
        Locale::Es => {
            if person {
                let n: u32 = rng.random_range(10_000_000..99_999_999);
                let mut letter = nif_letter(n);
                if corrupt {
                    let letters = "TRWAGMYFPDXBNJZSQVHLCKE";
                    let i = letters.find(letter).unwrap_or(0);
                    letter = letters.as_bytes()[(i + rng.random_range(1..23)) % 23] as char;
                }
                let printed = if rng.random_bool(0.5) {
                    format!("{n}{letter}")
                } else {
                    format!("{n}-{letter}")
                };
                (pick_s(rng, &["NIF", "N.I.F.", "DNI/NIF"]), printed)
            } else {
                let letter = if rng.random_bool(0.7) { 'B' } else { 'A' };
                let province = pick_s(
                    rng,
                    &[
                        "28", "08", "46", "41", "48", "50", "29", "15", "33", "47", "30", "03",
                    ],
                );
                let body = format!("{province}{}", digits(rng, 5));
                let mut control = cif_control(letter, &body);
                if corrupt {
                    control =
                        char::from_digit(other_digit(rng, control.to_digit(10).unwrap_or(0)), 10)
                            .unwrap_or('0');
                }
                let printed = match rng.random_range(0..4) {
                    0 => format!("{letter}-{body}{control}"),
                    1 => format!("ES{letter}{body}{control}"),
                    _ => format!("{letter}{body}{control}"),
                };
                (pick_s(rng, &["CIF", "NIF", "C.I.F.", "CIF/NIF"]), printed)
            }
        }
        Locale::Co => {
            let base = format!("{}{}", pick_s(rng, &["8", "9"]), digits(rng, 8));
            let mut dv = nit_check_digit(&base);
            if corrupt {
                dv = other_digit(rng, dv);
            }
            let printed = if rng.random_bool(0.6) {
                format!("{}.{}.{}-{dv}", &base[..3], &base[3..6], &base[6..])
            } else {
                format!("{base}-{dv}")
            };
            (pick_s(rng, &["NIT", "NIT", "Nit"]), printed)
        }
        Locale::Mx => {
            let letters: String = fold_accents(name)
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| {
                    w.len() > 2
                        && !["DE", "DEL", "LAS", "LOS", "CV", "RL"]
                            .contains(&w.to_uppercase().as_str())
                })
                .filter_map(|w| w.chars().next())
                .map(|c| c.to_ascii_uppercase())
                .chain("XAB".chars())
                .take(if person { 4 } else { 3 })
                .collect();
            let y = rng
                .random_range(60..100u32)
                .max(if person { 60 } else { 85 })
                % 100;
            let date = format!(
                "{y:02}{:02}{:02}",
                rng.random_range(1..=12u32),
                rng.random_range(1..=28u32)
            );
            const HOMO: &[u8] = b"123456789ABCDEFGHIJKLMNPQRSTUVWXYZ";
            let homo: String = (0..2).map(|_| *pick(rng, HOMO) as char).collect();
            let base = format!("{letters}{date}{homo}");
            let mut check = rfc_check_digit(&base);
            if corrupt {
                let options: Vec<char> = "0123456789A".chars().filter(|c| *c != check).collect();
                check = *pick(rng, &options);
            }
            ("RFC".to_string(), format!("{base}{check}"))
        }
        Locale::Us => {
            let prefix = pick_s(
                rng,
                &[
                    "12", "13", "20", "26", "27", "30", "33", "35", "36", "45", "46", "47", "81",
                    "82", "84", "86", "88", "91", "94", "95",
                ],
            );
            (
                pick_s(rng, &["EIN", "Tax ID", "Federal Tax ID", "FEIN"]),
                format!("{prefix}-{}", digits(rng, 7)),
            )
        }
        Locale::Uk => {
            let first7 = format!("{}{}", rng.random_range(1..10u8), digits(rng, 6));
            let valid = gb_vat_check(&first7);
            let check = if corrupt {
                let mut delta = rng.random_range(1..97);
                if delta == 42 {
                    delta = 43; // (check + 42) % 97 would satisfy the newer "9755" rule
                }
                (valid + delta) % 97
            } else {
                valid
            };
            let all = format!("{first7}{check:02}");
            let printed = match rng.random_range(0..4) {
                0 => format!("GB{all}"),
                1 => format!("{} {} {}", &all[..3], &all[3..7], &all[7..]),
                _ => format!("GB {} {} {}", &all[..3], &all[3..7], &all[7..]),
            };
            (
                pick_s(
                    rng,
                    &[
                        "VAT Reg. No.",
                        "VAT No.",
                        "VAT number",
                        "VAT Registration No.",
                    ],
                ),
                printed,
            )
        }
    }
}

/// Whether the locale's supplier tax ID has a check character a defect can break.
fn tax_id_checkable(locale: Locale) -> bool {
    locale != Locale::Us
}

/// Returns (IBAN, bank detail lines) for locales that print one.
fn bank_account(rng: &mut Rng8, locale: Locale) -> (Option<String>, Vec<String>) {
    match locale {
        Locale::Es => {
            let (bank, bic) = *pick(
                rng,
                &[
                    ("2100", "CAIXESBBXXX"),
                    ("0049", "BSCHESMMXXX"),
                    ("0182", "BBVAESMMXXX"),
                    ("0081", "BSABESBBXXX"),
                    ("2080", "CAGLESMMXXX"),
                    ("0128", "BKBKESMMXXX"),
                    ("1465", "INGDESMMXXX"),
                    ("3058", "CCRIES2AXXX"),
                ],
            );
            let branch = digits(rng, 4);
            let account = digits(rng, 10);
            let dc1 = ccc_control_digit(&format!("00{bank}{branch}"));
            let dc2 = ccc_control_digit(&account);
            let bban = format!("{bank}{branch}{dc1}{dc2}{account}");
            let iban = format!("ES{}{bban}", iban_check_digits("ES", &bban));
            let extra = if rng.random_bool(0.6) {
                vec![format!("BIC: {bic}")]
            } else {
                vec![]
            };
            (Some(iban), extra)
        }
        Locale::Uk => {
            let (bank, bic) = *pick(
                rng,
                &[
                    ("NWBK", "NWBKGB2L"),
                    ("BARC", "BARCGB22"),
                    ("LOYD", "LOYDGB2L"),
                    ("HBUK", "HBUKGB4B"),
                    ("MIDL", "MIDLGB22"),
                ],
            );
            let sort = digits(rng, 6);
            let account = digits(rng, 8);
            let bban = format!("{bank}{sort}{account}");
            let iban = format!("GB{}{bban}", iban_check_digits("GB", &bban));
            let mut extra = vec![format!(
                "Sort code: {}-{}-{}   Account no.: {account}",
                &sort[..2],
                &sort[2..4],
                &sort[4..]
            )];
            if rng.random_bool(0.5) {
                extra.push(format!("BIC: {bic}"));
            }
            if rng.random_bool(0.85) {
                (Some(iban), extra)
            } else {
                (None, extra)
            }
        }
        Locale::Mx => {
            let (bank, name) = *pick(
                rng,
                &[
                    ("002", "Banamex"),
                    ("012", "BBVA México"),
                    ("014", "Santander"),
                    ("072", "Banorte"),
                    ("021", "HSBC"),
                ],
            );
            let first17 = format!(
                "{bank}{}{}",
                pick_s(rng, &["180", "320", "580", "650"]),
                digits(rng, 11)
            );
            let clabe = format!("{first17}{}", clabe_check_digit(&first17));
            (
                None,
                vec![format!("Banco: {name}"), format!("CLABE: {clabe}")],
            )
        }
        Locale::Co => {
            let bank = pick_s(
                rng,
                &[
                    "Bancolombia",
                    "Banco de Bogotá",
                    "Davivienda",
                    "BBVA Colombia",
                ],
            );
            let kind = pick_s(rng, &["ahorros", "corriente"]);
            (
                None,
                vec![format!(
                    "Cuenta de {kind} {bank} No. {}-{}-{}",
                    digits(rng, 3),
                    digits(rng, 6),
                    digits(rng, 2)
                )],
            )
        }
        Locale::Us => {
            let first8 = format!(
                "{}{}",
                pick_s(rng, &["0210", "0260", "1110", "1210", "0711", "0440"]),
                digits(rng, 4)
            );
            let routing = format!("{first8}{}", aba_check_digit(&first8));
            (
                None,
                vec![
                    format!("ACH routing no.: {routing}"),
                    format!("Account no.: {}", digits(rng, 10)),
                ],
            )
        }
    }
}

/// Changes one digit of an IBAN's BBAN, which always breaks its mod-97 check.
fn corrupt_iban(rng: &mut Rng8, iban: &str) -> String {
    let mut chars: Vec<char> = iban.chars().collect();
    let positions: Vec<usize> = (4..chars.len())
        .filter(|&i| chars[i].is_ascii_digit())
        .collect();
    let i = *pick(rng, &positions);
    let d = chars[i].to_digit(10).unwrap_or(0);
    chars[i] = char::from_digit(other_digit(rng, d), 10).unwrap_or('0');
    chars.into_iter().collect()
}

fn group4(s: &str) -> String {
    s.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------------------------------------
// Parties

fn company_name(rng: &mut Rng8, locale: Locale) -> String {
    let sur = |rng: &mut Rng8| title_case(&pick_s(rng, ES_SURNAMES));
    let en_sur = |rng: &mut Rng8| title_case(&pick_s(rng, EN_SURNAMES));
    match locale {
        Locale::Es => {
            let word = pick_s(
                rng,
                &[
                    "Suministros",
                    "Distribuciones",
                    "Logística",
                    "Soluciones",
                    "Servicios",
                    "Comercial",
                    "Gestión",
                    "Ingeniería",
                    "Papelería",
                    "Imprenta",
                    "Climatización",
                    "Reformas",
                    "Informática",
                ],
            );
            let place = pick_s(
                rng,
                &[
                    "Ibérica",
                    "del Norte",
                    "Levante",
                    "Mediterráneo",
                    "Castellana",
                    "Peñalara",
                    "Guadarrama",
                    "Atlántico",
                    "del Sur",
                    "Integral",
                    "Cántabra",
                ],
            );
            let form = pick_s(rng, &["S.L.", "S.L.", "S.A.", "S.L.U."]);
            match rng.random_range(0..5) {
                0 => format!("{} {} y Asociados, {form}", sur(rng), sur(rng)),
                1 => format!("Talleres {}, {form}", sur(rng)),
                2 => format!("Construcciones {} e Hijos, {form}", sur(rng)),
                _ => format!("{word} {place}, {form}"),
            }
        }
        Locale::Co => {
            let word = pick_s(
                rng,
                &[
                    "Soluciones",
                    "Distribuidora",
                    "Inversiones",
                    "Comercializadora",
                    "Servicios Integrales",
                    "Tecnología",
                    "Agroindustrias",
                ],
            );
            let place = pick_s(
                rng,
                &[
                    "Andina",
                    "del Caribe",
                    "El Dorado",
                    "del Pacífico",
                    "Antioqueña",
                    "Santandereana",
                    "La Sabana",
                ],
            );
            let form = pick_s(rng, &["S.A.S.", "S.A.S.", "S.A.", "Ltda."]);
            format!("{word} {place} {form}")
        }
        Locale::Mx => {
            let word = pick_s(
                rng,
                &[
                    "Comercializadora",
                    "Grupo",
                    "Servicios",
                    "Distribuidora",
                    "Manufacturas",
                    "Consultores",
                    "Transportes",
                ],
            );
            let place = pick_s(
                rng,
                &[
                    "del Bajío",
                    "Azteca",
                    "Regiomontana",
                    "del Golfo",
                    "Tapatía",
                    "Peninsular",
                    "Sierra Madre",
                ],
            );
            match rng.random_range(0..3) {
                0 => format!("Grupo {} S. de R.L. de C.V.", sur(rng)),
                _ => format!("{word} {place} S.A. de C.V."),
            }
        }
        Locale::Us => {
            let place = pick_s(
                rng,
                &[
                    "Blue Ridge",
                    "Lakeside",
                    "Summit",
                    "Pioneer",
                    "Redwood",
                    "Harbor",
                    "Granite",
                    "Prairie",
                    "Cascade",
                    "Lone Star",
                ],
            );
            let noun = pick_s(
                rng,
                &[
                    "Supply",
                    "Logistics",
                    "Consulting",
                    "Software",
                    "Industrial",
                    "Office Solutions",
                    "Design Studio",
                    "Electric",
                ],
            );
            match rng.random_range(0..4) {
                0 => format!("{} & {} Inc.", en_sur(rng), en_sur(rng)),
                1 => format!("{place} {noun} Co."),
                _ => format!("{place} {noun} LLC"),
            }
        }
        Locale::Uk => {
            let place = pick_s(
                rng,
                &[
                    "Pennine",
                    "Thames",
                    "Severn",
                    "Cotswold",
                    "Northgate",
                    "Highland",
                    "Mersey",
                    "Kingsway",
                    "Bramley",
                ],
            );
            let noun = pick_s(
                rng,
                &[
                    "Engineering",
                    "Logistics",
                    "Print",
                    "Facilities",
                    "Consulting",
                    "Building Supplies",
                    "Software",
                ],
            );
            match rng.random_range(0..4) {
                0 => format!("{} & Sons Ltd", en_sur(rng)),
                1 => format!("{} {} Partners LLP", en_sur(rng), noun),
                _ => format!("{place} {noun} Ltd"),
            }
        }
    }
}

fn person_name(rng: &mut Rng8, locale: Locale) -> String {
    if locale.spanish() {
        let given = if rng.random_bool(0.5) {
            pick(rng, ES_GIVEN_F)
        } else {
            pick(rng, ES_GIVEN_M)
        };
        format!(
            "{} {} {}",
            title_case(given),
            title_case(&pick_s(rng, ES_SURNAMES)),
            title_case(&pick_s(rng, ES_SURNAMES))
        )
    } else {
        let given = if rng.random_bool(0.5) {
            pick(rng, EN_GIVEN_F)
        } else {
            pick(rng, EN_GIVEN_M)
        };
        format!(
            "{} {}",
            title_case(given),
            title_case(&pick_s(rng, EN_SURNAMES))
        )
    }
}

fn address(rng: &mut Rng8, locale: Locale) -> Vec<String> {
    match locale {
        Locale::Es => {
            let street = pick_s(
                rng,
                &[
                    "Calle Mayor",
                    "Avenida de la Constitución",
                    "Paseo de Gracia",
                    "Calle de Alcalá",
                    "Gran Vía",
                    "Calle San Vicente",
                    "Avenida de Andalucía",
                    "Polígono Industrial Las Arenas, nave",
                ],
            );
            let (cp, city) = *pick(
                rng,
                &[
                    ("28013", "Madrid"),
                    ("08007", "Barcelona"),
                    ("46002", "Valencia"),
                    ("41004", "Sevilla"),
                    ("50001", "Zaragoza"),
                    ("29005", "Málaga"),
                    ("48001", "Bilbao"),
                    ("15003", "A Coruña"),
                    ("10003", "Cáceres"),
                    ("24003", "León"),
                    ("26001", "Logroño"),
                ],
            );
            let n = rng.random_range(1..180);
            let extra = if rng.random_bool(0.4) {
                format!(
                    ", {}º {}",
                    rng.random_range(1..8),
                    pick_s(rng, &["A", "B", "C", "Izda.", "Dcha."])
                )
            } else {
                String::new()
            };
            vec![format!("{street} {n}{extra}"), format!("{cp} {city}")]
        }
        Locale::Co => {
            let kind = pick_s(rng, &["Carrera", "Calle", "Avenida Calle", "Transversal"]);
            let (city, dept) = *pick(
                rng,
                &[
                    ("Bogotá D.C.", "Cundinamarca"),
                    ("Medellín", "Antioquia"),
                    ("Cali", "Valle del Cauca"),
                    ("Barranquilla", "Atlántico"),
                    ("Bucaramanga", "Santander"),
                    ("Cartagena", "Bolívar"),
                ],
            );
            vec![
                format!(
                    "{kind} {} # {}-{}",
                    rng.random_range(1..120),
                    rng.random_range(1..99),
                    rng.random_range(1..99)
                ),
                format!("{city}, {dept}"),
            ]
        }
        Locale::Mx => {
            let street = pick_s(
                rng,
                &[
                    "Av. Insurgentes Sur",
                    "Calle Morelos",
                    "Av. Juárez",
                    "Blvd. Manuel Ávila Camacho",
                    "Calle Hidalgo",
                    "Av. Revolución",
                ],
            );
            let col = pick_s(
                rng,
                &[
                    "Col. Centro",
                    "Col. Del Valle",
                    "Col. Roma Norte",
                    "Col. Americana",
                    "Col. Obispado",
                ],
            );
            let (cp, city) = *pick(
                rng,
                &[
                    ("03100", "Ciudad de México, CDMX"),
                    ("44160", "Guadalajara, Jal."),
                    ("64060", "Monterrey, N.L."),
                    ("72000", "Puebla, Pue."),
                    ("76000", "Querétaro, Qro."),
                    ("97000", "Mérida, Yuc."),
                ],
            );
            vec![
                format!("{street} {}, {col}", rng.random_range(1..2500)),
                format!("C.P. {cp}, {city}"),
            ]
        }
        Locale::Us => {
            let street = pick_s(
                rng,
                &[
                    "Market Street",
                    "Elm Avenue",
                    "Main Street",
                    "Industrial Parkway",
                    "Oak Boulevard",
                    "Commerce Drive",
                ],
            );
            let city = pick_s(
                rng,
                &[
                    "Austin, TX 78701",
                    "Portland, OR 97204",
                    "Columbus, OH 43215",
                    "Denver, CO 80202",
                    "Raleigh, NC 27601",
                    "Madison, WI 53703",
                ],
            );
            let suite = if rng.random_bool(0.4) {
                format!(", Suite {}", rng.random_range(100..900))
            } else {
                String::new()
            };
            vec![
                format!("{} {street}{suite}", rng.random_range(10..9900)),
                city,
            ]
        }
        Locale::Uk => {
            let street = pick_s(
                rng,
                &[
                    "King Street",
                    "Station Road",
                    "High Street",
                    "Church Lane",
                    "Victoria Road",
                    "Riverside Business Park",
                ],
            );
            let city = pick_s(
                rng,
                &[
                    "Leeds LS1 4AP",
                    "Bristol BS1 5TR",
                    "Manchester M1 2AB",
                    "Edinburgh EH1 1YZ",
                    "Cardiff CF10 1EP",
                    "Nottingham NG1 5FS",
                ],
            );
            vec![format!("{} {street}", rng.random_range(1..220)), city]
        }
    }
}

fn domain_of(name: &str) -> String {
    let folded = fold_accents(name).to_lowercase();
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| {
            w.len() > 2
                && ![
                    "del", "las", "los", "and", "sons", "ltd", "llc", "inc", "sas", "ltda",
                ]
                .contains(w)
        })
        .take(2)
        .collect();
    if words.is_empty() {
        "empresa".to_string()
    } else {
        words.join("")
    }
}

fn contact(rng: &mut Rng8, locale: Locale, name: &str) -> (String, String) {
    let domain = domain_of(name);
    match locale {
        Locale::Es => (
            format!(
                "Tel. {} {} {} {}",
                pick_s(rng, &["91", "93", "96", "95", "94"]),
                digits(rng, 3),
                digits(rng, 2),
                digits(rng, 2)
            ),
            format!("facturacion@{domain}.es"),
        ),
        Locale::Co => (
            format!("Tel. (601) {} {}", digits(rng, 3), digits(rng, 4)),
            format!("contabilidad@{domain}.com.co"),
        ),
        Locale::Mx => (
            format!("Tel. 55 {} {}", digits(rng, 4), digits(rng, 4)),
            format!("facturas@{domain}.com.mx"),
        ),
        Locale::Us => (
            format!("({}) 555-{}", rng.random_range(201..989), digits(rng, 4)),
            format!("billing@{domain}.com"),
        ),
        Locale::Uk => (
            format!(
                "Tel: 0{} {} {}",
                rng.random_range(113..199),
                digits(rng, 3),
                digits(rng, 4)
            ),
            format!("accounts@{domain}.co.uk"),
        ),
    }
}

fn party(rng: &mut Rng8, locale: Locale, supplier: bool, corrupt_tax: bool) -> Party {
    let person = locale == Locale::Es && rng.random_bool(if supplier { 0.15 } else { 0.1 })
        || locale == Locale::Mx && !supplier && rng.random_bool(0.2);
    let name = if person {
        person_name(rng, locale)
    } else {
        company_name(rng, locale)
    };
    let address = address(rng, locale);
    let contact = (supplier && rng.random_bool(0.7)).then(|| contact(rng, locale, &name));
    let print_tax = supplier
        || match locale {
            Locale::Es | Locale::Co | Locale::Mx => true,
            Locale::Uk => rng.random_bool(0.5),
            Locale::Us => false,
        };
    let (tax_label, tax_printed) = if print_tax {
        let (l, p) = tax_id(rng, locale, &name, person, corrupt_tax);
        (l, Some(p))
    } else {
        (String::new(), None)
    };
    Party {
        name,
        address,
        contact,
        tax_label,
        tax_printed,
    }
}

// ---------------------------------------------------------------------------------------------
// Items

#[derive(Clone, Copy)]
enum Qty {
    Units,
    Hours,
    One,
    Few,
}

struct Item {
    es: &'static str,
    en: &'static str,
    lo: u32,
    hi: u32,
    qty: Qty,
}

const ITEMS: &[Item] = &[
    Item {
        es: "Servicios de consultoría",
        en: "Consulting services",
        lo: 400,
        hi: 2500,
        qty: Qty::One,
    },
    Item {
        es: "Horas de desarrollo de software",
        en: "Software development hours",
        lo: 35,
        hi: 95,
        qty: Qty::Hours,
    },
    Item {
        es: "Mantenimiento mensual",
        en: "Monthly maintenance",
        lo: 90,
        hi: 600,
        qty: Qty::One,
    },
    Item {
        es: "Licencia anual de software",
        en: "Annual software licence",
        lo: 120,
        hi: 1500,
        qty: Qty::Few,
    },
    Item {
        es: "Material de oficina",
        en: "Office supplies",
        lo: 5,
        hi: 60,
        qty: Qty::Units,
    },
    Item {
        es: "Tóner impresora HP 305A",
        en: "Printer toner cartridge HP 305A",
        lo: 30,
        hi: 95,
        qty: Qty::Few,
    },
    Item {
        es: "Papel A4 80 g (caja 5 paquetes)",
        en: "Copier paper, box of 5 reams",
        lo: 18,
        hi: 35,
        qty: Qty::Units,
    },
    Item {
        es: "Transporte y entrega",
        en: "Delivery and handling",
        lo: 10,
        hi: 120,
        qty: Qty::One,
    },
    Item {
        es: "Reparación de maquinaria",
        en: "Machinery repair",
        lo: 150,
        hi: 900,
        qty: Qty::One,
    },
    Item {
        es: "Instalación eléctrica",
        en: "Electrical installation",
        lo: 200,
        hi: 1800,
        qty: Qty::One,
    },
    Item {
        es: "Diseño gráfico de folleto",
        en: "Brochure graphic design",
        lo: 150,
        hi: 900,
        qty: Qty::One,
    },
    Item {
        es: "Alquiler de equipo audiovisual",
        en: "AV equipment rental",
        lo: 80,
        hi: 400,
        qty: Qty::Few,
    },
    Item {
        es: "Formación presencial (jornada)",
        en: "On-site training (day)",
        lo: 350,
        hi: 1200,
        qty: Qty::Few,
    },
    Item {
        es: "Asesoría fiscal trimestral",
        en: "Quarterly tax advisory",
        lo: 150,
        hi: 600,
        qty: Qty::One,
    },
    Item {
        es: "Limpieza de oficinas (mes)",
        en: "Office cleaning (month)",
        lo: 200,
        hi: 900,
        qty: Qty::One,
    },
    Item {
        es: "Cable UTP Cat6 (rollo 305 m)",
        en: "Cat6 network cable (305 m reel)",
        lo: 90,
        hi: 180,
        qty: Qty::Few,
    },
    Item {
        es: "Silla ergonómica",
        en: "Ergonomic office chair",
        lo: 120,
        hi: 450,
        qty: Qty::Units,
    },
    Item {
        es: "Café en grano 1 kg",
        en: "Coffee beans 1 kg",
        lo: 12,
        hi: 30,
        qty: Qty::Units,
    },
    Item {
        es: "Auditoría de cuentas anuales",
        en: "Annual financial audit",
        lo: 1500,
        hi: 6000,
        qty: Qty::One,
    },
    Item {
        es: "Hosting y dominio (anual)",
        en: "Web hosting and domain (annual)",
        lo: 60,
        hi: 300,
        qty: Qty::One,
    },
    Item {
        es: "Piezas de recambio",
        en: "Spare parts",
        lo: 8,
        hi: 150,
        qty: Qty::Units,
    },
    Item {
        es: "Revisión de extintores",
        en: "Fire extinguisher inspection",
        lo: 15,
        hi: 45,
        qty: Qty::Units,
    },
];

fn line_items(rng: &mut Rng8, locale: Locale, credit_note: bool) -> Vec<LineItem> {
    let n = *pick(rng, &[1usize, 1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 7, 8]);
    let mut chosen: Vec<&Item> = ITEMS.choose_multiple(rng, n).collect();
    chosen.truncate(n);
    chosen
        .into_iter()
        .map(|item| {
            let whole = rng.random_range(item.lo..=item.hi);
            let cents = match item.qty {
                Qty::One | Qty::Hours => *pick(rng, &[0u32, 0, 50]),
                _ => rng.random_range(0..100),
            };
            let base = Decimal::new(i64::from(whole * 100 + cents), 2);
            let unit_price = match locale {
                Locale::Es | Locale::Us => base,
                Locale::Uk => round2(base * Decimal::new(85, 2)),
                Locale::Mx => round2(base * Decimal::from(18)),
                Locale::Co => (base * Decimal::from(40)).round() * Decimal::from(100),
            };
            let mut qty = match item.qty {
                Qty::Units => Decimal::from(rng.random_range(1..=24)),
                Qty::Hours => {
                    if rng.random_bool(0.6) {
                        Decimal::from(rng.random_range(1..=60))
                    } else {
                        Decimal::new(rng.random_range(2..=120) * 5, 1)
                    }
                }
                Qty::One => Decimal::ONE,
                Qty::Few => Decimal::from(rng.random_range(1..=4)),
            };
            if credit_note {
                qty = -qty;
            }
            let description = if locale.spanish() {
                item.es.to_string()
            } else if locale == Locale::Us {
                item.en.replace("licence", "license")
            } else {
                item.en.to_string()
            };
            let amount = round2(qty * unit_price);
            LineItem {
                description,
                qty: qty.normalize(),
                unit_price,
                amount,
            }
        })
        .collect()
}

fn invoice_number(rng: &mut Rng8, locale: Locale, credit_note: bool, year: i32) -> String {
    let seq = rng.random_range(1..9999u32);
    let yy = year % 100;
    if credit_note {
        return match locale {
            Locale::Es => match rng.random_range(0..3) {
                0 => format!("R{year}-{seq:04}"),
                1 => format!("FR-{seq:05}"),
                _ => format!("RECT-{year}-{:03}", seq % 1000),
            },
            Locale::Co => format!("NC-{seq}"),
            Locale::Mx => format!("NC-{seq:05}"),
            Locale::Us => format!("CM-{seq:04}"),
            Locale::Uk => format!("CN-{seq:05}"),
        };
    }
    match locale {
        Locale::Es => match rng.random_range(0..5) {
            0 => format!("F{year}-{seq:04}"),
            1 => format!("A/{year}/{seq:04}"),
            2 => format!("FAC-{seq:06}"),
            3 => format!("F{yy:02}{seq:04}"),
            _ => format!("{year}/{seq:05}"),
        },
        Locale::Co => match rng.random_range(0..3) {
            0 => format!("FE-{seq}"),
            1 => format!("FEV{}", 1000 + seq),
            _ => format!("SETP99{seq:05}"),
        },
        Locale::Mx => match rng.random_range(0..3) {
            0 => format!("A-{seq}"),
            1 => format!("F-{seq:05}"),
            _ => format!("FAC{year}{seq:04}"),
        },
        Locale::Us => match rng.random_range(0..3) {
            0 => format!("INV-{seq:05}"),
            1 => format!("{year}-{seq:04}"),
            _ => format!("10{seq:04}"),
        },
        Locale::Uk => match rng.random_range(0..3) {
            0 => format!("INV{seq:06}"),
            1 => format!("SI-{seq:05}"),
            _ => format!("INV-{yy:02}-{seq:04}"),
        },
    }
}

fn random_date(rng: &mut Rng8, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(1) as u64;
    from + Days::new(rng.random_range(0..span))
}

/// Decides the invoice's content; `defect` (if any) must be applicable (see the caller).
pub(crate) fn build_invoice(rng: &mut Rng8, want_defect: bool) -> Invoice {
    let locale = *pick(
        rng,
        &[
            Locale::Es,
            Locale::Es,
            Locale::Es,
            Locale::Es,
            Locale::Co,
            Locale::Co,
            Locale::Mx,
            Locale::Mx,
            Locale::Us,
            Locale::Us,
            Locale::Uk,
            Locale::Uk,
        ],
    );
    let credit_note = rng.random_bool(0.12);
    let issue = random_date(
        rng,
        NaiveDate::from_ymd_opt(2025, 1, 2).expect("valid date"),
        NaiveDate::from_ymd_opt(2026, 10, 28).expect("valid date"),
    );
    let has_due = !credit_note && rng.random_bool(0.85);
    let (iban, bank_lines) = bank_account(rng, locale);
    let has_iban = iban.is_some();

    // Choose the defect first: it decides what must be printed.
    let mut defects = Vec::new();
    if want_defect {
        let mut options = vec![PlantedDefect::WrongTotal];
        if has_iban {
            options.push(PlantedDefect::BadIban);
        }
        if tax_id_checkable(locale) {
            options.push(PlantedDefect::BadSupplierTaxId);
        }
        if !credit_note {
            options.push(PlantedDefect::DueBeforeIssue);
        }
        defects.push(*pick(rng, &options));
    }
    let has = |d: PlantedDefect| defects.contains(&d);

    let supplier = party(rng, locale, true, has(PlantedDefect::BadSupplierTaxId));
    let mut customer = party(rng, locale, false, false);
    while customer.name == supplier.name {
        customer = party(rng, locale, false, false);
    }
    let lines = line_items(rng, locale, credit_note);
    let tax_rate = match locale {
        Locale::Es => *pick(
            rng,
            &[
                Decimal::from(21),
                Decimal::from(21),
                Decimal::from(21),
                Decimal::from(21),
                Decimal::from(10),
                Decimal::from(4),
            ],
        ),
        Locale::Co => Decimal::from(19),
        Locale::Mx => Decimal::from(16),
        Locale::Uk => Decimal::from(20),
        Locale::Us => *pick(
            rng,
            &[
                Decimal::new(6, 0),
                Decimal::new(625, 2),
                Decimal::new(7, 0),
                Decimal::new(725, 2),
                Decimal::new(825, 2),
                Decimal::new(8875, 3),
                Decimal::new(1025, 2),
                Decimal::new(45, 1),
                Decimal::new(105, 1),
            ],
        ),
    };
    let subtotal: Decimal = lines.iter().map(|l| l.amount).sum();
    let tax = round2(subtotal * tax_rate / Decimal::ONE_HUNDRED);
    let mut total = subtotal + tax;
    if has(PlantedDefect::WrongTotal) {
        let delta = match rng.random_range(0..3) {
            0 => Decimal::new(rng.random_range(1..=99), 2),
            1 => Decimal::from(rng.random_range(1..=9) * 10),
            _ => round2(tax * Decimal::new(rng.random_range(5..=50), 2)).max(Decimal::ONE),
        };
        total = if rng.random_bool(0.5) {
            total + delta
        } else {
            total - delta
        };
    }

    let due = if has(PlantedDefect::DueBeforeIssue) {
        Some(issue - Days::new(rng.random_range(1..=45)))
    } else if has_due {
        Some(issue + Days::new(*pick(rng, &[15u64, 30, 30, 30, 45, 60, 90])))
    } else {
        None
    };
    let iban = match iban {
        Some(i) if has(PlantedDefect::BadIban) => Some(corrupt_iban(rng, &i)),
        other => other,
    };
    let po = rng.random_bool(0.35).then(|| match rng.random_range(0..4) {
        0 => format!("PO-{:05}", rng.random_range(1..99999)),
        1 => format!("4500{}", digits(rng, 6)),
        2 if locale.spanish() => {
            format!("OC-{}-{:03}", issue.format("%Y"), rng.random_range(1..999))
        }
        _ => format!(
            "{}{}",
            if locale.spanish() { "PED-" } else { "P" },
            digits(rng, 5)
        ),
    });
    let year: i32 = issue.format("%Y").to_string().parse().unwrap_or(2026);
    let number = invoice_number(rng, locale, credit_note, year);
    let reference = credit_note.then(|| {
        (
            invoice_number(rng, locale, false, year),
            issue - Days::new(rng.random_range(5..=90)),
        )
    });
    let extras = extras(rng, locale);
    let footer = footer(rng, locale, &supplier);
    let date_style = rng.random_range(0..DATE_STYLES);
    let money_style = if rng.random_bool(0.8) {
        MoneyStyle::Symbol
    } else {
        MoneyStyle::Code
    };
    Invoice {
        locale,
        credit_note,
        number,
        issue,
        due,
        supplier,
        customer,
        lines,
        subtotal,
        tax_rate,
        tax,
        total,
        iban,
        iban_grouped: rng.random_bool(0.7),
        bank_lines,
        po,
        reference,
        extras,
        footer,
        date_style,
        money_style,
        defects,
    }
}

fn hex(rng: &mut Rng8, n: usize) -> String {
    (0..n)
        .map(|_| {
            char::from_digit(rng.random_range(0..16), 16)
                .unwrap_or('0')
                .to_ascii_uppercase()
        })
        .collect()
}

fn extras(rng: &mut Rng8, locale: Locale) -> Vec<(String, String)> {
    match locale {
        Locale::Mx => vec![
            (
                "Uso CFDI".into(),
                pick_s(
                    rng,
                    &[
                        "G03 - Gastos en general",
                        "G01 - Adquisición de mercancías",
                        "I04 - Equipo de cómputo",
                    ],
                ),
            ),
            (
                "Método de pago".into(),
                pick_s(
                    rng,
                    &[
                        "PUE - Pago en una sola exhibición",
                        "PPD - Pago en parcialidades o diferido",
                    ],
                ),
            ),
            (
                "Forma de pago".into(),
                pick_s(
                    rng,
                    &[
                        "03 - Transferencia electrónica",
                        "99 - Por definir",
                        "04 - Tarjeta de crédito",
                    ],
                ),
            ),
            (
                "Folio fiscal".into(),
                format!(
                    "{}-{}-{}-{}-{}",
                    hex(rng, 8),
                    hex(rng, 4),
                    hex(rng, 4),
                    hex(rng, 4),
                    hex(rng, 12)
                ),
            ),
        ],
        Locale::Co => vec![
            (
                "Forma de pago".into(),
                pick_s(rng, &["Crédito 30 días", "Contado", "Crédito 60 días"]),
            ),
            (
                "Medio de pago".into(),
                pick_s(rng, &["Transferencia bancaria", "Consignación", "Cheque"]),
            ),
        ],
        Locale::Us if rng.random_bool(0.5) => vec![(
            "Terms".into(),
            pick_s(rng, &["Net 30", "Net 15", "Due on receipt", "Net 45"]),
        )],
        _ => vec![],
    }
}

fn footer(rng: &mut Rng8, locale: Locale, supplier: &Party) -> Vec<String> {
    match locale {
        Locale::Es if supplier.name.contains("S.") => vec![format!(
            "Inscrita en el Registro Mercantil de {}, Tomo {}, Folio {}, Hoja M-{}",
            pick_s(
                rng,
                &["Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao"]
            ),
            rng.random_range(1000..40000),
            rng.random_range(1..220),
            rng.random_range(10000..700000)
        )],
        Locale::Es => vec!["Gracias por su confianza.".into()],
        Locale::Co => vec![
            format!(
                "Resolución DIAN No. 18764{} de {}. Numeración autorizada del 1 al 5000.",
                digits(rng, 9),
                rng.random_range(2023..2026)
            ),
            format!("CUFE: {}", hex(rng, 64).to_lowercase()),
        ],
        Locale::Mx => vec!["Este documento es una representación impresa de un CFDI.".into()],
        Locale::Us => vec![pick_s(
            rng,
            &[
                "Thank you for your business!",
                "Please include the invoice number with your payment.",
                "Late payments are subject to a 1.5% monthly finance charge.",
            ],
        )],
        Locale::Uk => vec![format!(
            "Registered in England and Wales No. {:08}. Registered office as above.",
            rng.random_range(1_000_000..14_000_000)
        )],
    }
}

// ---------------------------------------------------------------------------------------------
// Ground truth

impl Invoice {
    fn money(&self, d: Decimal) -> String {
        fmt_money(d, self.locale, self.money_style)
    }

    fn bare(&self, d: Decimal) -> String {
        fmt_number(d, 2, self.locale)
    }

    fn date(&self, d: NaiveDate) -> String {
        fmt_date(d, self.locale, self.date_style)
    }

    fn printed_iban(&self) -> Option<String> {
        self.iban.as_ref().map(|i| {
            if self.iban_grouped {
                group4(i)
            } else {
                i.clone()
            }
        })
    }

    /// Ground-truth fields in the extraction contract's normal form.
    pub fn fields(&self) -> BTreeMap<String, String> {
        let mut f = BTreeMap::new();
        let mut put = |k: &str, v: String| {
            f.insert(k.to_string(), v);
        };
        put("invoice_number", self.number.clone());
        put("issue_date", self.issue.format("%Y-%m-%d").to_string());
        if let Some(d) = self.due {
            put("due_date", d.format("%Y-%m-%d").to_string());
        }
        put("supplier_name", self.supplier.name.clone());
        put("customer_name", self.customer.name.clone());
        if let Some(t) = &self.supplier.tax_printed {
            put("supplier_tax_id", alnum_upper(t));
        }
        if let Some(t) = &self.customer.tax_printed {
            put("customer_tax_id", alnum_upper(t));
        }
        put("currency", self.locale.currency().to_string());
        put(
            "invoice_type",
            if self.credit_note {
                "credit_note"
            } else {
                "invoice"
            }
            .to_string(),
        );
        put("subtotal", plain2(self.subtotal));
        put("tax_amount", plain2(self.tax));
        put("total", plain2(self.total));
        put("tax_rate", plain(self.tax_rate));
        if let Some(i) = &self.iban {
            put("iban", i.clone());
        }
        if let Some(p) = &self.po {
            put("po_number", p.clone());
        }
        f
    }

    /// Ground-truth line items.
    pub fn line_truth(&self) -> Vec<BTreeMap<String, String>> {
        self.lines
            .iter()
            .map(|l| {
                BTreeMap::from([
                    ("description".to_string(), l.description.clone()),
                    ("quantity".to_string(), plain(l.qty)),
                    ("unit_price".to_string(), plain2(l.unit_price)),
                    ("amount".to_string(), plain2(l.amount)),
                ])
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Labels

/// The wording of every label on one invoice.
struct Labels {
    title: String,
    number: String,
    date: String,
    due: String,
    po: String,
    bill_to: String,
    from: String,
    desc: String,
    qty: String,
    price: String,
    amount: String,
    subtotal: String,
    tax: String,
    total: String,
    payment: String,
    iban: String,
    currency: Option<String>,
    reference: String,
}

fn labels(rng: &mut Rng8, inv: &Invoice) -> Labels {
    let l = inv.locale;
    let es = l.spanish();
    let rate = fmt_qty(inv.tax_rate, l);
    let cn = inv.credit_note;
    let title = match (l, cn) {
        (Locale::Es, false) => pick_s(rng, &["FACTURA", "Factura", "FACTURA"]),
        (Locale::Es, true) => pick_s(rng, &["FACTURA RECTIFICATIVA", "Factura rectificativa"]),
        (Locale::Co, false) => pick_s(rng, &["FACTURA ELECTRÓNICA DE VENTA", "FACTURA DE VENTA"]),
        (Locale::Co, true) => "NOTA CRÉDITO".into(),
        (Locale::Mx, false) => pick_s(rng, &["FACTURA", "Factura"]),
        (Locale::Mx, true) => "NOTA DE CRÉDITO".into(),
        (Locale::Us, false) => pick_s(rng, &["INVOICE", "Invoice"]),
        (Locale::Us, true) => pick_s(rng, &["CREDIT MEMO", "Credit Memo"]),
        (Locale::Uk, false) => pick_s(rng, &["INVOICE", "VAT INVOICE", "Tax Invoice"]),
        (Locale::Uk, true) => pick_s(rng, &["CREDIT NOTE", "Credit Note"]),
    };
    let number = match (l, cn) {
        (Locale::Es, false) => pick_s(
            rng,
            &[
                "Factura nº",
                "Nº de factura",
                "Número de factura",
                "Nº Factura",
            ],
        ),
        (Locale::Es, true) => pick_s(
            rng,
            &[
                "Nº de factura rectificativa",
                "Factura rectificativa nº",
                "Número",
            ],
        ),
        (Locale::Co, false) => pick_s(
            rng,
            &[
                "Factura No.",
                "Número de factura",
                "Factura electrónica No.",
            ],
        ),
        (Locale::Co, true) => pick_s(rng, &["Nota crédito No.", "Número"]),
        (Locale::Mx, false) => pick_s(rng, &["Folio", "Número de factura", "Factura nº"]),
        (Locale::Mx, true) => pick_s(rng, &["Folio", "Nota de crédito nº"]),
        (_, false) => pick_s(
            rng,
            &["Invoice No.", "Invoice #", "Invoice number", "Invoice no"],
        ),
        (_, true) => pick_s(
            rng,
            &["Credit note No.", "Credit note number", "Credit memo #"],
        ),
    };
    let date = if es {
        pick_s(
            rng,
            &[
                "Fecha",
                "Fecha de emisión",
                "Fecha factura",
                "Fecha de expedición",
            ],
        )
    } else {
        pick_s(
            rng,
            &["Date", "Invoice date", "Issue date", "Date of issue"],
        )
    };
    let due = if es {
        pick_s(
            rng,
            &["Vencimiento", "Fecha de vencimiento", "Fecha vencimiento"],
        )
    } else {
        pick_s(rng, &["Due date", "Payment due", "Due"])
    };
    let po = if es {
        pick_s(
            rng,
            &["Pedido nº", "Su pedido", "Nº pedido", "Orden de compra"],
        )
    } else {
        pick_s(rng, &["PO number", "P.O. #", "Purchase order", "Your ref."])
    };
    let bill_to = match l {
        Locale::Es => pick_s(
            rng,
            &["Cliente", "Facturar a", "Datos del cliente", "Destinatario"],
        ),
        Locale::Co => pick_s(rng, &["Cliente", "Adquiriente", "Señores"]),
        Locale::Mx => pick_s(rng, &["Receptor", "Cliente"]),
        _ => pick_s(
            rng,
            &["Bill to", "Invoice to", "Customer", "Billed to", "Sold to"],
        ),
    };
    let from = match l {
        Locale::Es => pick_s(rng, &["Emisor", "Proveedor", "Datos del emisor"]),
        Locale::Co => pick_s(rng, &["Emisor", "Vendedor"]),
        Locale::Mx => "Emisor".into(),
        _ => pick_s(rng, &["From", "Supplier", "Seller"]),
    };
    let (desc, qty, price, amount) = if es {
        (
            pick_s(rng, &["Descripción", "Concepto", "Artículo"]),
            pick_s(rng, &["Cant.", "Cantidad", "Uds."]),
            pick_s(
                rng,
                &["Precio", "Precio unit.", "P. unitario", "Valor unitario"],
            ),
            pick_s(rng, &["Importe", "Importe", "Total", "Valor"]),
        )
    } else {
        (
            pick_s(rng, &["Description", "Item", "Details"]),
            pick_s(rng, &["Qty", "Quantity", "Units"]),
            pick_s(rng, &["Unit price", "Rate", "Price"]),
            pick_s(rng, &["Amount", "Line total", "Total"]),
        )
    };
    let subtotal = match l {
        Locale::Es => pick_s(
            rng,
            &[
                "Base imponible",
                "Subtotal",
                "Importe neto",
                "Base imponible",
            ],
        ),
        Locale::Co => pick_s(rng, &["Subtotal", "Valor bruto", "Base gravable"]),
        Locale::Mx => pick_s(rng, &["Subtotal", "Importe"]),
        Locale::Uk => pick_s(
            rng,
            &["Subtotal", "Net amount", "Net total", "Total excl. VAT"],
        ),
        Locale::Us => pick_s(rng, &["Subtotal", "Subtotal", "Net amount"]),
    };
    let tax = match l {
        Locale::Es => match rng.random_range(0..3) {
            0 => format!("IVA {rate}%"),
            1 => format!("IVA ({rate}%)"),
            _ => format!("I.V.A. {rate} %"),
        },
        Locale::Co => pick_s(rng, &["IVA 19%", "IVA (19%)"]),
        Locale::Mx => pick_s(rng, &["IVA 16%", "I.V.A. 16%", "IVA trasladado 16%"]),
        Locale::Uk => pick_s(rng, &["VAT 20%", "VAT @ 20%", "VAT (20%)"]),
        Locale::Us => match rng.random_range(0..3) {
            0 => format!("Sales tax ({rate}%)"),
            1 => format!("Sales tax {rate}%"),
            _ => format!("Tax ({rate}%)"),
        },
    };
    let total = match (l, cn) {
        (Locale::Es, _) => pick_s(
            rng,
            &[
                "Total",
                "Total factura",
                "Total a pagar",
                "TOTAL",
                "Importe total",
            ],
        ),
        (Locale::Co, _) => pick_s(rng, &["Total", "Total a pagar", "Valor total"]),
        (Locale::Mx, _) => pick_s(rng, &["Total", "Total a pagar"]),
        (Locale::Uk, false) => pick_s(
            rng,
            &[
                "Total",
                "Amount due",
                "Total due",
                "Total incl. VAT",
                "TOTAL",
            ],
        ),
        (Locale::Us, false) => pick_s(
            rng,
            &["Total", "Amount due", "Total due", "Balance due", "TOTAL"],
        ),
        (_, true) => pick_s(rng, &["Total credit", "Total", "Amount credited"]),
    };
    let payment = if l != Locale::Es && es {
        // Colombian and Mexican invoices state "Forma de pago" among their fiscal details.
        pick_s(
            rng,
            &["Datos bancarios", "Pago por transferencia a la cuenta:"],
        )
    } else if es {
        pick_s(
            rng,
            &[
                "Forma de pago: transferencia bancaria",
                "Forma de pago: Transferencia",
                "Datos bancarios",
                "Pago por transferencia a la cuenta:",
            ],
        )
    } else {
        pick_s(
            rng,
            &[
                "Payment by bank transfer to:",
                "Bank details",
                "Remittance details",
                "Please pay to:",
            ],
        )
    };
    let iban = if es {
        pick_s(rng, &["IBAN:", "IBAN", "Cuenta (IBAN):", "Nº de cuenta:"])
    } else {
        pick_s(rng, &["IBAN:", "IBAN"])
    };
    let currency = match l {
        Locale::Co => Some(pick_s(
            rng,
            &["Moneda: COP", "Moneda: Pesos colombianos (COP)"],
        )),
        Locale::Mx => Some(pick_s(rng, &["Moneda: MXN", "Moneda: MXN - Peso mexicano"])),
        Locale::Us if rng.random_bool(0.3) => Some("All amounts in USD".into()),
        Locale::Es if inv.money_style == MoneyStyle::Symbol && rng.random_bool(0.2) => {
            Some("Moneda: EUR".into())
        }
        Locale::Uk if rng.random_bool(0.2) => Some("Currency: GBP".into()),
        _ => None,
    };
    let reference = match l {
        Locale::Es => pick_s(rng, &["Rectifica a la factura", "Factura rectificada:"]),
        Locale::Co | Locale::Mx => pick_s(rng, &["Factura relacionada:", "Referencia factura:"]),
        _ => pick_s(rng, &["Credit against invoice", "Original invoice:"]),
    };
    Labels {
        title,
        number,
        date,
        due,
        po,
        bill_to,
        from,
        desc,
        qty,
        price,
        amount,
        subtotal,
        tax,
        total,
        payment,
        iban,
        currency,
        reference,
    }
}

// ---------------------------------------------------------------------------------------------
// Layouts

/// The page designs invoices are drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// Supplier top-left, title and label/value pairs top-right, shaded table, boxed totals.
    Classic,
    /// Meta fields as a band of "label above value" cells; totals as right-aligned lines.
    Stacked,
    /// Supplier and customer side by side under headings, gridded table, boxed totals.
    TwoColumn,
    /// Centred letterhead, "Label: value" runs on one line, light table.
    Inline,
    /// An ERP printout in Courier with fixed columns.
    Monospace,
}

const LAYOUTS: [Layout; 5] = [
    Layout::Classic,
    Layout::Stacked,
    Layout::TwoColumn,
    Layout::Inline,
    Layout::Monospace,
];

/// Printed strings shared by all layouts.
struct Content {
    l: Labels,
    number: String,
    issue: String,
    due: Option<String>,
    po: Option<String>,
    reference: Option<String>,
    supplier: Vec<String>,
    supplier_tax: Option<String>,
    customer: Vec<String>,
    customer_tax: Option<String>,
    rows: Vec<[String; 4]>,
    subtotal: String,
    tax: String,
    total: String,
    payment: Vec<String>,
    extras: Vec<String>,
    footer: Vec<String>,
}

fn content(rng: &mut Rng8, inv: &Invoice) -> Content {
    let l = labels(rng, inv);
    let tax_line = |p: &Party| {
        p.tax_printed
            .as_ref()
            .map(|t| format!("{}: {t}", p.tax_label))
    };
    let mut supplier = inv.supplier.address.clone();
    if let Some((phone, email)) = &inv.supplier.contact {
        supplier.push(phone.clone());
        supplier.push(email.clone());
    }
    let rows = inv
        .lines
        .iter()
        .map(|li| {
            [
                li.description.clone(),
                fmt_qty(li.qty, inv.locale),
                inv.bare(li.unit_price),
                inv.bare(li.amount),
            ]
        })
        .collect();
    let mut payment = Vec::new();
    if inv.iban.is_some() || !inv.bank_lines.is_empty() {
        payment.push(l.payment.clone());
    }
    if let Some(i) = inv.printed_iban() {
        payment.push(format!("{} {i}", l.iban));
    }
    payment.extend(inv.bank_lines.iter().cloned());
    let mut extras: Vec<String> = inv
        .extras
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    if let Some(c) = &l.currency {
        extras.push(c.clone());
    }
    let reference = inv.reference.as_ref().map(|(n, d)| {
        let date = inv.date(*d);
        if inv.locale.spanish() {
            format!("{} {n} ({date})", l.reference)
        } else {
            format!("{} {n} dated {date}", l.reference)
        }
    });
    Content {
        number: inv.number.clone(),
        issue: inv.date(inv.issue),
        due: inv.due.map(|d| inv.date(d)),
        po: inv.po.clone(),
        reference,
        supplier,
        supplier_tax: tax_line(&inv.supplier),
        customer: inv.customer.address.clone(),
        customer_tax: tax_line(&inv.customer),
        rows,
        subtotal: inv.money(inv.subtotal),
        tax: inv.money(inv.tax),
        total: inv.money(inv.total),
        payment,
        extras,
        footer: inv.footer.clone(),
        l,
    }
}

impl Content {
    /// (label, value) pairs of the header fields, in display order.
    fn meta(&self) -> Vec<(String, String)> {
        let mut m = vec![
            (self.l.number.clone(), self.number.clone()),
            (self.l.date.clone(), self.issue.clone()),
        ];
        if let Some(d) = &self.due {
            m.push((self.l.due.clone(), d.clone()));
        }
        if let Some(p) = &self.po {
            m.push((self.l.po.clone(), p.clone()));
        }
        m
    }

    fn totals(&self) -> [(String, String); 3] {
        [
            (self.l.subtotal.clone(), self.subtotal.clone()),
            (self.l.tax.clone(), self.tax.clone()),
            (self.l.total.clone(), self.total.clone()),
        ]
    }
}

/// The largest size up to `size` (not below 11 pt) at which bold `text` fits in `width`.
fn fit_size(page: &Page, text: &str, size: f32, width: f32) -> f32 {
    let mut s = size;
    while s > 11.0 && page.measure(text, s, true) > width {
        s -= 1.0;
    }
    s
}

fn colon(label: &str) -> String {
    if label.ends_with(':') || label.ends_with('#') {
        label.to_string()
    } else {
        format!("{label}:")
    }
}

#[derive(Clone, Copy, PartialEq)]
enum TableStyle {
    Shaded,
    Ruled,
    Grid,
}

/// Draws the items table with its header baseline at `y`; returns the y below it.
fn table(page: &mut Page, c: &Content, left: f32, right: f32, y: f32, style: TableStyle) -> f32 {
    let span = right - left;
    let qty_r = left + span * 0.62;
    let price_r = left + span * 0.80;
    let amount_r = right - 5.0;
    let row_h = 17.0;
    let size = 10.0;
    let header_top = y - 12.0;
    match style {
        TableStyle::Shaded => page.fill(left, header_top, span, 17.0, 0.86),
        TableStyle::Ruled => {
            page.hline(left, header_top, span, 0.8);
            page.hline(left, header_top + 17.0, span, 0.8);
        }
        TableStyle::Grid => {}
    }
    page.bold(left + 5.0, y, size, &c.l.desc);
    page.right(qty_r, y, size, &c.l.qty, true);
    page.right(price_r, y, size, &c.l.price, true);
    page.right(amount_r, y, size, &c.l.amount, true);
    let mut yy = y + 5.0 + row_h;
    let desc_max = qty_r - left - 50.0;
    for r in &c.rows {
        let ds = if page.measure(&r[0], size, false) > desc_max {
            9.0
        } else {
            size
        };
        page.text(left + 5.0, yy, ds, &r[0]);
        page.right(qty_r, yy, size, &r[1], false);
        page.right(price_r, yy, size, &r[2], false);
        page.right(amount_r, yy, size, &r[3], false);
        yy += row_h;
    }
    let bottom = yy - row_h + 6.0;
    match style {
        TableStyle::Shaded | TableStyle::Ruled => page.hline(left, bottom, span, 0.8),
        TableStyle::Grid => {
            let h = bottom - header_top;
            page.frame(left, header_top, span, h, 0.7);
            page.hline(left, header_top + 17.0, span, 0.7);
            let widest = |col: usize, header: &str| {
                c.rows
                    .iter()
                    .map(|r| page.measure(&r[col], size, false))
                    .fold(page.measure(header, size, true), f32::max)
            };
            let qty_w = widest(1, &c.l.qty);
            for x in [qty_r - qty_w - 6.0, qty_r + 6.0, price_r + 6.0] {
                page.vline(x, header_top, h, 0.5);
            }
        }
    }
    bottom
}

/// Draws subtotal/tax/total rows; returns the y below them.
fn totals(page: &mut Page, c: &Content, label_x: f32, right: f32, y: f32, boxed: bool) -> f32 {
    let mut yy = y;
    let rows = c.totals();
    let step = 18.0;
    if boxed {
        page.frame(
            label_x - 8.0,
            y - 14.0,
            right - label_x + 8.0,
            step * 3.0 + 8.0,
            0.8,
        );
    }
    for (i, (label, value)) in rows.iter().enumerate() {
        let last = i == rows.len() - 1;
        let size = if last { 11.0 } else { 10.0 };
        if last && !boxed {
            page.hline(label_x, yy - 13.0, right - label_x, 0.8);
        }
        page.styled(label_x, yy, size, label, last);
        page.right(right - if boxed { 6.0 } else { 0.0 }, yy, size, value, last);
        yy += step;
    }
    yy
}

fn lines_block(page: &mut Page, x: f32, y: f32, size: f32, lines: &[String], step: f32) -> f32 {
    let mut yy = y;
    for l in lines {
        page.text(x, yy, size, l);
        yy += step;
    }
    yy
}

fn party_block(
    page: &mut Page,
    x: f32,
    y: f32,
    name: &str,
    lines: &[String],
    tax: &Option<String>,
    name_size: f32,
) -> f32 {
    page.bold(x, y, name_size, name);
    let mut yy = lines_block(page, x, y + name_size + 3.0, 10.0, lines, 13.0);
    if let Some(t) = tax {
        page.text(x, yy, 10.0, t);
        yy += 13.0;
    }
    yy
}

fn footer_block(page: &mut Page, c: &Content, centered: bool) {
    let (w, h) = page.size;
    let mut y = h - 40.0 - 12.0 * (c.footer.len() as f32 - 1.0);
    for f in &c.footer {
        let size = if page.measure(f, 9.0, false) > w - 100.0 {
            8.0
        } else {
            9.0
        };
        if centered {
            page.center(w / 2.0, y, size, f, false);
        } else {
            page.text(50.0, y, size, f);
        }
        y += 12.0;
    }
}

fn classic(page: &mut Page, inv: &Invoice, c: &Content, rng: &mut Rng8) {
    let (w, _) = page.size;
    let (left, right) = (50.0, w - 50.0);
    party_block(
        page,
        left,
        70.0,
        &inv.supplier.name,
        &c.supplier,
        &c.supplier_tax,
        14.0,
    );
    let name_w = page.measure(&inv.supplier.name, 14.0, true);
    let title_size = fit_size(page, &c.l.title, 18.0, right - left - name_w - 24.0);
    page.right(right, 72.0, title_size, &c.l.title, true);
    let block_w = c
        .supplier
        .iter()
        .chain(c.supplier_tax.iter())
        .map(|l| page.measure(l, 10.0, false))
        .fold(0.0, f32::max);
    let label_x = (right - rng.random_range(200.0..240.0)).max(left + block_w + 16.0);
    let mut y = 100.0;
    for (label, value) in c.meta() {
        page.text(label_x, y, 10.0, &colon(&label));
        page.right(right, y, 10.0, &value, true);
        y += 15.0;
    }
    let mut y = 185.0f32.max(y + 12.0);
    page.bold(left, y, 9.0, &c.l.bill_to.to_uppercase());
    y = party_block(
        page,
        left,
        y + 15.0,
        &inv.customer.name,
        &c.customer,
        &c.customer_tax,
        11.0,
    );
    if let Some(r) = &c.reference {
        page.text(left, y + 6.0, 10.0, r);
        y += 18.0;
    }
    let y = table(page, c, left, right, y + 28.0, TableStyle::Shaded);
    let after = totals(page, c, right - 200.0, right, y + 28.0, true);
    let mut py = lines_block(page, left, y + 28.0, 10.0, &c.payment, 14.0);
    py = lines_block(page, left, py.max(after) + 10.0, 9.0, &c.extras, 12.0);
    let _ = py;
    footer_block(page, c, true);
}

fn stacked(page: &mut Page, inv: &Invoice, c: &Content, _rng: &mut Rng8) {
    let (w, _) = page.size;
    let (left, right) = (50.0, w - 50.0);
    let block_w = std::iter::once(page.measure(&inv.supplier.name, 12.0, true))
        .chain(
            c.supplier
                .iter()
                .chain(c.supplier_tax.iter())
                .map(|l| page.measure(l, 9.0, false)),
        )
        .fold(0.0, f32::max);
    let title_size = fit_size(page, &c.l.title, 22.0, right - left - block_w - 20.0);
    page.bold(left, 80.0, title_size, &c.l.title);
    page.right(right, 62.0, 12.0, &inv.supplier.name, true);
    let mut y = 78.0;
    for l in &c.supplier {
        page.right(right, y, 9.0, l, false);
        y += 12.0;
    }
    if let Some(t) = &c.supplier_tax {
        page.right(right, y, 9.0, t, false);
        y += 12.0;
    }
    let band_top = y.max(110.0) + 12.0;
    let meta = c.meta();
    page.fill(left, band_top, right - left, 44.0, 0.93);
    // Cells as wide as their content, spread over the band.
    let widths: Vec<f32> = meta
        .iter()
        .map(|(label, value)| {
            page.measure(label, 9.0, false)
                .max(page.measure(value, 11.0, true))
        })
        .collect();
    let inner = right - left - 16.0;
    let gap = if meta.len() > 1 {
        ((inner - widths.iter().sum::<f32>()) / (meta.len() - 1) as f32)
            .min(inner / 3.0 - 60.0)
            .max(8.0)
    } else {
        0.0
    };
    let mut x = left + 8.0;
    for ((label, value), w) in meta.iter().zip(&widths) {
        page.text(x, band_top + 15.0, 9.0, label);
        page.bold(x, band_top + 33.0, 11.0, value);
        x += w + gap;
    }
    let mut y = band_top + 72.0;
    page.text(left, y, 9.0, &c.l.bill_to);
    y = party_block(
        page,
        left,
        y + 15.0,
        &inv.customer.name,
        &c.customer,
        &c.customer_tax,
        11.0,
    );
    if let Some(r) = &c.reference {
        page.text(left, y + 4.0, 10.0, r);
        y += 16.0;
    }
    let y = table(page, c, left, right, y + 26.0, TableStyle::Ruled);
    let after = totals(page, c, right - 210.0, right, y + 24.0, false);
    // Bank details with the value under its label.
    let mut py = y + 24.0;
    if let Some(first) = c.payment.first() {
        page.bold(left, py, 10.0, first);
        py += 14.0;
        if let Some(i) = inv.printed_iban() {
            page.text(left, py, 9.0, c.l.iban.trim_end_matches(':'));
            page.text(left, py + 13.0, 10.0, &i);
            py += 28.0;
        }
        py = lines_block(page, left, py, 10.0, &inv.bank_lines, 13.0);
    }
    lines_block(page, left, py.max(after) + 10.0, 9.0, &c.extras, 12.0);
    footer_block(page, c, false);
}

fn two_column(page: &mut Page, inv: &Invoice, c: &Content, rng: &mut Rng8) {
    let (w, _) = page.size;
    let (left, right) = (50.0, w - 50.0);
    let mid = w / 2.0 + 10.0;
    page.center(w / 2.0, 68.0, 18.0, &c.l.title, true);
    let top = 105.0;
    page.bold(left, top, 10.0, &c.l.from.to_uppercase());
    page.hline(left, top + 4.0, mid - left - 30.0, 0.6);
    page.bold(mid, top, 10.0, &c.l.bill_to.to_uppercase());
    page.hline(mid, top + 4.0, right - mid, 0.6);
    let y1 = party_block(
        page,
        left,
        top + 22.0,
        &inv.supplier.name,
        &c.supplier,
        &c.supplier_tax,
        11.0,
    );
    let y2 = party_block(
        page,
        mid,
        top + 22.0,
        &inv.customer.name,
        &c.customer,
        &c.customer_tax,
        11.0,
    );
    let mut y = y1.max(y2) + 16.0;
    let value_x = left + rng.random_range(120.0..150.0);
    for (label, value) in c.meta() {
        page.text(left, y, 10.0, &colon(&label));
        page.bold(value_x, y, 10.0, &value);
        y += 15.0;
    }
    if let Some(r) = &c.reference {
        page.text(left, y, 10.0, r);
        y += 15.0;
    }
    let y = table(page, c, left, right, y + 22.0, TableStyle::Grid);
    let after = totals(page, c, right - 190.0, right, y + 28.0, true);
    let py = lines_block(page, left, y + 28.0, 10.0, &c.payment, 14.0);
    lines_block(page, left, py.max(after) + 10.0, 9.0, &c.extras, 12.0);
    footer_block(page, c, true);
}

fn inline(page: &mut Page, inv: &Invoice, c: &Content, _rng: &mut Rng8) {
    let (w, _) = page.size;
    let (left, right) = (50.0, w - 50.0);
    page.center(w / 2.0, 60.0, 16.0, &inv.supplier.name, true);
    let mut head = c.supplier.join(" · ");
    if page.measure(&head, 10.0, false) > right - left {
        head = inv.supplier.address.join(", ");
    }
    page.center(w / 2.0, 78.0, 10.0, &head, false);
    let mut y = 92.0;
    if let Some(t) = &c.supplier_tax {
        page.center(w / 2.0, y, 10.0, t, false);
        y += 14.0;
    }
    page.hline(left, y, right - left, 1.0);
    y += 30.0;
    page.bold(left, y, 15.0, &c.l.title);
    y += 24.0;
    // "Label: value" runs, wrapped when the line is full.
    let mut x = left;
    for (label, value) in c.meta() {
        let s = format!("{} {value}", colon(&label));
        let wd = page.measure(&s, 10.0, false);
        if x > left && x + wd > right {
            x = left;
            y += 15.0;
        }
        page.text(x, y, 10.0, &s);
        x += wd + 28.0;
    }
    if let Some(r) = &c.reference {
        y += 15.0;
        page.text(left, y, 10.0, r);
    }
    y += 30.0;
    page.text(
        left,
        y,
        10.0,
        &format!("{} {}", colon(&c.l.bill_to), inv.customer.name),
    );
    y += 14.0;
    y = lines_block(page, left, y, 10.0, &c.customer, 13.0);
    if let Some(t) = &c.customer_tax {
        page.text(left, y, 10.0, t);
        y += 13.0;
    }
    let y = table(page, c, left, right, y + 26.0, TableStyle::Ruled);
    let mut ty = y + 26.0;
    for (i, (label, value)) in c.totals().iter().enumerate() {
        let last = i == 2;
        page.right(
            right,
            ty,
            if last { 12.0 } else { 10.0 },
            &format!("{} {value}", colon(label)),
            last,
        );
        ty += 17.0;
    }
    lines_block(page, left, ty + 10.0, 10.0, &c.payment, 14.0);
    lines_block(
        page,
        left,
        ty + 14.0 + 14.0 * c.payment.len() as f32,
        9.0,
        &c.extras,
        12.0,
    );
    footer_block(page, c, true);
}

fn pad_right(s: &str, n: usize) -> String {
    let len = s.chars().count();
    if len >= n {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(n - len))
    }
}

fn pad_left(s: &str, n: usize) -> String {
    let len = s.chars().count();
    if len >= n {
        s.to_string()
    } else {
        format!("{}{s}", " ".repeat(n - len))
    }
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn monospace(page: &mut Page, inv: &Invoice, c: &Content, _rng: &mut Rng8) {
    let size = 10.0;
    let cols = 80usize;
    let left = 50.0 + ((page.size.0 - 100.0) - cols as f32 * 6.0).max(0.0) / 2.0;
    let mut lines: Vec<(String, bool)> = Vec::new();
    lines.push((inv.supplier.name.clone(), true));
    for l in &c.supplier {
        lines.push((l.clone(), false));
    }
    if let Some(t) = &c.supplier_tax {
        lines.push((t.clone(), false));
    }
    lines.push((String::new(), false));
    lines.push((c.l.title.to_uppercase(), true));
    let meta = c.meta();
    let lw = meta
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(10)
        + 1;
    for (label, value) in &meta {
        lines.push((format!("{} {value}", pad_right(&colon(label), lw)), false));
    }
    if let Some(r) = &c.reference {
        lines.push((r.clone(), false));
    }
    lines.push((String::new(), false));
    lines.push((
        format!("{}: {}", c.l.bill_to.to_uppercase(), inv.customer.name),
        false,
    ));
    for l in &c.customer {
        lines.push((
            format!("{}{l}", " ".repeat(c.l.bill_to.chars().count() + 2)),
            false,
        ));
    }
    if let Some(t) = &c.customer_tax {
        lines.push((
            format!("{}{t}", " ".repeat(c.l.bill_to.chars().count() + 2)),
            false,
        ));
    }
    lines.push((String::new(), false));
    let rule = "-".repeat(cols);
    lines.push((rule.clone(), false));
    // 38 + 1 + 9 + 1 + 15 + 1 + 15 = 80 columns, always at least one space between columns.
    let row = |a: &str, b: &str, cc: &str, d: &str| {
        format!(
            "{} {} {} {}",
            pad_right(&truncate(a, 38), 38),
            pad_left(&truncate(b, 9), 9),
            pad_left(&truncate(cc, 15), 15),
            pad_left(&truncate(d, 15), 15)
        )
    };
    lines.push((
        row(
            &c.l.desc.to_uppercase(),
            &c.l.qty.to_uppercase(),
            &c.l.price.to_uppercase(),
            &c.l.amount.to_uppercase(),
        ),
        false,
    ));
    lines.push((rule.clone(), false));
    for r in &c.rows {
        lines.push((row(&r[0], &r[1], &r[2], &r[3]), false));
    }
    lines.push((rule, false));
    for (i, (label, value)) in c.totals().iter().enumerate() {
        let s = format!("{}{}", pad_left(&colon(label), 58), pad_left(value, 22));
        lines.push((s, i == 2));
    }
    lines.push((String::new(), false));
    for p in c.payment.iter().chain(c.extras.iter()) {
        lines.push((truncate(p, cols), false));
    }
    let mut y = 60.0;
    for (text, bold) in lines {
        page.mono(left, y, size, &text, bold);
        y += 13.0;
    }
    for (i, f) in c.footer.iter().enumerate() {
        page.mono(
            left,
            page.size.1 - 40.0 - 12.0 * (c.footer.len() - 1 - i) as f32,
            8.0,
            &truncate(f, 100),
            false,
        );
    }
}

/// Lays the invoice out on a page in a randomly chosen design.
pub(crate) fn render_invoice(rng: &mut Rng8, inv: &Invoice) -> (Page, Layout) {
    let layout = *pick(rng, &LAYOUTS);
    let family = if layout != Layout::Monospace && rng.random_bool(0.25) {
        Family::Serif
    } else {
        Family::Sans
    };
    let mut page = Page::new(inv.locale.page_size(), family);
    let c = content(rng, inv);
    match layout {
        Layout::Classic => classic(&mut page, inv, &c, rng),
        Layout::Stacked => stacked(&mut page, inv, &c, rng),
        Layout::TwoColumn => two_column(&mut page, inv, &c, rng),
        Layout::Inline => inline(&mut page, inv, &c, rng),
        Layout::Monospace => monospace(&mut page, inv, &c, rng),
    }
    (page, layout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn clean_invoices_add_up() {
        for seed in 0..300u64 {
            let mut rng = Rng8::seed_from_u64(seed);
            let inv = build_invoice(&mut rng, false);
            let mut sub = Decimal::ZERO;
            for l in &inv.lines {
                assert_eq!(l.amount, round2(l.qty * l.unit_price));
                sub += l.amount;
            }
            assert_eq!(inv.subtotal, sub);
            assert_eq!(inv.tax, round2(sub * inv.tax_rate / Decimal::ONE_HUNDRED));
            assert_eq!(inv.total, inv.subtotal + inv.tax);
            if let Some(i) = &inv.iban {
                assert!(iban_valid(i), "{i}");
            }
            if let Some(d) = inv.due {
                assert!(d >= inv.issue);
            }
        }
    }

    #[test]
    fn supplier_tax_ids_are_valid_unless_corrupted() {
        for seed in 0..200u64 {
            for corrupt in [false, true] {
                let mut rng = Rng8::seed_from_u64(seed);
                for locale in [Locale::Es, Locale::Co, Locale::Mx, Locale::Uk] {
                    let person = seed % 3 == 0;
                    let (_, printed) = tax_id(
                        &mut rng,
                        locale,
                        "Grupo Azteca S.A. de C.V.",
                        person,
                        corrupt,
                    );
                    let id = alnum_upper(&printed);
                    let valid = match locale {
                        Locale::Es => {
                            let id = id.trim_start_matches("ES");
                            let first = id.chars().next().unwrap();
                            if first.is_ascii_digit() {
                                let n: u32 = id[..8].parse().unwrap();
                                id.ends_with(nif_letter(n))
                            } else {
                                id.ends_with(cif_control(first, &id[1..8]))
                            }
                        }
                        Locale::Co => {
                            let (base, dv) = id.split_at(id.len() - 1);
                            nit_check_digit(base).to_string() == dv
                        }
                        Locale::Mx => {
                            let (base, check) = id.split_at(id.len() - 1);
                            rfc_check_digit(base).to_string() == check
                        }
                        Locale::Uk => gb_vat_valid(id.trim_start_matches("GB")),
                        Locale::Us => true,
                    };
                    assert_eq!(valid, !corrupt, "{locale:?} {printed} corrupt={corrupt}");
                }
            }
        }
    }

    #[test]
    fn planted_defects_are_reflected_in_the_printed_values() {
        let mut seen = std::collections::BTreeSet::new();
        for seed in 0..200u64 {
            let mut rng = Rng8::seed_from_u64(seed);
            let inv = build_invoice(&mut rng, true);
            assert_eq!(inv.defects.len(), 1);
            let d = inv.defects[0];
            seen.insert(format!("{d:?}"));
            match d {
                PlantedDefect::WrongTotal => assert_ne!(inv.total, inv.subtotal + inv.tax),
                PlantedDefect::BadIban => assert!(!iban_valid(inv.iban.as_ref().unwrap())),
                PlantedDefect::DueBeforeIssue => assert!(inv.due.unwrap() < inv.issue),
                PlantedDefect::BadSupplierTaxId => assert!(inv.supplier.tax_printed.is_some()),
                _ => unreachable!(),
            }
            if d != PlantedDefect::WrongTotal {
                assert_eq!(inv.total, inv.subtotal + inv.tax);
            }
        }
        assert_eq!(seen.len(), 4, "{seen:?}");
    }

    #[test]
    fn every_layout_keeps_text_on_the_page() {
        for seed in 0..150u64 {
            let mut rng = Rng8::seed_from_u64(seed);
            let inv = build_invoice(&mut rng, false);
            let (page, layout) = render_invoice(&mut rng, &inv);
            for t in &page.texts {
                let w = crate::page::text_width(&t.text, t.size, page.family, t.bold, t.monospace);
                assert!(
                    t.x >= 30.0 && t.x + w <= page.size.0 - 30.0,
                    "{layout:?}: {:?} overflows horizontally",
                    t.text
                );
                assert!(
                    t.y >= 30.0 && t.y <= page.size.1 - 25.0,
                    "{layout:?}: {:?} at y={}",
                    t.text,
                    t.y
                );
                assert!(t.size >= 8.0);
            }
        }
    }

    #[test]
    fn no_layout_draws_text_over_other_text() {
        let mut problems = Vec::new();
        for seed in 0..400u64 {
            let mut rng = Rng8::seed_from_u64(seed);
            let inv = build_invoice(&mut rng, seed % 5 == 0);
            let (page, layout) = render_invoice(&mut rng, &inv);
            for c in crate::page::collisions(&page) {
                problems.push(format!("seed {seed} {layout:?}: {c}"));
            }
        }
        assert!(
            problems.is_empty(),
            "{} collisions:\n{}",
            problems.len(),
            problems[..problems.len().min(40)].join("\n")
        );
    }
}
