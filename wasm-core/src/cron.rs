//! Cron schedules as the Kubernetes CronJob controller reads them (five
//! fields, names, ranges, steps, `@hourly`-style macros), and the longest gap
//! a schedule can leave between two runs: an ECR password lives 12 hours, so
//! a refresher whose runs can be 12 hours or more apart lets it expire.

/// The longest gap, in minutes, that is still safe (the password expires at 12 h).
pub const MAX_SAFE_GAP_MINUTES: u32 = 12 * 60 - 1;

/// A parsed, accepted schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// The schedule as written.
    pub text: String,
    /// Longest time between two consecutive runs, in minutes.
    pub max_gap_minutes: u32,
}

struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const MINUTE: Field = Field {
    name: "minute",
    min: 0,
    max: 59,
    names: &[],
};
const HOUR: Field = Field {
    name: "hour",
    min: 0,
    max: 23,
    names: &[],
};
const DOM: Field = Field {
    name: "day of month",
    min: 1,
    max: 31,
    names: &[],
};
const MONTH: Field = Field {
    name: "month",
    min: 1,
    max: 12,
    names: &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ],
};
const DOW: Field = Field {
    name: "day of week",
    min: 0,
    max: 6,
    names: &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
};

/// A set of allowed values, bit `n` for value `n`; `star` when written `*` or `?`.
struct Set {
    bits: u64,
    star: bool,
}

fn value(f: &Field, s: &str) -> Result<u32, String> {
    let lower = s.to_ascii_lowercase();
    if let Some(i) = f.names.iter().position(|n| *n == lower) {
        return Ok(f.min + i as u32);
    }
    let n: u32 = s
        .parse()
        .map_err(|_| format!("`{s}` is not a valid {}", f.name))?;
    // Day of week 7 is Sunday too, as in most crons.
    let n = if f.name == DOW.name && n == 7 { 0 } else { n };
    if n < f.min || n > f.max {
        return Err(format!(
            "{} {n} is out of range {}-{}",
            f.name, f.min, f.max
        ));
    }
    Ok(n)
}

fn parse_field(f: &Field, text: &str) -> Result<Set, String> {
    let mut bits = 0u64;
    let mut star = false;
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => {
                let step: u32 =
                    s.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                        format!("`{s}` is not a valid step in the {} field", f.name)
                    })?;
                (r, Some(step))
            }
            None => (part, None),
        };
        let (lo, hi) = if range == "*" || range == "?" {
            if step.is_none() && text == range {
                star = true;
            }
            (f.min, f.max)
        } else if let Some((a, b)) = range.split_once('-') {
            let (a, b) = (value(f, a)?, value(f, b)?);
            if a > b {
                return Err(format!(
                    "range {range} in the {} field runs backwards",
                    f.name
                ));
            }
            (a, b)
        } else {
            let a = value(f, range)?;
            // `a/n` means from a to the end, stepping n.
            (a, if step.is_some() { f.max } else { a })
        };
        let step = step.unwrap_or(1);
        let mut v = lo;
        while v <= hi {
            bits |= 1 << v;
            v += step;
        }
    }
    Ok(Set { bits, star })
}

fn expand_macro(s: &str) -> Result<&str, String> {
    Ok(match s {
        "@yearly" | "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" | "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        _ if s.starts_with("@every") => {
            return Err("`@every` is not supported by Kubernetes CronJobs; write five cron fields such as `0 */8 * * *`".into())
        }
        _ => return Err(format!("`{s}` is not a known schedule macro (@hourly, @daily, ...)")),
    })
}

/// Parses `text` and measures its longest gap; an error when it is not a
/// schedule Kubernetes accepts, or when the gap lets the password expire.
pub fn schedule(text: &str) -> Result<Schedule, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("a schedule is required, for example `0 */8 * * *`".into());
    }
    if trimmed.starts_with("TZ=") || trimmed.starts_with("CRON_TZ=") {
        return Err(
            "Kubernetes rejects TZ= in a schedule; the refresher runs in the cluster's time zone"
                .into(),
        );
    }
    let expanded = if trimmed.starts_with('@') {
        expand_macro(trimmed)?
    } else {
        trimmed
    };
    let fields: Vec<&str> = expanded.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "`{trimmed}` has {} fields; a schedule has five: minute hour day-of-month month day-of-week",
            fields.len()
        ));
    }
    let minutes = parse_field(&MINUTE, fields[0])?;
    let hours = parse_field(&HOUR, fields[1])?;
    let dom = parse_field(&DOM, fields[2])?;
    let month = parse_field(&MONTH, fields[3])?;
    let dow = parse_field(&DOW, fields[4])?;

    // Runs happen every day only when the month field is full and the day
    // rule matches every day (cron ORs day-of-month and day-of-week when
    // both are restricted, otherwise the restricted one decides).
    let all_months = month.bits == 0b1_1111_1111_1110;
    let all_dom = dom.bits == 0xFFFF_FFFE;
    let all_dow = dow.bits == 0x7F;
    let every_day = all_months
        && match (dom.star, dow.star) {
            (true, true) => true,
            (true, false) => all_dow,
            (false, true) => all_dom,
            (false, false) => all_dom || all_dow,
        };
    if !every_day {
        return Err(format!(
            "`{trimmed}` skips whole days, so 24 hours or more can pass between runs; the ECR password expires after 12 hours: run every day, at least every 8 hours (`0 */8 * * *`)"
        ));
    }

    let times: Vec<u32> = (0..24)
        .filter(|h| hours.bits & (1 << h) != 0)
        .flat_map(|h| {
            (0..60)
                .filter(|m| minutes.bits & (1 << m) != 0)
                .map(move |m| h * 60 + m)
        })
        .collect();
    let (Some(first), Some(last)) = (times.first(), times.last()) else {
        return Err(format!("`{trimmed}` never runs"));
    };
    let wrap = first + 24 * 60 - last;
    let max_gap = times
        .windows(2)
        .map(|w| w[1] - w[0])
        .chain([wrap])
        .max()
        .unwrap_or(wrap);
    if max_gap > MAX_SAFE_GAP_MINUTES {
        return Err(format!(
            "`{trimmed}` can leave {} between runs; the ECR password expires after 12 hours: run at least every 8 hours, for example `0 */8 * * *`",
            human_gap(max_gap)
        ));
    }
    Ok(Schedule {
        text: trimmed.to_owned(),
        max_gap_minutes: max_gap,
    })
}

/// A gap as `8h`, `7h30m` or `45m`, the way Go durations read.
pub fn human_gap(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gap(s: &str) -> Result<u32, String> {
        schedule(s).map(|s| s.max_gap_minutes)
    }

    #[test]
    fn gaps() {
        assert_eq!(gap("0 */8 * * *"), Ok(480));
        assert_eq!(gap("*/5 * * * *"), Ok(5));
        assert_eq!(gap("@hourly"), Ok(60));
        assert_eq!(gap("30 1,9,17 * * *"), Ok(480));
        assert_eq!(gap("0 0,11,20 * * *"), Ok(660));
        assert_eq!(gap("15 */6 * * ?"), Ok(360));
        assert_eq!(gap("0 */8 * * sun-sat"), Ok(480));
        assert_eq!(gap("0 */8 * jan-dec *"), Ok(480));
        assert_eq!(gap("0 */8 1-31 * 1"), Ok(480));
    }

    #[test]
    fn rejected() {
        for bad in [
            "0 0,12 * * *", // exactly 12 h
            "0 0 * * *",    // daily
            "@daily",
            "0 */8 * * 1-5", // weekends skipped
            "0 */8 1 * *",
            "0 */8 * 2 *",
            "0 */8 * *",
            "0 */8 * * * *",
            "61 * * * *",
            "0 24 * * *",
            "0 */0 * * *",
            "0 5-2 * * *",
            "@every 1h",
            "TZ=UTC 0 */8 * * *",
            "",
            "0 */13 * * *",
            "0 0,11 * * *", // 13 h from 11:00 to midnight
        ] {
            assert!(schedule(bad).is_err(), "{bad:?} accepted");
        }
    }
}
