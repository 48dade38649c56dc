//! Spanish Facturae 3.2, 3.2.1 and 3.2.2 (the FACe / FACeB2B format), plain
//! `.xml` or XAdES-signed `.xsig`: a signed file is the same document with a
//! `ds:Signature` element after `Invoices`, which this reader never looks at.
//!
//! A Facturae file is a batch (`FileHeader/Batch`) of one or more invoices
//! between the same two parties (`Parties`). The contract describes one
//! invoice per file, so a batch of several is refused with a message that
//! says so rather than read half.
//!
//! Mapping:
//!
//! | field | element |
//! |---|---|
//! | invoice_number | `InvoiceHeader/InvoiceNumber` (the series, `InvoiceSeriesCode`, is a separate element and is not prefixed) |
//! | invoice_type | `credit_note` for a rectificativa: `InvoiceClass` `OR` / `CR`, or a `Corrective` block; amounts keep their written sign |
//! | issue_date | `InvoiceIssueData/IssueDate` |
//! | due_date | `PaymentDetails/Installment/InstallmentDueDate`, when one |
//! | supplier / customer | `SellerParty` / `BuyerParty`: `TaxIdentification/TaxIdentificationNumber`; `LegalEntity/CorporateName`, or an `Individual`'s `Name FirstSurname SecondSurname` |
//! | currency | `InvoiceIssueData/InvoiceCurrencyCode` |
//! | subtotal | `InvoiceTotals/TotalGrossAmountBeforeTaxes` (after general discounts and charges: the tax base) |
//! | tax_amount | `InvoiceTotals/TotalTaxOutputs` (IVA / IGIC / IPSI including recargo de equivalencia) |
//! | withholding_amount | `InvoiceTotals/TotalTaxesWithheld` (IRPF) |
//! | total | `InvoiceTotals/InvoiceTotal` (already net of the withholding) |
//! | tax_rate | `TaxesOutputs/Tax/TaxRate` when one rate and no recargo |
//! | iban | `Installment/AccountToBeCredited/IBAN`, when one |
//! | po_number | `InvoiceLine/ReceiverTransactionReference` (the buyer's order reference), when one |

use roxmltree::Node;

use super::invoice_values::{DocumentNature, InvoiceValues, LineValues, single_distinct_value};
use super::xml_document::{all_at_path, element_text, first_at_path, parse_xml_date, parse_xml_decimal, text_at_path};
use super::{EInvoice, EInvoiceError, EInvoiceFormat};

const FORMAT: EInvoiceFormat = EInvoiceFormat::Facturae;

/// Reads the one invoice of a Facturae file.
pub fn parse_facturae(root: Node) -> Result<EInvoice, EInvoiceError> {
    let invoices = all_at_path(root, &["Invoices", "Invoice"]);
    let invoice = match invoices.as_slice() {
        [invoice] => *invoice,
        [] => return Err(EInvoiceError::MissingField { format: FORMAT, field: "invoice", element: "Invoices/Invoice" }),
        several => return Err(EInvoiceError::SeveralInvoices { format: FORMAT, count: several.len() }),
    };
    let profile = text_at_path(root, &["FileHeader", "SchemaVersion"]);
    let mut values = InvoiceValues {
        invoice_number: text_at_path(invoice, &["InvoiceHeader", "InvoiceNumber"]),
        issue_date: text_at_path(invoice, &["InvoiceIssueData", "IssueDate"]).as_deref().and_then(parse_xml_date),
        currency: text_at_path(invoice, &["InvoiceIssueData", "InvoiceCurrencyCode"])
            .or_else(|| text_at_path(root, &["FileHeader", "Batch", "InvoiceCurrencyCode"])),
        ..InvoiceValues::default()
    };
    let invoice_class = text_at_path(invoice, &["InvoiceHeader", "InvoiceClass"]);
    let is_rectificativa = matches!(invoice_class.as_deref(), Some("OR" | "CR")) || first_at_path(invoice, &["InvoiceHeader", "Corrective"]).is_some();
    if is_rectificativa {
        values.nature = DocumentNature::CorrectiveWithSignedAmounts;
    }
    if let Some(seller) = first_at_path(root, &["Parties", "SellerParty"]) {
        values.supplier_name = party_name(seller);
        values.supplier_tax_id = text_at_path(seller, &["TaxIdentification", "TaxIdentificationNumber"]);
    }
    if let Some(buyer) = first_at_path(root, &["Parties", "BuyerParty"]) {
        values.customer_name = party_name(buyer);
        values.customer_tax_id = text_at_path(buyer, &["TaxIdentification", "TaxIdentificationNumber"]);
    }
    let installments = all_at_path(invoice, &["PaymentDetails", "Installment"]);
    values.due_date = single_distinct_value(installments.iter().filter_map(|installment| {
        text_at_path(*installment, &["InstallmentDueDate"]).as_deref().and_then(parse_xml_date)
    }));
    values.iban_candidates = installments.iter().filter_map(|installment| text_at_path(*installment, &["AccountToBeCredited", "IBAN"])).collect();

    let output_taxes = all_at_path(invoice, &["TaxesOutputs", "Tax"]);
    values.tax_rates = output_taxes.iter().filter_map(|tax| text_at_path(*tax, &["TaxRate"]).as_deref().and_then(parse_xml_decimal)).collect();
    values.tax_amount_not_explained_by_one_rate = output_taxes.iter().any(|tax| {
        text_at_path(*tax, &["EquivalenceSurchargeAmount", "TotalAmount"]).as_deref().and_then(parse_xml_decimal).is_some_and(|surcharge| !surcharge.is_zero())
    });
    let totals = first_at_path(invoice, &["InvoiceTotals"]);
    let total_amount = |name: &'static str| totals.and_then(|totals| text_at_path(totals, &[name])).as_deref().and_then(parse_xml_decimal);
    values.subtotal = total_amount("TotalGrossAmountBeforeTaxes");
    values.tax_amount = total_amount("TotalTaxOutputs");
    values.withholding_amount = total_amount("TotalTaxesWithheld");
    values.total = total_amount("InvoiceTotal");
    if values.total.is_none() {
        const TOTAL_ELEMENT: &str = "InvoiceTotals/InvoiceTotal";
        let written = totals.and_then(|totals| text_at_path(totals, &["InvoiceTotal"]));
        return Err(match written {
            Some(_) => EInvoiceError::InvalidValue { format: FORMAT, field: "total", element: TOTAL_ELEMENT, expected: "decimal amount" },
            None => EInvoiceError::MissingField { format: FORMAT, field: "total", element: TOTAL_ELEMENT },
        });
    }
    let lines = all_at_path(invoice, &["Items", "InvoiceLine"]);
    values.po_number = single_distinct_value(lines.iter().filter_map(|line| text_at_path(*line, &["ReceiverTransactionReference"])));
    values.line_items = lines.into_iter().map(line_values).collect();
    Ok(values.into_einvoice(FORMAT, profile))
}

/// A company's registered name, or a person's name and surnames.
fn party_name(party: Node) -> Option<String> {
    if let Some(corporate_name) = text_at_path(party, &["LegalEntity", "CorporateName"]) {
        return Some(corporate_name);
    }
    let individual = first_at_path(party, &["Individual"])?;
    let parts: Vec<String> = ["Name", "FirstSurname", "SecondSurname"]
        .into_iter()
        .filter_map(|part| first_at_path(individual, &[part]).and_then(element_text))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn line_values(line: Node) -> LineValues {
    let decimal_at = |name: &'static str| text_at_path(line, &[name]).as_deref().and_then(parse_xml_decimal);
    LineValues {
        description: text_at_path(line, &["ItemDescription"]),
        quantity: decimal_at("Quantity"),
        unit_price: decimal_at("UnitPriceWithoutTax"),
        amount: decimal_at("GrossAmount").or_else(|| decimal_at("TotalCost")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_einvoice_xml;
    use super::*;

    fn facturae(invoice_class: &str, taxes_outputs: &str, invoice_totals: &str, invoices_repeated: usize) -> String {
        let invoice = format!(
            r#"<Invoice>
      <InvoiceHeader><InvoiceNumber>0042</InvoiceNumber><InvoiceSeriesCode>A</InvoiceSeriesCode><InvoiceDocumentType>FC</InvoiceDocumentType><InvoiceClass>{invoice_class}</InvoiceClass></InvoiceHeader>
      <InvoiceIssueData><IssueDate>2026-03-15</IssueDate><InvoiceCurrencyCode>EUR</InvoiceCurrencyCode><TaxCurrencyCode>EUR</TaxCurrencyCode><LanguageName>es</LanguageName></InvoiceIssueData>
      <TaxesOutputs>{taxes_outputs}</TaxesOutputs>
      <TaxesWithheld><Tax><TaxTypeCode>04</TaxTypeCode><TaxRate>15.00</TaxRate><TaxableBase><TotalAmount>1000.00</TotalAmount></TaxableBase><TaxAmount><TotalAmount>150.00</TotalAmount></TaxAmount></Tax></TaxesWithheld>
      <InvoiceTotals>{invoice_totals}</InvoiceTotals>
      <Items><InvoiceLine>
        <ReceiverTransactionReference>PED-77</ReceiverTransactionReference>
        <ItemDescription>Asesoría fiscal, marzo</ItemDescription><Quantity>10.0</Quantity><UnitOfMeasure>01</UnitOfMeasure>
        <UnitPriceWithoutTax>100.000000</UnitPriceWithoutTax><TotalCost>1000.000000</TotalCost><GrossAmount>1000.000000</GrossAmount>
      </InvoiceLine></Items>
      <PaymentDetails><Installment><InstallmentDueDate>2026-04-14</InstallmentDueDate><InstallmentAmount>1060.00</InstallmentAmount><PaymentMeans>04</PaymentMeans>
        <AccountToBeCredited><IBAN>ES91 2100 0418 4502 0005 1332</IBAN></AccountToBeCredited></Installment></PaymentDetails>
    </Invoice>"#
        );
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<fe:Facturae xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:fe="http://www.facturae.gob.es/formato/Versiones/Facturaev3_2_2.xml">
  <FileHeader><SchemaVersion>3.2.2</SchemaVersion><Modality>I</Modality><InvoiceIssuerType>EM</InvoiceIssuerType>
    <Batch><BatchIdentifier>B1</BatchIdentifier><InvoicesCount>{invoices_repeated}</InvoicesCount><InvoiceCurrencyCode>EUR</InvoiceCurrencyCode></Batch></FileHeader>
  <Parties>
    <SellerParty><TaxIdentification><PersonTypeCode>F</PersonTypeCode><ResidenceTypeCode>R</ResidenceTypeCode><TaxIdentificationNumber>12345678-Z</TaxIdentificationNumber></TaxIdentification>
      <Individual><Name>María</Name><FirstSurname>García</FirstSurname><SecondSurname>López</SecondSurname></Individual></SellerParty>
    <BuyerParty><TaxIdentification><PersonTypeCode>J</PersonTypeCode><ResidenceTypeCode>R</ResidenceTypeCode><TaxIdentificationNumber>B12345674</TaxIdentificationNumber></TaxIdentification>
      <LegalEntity><CorporateName>Comercial de Ejemplo, S.A.</CorporateName><TradeName>Ejemplo</TradeName></LegalEntity></BuyerParty>
  </Parties>
  <Invoices>{}</Invoices>
  <ds:Signature Id="Signature-1"><ds:SignedInfo/><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>
</fe:Facturae>"#,
            invoice.repeat(invoices_repeated)
        )
    }

    const IVA_21: &str = r#"<Tax><TaxTypeCode>01</TaxTypeCode><TaxRate>21.00</TaxRate><TaxableBase><TotalAmount>1000.00</TotalAmount></TaxableBase><TaxAmount><TotalAmount>210.00</TotalAmount></TaxAmount></Tax>"#;
    const TOTALS_WITH_IRPF: &str = r#"<TotalGrossAmount>1000.00</TotalGrossAmount><TotalGeneralDiscounts>0.00</TotalGeneralDiscounts><TotalGeneralSurcharges>0.00</TotalGeneralSurcharges><TotalGrossAmountBeforeTaxes>1000.00</TotalGrossAmountBeforeTaxes><TotalTaxOutputs>210.00</TotalTaxOutputs><TotalTaxesWithheld>150.00</TotalTaxesWithheld><InvoiceTotal>1060.00</InvoiceTotal><TotalOutstandingAmount>1060.00</TotalOutstandingAmount><TotalExecutableAmount>1060.00</TotalExecutableAmount>"#;

    #[test]
    fn a_signed_invoice_from_a_freelancer_gives_the_irpf_withholding_and_the_net_total() {
        let einvoice = parse_einvoice_xml(facturae("OO", IVA_21, TOTALS_WITH_IRPF, 1).as_bytes()).unwrap();
        assert_eq!(einvoice.format, EInvoiceFormat::Facturae);
        assert_eq!(einvoice.profile.as_deref(), Some("3.2.2"));
        let value = |name: &str| einvoice.fields.get(name).map(|field| field.value.as_str());
        assert_eq!(value("invoice_number"), Some("0042"));
        assert_eq!(value("issue_date"), Some("2026-03-15"));
        assert_eq!(value("due_date"), Some("2026-04-14"));
        assert_eq!(value("supplier_name"), Some("María García López"));
        assert_eq!(value("supplier_tax_id"), Some("12345678Z"));
        assert_eq!(value("customer_name"), Some("Comercial de Ejemplo, S.A."));
        assert_eq!(value("customer_tax_id"), Some("B12345674"));
        assert_eq!(value("currency"), Some("EUR"));
        assert_eq!(value("invoice_type"), Some("invoice"));
        assert_eq!(value("subtotal"), Some("1000.00"));
        assert_eq!(value("tax_amount"), Some("210.00"));
        assert_eq!(value("withholding_amount"), Some("150.00"));
        assert_eq!(value("total"), Some("1060.00"));
        assert_eq!(value("tax_rate"), Some("21"));
        assert_eq!(value("iban"), Some("ES9121000418450200051332"));
        assert_eq!(value("po_number"), Some("PED-77"));
        assert_eq!(einvoice.line_items.len(), 1);
        assert_eq!(einvoice.line_items[0].description.as_deref(), Some("Asesoría fiscal, marzo"));
        assert_eq!(einvoice.line_items[0].quantity.as_deref(), Some("10"));
        assert_eq!(einvoice.line_items[0].amount.as_deref(), Some("1000.00"));
    }

    #[test]
    fn a_rectificativa_is_a_credit_note_and_keeps_its_negative_amounts() {
        let negative_iva = IVA_21.replace("1000.00", "-1000.00").replace("210.00", "-210.00");
        let negative_totals = r#"<TotalGrossAmountBeforeTaxes>-1000.00</TotalGrossAmountBeforeTaxes><TotalTaxOutputs>-210.00</TotalTaxOutputs><TotalTaxesWithheld>-150.00</TotalTaxesWithheld><InvoiceTotal>-1060.00</InvoiceTotal>"#;
        let einvoice = parse_einvoice_xml(facturae("OR", &negative_iva, negative_totals, 1).as_bytes()).unwrap();
        let value = |name: &str| einvoice.fields.get(name).map(|field| field.value.as_str());
        assert_eq!(value("invoice_type"), Some("credit_note"));
        assert_eq!(value("subtotal"), Some("-1000.00"));
        assert_eq!(value("tax_amount"), Some("-210.00"));
        assert_eq!(value("withholding_amount"), Some("-150.00"));
        assert_eq!(value("total"), Some("-1060.00"));
    }

    #[test]
    fn two_iva_rates_or_a_recargo_de_equivalencia_give_no_tax_rate() {
        let two_rates = format!("{IVA_21}{}", IVA_21.replace("21.00", "10.00"));
        let einvoice = parse_einvoice_xml(facturae("OO", &two_rates, TOTALS_WITH_IRPF, 1).as_bytes()).unwrap();
        assert!(!einvoice.fields.contains_key("tax_rate"));
        let with_recargo = IVA_21.replace(
            "</TaxAmount></Tax>",
            "</TaxAmount><EquivalenceSurcharge>5.20</EquivalenceSurcharge><EquivalenceSurchargeAmount><TotalAmount>52.00</TotalAmount></EquivalenceSurchargeAmount></Tax>",
        );
        let einvoice = parse_einvoice_xml(facturae("OO", &with_recargo, TOTALS_WITH_IRPF, 1).as_bytes()).unwrap();
        assert!(!einvoice.fields.contains_key("tax_rate"));
    }

    #[test]
    fn a_missing_invoice_total_is_an_error_naming_it() {
        let without_total = r#"<TotalGrossAmountBeforeTaxes>1000.00</TotalGrossAmountBeforeTaxes><TotalTaxOutputs>210.00</TotalTaxOutputs>"#;
        let error = parse_einvoice_xml(facturae("OO", IVA_21, without_total, 1).as_bytes()).unwrap_err();
        assert_eq!(error, EInvoiceError::MissingField { format: FORMAT, field: "total", element: "InvoiceTotals/InvoiceTotal" });
        assert!(error.to_string().contains("InvoiceTotals/InvoiceTotal (total)"));
    }

    #[test]
    fn a_batch_of_several_invoices_is_refused_with_its_count() {
        let error = parse_einvoice_xml(facturae("OO", IVA_21, TOTALS_WITH_IRPF, 3).as_bytes()).unwrap_err();
        assert_eq!(error, EInvoiceError::SeveralInvoices { format: FORMAT, count: 3 });
        assert_eq!(error.failure_code(), "unsupported_format");
    }
}
