//! `greet NAME…`: greets each name, and lists what the `/input` directory
//! holds, if there is one.

fn main() {
    for name in std::env::args().skip(1) {
        println!("hello, {name}");
    }
    if let Ok(entries) = std::fs::read_dir("/input") {
        let mut names: Vec<String> = entries.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        println!("input: {}", names.join(", "));
    }
}
