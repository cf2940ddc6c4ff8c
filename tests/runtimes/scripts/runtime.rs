// A Rust program as users build it (rustc, std only), run in the image as on the host: std
// threads with channels and a shared Mutex, std::fs (write, append, read, metadata, rename,
// read_dir). Every line is deterministic.
use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::sync::{mpsc, Arc, Mutex};
use std::thread;

fn chain(seed: u64, rounds: u32) -> u64 {
    let mut value = seed;
    for _ in 0..rounds {
        let mut h = DefaultHasher::new(); // SipHash with fixed keys: deterministic
        value.hash(&mut h);
        value = h.finish();
    }
    value
}

fn main() {
    let total = Arc::new(Mutex::new(0u64));
    let (tx, rx) = mpsc::channel();
    let handles: Vec<_> = (0..4u64)
        .map(|t| {
            let tx = tx.clone();
            let total = Arc::clone(&total);
            thread::Builder::new()
                .name(format!("worker-{}", t))
                .spawn(move || {
                    let v = chain(t, 20000);
                    *total.lock().unwrap() ^= v;
                    tx.send((t, v, thread::current().name().unwrap().to_string())).unwrap();
                })
                .unwrap()
        })
        .collect();
    drop(tx);
    for h in handles {
        h.join().unwrap();
    }
    let mut results: Vec<_> = rx.iter().collect();
    results.sort();
    println!("threads: {:?}", results);
    println!("threads xor: {:x}", *total.lock().unwrap());

    let text: String = (0..2000).map(|i| format!("line {} of the input\n", i)).collect();
    fs::write("rust-file.txt", &text).unwrap();
    let mut f = fs::OpenOptions::new().append(true).open("rust-file.txt").unwrap();
    f.write_all(b"tail\n").unwrap();
    drop(f);
    let back = fs::read_to_string("rust-file.txt").unwrap();
    let meta = fs::metadata("rust-file.txt").unwrap();
    println!("files: {} {} {} {}", back.len(), back.lines().count(), meta.len(), meta.is_file());
    fs::rename("rust-file.txt", "rust-renamed.txt").unwrap();
    fs::create_dir_all("rust-dir/sub").unwrap();
    fs::write("rust-dir/sub/a", b"a").unwrap();
    let mut names: Vec<String> = fs::read_dir(".")
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("rust-"))
        .collect();
    names.sort();
    println!("files after rename: {}", names.join(","));
    fs::remove_dir_all("rust-dir").unwrap();
    println!("removed: {}", !std::path::Path::new("rust-dir").exists());
}
