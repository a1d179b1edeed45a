//! Numbers a clinic gives its applications, bookings and home calls: short
//! enough to say over the phone, and never the same on two PCs of a clinic.
//!
//! Each PC numbers in its own series, which the registry hands out when the
//! PC enrols (1, 2, 3, … in the clinic; 0 before it enrols, when it is the
//! only one). A number is kept as one integer, `series × PER_SERIES + n`, so
//! the tables' uniqueness holds without knowing series, and is written
//! "2026/17" in series 0 and "2026/2-17" in series 2.

/// How many numbers a PC's series holds in a year (a busy window gives ~250 a day).
pub const PER_SERIES: i64 = 1_000_000;

/// The numbers `series` gives, as kept: from `first` to before `end`.
pub fn series_range(series: u32) -> (i64, i64) {
    let base = i64::from(series) * PER_SERIES;
    (base + 1, base + PER_SERIES)
}

/// The series a kept number belongs to.
pub fn series_of(number: i64) -> u32 {
    u32::try_from(number.max(0) / PER_SERIES).unwrap_or(u32::MAX)
}

/// How a kept number is written: "2026/17", or "2026/2-17" in series 2.
pub fn display_number(year: i32, number: i64) -> String {
    match series_of(number) {
        0 => format!("{year}/{number}"),
        series => format!("{year}/{series}-{}", number % PER_SERIES),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_writes_its_numbers_short_and_apart() {
        let cases = [
            (0, 1, "2026/1"),
            (0, 17, "2026/17"),
            (0, 999_999, "2026/999999"),
            (1, 1, "2026/1-1"),
            (2, 17, "2026/2-17"),
            (12, 480, "2026/12-480"),
        ];
        for (series, n, written) in cases {
            let (first, end) = series_range(series);
            let number = first - 1 + n;
            assert!(number >= first && number < end, "{series} {n}");
            assert_eq!(series_of(number), series);
            assert_eq!(display_number(2026, number), written);
        }
        // two series never share a number
        assert!(series_range(0).1 <= series_range(1).0);
    }
}
