//! OASIS UBL 2.1 `Invoice` and `CreditNote`, as profiled by EN 16931,
//! Peppol BIS Billing 3.0 and XRechnung UBL.
//!
//! The two document types share every element this reader needs except the
//! type code (`InvoiceTypeCode` / `CreditNoteTypeCode`), the line element
//! (`InvoiceLine` / `CreditNoteLine`) and its quantity (`InvoicedQuantity` /
//! `CreditedQuantity`); a `CreditNote` writes its amounts unsigned, and
//! [`super::invoice_values`] gives them the contract's negative sign.
//!
//! Mapping (EN 16931 business terms in brackets):
//!
//! | field | element |
//! |---|---|
//! | invoice_number | `cbc:ID` (BT-1) |
//! | issue_date | `cbc:IssueDate` (BT-2) |
//! | due_date | `cbc:DueDate` (BT-9), else one `PaymentMeans/PaymentDueDate` (credit notes) |
//! | supplier / customer | `AccountingSupplierParty` / `AccountingCustomerParty`: `PartyLegalEntity/RegistrationName` (BT-27), else `PartyName/Name`; `PartyTaxScheme/CompanyID` with scheme `VAT` first |
//! | currency | `cbc:DocumentCurrencyCode` (BT-5) |
//! | po_number | `OrderReference/ID` (BT-13); Peppol's placeholder `NA` is not an order |
//! | iban | one distinct `PaymentMeans/PayeeFinancialAccount/ID` (BT-84) shaped like an IBAN |
//! | subtotal | `LegalMonetaryTotal/TaxExclusiveAmount` (BT-109) |
//! | tax_amount | `TaxTotal/TaxAmount` in the document currency (BT-110) |
//! | total | `LegalMonetaryTotal/TaxInclusiveAmount` (BT-112); the amount due after prepayment and rounding is `PayableAmount` (BT-115) |
//! | tax_rate | `TaxTotal/TaxSubtotal/TaxCategory/Percent`, when one |

use roxmltree::Node;
use rust_decimal::Decimal;

use super::invoice_values::{DocumentNature, InvoiceValues, LineValues, single_distinct_value};
use super::xml_document::{all_at_path, element_text, first_at_path, parse_xml_date, parse_xml_decimal, text_at_path};
use super::{EInvoice, EInvoiceError, EInvoiceFormat};

/// Reads a UBL `Invoice` or `CreditNote` (as `format` says).
pub fn parse_ubl_document(root: Node, format: EInvoiceFormat) -> Result<EInvoice, EInvoiceError> {
    let is_credit_note_document = format == EInvoiceFormat::UblCreditNote;
    let (type_code_element, line_element, quantity_element) = if is_credit_note_document {
        ("CreditNoteTypeCode", "CreditNoteLine", "CreditedQuantity")
    } else {
        ("InvoiceTypeCode", "InvoiceLine", "InvoicedQuantity")
    };
    let mut values = InvoiceValues {
        invoice_number: text_at_path(root, &["ID"]),
        issue_date: text_at_path(root, &["IssueDate"]).as_deref().and_then(parse_xml_date),
        currency: text_at_path(root, &["DocumentCurrencyCode"]),
        po_number: text_at_path(root, &["OrderReference", "ID"]).filter(|order| !order.eq_ignore_ascii_case("NA")),
        ..InvoiceValues::default()
    };
    values.nature = match DocumentNature::from_document_type_code(text_at_path(root, &[type_code_element]).as_deref()) {
        DocumentNature::Invoice if is_credit_note_document => DocumentNature::CreditNoteWithUnsignedAmounts,
        nature => nature,
    };
    let payment_due_dates: Vec<_> = all_at_path(root, &["PaymentMeans", "PaymentDueDate"])
        .into_iter()
        .filter_map(|node| element_text(node).as_deref().and_then(parse_xml_date))
        .collect();
    values.due_date = text_at_path(root, &["DueDate"])
        .as_deref()
        .and_then(parse_xml_date)
        .or_else(|| single_distinct_value(payment_due_dates));
    if let Some(supplier) = first_at_path(root, &["AccountingSupplierParty", "Party"]) {
        values.supplier_name = party_name(supplier);
        values.supplier_tax_id = party_tax_identifier(supplier);
    }
    if let Some(customer) = first_at_path(root, &["AccountingCustomerParty", "Party"]) {
        values.customer_name = party_name(customer);
        values.customer_tax_id = party_tax_identifier(customer);
    }
    values.iban_candidates = all_at_path(root, &["PaymentMeans", "PayeeFinancialAccount", "ID"]).into_iter().filter_map(element_text).collect();

    let tax_totals = all_at_path(root, &["TaxTotal"]);
    let tax_total_in_document_currency = tax_totals
        .iter()
        .find(|tax_total| {
            let currency = first_at_path(**tax_total, &["TaxAmount"]).and_then(|amount| amount.attribute("currencyID")).map(str::trim);
            currency.is_none() || currency == values.currency.as_deref()
        })
        .or_else(|| tax_totals.first())
        .copied();
    if let Some(tax_total) = tax_total_in_document_currency {
        values.tax_amount = text_at_path(tax_total, &["TaxAmount"]).as_deref().and_then(parse_xml_decimal);
        values.tax_rates = all_at_path(tax_total, &["TaxSubtotal"])
            .into_iter()
            .map(|subtotal| text_at_path(subtotal, &["TaxCategory", "Percent"]).as_deref().and_then(parse_xml_decimal).unwrap_or(Decimal::ZERO))
            .collect();
    }
    let monetary_total = first_at_path(root, &["LegalMonetaryTotal"]);
    let monetary_amount = |name: &'static str| monetary_total.and_then(|total| text_at_path(total, &[name])).as_deref().and_then(parse_xml_decimal);
    values.subtotal = monetary_amount("TaxExclusiveAmount");
    values.total = monetary_amount("TaxInclusiveAmount");
    if values.total.is_none() {
        const TOTAL_ELEMENT: &str = "LegalMonetaryTotal/TaxInclusiveAmount";
        let written = monetary_total.and_then(|total| text_at_path(total, &["TaxInclusiveAmount"]));
        return Err(match written {
            Some(_) => EInvoiceError::InvalidValue { format, field: "total", element: TOTAL_ELEMENT, expected: "decimal amount" },
            None => EInvoiceError::MissingField { format, field: "total", element: TOTAL_ELEMENT },
        });
    }
    values.line_items = all_at_path(root, &[line_element]).into_iter().map(|line| line_values(line, quantity_element)).collect();
    let profile = text_at_path(root, &["CustomizationID"]);
    Ok(values.into_einvoice(format, profile))
}

/// The legal name (BT-27), else the trading name.
fn party_name(party: Node) -> Option<String> {
    text_at_path(party, &["PartyLegalEntity", "RegistrationName"]).or_else(|| text_at_path(party, &["PartyName", "Name"]))
}

/// The VAT identifier (tax scheme `VAT`), else the first other tax
/// registration (a national tax number).
fn party_tax_identifier(party: Node) -> Option<String> {
    let schemes = all_at_path(party, &["PartyTaxScheme"]);
    let is_vat = |scheme: &Node| text_at_path(*scheme, &["TaxScheme", "ID"]).is_some_and(|id| id.eq_ignore_ascii_case("VAT"));
    schemes
        .iter()
        .filter(|scheme| is_vat(scheme))
        .chain(schemes.iter().filter(|scheme| !is_vat(scheme)))
        .find_map(|scheme| text_at_path(*scheme, &["CompanyID"]))
}

fn line_values(line: Node, quantity_element: &'static str) -> LineValues {
    let decimal_at = |path: &[&'static str]| text_at_path(line, path).as_deref().and_then(parse_xml_decimal);
    let price = decimal_at(&["Price", "PriceAmount"]);
    let price_basis = decimal_at(&["Price", "BaseQuantity"]).filter(|basis| !basis.is_zero());
    LineValues {
        description: text_at_path(line, &["Item", "Name"]).or_else(|| text_at_path(line, &["Item", "Description"])),
        quantity: decimal_at(&[quantity_element]),
        unit_price: price.map(|price| price_basis.map_or(price, |basis| price / basis)),
        amount: decimal_at(&["LineExtensionAmount"]),
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_einvoice_xml;
    use super::*;

    fn ubl_document(root: &str, type_code: &str, tax_subtotals: &str, monetary_total: &str) -> String {
        let (line, quantity) = if root == "CreditNote" { ("CreditNoteLine", "CreditedQuantity") } else { ("InvoiceLine", "InvoicedQuantity") };
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
  <cbc:ID>CN-001</cbc:ID>
  <cbc:IssueDate>2024-05-15</cbc:IssueDate>
  <cbc:{root}TypeCode>{type_code}</cbc:{root}TypeCode>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cac:OrderReference><cbc:ID>NA</cbc:ID></cac:OrderReference>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PartyName><cbc:Name>Provide One</cbc:Name></cac:PartyName>
    <cac:PartyTaxScheme><cbc:CompanyID>12/345/67890</cbc:CompanyID><cac:TaxScheme><cbc:ID>FC</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
    <cac:PartyTaxScheme><cbc:CompanyID>DE 111111125</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
    <cac:PartyLegalEntity><cbc:RegistrationName>Provide One GmbH</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cac:PartyName><cbc:Name>Sample Consumer</cbc:Name></cac:PartyName>
  </cac:Party></cac:AccountingCustomerParty>
  <cac:PaymentMeans>
    <cbc:PaymentMeansCode>58</cbc:PaymentMeansCode>
    <cbc:PaymentDueDate>2024-06-14</cbc:PaymentDueDate>
    <cac:PayeeFinancialAccount><cbc:ID>NO93 8601 1117 947</cbc:ID></cac:PayeeFinancialAccount>
  </cac:PaymentMeans>
  <cac:TaxTotal>
    <cbc:TaxAmount currencyID="EUR">342.00</cbc:TaxAmount>
    {tax_subtotals}
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>{monetary_total}</cac:LegalMonetaryTotal>
  <cac:{line}>
    <cbc:ID>1</cbc:ID>
    <cbc:{quantity} unitCode="HUR">20</cbc:{quantity}>
    <cbc:LineExtensionAmount currencyID="EUR">1800.00</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>Development services</cbc:Name></cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="EUR">90.00</cbc:PriceAmount></cac:Price>
  </cac:{line}>
</{root}>"#
        )
    }

    const ONE_RATE: &str = r#"<cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">1800.00</cbc:TaxableAmount><cbc:TaxAmount currencyID="EUR">342.00</cbc:TaxAmount><cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>19</cbc:Percent></cac:TaxCategory></cac:TaxSubtotal>"#;
    const TOTALS: &str = r#"<cbc:LineExtensionAmount currencyID="EUR">1800.00</cbc:LineExtensionAmount><cbc:TaxExclusiveAmount currencyID="EUR">1800.00</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount currencyID="EUR">2142.00</cbc:TaxInclusiveAmount><cbc:PrepaidAmount currencyID="EUR">1000.00</cbc:PrepaidAmount><cbc:PayableAmount currencyID="EUR">1142.00</cbc:PayableAmount>"#;

    #[test]
    fn a_peppol_invoice_gives_the_total_before_prepayment_and_the_vat_identifier() {
        let einvoice = parse_einvoice_xml(ubl_document("Invoice", "380", ONE_RATE, TOTALS).as_bytes()).unwrap();
        assert_eq!(einvoice.format, EInvoiceFormat::UblInvoice);
        let value = |name: &str| einvoice.fields.get(name).map(|field| field.value.as_str());
        assert_eq!(value("invoice_number"), Some("CN-001"));
        assert_eq!(value("issue_date"), Some("2024-05-15"));
        assert_eq!(value("due_date"), Some("2024-06-14"));
        assert_eq!(value("supplier_name"), Some("Provide One GmbH"));
        assert_eq!(value("supplier_tax_id"), Some("DE111111125"));
        assert_eq!(value("customer_name"), Some("Sample Consumer"));
        assert_eq!(value("invoice_type"), Some("invoice"));
        assert_eq!(value("subtotal"), Some("1800.00"));
        assert_eq!(value("tax_amount"), Some("342.00"));
        assert_eq!(value("total"), Some("2142.00"));
        assert_eq!(value("tax_rate"), Some("19"));
        assert_eq!(value("iban"), Some("NO9386011117947"));
        assert_eq!(value("po_number"), None, "Peppol's NA placeholder is not an order number");
        assert_eq!(einvoice.line_items.len(), 1);
        assert_eq!(einvoice.line_items[0].unit_price.as_deref(), Some("90.00"));
    }

    #[test]
    fn a_ubl_credit_note_comes_out_negative_with_its_credited_lines() {
        let einvoice = parse_einvoice_xml(ubl_document("CreditNote", "381", ONE_RATE, TOTALS).as_bytes()).unwrap();
        assert_eq!(einvoice.format, EInvoiceFormat::UblCreditNote);
        assert_eq!(einvoice.fields["invoice_type"].value, "credit_note");
        assert_eq!(einvoice.fields["subtotal"].value, "-1800.00");
        assert_eq!(einvoice.fields["tax_amount"].value, "-342.00");
        assert_eq!(einvoice.fields["total"].value, "-2142.00");
        assert_eq!(einvoice.line_items[0].quantity.as_deref(), Some("-20"));
        assert_eq!(einvoice.line_items[0].amount.as_deref(), Some("-1800.00"));
    }

    #[test]
    fn several_tax_categories_give_no_tax_rate() {
        let two_rates = format!(
            "{ONE_RATE}{}",
            r#"<cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">0</cbc:TaxableAmount><cbc:TaxAmount currencyID="EUR">0</cbc:TaxAmount><cac:TaxCategory><cbc:ID>Z</cbc:ID><cbc:Percent>0</cbc:Percent></cac:TaxCategory></cac:TaxSubtotal>"#
        );
        let einvoice = parse_einvoice_xml(ubl_document("Invoice", "380", &two_rates, TOTALS).as_bytes()).unwrap();
        assert!(!einvoice.fields.contains_key("tax_rate"));
    }

    #[test]
    fn a_missing_tax_inclusive_amount_is_an_error_naming_it() {
        let without_total = r#"<cbc:TaxExclusiveAmount currencyID="EUR">1800.00</cbc:TaxExclusiveAmount><cbc:PayableAmount currencyID="EUR">1142.00</cbc:PayableAmount>"#;
        let error = parse_einvoice_xml(ubl_document("Invoice", "380", ONE_RATE, without_total).as_bytes()).unwrap_err();
        assert_eq!(error, EInvoiceError::MissingField { format: EInvoiceFormat::UblInvoice, field: "total", element: "LegalMonetaryTotal/TaxInclusiveAmount" });
        assert_eq!(error.to_string(), "the UBL invoice has no LegalMonetaryTotal/TaxInclusiveAmount (total), which this format requires");
    }

    #[test]
    fn the_tax_total_in_the_document_currency_wins_over_the_one_in_the_tax_currency() {
        let document = ubl_document("Invoice", "380", ONE_RATE, TOTALS).replace(
            "<cac:TaxTotal>",
            r#"<cac:TaxTotal><cbc:TaxAmount currencyID="DKK">2550.00</cbc:TaxAmount></cac:TaxTotal><cac:TaxTotal>"#,
        );
        let einvoice = parse_einvoice_xml(document.as_bytes()).unwrap();
        assert_eq!(einvoice.fields["tax_amount"].value, "342.00");
    }
}
