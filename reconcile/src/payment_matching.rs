//! Payment matching: which bank entries pay which invoices.
//!
//! Evidence for "entry E pays invoice I" is of four kinds: the amount (the
//! invoice's outstanding amount within the tolerance, alone or summed with
//! other invoices), the invoice number written in the entry's text
//! (remittance, reference or counterparty, compared without case, spaces
//! or punctuation, so `FA-2026/0012` is found in `PAGO FRA FA 2026 0012`),
//! the supplier named in that text (by its tax id, or by most of the words
//! of its name that identify it), and the booking date inside the
//! invoice's payment window (from a few days before its issue date to some
//! days after its due date).
//!
//! Entries are matched in booking-date order, in three passes, the most
//! certain first, so a weak match never takes an invoice a strong one needs:
//!
//! 1. **By invoice number and amount.** The entry cites invoices whose
//!    outstanding amount equals the entry, or several cited invoices that
//!    together equal it. The date window is not required (a late payment
//!    that cites the invoice is still its payment) but a payment outside it
//!    is reported.
//! 2. **By supplier and amount**, inside the window: one open invoice of a
//!    named supplier with the entry's amount (the oldest if several), else
//!    a combination of up to `max_invoices_per_payment` open invoices of
//!    that supplier whose sum is the entry's amount. An entry that cites
//!    an open invoice credibly skips this pass: it pays that invoice, in
//!    part or in excess.
//! 3. **Partial and over-payments.** An entry that cites invoices but does
//!    not equal them is applied to them oldest first: less than they owe is
//!    a partial payment, more is an over-payment of the last one, and an
//!    entry citing an invoice already paid in full is a duplicate payment.
//!    An entry that cites no invoice but names a supplier with exactly one
//!    open invoice in the window, for less than it owes, is a partial
//!    payment of it; an over-payment always needs the invoice cited.
//!
//! What stays unmatched says why, with the invoices that came close.
//!
//! Nothing compares all pairs: invoices are indexed by currency and amount
//! (sorted, for range lookups within the tolerance), by invoice number, and
//! by supplier (tax id and name words); an entry's text is turned into
//! lookups into those indexes. Amounts are compared as integers in
//! ten-thousandths, and combinations are searched depth-first with pruning
//! and a bounded number of steps.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::findings::{MismatchCode, MismatchFinding};
use crate::invoice::{InvoiceForMatching, MatchingOptions, PaymentDirection};
use crate::statement::BankEntry;
use crate::text::{normalised_tax_id, normalised_words, significant_name_words};

/// How an entry's amount relates to what it paid of one invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountAgreement {
    /// The entry is exactly the invoice's outstanding amount.
    Exact,
    /// Within the tolerance.
    WithinTolerance,
    /// The entry pays this invoice in full together with others.
    SharedWithOtherInvoices,
    /// The entry pays part of the invoice.
    Partial,
    /// The entry pays more than the invoice owed.
    Excess,
}

/// Why an entry was matched to an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentEvidence {
    pub invoice_number_in_text: bool,
    pub supplier_named: bool,
    pub amount_agreement: AmountAgreement,
    pub within_date_window: bool,
}

/// The part of one bank entry applied to one invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentAllocation {
    pub bank_entry_id: String,
    pub booking_date: NaiveDate,
    /// Positive, in the invoice's currency.
    pub amount: Decimal,
    pub evidence: PaymentEvidence,
}

/// Why a bank entry pays no invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnmatchedEntryReason {
    /// Pending or informational, not booked.
    NotBooked,
    /// A reversal of an earlier entry.
    Reversal,
    /// Money in when matching payments out, or the reverse.
    OppositeDirection,
    /// It cites invoices in another currency.
    CurrencyDiffers,
    /// Open invoices have its amount, but it names neither them nor their supplier.
    CandidatesWithoutEvidence,
    /// It names a supplier with several open invoices and fits none of them.
    AmbiguousSupplierInvoices,
    /// Nothing points to any invoice.
    NoInvoiceFound,
}

impl UnmatchedEntryReason {
    pub fn as_str(self) -> &'static str {
        match self {
            UnmatchedEntryReason::NotBooked => "not_booked",
            UnmatchedEntryReason::Reversal => "reversal",
            UnmatchedEntryReason::OppositeDirection => "opposite_direction",
            UnmatchedEntryReason::CurrencyDiffers => "currency_differs",
            UnmatchedEntryReason::CandidatesWithoutEvidence => "candidates_without_evidence",
            UnmatchedEntryReason::AmbiguousSupplierInvoices => "ambiguous_supplier_invoices",
            UnmatchedEntryReason::NoInvoiceFound => "no_invoice_found",
        }
    }
}

/// A bank entry that pays no invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmatchedBankEntry {
    pub bank_entry_id: String,
    pub booking_date: NaiveDate,
    /// Signed, as on the statement.
    pub amount: Decimal,
    pub currency: String,
    pub reason: UnmatchedEntryReason,
    /// Invoices that came close (at most five), for a reviewer to check.
    pub candidate_invoice_ids: Vec<String>,
}

/// A bank entry and the invoices it pays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankEntryMatch {
    pub bank_entry_id: String,
    pub invoice_ids: Vec<String>,
}

/// The outcome of payment matching.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentMatching {
    /// Per invoice, in the invoices' order.
    pub allocations: Vec<Vec<PaymentAllocation>>,
    /// Per invoice, in the invoices' order.
    pub findings: Vec<Vec<MismatchFinding>>,
    /// Entries that pay invoices, in booking-date order.
    pub matched_entries: Vec<BankEntryMatch>,
    /// Entries that pay none, in the entries' order.
    pub unmatched_entries: Vec<UnmatchedBankEntry>,
}

/// Amounts are compared as integers of this many units per currency unit.
const UNITS_PER_CURRENCY_UNIT: i64 = 10_000;
/// Invoice numbers shorter than this are not looked up in entry texts.
const SHORTEST_LOOKED_UP_INVOICE_NUMBER: usize = 3;
/// The most consecutive words of an entry's text joined to find an invoice number.
const LONGEST_WORD_RUN_FOR_INVOICE_NUMBER: usize = 5;
/// A name word shared by more suppliers than this does not propose candidates.
const MOST_SUPPLIERS_PER_PROPOSING_WORD: usize = 2_000;
/// An amount bucket larger than this is searched through the named suppliers instead.
const LARGEST_AMOUNT_BUCKET_SCANNED: usize = 256;
/// Search steps allowed when looking for five or more invoices that add up to an entry.
const COMBINATION_SEARCH_STEPS: usize = 20_000;
/// Candidates listed on an unmatched entry.
const CANDIDATES_LISTED: usize = 5;

fn to_units(value: Decimal) -> i64 {
    (value * Decimal::from(UNITS_PER_CURRENCY_UNIT)).round().to_i64().unwrap_or(if value.is_sign_negative() {
        i64::MIN / 4
    } else {
        i64::MAX / 4
    })
}

fn from_units(units: i64) -> Decimal {
    let mut value = Decimal::new(units, 4).normalize();
    if value.scale() < 2 {
        value.rescale(2);
    }
    value
}

/// The form invoice numbers are compared in: words joined, lowercase.
fn invoice_number_key(invoice_number: &str) -> String {
    normalised_words(invoice_number).concat()
}

/// An invoice number specific enough to identify an invoice on its own:
/// digits and either six characters or letters and four.
fn is_distinctive_invoice_number(key: &str) -> bool {
    let has_digit = key.bytes().any(|byte| byte.is_ascii_digit());
    let has_letter = key.chars().any(char::is_alphabetic);
    has_digit && (key.len() >= 6 || (has_letter && key.len() >= 4))
}

struct Supplier {
    name_words: Vec<String>,
    /// How many of `name_words` a text must hold to name the supplier
    /// (all of a name of one or two words, two thirds of a longer one);
    /// zero when the name is too short to be recognised.
    name_words_needed: usize,
    tax_key: String,
    /// (currency, amount units, invoice), sorted.
    invoices_by_amount: Vec<(u32, i64, usize)>,
}

/// Everything about the invoices that matching looks up.
struct InvoiceIndex {
    currency_ids: HashMap<String, u32>,
    currency_of: Vec<u32>,
    total_units: Vec<i64>,
    window_of: Vec<(NaiveDate, NaiveDate)>,
    sort_date_of: Vec<NaiveDate>,
    supplier_of: Vec<usize>,
    distinctive_number: Vec<bool>,
    suppliers: Vec<Supplier>,
    by_number: HashMap<String, Vec<usize>>,
    by_currency_amount: HashMap<u32, Vec<(i64, usize)>>,
    suppliers_by_word: HashMap<String, Vec<usize>>,
    suppliers_by_tax_key: HashMap<String, Vec<usize>>,
}

impl InvoiceIndex {
    fn new(invoices: &[InvoiceForMatching], options: &MatchingOptions) -> Self {
        let mut index = InvoiceIndex {
            currency_ids: HashMap::new(),
            currency_of: Vec::with_capacity(invoices.len()),
            total_units: Vec::with_capacity(invoices.len()),
            window_of: Vec::with_capacity(invoices.len()),
            sort_date_of: Vec::with_capacity(invoices.len()),
            supplier_of: Vec::with_capacity(invoices.len()),
            distinctive_number: Vec::with_capacity(invoices.len()),
            suppliers: Vec::new(),
            by_number: HashMap::with_capacity(invoices.len()),
            by_currency_amount: HashMap::new(),
            suppliers_by_word: HashMap::new(),
            suppliers_by_tax_key: HashMap::new(),
        };
        let mut supplier_ids: HashMap<String, usize> = HashMap::new();
        for (position, invoice) in invoices.iter().enumerate() {
            let currency = index.currency_id_or_insert(&invoice.currency);
            let units = to_units(invoice.total);
            index.currency_of.push(currency);
            index.total_units.push(units);
            index.window_of.push(options.payment_window(invoice));
            index.sort_date_of.push(invoice.due_date.unwrap_or(invoice.issue_date));
            let number_key = invoice_number_key(&invoice.invoice_number);
            index.distinctive_number.push(is_distinctive_invoice_number(&number_key));
            if number_key.len() >= SHORTEST_LOOKED_UP_INVOICE_NUMBER {
                index.by_number.entry(number_key).or_default().push(position);
            }
            index.by_currency_amount.entry(currency).or_default().push((units, position));

            let tax_key = normalised_tax_id(&invoice.supplier_tax_id).to_lowercase();
            let name_words = significant_name_words(&invoice.supplier_name);
            let supplier_key = if tax_key.is_empty() { format!("name:{}", name_words.join(" ")) } else { tax_key.clone() };
            let supplier = *supplier_ids.entry(supplier_key).or_insert_with(|| {
                let name_words_needed = match name_words.len() {
                    0 => 0,
                    1 if name_words[0].len() < 3 => 0,
                    total @ (1 | 2) => total,
                    total => (total * 2).div_ceil(3),
                };
                index.suppliers.push(Supplier {
                    name_words: name_words.clone(),
                    name_words_needed,
                    tax_key: tax_key.clone(),
                    invoices_by_amount: Vec::new(),
                });
                index.suppliers.len() - 1
            });
            index.suppliers[supplier].invoices_by_amount.push((currency, units, position));
            index.supplier_of.push(supplier);
        }
        for invoices_in_currency in index.by_currency_amount.values_mut() {
            invoices_in_currency.sort_unstable();
        }
        for (supplier_id, supplier) in index.suppliers.iter_mut().enumerate() {
            supplier.invoices_by_amount.sort_unstable();
            for word in &supplier.name_words {
                index.suppliers_by_word.entry(word.clone()).or_default().push(supplier_id);
            }
            if supplier.tax_key.len() >= 5 {
                index.suppliers_by_tax_key.entry(supplier.tax_key.clone()).or_default().push(supplier_id);
            }
        }
        index
    }

    fn currency_id_or_insert(&mut self, currency: &str) -> u32 {
        let next = self.currency_ids.len() as u32;
        *self.currency_ids.entry(currency.trim().to_ascii_uppercase()).or_insert(next)
    }

    fn currency_id(&self, currency: &str) -> Option<u32> {
        self.currency_ids.get(&currency.trim().to_ascii_uppercase()).copied()
    }

    /// Invoices of a currency whose total is within the tolerance of an amount.
    fn with_total_near(&self, currency: u32, units: i64, tolerance: i64) -> &[(i64, usize)] {
        let Some(sorted) = self.by_currency_amount.get(&currency) else {
            return &[];
        };
        let start = sorted.partition_point(|&(amount, _)| amount < units - tolerance);
        let end = sorted.partition_point(|&(amount, _)| amount <= units + tolerance);
        &sorted[start..end]
    }
}

/// An entry's text as matching reads it.
struct EntryText {
    /// Normalised words in the order written.
    words_in_order: Vec<String>,
    /// Indexes into `words_in_order`, sorted by word, for lookups.
    sorted_word_positions: Vec<usize>,
    /// Words that may be tax ids, normalised like the suppliers' tax keys.
    tax_keys: Vec<String>,
}

impl EntryText {
    fn new(entry: &BankEntry) -> Self {
        let mut text = String::with_capacity(entry.remittance_text.len() + 64);
        if let Some(name) = &entry.counterparty_name {
            text.push_str(name);
            text.push(' ');
        }
        text.push_str(&entry.remittance_text);
        if let Some(reference) = &entry.reference {
            text.push(' ');
            text.push_str(reference);
        }
        let words_in_order = normalised_words(&text);
        let mut sorted_word_positions: Vec<usize> = (0..words_in_order.len()).collect();
        sorted_word_positions.sort_by(|&left, &right| words_in_order[left].cmp(&words_in_order[right]));
        sorted_word_positions.dedup_by(|left, right| words_in_order[*left] == words_in_order[*right]);
        let tax_keys = words_in_order
            .iter()
            .filter(|word| word.len() >= 8 && word.bytes().any(|byte| byte.is_ascii_digit()))
            .map(|word| normalised_tax_id(word).to_lowercase())
            .collect();
        EntryText { words_in_order, sorted_word_positions, tax_keys }
    }

    fn contains_word(&self, word: &str) -> bool {
        self.sorted_word_positions.binary_search_by(|&position| self.words_in_order[position].as_str().cmp(word)).is_ok()
    }

    fn distinct_words(&self) -> impl Iterator<Item = &str> {
        self.sorted_word_positions.iter().map(|&position| self.words_in_order[position].as_str())
    }

    /// Invoices whose number is written in the text, as one word or as
    /// consecutive words (`FA 2026 0012`), in any currency.
    fn cited_invoices(&self, index: &InvoiceIndex) -> Vec<usize> {
        let mut cited = Vec::new();
        let mut joined = String::new();
        for start in 0..self.words_in_order.len() {
            joined.clear();
            for word in self.words_in_order.iter().skip(start).take(LONGEST_WORD_RUN_FOR_INVOICE_NUMBER) {
                joined.push_str(word);
                if joined.len() > 40 {
                    break;
                }
                if joined.len() < SHORTEST_LOOKED_UP_INVOICE_NUMBER {
                    continue;
                }
                if let Some(found) = index.by_number.get(joined.as_str()) {
                    cited.extend_from_slice(found);
                }
            }
        }
        cited.sort_unstable();
        cited.dedup();
        cited
    }

    /// Whether the text names a supplier: its tax id, or its identifying
    /// name words (all of them for names of one or two words, two thirds
    /// for longer names).
    fn names_supplier(&self, supplier: &Supplier) -> bool {
        if !supplier.tax_key.is_empty() && self.tax_keys.contains(&supplier.tax_key) {
            return true;
        }
        supplier.name_words_needed > 0
            && supplier.name_words.iter().filter(|word| self.contains_word(word)).count() >= supplier.name_words_needed
    }
}

/// Finds `size` values (positions into `ascending`, which is sorted) from
/// `start` on whose sum plus `partial_sum` is within `tolerance` of
/// `target`: all choices but the last two are enumerated, the last two are
/// found by two pointers closing in on the target.
fn fixed_size_combination(
    ascending: &[i64],
    start: usize,
    size: usize,
    partial_sum: i64,
    target: i64,
    tolerance: i64,
    chosen: &mut Vec<usize>,
) -> bool {
    if size == 2 {
        if ascending.len() < 2 {
            return false;
        }
        let (mut low, mut high) = (start, ascending.len() - 1);
        while low < high {
            let sum = partial_sum + ascending[low] + ascending[high];
            if (sum - target).abs() <= tolerance {
                chosen.extend([low, high]);
                return true;
            }
            if sum < target - tolerance {
                low += 1;
            } else {
                high -= 1;
            }
        }
        return false;
    }
    for next in start..ascending.len() {
        if partial_sum + ascending[next] * size as i64 > target + tolerance {
            break;
        }
        chosen.push(next);
        if fixed_size_combination(ascending, next + 1, size - 1, partial_sum + ascending[next], target, tolerance, chosen) {
            return true;
        }
        chosen.pop();
    }
    false
}

/// A subset of `values` (all positive) of `minimum_size..=maximum_size`
/// elements (at least two) whose sum is within `tolerance` of `target`:
/// the positions in `values`, or `None`. All of them together is tried
/// first; then subsets of two, three and four exhaustively (by two
/// pointers, O(n^(k-1))); larger subsets depth-first, largest values first,
/// with pruning and a bounded number of steps.
fn combination_adding_up_to(values: &[i64], target: i64, tolerance: i64, minimum_size: usize, maximum_size: usize) -> Option<Vec<usize>> {
    let minimum_size = minimum_size.max(2);
    let maximum_size = maximum_size.min(values.len());
    if minimum_size > maximum_size {
        return None;
    }
    if maximum_size == values.len() && (values.iter().sum::<i64>() - target).abs() <= tolerance {
        return Some((0..values.len()).collect());
    }
    let mut ascending_positions: Vec<usize> = (0..values.len()).collect();
    ascending_positions.sort_by_key(|&position| (values[position], position));
    let ascending: Vec<i64> = ascending_positions.iter().map(|&position| values[position]).collect();
    let mut chosen = Vec::new();
    for size in minimum_size..=maximum_size.min(4) {
        chosen.clear();
        if fixed_size_combination(&ascending, 0, size, 0, target, tolerance, &mut chosen) {
            return Some(chosen.iter().map(|&index| ascending_positions[index]).collect());
        }
    }
    if maximum_size < 5 {
        return None;
    }

    struct Search<'a> {
        values: &'a [i64],
        order: Vec<usize>,
        remaining_after: Vec<i64>,
        target: i64,
        tolerance: i64,
        minimum_size: usize,
        maximum_size: usize,
        steps_left: usize,
        chosen: Vec<usize>,
    }
    impl Search<'_> {
        fn explore(&mut self, from: usize, sum: i64) -> bool {
            if self.steps_left == 0 {
                return false;
            }
            self.steps_left -= 1;
            if (sum - self.target).abs() <= self.tolerance && self.chosen.len() >= self.minimum_size {
                return true;
            }
            if self.chosen.len() == self.maximum_size
                || from == self.order.len()
                || sum + self.remaining_after[from] < self.target - self.tolerance
            {
                return false;
            }
            for next in from..self.order.len() {
                let value = self.values[self.order[next]];
                if sum + value > self.target + self.tolerance {
                    continue;
                }
                self.chosen.push(self.order[next]);
                if self.explore(next + 1, sum + value) {
                    return true;
                }
                self.chosen.pop();
                if self.steps_left == 0 {
                    return false;
                }
            }
            false
        }
    }
    let order: Vec<usize> = ascending_positions.iter().rev().copied().collect();
    let mut remaining_after = vec![0; values.len() + 1];
    for position in (0..order.len()).rev() {
        remaining_after[position] = remaining_after[position + 1] + values[order[position]];
    }
    let mut search = Search {
        values,
        order,
        remaining_after,
        target,
        tolerance,
        minimum_size: minimum_size.max(5),
        maximum_size,
        steps_left: COMBINATION_SEARCH_STEPS,
        chosen: Vec::new(),
    };
    search.explore(0, 0).then_some(search.chosen)
}

/// The running state of matching.
struct Matcher<'a> {
    index: InvoiceIndex,
    entries: &'a [BankEntry],
    options: &'a MatchingOptions,
    tolerance: i64,
    outstanding: Vec<i64>,
    allocations: Vec<Vec<PaymentAllocation>>,
    paid_again_after_full_payment: Vec<bool>,
    invoices_paid_by_entry: Vec<Vec<usize>>,
    /// Per supplier, how many of an entry's words propose it (scratch space
    /// of [`Matcher::named_suppliers`], zero between calls).
    proposal_counts: Vec<usize>,
    proposed_suppliers: Vec<usize>,
}

impl Matcher<'_> {
    fn within_window(&self, invoice: usize, date: NaiveDate) -> bool {
        let (start, end) = self.index.window_of[invoice];
        start <= date && date <= end
    }

    fn allocate(&mut self, entry: usize, invoice: usize, units: i64, agreement: AmountAgreement, cited: bool, text: &EntryText) {
        let booking_date = self.entries[entry].booking_date;
        let evidence = PaymentEvidence {
            invoice_number_in_text: cited,
            supplier_named: text.names_supplier(&self.index.suppliers[self.index.supplier_of[invoice]]),
            amount_agreement: agreement,
            within_date_window: self.within_window(invoice, booking_date),
        };
        self.outstanding[invoice] -= units;
        self.allocations[invoice].push(PaymentAllocation {
            bank_entry_id: self.entries[entry].entry_id.clone(),
            booking_date,
            amount: from_units(units),
            evidence,
        });
        self.invoices_paid_by_entry[entry].push(invoice);
    }

    /// The suppliers an entry's text names, the ones with most name words
    /// present first. Candidates come from the index of name words (words
    /// shared by very many suppliers propose none) and tax ids.
    fn named_suppliers(&mut self, text: &EntryText) -> Vec<usize> {
        const PROPOSED_BY_TAX_ID: usize = 1_000;
        let index = &self.index;
        let counts = &mut self.proposal_counts;
        let proposed = &mut self.proposed_suppliers;
        let mut propose = |supplier: usize, weight: usize| {
            if counts[supplier] == 0 {
                proposed.push(supplier);
            }
            counts[supplier] += weight;
        };
        for tax_key in &text.tax_keys {
            for &supplier in index.suppliers_by_tax_key.get(tax_key).map(Vec::as_slice).unwrap_or(&[]) {
                propose(supplier, PROPOSED_BY_TAX_ID);
            }
        }
        let mut some_word_proposed_nobody = false;
        for word in text.distinct_words() {
            match index.suppliers_by_word.get(word) {
                Some(suppliers) if suppliers.len() <= MOST_SUPPLIERS_PER_PROPOSING_WORD => {
                    for &supplier in suppliers {
                        propose(supplier, 1);
                    }
                }
                Some(_) => some_word_proposed_nobody = true,
                None => {}
            }
        }
        let mut named: Vec<(usize, usize)> = Vec::new();
        for &supplier in proposed.iter() {
            let count = counts[supplier];
            counts[supplier] = 0;
            let record = &index.suppliers[supplier];
            let is_named = if count >= PROPOSED_BY_TAX_ID {
                true
            } else if some_word_proposed_nobody {
                text.names_supplier(record)
            } else {
                record.name_words_needed > 0 && count >= record.name_words_needed
            };
            if is_named {
                named.push((supplier, count));
            }
        }
        proposed.clear();
        named.sort_unstable_by(|left, right| right.1.cmp(&left.1).then(left.0.cmp(&right.0)));
        named.into_iter().map(|(supplier, _)| supplier).collect()
    }

    /// Whether an invoice an entry cites is open, in the entry's currency,
    /// and cited credibly (a distinctive number, or the supplier named too).
    fn cites_open_invoice(&self, invoice: usize, currency: u32, text: &EntryText) -> bool {
        self.index.currency_of[invoice] == currency
            && self.outstanding[invoice] > 0
            && (self.index.distinctive_number[invoice] || text.names_supplier(&self.index.suppliers[self.index.supplier_of[invoice]]))
    }

    fn agreement_for_full_payment(&self, invoice: usize, units: i64) -> AmountAgreement {
        if units == self.outstanding[invoice] { AmountAgreement::Exact } else { AmountAgreement::WithinTolerance }
    }

    /// Pass 1: the entry cites invoices that it pays exactly, alone or together.
    fn match_by_number_and_amount(&mut self, entry: usize, amount: i64, currency: u32, text: &EntryText, cited: &[usize]) -> bool {
        let open: Vec<usize> =
            cited.iter().copied().filter(|&invoice| self.index.currency_of[invoice] == currency && self.outstanding[invoice] > 0).collect();
        let equal =
            open.iter().copied().filter(|&invoice| (self.outstanding[invoice] - amount).abs() <= self.tolerance).min_by_key(|&invoice| {
                (!text.names_supplier(&self.index.suppliers[self.index.supplier_of[invoice]]), self.index.sort_date_of[invoice], invoice)
            });
        if let Some(invoice) = equal {
            let agreement = self.agreement_for_full_payment(invoice, amount);
            self.allocate(entry, invoice, amount, agreement, true, text);
            return true;
        }
        if open.len() < 2 || open.len() > self.options.max_invoices_tried_in_combination.max(2) * 2 {
            return false;
        }
        let owed: Vec<i64> = open.iter().map(|&invoice| self.outstanding[invoice]).collect();
        let Some(chosen) = combination_adding_up_to(&owed, amount, self.tolerance, 2, open.len()) else {
            return false;
        };
        self.allocate_in_full(entry, amount, chosen.iter().map(|&position| open[position]).collect(), true, text);
        true
    }

    /// Applies an entry to invoices it pays in full together; a difference
    /// within the tolerance goes to the last one.
    fn allocate_in_full(&mut self, entry: usize, amount: i64, mut invoices: Vec<usize>, cited: bool, text: &EntryText) {
        invoices.sort_by_key(|&invoice| (self.index.sort_date_of[invoice], invoice));
        let mut remaining = amount;
        let last = invoices.len() - 1;
        for (position, invoice) in invoices.into_iter().enumerate() {
            let units = if position == last { remaining } else { self.outstanding[invoice] };
            remaining -= units;
            self.allocate(entry, invoice, units, AmountAgreement::SharedWithOtherInvoices, cited, text);
        }
    }

    /// Open invoices of a supplier in a currency whose window holds a date,
    /// the ones due first first.
    fn open_invoices_of_supplier(&self, supplier: usize, currency: u32, date: NaiveDate) -> Vec<usize> {
        let mut open: Vec<usize> = self.index.suppliers[supplier]
            .invoices_by_amount
            .iter()
            .filter(|&&(invoice_currency, _, invoice)| {
                invoice_currency == currency && self.outstanding[invoice] > 0 && self.within_window(invoice, date)
            })
            .map(|&(_, _, invoice)| invoice)
            .collect();
        open.sort_by_key(|&invoice| (self.index.sort_date_of[invoice], invoice));
        open
    }

    /// Pass 2: a named supplier's open invoice, or combination of them, equals the entry.
    fn match_by_supplier_and_amount(&mut self, entry: usize, amount: i64, currency: u32, text: &EntryText, named: &[usize]) -> bool {
        let date = self.entries[entry].booking_date;
        let is_candidate = |matcher: &Self, invoice: usize| {
            matcher.outstanding[invoice] > 0
                && (matcher.outstanding[invoice] - amount).abs() <= matcher.tolerance
                && matcher.within_window(invoice, date)
                && text.names_supplier(&matcher.index.suppliers[matcher.index.supplier_of[invoice]])
        };
        let bucket = self.index.with_total_near(currency, amount, self.tolerance);
        let single = if bucket.len() <= LARGEST_AMOUNT_BUCKET_SCANNED {
            bucket
                .iter()
                .map(|&(_, invoice)| invoice)
                .filter(|&invoice| is_candidate(self, invoice))
                .min_by_key(|&invoice| (self.index.sort_date_of[invoice], invoice))
        } else {
            None
        };
        let single = single.or_else(|| {
            named
                .iter()
                .flat_map(|&supplier| self.index.suppliers[supplier].invoices_by_amount.iter())
                .filter(|&&(invoice_currency, _, invoice)| invoice_currency == currency && is_candidate(self, invoice))
                .map(|&(_, _, invoice)| invoice)
                .min_by_key(|&invoice| (self.index.sort_date_of[invoice], invoice))
        });
        if let Some(invoice) = single {
            let agreement = self.agreement_for_full_payment(invoice, amount);
            self.allocate(entry, invoice, amount, agreement, false, text);
            return true;
        }
        for &supplier in named.iter().take(2) {
            let open: Vec<usize> = self
                .open_invoices_of_supplier(supplier, currency, date)
                .into_iter()
                .take(self.options.max_invoices_tried_in_combination)
                .collect();
            if open.len() < 2 {
                continue;
            }
            let owed: Vec<i64> = open.iter().map(|&invoice| self.outstanding[invoice]).collect();
            if let Some(chosen) = combination_adding_up_to(&owed, amount, self.tolerance, 2, self.options.max_invoices_per_payment) {
                self.allocate_in_full(entry, amount, chosen.iter().map(|&position| open[position]).collect(), false, text);
                return true;
            }
        }
        false
    }

    /// Pass 3: partial payments, over-payments and duplicate payments.
    /// Returns the reason and candidates when the entry stays unmatched.
    fn match_partially(
        &mut self,
        entry: usize,
        amount: i64,
        currency: u32,
        text: &EntryText,
        cited: &[usize],
        named: &[usize],
    ) -> Option<(UnmatchedEntryReason, Vec<usize>)> {
        let date = self.entries[entry].booking_date;
        let trustworthy = |matcher: &Self, invoice: usize| {
            matcher.index.distinctive_number[invoice] || text.names_supplier(&matcher.index.suppliers[matcher.index.supplier_of[invoice]])
        };
        let cited_trusted: Vec<usize> = cited.iter().copied().filter(|&invoice| trustworthy(self, invoice)).collect();
        let cited_same_currency: Vec<usize> =
            cited_trusted.iter().copied().filter(|&invoice| self.index.currency_of[invoice] == currency).collect();
        let mut open: Vec<usize> = cited_same_currency.iter().copied().filter(|&invoice| self.outstanding[invoice] > 0).collect();
        if !open.is_empty() {
            open.sort_by_key(|&invoice| (self.index.sort_date_of[invoice], invoice));
            let mut remaining = amount;
            let last = open.len() - 1;
            for (position, invoice) in open.iter().copied().enumerate() {
                if remaining <= 0 {
                    break;
                }
                let owed = self.outstanding[invoice];
                let units = if position == last { remaining } else { remaining.min(owed) };
                let agreement = if units > owed + self.tolerance {
                    AmountAgreement::Excess
                } else if units < owed - self.tolerance {
                    AmountAgreement::Partial
                } else if open.len() > 1 {
                    AmountAgreement::SharedWithOtherInvoices
                } else {
                    self.agreement_for_full_payment(invoice, units)
                };
                remaining -= units;
                self.allocate(entry, invoice, units, agreement, true, text);
            }
            return None;
        }
        if !cited_same_currency.is_empty() {
            let invoice = cited_same_currency
                .iter()
                .copied()
                .min_by_key(|&invoice| ((self.index.total_units[invoice] - amount).abs(), self.index.sort_date_of[invoice], invoice))
                .expect("not empty");
            self.paid_again_after_full_payment[invoice] = true;
            self.allocate(entry, invoice, amount, AmountAgreement::Excess, true, text);
            return None;
        }
        if !cited_trusted.is_empty() {
            return Some((UnmatchedEntryReason::CurrencyDiffers, cited_trusted));
        }
        if let Some(&supplier) = named.first() {
            let open = self.open_invoices_of_supplier(supplier, currency, date);
            let single_open_invoice_owing_more = match open[..] {
                [invoice] if amount < self.outstanding[invoice] - self.tolerance => Some(invoice),
                _ => None,
            };
            if let Some(invoice) = single_open_invoice_owing_more {
                self.allocate(entry, invoice, amount, AmountAgreement::Partial, false, text);
                return None;
            }
            if !open.is_empty() {
                return Some((UnmatchedEntryReason::AmbiguousSupplierInvoices, open));
            }
        }
        let close_by_amount: Vec<usize> = self
            .index
            .with_total_near(currency, amount, self.tolerance)
            .iter()
            .map(|&(_, invoice)| invoice)
            .filter(|&invoice| self.outstanding[invoice] > 0 && self.within_window(invoice, date))
            .take(CANDIDATES_LISTED)
            .collect();
        if close_by_amount.is_empty() {
            Some((UnmatchedEntryReason::NoInvoiceFound, Vec::new()))
        } else {
            Some((UnmatchedEntryReason::CandidatesWithoutEvidence, close_by_amount))
        }
    }
}

/// Matches bank entries to the invoices they pay (see the module documentation).
pub fn match_payments(invoices: &[InvoiceForMatching], entries: &[BankEntry], options: &MatchingOptions) -> PaymentMatching {
    let index = InvoiceIndex::new(invoices, options);
    let mut matcher = Matcher {
        tolerance: to_units(options.amount_tolerance.abs()),
        outstanding: index.total_units.clone(),
        allocations: vec![Vec::new(); invoices.len()],
        paid_again_after_full_payment: vec![false; invoices.len()],
        invoices_paid_by_entry: vec![Vec::new(); entries.len()],
        proposal_counts: vec![0; index.suppliers.len()],
        proposed_suppliers: Vec::new(),
        index,
        entries,
        options,
    };
    let mut unmatched_reasons: Vec<Option<(UnmatchedEntryReason, Vec<usize>)>> = vec![None; entries.len()];

    struct Pending {
        entry: usize,
        amount: i64,
        currency: u32,
        text: EntryText,
        cited: Vec<usize>,
        named: Option<Vec<usize>>,
    }
    let mut booking_order: Vec<usize> = (0..entries.len()).collect();
    booking_order.sort_by_key(|&entry| (entries[entry].booking_date, entry));

    let mut pending: Vec<Pending> = Vec::new();
    for &entry in &booking_order {
        let bank_entry = &entries[entry];
        let direction_fits = match options.payment_direction {
            PaymentDirection::Outgoing => bank_entry.amount.is_sign_negative() && !bank_entry.amount.is_zero(),
            PaymentDirection::Incoming => bank_entry.amount.is_sign_positive() && !bank_entry.amount.is_zero(),
            PaymentDirection::Either => !bank_entry.amount.is_zero(),
        };
        let reason = if !bank_entry.booked {
            Some(UnmatchedEntryReason::NotBooked)
        } else if bank_entry.reversal {
            Some(UnmatchedEntryReason::Reversal)
        } else if !direction_fits {
            Some(UnmatchedEntryReason::OppositeDirection)
        } else {
            None
        };
        if let Some(reason) = reason {
            unmatched_reasons[entry] = Some((reason, Vec::new()));
            continue;
        }
        let text = EntryText::new(bank_entry);
        let cited = text.cited_invoices(&matcher.index);
        let amount = to_units(bank_entry.amount.abs());
        let Some(currency) = matcher.index.currency_id(&bank_entry.currency) else {
            let reason = if cited.is_empty() { UnmatchedEntryReason::NoInvoiceFound } else { UnmatchedEntryReason::CurrencyDiffers };
            unmatched_reasons[entry] = Some((reason, cited));
            continue;
        };
        if !matcher.match_by_number_and_amount(entry, amount, currency, &text, &cited) {
            pending.push(Pending { entry, amount, currency, text, cited, named: None });
        }
    }
    let mut still_pending = Vec::with_capacity(pending.len());
    for mut candidate in pending {
        let named = matcher.named_suppliers(&candidate.text);
        let cites_an_open_invoice =
            candidate.cited.iter().any(|&invoice| matcher.cites_open_invoice(invoice, candidate.currency, &candidate.text));
        if cites_an_open_invoice
            || !matcher.match_by_supplier_and_amount(candidate.entry, candidate.amount, candidate.currency, &candidate.text, &named)
        {
            candidate.named = Some(named);
            still_pending.push(candidate);
        }
    }
    for candidate in still_pending {
        let named = candidate.named.unwrap_or_default();
        unmatched_reasons[candidate.entry] =
            matcher.match_partially(candidate.entry, candidate.amount, candidate.currency, &candidate.text, &candidate.cited, &named);
    }

    let Matcher { allocations, paid_again_after_full_payment, invoices_paid_by_entry, tolerance, .. } = matcher;
    let mut findings: Vec<Vec<MismatchFinding>> = vec![Vec::new(); invoices.len()];
    for (invoice_position, invoice) in invoices.iter().enumerate() {
        payment_findings(
            invoice,
            &allocations[invoice_position],
            paid_again_after_full_payment[invoice_position],
            tolerance,
            options,
            &mut findings[invoice_position],
        );
    }
    let mut entries_with_amount_only: HashMap<usize, Vec<String>> = HashMap::new();
    let mut unmatched_entries = Vec::new();
    for (entry, reason) in unmatched_reasons.into_iter().enumerate() {
        let Some((reason, candidates)) = reason else {
            continue;
        };
        let bank_entry = &entries[entry];
        match reason {
            UnmatchedEntryReason::CandidatesWithoutEvidence => {
                for &invoice in &candidates {
                    entries_with_amount_only.entry(invoice).or_default().push(bank_entry.entry_id.clone());
                }
            }
            UnmatchedEntryReason::CurrencyDiffers => {
                for &invoice in &candidates {
                    let invoice_record = &invoices[invoice];
                    findings[invoice].push(MismatchFinding::new(
                        MismatchCode::PaymentCurrencyDiffers,
                        &["currency"],
                        vec![bank_entry.entry_id.clone()],
                        |wording| {
                            wording.pick(
                                format!(
                                    "Bank entry {} of {} cites this invoice but is in {}, the invoice in {}: it was not applied.",
                                    bank_entry.entry_id,
                                    wording.date(bank_entry.booking_date),
                                    bank_entry.currency,
                                    invoice_record.currency
                                ),
                                format!(
                                    "El movimiento {} del {} cita esta factura pero está en {} y la factura en {}: no se ha aplicado.",
                                    bank_entry.entry_id,
                                    wording.date(bank_entry.booking_date),
                                    bank_entry.currency,
                                    invoice_record.currency
                                ),
                            )
                        },
                    ));
                }
            }
            _ => {}
        }
        unmatched_entries.push(UnmatchedBankEntry {
            bank_entry_id: bank_entry.entry_id.clone(),
            booking_date: bank_entry.booking_date,
            amount: bank_entry.amount,
            currency: bank_entry.currency.clone(),
            reason,
            candidate_invoice_ids: candidates.iter().take(CANDIDATES_LISTED).map(|&invoice| invoices[invoice].id.clone()).collect(),
        });
    }
    let mut with_amount_only: Vec<(usize, Vec<String>)> = entries_with_amount_only.into_iter().collect();
    with_amount_only.sort_unstable_by_key(|(invoice, _)| *invoice);
    for (invoice, entry_ids) in with_amount_only {
        if !allocations[invoice].is_empty() {
            continue;
        }
        let invoice_record = &invoices[invoice];
        findings[invoice].push(MismatchFinding::new(MismatchCode::PaymentCandidatesWithoutEvidence, &["total"], entry_ids.clone(), |wording| {
            wording.pick(
                format!(
                    "Bank entries {} have this invoice's amount {} {} but name neither the invoice nor its supplier: check whether they pay it.",
                    wording.ids(&entry_ids),
                    wording.amount(invoice_record.total),
                    invoice_record.currency
                ),
                format!(
                    "Los movimientos {} tienen el importe de esta factura, {} {}, pero no citan ni la factura ni a su proveedor: compruebe si la pagan.",
                    wording.ids(&entry_ids),
                    wording.amount(invoice_record.total),
                    invoice_record.currency
                ),
            )
        }));
    }
    let matched_entries = booking_order
        .iter()
        .filter(|&&entry| !invoices_paid_by_entry[entry].is_empty())
        .map(|&entry| BankEntryMatch {
            bank_entry_id: entries[entry].entry_id.clone(),
            invoice_ids: invoices_paid_by_entry[entry].iter().map(|&invoice| invoices[invoice].id.clone()).collect(),
        })
        .collect();
    PaymentMatching { allocations, findings, matched_entries, unmatched_entries }
}

/// The findings about one invoice's payments: partial, excess, duplicate,
/// outside the window, within the tolerance.
fn payment_findings(
    invoice: &InvoiceForMatching,
    allocations: &[PaymentAllocation],
    paid_again: bool,
    tolerance_units: i64,
    options: &MatchingOptions,
    findings: &mut Vec<MismatchFinding>,
) {
    if allocations.is_empty() {
        return;
    }
    let paid: Decimal = allocations.iter().map(|allocation| allocation.amount).sum();
    let difference = invoice.total - paid;
    let difference_units = to_units(difference);
    let entry_ids: Vec<String> = allocations.iter().map(|allocation| allocation.bank_entry_id.clone()).collect();
    let currency = &invoice.currency;
    if difference_units > tolerance_units {
        findings.push(MismatchFinding::new(MismatchCode::PaymentPartial, &["total"], entry_ids.clone(), |wording| {
            wording.pick(
                format!(
                    "Partly paid: {} of {} {}, {} outstanding (bank entries {}).",
                    wording.amount(paid),
                    wording.amount(invoice.total),
                    currency,
                    wording.amount(difference),
                    wording.ids(&entry_ids)
                ),
                format!(
                    "Pagada en parte: {} de {} {}, quedan {} pendientes (movimientos {}).",
                    wording.amount(paid),
                    wording.amount(invoice.total),
                    currency,
                    wording.amount(difference),
                    wording.ids(&entry_ids)
                ),
            )
        }));
    } else if difference_units < -tolerance_units {
        let excess = -difference;
        findings.push(MismatchFinding::new(MismatchCode::PaymentExceedsInvoice, &["total"], entry_ids.clone(), |wording| {
            wording.pick(
                format!(
                    "Paid {} against a total of {} {}: {} too much (bank entries {}). Ask for a refund or a credit note.",
                    wording.amount(paid),
                    wording.amount(invoice.total),
                    currency,
                    wording.amount(excess),
                    wording.ids(&entry_ids)
                ),
                format!(
                    "Pagados {} para un total de {} {}: {} de más (movimientos {}). Pida la devolución o un abono.",
                    wording.amount(paid),
                    wording.amount(invoice.total),
                    currency,
                    wording.amount(excess),
                    wording.ids(&entry_ids)
                ),
            )
        }));
        if paid_again {
            let last = allocations.last().expect("not empty");
            findings.push(MismatchFinding::new(
                MismatchCode::PaymentDuplicate,
                &["invoice_number"],
                vec![last.bank_entry_id.clone()],
                |wording| {
                    wording.pick(
                        format!(
                            "Paid again after being paid in full: bank entry {} of {} for {} {} cites this invoice.",
                            last.bank_entry_id,
                            wording.date(last.booking_date),
                            wording.amount(last.amount),
                            currency
                        ),
                        format!(
                            "Pagada de nuevo tras estar pagada por completo: el movimiento {} del {} por {} {} cita esta factura.",
                            last.bank_entry_id,
                            wording.date(last.booking_date),
                            wording.amount(last.amount),
                            currency
                        ),
                    )
                },
            ));
        }
    } else if difference_units != 0 {
        findings.push(MismatchFinding::new(MismatchCode::PaymentWithinTolerance, &["total"], entry_ids.clone(), |wording| {
            wording.pick(
                format!(
                    "Paid {} against {} {}: a difference of {} within the tolerance.",
                    wording.amount(paid),
                    wording.amount(invoice.total),
                    currency,
                    wording.amount(difference)
                ),
                format!(
                    "Pagados {} de {} {}: una diferencia de {} dentro de la tolerancia.",
                    wording.amount(paid),
                    wording.amount(invoice.total),
                    currency,
                    wording.amount(difference)
                ),
            )
        }));
    }
    let (window_start, window_end) = options.payment_window(invoice);
    for allocation in allocations.iter().filter(|allocation| !allocation.evidence.within_date_window) {
        findings.push(MismatchFinding::new(
            MismatchCode::PaymentOutsideDateWindow,
            &["issue_date", "due_date"],
            vec![allocation.bank_entry_id.clone()],
            |wording| {
                wording.pick(
                    format!(
                        "Bank entry {} of {} cites this invoice but is outside its expected payment window, {} to {}.",
                        allocation.bank_entry_id,
                        wording.date(allocation.booking_date),
                        wording.date(window_start),
                        wording.date(window_end)
                    ),
                    format!(
                        "El movimiento {} del {} cita esta factura pero queda fuera de su plazo de pago esperado, del {} al {}.",
                        allocation.bank_entry_id,
                        wording.date(allocation.booking_date),
                        wording.date(window_start),
                        wording.date(window_end)
                    ),
                )
            },
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_combination_adding_up_to_the_target_is_found_within_the_tolerance() {
        let values = [500, 1_210, 300, 700, 45];
        let chosen = combination_adding_up_to(&values, 2_210, 0, 2, 8).unwrap();
        assert_eq!(chosen.iter().map(|&position| values[position]).sum::<i64>(), 2_210);
        assert!(combination_adding_up_to(&values, 46, 0, 2, 8).is_none());
        assert!(combination_adding_up_to(&values, 1_246, 1, 2, 8).is_some());
        assert!(combination_adding_up_to(&values, 2_755, 0, 2, 3).is_none(), "needs all five, more than three");
    }

    #[test]
    fn invoice_numbers_are_found_across_words_of_the_remittance() {
        let invoices = vec![InvoiceForMatching {
            id: "I1".to_string(),
            invoice_number: "FA-2026/0012".to_string(),
            supplier_tax_id: "B12345678".to_string(),
            supplier_name: "Suministros García SL".to_string(),
            currency: "EUR".to_string(),
            total: Decimal::new(12_100, 2),
            issue_date: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            due_date: None,
            po_number: None,
            lines: Vec::new(),
        }];
        let index = InvoiceIndex::new(&invoices, &MatchingOptions::default());
        let entry = BankEntry {
            entry_id: "E".to_string(),
            booking_date: NaiveDate::from_ymd_opt(2026, 3, 5).unwrap(),
            value_date: None,
            amount: Decimal::new(-12_100, 2),
            currency: "EUR".to_string(),
            remittance_text: "PAGO FRA FA 2026 0012".to_string(),
            counterparty_name: Some("SUMINISTROS GARCIA, S.L.".to_string()),
            reference: None,
            booked: true,
            reversal: false,
            source_line: 1,
        };
        let text = EntryText::new(&entry);
        assert_eq!(text.cited_invoices(&index), [0]);
        assert!(text.names_supplier(&index.suppliers[0]));
        assert!(is_distinctive_invoice_number("fa20260012"));
        assert!(!is_distinctive_invoice_number("2024"));
    }
}
