//! ISO 20022 camt.053 (bank-to-customer statement), versions 001.02 to
//! 001.13: one [`BankStatement`] per `Stmt` element.
//!
//! Elements are found by local name, so every version's namespace reads
//! the same way; the places where versions differ are handled explicitly:
//! `Sts` is text up to .02 and `Sts/Cd` from .08 on, party names are
//! `Dbtr/Nm` up to .04 and `Dbtr/Pty/Nm` later, dates are `Dt` or `DtTm`.
//!
//! Balances: the opening balance is `OPBD`, else `PRCD` (previous closing
//! booked, which some banks send instead); the closing balance is `CLBD`.
//! Other balance types (available, forward, interim, information) are not
//! the statement's balances and are ignored. A balance or entry is negative
//! when its `CdtDbtInd` is `DBIT`.
//!
//! The account is `Acct/Id/IBAN`; an `Acct/Id/Othr/Id` is taken as the
//! IBAN when it is a valid one (some banks put it there) and as a plain
//! account number otherwise.
//!
//! An entry's amount is its own `Ntry/Amt`; the `TxDtls` under it (one per
//! transaction of a batch) contribute remittance text, references and the
//! counterparty. An XML document cut short is reported as truncated, naming
//! the last line.

use std::str::FromStr;

use chrono::NaiveDate;
use roxmltree::{Document, Node};
use rust_decimal::Decimal;

use crate::error::{ReferenceDataError, SourceFormat};
use crate::statement::{
    BankEntry, BankStatement, BankStatementFormat, BankStatementImport, StatementWarningCode, balance_warning, check_balances,
    continuity_warnings, entry_currency_warning, iban_problem, iban_warning, warning,
};
use crate::text::{LineIndex, decode_text};
use crate::values::normalised_currency_code;

const FORMAT: SourceFormat = SourceFormat::Camt053;
const NAMESPACE_PREFIX: &str = "urn:iso:std:iso:20022:tech:xsd:camt.053.";
const REMITTANCE_SEPARATOR: &str = " | ";

fn child<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Option<Node<'a, 'input>> {
    node.children().find(|candidate| candidate.is_element() && candidate.tag_name().name() == name)
}

fn children<'a, 'input: 'a>(node: Node<'a, 'input>, name: &'a str) -> impl Iterator<Item = Node<'a, 'input>> + 'a {
    node.children().filter(move |candidate| candidate.is_element() && candidate.tag_name().name() == name)
}

fn descendant_at<'a, 'input>(node: Node<'a, 'input>, path: &[&str]) -> Option<Node<'a, 'input>> {
    path.iter().try_fold(node, |current, name| child(current, name))
}

fn text_at<'a>(node: Node<'a, '_>, path: &[&str]) -> Option<&'a str> {
    descendant_at(node, path).and_then(|found| found.text()).map(str::trim).filter(|text| !text.is_empty())
}

/// Every `Nm` text under a node, the first one being the party's own name.
fn first_name_under<'a>(node: Node<'a, '_>) -> Option<&'a str> {
    node.descendants()
        .filter(|candidate| candidate.is_element() && candidate.tag_name().name() == "Nm")
        .filter_map(|name| name.text().map(str::trim))
        .find(|name| !name.is_empty())
}

/// One `Bal` element: signed amount, its currency and date.
struct StatedBalance {
    amount: Decimal,
    currency: Option<String>,
    date: Option<NaiveDate>,
}

struct CamtReader<'a> {
    line_index: &'a LineIndex,
}

impl CamtReader<'_> {
    fn line_of(&self, node: Node) -> usize {
        self.line_index.line_of_offset(node.range().start)
    }

    fn missing(&self, node: Node, element: &str, remedy: &str) -> ReferenceDataError {
        ReferenceDataError::invalid_field(FORMAT, self.line_of(node), element, format!("the element `{element}` is missing"), remedy)
    }

    /// A `Dt` / `DtTm` choice (`<BookgDt><Dt>…</Dt></BookgDt>`), read as the
    /// date written (a date-time's own date, not converted to another zone).
    fn date_choice(&self, container: Node, field: &str) -> Result<Option<NaiveDate>, ReferenceDataError> {
        let Some(text) = text_at(container, &["Dt"]).or_else(|| text_at(container, &["DtTm"])) else {
            return Ok(None);
        };
        let date_part = text.get(..10).unwrap_or(text);
        NaiveDate::parse_from_str(date_part, "%Y-%m-%d").map(Some).map_err(|_| {
            ReferenceDataError::invalid_field(
                FORMAT,
                self.line_of(container),
                field,
                format!("`{}` is not an ISO date", crate::text::shortened_for_message(text, 40)),
                "the bank must write dates as YYYY-MM-DD",
            )
        })
    }

    /// An `Amt` element with its `CdtDbtInd` sibling, signed; and its currency.
    fn signed_amount(&self, parent: Node, what: &str) -> Result<(Decimal, Option<String>), ReferenceDataError> {
        let amount_node = child(parent, "Amt").ok_or_else(|| {
            self.missing(parent, &format!("{what}/Amt"), "the file is not a valid camt.053 statement: get it again from the bank")
        })?;
        let amount_text = amount_node.text().map(str::trim).unwrap_or("");
        let amount = Decimal::from_str(amount_text).map_err(|_| {
            ReferenceDataError::invalid_field(
                FORMAT,
                self.line_of(amount_node),
                &format!("{what}/Amt"),
                format!("`{}` is not an amount", crate::text::shortened_for_message(amount_text, 30)),
                "camt.053 amounts are written like 1234.56: get the file again from the bank",
            )
        })?;
        let currency = amount_node.attribute("Ccy").and_then(normalised_currency_code);
        let indicator_node = child(parent, "CdtDbtInd").ok_or_else(|| {
            self.missing(parent, &format!("{what}/CdtDbtInd"), "the file is not a valid camt.053 statement: get it again from the bank")
        })?;
        match indicator_node.text().map(str::trim) {
            Some("CRDT") => Ok((amount, currency)),
            Some("DBIT") => Ok((-amount, currency)),
            other => Err(ReferenceDataError::invalid_field(
                FORMAT,
                self.line_of(indicator_node),
                &format!("{what}/CdtDbtInd"),
                format!("`{}` is neither CRDT nor DBIT", crate::text::shortened_for_message(other.unwrap_or(""), 10)),
                "get the file again from the bank",
            )),
        }
    }

    fn entry(&self, node: Node, entry_id: String, statement_currency: &str) -> Result<BankEntry, ReferenceDataError> {
        let (amount, currency) = self.signed_amount(node, "Ntry")?;
        let booking_date = match child(node, "BookgDt") {
            Some(container) => self.date_choice(container, "Ntry/BookgDt")?,
            None => None,
        };
        let value_date = match child(node, "ValDt") {
            Some(container) => self.date_choice(container, "Ntry/ValDt")?,
            None => None,
        };
        let booking_date = booking_date.or(value_date).ok_or_else(|| {
            self.missing(node, "Ntry/BookgDt", "an entry needs a booking or value date: get the file again from the bank")
        })?;
        let status = text_at(node, &["Sts", "Cd"]).or_else(|| text_at(node, &["Sts"]));
        let booked = status.is_none_or(|status| status == "BOOK");
        let reversal = text_at(node, &["RvslInd"]).is_some_and(|flag| flag.eq_ignore_ascii_case("true"));
        let is_credit = amount.is_sign_positive();

        let mut remittance_pieces: Vec<&str> = Vec::new();
        let mut creditor_reference: Option<&str> = None;
        let mut end_to_end_id: Option<&str> = None;
        let mut counterparty_name: Option<&str> = None;
        let mut additional_transaction_information: Vec<&str> = Vec::new();
        for transaction in children(node, "NtryDtls").flat_map(|details| children(details, "TxDtls")) {
            if let Some(remittance) = child(transaction, "RmtInf") {
                remittance_pieces.extend(children(remittance, "Ustrd").filter_map(|ustrd| ustrd.text()).map(str::trim));
                for structured in children(remittance, "Strd") {
                    for document in children(structured, "RfrdDocInf") {
                        remittance_pieces.extend(text_at(document, &["Nb"]));
                    }
                    if let Some(reference) = text_at(structured, &["CdtrRefInf", "Ref"]) {
                        remittance_pieces.push(reference);
                        creditor_reference.get_or_insert(reference);
                    }
                    remittance_pieces.extend(children(structured, "AddtlRmtInf").filter_map(|text| text.text()).map(str::trim));
                }
            }
            if let Some(identifier) = text_at(transaction, &["Refs", "EndToEndId"]).filter(|identifier| *identifier != "NOTPROVIDED") {
                end_to_end_id.get_or_insert(identifier);
            }
            if counterparty_name.is_none() {
                let (party, ultimate_party) = if is_credit { ("Dbtr", "UltmtDbtr") } else { ("Cdtr", "UltmtCdtr") };
                counterparty_name = child(transaction, "RltdPties").and_then(|parties| {
                    child(parties, party).and_then(first_name_under).or_else(|| child(parties, ultimate_party).and_then(first_name_under))
                });
            }
            additional_transaction_information.extend(text_at(transaction, &["AddtlTxInf"]));
        }
        remittance_pieces.retain(|piece| !piece.is_empty());
        if remittance_pieces.is_empty() {
            remittance_pieces.extend(additional_transaction_information);
            remittance_pieces.extend(text_at(node, &["AddtlNtryInf"]));
        }
        remittance_pieces.dedup();
        let reference = creditor_reference
            .or(end_to_end_id)
            .or_else(|| text_at(node, &["NtryRef"]))
            .or_else(|| text_at(node, &["AcctSvcrRef"]))
            .map(str::to_string);
        Ok(BankEntry {
            entry_id,
            booking_date,
            value_date,
            amount,
            currency: currency.unwrap_or_else(|| statement_currency.to_string()),
            remittance_text: remittance_pieces.join(REMITTANCE_SEPARATOR),
            counterparty_name: counterparty_name.map(str::to_string),
            reference,
            booked,
            reversal,
            source_line: self.line_of(node),
        })
    }

    fn balance_of_type(&self, statement: Node, type_code: &str) -> Result<Option<StatedBalance>, ReferenceDataError> {
        for balance in children(statement, "Bal") {
            let code = text_at(balance, &["Tp", "CdOrPrtry", "Cd"]).or_else(|| text_at(balance, &["Tp", "CdOrPrtry", "Prtry"]));
            if code == Some(type_code) {
                let (amount, currency) = self.signed_amount(balance, "Bal")?;
                let date = match child(balance, "Dt") {
                    Some(container) => self.date_choice(container, "Bal/Dt")?,
                    None => None,
                };
                return Ok(Some(StatedBalance { amount, currency, date }));
            }
        }
        Ok(None)
    }

    fn statement(&self, node: Node, statement_number: usize) -> Result<(BankStatement, Option<u64>), ReferenceDataError> {
        let statement_id = text_at(node, &["Id"]).map(str::to_string).unwrap_or_else(|| format!("statement-{statement_number}"));
        let account = child(node, "Acct")
            .ok_or_else(|| self.missing(node, "Stmt/Acct", "the statement must name its account: get the file again from the bank"))?;
        let other_identifier = text_at(account, &["Id", "Othr", "Id"]);
        let other_identifier_is_an_iban = other_identifier.is_some_and(|identifier| iban_problem(identifier).is_none());
        let account_iban = text_at(account, &["Id", "IBAN"])
            .or(other_identifier.filter(|_| other_identifier_is_an_iban))
            .map(|iban| iban.split_whitespace().collect::<String>());
        let account_number = if account_iban.is_none() { other_identifier.map(str::to_string) } else { None };
        let opening = match self.balance_of_type(node, "OPBD")? {
            Some(balance) => Some(balance),
            None => self.balance_of_type(node, "PRCD")?,
        };
        let closing = self.balance_of_type(node, "CLBD")?;
        let currency = text_at(account, &["Ccy"])
            .and_then(normalised_currency_code)
            .or_else(|| opening.as_ref().and_then(|balance| balance.currency.clone()))
            .or_else(|| closing.as_ref().and_then(|balance| balance.currency.clone()))
            .or_else(|| {
                children(node, "Ntry")
                    .find_map(|entry| child(entry, "Amt").and_then(|amount| amount.attribute("Ccy")).and_then(normalised_currency_code))
            })
            .ok_or_else(|| {
                self.missing(account, "Acct/Ccy", "the statement names no currency anywhere: get the file again from the bank")
            })?;
        let (period_start, period_end) = match child(node, "FrToDt") {
            Some(period) => {
                let read = |name: &str| {
                    text_at(period, &[name]).and_then(|text| NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d").ok())
                };
                (read("FrDtTm"), read("ToDtTm"))
            }
            None => (None, None),
        };
        let mut entries = Vec::new();
        for (entry_index, entry) in children(node, "Ntry").enumerate() {
            entries.push(self.entry(entry, format!("{statement_id}/{}", entry_index + 1), &currency)?);
        }
        let announced_entries = text_at(node, &["TxsSummry", "TtlNtries", "NbOfNtries"]).and_then(|count| count.parse::<u64>().ok());
        let opening_balance = opening.map(|balance| balance.amount);
        let closing_balance = closing.as_ref().map(|balance| balance.amount);
        let statement_date = closing
            .and_then(|balance| balance.date)
            .or(period_end)
            .or_else(|| entries.iter().map(|entry: &BankEntry| entry.booking_date).max());
        let balance_check = check_balances(opening_balance, closing_balance, &entries);
        Ok((
            BankStatement {
                statement_id,
                account_iban,
                account_number,
                currency,
                opening_balance,
                closing_balance,
                statement_date,
                period_start,
                period_end,
                entries,
                balance_check,
                source_line: self.line_of(node),
            },
            announced_entries,
        ))
    }
}

/// Reads a camt.053 statement file (any of versions 001.02 to 001.13).
pub fn parse_camt053(bytes: &[u8]) -> Result<BankStatementImport, ReferenceDataError> {
    let text = decode_text(bytes);
    if text.trim().is_empty() {
        return Err(ReferenceDataError::EmptyFile { format: FORMAT });
    }
    let line_index = LineIndex::new(&text);
    let last_line = line_index.last_line_with_text(&text);
    let document = Document::parse(&text).map_err(|error| {
        let row = error.pos().row as usize;
        match error {
            roxmltree::Error::UnexpectedEndOfStream | roxmltree::Error::UnclosedRootNode => {
                ReferenceDataError::truncated(FORMAT, last_line, "the XML document ends before its elements are closed")
            }
            _ if row >= last_line => ReferenceDataError::truncated(FORMAT, last_line, format!("the XML document breaks off ({error})")),
            _ => ReferenceDataError::malformed(
                FORMAT,
                row,
                format!("the XML is not well formed ({error})"),
                "the file is damaged: get it again from the bank",
            ),
        }
    })?;
    let root = document.root_element();
    let namespace = root.tag_name().namespace().unwrap_or("");
    let Some(version) = namespace.strip_prefix(NAMESPACE_PREFIX) else {
        return Err(ReferenceDataError::malformed(
            FORMAT,
            line_index.line_of_offset(root.range().start),
            format!("the document is not a camt.053 statement (its namespace is `{}`)", crate::text::shortened_for_message(namespace, 60)),
            "export the account statement as camt.053 (camt.052 and camt.054 are reports and notifications, not statements)",
        ));
    };
    let reader = CamtReader { line_index: &line_index };
    let statements_container = child(root, "BkToCstmrStmt")
        .ok_or_else(|| reader.missing(root, "BkToCstmrStmt", "the file is not a camt.053 statement: get it again from the bank"))?;
    let mut statements = Vec::new();
    let mut warnings = Vec::new();
    for (statement_index, statement_node) in children(statements_container, "Stmt").enumerate() {
        let (statement, announced_entries) = reader.statement(statement_node, statement_index + 1)?;
        if let Some(announced) = announced_entries.filter(|announced| *announced != statement.entries.len() as u64) {
            warnings.push(warning(
                StatementWarningCode::EntryCountDisagreesWithSummary,
                Some(statement_index),
                Some(statement.source_line),
                format!(
                    "The statement's summary announces {announced} entries but the file has {}: entries are missing. Get the complete statement from the bank.",
                    statement.entries.len()
                ),
                format!(
                    "El resumen del extracto anuncia {announced} movimientos pero el fichero tiene {}: faltan movimientos. Pida al banco el extracto completo.",
                    statement.entries.len()
                ),
            ));
        }
        warnings.extend(iban_warning(&statement, statement_index));
        warnings.extend(entry_currency_warning(&statement, statement_index));
        warnings.extend(balance_warning(&statement, statement_index));
        statements.push(statement);
    }
    if statements.is_empty() {
        return Err(reader.missing(statements_container, "Stmt", "the file holds no statement: get it again from the bank"));
    }
    warnings.extend(continuity_warnings(&statements));
    warnings.sort_by_key(|warning| (warning.statement_index, warning.line));
    Ok(BankStatementImport { format: BankStatementFormat::Camt053 { version: version.to_string() }, statements, warnings })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL_STATEMENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <Stmt>
      <Id>S-1</Id>
      <Acct><Id><IBAN>ES9121000418450200051332</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-01</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">879.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-31</Dt></Dt></Bal>
      <Ntry>
        <Amt Ccy="EUR">121.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-03-10</Dt></BookgDt><ValDt><DtTm>2026-03-11T09:00:00+01:00</DtTm></ValDt>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>E2E-7</EndToEndId></Refs>
          <RltdPties><Cdtr><Pty><Nm>Suministros García SL</Nm></Pty></Cdtr></RltdPties>
          <RmtInf><Ustrd>Pago factura FA-2026/0012</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"#;

    #[test]
    fn a_camt_entry_carries_signed_amount_dates_counterparty_and_remittance() {
        let import = parse_camt053(SMALL_STATEMENT.as_bytes()).unwrap();
        assert_eq!(import.format, BankStatementFormat::Camt053 { version: "001.08".to_string() });
        assert!(import.is_consistent(), "{:?}", import.warnings);
        let entry = &import.statements[0].entries[0];
        assert_eq!(entry.amount, Decimal::new(-12_100, 2));
        assert_eq!(entry.value_date, NaiveDate::from_ymd_opt(2026, 3, 11));
        assert_eq!(entry.counterparty_name.as_deref(), Some("Suministros García SL"));
        assert_eq!(entry.remittance_text, "Pago factura FA-2026/0012");
        assert_eq!(entry.reference.as_deref(), Some("E2E-7"));
        assert_eq!(entry.entry_id, "S-1/1");
        assert_eq!(entry.source_line, 9);
    }

    #[test]
    fn a_camt_statement_whose_entries_do_not_add_up_is_flagged() {
        let altered = SMALL_STATEMENT.replace("879.00", "880.00");
        let import = parse_camt053(altered.as_bytes()).unwrap();
        assert!(import.has_warning(StatementWarningCode::BalancesDoNotReconcile));
        assert!(import.warnings[0].message_es.contains("879,00"), "{}", import.warnings[0].message_es);
    }

    #[test]
    fn a_camt_file_cut_anywhere_is_reported_as_truncated() {
        for cut in (80..SMALL_STATEMENT.trim_end().len() - 1).step_by(37) {
            let error = parse_camt053(&SMALL_STATEMENT.as_bytes()[..cut]).unwrap_err();
            assert!(error.is_truncation(), "cut at {cut}: {error}");
            let cut_text = &SMALL_STATEMENT[..cut];
            assert_eq!(error.line(), Some(cut_text.trim_end().lines().count()), "cut at {cut}: {error}");
        }
    }

    #[test]
    fn a_camt_052_report_is_refused_with_what_to_export_instead() {
        let report = SMALL_STATEMENT.replace("camt.053.001.08", "camt.052.001.08");
        let error = parse_camt053(report.as_bytes()).unwrap_err();
        assert!(error.to_string().contains("export the account statement as camt.053"), "{error}");
    }
}
