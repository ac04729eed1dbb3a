//! Relay ingest, in memory: what the relay's CPU does with an upload body
//! (parse with field-precise errors, `validate()`, canonical re-serialize)
//! against plain `serde_json` parsing the same bytes into the same types,
//! the ceiling no ingest path can beat. The `phase_*` benches split the
//! relay path into its parts so that a regression points at its cause.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;
use workflow_format::{Recording, from_json_slice, is_canonical_json, to_canonical_json};

fn ingest(c: &mut Criterion) {
    let quick = std::env::var_os("CLAWTRAIL_BENCH_QUICK").is_some();
    let mut g = c.benchmark_group("ingest");
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(if quick { 300 } else { 1000 }));
    g.measurement_time(Duration::from_secs(if quick { 2 } else { 6 }));
    for n in [1_000usize, 10_000, 100_000] {
        let rec = clawtrail_bench::recording(clawtrail_bench::id(n as u64), n);
        let bytes = to_canonical_json(&rec);
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(BenchmarkId::new("serde_json", n), &bytes, |b, bytes| {
            b.iter(|| black_box(serde_json::from_slice::<Recording>(bytes).unwrap()))
        });
        g.bench_with_input(BenchmarkId::new("relay_cpu", n), &bytes, |b, bytes| {
            b.iter(|| {
                let rec = from_json_slice(bytes).unwrap();
                rec.validate().unwrap();
                black_box(to_canonical_json(&rec))
            })
        });
        if n == 100_000 {
            g.bench_with_input(BenchmarkId::new("phase_parse", n), &bytes, |b, bytes| {
                b.iter(|| black_box(from_json_slice(bytes).unwrap()))
            });
            g.bench_with_input(BenchmarkId::new("phase_validate", n), &rec, |b, rec| {
                b.iter(|| black_box(rec).validate().unwrap())
            });
            g.bench_with_input(BenchmarkId::new("phase_canonical", n), &rec, |b, rec| {
                b.iter(|| black_box(to_canonical_json(rec)))
            });
            // What the relay runs instead when the body is canonical: the
            // same serialization, compared against the body, no buffer.
            g.bench_with_input(
                BenchmarkId::new("phase_canonical_check", n),
                &rec,
                |b, rec| b.iter(|| assert!(is_canonical_json(black_box(rec), &bytes))),
            );
        }
    }
    g.finish();
}

criterion_group!(benches, ingest);
criterion_main!(benches);
