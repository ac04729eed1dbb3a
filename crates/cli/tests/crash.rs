//! Crash consistency: SIGKILL the relay at random moments during uploads,
//! restart it, and check that every acknowledged recording is intact and
//! no partial or temp file remains.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use common::*;
use uuid::Uuid;

/// One upload that tolerates the server dying under it: `None` unless a
/// full response arrived.
fn try_upload(port: u16, token: &str, body: &[u8]) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let auth = signed(
        token,
        "POST",
        "/v1/recordings",
        &format!("127.0.0.1:{port}"),
        body,
    );
    let head = format!(
        "POST /v1/recordings HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {OUR_ORIGIN}\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(body).ok()?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).ok()?;
    let line = buf.split(|b| *b == b'\r').next()?;
    std::str::from_utf8(line)
        .ok()?
        .split(' ')
        .nth(1)?
        .parse()
        .ok()
}

/// An acknowledged upload: its id and canonical bytes.
type Acked = (Uuid, Vec<u8>);

struct Rng(u64);
impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn temp_files(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp-"))
        .collect()
}

#[test]
fn kill_9_during_uploads_never_loses_or_corrupts_an_acknowledged_recording() {
    let seed = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("crash test seed {seed}");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let token = Relay::start(&data, &[]).pair();

    // id -> canonical bytes, for every upload that got a 2xx.
    let acked: Arc<Mutex<Vec<Acked>>> = Arc::default();
    let mut kills = 0;
    for round in 0..20 {
        let mut relay = Relay::start(&data, &[]);
        // Recovery ran before the relay said it was listening.
        assert!(
            temp_files(&data.join("recordings")).is_empty(),
            "round {round}"
        );
        assert!(temp_files(&data.join("index")).is_empty(), "round {round}");

        let stop = Arc::new(AtomicBool::new(false));
        // Two concurrent clients, one sending small and one large bodies.
        let clients: Vec<_> = [5 + rng.next(50) as usize, 200 + rng.next(3000) as usize]
            .into_iter()
            .map(|size| {
                let (port, tok, acked2, stop2) =
                    (relay.port, token.clone(), acked.clone(), stop.clone());
                std::thread::spawn(move || {
                    while !stop2.load(Ordering::Relaxed) {
                        let rec = recording(Uuid::new_v4(), "crash", size);
                        let body = body_of(&rec);
                        match try_upload(port, &tok, &body) {
                            Some(201) | Some(200) => acked2
                                .lock()
                                .unwrap()
                                .push((rec.id, workflow_format::to_canonical_json(&rec))),
                            Some(other) => panic!("unexpected status {other}"),
                            None => break, // the relay died mid-request
                        }
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(50 + rng.next(250)));
        relay.child.kill().unwrap(); // SIGKILL
        relay.child.wait().unwrap();
        kills += 1;
        stop.store(true, Ordering::Relaxed);
        for c in clients {
            c.join().unwrap();
        }
    }
    assert_eq!(kills, 20);

    // A final restart recovers, then every acknowledged recording must be
    // byte-identical, and every file must be a whole, valid recording.
    let relay = Relay::start(&data, &[]);
    let acked = acked.lock().unwrap();
    assert!(
        acked.len() > 20,
        "too few uploads to mean anything: {}",
        acked.len()
    );
    for (id, bytes) in acked.iter() {
        let path = data.join("recordings").join(format!("{id}.json"));
        assert_eq!(&std::fs::read(&path).unwrap(), bytes, "{id}");
    }
    assert!(temp_files(&data.join("recordings")).is_empty());
    let r = relay.send(&token, "GET", "/v1/recordings", None);
    assert_eq!(r.status, 200);
    let listing = r.json();
    assert_eq!(listing["skipped"].as_array().unwrap().len(), 0, "{listing}");
    let listed = listing["recordings"].as_array().unwrap().len();
    // Unacknowledged uploads may have landed whole (killed after the
    // rename, before the response) but never partially.
    assert!(listed >= acked.len());
    assert_eq!(listed, recording_files(&data).len());
    eprintln!(
        "{} acknowledged uploads, {listed} stored, {kills} kills",
        acked.len()
    );
}
