//! The benches' heap counter: the global allocator counts live and peak bytes while a
//! measurement runs, and only reads a flag otherwise, so threads do not contend on the
//! counters while timed. Included by each bench with `#[path = "common/counting.rs"] mod
//! counting;` (a folder, so Cargo does not take it for a bench of its own).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering::Relaxed};

struct Counting;
static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

fn count(grown: isize) {
    if COUNTING.load(Relaxed) {
        let live = LIVE.fetch_add(grown, Relaxed) + grown;
        PEAK.fetch_max(live, Relaxed);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// What `f` returns, with the peak heap it grew by while running and what it still holds at
/// its end, in bytes (frees of memory allocated before can only lower the figures).
pub fn heap<T>(f: impl FnOnce() -> T) -> (T, isize, isize) {
    LIVE.store(0, Relaxed);
    PEAK.store(0, Relaxed);
    COUNTING.store(true, Relaxed);
    let out = f();
    COUNTING.store(false, Relaxed);
    (out, PEAK.load(Relaxed), LIVE.load(Relaxed))
}
