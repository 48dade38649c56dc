//! Finding the contract's invoice fields in text lines, for Spanish and
//! English documents (and tolerant of French and German labels).
//!
//! The approach is layout-aware, not one regex per supplier: each field has
//! label anchors in several wordings; a value is looked for to the right of
//! its label on the same line, then on the line below; candidates are
//! type-checked by the parsers (a date must be a real date, an IBAN must be
//! shaped like one); and arithmetic chooses between candidate totals
//! (subtotal + tax − withholding = total). Confidence starts from how the
//! value was found and is raised when arithmetic confirms it, lowered when
//! the reader (OCR) was unsure.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use rust_decimal::Decimal;

use crate::extraction::{ExtractedField, LineItem};
use crate::identifiers::iban::{find_iban_candidates, validate_iban};
use crate::identifiers::tax_id::{check_tax_id, repair_ocr_confusions_in_tax_id, TaxIdVerdict};
use crate::parse::amount::{detect_decimal_style, find_amounts, find_percentages, format_amount, DecimalStyle};
use crate::parse::date::{find_dates, format_date, DateOrder};
use crate::parse::spanish_accents::restore_dropped_accents;
use crate::parse::tax_id::find_tax_id_candidates;
use crate::read::TextLine;

/// The fields and line items found on an invoice.
#[derive(Debug, Clone, Default)]
pub struct InvoiceFields {
    pub fields: BTreeMap<String, ExtractedField>,
    pub line_items: Vec<LineItem>,
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("field label patterns are valid")
}

/// A label pattern, and its loosened twin ([`crate::parse::loosened`])
/// asked first on every line: Unicode `\b` makes the regex engine leave its
/// fast path on non-ASCII text, and most lines hold no label at all. Derefs
/// to the pattern.
struct LabelPattern {
    pattern: Regex,
    loosened: Regex,
}

impl LabelPattern {
    fn new(pattern: &str) -> Self {
        LabelPattern { pattern: regex(pattern), loosened: regex(&crate::parse::loosened(pattern)) }
    }

    /// False only where the pattern cannot match `text`.
    fn may_match(&self, text: &str) -> bool {
        self.loosened.is_match(text)
    }
}

impl std::ops::Deref for LabelPattern {
    type Target = Regex;

    fn deref(&self) -> &Regex {
        &self.pattern
    }
}

static INVOICE_NUMBER_LABEL: LazyLock<LabelPattern> = LazyLock::new(|| {
    LabelPattern::new(r"(?i)\b(n[úu]mero\s+de\s+factura(\s+rectificativa)?|n[ºo°2?®]{1,2}\.?\s*(de\s+)?factura(\s+rectificativa)?|factura(\s+rectificativa|\s+electr[óo]nica)?(\s+de\s+venta)?\s*(n[ºo°2?®]{1,2}\.?|n[úu]m(ero)?\.?|#)|invoice\.?\s*(no\.?|number|num\.?|nr\.?|#|id)|inv\.?\s*#|(credit\s+(note|memo)|nota\s+(de\s+)?cr[ée]dito)\s*(no\.?|number|n[úu]m(ero)?|n[ºo°2?®]{1,2}\.?|#)|rechnungs?-?n(umme)?r\.?|[a-zäöü]*(rechnung|gutschrift)[a-zäöü]*[\s\p{L}]{0,30}(\s*\([^)]{1,40}\)){0,2}\s*(nr\.?|nummer)|(facture|avoir)\s*n[°ºo]\.?|num[ée]ro\s+de\s+facture|factuur\s*(nummer|nr\.?)|folio\s*[:#]|receipt\s*(no\.?|number|#)|booking\s*(id|no\.?|number|ref(erence)?)|document\s*(no\.?|number))\s*[:\.#]?\s*")
});
static ISSUE_DATE_LABEL: LazyLock<LabelPattern> = LazyLock::new(|| {
    LabelPattern::new(r"(?i)(fecha\s+de\s+(emisi[óo]n|expedici[óo]n|factura)|fecha\s+factura|fecha|invoice\s+date|date\s+of\s+issue|issue\s+date|issued|dated|date|rechnungsdatum|factuur\s*datum|belegdatum|\bdatum|\bvom\b|date\s+de\s+facturation|date\s+de\s+la\s+facture|data\s+wystawienia)\s*[:\.]?\s*")
});
static DUE_DATE_LABEL: LazyLock<LabelPattern> = LazyLock::new(|| {
    LabelPattern::new(r"(?i)(fecha\s+de\s+vencimiento|fecha\s+l[íi]mite\s+de\s+pago|vencimiento|fecha\s+(de\s+)?vto\.?|\bvto\.?|due\s+date|payment\s+due|due\s+on|due\s+by|\bdue\s*(:|$)|pay\s+by|remit\s+until|pay(able)?\s+until|f[äa]llig(keitsdatum)?|[ée]ch[ée]ance|date\s+limite(\s+de\s+paiement)?|vervaldatum|zahlungsziel|zahlbar\s+bis|termin\s+p[łl]atno[śs]ci)\s*[:\.]?\s*")
});
static PO_NUMBER_LABEL: LazyLock<LabelPattern> = LazyLock::new(|| {
    LabelPattern::new(r"(?i)(orden\s+de\s+compra|n[ºo°2?®]{1,2}?\s*(de\s+)?pedido|\bpedido(\s+n[ºo°2?®]{1,2}\.?)?|purchase\s+order(\s+(no\.?|number|#))?|\bp\.?\s?o\.?\s*(no\.?|number|#|:)|order\s+(no\.?|number|#|ref\.?)|your\s+ref(erence)?\.?|su\s+referencia|su\s+ref\.?|bestellnummer)\s*[:\.#]?\s*")
});
static CUSTOMER_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)^\s*(cliente|facturar\s+a|facturado\s+a|destinatario|datos\s+del\s+cliente|receptor|adquiri?ente|comprador|se[ñn]or(es|a)?|customer|bill\s+to|billed\s+to|invoice\s+to|sold\s+to|ship\s+to|client|kunde|k[äa]ufer|leistungsempf[äa]nger|rechnungsempf[äa]nger|acheteur|nabywca)\b\s*[:\.]?\s*")
});
static SUPPLIER_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)^\s*(datos\s+del\s+(emisor|proveedor)|proveedor|emisor|vendedor|supplier|seller|from|vendor|verk[äa]ufer|rechnungssteller|fournisseur|vendeur|sprzedawca)\b\s*[:\.]?\s*")
});
static TAX_ID_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)\b(nif|cif|nie|n\.i\.f\.|c\.i\.f\.|nit|rfc|vat(\s+(reg(istration)?\.?|no\.?|number|id))*|tax\s*id|f?ein|tin|ust\.?-?\s?id\.?(-?\s?nr)?\.?|tva|siret|nip)\b")
});
static WITHHOLDING_LINE: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)(retenci[óo]n|irpf|withholding|ret\.\s*fuente|retefuente)"));
static SUBTOTAL_LINE: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)(sub-?\s?total|base\s+imponible|base\s+gravable|importe\s+neto|neto|net\s+amount|net\s+total|total\s+net|total\s+(sin|excl\.?|excluding|before|antes\s+de)\s|taxable\s+amount|nettobetrag|summe\s+netto|rechnungssumme\s+ohne\s+ust|netto\s*summe|total\s+ht|montant\s+ht|subtotaal|totaal\s+excl|exclusief\s+btw|excl\.?\s+(btw|vat|tax|iva|mwst)|ohne\s+(mwst|ust)|warto[śs][ćc]\s+netto)")
});
static TAX_LINE: LazyLock<LabelPattern> = LazyLock::new(|| {
    LabelPattern::new(r"(?i)(cuota(\s+de)?\s+i\.?v\.?a|\biva\b|i\.v\.a|\b[l1]\.?v\.\s?a\b|\bvat\b|sales\s+tax|\btax\b|impuesto|\bigv\b|\bgst\b|mwst|\bust\b|umsatzsteuer|steuerbetrag|\btva\b|\bbtw\b)")
});
/// A tax id label ("VAT No.", "Tax ID"): its line holds an id, not an amount.
static TAX_ID_LINE: LazyLock<LabelPattern> = LazyLock::new(|| {
    LabelPattern::new(r"(?i)(\bvat\s*(reg(istration)?\.?\s*)?(no\b|no\.|number|id\b|#)|\btax\s*id|federal\s+tax|\bnif\b|\bcif\b|\bnit\b|\brfc\b|\bf?ein\b|\btin\b|ust-?id|ust\.?-?id|steuer-?nummer|\bst\.?-?nr|n[°º]\s*tva|\bsiret\b|\bnip\b)")
});
static TAX_INCLUDED: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)(incl|includ|con\s+iva|with\s+(vat|tax)|ttc|brutto|iva\s+incluido)"));
static TOTAL_LINE: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)(^|[^a-z])(total|importe\s+total|amount\s+due|balance\s+due|amount\s+payable|amount\s+credited|grand\s+total|a\s+pagar|gesamtbetrag|rechnungsbetrag|endbetrag|bruttosumme|gesamtsumme|rechnungssumme(\s+(inkl|brutto))?|montant\s+ttc|net\s+[àa]\s+payer|somme\s+[àa]\s+payer|totaal|te\s+betalen|due\s+payable|total\s+payable|nale[żz]no[śs][ćc](\s+og[óo][łl]em)?|do\s+zap[łl]aty|razem)([^a-z]|$)")
});
static CREDIT_NOTE: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)(rectificativa|factura\s+de\s+abono|nota\s+(de\s+)?cr[ée]dito|credit\s+note|credit\s+memo|avoir|gutschrift)")
});
static LINE_ITEM_HEADER: LazyLock<(Regex, Regex)> = LazyLock::new(|| {
    (
        regex(r"(?i)(descripci[óo]n|concepto|description|item|art[íi]culo|producto|service|bezeichnung|d[ée]signation)"),
        regex(r"(?i)(cant(idad)?\.?|qty|quantity|uds\.?|unidades|units|hours|horas|menge|qt[ée])"),
    )
});
static CURRENCY_CODE: LazyLock<Regex> = LazyLock::new(|| regex(r"\b(EUR|USD|GBP|COP|MXN|INR|PLN|CHF|CAD|AUD|JPY|CNY|SEK|NOK|DKK|BRL|ARS|CLP|PEN)\b"));
static INVOICE_NUMBER_VALUE: LazyLock<Regex> = LazyLock::new(|| regex(r"^#?[A-Za-z0-9][A-Za-z0-9\-/_\.]*[0-9][A-Za-z0-9\-/_]*"));

/// Finds invoice fields in reading-order lines.
pub fn find_invoice_fields(lines: &[TextLine]) -> InvoiceFields {
    AMOUNT_ROLES.with(|roles| roles.borrow_mut().clear());
    AMOUNTS_IN.with(|amounts| amounts.borrow_mut().clear());
    let full_text: String = lines.iter().map(|line| line.text.as_str()).collect::<Vec<_>>().join("\n");
    let context = DocumentContext::from_text(&full_text);
    let mended = lines_with_ocr_traces_mended(lines, context.decimal_style);
    let lines = mended.as_deref().unwrap_or(lines);
    let mut found = InvoiceFields::default();
    let mut put = |name: &str, value: String, confidence: f32, line: &TextLine| {
        found.fields.insert(name.to_string(), field_at(value, confidence, line));
    };

    if let Some((value, confidence, line)) =
        find_labelled_token(lines, &INVOICE_NUMBER_LABEL, &INVOICE_NUMBER_VALUE).or_else(|| find_invoice_number_by_title(lines, context.date_order))
    {
        put("invoice_number", value, confidence, line);
    }
    if let Some((value, confidence, line)) = find_labelled_token(lines, &PO_NUMBER_LABEL, &INVOICE_NUMBER_VALUE) {
        put("po_number", value, confidence, line);
    }
    let due = find_labelled_date(lines, &DUE_DATE_LABEL, context.date_order, None);
    let issue = find_labelled_date(lines, &ISSUE_DATE_LABEL, context.date_order, due.as_ref().map(|(_, _, line)| *line));
    if let Some((date, confidence, line)) = &due {
        put("due_date", format_date(*date), *confidence, line);
    }
    match issue {
        Some((date, confidence, line)) => put("issue_date", format_date(date), confidence, line),
        None => {
            if let Some((date, line)) = first_date(lines, context.date_order, due.as_ref().map(|(date, _, _)| *date)) {
                put("issue_date", format_date(date), 0.6, line);
            }
        }
    }

    let amounts = find_amount_fields(lines, &context);
    // OCR that drops an amount's decimals ("$10,436." for "$10,436.92")
    // can drop them on every totals line alike, and the arithmetic then
    // holds on wrong values: such amounts are left for review.
    let decimals_lost = amounts.iter().any(|(_, (_, _, line))| amount_lost_its_decimals(&line.text));
    for (name, (value, confidence, line)) in amounts {
        let confidence = if decimals_lost { confidence.min(0.6) } else { confidence };
        put(name, format_amount(value), confidence, line);
    }
    if let Some((rate, line)) = single_tax_rate(lines) {
        put("tax_rate", rate.normalize().to_string(), 0.9, line);
    }
    if let Some((code, confidence, line)) = find_currency(lines, &context) {
        put("currency", code.to_string(), confidence, line);
    }
    if let Some((iban, confidence, line)) = find_iban(lines) {
        put("iban", iban, confidence, line);
    }
    let parties = find_parties(lines, &context);
    for (name, (value, confidence, line)) in parties {
        let value = if context.spanish && line.confidence < TEXT_LAYER_CONFIDENCE { restore_dropped_accents(&value).into_owned() } else { value };
        put(name, value, confidence, line);
    }
    let credit_note = CREDIT_NOTE.is_match(&full_text);
    if let Some(first) = lines.first() {
        put("invoice_type", if credit_note { "credit_note" } else { "invoice" }.to_string(), if credit_note { 0.9 } else { 0.8 }, first);
    }
    found.line_items = find_line_items(lines, &context);
    found
}

fn field_at(value: String, confidence: f32, line: &TextLine) -> ExtractedField {
    ExtractedField { value, confidence: (confidence * line.confidence.max(0.5)).clamp(0.0, 1.0), page: line.page, bbox: line.bbox }
}

/// The lines with two traces of OCR mended in their text, or `None` when no
/// line has either (the lines are then used as they are):
/// - on an OCR line, a currency amount whose decimal mark was read as a
///   colon (`-£211:21`) gets the document's decimal mark back;
/// - a minus sign standing apart from a currency amount (`Subtotal:  -
///   $652.00`, common in OCR of credit notes) is joined to it, so the amount
///   reads negative. Only a space inside a cell is dropped, never a cell
///   separator.
///
/// Replacing a colon keeps the byte length and dropping a space inside a
/// cell keeps the cells, so cell extents still hold.
fn lines_with_ocr_traces_mended(lines: &[TextLine], style: Option<DecimalStyle>) -> Option<Vec<TextLine>> {
    static COLON_FOR_DECIMAL_MARK: LazyLock<Regex> = LazyLock::new(|| regex(r"([£$€]\s?-?[\d.,]*\d):(\d{2})\b"));
    static DETACHED_MINUS: LazyLock<Regex> = LazyLock::new(|| regex(r"(^|  )- ([£$€]\s?\d)"));
    let decimal_mark = style.map(|style| match style {
        DecimalStyle::Comma => ",",
        DecimalStyle::Point => ".",
    });
    let mended = |line: &TextLine| -> Option<String> {
        let mut text = std::borrow::Cow::Borrowed(line.text.as_str());
        if let Some(mark) = decimal_mark
            && line.confidence < TEXT_LAYER_CONFIDENCE
            && COLON_FOR_DECIMAL_MARK.is_match(&text)
        {
            text = std::borrow::Cow::Owned(COLON_FOR_DECIMAL_MARK.replace_all(&text, format!("${{1}}{mark}${{2}}")).into_owned());
        }
        if DETACHED_MINUS.is_match(&text) {
            text = std::borrow::Cow::Owned(DETACHED_MINUS.replace_all(&text, "${1}-${2}").into_owned());
        }
        match text {
            std::borrow::Cow::Owned(text) => Some(text),
            std::borrow::Cow::Borrowed(_) => None,
        }
    };
    let mended_texts: Vec<Option<String>> = lines.iter().map(mended).collect();
    if mended_texts.iter().all(Option::is_none) {
        return None;
    }
    Some(
        lines
            .iter()
            .zip(mended_texts)
            .map(|(line, text)| match text {
                Some(text) => TextLine { text, ..line.clone() },
                None => line.clone(),
            })
            .collect(),
    )
}

/// Whether a line holds an amount cut off after its decimal separator
/// ("$10,436." or "861,"), the trace of digits the reader lost.
fn amount_lost_its_decimals(text: &str) -> bool {
    static CUT_AFTER_SEPARATOR: LazyLock<Regex> = LazyLock::new(|| regex(r"\d[.,](\s|$)"));
    CUT_AFTER_SEPARATOR.is_match(text)
}

/// How the document writes numbers and dates, guessed from its whole text.
#[derive(Debug, Clone, Copy)]
pub struct DocumentContext {
    pub decimal_style: Option<DecimalStyle>,
    pub date_order: DateOrder,
    pub default_dollar_currency: &'static str,
    /// Whether the document is written in Spanish (it uses Spanish invoice
    /// words such as "factura", "fecha", "IVA").
    pub spanish: bool,
}

impl DocumentContext {
    pub fn from_text(text: &str) -> Self {
        let lower = text.to_lowercase();
        let mexican = lower.contains("rfc") || lower.contains("cfdi") || lower.contains("méxico") || lower.contains("mexico");
        let colombian = lower.contains("nit") && (lower.contains("colombia") || lower.contains("bogot") || lower.contains("medell") || lower.contains("dian"));
        let default_dollar_currency = if mexican { "MXN" } else if colombian { "COP" } else { "USD" };
        let spanish_words = ["factura", "fecha", "iva", "total a pagar", "cliente", "vencimiento"];
        let spanish = spanish_words.iter().any(|word| lower.contains(word));
        let english_us = lower.contains("sales tax") || (lower.contains("invoice") && text.contains('$') && !mexican && !colombian);
        let guessed_order = if english_us && !spanish { DateOrder::MonthFirst } else { DateOrder::DayFirst };
        // Both votes read ASCII digits, punctuation and `\b` only: the
        // text's ASCII shadow gives the same votes on the regex engine's
        // fast path.
        let shadow = crate::parse::ascii_shadow(text);
        let votes_text = shadow.as_deref().unwrap_or(text);
        let date_order = date_order_from_evidence(votes_text).unwrap_or(guessed_order);
        DocumentContext { decimal_style: detect_decimal_style(votes_text), date_order, default_dollar_currency, spanish }
    }
}

/// The date order a document proves by itself: a numeric date whose first
/// part is above 12 (`17/11/2017`) can only be day first, one whose second
/// part is above 12 (`11/17/2017`) only month first. `None` when the
/// document has no such date or has both kinds. The text's ASCII shadow
/// gives the same answer.
fn date_order_from_evidence(text: &str) -> Option<DateOrder> {
    static NUMERIC_DATE: LazyLock<Regex> = LazyLock::new(|| regex(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\b"));
    let (mut day_first, mut month_first) = (false, false);
    for captures in NUMERIC_DATE.captures_iter(text) {
        let first: u32 = captures[1].parse().unwrap_or(0);
        let second: u32 = captures[2].parse().unwrap_or(0);
        if (13..=31).contains(&first) && (1..=12).contains(&second) {
            day_first = true;
        }
        if (1..=12).contains(&first) && (13..=31).contains(&second) {
            month_first = true;
        }
    }
    match (day_first, month_first) {
        (true, false) => Some(DateOrder::DayFirst),
        (false, true) => Some(DateOrder::MonthFirst),
        _ => None,
    }
}

/// Where a label's value may stand, most likely first: the rest of the
/// label's cell, the next cell on the same line, then the cell aligned below
/// it (or the whole next line when cell positions are unknown).
fn value_candidates<'a>(lines: &'a [TextLine], index: usize, label_start: usize, label_end: usize) -> Vec<(&'a str, f32, &'a TextLine)> {
    let line = &lines[index];
    let cell = line.cell_range(label_start);
    let mut candidates = Vec::new();
    let rest = line.text[label_end.min(cell.end)..cell.end].trim_start_matches([':', ' ', '.', '\t', '#']);
    if !rest.trim().is_empty() {
        candidates.push((rest, 0.93, line));
    }
    let cell_index = line.cell_index(label_start);
    // The next cell with a letter or digit in it (OCR may leave a stray
    // ':' cell between a label and its value).
    let next_cell = (cell_index + 1..cell_index + 3).filter_map(|index| line.cell_text(index)).find(|cell| cell.chars().any(char::is_alphanumeric));
    if let Some(next_cell) = next_cell {
        candidates.push((next_cell, 0.9, line));
    }
    if let Some(below) = lines.get(index + 1).filter(|below| below.page == line.page) {
        match (line.cells.get(cell_index), below.cells.is_empty()) {
            (Some(extent), false) => match aligned_cell(extent, below) {
                Some(aligned) => candidates.push((aligned, 0.86, below)),
                // Nothing under the label on the next line (a wrapped cell
                // beside it): the value may stand one line further down.
                None => {
                    if let Some(aligned) =
                        lines.get(index + 2).filter(|further| further.page == line.page && !further.cells.is_empty()).and_then(|further| aligned_cell(extent, further).map(|text| (text, further)))
                    {
                        candidates.push((aligned.0, 0.8, aligned.1));
                    }
                }
            },
            _ => candidates.push((below.text.as_str(), 0.8, below)),
        }
    }
    candidates
}

/// The cell of `below` that overlaps `extent` most, or starts nearest its start.
fn aligned_cell<'a>(extent: &[f32; 2], below: &'a TextLine) -> Option<&'a str> {
    let overlap = |other: &[f32; 2]| (extent[1].min(other[1]) - extent[0].max(other[0])).max(0.0);
    let best = below
        .cells
        .iter()
        .enumerate()
        .max_by(|(_, first), (_, second)| overlap(first).total_cmp(&overlap(second)))
        .filter(|(_, cell)| overlap(cell) > 0.0)
        .or_else(|| below.cells.iter().enumerate().filter(|(_, cell)| (cell[0] - extent[0]).abs() < 30.0).min_by(|(_, first), (_, second)| (first[0] - extent[0]).abs().total_cmp(&(second[0] - extent[0]).abs())))?;
    below.cell_text(best.0)
}

/// A token value (invoice or order number) next to or below its label.
fn find_labelled_token<'a>(lines: &'a [TextLine], label: &LabelPattern, value: &Regex) -> Option<(String, f32, &'a TextLine)> {
    for (index, line) in lines.iter().enumerate() {
        if !label.may_match(&line.text) {
            continue;
        }
        for label_match in label.find_iter(&line.text) {
            for (text, confidence, value_line) in value_candidates(lines, index, label_match.start(), label_match.end()) {
                if let Some(token) = value.find(text.trim()) {
                    return Some((clean_token(token.as_str()), confidence, value_line));
                }
            }
        }
    }
    None
}

/// An invoice number printed without a number label: after the document's
/// title in the same cell ("Invoice FA-2017-0008", "FACTURA 2026-0042"),
/// under a column headed by the title word alone ("Factuur" over
/// "VF1005193039"), or as `# 0042` near the top of the page. The value must
/// hold a digit and must not be a date.
fn find_invoice_number_by_title(lines: &[TextLine], order: DateOrder) -> Option<(String, f32, &TextLine)> {
    static TITLE_THEN_VALUE: LazyLock<Regex> = LazyLock::new(|| {
        regex(r"(?i)^\s*(factura|invoice|tax\s+invoice|rechnung|facture|factuur|credit\s+note|avoir|gutschrift)\s*[:#]?\s*(?P<value>\S+)\s*$")
    });
    static TITLE_ALONE: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)^\s*(factura|invoice|rechnung|facture|factuur|folio|n[ºo°]\.?\s*factura)\s*$"));
    static HASH_VALUE: LazyLock<Regex> = LazyLock::new(|| regex(r"^\s*#\s*(?P<value>\S+)\s*$"));
    let is_number = |text: &str| INVOICE_NUMBER_VALUE.find(text).is_some_and(|found| found.len() == text.len()) && find_dates(text, order).is_empty();
    for line in lines {
        for cell in line.text.split("  ") {
            if let Some(captures) = TITLE_THEN_VALUE.captures(cell)
                && is_number(&captures["value"])
            {
                return Some((clean_token(&captures["value"]), 0.82, line));
            }
        }
    }
    for (index, line) in lines.iter().enumerate() {
        let Some(below) = lines.get(index + 1).filter(|below| below.page == line.page && !below.cells.is_empty()) else { continue };
        if line.cells.len() < 3 {
            continue;
        }
        for (cell_index, cell) in line.text.split("  ").enumerate() {
            if TITLE_ALONE.is_match(cell)
                && let Some(extent) = line.cells.get(cell_index)
                && let Some(value) = aligned_cell(extent, below)
                && is_number(value.trim())
            {
                return Some((clean_token(value.trim()), 0.8, below));
            }
        }
    }
    let near_title = lines.iter().take(8).any(|line| line.text.split("  ").any(is_title));
    static BARE_NUMBER_LABEL: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)^\s*(n[úu]mero|number|no\.|nr\.|n[ºo°])\s*:\s*(?P<value>\S+)\s*$"));
    if near_title {
        for line in lines.iter().take(10) {
            for cell in line.text.split("  ") {
                if let Some(captures) = BARE_NUMBER_LABEL.captures(cell)
                    && is_number(&captures["value"])
                {
                    return Some((clean_token(&captures["value"]), 0.8, line));
                }
            }
        }
        for line in lines.iter().take(8) {
            for cell in line.text.split("  ") {
                if let Some(captures) = HASH_VALUE.captures(cell)
                    && is_number(&captures["value"])
                {
                    return Some((clean_token(&captures["value"]), 0.75, line));
                }
            }
        }
    }
    None
}

fn clean_token(token: &str) -> String {
    token.trim_end_matches(['.', ',', ';', ':']).to_string()
}

fn find_labelled_date<'a>(
    lines: &'a [TextLine],
    label: &LabelPattern,
    order: DateOrder,
    skip_line: Option<&TextLine>,
) -> Option<(chrono::NaiveDate, f32, &'a TextLine)> {
    let issue_label = std::ptr::eq(label, &*ISSUE_DATE_LABEL);
    // For the issue date, a label naming the invoice ("Invoice Date",
    // "Fecha de factura") wins over a bare "Date" anywhere on the page, and
    // a bare "Date" qualified by another event ("Order Date", "Fecha de
    // entrega") is not the issue date at all.
    let passes: &[bool] = if issue_label { &[true, false] } else { &[false] };
    for &naming_the_invoice_only in passes {
        for (index, line) in lines.iter().enumerate() {
            if !label.may_match(&line.text) {
                continue;
            }
            for label_match in label.find_iter(&line.text) {
                if issue_label {
                    let inside_due_label = DUE_DATE_LABEL.find_iter(&line.text).any(|due| due.start() <= label_match.start() && due.end() >= label_match.end());
                    if inside_due_label || date_label_names_another_event(&line.text, label_match.start()) {
                        continue;
                    }
                    if naming_the_invoice_only && !ISSUE_DATE_NAMING_INVOICE.is_match(label_match.as_str()) {
                        continue;
                    }
                }
                for (text, confidence, value_line) in value_candidates(lines, index, label_match.start(), label_match.end()) {
                    if skip_line.is_some_and(|skip| std::ptr::eq(skip, value_line) && std::ptr::eq(value_line, line)) {
                        continue;
                    }
                    if let Some((_, date)) = find_dates(text, order).into_iter().next() {
                        let confidence = if issue_label && !ISSUE_DATE_NAMING_INVOICE.is_match(label_match.as_str()) { confidence.min(0.88) } else { confidence };
                        return Some((date, confidence, value_line));
                    }
                }
            }
        }
    }
    None
}

/// An issue-date label that names the invoice itself.
static ISSUE_DATE_NAMING_INVOICE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)(factur|invoice|issue|emisi|expedici|rechnungs|factuur|beleg|wystawienia)"));

/// Whether the word just before a date label at `label_start` (in the same
/// cell) says the date is of something else: "Order Date", "Delivery date",
/// "Fecha de entrega", "Lieferdatum".
fn date_label_names_another_event(text: &str, label_start: usize) -> bool {
    static ANOTHER_EVENT: LazyLock<Regex> = LazyLock::new(|| {
        regex(r"(?i)(order|delivery|ship(ping)?|shipment|due|check|birth|expiry|expiration|start|end|service|print(ed)?|payment|paiement|limite|liefer|leistungs|bestell|pedido|entrega|pago|valuta|value|posting|booking)\W*$")
    });
    let cell_start = text[..label_start].rfind("  ").map_or(0, |found| found + 2);
    ANOTHER_EVENT.is_match(&text[cell_start..label_start])
}

fn first_date(lines: &[TextLine], order: DateOrder, not: Option<chrono::NaiveDate>) -> Option<(chrono::NaiveDate, &TextLine)> {
    lines.iter().find_map(|line| find_dates(&line.text, order).into_iter().map(|(_, date)| date).find(|date| Some(*date) != not).map(|date| (date, line)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum AmountRole {
    Withholding,
    Subtotal,
    Tax,
    Total,
}

/// What a cell's label says its amount is. The label must start the cell
/// (within its first three words), so a line item such as "Quarterly tax
/// advisory" is not a tax line, and a row with three or more amounts is a
/// line item, not a total.
fn amount_role(text: &str) -> Option<AmountRole> {
    // A pure function of the text, asked again and again for the same cells
    // (every cell to the right of every labelled cell): remembered per
    // document.
    if let Some(known) = AMOUNT_ROLES.with(|roles| roles.borrow().get(text).copied()) {
        return known;
    }
    let role = amount_role_uncached(text);
    AMOUNT_ROLES.with(|roles| roles.borrow_mut().insert(text.to_string(), role));
    role
}

thread_local! {
    /// `amount_role` answers for the document being read, by cell text.
    static AMOUNT_ROLES: std::cell::RefCell<std::collections::HashMap<String, Option<AmountRole>>> = std::cell::RefCell::new(std::collections::HashMap::new());
}

fn amount_role_uncached(text: &str) -> Option<AmountRole> {
    if TAX_ID_LINE.may_match(text) && TAX_ID_LINE.is_match(text) {
        return None;
    }
    let role = amount_role_of_label(text.trim())?;
    let amounts = find_amounts(text, None).len().saturating_sub(find_percentages(text).len());
    if amounts >= 3 { None } else { Some(role) }
}

fn amount_role_of_label(text: &str) -> Option<AmountRole> {
    // A label starts the cell or is its second word ("Factuur totaal").
    let second_word_start = text.split_whitespace().nth(1).map_or(0, |word| word.as_ptr() as usize - text.as_ptr() as usize);
    let starts_early = |label: &Regex| label.find(text).is_some_and(|found| found.start() <= second_word_start.max(2));
    if starts_early(&WITHHOLDING_LINE) {
        return Some(AmountRole::Withholding);
    }
    if starts_early(&SUBTOTAL_LINE) {
        return Some(AmountRole::Subtotal);
    }
    let total = starts_early(&TOTAL_LINE);
    let tax = TAX_LINE.may_match(text) && if total { TAX_LINE.is_match(text) } else { starts_early(&TAX_LINE) };
    match (total, tax) {
        (true, true) if TAX_INCLUDED.is_match(text) => Some(AmountRole::Total),
        (true, true) => Some(AmountRole::Tax),
        (true, false) => Some(AmountRole::Total),
        (false, true) => Some(AmountRole::Tax),
        (false, false) => None,
    }
}

/// The amount for a labelled cell: the last amount of the value cells to
/// its right (cells with no label of their own), else the last amount in its
/// own cell after the label, else the aligned cell below.
fn amount_for_cell<'a>(
    lines: &'a [TextLine],
    index: usize,
    cell_index: usize,
    context: &DocumentContext,
    cells: &[&str],
    cell_amounts: &mut [Option<Vec<Decimal>>],
) -> Option<(Decimal, &'a TextLine)> {
    let line = &lines[index];
    let mut right_value = None;
    let mut amounts_to_the_right = 0;
    for (right_index, cell) in cells.iter().enumerate().skip(cell_index + 1) {
        if amount_role(cell).is_some() {
            break;
        }
        // The amounts of a line's cells, found once per line.
        let amounts = cell_amounts[right_index].get_or_insert_with(|| amounts_in(cell, context));
        amounts_to_the_right += amounts.len();
        if let Some(value) = amounts.last() {
            right_value = Some(*value);
        }
    }
    // Quantity, price and amount after a description: a line item that
    // happens to mention tax or totals, not a totals line.
    if amounts_to_the_right >= 3 {
        return None;
    }
    if let Some(value) = right_value {
        return Some((value, line));
    }
    if let Some(value) = amounts_in(cells[cell_index], context).last() {
        return Some((*value, line));
    }
    let below = lines.get(index + 1).filter(|below| below.page == line.page)?;
    if amount_role(&below.text).is_some() && below.cells.is_empty() {
        return None;
    }
    let text = match line.cells.get(cell_index) {
        Some(extent) if !below.cells.is_empty() => aligned_cell(extent, below)?,
        _ => below.text.as_str(),
    };
    if amount_role(text).is_some() || amounts_in(&below.text, context).len() >= 3 {
        return None;
    }
    amounts_in(text, context).last().map(|value| (*value, below))
}

/// Amounts on a line with their byte ranges, leaving out percentages.
fn amounts_with_ranges(text: &str, context: &DocumentContext) -> Vec<(std::ops::Range<usize>, Decimal)> {
    let percentages = find_percentages(text);
    find_amounts(text, context.decimal_style)
        .into_iter()
        .filter(|(range, _)| !percentages.iter().any(|(percent_range, _)| percent_range.start <= range.start && range.end <= percent_range.end))
        .collect()
}

/// Amounts on a line, leaving out percentages.
fn amounts_in(text: &str, context: &DocumentContext) -> Vec<Decimal> {
    // Asked again for the same lines and cells by several finders:
    // remembered per document, like `amount_role` (the decimal style is the
    // document's, fixed while it is read).
    if let Some(known) = AMOUNTS_IN.with(|amounts| amounts.borrow().get(text).cloned()) {
        return known;
    }
    let percentages = find_percentages(text);
    let amounts: Vec<Decimal> = find_amounts(text, context.decimal_style)
        .into_iter()
        .filter(|(range, _)| !percentages.iter().any(|(percent_range, _)| percent_range.start <= range.start && range.end <= percent_range.end))
        .map(|(_, value)| value)
        .collect();
    AMOUNTS_IN.with(|cache| cache.borrow_mut().insert(text.to_string(), amounts.clone()));
    amounts
}

thread_local! {
    /// `amounts_in` answers for the document being read, by text.
    static AMOUNTS_IN: std::cell::RefCell<std::collections::HashMap<String, Vec<Decimal>>> = std::cell::RefCell::new(std::collections::HashMap::new());
}

type Candidate<'a> = (Decimal, f32, &'a TextLine);

fn find_amount_fields<'a>(lines: &'a [TextLine], context: &DocumentContext) -> Vec<(&'static str, Candidate<'a>)> {
    let mut candidates: BTreeMap<AmountRole, Vec<(Decimal, usize)>> = BTreeMap::new();
    for (index, line) in lines.iter().enumerate() {
        let cells: Vec<&str> = line.text.split("  ").collect();
        let mut cell_amounts: Vec<Option<Vec<Decimal>>> = vec![None; cells.len()];
        for (cell_index, cell) in cells.iter().enumerate() {
            let Some(role) = amount_role(cell) else { continue };
            if let Some((value, value_line)) = amount_for_cell(lines, index, cell_index, context, &cells, &mut cell_amounts) {
                let value_index = if std::ptr::eq(value_line, line) { index } else { index + 1 };
                candidates.entry(role).or_default().push((value, value_index));
            }
        }
    }
    let subtotals = candidates.get(&AmountRole::Subtotal).cloned().unwrap_or_default();
    let totals = candidates.get(&AmountRole::Total).cloned().unwrap_or_default();
    let withholding = candidates.get(&AmountRole::Withholding).and_then(|values| values.last().copied()).map(|(value, line)| (value.abs(), line));
    // One tax amount per line: a line may repeat its amount in another column.
    let mut tax_lines: Vec<(Decimal, usize)> = Vec::new();
    for (value, line) in candidates.get(&AmountRole::Tax).cloned().unwrap_or_default() {
        if !tax_lines.iter().any(|(_, known)| *known == line) {
            tax_lines.push((value, line));
        }
    }

    let mut result = Vec::new();
    if let Some(combination) = consistent_combination(&subtotals, &tax_lines, &totals, withholding) {
        let (total, total_line) = combination.total;
        result.push(("total", (total, 0.97, &lines[total_line])));
        result.push(("subtotal", (combination.subtotal.0, 0.96, &lines[combination.subtotal.1])));
        if let Some(first_tax_line) = combination.tax_lines.first() {
            result.push(("tax_amount", (combination.tax, 0.96, &lines[*first_tax_line])));
        }
        if let Some((value, line)) = combination.withholding {
            result.push(("withholding_amount", (value, 0.95, &lines[line])));
        }
        return result;
    }
    // A tax summary row ("24.99  5.00  29.99": base, tax, base + tax) whose
    // sum is a labelled total, or stands on a totals line.
    if let Some((base, tax, total, line)) = tax_summary_row(lines, context, &totals) {
        result.push(("total", (total, 0.93, &lines[line])));
        result.push(("subtotal", (base, 0.9, &lines[line])));
        result.push(("tax_amount", (tax, 0.9, &lines[line])));
        if let Some((value, line)) = withholding {
            result.push(("withholding_amount", (value, 0.75, &lines[line])));
        }
        return result;
    }

    let subtotal = subtotals.last().copied();
    let tax_sum = tax_lines.first().map(|(_, first_line)| (tax_lines.iter().map(|(value, _)| *value).sum::<Decimal>(), *first_line, tax_lines.len()));
    let total = totals.iter().max_by_key(|(value, _)| value.abs()).copied();
    if let Some((value, line)) = total {
        result.push(("total", (value, 0.8, &lines[line])));
    }
    match (subtotal, total) {
        (Some((value, line)), _) => result.push(("subtotal", (value, 0.8, &lines[line]))),
        // No base printed: the total less the tax is the base; with no tax
        // printed at all, the total is. Inferred, so left for review.
        (None, Some((total_value, line))) => {
            let tax = tax_sum.map_or(Decimal::ZERO, |(sum, _, _)| sum);
            let withheld = withholding.map_or(Decimal::ZERO, |(value, _)| value);
            result.push(("subtotal", (total_value - tax + withheld, 0.65, &lines[line])));
        }
        (None, None) => {}
    }
    if let Some((sum, line, count)) = tax_sum {
        result.push(("tax_amount", (sum, if count == 1 { 0.8 } else { 0.6 }, &lines[line])));
    }
    if let Some((value, line)) = withholding {
        result.push(("withholding_amount", (value, 0.75, &lines[line])));
    }
    result
}

/// Subtotal, tax and total candidates that add up.
struct AmountCombination {
    subtotal: (Decimal, usize),
    tax: Decimal,
    tax_lines: Vec<usize>,
    withholding: Option<(Decimal, usize)>,
    total: (Decimal, usize),
}

/// The combination of a subtotal, some of the tax lines and a total with
/// subtotal + tax − withholding = total. Larger totals are tried first (the
/// amount due, not a page subtotal), later subtotals first, and a
/// combination that uses printed tax lines beats one that assumes no tax.
fn consistent_combination(
    subtotals: &[(Decimal, usize)],
    tax_lines: &[(Decimal, usize)],
    totals: &[(Decimal, usize)],
    withholding: Option<(Decimal, usize)>,
) -> Option<AmountCombination> {
    const MOST_TAX_LINES_TRIED: usize = 10;
    let tax_lines = &tax_lines[tax_lines.len().saturating_sub(MOST_TAX_LINES_TRIED)..];
    let mut totals_by_preference: Vec<(Decimal, usize)> = totals.to_vec();
    totals_by_preference.sort_by(|first, second| second.0.abs().cmp(&first.0.abs()).then(second.1.cmp(&first.1)));
    totals_by_preference.dedup_by_key(|(value, _)| *value);
    // Every subset of the tax lines with its sum, non-empty subsets first and
    // the largest first. When some printed tax is not zero, "no tax at all"
    // is not tried: it would explain a total by ignoring a printed tax.
    let printed_tax_is_not_zero = tax_lines.iter().any(|(value, _)| !value.is_zero());
    let mut masks: Vec<u32> = (0..(1u32 << tax_lines.len())).filter(|mask| *mask != 0 || !printed_tax_is_not_zero).collect();
    masks.sort_by_key(|mask| (mask.count_ones() == 0, std::cmp::Reverse(mask.count_ones())));
    let tax_subsets: Vec<(Vec<usize>, Decimal)> = masks
        .iter()
        .map(|mask| {
            let chosen = tax_lines.iter().enumerate().filter(|(position, _)| mask & (1 << position) != 0).map(|(_, tax)| *tax);
            chosen.fold((Vec::new(), Decimal::ZERO), |(mut lines, sum), (value, line)| {
                lines.push(line);
                (lines, sum + value)
            })
        })
        .collect();
    for &(total, total_line) in &totals_by_preference {
        for (chosen_lines, tax) in &tax_subsets {
            let tax = *tax;
            for &(subtotal, subtotal_line) in subtotals.iter().rev() {
                for withheld in withholding.iter().map(Some).chain([None]) {
                    let withheld_value = withheld.map_or(Decimal::ZERO, |(value, _)| *value);
                    if subtotal + tax - withheld_value == total && !(subtotal == total && !tax.is_zero()) {
                        return Some(AmountCombination {
                            subtotal: (subtotal, subtotal_line),
                            tax,
                            tax_lines: chosen_lines.clone(),
                            withholding: withheld.copied(),
                            total: (total, total_line),
                        });
                    }
                }
            }
        }
    }
    None
}

/// A row holding three amounts where the first two add up to the third
/// (base, tax, base + tax), in a tax summary or totals table: accepted when
/// the sum is a labelled total or the row itself is labelled as totals.
fn tax_summary_row(lines: &[TextLine], context: &DocumentContext, totals: &[(Decimal, usize)]) -> Option<(Decimal, Decimal, Decimal, usize)> {
    let mut found = None;
    for (index, line) in lines.iter().enumerate() {
        let amounts = amounts_in(&line.text, context);
        let row_is_totals = TOTAL_LINE.is_match(line.text.split("  ").next().unwrap_or(""));
        for window in amounts.windows(3) {
            let (base, tax, sum) = (window[0], window[1], window[2]);
            if base > Decimal::ZERO && tax >= Decimal::ZERO && tax < base && base + tax == sum {
                let sum_is_a_total = totals.iter().any(|(value, _)| *value == sum);
                if sum_is_a_total || row_is_totals {
                    found = Some((base, tax, sum, index));
                }
            }
        }
    }
    found
}

fn single_tax_rate(lines: &[TextLine]) -> Option<(Decimal, &TextLine)> {
    let mut rates: Vec<(Decimal, &TextLine)> = Vec::new();
    for line in lines {
        for cell in line.text.split("  ") {
            if amount_role(cell) != Some(AmountRole::Tax) {
                continue;
            }
            for (_, rate) in find_percentages(cell) {
                if rate > Decimal::ZERO && rate < Decimal::from(100) && !rates.iter().any(|(known, _)| *known == rate) {
                    rates.push((rate, line));
                }
            }
        }
    }
    if rates.len() == 1 { rates.pop() } else { None }
}

fn find_currency<'a>(lines: &'a [TextLine], context: &DocumentContext) -> Option<(&'static str, f32, &'a TextLine)> {
    let symbol_code = |text: &str| -> Option<&'static str> {
        if text.contains('€') {
            Some("EUR")
        } else if text.contains('£') {
            Some("GBP")
        } else if text.contains("US$") {
            Some("USD")
        } else if text.contains('₹') || RUPEES.is_match(text) {
            Some("INR")
        } else if text.contains("zł") {
            Some("PLN")
        } else if text.contains('$') {
            Some(context.default_dollar_currency)
        } else {
            None
        }
    };
    let code_in = |text: &str| -> Option<&'static str> {
        CURRENCY_CODE.find(text).map(|found| match found.as_str() {
            "EUR" => "EUR", "USD" => "USD", "GBP" => "GBP", "COP" => "COP", "MXN" => "MXN", "INR" => "INR", "PLN" => "PLN",
            "CHF" => "CHF", "CAD" => "CAD", "AUD" => "AUD", "JPY" => "JPY", "CNY" => "CNY", "SEK" => "SEK", "NOK" => "NOK",
            "DKK" => "DKK", "BRL" => "BRL", "ARS" => "ARS", "CLP" => "CLP", _ => "PEN",
        })
    };
    // Prefer what stands on the total's line, then anywhere.
    for line in lines.iter().rev().filter(|line| line.text.split("  ").any(|cell| amount_role(cell) == Some(AmountRole::Total))) {
        if let Some(code) = code_in(&line.text).or_else(|| symbol_code(&line.text)) {
            return Some((code, 0.93, line));
        }
    }
    lines.iter().find_map(|line| code_in(&line.text).map(|code| (code, 0.85, line))).or_else(|| lines.iter().find_map(|line| symbol_code(&line.text).map(|code| (code, 0.8, line))))
}

/// Rupees written out: "Rs 1939", "Rs. 40.00".
static RUPEES: LazyLock<Regex> = LazyLock::new(|| regex(r"(^|[^A-Za-z])Rs\.?\s?-?\d"));

fn find_iban(lines: &[TextLine]) -> Option<(String, f32, &TextLine)> {
    let mut printed_but_invalid = None;
    for (index, line) in lines.iter().enumerate() {
        // An IBAN label on the line or just above it ("IBAN" over the value).
        let labelled = line.text.to_uppercase().contains("IBAN") || index.checked_sub(1).is_some_and(|above| lines[above].text.to_uppercase().contains("IBAN"));
        for (_, candidate) in find_iban_candidates(&line.text) {
            match validate_iban(&candidate) {
                Ok(iban) => return Some((iban, 0.97, line)),
                Err(_) if printed_but_invalid.is_none() && labelled => {
                    printed_but_invalid = Some((candidate, 0.6, line));
                }
                Err(_) => {}
            }
        }
        if labelled
            && line.confidence < TEXT_LAYER_CONFIDENCE
            && let Some(iban) = iban_with_check_digits_repaired(&line.text)
        {
            return Some((iban, 0.85, line));
        }
    }
    printed_but_invalid
}

/// An IBAN after its label whose check digits OCR read as letters
/// ("ESO7 2100 ..."): the check digits' usual confusions (O/0, I/1, S/5,
/// B/8, Z/2, G/6) are undone, and the result kept only if it validates.
fn iban_with_check_digits_repaired(text: &str) -> Option<String> {
    let after_label = &text[text.to_uppercase().find("IBAN")? + 4..];
    let value = after_label.trim_start_matches([':', ' ', '.']).split("  ").next()?;
    let compact: Vec<char> = value.chars().filter(char::is_ascii_alphanumeric).map(|character| character.to_ascii_uppercase()).collect();
    if compact.len() < 15 || !compact[..2].iter().all(char::is_ascii_alphabetic) {
        return None;
    }
    let as_digit = |character: char| match character {
        'O' => '0',
        'I' | 'L' => '1',
        'S' => '5',
        'B' => '8',
        'Z' => '2',
        'G' => '6',
        other => other,
    };
    let mut repaired = compact.clone();
    repaired[2] = as_digit(repaired[2]);
    repaired[3] = as_digit(repaired[3]);
    if repaired == compact {
        return None;
    }
    let repaired: String = repaired.into_iter().collect();
    validate_iban(&repaired).ok()
}

/// Tax id candidates on a line, cell by cell, with the cell's horizontal
/// extent: what the tax id finder recognises, and, after a tax id label, the
/// printed value itself (a GB VAT number printed without its `GB`, a US EIN).
/// The flag says whether the cell carries a tax id label.
fn tax_ids_on_line(line: &TextLine) -> Vec<(String, bool, Option<[f32; 2]>, bool)> {
    let mut found = Vec::new();
    for (cell_index, cell) in line.text.split("  ").enumerate() {
        let extent = line.cells.get(cell_index).copied();
        let label = TAX_ID_LABEL.find(cell);
        let labelled = label.is_some();
        let recognised: Vec<String> = find_tax_id_candidates(cell).into_iter().map(|(_, id)| id).collect();
        if !recognised.is_empty() {
            found.extend(recognised.into_iter().map(|id| (id, labelled, extent)));
            continue;
        }
        // The label's value may be the next cell ("VAT no.  123 4567 89").
        let rest_in_cell = label.map(|label| cell[label.end()..].trim_start_matches([':', '.', ' ', '#']));
        let value = match rest_in_cell {
            Some(rest) if !rest.trim().is_empty() => rest,
            Some(_) => line.text.split("  ").nth(cell_index + 1).unwrap_or(""),
            None => continue,
        };
        let normalized = crate::parse::tax_id::normalize_tax_id(value);
        let digits = normalized.chars().filter(char::is_ascii_digit).count();
        if (8..=15).contains(&normalized.len()) && digits >= 6 {
            found.push((normalized, true, extent));
        }
    }
    // OCR (a line read with less than a text layer's certainty) confuses
    // 5/S, 1/I, 0/O...: an id that fails its check is repaired where exactly
    // one swap makes it pass. A printed id is never repaired: its failing
    // check is a finding for the rules. The flag says an id was repaired.
    let read_by_ocr = line.confidence < TEXT_LAYER_CONFIDENCE;
    found
        .into_iter()
        .map(|(id, labelled, extent)| match read_by_ocr.then(|| repair_ocr_confusions_in_tax_id(&id)).flatten() {
            Some(repaired) => (repaired, labelled, extent, true),
            None => (id, labelled, extent, false),
        })
        .collect()
}

/// The confidence the PDF text layer reader gives every line.
const TEXT_LAYER_CONFIDENCE: f32 = 0.99;

static NAME_LINE: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)^\s*(name|nombre|raz[óo]n\s+social|company|firma|nom)\s*:\s*"));

/// The name in a party block: after the label in its cell, else a `Name:`
/// line within the block, else the cell aligned below the label.
fn name_after_label<'a>(lines: &'a [TextLine], index: usize, label_start: usize, label_end: usize) -> Option<(String, &'a TextLine)> {
    let named = lines.iter().skip(index + 1).take(4).find_map(|line| {
        let found = NAME_LINE.find(&line.text)?;
        let name = line.text[found.end()..].split("  ").next().unwrap_or("").trim().to_string();
        is_name_like(&name).then_some((name, line))
    });
    if let Some(named) = named {
        let rest_of_label_cell = lines[index].text[label_end.min(lines[index].cell_range(label_start).end)..lines[index].cell_range(label_start).end].trim_start_matches([':', ' ', '/']);
        if !is_name_like(rest_of_label_cell) || CUSTOMER_LABEL.is_match(rest_of_label_cell) || rest_of_label_cell.to_lowercase().starts_with("leistungs") {
            return Some(named);
        }
    }
    let beside_or_below = value_candidates(lines, index, label_start, label_end)
        .into_iter()
        .filter(|(_, _, value_line)| !std::ptr::eq(*value_line, &lines[index]) || label_end > label_start)
        .filter(|(_, _, value_line)| std::ptr::eq(*value_line, &lines[index]) || !is_label_and_value(&value_line.text))
        .filter(|(text, _, _)| !CUSTOMER_LABEL.is_match(text) && !SUPPLIER_LABEL.is_match(text))
        .map(|(text, _, value_line)| (text.split("  ").next().unwrap_or("").trim().to_string(), value_line))
        .find(|(text, _)| is_name_like(text));
    beside_or_below.or_else(|| name_further_down_the_block(lines, index, label_start))
}

/// A line such as "Nummer : 16259" or "Globale Nummer: 4000001123452": a
/// label with its value, not a name.
fn is_label_and_value(text: &str) -> bool {
    text.contains(':')
}

/// The first name-like line in the few lines under a party label, in the
/// label's column, skipping "label: value" lines (customer numbers, global
/// ids) that party blocks often print before the name.
fn name_further_down_the_block(lines: &[TextLine], index: usize, label_start: usize) -> Option<(String, &TextLine)> {
    const LINES_IN_A_PARTY_BLOCK: usize = 4;
    let label_line = &lines[index];
    let label_extent = label_line.cells.get(label_line.cell_index(label_start));
    for below in lines.iter().skip(index + 1).take(LINES_IN_A_PARTY_BLOCK).take_while(|below| below.page == label_line.page) {
        let text = match label_extent {
            Some(extent) if !below.cells.is_empty() => aligned_cell(extent, below).unwrap_or(""),
            _ => below.text.split("  ").next().unwrap_or(""),
        };
        if CUSTOMER_LABEL.is_match(text) || SUPPLIER_LABEL.is_match(text) {
            return None;
        }
        if is_label_and_value(&below.text) || text.trim().is_empty() {
            continue;
        }
        let name = text.trim();
        return (is_name_like(name) && !is_title(name)).then(|| (name.to_string(), below));
    }
    None
}

/// Supplier and customer: names and tax ids. The customer block starts at
/// a customer label (in any cell); the supplier is the issuer, named by a
/// supplier label or standing first at the top.
fn find_parties<'a>(lines: &'a [TextLine], _context: &DocumentContext) -> Vec<(&'static str, (String, f32, &'a TextLine))> {
    // A label naming another of the party's details ("Customer VAT Number")
    // still starts the party's block (its tax id is the customer's), but
    // the name is not beside or below it.
    let label_in_cells = |label: &Regex, naming_the_party: bool| -> Option<(usize, usize, usize)> {
        lines.iter().enumerate().find_map(|(index, line)| {
            let mut offset = 0;
            for cell in line.text.split("  ") {
                if let Some(found) = label.find(cell)
                    && !is_party_number(&cell[found.end()..])
                    && !(naming_the_party && names_another_party_detail(&cell[found.end()..]))
                {
                    return Some((index, offset + found.start(), offset + found.end()));
                }
                offset += cell.len() + 2;
            }
            None
        })
    };
    let customer_label = label_in_cells(&CUSTOMER_LABEL, false);
    // Searched again only when the first customer label names a detail.
    let customer_name_label = match customer_label {
        Some((index, _, end)) if names_another_party_detail(lines[index].text[end..].split("  ").next().unwrap_or("")) => label_in_cells(&CUSTOMER_LABEL, true),
        found => found,
    };
    let supplier_label = label_in_cells(&SUPPLIER_LABEL, false);
    let customer_block_start = customer_label.map(|(index, _, _)| index);
    let label_extent = |label: Option<(usize, usize, usize)>| label.and_then(|(index, start, _)| lines[index].cells.get(lines[index].cell_index(start)).copied());
    let customer_extent = label_extent(customer_label);
    // Supplier and customer printed side by side ("SUPPLIER  SOLD TO"):
    // a cell belongs to the party whose label column it starts nearer to.
    let side_by_side_supplier_extent =
        supplier_label.filter(|(index, _, _)| Some(*index) == customer_block_start).and_then(|label| label_extent(Some(label)));
    let in_customer_block = |index: usize, cell: Option<[f32; 2]>| {
        let Some(start) = customer_block_start else { return false };
        if index < start || index > start + 5 {
            return false;
        }
        match (cell, customer_extent, side_by_side_supplier_extent) {
            (Some(cell), Some(customer), Some(supplier)) => (cell[0] - customer[0]).abs() < (cell[0] - supplier[0]).abs(),
            // The customer's column is to the right: cells ending before it
            // are the issuer's.
            (Some(cell), Some(customer), None) => cell[1] > customer[0] - 20.0,
            _ => true,
        }
    };
    let mut result = Vec::new();
    let mut supplier_tax_id = None;
    let mut customer_tax_id = None;
    for (index, line) in lines.iter().enumerate() {
        for (candidate, labelled, cell, repaired) in tax_ids_on_line(line) {
            let verdict_valid = matches!(check_tax_id(&candidate, None), TaxIdVerdict::Valid(_));
            if !labelled && !verdict_valid {
                continue;
            }
            let confidence = match (labelled, verdict_valid) {
                // A repaired id is a guess a reviewer should confirm.
                _ if repaired => 0.65,
                (true, true) => 0.95,
                (true, false) => 0.75,
                _ => 0.75,
            };
            let slot = if in_customer_block(index, cell) { &mut customer_tax_id } else { &mut supplier_tax_id };
            if slot.is_none() {
                *slot = Some((candidate, confidence, line));
            }
        }
    }
    if let Some((index, start, end)) = customer_name_label
        && let Some((name, line)) = name_after_label(lines, index, start, end)
    {
        result.push(("customer_name", (clean_party_name(&name), name_confidence(0.8, line), line)));
    }
    let supplier_name = match supplier_label {
        Some((index, start, end)) => name_after_label(lines, index, start, end),
        None => lines
            .iter()
            .take(customer_block_start.unwrap_or(lines.len()).min(6))
            .flat_map(|line| line.text.split("  ").map(move |cell| (cell, line)))
            .find(|(cell, _)| is_name_like(cell) && !is_title(cell) && !CUSTOMER_LABEL.is_match(cell))
            .map(|(cell, line)| (name_of_letterhead(cell).to_string(), line))
            .or_else(|| customer_label.and_then(|(index, _, _)| name_under_the_header_beside_the_customer(lines, index))),
    };
    if let Some((name, line)) = supplier_name {
        // A legal form (S.L., Ltd, LLC…) or the issuer's tax id just below
        // makes the top-of-page guess much safer.
        let name_index = lines.iter().position(|candidate| std::ptr::eq(candidate, line)).unwrap_or(0);
        let tax_id_below = supplier_tax_id.as_ref().is_some_and(|(_, _, tax_line)| {
            lines.iter().position(|candidate| std::ptr::eq(candidate, *tax_line)).is_some_and(|tax_index| tax_index > name_index && tax_index <= name_index + 7)
        });
        let confidence = match (LEGAL_FORM.is_match(&name), tax_id_below || supplier_label.is_some()) {
            (true, true) => 0.9,
            (true, false) | (false, true) => 0.8,
            (false, false) => 0.6,
        };
        result.push(("supplier_name", (clean_party_name(&name), name_confidence(confidence, line), line)));
    }
    if let Some((id, confidence, line)) = supplier_tax_id {
        result.push(("supplier_tax_id", (id, confidence, line)));
    }
    if let Some((id, confidence, line)) = customer_tax_id {
        result.push(("customer_tax_id", (id, confidence, line)));
    }
    result
}

static LEGAL_FORM: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)(\bS\.?\s?L\.?(\s?U\.?)?$|\bS\.?\s?A\.?(\s?S\.?)?$|S\.?\s?A\.?\s+de\s+C\.?\s?V\.?|S\.\s+de\s+R\.?\s?L\.?|\bLtda\.?$|\bLtd\.?$|\bLimited$|\bLLC$|\bLLP$|\bInc\.?$|\bCorp\.?$|\bCo\.$|\bGmbH$|\bAG$|\bB\.?V\.?$|\bSARL$|\bSAS$|\bPLC$|\by\s+C[íi]a\.?)")
});

fn single_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The name under the other header of a party header row ("SELLER  BILL
/// TO", the seller's header unrecognised, e.g. misread by OCR): the cell
/// aligned below a short, digit-free header cell beside the customer label.
fn name_under_the_header_beside_the_customer(lines: &[TextLine], customer_label_line: usize) -> Option<(String, &TextLine)> {
    let header = &lines[customer_label_line];
    let below = lines.get(customer_label_line + 1).filter(|below| below.page == header.page && !below.cells.is_empty())?;
    header.text.split("  ").enumerate().find_map(|(cell_index, cell)| {
        let short_header = cell.split_whitespace().count() <= 3 && !cell.chars().any(|character| character.is_ascii_digit()) && !CUSTOMER_LABEL.is_match(cell);
        if !short_header {
            return None;
        }
        let name = aligned_cell(header.cells.get(cell_index)?, below)?.trim();
        (is_name_like(name) && !CUSTOMER_LABEL.is_match(name)).then(|| (name.to_string(), below))
    })
}

/// A name's confidence: as found, except that a name read by OCR is left
/// for review (below 0.7), since OCR drops accents and adds punctuation in
/// names far more often than in numbers, which check digits and arithmetic
/// guard.
fn name_confidence(as_found: f32, line: &TextLine) -> f32 {
    if line.confidence < TEXT_LAYER_CONFIDENCE { as_found.min(0.7) } else { as_found }
}

/// Whether the text after a party label is the party's number in the
/// issuer's books ("Customer: 2", "Cliente: C-10023"), not its name: a short
/// run with a digit and no lowercase letter.
fn is_party_number(after_label: &str) -> bool {
    let value = after_label.trim();
    !value.is_empty()
        && value.len() <= 12
        && !value.contains(' ')
        && value.chars().any(|character| character.is_ascii_digit())
        && !value.chars().any(char::is_lowercase)
}

/// The name at the start of a letterhead line that goes on with the address
/// ("Au bon moulin SARL - 1242 chemin de l'olive - 84340 Malaucène"): the
/// part before the first ` - ` when a later part holds a digit (a street
/// number, a postcode); otherwise the whole cell, trimmed.
fn name_of_letterhead(cell: &str) -> &str {
    let cell = cell.trim();
    match cell.split_once(" - ") {
        Some((name, rest)) if !name.trim().is_empty() && rest.chars().any(|character| character.is_ascii_digit()) => name.trim(),
        _ => cell,
    }
}

/// Whether the text after a party label makes the label name another of the
/// party's details ("Customer VAT Number", "Cliente NIF:", "Customer No.",
/// "Customer ref: 0042"), not the party itself: the name then is not beside
/// or below it. Words that could start a company name ("Taxi", "Nortel")
/// do not count; "id" and "no" count only before a colon, a dot, a `#`, a
/// digit or the end of the cell.
fn names_another_party_detail(after_label: &str) -> bool {
    static DETAIL: LazyLock<Regex> = LazyLock::new(|| {
        regex(r"(?i)^\s*(vat|tax|number|nr|n[º°]|ref|code|nif|cif|nit|rfc|e-?mail|phone|tel|fax|iban|n[úu]mero|c[óo]digo|cuenta|tel[ée]fono)\b|^\s*(id|no)\s*([:.#\d]|$)")
    });
    DETAIL.is_match(after_label)
}

/// A party name as printed, in single spaces, without what OCR adds around
/// it: leading quotes, dashes or bullets, and `€` read for `&` between two
/// words ("Walker € Smith Inc.").
fn clean_party_name(text: &str) -> String {
    let spaced = single_spaces(text);
    let trimmed = spaced.trim_start_matches(|character: char| !character.is_alphanumeric()).trim_end_matches(['“', '”', '"', '\'', '-', '—', ' ']);
    let trimmed = if trimmed.ends_with("..") { trimmed.trim_end_matches('.').to_string() + "." } else { trimmed.to_string() };
    trimmed.replace(" € ", " & ")
}

/// Whether a line is a document title such as "FACTURA" or "Invoice".
pub fn is_title(text: &str) -> bool {
    static TITLE: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)^\s*(factura|invoice|tax\s+invoice|rechnung|facture|credit\s+note|factura\s+rectificativa|nota\s+de\s+cr[ée]dito)\b"));
    TITLE.is_match(text)
}

/// A line that could be a company or person name: mostly letters, no
/// amount or date, not a label.
fn is_name_like(text: &str) -> bool {
    let text = text.trim();
    let letters = text.chars().filter(|character| character.is_alphabetic()).count();
    let digits = text.chars().filter(char::is_ascii_digit).count();
    letters >= 3
        && digits * 3 <= letters
        && !text.contains(':')
        && amount_role(text).is_none()
        && !TAX_ID_LABEL.is_match(text)
        && !ISSUE_DATE_LABEL.is_match(text)
        && !INVOICE_NUMBER_LABEL.is_match(text)
}

/// Rows of a line-item table: between a header naming description and
/// quantity columns and the first totals line; each row's last three
/// numbers are quantity, unit price and amount.
fn find_line_items(lines: &[TextLine], context: &DocumentContext) -> Vec<LineItem> {
    let (description_header, quantity_header) = &*LINE_ITEM_HEADER;
    let Some(header) = lines.iter().position(|line| description_header.is_match(&line.text) && quantity_header.is_match(&line.text)) else {
        return Vec::new();
    };
    let mut items = Vec::new();
    for line in &lines[header + 1..] {
        if line.text.split("  ").any(|cell| amount_role(cell).is_some()) || TOTAL_LINE.is_match(line.text.split("  ").next().unwrap_or("")) {
            break;
        }
        let numbers = amounts_with_ranges(&line.text, context);
        if numbers.len() < 2 {
            continue;
        }
        let first_number_start = numbers[0].0.start;
        let description = single_spaces(line.text[..first_number_start].trim_end_matches([' ', '-', ':']));
        if description.chars().filter(|character| character.is_alphabetic()).count() < 2 {
            continue;
        }
        let values: Vec<Decimal> = numbers.iter().map(|(_, value)| *value).collect();
        let (quantity, unit_price, amount) = match values.as_slice() {
            [.., quantity, unit_price, amount] => (Some(*quantity), Some(*unit_price), *amount),
            [quantity, amount] => (Some(*quantity), None, *amount),
            _ => continue,
        };
        // A row whose quantity × price is not its amount is not a line item
        // (bank details, notes), unless a discount column explains it.
        if let (Some(quantity), Some(unit_price)) = (quantity, unit_price)
            && (quantity * unit_price - amount).abs() > Decimal::new(1, 2)
            && values.len() < 4
        {
            continue;
        }
        items.push(LineItem {
            description: Some(description),
            quantity: quantity.map(|value| value.normalize().to_string()),
            unit_price: unit_price.map(format_amount),
            amount: Some(format_amount(amount)),
        });
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ocr_lines(texts: &[&str]) -> Vec<TextLine> {
        texts.iter().map(|text| TextLine { page: 1, text: text.to_string(), bbox: None, confidence: 0.95, cells: Vec::new() }).collect()
    }

    /// A photo cropped at the right edge loses every amount's decimals alike,
    /// so the page shows no decimal mark at all; the amounts still add up,
    /// and must still go to review.
    #[test]
    fn amounts_whose_decimals_were_cut_off_on_a_page_without_any_decimals_go_to_review() {
        let found = find_invoice_fields(&ocr_lines(&["Tax Invoice", "Invoice No.: INV-25-1328", "Total excl. VAT:  £3,351.", "VAT @ 20%:  £670.", "Total:  £4,021."]));
        assert_eq!(found.fields["total"].value, "4021.00");
        for name in ["subtotal", "tax_amount", "total"] {
            assert!(found.fields[name].confidence < 0.7, "{name}: {}", found.fields[name].confidence);
        }
    }

    /// Regression (issue 3, Mustang's GnuAccounting invoices): "Customer:2"
    /// is a customer number; the line below it is not the customer's name.
    #[test]
    fn a_customer_number_after_the_label_is_not_taken_for_the_start_of_a_name_block() {
        let lines: Vec<TextLine> = ["Invoice", "Customer:2", "Your order AB321", "Invoice # RE-2019/507 issued at 2019-06-10", "Total  10.00"]
            .iter()
            .map(|text| TextLine { page: 1, text: text.to_string(), bbox: None, confidence: 0.99, cells: Vec::new() })
            .collect();
        assert_eq!(find_invoice_fields(&lines).fields.get("customer_name").map(|field| field.value.as_str()), None);
        assert!(is_party_number("2") && is_party_number("C-10023"));
        assert!(!is_party_number(" Walker & Sons Ltd"));
        assert!(!is_party_number(""));
    }

    #[test]
    fn a_letterhead_line_that_goes_on_with_the_address_gives_only_the_name() {
        assert_eq!(name_of_letterhead("Au bon moulin SARL - 1242 chemin de l'olive - 84340 Malaucène - France"), "Au bon moulin SARL");
        assert_eq!(name_of_letterhead(" Smith - Jones Partners LLP "), "Smith - Jones Partners LLP");
        assert_eq!(name_of_letterhead("Talleres Pérez S.L."), "Talleres Pérez S.L.");
    }

    #[test]
    fn a_party_label_naming_another_detail_of_the_party_is_not_a_name_label() {
        for after_label in [" VAT Number", " NIF:", " No.", " ref: 0042", " ID: 77", " Tax ID", " Nº 12", " e-mail"] {
            assert!(names_another_party_detail(after_label), "{after_label}");
        }
        for after_label in [": Taxi Express S.L.", ": Nortel Networks", " Telecom Norte S.A.", "", ": Idealista S.A.", " Noble House Ltd", ": Codex Ltd"] {
            assert!(!names_another_party_detail(after_label), "{after_label}");
        }
    }

    /// A label pattern's loosened twin matches wherever the pattern does.
    #[test]
    fn label_prefilters_cover_their_patterns() {
        for pattern in [&*TAX_LINE, &*TAX_ID_LINE, &*ISSUE_DATE_LABEL, &*DUE_DATE_LABEL, &*INVOICE_NUMBER_LABEL, &*PO_NUMBER_LABEL] {
            for text in ["IVA 21%", "Cuota I.V.A.", "LV.A. 21 %", "Please remit until 2019-07-01", "VAT Reg. No", "Tax ID", "Fecha de emisión", "Fälligkeitsdatum", "Échéance", "Termin płatności", "Data wystawienia", "vom", "Due:", "Nº factura: 42", "Ihre Rechnung (Kopie) Nr. 5", "Nº de pedido 7", "P.O. #12", "\u{212A}unde: VAT \u{17F}t"] {
                if pattern.is_match(text) {
                    assert!(pattern.may_match(text), "{text}");
                }
            }
        }
    }
}
