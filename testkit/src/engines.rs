//! The engines built from source by `scripts/build-engines.sh` (Prometheus 3, Thanos), found
//! in `$CALICOSCOPE_CACHE` (default `~/.cache/calicoscope`) under `<name>-<version>/` with the versions of `scripts/engines.env`.

use std::path::PathBuf;

const ENGINES_ENV: &str = include_str!("../../scripts/engines.env");

/// (binary name, `engines.env` key of its version, cache folder prefix).
pub struct Engine {
    pub binary: &'static str,
    pub version_key: &'static str,
    pub folder: &'static str,
}

pub const PROMETHEUS3: Engine = Engine {
    binary: "prometheus",
    version_key: "PROMETHEUS3_VERSION",
    folder: "prometheus",
};

pub const THANOS: Engine = Engine {
    binary: "thanos",
    version_key: "THANOS_VERSION",
    folder: "thanos",
};

/// A version from `scripts/engines.env`.
pub fn version(key: &str) -> String {
    ENGINES_ENV
        .lines()
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_else(|| panic!("scripts/engines.env has no {key}"))
}

/// The cached binary (or `env_var` when set); the error says how to build it.
pub fn binary(env_var: &str, engine: Engine) -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os(env_var).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let path = home
        .join(".cache/calicoscope")
        .join(format!("{}-{}", engine.folder, version(engine.version_key)))
        .join(engine.binary);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} not found: run scripts/setup.sh (it builds it from source with scripts/build-engines.sh)",
            path.display()
        ))
    }
}

/// Both promtools: Debian's (Prometheus 2.42, `/usr/bin/promtool`, or
/// `CALICOSCOPE_PROMTOOL_BIN`) and Prometheus 3's (beside the binary set-up builds), each
/// with its name. Err names the one missing and how to get it.
pub fn promtools() -> Result<Vec<(&'static str, std::path::PathBuf)>, String> {
    use std::path::PathBuf;
    let debian = std::env::var_os("CALICOSCOPE_PROMTOOL_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/promtool"));
    if !debian.is_file() {
        return Err(format!(
            "{} not found: run `bash scripts/setup.sh` (Debian's prometheus package has promtool)",
            debian.display()
        ));
    }
    let v3 = binary("CALICOSCOPE_PROMETHEUS3_BIN", PROMETHEUS3)?.with_file_name("promtool");
    if !v3.is_file() {
        return Err(format!(
            "{} not found: run `bash scripts/setup.sh engines`",
            v3.display()
        ));
    }
    Ok(vec![("promtool 2.42 (Debian)", debian), ("promtool 3", v3)])
}

#[cfg(test)]
mod tests {
    #[test]
    fn versions_are_listed() {
        assert!(super::version("PROMETHEUS3_VERSION").starts_with("3."));
        assert!(!super::version("THANOS_VERSION").is_empty());
    }
}
