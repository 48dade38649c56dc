//! Mexican CFDI (Comprobante Fiscal Digital por Internet) 3.3 and 4.0, and
//! the lower-case attribute names of the retired 3.2 where they differ.
//!
//! A CFDI keeps its values in attributes of `cfdi:Comprobante` and its
//! children. The SAT stamp (`TimbreFiscalDigital`, with the UUID) and
//! complements such as local taxes (`implocal:ImpuestosLocales`) are not
//! contract fields and are not read: a local tax is part of `Total` but not
//! of `tax_amount`, as the SAT totals are.
//!
//! Mapping:
//!
//! | field | attribute |
//! |---|---|
//! | invoice_number | `@Folio` (the series `@Serie` is separate; a CFDI without folio is identified by its UUID only and has no invoice number) |
//! | issue_date | `@Fecha` (date part) |
//! | invoice_type | `credit_note` for `@TipoDeComprobante="E"` (egreso), whose amounts are written unsigned and come out negative |
//! | supplier / customer | `Emisor` / `Receptor`: `@Nombre`, `@Rfc` |
//! | currency | `@Moneda` (`XXX`, "no currency", gives none) |
//! | subtotal | `@SubTotal − @Descuento`: the tax base, as the contract defines `subtotal` (the printed `SubTotal` is before the discount, and `SubTotal + trasladados − retenidos` would not give `Total`) |
//! | tax_amount | `Impuestos/@TotalImpuestosTrasladados` (else the sum of its `Traslado/@Importe`) |
//! | withholding_amount | `Impuestos/@TotalImpuestosRetenidos` (ISR and IVA retenidos) |
//! | total | `@Total` (`SubTotal − Descuento + trasladados − retenidos`, plus local taxes) |
//! | tax_rate | `Impuestos/Traslados/Traslado/@TasaOCuota` × 100, when one rate of factor `Tasa` |
//!
//! CFDI has no due date, bank account or buyer order number.

use roxmltree::Node;
use rust_decimal::Decimal;

use super::invoice_values::{DocumentNature, InvoiceValues, LineValues};
use super::xml_document::{all_at_path, attribute_text, first_at_path, parse_xml_date, parse_xml_decimal};
use super::{EInvoice, EInvoiceError, EInvoiceFormat};

const FORMAT: EInvoiceFormat = EInvoiceFormat::Cfdi;

/// Reads a `cfdi:Comprobante`.
pub fn parse_cfdi(comprobante: Node) -> Result<EInvoice, EInvoiceError> {
    let decimal_attribute = |node: Node, name: &'static str| cfdi_attribute(node, name).as_deref().and_then(parse_xml_decimal);
    let kind_of_voucher = cfdi_attribute(comprobante, "TipoDeComprobante");
    let mut values = InvoiceValues {
        invoice_number: cfdi_attribute(comprobante, "Folio"),
        issue_date: cfdi_attribute(comprobante, "Fecha").as_deref().and_then(parse_xml_date),
        currency: cfdi_attribute(comprobante, "Moneda"),
        nature: match kind_of_voucher.as_deref() {
            Some("E" | "egreso") => DocumentNature::CreditNoteWithUnsignedAmounts,
            _ => DocumentNature::Invoice,
        },
        subtotal: decimal_attribute(comprobante, "SubTotal")
            .map(|before_discount| before_discount - decimal_attribute(comprobante, "Descuento").unwrap_or(Decimal::ZERO)),
        total: decimal_attribute(comprobante, "Total"),
        ..InvoiceValues::default()
    };
    if let Some(issuer) = first_at_path(comprobante, &["Emisor"]) {
        values.supplier_name = cfdi_attribute(issuer, "Nombre");
        values.supplier_tax_id = cfdi_attribute(issuer, "Rfc");
    }
    if let Some(receiver) = first_at_path(comprobante, &["Receptor"]) {
        values.customer_name = cfdi_attribute(receiver, "Nombre");
        values.customer_tax_id = cfdi_attribute(receiver, "Rfc");
    }
    if let Some(taxes) = first_at_path(comprobante, &["Impuestos"]) {
        let transfers = all_at_path(taxes, &["Traslados", "Traslado"]);
        let transferred_amounts: Vec<Decimal> = transfers.iter().filter_map(|transfer| decimal_attribute(*transfer, "Importe")).collect();
        values.tax_amount = decimal_attribute(taxes, "TotalImpuestosTrasladados")
            .or_else(|| (!transferred_amounts.is_empty()).then(|| transferred_amounts.iter().sum()));
        values.withholding_amount = decimal_attribute(taxes, "TotalImpuestosRetenidos");
        for transfer in &transfers {
            match attribute_text(*transfer, "TipoFactor").as_deref() {
                Some("Exento") => values.tax_rates.push(Decimal::ZERO),
                Some("Cuota") => values.tax_amount_not_explained_by_one_rate = true,
                _ => match decimal_attribute(*transfer, "TasaOCuota").or_else(|| decimal_attribute(*transfer, "Tasa")) {
                    Some(fraction) if fraction <= Decimal::ONE => values.tax_rates.push(fraction * Decimal::ONE_HUNDRED),
                    Some(percent) => values.tax_rates.push(percent),
                    None => values.tax_amount_not_explained_by_one_rate = true,
                },
            }
        }
    }
    if values.total.is_none() {
        let written = cfdi_attribute(comprobante, "Total");
        return Err(match written {
            Some(_) => EInvoiceError::InvalidValue { format: FORMAT, field: "total", element: "Comprobante/@Total", expected: "decimal amount" },
            None => EInvoiceError::MissingField { format: FORMAT, field: "total", element: "Comprobante/@Total" },
        });
    }
    values.line_items = all_at_path(comprobante, &["Conceptos", "Concepto"])
        .into_iter()
        .map(|concept| LineValues {
            description: cfdi_attribute(concept, "Descripcion"),
            quantity: decimal_attribute(concept, "Cantidad"),
            unit_price: decimal_attribute(concept, "ValorUnitario"),
            amount: decimal_attribute(concept, "Importe"),
        })
        .collect();
    let profile = cfdi_attribute(comprobante, "Version");
    Ok(values.into_einvoice(FORMAT, profile))
}

/// An attribute by its CFDI 3.3 / 4.0 name (`Total`), or by the CFDI 3.2
/// spelling with a lower-case first letter (`total`).
fn cfdi_attribute(node: Node, name: &'static str) -> Option<String> {
    attribute_text(node, name).or_else(|| {
        let mut characters = name.chars();
        let first = characters.next()?;
        let lower_camel_case: String = first.to_lowercase().chain(characters).collect();
        attribute_text(node, &lower_camel_case)
    })
}

#[cfg(test)]
mod tests {
    use super::super::parse_einvoice_xml;
    use super::*;

    fn comprobante(version_namespace: &str, kind: &str, folio: &str, amounts: &str, taxes: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/{version_namespace}" Version="4.0" Serie="A" {folio} Fecha="2025-02-19T08:32:29"
  Moneda="MXN" TipoDeComprobante="{kind}" {amounts} Exportacion="01" LugarExpedicion="86000">
  <cfdi:Emisor Rfc="EKU9003173C9" Nombre="ESCUELA KEMPER URGATE" RegimenFiscal="601"/>
  <cfdi:Receptor Rfc="COSC8001137NA" Nombre="CARLOS CORTES SOTO" UsoCFDI="G03"/>
  <cfdi:Conceptos>
    <cfdi:Concepto ClaveProdServ="84111506" Cantidad="2.000000" ClaveUnidad="E48" Descripcion="Servicio de facturación" ValorUnitario="1000.00" Importe="2000.00" ObjetoImp="02"/>
  </cfdi:Conceptos>
  {taxes}
</cfdi:Comprobante>"#
        )
    }

    const IVA_AND_ISR_WITHHELD: &str = r#"<cfdi:Impuestos TotalImpuestosRetenidos="200.00" TotalImpuestosTrasladados="320.00">
    <cfdi:Retenciones><cfdi:Retencion Impuesto="001" Importe="200.00"/></cfdi:Retenciones>
    <cfdi:Traslados><cfdi:Traslado Base="2000.00" Impuesto="002" TipoFactor="Tasa" TasaOCuota="0.160000" Importe="320.00"/></cfdi:Traslados>
  </cfdi:Impuestos>"#;

    #[test]
    fn a_cfdi_4_with_isr_withheld_gives_the_withholding_as_a_positive_amount() {
        let xml = comprobante("4", "I", r#"Folio="167ABC""#, r#"SubTotal="2000.00" Total="2120.00""#, IVA_AND_ISR_WITHHELD);
        let einvoice = parse_einvoice_xml(xml.as_bytes()).unwrap();
        assert_eq!(einvoice.format, EInvoiceFormat::Cfdi);
        assert_eq!(einvoice.profile.as_deref(), Some("4.0"));
        let value = |name: &str| einvoice.fields.get(name).map(|field| field.value.as_str());
        assert_eq!(value("invoice_number"), Some("167ABC"));
        assert_eq!(value("issue_date"), Some("2025-02-19"));
        assert_eq!(value("supplier_name"), Some("ESCUELA KEMPER URGATE"));
        assert_eq!(value("supplier_tax_id"), Some("EKU9003173C9"));
        assert_eq!(value("customer_name"), Some("CARLOS CORTES SOTO"));
        assert_eq!(value("customer_tax_id"), Some("COSC8001137NA"));
        assert_eq!(value("currency"), Some("MXN"));
        assert_eq!(value("invoice_type"), Some("invoice"));
        assert_eq!(value("subtotal"), Some("2000.00"));
        assert_eq!(value("tax_amount"), Some("320.00"));
        assert_eq!(value("withholding_amount"), Some("200.00"));
        assert_eq!(value("total"), Some("2120.00"));
        assert_eq!(value("tax_rate"), Some("16"));
        assert_eq!(einvoice.line_items.len(), 1);
        assert_eq!(einvoice.line_items[0].description.as_deref(), Some("Servicio de facturación"));
        assert_eq!(einvoice.line_items[0].quantity.as_deref(), Some("2"));
    }

    #[test]
    fn an_egreso_is_a_credit_note_with_negative_amounts() {
        let xml = comprobante("4", "E", r#"Folio="NC-9""#, r#"SubTotal="2000.00" Total="2120.00""#, IVA_AND_ISR_WITHHELD);
        let einvoice = parse_einvoice_xml(xml.as_bytes()).unwrap();
        let value = |name: &str| einvoice.fields.get(name).map(|field| field.value.as_str());
        assert_eq!(value("invoice_type"), Some("credit_note"));
        assert_eq!(value("subtotal"), Some("-2000.00"));
        assert_eq!(value("tax_amount"), Some("-320.00"));
        assert_eq!(value("withholding_amount"), Some("-200.00"));
        assert_eq!(value("total"), Some("-2120.00"));
    }

    #[test]
    fn the_subtotal_is_the_tax_base_after_the_discount() {
        let xml = comprobante("4", "I", r#"Folio="1""#, r#"SubTotal="2500.00" Descuento="500.00" Total="2120.00""#, IVA_AND_ISR_WITHHELD);
        let einvoice = parse_einvoice_xml(xml.as_bytes()).unwrap();
        assert_eq!(einvoice.fields["subtotal"].value, "2000.00");
    }

    #[test]
    fn a_cfdi_without_folio_has_no_invoice_number() {
        let xml = comprobante("4", "I", "", r#"SubTotal="2000.00" Total="2120.00""#, IVA_AND_ISR_WITHHELD);
        let einvoice = parse_einvoice_xml(xml.as_bytes()).unwrap();
        assert!(!einvoice.fields.contains_key("invoice_number"));
    }

    #[test]
    fn iva_and_ieps_together_give_no_tax_rate() {
        let two_taxes = r#"<cfdi:Impuestos TotalImpuestosTrasladados="480.00"><cfdi:Traslados>
            <cfdi:Traslado Base="2000.00" Impuesto="002" TipoFactor="Tasa" TasaOCuota="0.160000" Importe="320.00"/>
            <cfdi:Traslado Base="2000.00" Impuesto="003" TipoFactor="Tasa" TasaOCuota="0.080000" Importe="160.00"/>
        </cfdi:Traslados></cfdi:Impuestos>"#;
        let xml = comprobante("3", "I", r#"Folio="1""#, r#"SubTotal="2000.00" Total="2480.00""#, two_taxes);
        let einvoice = parse_einvoice_xml(xml.as_bytes()).unwrap();
        assert_eq!(einvoice.fields["tax_amount"].value, "480.00");
        assert!(!einvoice.fields.contains_key("tax_rate"));
    }

    #[test]
    fn a_missing_total_attribute_is_an_error_naming_it() {
        let xml = comprobante("4", "I", r#"Folio="1""#, r#"SubTotal="2000.00""#, IVA_AND_ISR_WITHHELD);
        let error = parse_einvoice_xml(xml.as_bytes()).unwrap_err();
        assert_eq!(error, EInvoiceError::MissingField { format: FORMAT, field: "total", element: "Comprobante/@Total" });
        assert_eq!(error.to_string(), "the CFDI has no Comprobante/@Total (total), which this format requires");
    }

    #[test]
    fn a_latin1_cfdi_keeps_its_accents() {
        let xml = comprobante("4", "I", r#"Folio="1""#, r#"SubTotal="2000.00" Total="2120.00""#, IVA_AND_ISR_WITHHELD)
            .replace("UTF-8", "ISO-8859-1")
            .replace("CARLOS CORTES SOTO", "Carlos Cortés Soto");
        let latin1: Vec<u8> = xml.chars().map(|character| u8::try_from(u32::from(character)).unwrap()).collect();
        let einvoice = parse_einvoice_xml(&latin1).unwrap();
        assert_eq!(einvoice.fields["customer_name"].value, "Carlos Cortés Soto");
    }
}
