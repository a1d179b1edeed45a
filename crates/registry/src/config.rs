//! The registry's configuration: a TOML file, then environment variables
//! (`EMHANA_REGISTRY_<KEY>`) over it.
//!
//! ```toml
//! listen = "0.0.0.0:8443"
//! database_url = "postgres://registry@db/registry"
//! log_format = "json"            # or "text"
//! [tls]                          # production: always; without it, plain HTTP
//!                                # (env: EMHANA_REGISTRY_TLS_CERTIFICATE, _TLS_PRIVATE_KEY)
//! certificate = "/etc/emhana/registry.crt"
//! private_key = "/etc/emhana/registry.key"
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::RegistryError;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    #[serde(default = "default_pool_size")]
    pub database_pool_size: u32,
    #[serde(default)]
    pub log_format: LogFormat,
    pub tls: Option<TlsConfig>,
    /// Where `emhana-snapshot` leaves the clinics' snapshots (docs/sync.md);
    /// none: no snapshots are offered and first syncs read the feed.
    pub snapshots_dir: Option<PathBuf>,
    /// Serve plain HTTP on an address other machines reach (a closed test
    /// network): never in production, where `[tls]` is set. Without it, a
    /// registry without TLS listens on loopback only.
    #[serde(default)]
    pub allow_plain_http: bool,
}

impl Config {
    /// Why this configuration may not serve, if it may not: plain HTTP on an
    /// address other machines reach, unasked.
    pub fn serving_problem(&self) -> Option<String> {
        (self.tls.is_none() && !self.listen.ip().is_loopback() && !self.allow_plain_http).then(|| {
            format!(
                "refusing to serve plain HTTP on {}, which other machines reach: configure [tls], \
                 listen on 127.0.0.1, or set allow_plain_http = true for a closed test network",
                self.listen
            )
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    pub certificate: PathBuf,
    pub private_key: PathBuf,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

fn default_pool_size() -> u32 {
    32
}

impl Config {
    /// Reads `file` when given, then applies the environment over it.
    pub fn load(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Config, RegistryError> {
        let mut table = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|error| RegistryError::Config(format!("{}: {error}", path.display())))?;
                text.parse::<toml::Table>()
                    .map_err(|error| RegistryError::Config(format!("{}: {error}", path.display())))?
            }
            None => toml::Table::new(),
        };
        for key in ["listen", "database_url", "log_format", "snapshots_dir"] {
            if let Some(value) = env(&format!("EMHANA_REGISTRY_{}", key.to_uppercase())) {
                table.insert(key.to_owned(), toml::Value::String(value));
            }
        }
        let certificate = env("EMHANA_REGISTRY_TLS_CERTIFICATE");
        let private_key = env("EMHANA_REGISTRY_TLS_PRIVATE_KEY");
        if certificate.is_some() || private_key.is_some() {
            let tls = table
                .entry("tls")
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if let toml::Value::Table(tls) = tls {
                for (key, value) in [("certificate", certificate), ("private_key", private_key)] {
                    if let Some(value) = value {
                        tls.insert(key.to_owned(), toml::Value::String(value));
                    }
                }
            }
        }
        if let Some(value) = env("EMHANA_REGISTRY_ALLOW_PLAIN_HTTP") {
            let allow = match value.as_str() {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => {
                    return Err(RegistryError::Config(format!(
                        "EMHANA_REGISTRY_ALLOW_PLAIN_HTTP: true or false, not {value}"
                    )));
                }
            };
            table.insert("allow_plain_http".to_owned(), toml::Value::Boolean(allow));
        }
        if let Some(value) = env("EMHANA_REGISTRY_DATABASE_POOL_SIZE") {
            let size = value.parse::<i64>().map_err(|_| {
                RegistryError::Config(format!(
                    "EMHANA_REGISTRY_DATABASE_POOL_SIZE: not a number: {value}"
                ))
            })?;
            table.insert("database_pool_size".to_owned(), toml::Value::Integer(size));
        }
        Config::deserialize(table).map_err(|error| RegistryError::Config(error.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_overrides_the_file() -> Result<(), Box<dyn std::error::Error>> {
        let dir = std::env::temp_dir().join(format!("emhana-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let file = dir.join("registry.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:8080\"\ndatabase_url = \"postgres://file\"\n[tls]\ncertificate = \"a.crt\"\nprivate_key = \"a.key\"\n",
        )?;
        let config = Config::load(Some(&file), |key| {
            (key == "EMHANA_REGISTRY_DATABASE_URL").then(|| "postgres://env".to_owned())
        })?;
        assert_eq!(config.database_url, "postgres://env");
        assert_eq!(config.listen.port(), 8080);
        assert_eq!(config.database_pool_size, 32);
        assert!(config.tls.is_some());
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    #[test]
    fn plain_http_is_served_on_loopback_only_unless_asked() -> Result<(), Box<dyn std::error::Error>> {
        let load = |listen: &'static str, allow: Option<&'static str>| {
            Config::load(None, move |key| match key {
                "EMHANA_REGISTRY_LISTEN" => Some(listen.to_owned()),
                "EMHANA_REGISTRY_DATABASE_URL" => Some("postgres://db".to_owned()),
                "EMHANA_REGISTRY_ALLOW_PLAIN_HTTP" => allow.map(str::to_owned),
                _ => None,
            })
        };
        assert_eq!(load("127.0.0.1:8780", None)?.serving_problem(), None);
        assert!(load("0.0.0.0:8780", None)?.serving_problem().is_some());
        assert_eq!(load("0.0.0.0:8780", Some("true"))?.serving_problem(), None);
        assert!(load("0.0.0.0:8780", Some("yes")).is_err());
        Ok(())
    }

    #[test]
    fn a_missing_setting_is_named() {
        let error = Config::load(None, |_| None).err().map(|error| error.to_string());
        assert!(
            error.is_some_and(|text| text.contains("listen")),
            "the error names the missing key"
        );
    }
}
