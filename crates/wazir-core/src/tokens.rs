//! Exact token counts with the o200k_base BPE vocabulary (tiktoken-rs). Building the tables costs
//! 100–250 ms on first use, so nothing on the hook path may call this.

/// Number of o200k_base tokens in `text`.
pub fn count(text: &str) -> usize {
    tiktoken_rs::o200k_base_singleton()
        .encode_with_special_tokens(text)
        .len()
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_real_tokens() {
        assert_eq!(super::count(""), 0);
        assert_eq!(super::count("hello world"), 2);
        let long = "fn main() { println!(\"hi\"); }\n".repeat(100);
        let n = super::count(&long);
        assert!(n > 500 && n < long.len() / 2, "{n}");
    }
}
