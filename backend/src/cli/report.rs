//! The plain-language IPAM report: one sentence per pool, the one a manager can read.

use std::collections::BTreeMap;

use super::last_hour;
use crate::client::Client;
use crate::execute;
use crate::settings::Settings;

/// Per-pool figures, keyed by pool name, from one instant catalog query.
async fn by_pool(
    settings: &Settings,
    client: &Client,
    catalog: &str,
) -> Result<BTreeMap<String, f64>, String> {
    let json = format!(r#"{{"catalog":"{catalog}","instant":true}}"#);
    let plan = execute::plan(&last_hour(&json), settings).map_err(|e| e.message)?;
    let frames = execute::run_plan(&plan, client)
        .await
        .map_err(|e| format!("{catalog}: {}", e.message))?;
    let pool_label = &settings.json.pool_label;
    Ok(frames
        .iter()
        .filter_map(|f| {
            let value = f.fields.get(1)?;
            let pool = value.labels.get(pool_label)?.clone();
            match &value.values {
                crate::frames::Values::Number(v) => v.last().map(|x| (pool, *x)),
                _ => None,
            }
        })
        .collect())
}

pub async fn report(settings: &Settings, client: &Client) -> Result<String, String> {
    let size = by_pool(settings, client, "ipam_pool_size").await?;
    let in_use = by_pool(settings, client, "ipam_pool_in_use").await?;
    // Empty before Calico 3.33, which does not report reservations.
    let reserved = by_pool(settings, client, "ipam_pool_reserved").await?;
    let days = by_pool(settings, client, "ipam_days_to_exhaustion").await?;
    let borrowers = by_pool(settings, client, "ipam_borrowing_nodes").await?;
    let leaked = by_pool(settings, client, "ipam_leaked").await?;
    if size.is_empty() {
        return Err(format!(
            "no IP pool metrics at {}: is calico-kube-controllers scraped? (run `health` for details)",
            settings.url
        ));
    }
    let mut lines = vec![format!("Calico IPAM at {}:", settings.url)];
    for (pool, size) in &size {
        let used = in_use.get(pool).copied().unwrap_or(0.0);
        let facts = PoolFacts {
            pool,
            size: *size,
            reserved: reserved.get(pool).copied().unwrap_or(0.0),
            used,
            days: days.get(pool).copied(),
            borrowers: borrowers.get(pool).copied().unwrap_or(0.0) as u64,
            leaked: leaked.get(pool).copied().unwrap_or(0.0) as u64,
            window: &settings.json.forecast_window,
        };
        lines.push(format!("- {}", facts.sentence()));
    }
    Ok(lines.join("\n"))
}

pub struct PoolFacts<'a> {
    pub pool: &'a str,
    pub size: f64,
    /// Addresses an IPReservation covers: neither free nor counted in the utilization.
    pub reserved: f64,
    pub used: f64,
    pub days: Option<f64>,
    pub borrowers: u64,
    pub leaked: u64,
    pub window: &'a str,
}

impl PoolFacts<'_> {
    pub fn sentence(&self) -> String {
        let assignable = self.size - self.reserved;
        let pct = if assignable > 0.0 {
            100.0 * self.used / assignable
        } else {
            0.0
        };
        let free = (assignable - self.used).max(0.0);
        let reserved = if self.reserved > 0.0 {
            format!(" ({} reserved)", thousands(self.reserved))
        } else {
            String::new()
        };
        let forecast = match self.days {
            // An IPv6 /48 "fills" in 10^18 days: that is no forecast worth printing.
            Some(d) if d.is_finite() && d > 36_500.0 => "no exhaustion in sight".to_string(),
            Some(d) if d.is_finite() && d < 1.0 => {
                format!("full in under a day at the last {} rate", self.window)
            }
            Some(d) if d.is_finite() => format!(
                "full in about {} days at the last {} rate",
                d.round(),
                self.window
            ),
            _ => "not growing".to_string(),
        };
        let borrow = match self.borrowers {
            0 => "no node borrows".to_string(),
            1 => "1 node borrows".to_string(),
            n => format!("{n} nodes borrow"),
        };
        let leak = match self.leaked {
            0 => "no addresses look leaked".to_string(),
            1 => "1 address looks leaked".to_string(),
            n => format!("{} addresses look leaked", thousands(n as f64)),
        };
        format!(
            "pool {}: {}% used, {} free{reserved}, {forecast}; {borrow}; {leak}",
            self.pool,
            percent(pct),
            thousands(free),
        )
    }
}

/// `87` for large shares, `0.02` for the tiny shares of IPv6 pools.
fn percent(p: f64) -> String {
    if p >= 10.0 || p == 0.0 {
        format!("{}", p.round())
    } else {
        format!("{:.2}", p)
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

/// `1,024`; IPv6 pool sizes are far past u64 precision, so large ones print as `1.2e24`.
pub fn thousands(n: f64) -> String {
    if n >= 1e15 {
        return format!("{n:.1e}");
    }
    let digits = format!("{:.0}", n.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_reads_like_the_issue() {
        let f = PoolFacts {
            pool: "default-ipv4-ippool",
            size: 8192.0,
            reserved: 0.0,
            used: 7168.0,
            days: Some(9.2),
            borrowers: 3,
            leaked: 12,
            window: "6h",
        };
        assert_eq!(
            f.sentence(),
            "pool default-ipv4-ippool: 88% used, 1,024 free, full in about 9 days at the last 6h rate; 3 nodes borrow; 12 addresses look leaked"
        );
        let f = PoolFacts {
            pool: "v6",
            size: 1.2089258196146292e24,
            reserved: 0.0,
            used: 500.0,
            days: None,
            borrowers: 0,
            leaked: 1,
            window: "6h",
        };
        assert_eq!(
            f.sentence(),
            "pool v6: 0% used, 1.2e24 free, not growing; no node borrows; 1 address looks leaked"
        );
        let f = PoolFacts {
            days: Some(1.1e18),
            ..f
        };
        assert!(f.sentence().contains("no exhaustion in sight"));
        // A /24 reservation in a /19: 7,424 of 7,936 assignable addresses used, 512 free.
        let f = PoolFacts {
            pool: "p",
            size: 8192.0,
            reserved: 256.0,
            used: 7424.0,
            days: None,
            borrowers: 0,
            leaked: 0,
            window: "6h",
        };
        assert_eq!(
            f.sentence(),
            "pool p: 94% used, 512 free (256 reserved), not growing; no node borrows; no addresses look leaked"
        );
    }

    #[test]
    fn thousands_separators() {
        for (n, s) in [
            (0.0, "0"),
            (999.0, "999"),
            (1000.0, "1,000"),
            (1234567.0, "1,234,567"),
        ] {
            assert_eq!(thousands(n), s);
        }
    }
}
