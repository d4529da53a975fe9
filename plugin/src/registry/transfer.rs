//! The second half of a mirror run: the plan's copy (`copy::execute`) with
//! the display (`progress`) fed from its events on this task, so bars and
//! lines are drawn while the workers copy, and the count of finished images
//! kept current for Ctrl-C's message.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use super::prepare::Prepared;
use super::{Config, copy, plan, progress};

/// Copies the prepared plan, drawing progress on `out`; returns `out`, the
/// summary and the images that failed.
pub async fn transfer<'a>(
    cfg: &Config,
    prepared: Prepared,
    out: &'a mut dyn Write,
    done: &AtomicUsize,
) -> std::io::Result<(&'a mut dyn Write, plan::Summary, Vec<String>)> {
    let Prepared { src, dst, plan, .. } = prepared;
    let progress: Arc<Vec<Arc<AtomicU64>>> = Arc::new(
        plan.images
            .iter()
            .map(|_| Arc::new(AtomicU64::new(0)))
            .collect(),
    );
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut display = progress::Display::new(&plan, out, cfg.tty, progress.clone());
    let exec = copy::execute(plan.clone(), src, dst, cfg.parallel, tx, progress);
    tokio::pin!(exec);
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut running = true;
    while running {
        tokio::select! {
            () = &mut exec => running = false,
            Some(ev) = rx.recv() => {
                display.event(ev)?;
                done.store(display.finished, Ordering::Relaxed);
            }
            _ = tick.tick() => display.tick(),
        }
    }
    while let Ok(ev) = rx.try_recv() {
        display.event(ev)?;
    }
    done.store(display.finished, Ordering::Relaxed);
    Ok(display.finish())
}
