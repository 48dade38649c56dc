//! Synthetic identity documents: a passport data page (TD3 MRZ) or both sides of an ID card
//! (TD1 MRZ), laid out on an A4 page.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, Months, NaiveDate};
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

use crate::PlantedDefect;
use crate::checks::{icao_check_digit, nif_letter};
use crate::locale::*;
use crate::page::{A4, Family, Page};

type Rng8 = ChaCha8Rng;

/// Documents expiring before this date count as expired.
pub(crate) fn reference_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).expect("valid date")
}

fn pick<'a, T>(rng: &mut Rng8, items: &'a [T]) -> &'a T {
    items.choose(rng).expect("non-empty list")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DocType {
    Passport,
    IdCard,
}

#[derive(Debug)]
struct Country {
    code: &'static str,
    name: &'static str,
    nationality: &'static str,
    spanish: bool,
    french: bool,
    passport_title: &'static str,
    id_title: Option<(&'static str, &'static str)>,
    places: &'static [&'static str],
    authority: &'static [&'static str],
}

const COUNTRIES: &[Country] = &[
    Country {
        code: "ESP",
        name: "REINO DE ESPAÑA",
        nationality: "ESPAÑOLA",
        spanish: true,
        french: false,
        passport_title: "PASAPORTE / PASSPORT",
        id_title: Some(("DOCUMENTO NACIONAL DE IDENTIDAD", "ID")),
        places: &[
            "MADRID",
            "SEVILLA",
            "VALENCIA",
            "BARCELONA",
            "A CORUÑA",
            "MÁLAGA",
            "LEÓN",
        ],
        authority: &["DGP MADRID", "DGP SEVILLA", "DGP BARCELONA", "DGP VALENCIA"],
    },
    Country {
        code: "COL",
        name: "REPÚBLICA DE COLOMBIA",
        nationality: "COLOMBIANA",
        spanish: true,
        french: false,
        passport_title: "PASAPORTE / PASSPORT",
        id_title: Some(("CÉDULA DE CIUDADANÍA", "IC")),
        places: &[
            "BOGOTÁ D.C.",
            "MEDELLÍN",
            "CALI",
            "BARRANQUILLA",
            "BUCARAMANGA",
        ],
        authority: &["CANCILLERÍA", "REGISTRADURÍA"],
    },
    Country {
        code: "MEX",
        name: "ESTADOS UNIDOS MEXICANOS",
        nationality: "MEXICANA",
        spanish: true,
        french: false,
        passport_title: "PASAPORTE / PASSPORT",
        id_title: Some(("CREDENCIAL PARA VOTAR", "ID")),
        places: &[
            "CIUDAD DE MÉXICO",
            "GUADALAJARA, JAL.",
            "MONTERREY, N.L.",
            "PUEBLA, PUE.",
            "MÉRIDA, YUC.",
        ],
        authority: &["SRE", "SRE DELEGACIÓN JALISCO", "INE"],
    },
    Country {
        code: "GBR",
        name: "UNITED KINGDOM OF GREAT BRITAIN",
        nationality: "BRITISH CITIZEN",
        spanish: false,
        french: true,
        passport_title: "PASSPORT / PASSEPORT",
        id_title: None,
        places: &[
            "LONDON",
            "MANCHESTER",
            "BIRMINGHAM",
            "LEEDS",
            "GLASGOW",
            "CARDIFF",
        ],
        authority: &["HMPO"],
    },
    Country {
        code: "USA",
        name: "UNITED STATES OF AMERICA",
        nationality: "UNITED STATES OF AMERICA",
        spanish: false,
        french: false,
        passport_title: "PASSPORT",
        id_title: None,
        places: &[
            "TEXAS, U.S.A.",
            "NEW YORK, U.S.A.",
            "OHIO, U.S.A.",
            "CALIFORNIA, U.S.A.",
            "OREGON, U.S.A.",
        ],
        authority: &["UNITED STATES", "U.S. DEPT. OF STATE"],
    },
    Country {
        code: "UTO",
        name: "UTOPIA",
        nationality: "UTOPIAN",
        spanish: false,
        french: true,
        passport_title: "PASSPORT / PASSEPORT",
        id_title: Some(("IDENTITY CARD / CARTE D'IDENTITÉ", "I<")),
        places: &["ZENITH", "UTOPIA CITY", "NORTH MARCH"],
        authority: &["UTOPIA MFA", "MINISTRY OF INTERIOR"],
    },
];

/// An identity document as printed.
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    pub doc_type: DocType,
    country: &'static Country,
    pub number: String,
    pub surname: String,
    pub given: String,
    pub sex: char,
    pub birth: NaiveDate,
    pub issue: NaiveDate,
    pub expiry: NaiveDate,
    pub personal: Option<String>,
    pub place_of_birth: String,
    pub authority: String,
    pub mrz: Vec<String>,
    pub date_style: u8,
    pub defects: Vec<PlantedDefect>,
}

fn random_date(rng: &mut Rng8, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(1) as u64;
    from + Days::new(rng.random_range(0..span))
}

fn yymmdd(d: NaiveDate) -> String {
    d.format("%y%m%d").to_string()
}

/// Pads with the MRZ filler `<` (or truncates) to exactly `n` characters.
fn pad(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    while out.chars().count() < n {
        out.push('<');
    }
    out
}

/// The MRZ name field: accents folded, spaces and hyphens as `<`, surname `<<` given names.
pub(crate) fn mrz_name(surname: &str, given: &str, len: usize) -> String {
    pad(&format!("{}<<{}", mrz_name_part(surname), mrz_name_part(given)), len)
}

/// One name as the MRZ writes it: accents folded, uppercase, spaces and
/// hyphens as `<`.
fn mrz_name_part(name: &str) -> String {
    fold_accents(name)
        .to_uppercase()
        .chars()
        .filter_map(|c| match c {
            'A'..='Z' => Some(c),
            ' ' | '-' => Some('<'),
            _ => None,
        })
        .collect()
}

/// A name in the contract's normal form, which is the MRZ's: uppercase,
/// accents folded, single spaces.
fn contract_name(name: &str) -> String {
    mrz_name_part(name).split('<').filter(|part| !part.is_empty()).collect::<Vec<_>>().join(" ")
}

fn td3(id: &Identity) -> Vec<String> {
    let code = id.country.code;
    let l1 = format!("P<{code}{}", mrz_name(&id.surname, &id.given, 39));
    let doc = pad(&id.number, 9);
    let birth = yymmdd(id.birth);
    let expiry = yymmdd(id.expiry);
    let personal = pad(id.personal.as_deref().unwrap_or(""), 14);
    let (cd_doc, cd_birth, cd_exp, cd_pers) = (
        icao_check_digit(&doc),
        icao_check_digit(&birth),
        icao_check_digit(&expiry),
        icao_check_digit(&personal),
    );
    let composite = icao_check_digit(&format!(
        "{doc}{cd_doc}{birth}{cd_birth}{expiry}{cd_exp}{personal}{cd_pers}"
    ));
    let l2 = format!(
        "{doc}{cd_doc}{code}{birth}{cd_birth}{}{expiry}{cd_exp}{personal}{cd_pers}{composite}",
        id.sex
    );
    vec![l1, l2]
}

fn td1(id: &Identity, doc_code: &str) -> Vec<String> {
    let code = id.country.code;
    let doc = pad(&id.number, 9);
    let l1 = format!(
        "{doc_code}{code}{doc}{}{}",
        icao_check_digit(&doc),
        pad(id.personal.as_deref().unwrap_or(""), 15)
    );
    let birth = yymmdd(id.birth);
    let expiry = yymmdd(id.expiry);
    let l2_head = format!(
        "{birth}{}{}{expiry}{}{code}{}",
        icao_check_digit(&birth),
        id.sex,
        icao_check_digit(&expiry),
        pad("", 11)
    );
    let composite = icao_check_digit(&format!(
        "{}{}{}{}",
        &l1[5..30],
        &l2_head[0..7],
        &l2_head[8..15],
        &l2_head[18..29]
    ));
    let l2 = format!("{l2_head}{composite}");
    let l3 = mrz_name(&id.surname, &id.given, 30);
    vec![l1, l2, l3]
}

/// Checks every check digit of a TD1 (3×30) or TD3 (2×44) MRZ.
pub(crate) fn mrz_valid(lines: &[String]) -> bool {
    let ok = |field: &str, cd: &str| cd.starts_with(icao_check_digit(field));
    match lines {
        [l1, l2] if l1.len() == 44 && l2.len() == 44 => {
            let composite = format!("{}{}{}", &l2[0..10], &l2[13..20], &l2[21..43]);
            ok(&l2[0..9], &l2[9..10])
                && ok(&l2[13..19], &l2[19..20])
                && ok(&l2[21..27], &l2[27..28])
                && ok(&l2[28..42], &l2[42..43])
                && ok(&composite, &l2[43..44])
        }
        [l1, l2, l3] if l1.len() == 30 && l2.len() == 30 && l3.len() == 30 => {
            let composite = format!("{}{}{}{}", &l1[5..30], &l2[0..7], &l2[8..15], &l2[18..29]);
            ok(&l1[5..14], &l1[14..15])
                && ok(&l2[0..6], &l2[6..7])
                && ok(&l2[8..14], &l2[14..15])
                && ok(&composite, &l2[29..30])
        }
        _ => false,
    }
}

fn digits(rng: &mut Rng8, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

fn letters(rng: &mut Rng8, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'A' + rng.random_range(0..26u8)))
        .collect()
}

/// Builds an identity document; `want_defect` plants ExpiredIdentity or TamperedMrz.
pub(crate) fn build_identity(rng: &mut Rng8, want_defect: bool) -> Identity {
    let country: &'static Country = pick(rng, COUNTRIES);
    let doc_type = if country.id_title.is_some() && rng.random_bool(0.45) {
        DocType::IdCard
    } else {
        DocType::Passport
    };
    let defect = want_defect.then(|| {
        *pick(
            rng,
            &[PlantedDefect::ExpiredIdentity, PlantedDefect::TamperedMrz],
        )
    });
    let female = rng.random_bool(0.5);
    let (surname, given) = if country.spanish {
        let given_list = if female { ES_GIVEN_F } else { ES_GIVEN_M };
        let s1 = *pick(rng, ES_SURNAMES);
        let mut s2 = *pick(rng, ES_SURNAMES);
        while s2 == s1 {
            s2 = *pick(rng, ES_SURNAMES);
        }
        let g1 = *pick(rng, given_list);
        let given = if rng.random_bool(0.35) {
            let g2 = *pick(rng, given_list);
            if g2 == g1 {
                g1.to_string()
            } else {
                format!("{g1} {g2}")
            }
        } else {
            g1.to_string()
        };
        (format!("{s1} {s2}"), given)
    } else {
        let given_list = if female { EN_GIVEN_F } else { EN_GIVEN_M };
        let g1 = *pick(rng, given_list);
        let given = if rng.random_bool(0.5) {
            let g2 = *pick(rng, if female { EN_GIVEN_F } else { EN_GIVEN_M });
            if g2 == g1 {
                g1.to_string()
            } else {
                format!("{g1} {g2}")
            }
        } else {
            g1.to_string()
        };
        (pick(rng, EN_SURNAMES).to_string(), given)
    };
    let mut birth = random_date(
        rng,
        NaiveDate::from_ymd_opt(1950, 1, 1).expect("valid date"),
        NaiveDate::from_ymd_opt(2006, 12, 31).expect("valid date"),
    );
    if birth.month() == 2 && birth.day() == 29 {
        birth = birth - Days::new(1);
    }
    let expiry = if defect == Some(PlantedDefect::ExpiredIdentity) {
        random_date(
            rng,
            NaiveDate::from_ymd_opt(2016, 1, 1).expect("valid date"),
            reference_date() - Days::new(1),
        )
    } else {
        random_date(
            rng,
            reference_date() + Days::new(30),
            NaiveDate::from_ymd_opt(2036, 10, 1).expect("valid date"),
        )
    };
    let issue = expiry - Months::new(120) + Days::new(1);
    let (number, personal) = match (country.code, doc_type) {
        ("ESP", DocType::Passport) => {
            let n: u32 = rng.random_range(10_000_000..99_999_999);
            (
                format!("P{}{}", letters(rng, 2), digits(rng, 6)),
                Some(format!("{n}{}", nif_letter(n))),
            )
        }
        ("ESP", DocType::IdCard) => {
            let n: u32 = rng.random_range(10_000_000..99_999_999);
            (format!("{n}{}", nif_letter(n)), None)
        }
        ("COL", DocType::Passport) => (format!("A{}{}", letters(rng, 1), digits(rng, 7)), None),
        ("COL", DocType::IdCard) => (
            format!("{}{}", rng.random_range(1..10), digits(rng, 8)),
            None,
        ),
        ("MEX", DocType::Passport) => (format!("G{}", digits(rng, 8)), None),
        ("MEX", DocType::IdCard) => (digits(rng, 9), None),
        ("GBR", _) => (
            format!("{}{}", rng.random_range(1..10), digits(rng, 8)),
            None,
        ),
        ("USA", _) => (format!("A{}", digits(rng, 8)), None),
        _ => (
            format!("{}{}{}", letters(rng, 1), digits(rng, 6), letters(rng, 1)) + &digits(rng, 1),
            None,
        ),
    };
    let mut id = Identity {
        doc_type,
        country,
        number,
        surname,
        given,
        sex: if female { 'F' } else { 'M' },
        birth,
        issue,
        expiry,
        personal,
        place_of_birth: pick(rng, country.places).to_string(),
        authority: pick(rng, country.authority).to_string(),
        mrz: Vec::new(),
        date_style: rng.random_range(0..3),
        defects: defect.into_iter().collect(),
    };
    id.mrz = match doc_type {
        DocType::Passport => td3(&id),
        DocType::IdCard => td1(&id, country.id_title.map(|t| t.1).unwrap_or("I<")),
    };
    if defect == Some(PlantedDefect::TamperedMrz) {
        // Change the second digit of the birth year; the check digits are left as they were.
        let (line, at) = match doc_type {
            DocType::Passport => (1, 14),
            DocType::IdCard => (1, 1),
        };
        let mut chars: Vec<char> = id.mrz[line].chars().collect();
        let d = chars[at].to_digit(10).unwrap_or(0);
        chars[at] = char::from_digit((d + rng.random_range(1..10)) % 10, 10).unwrap_or('0');
        id.mrz[line] = chars.into_iter().collect();
    }
    id
}

const MESES: [&str; 12] = [
    "ENE", "FEB", "MAR", "ABR", "MAY", "JUN", "JUL", "AGO", "SEP", "OCT", "NOV", "DIC",
];
const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

impl Identity {
    fn date(&self, d: NaiveDate) -> String {
        let m = d.month0() as usize;
        match self.date_style {
            0 => format!("{:02} {:02} {}", d.day(), d.month(), d.year()),
            1 if self.country.spanish => {
                format!("{:02} {}/{} {}", d.day(), MESES[m], MONTHS[m], d.year())
            }
            1 => format!("{:02} {} {}", d.day(), MONTHS[m], d.year()),
            _ => format!("{:02}.{:02}.{}", d.day(), d.month(), d.year()),
        }
    }

    fn label(&self, es: &str, en: &str, fr: &str) -> String {
        if self.country.spanish {
            format!("{es} / {en}")
        } else if self.country.french {
            format!("{en} / {fr}")
        } else {
            en.to_string()
        }
    }

    /// Ground-truth fields in the extraction contract's normal form.
    pub fn fields(&self) -> BTreeMap<String, String> {
        let mut f = BTreeMap::new();
        let mut put = |k: &str, v: String| {
            f.insert(k.to_string(), v);
        };
        put(
            "document_type",
            match self.doc_type {
                DocType::Passport => "passport",
                DocType::IdCard => "id_card",
            }
            .into(),
        );
        put("issuing_country", self.country.code.into());
        put("nationality", self.country.code.into());
        put("document_number", self.number.clone());
        put("surname", contract_name(&self.surname));
        put("given_names", contract_name(&self.given));
        put("birth_date", self.birth.format("%Y-%m-%d").to_string());
        put("expiry_date", self.expiry.format("%Y-%m-%d").to_string());
        put("sex", self.sex.to_string());
        put("mrz", self.mrz.join("\n"));
        put("mrz_valid", mrz_valid(&self.mrz).to_string());
        f
    }
}

/// A label (9 pt) with its value (bold 11 pt) below.
fn field(page: &mut Page, x: f32, y: f32, label: &str, value: &str) {
    page.text(x, y, 9.0, label);
    page.bold(x, y + 14.0, 11.0, value);
}

fn photo(page: &mut Page, x: f32, y: f32) {
    page.fill(x, y, 115.0, 148.0, 0.85);
    page.fill(x + 33.0, y + 20.0, 50.0, 62.0, 0.62);
    page.fill(x + 14.0, y + 92.0, 88.0, 56.0, 0.62);
}

/// Lays the document out on an A4 page.
pub(crate) fn render_identity(id: &Identity) -> Page {
    let mut page = Page::new(A4, Family::Sans);
    let c = id.country;
    let number_label = match id.doc_type {
        DocType::Passport => id.label("Pasaporte nº", "Passport No.", "Passeport n°"),
        DocType::IdCard if c.code == "ESP" => "DNI / Documento nº".to_string(),
        DocType::IdCard => id.label("Documento nº", "Document no.", "Document n°"),
    };
    let surname = id.label("Apellidos", "Surname", "Nom");
    let given = id.label("Nombre", "Given names", "Prénoms");
    let nationality = id.label("Nacionalidad", "Nationality", "Nationalité");
    let birth = id.label("Fecha de nacimiento", "Date of birth", "Date de naissance");
    let sex = id.label("Sexo", "Sex", "Sexe");
    let place = id.label("Lugar de nacimiento", "Place of birth", "Lieu de naissance");
    let issue = id.label("Expedición", "Date of issue", "Délivrance");
    let expiry = id.label("Caducidad", "Date of expiry", "Expiration");
    let authority = id.label("Autoridad", "Authority", "Autorité");
    match id.doc_type {
        DocType::Passport => {
            let (x0, y0, w, h) = (50.0, 70.0, 495.0, 380.0);
            page.frame(x0, y0, w, h, 1.0);
            page.fill(x0 + 1.0, y0 + 1.0, w - 2.0, 34.0, 0.9);
            page.bold(x0 + 14.0, y0 + 23.0, 11.0, c.name);
            page.right(x0 + w - 14.0, y0 + 23.0, 11.0, c.passport_title, true);
            photo(&mut page, x0 + 16.0, y0 + 56.0);
            let fx = x0 + 150.0;
            let col2 = x0 + 320.0;
            let mut y = y0 + 56.0;
            field(&mut page, fx, y, &id.label("Tipo", "Type", "Type"), "P");
            field(
                &mut page,
                fx + 62.0,
                y,
                &id.label("Código", "Code", "Code"),
                c.code,
            );
            field(&mut page, col2, y, &number_label, &id.number);
            y += 34.0;
            field(&mut page, fx, y, &surname, &id.surname);
            y += 34.0;
            field(&mut page, fx, y, &given, &id.given);
            y += 34.0;
            field(&mut page, fx, y, &nationality, c.nationality);
            field(&mut page, col2 + 80.0, y, &sex, &id.sex.to_string());
            y += 34.0;
            field(&mut page, fx, y, &birth, &id.date(id.birth));
            field(&mut page, col2, y, &place, &id.place_of_birth);
            y += 34.0;
            field(&mut page, fx, y, &issue, &id.date(id.issue));
            field(&mut page, col2, y, &authority, &id.authority);
            y += 34.0;
            field(&mut page, fx, y, &expiry, &id.date(id.expiry));
            if let Some(p) = &id.personal {
                field(
                    &mut page,
                    col2,
                    y,
                    &id.label("Nº personal", "Personal No.", "N° personnel"),
                    p,
                );
            }
            let size = 12.5;
            let mx = x0 + (w - 44.0 * 0.6 * size) / 2.0;
            page.mono(mx, y0 + h - 40.0, size, &id.mrz[0], false);
            page.mono(mx, y0 + h - 16.0, size, &id.mrz[1], false);
        }
        DocType::IdCard => {
            let (title, _) = c.id_title.unwrap_or(("IDENTITY CARD", "I<"));
            let (x0, y0, w, h) = (60.0, 60.0, 475.0, 300.0);
            page.frame(x0, y0, w, h, 1.0);
            page.fill(x0 + 1.0, y0 + 1.0, w - 2.0, 34.0, 0.9);
            page.bold(x0 + 14.0, y0 + 23.0, 11.0, c.name);
            page.right(x0 + w - 14.0, y0 + 23.0, 9.0, title, true);
            photo(&mut page, x0 + 16.0, y0 + 52.0);
            let fx = x0 + 148.0;
            let col2 = x0 + 320.0;
            let mut y = y0 + 54.0;
            field(&mut page, fx, y, &surname, &id.surname);
            y += 34.0;
            field(&mut page, fx, y, &given, &id.given);
            y += 34.0;
            field(&mut page, fx, y, &sex, &id.sex.to_string());
            field(&mut page, fx + 90.0, y, &nationality, c.code);
            y += 34.0;
            field(&mut page, fx, y, &birth, &id.date(id.birth));
            y += 34.0;
            field(&mut page, fx, y, &number_label, &id.number);
            field(&mut page, col2, y, &expiry, &id.date(id.expiry));
            y += 34.0;
            field(&mut page, fx, y, &issue, &id.date(id.issue));

            // Back side.
            let y1 = y0 + h + 36.0;
            page.frame(x0, y1, w, h, 1.0);
            field(&mut page, x0 + 20.0, y1 + 30.0, &place, &id.place_of_birth);
            field(&mut page, x0 + 20.0, y1 + 64.0, &authority, &id.authority);
            let size = 14.0;
            let mx = x0 + (w - 30.0 * 0.6 * size) / 2.0;
            page.fill(x0 + 1.0, y1 + h - 100.0, w - 2.0, 99.0, 0.97);
            for (i, line) in id.mrz.iter().enumerate() {
                page.mono(mx, y1 + h - 68.0 + 24.0 * i as f32, size, line, false);
            }
        }
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn the_icao_td3_specimen_validates() {
        let lines = vec![
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".to_string(),
            "L898902C36UTO7408122F1204159ZE184226B<<<<<10".to_string(),
        ];
        assert!(mrz_valid(&lines));
        let mut tampered = lines.clone();
        tampered[1] = tampered[1].replacen("740812", "750812", 1);
        assert!(!mrz_valid(&tampered));
    }

    #[test]
    fn the_icao_td1_specimen_validates() {
        let lines = vec![
            "I<UTOD231458907<<<<<<<<<<<<<<<".to_string(),
            "7408122F1204159UTO<<<<<<<<<<<6".to_string(),
            "ERIKSSON<<ANNA<MARIA<<<<<<<<<<".to_string(),
        ];
        assert!(mrz_valid(&lines));
    }

    #[test]
    fn generated_mrzs_are_valid_unless_tampered() {
        for seed in 0..200u64 {
            let mut rng = Rng8::seed_from_u64(seed);
            let id = build_identity(&mut rng, seed % 2 == 0);
            let expected_len = if id.doc_type == DocType::Passport {
                44
            } else {
                30
            };
            assert!(
                id.mrz.iter().all(|l| l.len() == expected_len),
                "{:?}",
                id.mrz
            );
            let tampered = id.defects.contains(&PlantedDefect::TamperedMrz);
            assert_eq!(mrz_valid(&id.mrz), !tampered, "{:?}", id.mrz);
            let expired = id.defects.contains(&PlantedDefect::ExpiredIdentity);
            assert_eq!(id.expiry < reference_date(), expired);
        }
    }

    #[test]
    fn identity_pages_have_no_overlapping_text() {
        for seed in 0..200u64 {
            let mut rng = Rng8::seed_from_u64(seed);
            let id = build_identity(&mut rng, false);
            let page = render_identity(&id);
            let c = crate::page::collisions(&page);
            assert!(c.is_empty(), "seed {seed}: {c:?}");
            for t in &page.texts {
                let w = crate::page::text_width(&t.text, t.size, page.family, t.bold, t.monospace);
                assert!(
                    t.x + w < 545.0,
                    "seed {seed}: {:?} runs off the document",
                    t.text
                );
            }
        }
    }

    #[test]
    fn mrz_names_fold_accents_and_fill() {
        assert_eq!(
            mrz_name("NÚÑEZ PEÑA", "MARÍA JOSÉ", 30),
            "NUNEZ<PENA<<MARIA<JOSE<<<<<<<<"
        );
    }
}
