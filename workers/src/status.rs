//! `tramite status`: documents per state and open exceptions per review
//! queue, with how long the oldest has waited, as a table or JSON.

use std::fmt::Write;

use serde::Serialize;
use tramite_pipeline::lifecycle::DocumentState;
use tramite_repository::{Millis, StatusReport};

/// A duration for people: `42s`, `5m`, `3h 10m`, `2d 4h`.
pub fn human_age(milliseconds: i64) -> String {
    let seconds = (milliseconds / 1000).max(0);
    match seconds {
        0..60 => format!("{seconds}s"),
        60..3600 => format!("{}m", seconds / 60),
        3600..86_400 => format!("{}h {}m", seconds / 3600, seconds % 3600 / 60),
        _ => format!("{}d {}h", seconds / 86_400, seconds % 86_400 / 3600),
    }
}

/// The status table, every state listed (zeros included) so a script or a
/// person always sees the same rows.
pub fn render_table(report: &StatusReport, now: Millis) -> String {
    let mut output = String::new();
    let _ = writeln!(output, "{:<12} {:>9}  {}", "STATE", "DOCUMENTS", "OLDEST");
    for state in DocumentState::ALL {
        let count = report.states.iter().find(|count| count.state == state);
        let documents = count.map_or(0, |count| count.documents);
        let oldest = count.filter(|_| !matches!(state, DocumentState::Exported | DocumentState::Rejected | DocumentState::Failed));
        let age = oldest.map(|count| human_age(now - count.oldest_since)).unwrap_or_default();
        let _ = writeln!(output, "{:<12} {:>9}  {}", state.as_str(), documents, age);
    }
    let _ = writeln!(output, "{:<12} {:>9}", "total", report.total());
    let _ = writeln!(output);
    let _ = writeln!(output, "{:<12} {:>9} {:>10}  {}", "QUEUE", "DOCUMENTS", "EXCEPTIONS", "OLDEST");
    for queue in tramite_pipeline::lifecycle::ReviewQueue::ALL {
        let count = report.queues.iter().find(|count| count.queue == queue);
        let _ = writeln!(
            output,
            "{:<12} {:>9} {:>10}  {}",
            queue.as_str(),
            count.map_or(0, |count| count.documents),
            count.map_or(0, |count| count.exceptions),
            count.map(|count| human_age(now - count.oldest_since)).unwrap_or_default()
        );
    }
    output
}

#[derive(Serialize)]
struct JsonStatus<'a> {
    states: std::collections::BTreeMap<&'static str, u64>,
    queues: std::collections::BTreeMap<&'static str, u64>,
    total: u64,
    oldest_waiting_seconds: Option<i64>,
    oldest_in_review_seconds: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client: Option<&'a str>,
}

/// The same report as one JSON object for scripts.
pub fn render_json(report: &StatusReport, client: Option<&str>, now: Millis) -> String {
    let states = DocumentState::ALL.iter().map(|state| (state.as_str(), report.count(*state))).collect();
    let queues = tramite_pipeline::lifecycle::ReviewQueue::ALL
        .iter()
        .map(|queue| (queue.as_str(), report.queues.iter().find(|count| count.queue == *queue).map_or(0, |count| count.documents)))
        .collect();
    let oldest_waiting = report.states.iter().filter(|count| !count.state.is_settled() || count.state == DocumentState::Approved).map(|count| count.oldest_since).min();
    let oldest_in_review = report.queues.iter().map(|count| count.oldest_since).min();
    let json = JsonStatus {
        states,
        queues,
        total: report.total(),
        oldest_waiting_seconds: oldest_waiting.map(|since| (now - since) / 1000),
        oldest_in_review_seconds: oldest_in_review.map(|since| (now - since) / 1000),
        client,
    };
    serde_json::to_string_pretty(&json).expect("status serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_the_way_people_say_them() {
        assert_eq!(human_age(42_000), "42s");
        assert_eq!(human_age(5 * 60_000), "5m");
        assert_eq!(human_age((3 * 3600 + 600) * 1000), "3h 10m");
        assert_eq!(human_age((2 * 86_400 + 4 * 3600) * 1000), "2d 4h");
    }

    #[test]
    fn the_table_lists_every_state_even_when_empty() {
        let table = render_table(&StatusReport::default(), 0);
        for state in DocumentState::ALL {
            assert!(table.contains(state.as_str()));
        }
        assert!(table.contains("data_entry"));
    }
}
