//! Locales: number, money and date formatting, and the small word lists documents draw from.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::page::{A4, LETTER};

/// The countries invoices come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Locale {
    Es,
    Co,
    Mx,
    Us,
    Uk,
}

impl Locale {
    /// Whether documents from here are written in Spanish.
    pub fn spanish(self) -> bool {
        matches!(self, Locale::Es | Locale::Co | Locale::Mx)
    }

    /// ISO 4217 code.
    pub fn currency(self) -> &'static str {
        match self {
            Locale::Es => "EUR",
            Locale::Co => "COP",
            Locale::Mx => "MXN",
            Locale::Us => "USD",
            Locale::Uk => "GBP",
        }
    }

    /// Paper size in points.
    pub fn page_size(self) -> (f32, f32) {
        match self {
            Locale::Us => LETTER,
            _ => A4,
        }
    }

    /// Whether the decimal separator is a comma (and thousands are grouped with dots).
    pub fn decimal_comma(self) -> bool {
        matches!(self, Locale::Es | Locale::Co)
    }
}

/// `d` with exactly two decimals and `.` as separator: the ground-truth form of money.
pub(crate) fn plain2(d: Decimal) -> String {
    let mut x = d;
    x.rescale(2);
    x.to_string()
}

/// `d` without trailing zeros: the ground-truth form of rates and quantities.
pub(crate) fn plain(d: Decimal) -> String {
    d.normalize().to_string()
}

/// Formats `d` with `dp` decimals, grouped thousands and the locale's separators.
pub(crate) fn fmt_number(d: Decimal, dp: u32, locale: Locale) -> String {
    let mut x = d.abs();
    x.rescale(dp);
    let s = x.to_string();
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let (group, dec) = if locale.decimal_comma() {
        ('.', ',')
    } else {
        (',', '.')
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(c);
    }
    let mut out = String::new();
    if d.is_sign_negative() && !d.is_zero() {
        out.push('-');
    }
    out.push_str(&grouped);
    if let Some(f) = frac {
        out.push(dec);
        out.push_str(&f);
    }
    out
}

/// How amounts show their currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MoneyStyle {
    /// The local symbol: `1.234,56 €`, `$ 1.234,00`, `$1,234.56`, `£1,234.56`.
    Symbol,
    /// The ISO code: `1.234,56 EUR`, `USD 1,234.56`.
    Code,
}

/// Formats an amount of money in the locale's way.
pub(crate) fn fmt_money(d: Decimal, locale: Locale, style: MoneyStyle) -> String {
    let n = fmt_number(d.abs(), 2, locale);
    let sign = if d.is_sign_negative() && !d.is_zero() {
        "-"
    } else {
        ""
    };
    match (locale, style) {
        (Locale::Es, MoneyStyle::Symbol) => format!("{sign}{n} €"),
        (Locale::Es, MoneyStyle::Code) => format!("{sign}{n} EUR"),
        (Locale::Co, MoneyStyle::Symbol) => format!("{sign}$ {n}"),
        (Locale::Co, MoneyStyle::Code) => format!("{sign}COP {n}"),
        (Locale::Mx, MoneyStyle::Symbol) => format!("{sign}${n}"),
        (Locale::Mx, MoneyStyle::Code) => format!("{sign}${n} MXN"),
        (Locale::Us, MoneyStyle::Symbol) => format!("{sign}${n}"),
        (Locale::Us, MoneyStyle::Code) => format!("{sign}USD {n}"),
        (Locale::Uk, MoneyStyle::Symbol) => format!("{sign}£{n}"),
        (Locale::Uk, MoneyStyle::Code) => format!("{sign}GBP {n}"),
    }
}

/// A quantity in the locale's decimal notation, without trailing zeros.
pub(crate) fn fmt_qty(d: Decimal, locale: Locale) -> String {
    let s = plain(d);
    if locale.decimal_comma() {
        s.replace('.', ",")
    } else {
        s
    }
}

const MESES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Number of date styles `fmt_date` knows for every locale.
pub(crate) const DATE_STYLES: u8 = 3;

/// Formats a date in one of the locale's usual styles (0..DATE_STYLES).
pub(crate) fn fmt_date(date: NaiveDate, locale: Locale, style: u8) -> String {
    let (d, m, y) = (date.day(), date.month(), date.year());
    let mi = (m - 1) as usize;
    match (locale, style % DATE_STYLES) {
        (Locale::Us, 0) => format!("{m:02}/{d:02}/{y}"),
        (Locale::Us, 1) => format!("{} {d}, {y}", MONTHS[mi]),
        (Locale::Us, _) => format!("{} {d}, {y}", &MONTHS[mi][..3]),
        (Locale::Uk, 0) => format!("{d:02}/{m:02}/{y}"),
        (Locale::Uk, 1) => format!("{d} {} {y}", MONTHS[mi]),
        (Locale::Uk, _) => format!("{d} {} {y}", &MONTHS[mi][..3]),
        (Locale::Co, 1) => format!("{y}-{m:02}-{d:02}"),
        (Locale::Es, 1) => format!("{d:02}-{m:02}-{y}"),
        (_, 0) | (Locale::Mx, 1) => format!("{d:02}/{m:02}/{y}"),
        (_, _) => format!("{d} de {} de {y}", MESES[mi]),
    }
}

/// Spanish given names (printed with accents).
pub(crate) const ES_GIVEN_F: &[&str] = &[
    "MARÍA", "CARMEN", "LUCÍA", "ANA", "ISABEL", "LAURA", "SOFÍA", "PILAR", "ÁNGELA", "NURIA",
    "ELENA", "MARTA", "CRISTINA", "INÉS", "BEATRIZ", "ROCÍO",
];
pub(crate) const ES_GIVEN_M: &[&str] = &[
    "JOSÉ",
    "ANTONIO",
    "JAVIER",
    "MANUEL",
    "FRANCISCO",
    "DAVID",
    "ALEJANDRO",
    "JESÚS",
    "ANDRÉS",
    "RAMÓN",
    "CARLOS",
    "MIGUEL",
    "SERGIO",
    "ÓSCAR",
    "RUBÉN",
    "JOAQUÍN",
];
pub(crate) const ES_SURNAMES: &[&str] = &[
    "GARCÍA",
    "RODRÍGUEZ",
    "GONZÁLEZ",
    "FERNÁNDEZ",
    "LÓPEZ",
    "MARTÍNEZ",
    "SÁNCHEZ",
    "PÉREZ",
    "GÓMEZ",
    "MARTÍN",
    "JIMÉNEZ",
    "RUIZ",
    "HERNÁNDEZ",
    "DÍAZ",
    "MORENO",
    "MUÑOZ",
    "ÁLVAREZ",
    "ROMERO",
    "CASTAÑO",
    "NÚÑEZ",
    "IBÁÑEZ",
    "PEÑA",
    "ORTIZ",
    "VARGAS",
    "CASTRO",
    "SERRANO",
    "MOLINA",
    "DELGADO",
];
/// English given names and surnames.
pub(crate) const EN_GIVEN_F: &[&str] = &[
    "EMMA",
    "CHARLOTTE",
    "SOPHIE",
    "AMELIA",
    "GRACE",
    "EMILY",
    "OLIVIA",
    "SARAH",
    "JESSICA",
    "HANNAH",
    "CHLOE",
    "ELIZABETH",
];
pub(crate) const EN_GIVEN_M: &[&str] = &[
    "JAMES", "OLIVER", "WILLIAM", "THOMAS", "HARRY", "JACK", "GEORGE", "MICHAEL", "DANIEL",
    "SAMUEL", "JOSEPH", "ROBERT",
];
pub(crate) const EN_SURNAMES: &[&str] = &[
    "SMITH",
    "JONES",
    "TAYLOR",
    "BROWN",
    "WILLIAMS",
    "WILSON",
    "JOHNSON",
    "DAVIES",
    "ROBINSON",
    "WRIGHT",
    "THOMPSON",
    "EVANS",
    "WALKER",
    "WHITE",
    "HUGHES",
    "CLARKE",
    "MACDONALD",
    "FOSTER",
    "BENNETT",
    "HARRIS",
];

/// Capitalises an uppercase name for use in running text: "GARCÍA" → "García".
pub(crate) fn title_case(word: &str) -> String {
    word.split(' ')
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(first) => first.to_string() + &cs.as_str().to_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Replaces accented Latin letters by their base letter ("ÑÚÑEZ" → "NUNEZ").
pub(crate) fn fold_accents(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'Á' | 'À' | 'Â' | 'Ä' | 'Ã' => 'A',
            'É' | 'È' | 'Ê' | 'Ë' => 'E',
            'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
            'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' => 'O',
            'Ú' | 'Ù' | 'Û' | 'Ü' => 'U',
            'Ñ' => 'N',
            'Ç' => 'C',
            'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn money_is_formatted_the_local_way() {
        assert_eq!(
            fmt_money(dec("1234.5"), Locale::Es, MoneyStyle::Symbol),
            "1.234,50 €"
        );
        assert_eq!(
            fmt_money(dec("1234567"), Locale::Co, MoneyStyle::Symbol),
            "$ 1.234.567,00"
        );
        assert_eq!(
            fmt_money(dec("1234.56"), Locale::Mx, MoneyStyle::Symbol),
            "$1,234.56"
        );
        assert_eq!(
            fmt_money(dec("-99.9"), Locale::Uk, MoneyStyle::Symbol),
            "-£99.90"
        );
        assert_eq!(
            fmt_money(dec("0.5"), Locale::Us, MoneyStyle::Code),
            "USD 0.50"
        );
        assert_eq!(plain2(dec("-12.5")), "-12.50");
        assert_eq!(plain(dec("21.00")), "21");
        assert_eq!(plain(dec("10.50")), "10.5");
        assert_eq!(fmt_qty(dec("7.5"), Locale::Es), "7,5");
    }

    #[test]
    fn dates_are_formatted_the_local_way() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
        assert_eq!(fmt_date(d, Locale::Es, 0), "15/03/2026");
        assert_eq!(fmt_date(d, Locale::Es, 2), "15 de marzo de 2026");
        assert_eq!(fmt_date(d, Locale::Us, 1), "March 15, 2026");
        assert_eq!(fmt_date(d, Locale::Us, 0), "03/15/2026");
        assert_eq!(fmt_date(d, Locale::Uk, 1), "15 March 2026");
        assert_eq!(fmt_date(d, Locale::Co, 1), "2026-03-15");
    }
}
