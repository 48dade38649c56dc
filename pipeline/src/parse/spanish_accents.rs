//! Restoring the accents OCR drops from Spanish names, and folding
//! accents away ([`fold_character`]) where names are compared.
//!
//! At 300 dpi and below, tesseract often reads `Martínez` as `Martinez` or
//! `Ibáñez` as `Ibanez`: the accent is a few pixels. A keyer would type the
//! name as Spanish spells it. This module knows how the commonest Spanish
//! surnames, given names and company-name words are spelt, and puts back an
//! accent only where the word read is exactly such a word with its accents
//! missing. It is for names read by OCR on Spanish documents only: a name
//! printed without accents in a text layer is kept as printed, and so is an
//! English document's `Martinez`.
//!
//! The list is general Spanish orthography (surnames ending in `-ez`,
//! words ending in `-ción`, `-ía`), not any one supplier's names.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

/// Spanish words that are always written with their accent.
const ACCENTED_WORDS: &[&str] = &[
    // Surnames.
    "Acuña", "Álvarez", "Báez", "Beltrán", "Benítez", "Bermúdez", "Calderón", "Chávez", "Cortés", "Dávila", "Díaz", "Domínguez",
    "Durán", "Echeverría", "Estévez", "Fernández", "Galán", "García", "Gálvez", "Garzón", "Godínez", "Gómez", "González", "Guillén",
    "Gutiérrez", "Guzmán", "Hernández", "Ibáñez", "Íñiguez", "Jiménez", "López", "Márquez", "Martínez", "Méndez", "Mejía", "Monzón",
    "Muñoz", "Núñez", "Ordóñez", "Patiño", "Pérez", "Ramírez", "Rodríguez", "Sánchez", "Suárez", "Valdés", "Vázquez", "Velázquez",
    "Vélez", "Zúñiga",
    // Given names.
    "Adrián", "Agustín", "Álvaro", "Andrés", "Ángel", "Ángela", "Begoña", "Fermín", "Germán", "Héctor", "Inés", "Iván", "Joaquín",
    "José", "Jesús", "Julián", "Lucía", "María", "Martín", "Mónica", "Nicolás", "Óscar", "Ramón", "Raúl", "Rocío", "Rubén", "Sebastián",
    "Simón", "Sofía", "Tomás", "Verónica", "Víctor",
    // Surnames and places that are also words elsewhere, safe on Spanish documents.
    "Bogotá", "Cáceres", "Cádiz", "Córdoba", "León", "Málaga", "Marín", "Medellín", "México", "Ríos", "Román",
    // Words of company names.
    "Administración", "Alimentación", "Asesoría", "Atlántico", "Carpintería", "Cía", "Climatización", "Comunicación", "Compañía",
    "Construcción", "Consultoría", "Distribución", "Electrónica", "Energía", "Farmacéutica", "Ferretería", "Fontanería", "Gestión",
    "Gráficas", "Ibérica", "Informática", "Ingeniería", "Logística", "Mecánica", "Mediterráneo", "Papelería", "Pacífico",
    "Producción", "Química", "Técnica", "Técnicos", "Tecnología", "Tecnológica", "Telecomunicación",
];

/// Each accented word by its spelling without accents, lowercase.
static ACCENTED_BY_BARE_SPELLING: LazyLock<HashMap<String, &'static str>> =
    LazyLock::new(|| ACCENTED_WORDS.iter().map(|word| (without_accents(word).to_lowercase(), *word)).collect());

/// `name` with the accents OCR dropped from known Spanish words put back,
/// each word keeping the case it was read in (`MARTINEZ` → `MARTÍNEZ`).
/// Borrowed when nothing changed.
pub fn restore_dropped_accents(name: &str) -> Cow<'_, str> {
    let mut restored = String::with_capacity(name.len() + 4);
    let mut changed = false;
    let mut rest = name;
    while let Some(start) = rest.find(|character: char| character.is_alphabetic()) {
        restored.push_str(&rest[..start]);
        let word_and_after = &rest[start..];
        let end = word_and_after.find(|character: char| !character.is_alphabetic()).unwrap_or(word_and_after.len());
        let word = &word_and_after[..end];
        match accented_spelling(word) {
            Some(accented) => {
                restored.push_str(&accented);
                changed = true;
            }
            None => restored.push_str(word),
        }
        rest = &word_and_after[end..];
    }
    restored.push_str(rest);
    if changed { Cow::Owned(restored) } else { Cow::Borrowed(name) }
}

/// The accented spelling of `word` in its case, when `word` has no accent
/// and is a known accented word without it.
fn accented_spelling(word: &str) -> Option<String> {
    if !word.is_ascii() {
        return None;
    }
    let accented = ACCENTED_BY_BARE_SPELLING.get(&word.to_lowercase())?;
    let all_upper = word.len() > 1 && word.chars().all(|character| character.is_ascii_uppercase());
    Some(
        word.chars()
            .zip(accented.chars())
            .map(|(read, spelt)| if all_upper || read.is_ascii_uppercase() { spelt.to_uppercase().next().unwrap_or(spelt) } else { spelt.to_lowercase().next().unwrap_or(spelt) })
            .collect(),
    )
}

fn without_accents(word: &str) -> String {
    word.chars().map(fold_character).collect()
}

/// A Latin letter without its accent (`Ñ` → `N`, `ç` → `c`), other characters as they are.
pub fn fold_character(character: char) -> char {
    match character {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'Á' | 'À' | 'Â' | 'Ä' | 'Ã' | 'Å' => 'A',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'É' | 'È' | 'Ê' | 'Ë' => 'E',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => 'o',
        'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' | 'Ø' => 'O',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'Ú' | 'Ù' | 'Û' | 'Ü' => 'U',
        'ñ' => 'n',
        'Ñ' => 'N',
        'ç' => 'c',
        'Ç' => 'C',
        'ý' | 'ÿ' => 'y',
        'Ý' => 'Y',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surnames_read_without_their_accents_get_them_back() {
        assert_eq!(restore_dropped_accents("Andrés Gomez Ibanez"), "Andrés Gómez Ibáñez");
        assert_eq!(restore_dropped_accents("Antonio Diaz Rodriguez"), "Antonio Díaz Rodríguez");
        assert_eq!(restore_dropped_accents("Nunez Martinez y Asociados, S.L."), "Núñez Martínez y Asociados, S.L.");
    }

    #[test]
    fn the_case_each_word_was_read_in_is_kept() {
        assert_eq!(restore_dropped_accents("JOSE MARTINEZ"), "JOSÉ MARTÍNEZ");
        assert_eq!(restore_dropped_accents("Logistica integral"), "Logística integral");
    }

    #[test]
    fn words_already_accented_or_unknown_are_left_alone() {
        assert!(matches!(restore_dropped_accents("Talleres Serrano, S.L."), Cow::Borrowed(_)));
        assert_eq!(restore_dropped_accents("Martínez"), "Martínez");
        assert_eq!(restore_dropped_accents("Martinezz Lopezano"), "Martinezz Lopezano");
    }

    #[test]
    fn every_word_of_the_list_has_an_accent_to_restore() {
        for word in ACCENTED_WORDS {
            assert_ne!(without_accents(word), *word, "{word}");
            assert_eq!(restore_dropped_accents(&without_accents(word)), *word);
        }
    }
}
