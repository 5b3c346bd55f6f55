//! A small work-sharing parallel map over indices with per-thread state, for
//! loading many records on few cores without pulling in a thread-pool crate.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// Items handed to a thread at a time: large enough to keep the counter cold,
/// small enough to balance uneven files.
const CHUNK: usize = 64;

/// Runs `work(state, i)` for every `i < count` on up to `threads` threads, each with
/// its own state from `init`, and returns the results in index order. The first
/// `init` error stops the run.
pub fn map_indexed<S, T, E>(
    count: usize,
    threads: usize,
    init: impl Fn() -> Result<S, E> + Sync,
    work: impl Fn(&mut S, usize) -> T + Sync,
) -> Result<Vec<T>, E>
where
    T: Send,
    E: Send,
{
    let threads = threads.clamp(1, count.div_ceil(CHUNK).max(1));
    let next = AtomicUsize::new(0);
    let run = || -> Result<Vec<(usize, T)>, E> {
        let mut state = init()?;
        let mut out = Vec::new();
        loop {
            let start = next.fetch_add(CHUNK, Ordering::Relaxed);
            if start >= count {
                return Ok(out);
            }
            for i in start..(start + CHUNK).min(count) {
                out.push((i, work(&mut state, i)));
            }
        }
    };
    let parts: Vec<Result<Vec<(usize, T)>, E>> = if threads == 1 {
        vec![run()]
    } else {
        thread::scope(|scope| {
            let handles: Vec<_> = (0..threads).map(|_| scope.spawn(run)).collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect()
        })
    };
    let mut all = Vec::with_capacity(count);
    for part in parts {
        all.extend(part?);
    }
    all.sort_unstable_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, t)| t).collect())
}

/// Threads worth using on this machine.
pub fn available_threads() -> usize {
    thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_index_order_across_threads() {
        let out: Vec<usize> = map_indexed(
            1000,
            4,
            || Ok::<_, ()>(0usize),
            |calls, i| {
                *calls += 1;
                i * 2
            },
        )
        .unwrap();
        assert_eq!(out, (0..1000).map(|i| i * 2).collect::<Vec<_>>());
    }

    #[test]
    fn empty_input_gives_empty_output() {
        let out: Vec<u8> = map_indexed(0, 2, || Ok::<_, ()>(()), |_, _| 1).unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn init_failure_is_returned() {
        let out: Result<Vec<u8>, &str> = map_indexed(10, 2, || Err("no"), |_: &mut (), _| 1);
        assert_eq!(out, Err("no"));
    }
}
