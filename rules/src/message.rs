//! Messages for reviewers in the client's language, with amounts and dates
//! written the way that language writes them (`1.240,00` / `1,240.00`).

use chrono::NaiveDate;
use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    English,
    Spanish,
}

impl std::str::FromStr for Language {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "en" | "english" => Ok(Language::English),
            "es" | "spanish" | "español" => Ok(Language::Spanish),
            other => Err(format!("unknown language {other:?}; use \"en\" or \"es\"")),
        }
    }
}

impl Language {
    /// Picks the Spanish or English text.
    pub fn pick<'a>(self, english: &'a str, spanish: &'a str) -> &'a str {
        match self {
            Language::English => english,
            Language::Spanish => spanish,
        }
    }

    /// An amount with two decimals (half a cent rounds away from zero) and
    /// thousands grouped the language's way.
    pub fn amount(self, value: Decimal) -> String {
        let style = match self {
            Language::English => tramite_pipeline::parse::amount::DecimalStyle::Point,
            Language::Spanish => tramite_pipeline::parse::amount::DecimalStyle::Comma,
        };
        tramite_pipeline::parse::amount::format_amount_grouped(value, style)
    }

    pub fn date(self, date: NaiveDate) -> String {
        match self {
            Language::English => date.format("%Y-%m-%d").to_string(),
            Language::Spanish => date.format("%d/%m/%Y").to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_grouped_the_way_each_language_writes_them() {
        let value = Decimal::new(124_000, 2);
        assert_eq!(Language::Spanish.amount(value), "1.240,00");
        assert_eq!(Language::English.amount(value), "1,240.00");
        assert_eq!(Language::English.amount(Decimal::new(-2_000, 2)), "-20.00");
        assert_eq!(Language::Spanish.amount(Decimal::new(123_456_789, 2)), "1.234.567,89");
    }
}
