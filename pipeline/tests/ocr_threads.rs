//! Tesseract's OpenMP threads stay off even when `OMP_THREAD_LIMIT` was not
//! in the environment when the process started (libgomp reads it before
//! `main`, so setting it later does nothing): the engine turns OpenMP
//! nesting off on every thread it runs on. This file holds a single test so
//! that no other test's threads come and go while it counts them.

use tramite_pipeline::read::ocr::{OcrEngine, TesseractOcr};

fn threads_of_this_process() -> usize {
    std::fs::read_dir("/proc/self/task").expect("Linux lists a process's threads").count()
}

#[test]
fn recognising_a_page_starts_no_openmp_threads() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/mrz/specimens/passport-td3.png");
    let page = image::open(path).expect("the shared specimen decodes").into_luma8();
    let threads_during_recognition = std::thread::spawn(move || {
        let before = threads_of_this_process();
        let lines = TesseractOcr::default().recognize(&page, 1, Some(120)).expect("tesseract reads the page");
        assert!(!lines.is_empty());
        threads_of_this_process() - before
    })
    .join()
    .expect("the recognition thread finishes");
    // OpenMP keeps its worker threads alive after a parallel region: any
    // started during recognition would still be counted here.
    assert_eq!(threads_during_recognition, 0, "tesseract started {threads_during_recognition} OpenMP thread(s)");
}
