//! `parse_floor`: the least work any capture reader has to do, as a yardstick for `driftmon run`.
//!
//! Reads every `*.jsonl` file under a folder (recursively, sorted), splits it into lines, finds the
//! `"data"` string of `endpointInput` and of `endpointOutput` in each line with a hand-rolled scan
//! (no JSON parser, no UTF-8 validation, no unescaping), splits each payload on commas and counts
//! the fields and sums their lengths. Nothing is allocated per line. With `--threads N` the files
//! are shared by N threads through a work queue (a file at a time, the next free thread takes
//! the next file), which is the best a reader that parallelises over objects can do.
//!
//! With `--parse-numbers` every field is also parsed as an `f64` (fields that are not numbers
//! are counted apart): the floor of "split and parse", for comparison.
//!
//! Usage: `parse_floor <folder> [--threads N] [--parse-numbers]`. Prints one JSON line with
//! what it counted and the elapsed seconds. Bench tool only; not part of driftmon.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

#[derive(Default, Clone, Copy)]
struct Counts {
    files: u64,
    bytes: u64,
    lines: u64,
    payloads: u64,
    fields: u64,
    field_bytes: u64,
    numbers: u64,
    non_numbers: u64,
    /// Sum of the parsed numbers (keeps the parse from being optimised away).
    checksum: f64,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.files += o.files;
        self.bytes += o.bytes;
        self.lines += o.lines;
        self.payloads += o.payloads;
        self.fields += o.fields;
        self.field_bytes += o.field_bytes;
        self.numbers += o.numbers;
        self.non_numbers += o.non_numbers;
        self.checksum += o.checksum;
    }
}

/// Word-at-a-time search for one byte (SWAR), from `from`.
#[inline]
fn find_byte(h: &[u8], from: usize, b: u8) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let pat = LO.wrapping_mul(b as u64);
    let mut i = from;
    while i + 8 <= h.len() {
        let w = u64::from_le_bytes(h[i..i + 8].try_into().unwrap()) ^ pat;
        let z = w.wrapping_sub(LO) & !w & HI;
        if z != 0 {
            return Some(i + (z.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    while i < h.len() {
        if h[i] == b {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// First occurrence of `needle` in `h` at or after `from`.
#[inline]
fn find(h: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let (first, rest) = needle.split_first()?;
    let mut i = from;
    while let Some(p) = find_byte(h, i, *first) {
        if h.len() - p < needle.len() {
            return None;
        }
        if &h[p + 1..p + needle.len()] == rest {
            return Some(p);
        }
        i = p + 1;
    }
    None
}

/// The end (index of the closing quote) of a JSON string whose content starts at `from`.
#[inline]
fn string_end(h: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        let q = find_byte(h, i, b'"')?;
        // An odd number of backslashes before the quote escapes it.
        let mut bs = 0;
        while q > from + bs && h[q - 1 - bs] == b'\\' {
            bs += 1;
        }
        if bs % 2 == 0 {
            return Some(q);
        }
        i = q + 1;
    }
}

/// The content of the `"data"` string after `key` (e.g. `"endpointInput"`), if any.
#[inline]
fn data_after<'a>(line: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    const DATA: &[u8] = b"\"data\":\"";
    let k = find(line, 0, key)?;
    let d = find(line, k + key.len(), DATA)? + DATA.len();
    let e = string_end(line, d)?;
    Some(&line[d..e])
}

#[inline]
fn split_fields(payload: &[u8], parse_numbers: bool, c: &mut Counts) {
    c.payloads += 1;
    let mut start = 0;
    loop {
        let end = find_byte(payload, start, b',').unwrap_or(payload.len());
        let field = &payload[start..end];
        c.fields += 1;
        c.field_bytes += field.len() as u64;
        if parse_numbers {
            // Fields are ASCII here; a non-UTF-8 field is simply not a number.
            match std::str::from_utf8(field)
                .ok()
                .and_then(|s| s.parse::<f64>().ok())
            {
                Some(v) => {
                    c.numbers += 1;
                    c.checksum += v;
                }
                None => c.non_numbers += 1,
            }
        }
        if end == payload.len() {
            break;
        }
        start = end + 1;
    }
}

fn scan_file(path: &Path, parse_numbers: bool) -> std::io::Result<Counts> {
    let mut c = Counts {
        files: 1,
        ..Default::default()
    };
    let mut r = BufReader::with_capacity(1 << 20, std::fs::File::open(path)?);
    let mut buf = Vec::with_capacity(4096);
    loop {
        buf.clear();
        let n = r.read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        c.bytes += n as u64;
        let line = buf.trim_ascii();
        if line.is_empty() {
            continue;
        }
        c.lines += 1;
        if let Some(d) = data_after(line, b"\"endpointInput\"") {
            split_fields(d, parse_numbers, &mut c);
        }
        if let Some(d) = data_after(line, b"\"endpointOutput\"") {
            split_fields(d, parse_numbers, &mut c);
        }
    }
    Ok(c)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            collect(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "jsonl") {
            out.push(p);
        }
    }
    Ok(())
}

fn main() {
    let mut dir: Option<PathBuf> = None;
    let mut threads = 1usize;
    let mut parse_numbers = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--threads" => {
                threads = match args.next().and_then(|v| v.parse().ok()) {
                    Some(0) => std::thread::available_parallelism().map_or(1, |n| n.get()),
                    Some(n) => n,
                    None => usage(),
                }
            }
            "--parse-numbers" => parse_numbers = true,
            "-h" | "--help" => usage(),
            _ if dir.is_none() && !a.starts_with("--") => dir = Some(PathBuf::from(a)),
            _ => usage(),
        }
    }
    let dir = dir.unwrap_or_else(|| usage());
    let t0 = Instant::now();
    let mut files = Vec::new();
    if let Err(e) = collect(&dir, &mut files) {
        eprintln!("parse_floor: {}: {e}", dir.display());
        std::process::exit(1);
    }
    files.sort();
    if files.is_empty() {
        eprintln!("parse_floor: no *.jsonl under {}", dir.display());
        std::process::exit(1);
    }
    let next = AtomicUsize::new(0);
    let results: Vec<std::io::Result<Counts>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| {
                s.spawn(|| {
                    let mut c = Counts::default();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(p) = files.get(i) else { break };
                        let fc = scan_file(p, parse_numbers).map_err(|e| {
                            std::io::Error::new(e.kind(), format!("{}: {e}", p.display()))
                        })?;
                        c.add(&fc);
                    }
                    Ok(c)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker panicked"))
            .collect()
    });
    let mut total = Counts::default();
    for r in results {
        match r {
            Ok(c) => total.add(&c),
            Err(e) => {
                eprintln!("parse_floor: {e}");
                std::process::exit(1);
            }
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "{{\"threads\":{},\"files\":{},\"bytes\":{},\"lines\":{},\"payloads\":{},\"fields\":{},\
         \"field_bytes\":{},\"numbers\":{},\"non_numbers\":{},\"checksum\":{:e},\"seconds\":{:.4}}}",
        threads.max(1),
        total.files,
        total.bytes,
        total.lines,
        total.payloads,
        total.fields,
        total.field_bytes,
        total.numbers,
        total.non_numbers,
        total.checksum,
        secs
    );
}

fn usage() -> ! {
    eprintln!(
        "usage: parse_floor <capture folder> [--threads N (0: one per core)] [--parse-numbers]"
    );
    std::process::exit(2);
}
