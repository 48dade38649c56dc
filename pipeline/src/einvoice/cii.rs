//! UN/CEFACT Cross Industry Invoice: Factur-X, ZUGFeRD 2.x and XRechnung CII
//! (`rsm:CrossIndustryInvoice`, CII D16B), and ZUGFeRD 1.0
//! (`rsm:CrossIndustryDocument`).
//!
//! Both generations have the same shape (a document header, then one trade
//! transaction with agreement, delivery and settlement parts, at header and
//! at line level) and differ only in element names, so one reader walks
//! both through a [`CrossIndustryDialect`] table.
//!
//! Mapping (EN 16931 business terms in brackets):
//!
//! | field | element |
//! |---|---|
//! | invoice_number | `ExchangedDocument/ID` (BT-1) |
//! | issue_date | `ExchangedDocument/IssueDateTime` (BT-2, format `102`) |
//! | invoice_type | `ExchangedDocument/TypeCode` (BT-3): 381 and the other credit note codes, 384 corrective |
//! | supplier / customer | `SellerTradeParty` / `BuyerTradeParty`: `Name`, `SpecifiedTaxRegistration/ID` (`schemeID="VA"` first, then `FC`) |
//! | po_number | `BuyerOrderReferencedDocument/IssuerAssignedID` (BT-13) |
//! | currency | `InvoiceCurrencyCode` (BT-5) |
//! | due_date | `SpecifiedTradePaymentTerms/DueDateDateTime` (BT-9), when one |
//! | iban | `PayeePartyCreditorFinancialAccount/IBANID` (BT-84), when one |
//! | subtotal | `TaxBasisTotalAmount` (BT-109) |
//! | tax_amount | `TaxTotalAmount` in the invoice currency (BT-110) |
//! | total | `GrandTotalAmount` (BT-112); the amount due after prepayment is `DuePayableAmount` (BT-115) |
//! | tax_rate | header `ApplicableTradeTax/RateApplicablePercent` (ZUGFeRD 1.0: `ApplicablePercent`), when one; a tax without a rate counts as 0 % |

use roxmltree::Node;
use rust_decimal::Decimal;

use super::invoice_values::{DocumentNature, InvoiceValues, LineValues, single_distinct_value};
use super::xml_document::{all_at_path, element_text, first_at_path, parse_xml_date, parse_xml_decimal, text_at_path};
use super::{EInvoice, EInvoiceError, EInvoiceFormat};

/// The element names of one CII generation.
struct CrossIndustryDialect {
    document_context: &'static str,
    header_document: &'static str,
    transaction: &'static str,
    header_agreement: &'static str,
    header_settlement: &'static str,
    header_summation: &'static str,
    buyer_order_identifier: &'static str,
    line_agreement: &'static str,
    line_delivery: &'static str,
    line_settlement: &'static str,
    line_summation: &'static str,
    /// The tax rate in percent inside `ApplicableTradeTax`.
    tax_rate_percent: &'static str,
    /// How the grand total is named in error messages.
    grand_total_element: &'static str,
}

/// CII D16B, as used by Factur-X 1.0, ZUGFeRD 2.x and XRechnung.
const CROSS_INDUSTRY_INVOICE: CrossIndustryDialect = CrossIndustryDialect {
    document_context: "ExchangedDocumentContext",
    header_document: "ExchangedDocument",
    transaction: "SupplyChainTradeTransaction",
    header_agreement: "ApplicableHeaderTradeAgreement",
    header_settlement: "ApplicableHeaderTradeSettlement",
    header_summation: "SpecifiedTradeSettlementHeaderMonetarySummation",
    buyer_order_identifier: "IssuerAssignedID",
    line_agreement: "SpecifiedLineTradeAgreement",
    line_delivery: "SpecifiedLineTradeDelivery",
    line_settlement: "SpecifiedLineTradeSettlement",
    line_summation: "SpecifiedTradeSettlementLineMonetarySummation",
    tax_rate_percent: "RateApplicablePercent",
    grand_total_element: "SpecifiedTradeSettlementHeaderMonetarySummation/GrandTotalAmount",
};

/// ZUGFeRD 1.0 `CrossIndustryDocument` (CII D13B subset).
const ZUGFERD_CROSS_INDUSTRY_DOCUMENT: CrossIndustryDialect = CrossIndustryDialect {
    document_context: "SpecifiedExchangedDocumentContext",
    header_document: "HeaderExchangedDocument",
    transaction: "SpecifiedSupplyChainTradeTransaction",
    header_agreement: "ApplicableSupplyChainTradeAgreement",
    header_settlement: "ApplicableSupplyChainTradeSettlement",
    header_summation: "SpecifiedTradeSettlementMonetarySummation",
    buyer_order_identifier: "ID",
    line_agreement: "SpecifiedSupplyChainTradeAgreement",
    line_delivery: "SpecifiedSupplyChainTradeDelivery",
    line_settlement: "SpecifiedSupplyChainTradeSettlement",
    line_summation: "SpecifiedTradeSettlementMonetarySummation",
    tax_rate_percent: "ApplicablePercent",
    grand_total_element: "SpecifiedTradeSettlementMonetarySummation/GrandTotalAmount",
};

/// Reads a CII invoice (either generation, as `format` says).
pub fn parse_cross_industry_invoice(root: Node, format: EInvoiceFormat) -> Result<EInvoice, EInvoiceError> {
    let dialect = match format {
        EInvoiceFormat::ZugferdCrossIndustryDocument => &ZUGFERD_CROSS_INDUSTRY_DOCUMENT,
        _ => &CROSS_INDUSTRY_INVOICE,
    };
    let profile = text_at_path(root, &[dialect.document_context, "GuidelineSpecifiedDocumentContextParameter", "ID"]);
    let header_document = first_at_path(root, &[dialect.header_document]);
    let transaction = first_at_path(root, &[dialect.transaction]);
    let agreement = transaction.and_then(|transaction| first_at_path(transaction, &[dialect.header_agreement]));
    let settlement = transaction.and_then(|transaction| first_at_path(transaction, &[dialect.header_settlement]));
    let summation = settlement.and_then(|settlement| first_at_path(settlement, &[dialect.header_summation]));

    let mut values = InvoiceValues::default();
    if let Some(header_document) = header_document {
        values.invoice_number = text_at_path(header_document, &["ID"]);
        values.issue_date = text_at_path(header_document, &["IssueDateTime", "DateTimeString"]).as_deref().and_then(parse_xml_date);
        values.nature = DocumentNature::from_document_type_code(text_at_path(header_document, &["TypeCode"]).as_deref());
    }
    if let Some(agreement) = agreement {
        if let Some(seller) = first_at_path(agreement, &["SellerTradeParty"]) {
            values.supplier_name = text_at_path(seller, &["Name"]);
            values.supplier_tax_id = party_tax_registration(seller);
        }
        if let Some(buyer) = first_at_path(agreement, &["BuyerTradeParty"]) {
            values.customer_name = text_at_path(buyer, &["Name"]);
            values.customer_tax_id = party_tax_registration(buyer);
        }
        values.po_number = text_at_path(agreement, &["BuyerOrderReferencedDocument", dialect.buyer_order_identifier]);
    }
    if let Some(settlement) = settlement {
        values.currency = text_at_path(settlement, &["InvoiceCurrencyCode"]);
        let due_dates = all_at_path(settlement, &["SpecifiedTradePaymentTerms", "DueDateDateTime", "DateTimeString"])
            .into_iter()
            .filter_map(|node| element_text(node).as_deref().and_then(parse_xml_date));
        values.due_date = single_distinct_value(due_dates);
        values.iban_candidates = all_at_path(settlement, &["SpecifiedTradeSettlementPaymentMeans", "PayeePartyCreditorFinancialAccount", "IBANID"])
            .into_iter()
            .filter_map(element_text)
            .collect();
        let trade_taxes = all_at_path(settlement, &["ApplicableTradeTax"]);
        values.tax_rates = trade_taxes
            .iter()
            .map(|tax| text_at_path(*tax, &[dialect.tax_rate_percent]).as_deref().and_then(parse_xml_decimal).unwrap_or(Decimal::ZERO))
            .collect();
        let summation_amount = |name: &'static str| summation.and_then(|summation| text_at_path(summation, &[name])).as_deref().and_then(parse_xml_decimal);
        values.subtotal = summation_amount("TaxBasisTotalAmount").or_else(|| sum_of_amounts(&trade_taxes, "BasisAmount"));
        values.tax_amount = summation
            .and_then(|summation| tax_total_in_currency(summation, values.currency.as_deref()))
            .or_else(|| sum_of_amounts(&trade_taxes, "CalculatedAmount"));
        values.total = summation_amount("GrandTotalAmount");
    }
    if values.total.is_none() {
        let written = summation.and_then(|summation| text_at_path(summation, &["GrandTotalAmount"]));
        return Err(match written {
            Some(_) => EInvoiceError::InvalidValue { format, field: "total", element: dialect.grand_total_element, expected: "decimal amount" },
            None => EInvoiceError::MissingField { format, field: "total", element: dialect.grand_total_element },
        });
    }
    if let Some(transaction) = transaction {
        values.line_items = all_at_path(transaction, &["IncludedSupplyChainTradeLineItem"]).into_iter().map(|line| line_values(line, dialect)).collect();
    }
    Ok(values.into_einvoice(format, profile))
}

/// The party's VAT number (`schemeID="VA"`), else its tax number (`FC`),
/// else whatever registration it has.
fn party_tax_registration(party: Node) -> Option<String> {
    let registrations = all_at_path(party, &["SpecifiedTaxRegistration", "ID"]);
    let with_scheme = |scheme: &str| registrations.iter().find(|id| id.attribute("schemeID").map(str::trim) == Some(scheme)).and_then(|id| element_text(*id));
    with_scheme("VA").or_else(|| with_scheme("FC")).or_else(|| registrations.iter().find_map(|id| element_text(*id)))
}

/// `TaxTotalAmount` in the invoice currency: a document may also state it
/// in the tax currency (BT-111), in a second element.
fn tax_total_in_currency(summation: Node, invoice_currency: Option<&str>) -> Option<Decimal> {
    let totals = all_at_path(summation, &["TaxTotalAmount"]);
    let in_invoice_currency = totals.iter().find(|total| total.attribute("currencyID").map(str::trim) == invoice_currency && invoice_currency.is_some());
    let without_currency = totals.iter().find(|total| total.attribute("currencyID").is_none());
    let only_one = (totals.len() == 1).then(|| &totals[0]);
    in_invoice_currency.or(without_currency).or(only_one).and_then(|total| element_text(*total)).as_deref().and_then(parse_xml_decimal)
}

fn sum_of_amounts(nodes: &[Node], child_name: &'static str) -> Option<Decimal> {
    let amounts: Vec<Decimal> = nodes.iter().filter_map(|node| text_at_path(*node, &[child_name]).as_deref().and_then(parse_xml_decimal)).collect();
    (!amounts.is_empty()).then(|| amounts.iter().sum())
}

fn line_values(line: Node, dialect: &CrossIndustryDialect) -> LineValues {
    let decimal_at = |path: &[&'static str]| text_at_path(line, path).as_deref().and_then(parse_xml_decimal);
    let net_price = decimal_at(&[dialect.line_agreement, "NetPriceProductTradePrice", "ChargeAmount"]);
    let price_basis = decimal_at(&[dialect.line_agreement, "NetPriceProductTradePrice", "BasisQuantity"]).filter(|basis| !basis.is_zero());
    LineValues {
        description: text_at_path(line, &["SpecifiedTradeProduct", "Name"]),
        quantity: decimal_at(&[dialect.line_delivery, "BilledQuantity"]),
        unit_price: net_price.map(|price| price_basis.map_or(price, |basis| price / basis)),
        amount: decimal_at(&[dialect.line_settlement, dialect.line_summation, "LineTotalAmount"]),
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_einvoice_xml;
    use super::*;

    fn cross_industry_invoice(type_code: &str, header_taxes: &str, summation: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>AV-2026-7</ram:ID><ram:TypeCode>{type_code}</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">20260315</udt:DateTimeString></ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:SpecifiedTradeProduct><ram:Name>Farine
        de blé</ram:Name></ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>125.00</ram:ChargeAmount><ram:BasisQuantity unitCode="C62">100</ram:BasisQuantity></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="C62">80.000</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement><ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>100.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation></ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty><ram:Name>Au bon moulin</ram:Name>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="FC">201/113/40209</ram:ID></ram:SpecifiedTaxRegistration>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">FR 11 999999998</ram:ID></ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>Ma jolie boutique</ram:Name></ram:BuyerTradeParty>
      <ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>PO445</ram:IssuerAssignedID></ram:BuyerOrderReferencedDocument>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementPaymentMeans><ram:PayeePartyCreditorFinancialAccount><ram:IBANID>FR76 1000 0000 0000 0000 0000 097</ram:IBANID></ram:PayeePartyCreditorFinancialAccount></ram:SpecifiedTradeSettlementPaymentMeans>
      {header_taxes}
      <ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime><udt:DateTimeString format="102">20260415</udt:DateTimeString></ram:DueDateDateTime></ram:SpecifiedTradePaymentTerms>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>{summation}</ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>"#
        )
    }

    const ONE_RATE: &str = r#"<ram:ApplicableTradeTax><ram:CalculatedAmount>20.00</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode><ram:BasisAmount>100.00</ram:BasisAmount><ram:RateApplicablePercent>20.00</ram:RateApplicablePercent></ram:ApplicableTradeTax>"#;
    const TOTALS: &str = r#"<ram:TaxBasisTotalAmount>100.00</ram:TaxBasisTotalAmount><ram:TaxTotalAmount currencyID="USD">21.70</ram:TaxTotalAmount><ram:TaxTotalAmount currencyID="EUR">20.00</ram:TaxTotalAmount><ram:GrandTotalAmount>120.00</ram:GrandTotalAmount><ram:DuePayableAmount>120.00</ram:DuePayableAmount>"#;

    #[test]
    fn a_factur_x_invoice_gives_every_contract_field() {
        let einvoice = parse_einvoice_xml(cross_industry_invoice("380", ONE_RATE, TOTALS).as_bytes()).unwrap();
        assert_eq!(einvoice.format, EInvoiceFormat::CrossIndustryInvoice);
        assert_eq!(einvoice.profile.as_deref(), Some("urn:cen.eu:en16931:2017"));
        let value = |name: &str| einvoice.fields.get(name).map(|field| field.value.as_str());
        assert_eq!(value("invoice_number"), Some("AV-2026-7"));
        assert_eq!(value("issue_date"), Some("2026-03-15"));
        assert_eq!(value("due_date"), Some("2026-04-15"));
        assert_eq!(value("supplier_name"), Some("Au bon moulin"));
        assert_eq!(value("supplier_tax_id"), Some("FR11999999998"));
        assert_eq!(value("customer_name"), Some("Ma jolie boutique"));
        assert_eq!(value("customer_tax_id"), None);
        assert_eq!(value("currency"), Some("EUR"));
        assert_eq!(value("invoice_type"), Some("invoice"));
        assert_eq!(value("subtotal"), Some("100.00"));
        assert_eq!(value("tax_amount"), Some("20.00"));
        assert_eq!(value("total"), Some("120.00"));
        assert_eq!(value("tax_rate"), Some("20"));
        assert_eq!(value("iban"), Some("FR7610000000000000000000097"));
        assert_eq!(value("po_number"), Some("PO445"));
        assert_eq!(einvoice.line_items.len(), 1);
        let line = &einvoice.line_items[0];
        assert_eq!(line.description.as_deref(), Some("Farine de blé"));
        assert_eq!(line.quantity.as_deref(), Some("80"));
        assert_eq!(line.unit_price.as_deref(), Some("1.25"));
        assert_eq!(line.amount.as_deref(), Some("100.00"));
    }

    #[test]
    fn a_type_381_credit_note_written_with_positive_amounts_comes_out_negative() {
        let einvoice = parse_einvoice_xml(cross_industry_invoice("381", ONE_RATE, TOTALS).as_bytes()).unwrap();
        assert_eq!(einvoice.fields["invoice_type"].value, "credit_note");
        assert_eq!(einvoice.fields["subtotal"].value, "-100.00");
        assert_eq!(einvoice.fields["tax_amount"].value, "-20.00");
        assert_eq!(einvoice.fields["total"].value, "-120.00");
        assert_eq!(einvoice.line_items[0].amount.as_deref(), Some("-100.00"));
    }

    #[test]
    fn a_type_384_corrective_invoice_is_a_credit_note_with_the_signs_it_carries() {
        let negative = r#"<ram:TaxBasisTotalAmount>-7.67</ram:TaxBasisTotalAmount><ram:TaxTotalAmount currencyID="EUR">-1.12</ram:TaxTotalAmount><ram:GrandTotalAmount>-8.79</ram:GrandTotalAmount>"#;
        let einvoice = parse_einvoice_xml(cross_industry_invoice("384", ONE_RATE, negative).as_bytes()).unwrap();
        assert_eq!(einvoice.fields["invoice_type"].value, "credit_note");
        assert_eq!(einvoice.fields["total"].value, "-8.79");
    }

    #[test]
    fn two_tax_rates_give_no_tax_rate() {
        let two_rates = format!(
            "{ONE_RATE}{}",
            r#"<ram:ApplicableTradeTax><ram:CalculatedAmount>0.00</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode><ram:BasisAmount>10.00</ram:BasisAmount><ram:RateApplicablePercent>5.50</ram:RateApplicablePercent></ram:ApplicableTradeTax>"#
        );
        let einvoice = parse_einvoice_xml(cross_industry_invoice("380", &two_rates, TOTALS).as_bytes()).unwrap();
        assert!(!einvoice.fields.contains_key("tax_rate"));
    }

    #[test]
    fn a_missing_grand_total_is_an_error_naming_the_field_and_element() {
        let without_total = r#"<ram:TaxBasisTotalAmount>100.00</ram:TaxBasisTotalAmount>"#;
        let error = parse_einvoice_xml(cross_industry_invoice("380", ONE_RATE, without_total).as_bytes()).unwrap_err();
        assert_eq!(error, EInvoiceError::MissingField { format: EInvoiceFormat::CrossIndustryInvoice, field: "total", element: CROSS_INDUSTRY_INVOICE.grand_total_element });
        assert!(error.to_string().contains("GrandTotalAmount (total)"), "{error}");
    }

    #[test]
    fn an_unreadable_grand_total_is_an_invalid_value_not_a_missing_one() {
        let unreadable = r#"<ram:GrandTotalAmount>1.234,00</ram:GrandTotalAmount>"#;
        let error = parse_einvoice_xml(cross_industry_invoice("380", ONE_RATE, unreadable).as_bytes()).unwrap_err();
        assert!(matches!(error, EInvoiceError::InvalidValue { field: "total", .. }), "{error}");
    }

    #[test]
    fn a_zugferd_1_cross_industry_document_is_read_with_its_own_element_names() {
        let zugferd_1 = r#"<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15">
  <rsm:SpecifiedExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:ferd:CrossIndustryDocument:invoice:1p0:comfort</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:SpecifiedExchangedDocumentContext>
  <rsm:HeaderExchangedDocument>
    <ram:ID>471102</ram:ID><ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">20130305</udt:DateTimeString></ram:IssueDateTime>
  </rsm:HeaderExchangedDocument>
  <rsm:SpecifiedSupplyChainTradeTransaction>
    <ram:ApplicableSupplyChainTradeAgreement>
      <ram:BuyerReference>AB-312</ram:BuyerReference>
      <ram:SellerTradeParty><ram:Name>Lieferant GmbH</ram:Name><ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">DE123456789</ram:ID></ram:SpecifiedTaxRegistration></ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>Kunden AG Frankreich</ram:Name></ram:BuyerTradeParty>
      <ram:BuyerOrderReferencedDocument><ram:ID>PO-8</ram:ID></ram:BuyerOrderReferencedDocument>
    </ram:ApplicableSupplyChainTradeAgreement>
    <ram:ApplicableSupplyChainTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:ApplicableTradeTax><ram:CalculatedAmount currencyID="EUR">37.62</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode><ram:BasisAmount currencyID="EUR">198.00</ram:BasisAmount><ram:ApplicablePercent>19.00</ram:ApplicablePercent></ram:ApplicableTradeTax>
      <ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime><udt:DateTimeString format="102">20130404</udt:DateTimeString></ram:DueDateDateTime></ram:SpecifiedTradePaymentTerms>
      <ram:SpecifiedTradeSettlementMonetarySummation>
        <ram:LineTotalAmount currencyID="EUR">198.00</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount currencyID="EUR">198.00</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="EUR">37.62</ram:TaxTotalAmount>
        <ram:GrandTotalAmount currencyID="EUR">235.62</ram:GrandTotalAmount>
      </ram:SpecifiedTradeSettlementMonetarySummation>
    </ram:ApplicableSupplyChainTradeSettlement>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:SpecifiedSupplyChainTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount currencyID="EUR">9.90</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedSupplyChainTradeAgreement>
      <ram:SpecifiedSupplyChainTradeDelivery><ram:BilledQuantity unitCode="C62">20.0000</ram:BilledQuantity></ram:SpecifiedSupplyChainTradeDelivery>
      <ram:SpecifiedSupplyChainTradeSettlement><ram:SpecifiedTradeSettlementMonetarySummation><ram:LineTotalAmount currencyID="EUR">198.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementMonetarySummation></ram:SpecifiedSupplyChainTradeSettlement>
      <ram:SpecifiedTradeProduct><ram:Name>Trennblätter A4</ram:Name></ram:SpecifiedTradeProduct>
    </ram:IncludedSupplyChainTradeLineItem>
  </rsm:SpecifiedSupplyChainTradeTransaction>
</rsm:CrossIndustryDocument>"#;
        let einvoice = parse_einvoice_xml(zugferd_1.as_bytes()).unwrap();
        assert_eq!(einvoice.format, EInvoiceFormat::ZugferdCrossIndustryDocument);
        let value = |name: &str| einvoice.fields.get(name).map(|field| field.value.as_str());
        assert_eq!(value("invoice_number"), Some("471102"));
        assert_eq!(value("issue_date"), Some("2013-03-05"));
        assert_eq!(value("due_date"), Some("2013-04-04"));
        assert_eq!(value("supplier_tax_id"), Some("DE123456789"));
        assert_eq!(value("po_number"), Some("PO-8"));
        assert_eq!(value("subtotal"), Some("198.00"));
        assert_eq!(value("tax_amount"), Some("37.62"));
        assert_eq!(value("total"), Some("235.62"));
        assert_eq!(value("tax_rate"), Some("19"));
        assert_eq!(einvoice.line_items.len(), 1);
        assert_eq!(einvoice.line_items[0].quantity.as_deref(), Some("20"));
        assert_eq!(einvoice.line_items[0].amount.as_deref(), Some("198.00"));
    }
}
