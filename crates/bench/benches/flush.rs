//! Service-worker flush (worker-core), in memory.
//!
//! `stored`: one flush of a fixed 10-event batch into a session that has
//! already flushed N events. Chunks are append-only and the meta is bounded,
//! so this must not grow with N; if it did, a long recording would get
//! slower with every click (O(n^2) overall).
//!
//! `buffered`: flushing N buffered events at once, reported per event.

use chrono::Duration as ChronoDuration;
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;
use worker_core::session::{Session, Status, TabContext};
use workflow_format::{CapturedEvent, Event, RecorderInfo};

const BATCH: usize = 10;

fn captured(template: &[Event], i: usize) -> CapturedEvent {
    let e = &template[i % template.len()];
    CapturedEvent {
        at: e.at + ChronoDuration::milliseconds(i as i64),
        frame_path: e.frame_path.clone(),
        url: e.url.clone(),
        kind: e.kind.clone(),
    }
}

fn tab() -> TabContext {
    TabContext {
        tab_id: 77,
        opener_tab_id: None,
        url: "https://docs.example.com/projects/42/editor".into(),
        title: "Project 42".into(),
    }
}

fn session_with(template: &[Event], events: usize, flush_every: usize) -> Session {
    let start = template[0].at;
    let recorder = RecorderInfo {
        version: "0.1.0".into(),
        user_agent: "bench".into(),
    };
    let mut s = Session::start(clawtrail_bench::id(1), "bench".into(), recorder, start);
    let tab = tab();
    for i in 0..events {
        s.accept(Some(&format!("cid-{i}")), &tab, captured(template, i));
        if (i + 1) % flush_every == 0 {
            s.flush();
        }
    }
    s
}

fn flush(c: &mut Criterion) {
    let quick = std::env::var_os("CLAWTRAIL_BENCH_QUICK").is_some();
    let template = clawtrail_bench::template_events();
    let tab = tab();

    let mut g = c.benchmark_group("flush_stored");
    g.warm_up_time(Duration::from_millis(if quick { 300 } else { 1000 }));
    g.measurement_time(Duration::from_secs(if quick { 1 } else { 4 }));
    for n in [1_000usize, 10_000, 100_000] {
        let meta = session_with(&template, n, 100).meta().clone();
        // Ready-made batch, so the measurement is accept + flush only.
        let batch: Vec<_> = (0..BATCH).map(|i| captured(&template, n + i)).collect();
        g.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter_batched(
                || {
                    (
                        Session::restore(meta.clone(), Status::Active),
                        batch.clone(),
                    )
                },
                |(mut s, batch)| {
                    for (i, ev) in batch.into_iter().enumerate() {
                        s.accept(Some(&format!("new-{i}")), &tab, ev);
                    }
                    black_box(s.flush())
                },
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();

    let mut g = c.benchmark_group("flush_buffered");
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(if quick { 300 } else { 1000 }));
    g.measurement_time(Duration::from_secs(if quick { 1 } else { 4 }));
    for n in [1_000usize, 10_000, 100_000] {
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter_batched(
                || session_with(&template, n, usize::MAX),
                |mut s| black_box(s.flush()),
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, flush);
criterion_main!(benches);
