//! Figures for the benchmark binaries: percentiles of measured durations.

use std::time::Duration;

/// The `p` quantile (0.0–1.0) of durations sorted ascending, nearest rank;
/// zero when there are none.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p.clamp(0.0, 1.0)).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Prints a line of figures for `samples`: how many, median, p99, min, max.
pub fn summary(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let (min, max) = match (samples.first(), samples.last()) {
        (Some(min), Some(max)) => (*min, *max),
        _ => (Duration::ZERO, Duration::ZERO),
    };
    println!(
        "{name}: n={} median={:.1} ms p99={:.1} ms min={:.1} ms max={:.1} ms",
        samples.len(),
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.99)),
        ms(min),
        ms(max),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let ms = |n| Duration::from_millis(n);
        let sorted: Vec<_> = (1..=100).map(ms).collect();
        assert_eq!(percentile(&sorted, 0.5), ms(51));
        assert_eq!(percentile(&sorted, 0.99), ms(99));
        assert_eq!(percentile(&sorted, 1.0), ms(100));
        assert_eq!(percentile(&[], 0.5), Duration::ZERO);
    }
}
