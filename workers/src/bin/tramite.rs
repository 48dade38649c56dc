//! The `tramite` command: parses arguments, loads the configuration, sets
//! up logging, and calls the library. Exit codes: 0 success, 1 error,
//! 2 bad usage, 3 some inputs could not be read (upload).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use tokio::sync::watch;
use tramite_pipeline::extract::ExtractOptions;
use tramite_pipeline::lifecycle::DocumentState;
use tramite_repository::{now_millis, ReviewDecision};
use tramite_workers::app::{tesseract_from, App};
use tramite_workers::config::Config;
use tramite_workers::export::ExportFormat;
use tramite_workers::processing::{default_process_name, run_workers, WorkerPoolOptions};

/// mimalloc instead of the system allocator: reading a born-digital PDF
/// makes and frees many small strings and vectors (content-stream operands,
/// text runs, lines), and glibc's malloc and free were about a fifth of the
/// instructions spent per PDF (docs/benchmarks.md). Tesseract and the other
/// C libraries keep their own allocator.
#[global_allocator]
static GLOBAL_ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "tramite",
    version,
    about = "Back-office document pipeline: upload invoices and ID documents, extract their fields, check them, route exceptions to review, export what is approved.",
    long_about = None,
    after_help = "\
Examples:
  tramite demo                                  generate a sample, process it, export it
  tramite upload ./inbox --client acme          register every file under ./inbox for client acme
  tramite run --until-idle                      process everything pending, then exit
  tramite status --client acme                  documents per state and per review queue
  tramite export --format csv --out out.csv     approved documents, each exported exactly once
  tramite extract --format jsonl inbox/*.pdf    extraction only: no database, one JSON line per file
  tramite history 42                            everything that happened to document 42

Configuration: defaults, then tramite.toml (or --config FILE), then TRAMITE_<SECTION>_<KEY>
environment variables, e.g. TRAMITE_STORAGE_DATA_DIR=/srv/tramite TRAMITE_WORKERS_COUNT=4.
Data lives in ./tramite-data unless storage.data_dir says otherwise."
)]
struct Cli {
    /// Configuration file (default: ./tramite.toml if present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Where the database and stored documents live (overrides storage.data_dir).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Log format: text for people, json for machines.
    #[arg(long, global = true, value_enum)]
    log_format: Option<LogFormat>,
    /// Hide progress bars (they are hidden anyway when output is not a terminal).
    #[arg(long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum OutputFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExtractFormat {
    Jsonl,
}

/// The files of an `extract` or `check` call and how to read them.
#[derive(clap::Args)]
struct FileBatchArgs {
    #[arg(long, value_enum, default_value = "jsonl")]
    format: ExtractFormat,
    /// Ignore an e-invoice XML embedded in a PDF and read the page itself
    /// (how the visual path is scored).
    #[arg(long)]
    ignore_embedded_xml: bool,
    /// PDFs (text layer or scanned), PNG, JPEG or TIFF images, e-invoice XML.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Store files and register them for processing.
    ///
    /// Folders are walked. A file the client already uploaded (same bytes) is
    /// reported as a duplicate and not processed twice. Unreadable paths are
    /// listed and skipped; the exit code is then 3.
    ///
    /// Example: tramite upload ./inbox scans/extra.png --client acme
    Upload {
        /// Files or folders.
        #[arg(required = true, value_name = "DIR|FILE")]
        paths: Vec<PathBuf>,
        /// The client the documents belong to.
        #[arg(long)]
        client: String,
    },
    /// Run workers that process documents, until stopped (Ctrl-C).
    ///
    /// Start as many `tramite work` processes as you like on one database:
    /// each document is claimed by one worker under a lease.
    Work {
        /// Concurrent documents (default: workers.count, or one per core).
        #[arg(long)]
        workers: Option<usize>,
    },
    /// Process everything pending in this process, then keep watching for
    /// new uploads (or exit with --until-idle).
    Run {
        /// Exit once nothing is waiting or being processed.
        #[arg(long)]
        until_idle: bool,
        /// Concurrent documents (default: workers.count, or one per core).
        #[arg(long)]
        workers: Option<usize>,
    },
    /// Extract fields from files with no database: one JSON line per file.
    ///
    /// The output follows shared/contract/extraction.md. A file that cannot
    /// be read gets an "error" object; the others go on. Exit code 0.
    ///
    /// Example: tramite extract --format jsonl invoices/*.pdf > fields.jsonl
    Extract(FileBatchArgs),
    /// Extract and check files: one JSON line per file, the extraction plus a
    /// "findings" array (rule, severity, queue, fields, message).
    ///
    /// Without --client no database is used: duplicates are looked for among
    /// the files given before each one. With --client, the client's stored
    /// invoices and imported purchase orders count too.
    ///
    /// Example: tramite check --format jsonl inbox/*.pdf | jq '.findings[].message'
    Check {
        #[command(flatten)]
        batch: FileBatchArgs,
        /// Check against this client's stored invoices and reference data.
        #[arg(long)]
        client: Option<String>,
    },
    /// Import a client's reference data for reconciliation: purchase orders,
    /// goods receipts or a bank statement (camt.053, Norma 43, CSV).
    ///
    /// The file is parsed whole: a bad row is reported with its line and
    /// nothing is imported. The same file imported twice is stored once.
    ///
    /// Example: tramite import bank statements/2026-03.n43 --client acme
    Import {
        #[arg(value_enum)]
        kind: tramite_workers::reconciliation::ImportKind,
        file: PathBuf,
        #[arg(long)]
        client: String,
        /// Currency of a bank CSV export that does not say it.
        #[arg(long, default_value = "EUR")]
        currency: String,
    },
    /// Reconciliation of a client's invoices with its purchase orders,
    /// receipts and bank statements.
    #[command(subcommand)]
    Recon(ReconCommand),
    /// Validate rule packs and run their table-driven cases.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Score extraction against a corpus's truth.jsonl.
    ///
    /// Prints field accuracy by kind, rendering and field, silent errors
    /// (wrong and confident, no rule fired) and documents per second.
    ///
    /// Example: tramite eval --corpus ../shared/corpus/invoice2data --fail-below 68
    Eval {
        /// A folder holding truth.jsonl and the files it names.
        #[arg(long, value_name = "DIR")]
        corpus: PathBuf,
        /// Exit with code 4 when overall field accuracy (percent) is below this.
        #[arg(long, value_name = "PERCENT")]
        fail_below: Option<f64>,
        /// Also list accuracy per field.
        #[arg(long)]
        fields: bool,
        /// Ignore an e-invoice XML embedded in a PDF and read the page itself
        /// (how the visual path is scored).
        #[arg(long)]
        ignore_embedded_xml: bool,

        /// List every silent error (file and field, no values).
        #[arg(long)]
        show_silent: bool,
        /// Threads (default: workers.count, or one per core).
        #[arg(long)]
        threads: Option<usize>,
        #[arg(long, value_enum, default_value = "table")]
        format: OutputFormat,
    },
    /// Print the text lines read from a file (text layer or OCR), with page,
    /// confidence and box: what the field finders see.
    Text {
        file: PathBuf,
    },
    /// Documents per state and per review queue, with the oldest item's age.
    Status {
        #[arg(long)]
        client: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: OutputFormat,
    },
    /// Export approved documents not yet exported, each exactly once.
    ///
    /// Example: tramite export --format csv --out exports/2026-11-23.csv --client acme
    Export {
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[arg(long)]
        client: Option<String>,
    },
    /// Everything that happened to one document: states, actors, exceptions.
    History {
        document_id: i64,
        #[arg(long, value_enum, default_value = "table")]
        format: OutputFormat,
    },
    /// Approve or reject a document in review (recorded with your name).
    Review {
        document_id: i64,
        #[arg(value_enum)]
        decision: ReviewChoice,
        /// Who decides (recorded in the history).
        #[arg(long)]
        user: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Serve the HTTP API (status, documents, histories).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
    },
    /// Generate a realistic sample, upload it, process it, export it.
    ///
    /// A few dozen synthetic invoices and ID pages in Spanish and English,
    /// some scanned, some with planted defects, and a few broken files.
    Demo {
        /// Seed of the synthetic sample (same seed, same documents).
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum ReconCommand {
    /// Matched, unmatched, over- and under-paid invoices with totals per
    /// currency, and the bank entries no invoice explains.
    ///
    /// Example: tramite recon report --client acme --csv recon-2026-03.csv
    Report {
        #[arg(long)]
        client: String,
        /// Also write the report as CSV.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Load a pack over the shipped defaults and list the rules in force.
    ///
    /// A pack that does not parse, names an unknown field or function, or
    /// has a type error is reported as FILE:LINE:COLUMN: reason (exit 1).
    ///
    /// Example: tramite rules check packs/acme.toml
    Check { pack: PathBuf },
    /// Run table-driven cases (input fields, expected findings) against a pack.
    ///
    /// Exit code 5 when a case fails.
    ///
    /// Example: tramite rules test rules/packs/billing.toml rules/packs/cases/billing.toml
    Test { pack: PathBuf, cases: PathBuf },
}

#[derive(Clone, Copy, ValueEnum)]
enum ReviewChoice {
    Approve,
    Reject,
}

/// The status a command ends with when the reader of its output went away.
const EXIT_STATUS_FOR_A_CLOSED_PIPE: i32 = 141;

/// When whoever reads our output stops early (`tramite text FILE | head`),
/// printing fails with a broken pipe; Rust then panics. Exit instead as Unix
/// tools do when SIGPIPE ends them, with status 141 (128 + 13) and no panic
/// message, so scripts see the usual code for a closed pipe.
fn exit_quietly_when_the_reader_of_stdout_goes_away() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info.payload().downcast_ref::<String>().map(String::as_str).or_else(|| info.payload().downcast_ref::<&str>().copied()).unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(EXIT_STATUS_FOR_A_CLOSED_PIPE);
        }
        default_hook(info);
    }));
}

fn main() -> ExitCode {
    // tesseract's OpenMP threads would make OCR several times slower when
    // pages are already processed in parallel; libgomp reads its environment
    // before main, so the OCR engine switches OpenMP off on each of its
    // threads instead (pipeline/src/read/ocr.rs, tested by ocr_threads.rs).
    exit_quietly_when_the_reader_of_stdout_goes_away();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        // Output written with `writeln!` reports the closed pipe as an error.
        Err(error) if error.chain().any(|cause| cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)) => {
            ExitCode::from(EXIT_STATUS_FOR_A_CLOSED_PIPE as u8)
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}

fn load_config(cli: &Cli) -> Result<Config> {
    let mut config = Config::load(cli.config.as_deref(), std::env::vars())?;
    if let Some(data_dir) = &cli.data_dir {
        config.storage.data_dir = data_dir.clone();
    }
    if let Some(format) = cli.log_format {
        config.log.format = match format {
            LogFormat::Text => "text".into(),
            LogFormat::Json => "json".into(),
        };
    }
    Ok(config)
}

/// How `extract`, `check` and `eval` read files: the configured limits and
/// supplier templates.
fn extract_options(config: &Config, ignore_embedded_xml: bool) -> Result<ExtractOptions> {
    Ok(ExtractOptions { limits: config.read.limits(), ignore_embedded_xml, supplier_templates: config.read.supplier_templates()?, ..ExtractOptions::default() })
}

fn init_logging(config: &Config) -> Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log.level).with_context(|| format!("log.level {:?} is not a valid filter", config.log.level))?;
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match config.log.format.as_str() {
        "json" => builder.json().init(),
        "text" => builder.compact().init(),
        other => anyhow::bail!("log.format {other:?} is not \"text\" or \"json\""),
    }
    Ok(())
}

fn stop_on_ctrl_c() -> watch::Receiver<bool> {
    let (sender, receiver) = watch::channel(false);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("stopping: finishing the documents in hand (Ctrl-C again to quit now; their leases will expire)");
            let _ = sender.send(true);
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
    receiver
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let config = load_config(&cli)?;
    init_logging(&config)?;
    let show_progress = !cli.quiet && std::io::stderr().is_terminal();
    match cli.command {
        Command::Extract(FileBatchArgs { format: ExtractFormat::Jsonl, files, ignore_embedded_xml }) => {
            let ocr = tesseract_from(&config);
            ocr.check_available()?;
            let options = extract_options(&config, ignore_embedded_xml)?;
            extract_files(&files, &ocr, &options, config.workers.effective_count())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { batch: FileBatchArgs { format: ExtractFormat::Jsonl, files, ignore_embedded_xml }, client } => {
            let ocr = tesseract_from(&config);
            ocr.check_available()?;
            let options = extract_options(&config, ignore_embedded_xml)?;
            let settings = config.rules.settings(chrono::Utc::now().date_naive())?;
            let labelled: Vec<(PathBuf, String)> = files.iter().map(|file| (file.clone(), file.display().to_string())).collect();
            let threads = config.workers.effective_count();
            let language = config.rules.language.clone();
            let rules = tramite_workers::rulebook::Rulebook::new(&settings, config.rules.client_packs_dir.clone());
            let app = match &client {
                Some(_) => Some(App::open(config).await?),
                None => None,
            };
            let (history, first_id) = match (&app, &client) {
                (Some(app), Some(client)) => {
                    let stored: Vec<tramite_rules::PriorInvoice> = app
                        .repository
                        .client_invoices(client, i64::MAX)
                        .await?
                        .iter()
                        .filter_map(|invoice| serde_json::from_str(&invoice.extraction_json).ok().map(|document| tramite_workers::rulebook::prior_invoice(invoice.document_id, &document)))
                        .collect();
                    let next_id = stored.iter().map(|prior| prior.document_id).max().unwrap_or(0) + 1;
                    (stored, next_id)
                }
                _ => (Vec::new(), 1),
            };
            let documents = tramite_workers::batch::extract_all(&labelled, &ocr, &options, threads);
            let pack = rules.rules_for(client.as_deref().unwrap_or(""));
            let lines = tramite_workers::check::check_batch(&documents, &pack, &settings, &history, first_id);
            for (index, (mut line, document)) in lines.into_iter().zip(&documents).enumerate() {
                if let (Some(app), Some(client)) = (&app, &client)
                    && document.error.is_none()
                {
                    let document_id = tramite_workers::check::batch_document_id(first_id, index);
                    let mismatches = tramite_workers::reconciliation::purchase_order_exceptions(app, client, document_id, document, &language).await?;
                    tramite_workers::check::add_findings(&mut line, &mismatches);
                }
                println!("{line}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { kind, file, client, currency } => {
            let app = App::open(config).await?;
            let summary = tramite_workers::reconciliation::import_reference_file(&app, kind, &file, &client, &currency).await?;
            if summary.stored {
                println!("imported {} records from {} for {client}", summary.records, file.display());
            } else {
                println!("{} was already imported for {client}: nothing stored again", file.display());
            }
            for warning in &summary.warnings {
                eprintln!("  warning: {warning}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Recon(ReconCommand::Report { client, csv }) => {
            let app = App::open(config).await?;
            let report = tramite_workers::reconciliation::client_report(&app, &client).await?;
            print!("{}", tramite_workers::reconciliation::render_report(&report));
            if let Some(csv) = csv {
                std::fs::write(&csv, report.to_csv()).with_context(|| format!("could not write {}", csv.display()))?;
                println!("CSV written to {}", csv.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules(RulesCommand::Check { pack }) => match tramite_rules::check_pack(&pack) {
            Ok(summary) => {
                print!("{summary}");
                Ok(ExitCode::SUCCESS)
            }
            Err(error) => {
                eprintln!("error: {error}");
                Ok(ExitCode::from(1))
            }
        },
        Command::Rules(RulesCommand::Test { pack, cases }) => {
            let report = tramite_rules::run_cases(&pack, &cases);
            print!("{report}");
            Ok(if report.is_success() { ExitCode::SUCCESS } else { ExitCode::from(5) })
        }
        Command::Eval { corpus, fail_below, fields, ignore_embedded_xml, show_silent, threads, format } => {
            let ocr = tesseract_from(&config);
            ocr.check_available()?;
            let options = extract_options(&config, ignore_embedded_xml)?;
            let settings = config.rules.settings(chrono::Utc::now().date_naive())?;
            let threads = threads.unwrap_or_else(|| config.workers.effective_count());
            let report = tramite_workers::eval::evaluate_corpus(&corpus, &ocr, &options, &settings, threads)?;
            match format {
                OutputFormat::Table => {
                    print!("{}", tramite_workers::eval::render_report(&report, fields));
                    if show_silent {
                        for silent in &report.silent_errors {
                            println!("  silent: {} {} (confidence {:.2})", silent.file, silent.field, silent.confidence);
                        }
                    }
                }
                OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
            }
            if let Some(floor) = fail_below
                && report.overall.percent() < floor
            {
                eprintln!("accuracy {:.1}% is below the floor of {floor}%", report.overall.percent());
                return Ok(ExitCode::from(4));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Text { file } => {
            let ocr = tesseract_from(&config);
            let bytes = std::fs::read(&file).with_context(|| format!("could not read {}", file.display()))?;
            let read = tramite_pipeline::read::read_document(&bytes, &ocr, &config.read.limits()).map_err(|failure| anyhow::anyhow!("{}: {failure}", file.display()))?;
            println!("{} page(s), source {:?}", read.pages, read.source);
            for line in &read.lines {
                let bbox = line.bbox.map(|b| format!("[{:.0} {:.0} {:.0} {:.0}]", b[0], b[1], b[2], b[3])).unwrap_or_default();
                println!("p{} {:.2} {bbox:<22} {}", line.page, line.confidence, line.text);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Upload { paths, client } => {
            let app = App::open(config).await?;
            let summary = tramite_workers::upload::upload(&app, &client, &paths, show_progress).await?;
            println!(
                "uploaded for {client}: {} new ({:.1} MB), {} already uploaded (not processed again), {} unreadable",
                summary.registered,
                summary.bytes as f64 / 1_048_576.0,
                summary.duplicates,
                summary.unreadable.len()
            );
            for (path, reason) in &summary.unreadable {
                eprintln!("  could not read {}: {reason}", path.display());
            }
            Ok(if summary.unreadable.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(3) })
        }
        Command::Work { workers } => {
            let app = App::open(config).await?;
            app.ocr_check()?;
            let options = pool_options(&app, workers, false);
            eprintln!("{} workers started as {}; Ctrl-C to stop", options.workers, options.process_name);
            let summary = run_workers(&app, &options, stop_on_ctrl_c()).await?;
            eprintln!("processed {} documents", summary.processed);
            Ok(ExitCode::SUCCESS)
        }
        Command::Run { until_idle, workers } => {
            let app = App::open(config).await?;
            app.ocr_check()?;
            let options = pool_options(&app, workers, until_idle);
            let summary = run_with_progress(&app, &options, show_progress).await?;
            eprintln!("processed {} documents", summary.processed);
            if until_idle {
                print!("{}", tramite_workers::status::render_table(&app.repository.status(None).await?, now_millis()));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Status { client, format } => {
            let app = App::open(config).await?;
            let report = app.repository.status(client.as_deref()).await?;
            match format {
                OutputFormat::Table => print!("{}", tramite_workers::status::render_table(&report, now_millis())),
                OutputFormat::Json => println!("{}", tramite_workers::status::render_json(&report, client.as_deref(), now_millis())),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export { format, out, client } => {
            let app = App::open(config).await?;
            let summary = tramite_workers::export::export(&app, client.as_deref(), format, &out).await?;
            match &summary.file {
                Some(file) => println!("exported {} documents to {} (export {}, sha256 {})", summary.rows, file.display(), summary.export_id, summary.sha256.as_deref().unwrap_or("")),
                None => println!("nothing to export: every approved document has already been exported (no file written)"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::History { document_id, format } => {
            let app = App::open(config).await?;
            let history = app.repository.document_history(document_id).await?;
            if format == OutputFormat::Json {
                println!("{}", serde_json::to_string_pretty(&history)?);
                return Ok(ExitCode::SUCCESS);
            }
            let document = &history.document;
            println!("document {} · client {} · {} · {} · {} bytes", document.document_id, document.client, document.state, document.kind.as_deref().unwrap_or("kind unknown"), document.size_bytes);
            if let (Some(code), Some(message)) = (&document.error_code, &document.error_message) {
                println!("error {code}: {message}");
            }
            for transition in &history.transitions {
                let at = chrono::DateTime::from_timestamp_millis(transition.at).map(|time| time.format("%Y-%m-%d %H:%M:%S%.3f").to_string()).unwrap_or_default();
                println!("  {at}  {:>10} → {:<10}  {:<28} {}", transition.from_state.map(|state| state.as_str()).unwrap_or("·"), transition.to_state.as_str(), transition.actor, transition.note.as_deref().unwrap_or(""));
            }
            for exception in &history.exceptions {
                let resolved = exception.resolved_by.as_deref().map(|user| format!(" (resolved by {user})")).unwrap_or_default();
                println!("  [{}] {}: {}{resolved}", exception.queue.as_str(), exception.rule, exception.message);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Review { document_id, decision, user, note } => {
            let app = App::open(config).await?;
            let decision = match decision {
                ReviewChoice::Approve => ReviewDecision::Approve,
                ReviewChoice::Reject => ReviewDecision::Reject,
            };
            app.repository.decide_review(document_id, &user, decision, note.as_deref(), now_millis()).await?;
            println!("document {document_id}: {}", if decision == ReviewDecision::Approve { "approved" } else { "rejected" });
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { listen } => {
            let app = App::open(config).await?;
            let listener = tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("could not listen on {listen}"))?;
            eprintln!("serving the API on http://{}", listener.local_addr()?);
            tramite_api::serve(listener, app.repository.clone()).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { seed } => run_demo(config, seed, show_progress).await,
    }
}

trait OcrCheck {
    fn ocr_check(&self) -> Result<()>;
}

impl OcrCheck for App {
    fn ocr_check(&self) -> Result<()> {
        Ok(tesseract_from(&self.config).check_available()?)
    }
}

fn pool_options(app: &App, workers: Option<usize>, until_idle: bool) -> WorkerPoolOptions {
    WorkerPoolOptions { workers: workers.unwrap_or_else(|| app.config.workers.effective_count()), until_idle, process_name: default_process_name() }
}

/// Runs the workers with a progress bar that follows the database's counts.
async fn run_with_progress(app: &App, options: &WorkerPoolOptions, show_progress: bool) -> Result<tramite_workers::processing::PoolSummary> {
    let progress = if show_progress { indicatif::ProgressBar::new(0) } else { indicatif::ProgressBar::hidden() };
    progress.set_style(indicatif::ProgressStyle::with_template("{spinner} processing [{bar:30}] {pos}/{len} · {per_sec} · {msg}").expect("valid template").progress_chars("=> "));
    let repository = app.repository.clone();
    let watcher_progress = progress.clone();
    let watcher = tokio::spawn(async move {
        loop {
            if let Ok(report) = repository.status(None).await {
                let pending = [DocumentState::Received, DocumentState::Extracting, DocumentState::Validating].iter().map(|state| report.count(*state)).sum::<u64>();
                watcher_progress.set_length(report.total());
                watcher_progress.set_position(report.total() - pending);
                watcher_progress.set_message(format!(
                    "{} approved · {} in review · {} failed",
                    report.count(DocumentState::Approved) + report.count(DocumentState::Exported),
                    report.count(DocumentState::InReview),
                    report.count(DocumentState::Failed)
                ));
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
    });
    let summary = run_workers(app, options, stop_on_ctrl_c()).await;
    watcher.abort();
    progress.finish_and_clear();
    summary
}

/// Prints one contract line per file, in the order given.
fn extract_files(files: &[PathBuf], ocr: &tramite_pipeline::read::ocr::TesseractOcr, options: &ExtractOptions, threads: usize) -> Result<()> {
    use std::io::Write;
    let labelled: Vec<(PathBuf, String)> = files.iter().map(|file| (file.clone(), file.display().to_string())).collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    tramite_workers::batch::extract_in_order(&labelled, ocr, options, threads, |_, document| -> Result<()> {
        writeln!(out, "{}", serde_json::to_string(&document)?)?;
        Ok(())
    })?;
    out.flush()?;
    Ok(())
}

async fn run_demo(config: Config, seed: u64, show_progress: bool) -> Result<ExitCode> {
    let data_dir = config.storage.data_dir.clone();
    let (inbox, export_file) = tramite_workers::demo::demo_paths(&data_dir);
    let app = App::open(config).await?;
    app.ocr_check()?;
    println!("1/4 generating a synthetic sample in {}", inbox.display());
    let count = tramite_workers::demo::write_demo_inbox(&inbox, seed)?;
    println!("    {count} files: invoices (text PDFs and scans, Spanish and English), ID pages, some with planted defects, 3 broken files");
    println!("2/4 uploading for client \"demo\"");
    let uploaded = tramite_workers::upload::upload(&app, "demo", std::slice::from_ref(&inbox), show_progress).await?;
    println!("    {} new, {} already uploaded before", uploaded.registered, uploaded.duplicates);
    println!("3/4 processing until idle with {} workers", app.config.workers.effective_count());
    let started = std::time::Instant::now();
    let options = pool_options(&app, None, true);
    let summary = run_with_progress(&app, &options, show_progress).await?;
    println!("    {} documents in {:.1} s", summary.processed, started.elapsed().as_secs_f64());
    print!("{}", tramite_workers::status::render_table(&app.repository.status(Some("demo")).await?, now_millis()));
    println!("4/4 exporting approved documents");
    let exported = tramite_workers::export::export(&app, Some("demo"), ExportFormat::Csv, &export_file).await?;
    match exported.file {
        Some(file) => println!("    {} rows written to {}", exported.rows, file.display()),
        None => println!("    nothing new to export (already exported by an earlier demo run)"),
    }
    println!("\nNext: `tramite status`, `tramite history ID`, `tramite serve` (API), or upload your own files with `tramite upload DIR --client NAME`.");
    Ok(ExitCode::SUCCESS)
}
