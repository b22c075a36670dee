//! Datasource instances: settings and an HTTP client per datasource, rebuilt when Grafana
//! reports that the datasource was saved again.

use std::{collections::HashMap, sync::Mutex};

use grafana_plugin_sdk::pluginv2::PluginContext;

use crate::client::{Client, ClientError};
use crate::settings::{Settings, SettingsError};

/// Why a request's datasource cannot be used; each names its fix.
#[derive(Clone, Debug, thiserror::Error)]
pub enum InstanceError {
    #[error(
        "the request carries no datasource settings: this plugin must be used as a datasource"
    )]
    NoDatasource,
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The settings cannot make an HTTP client (TLS CA, header values).
    #[error(transparent)]
    Client(#[from] ClientError),
}

/// (org id, datasource uid) → (settings version, settings, client).
type Cache = HashMap<(i64, String), (i64, Settings, Client)>;

#[derive(Default)]
pub struct Instances {
    cache: Mutex<Cache>,
}

impl Instances {
    /// Settings and client for the request's datasource; the error names the fix.
    pub fn get(&self, ctx: Option<&PluginContext>) -> Result<(Settings, Client), InstanceError> {
        let ds = ctx
            .and_then(|c| c.data_source_instance_settings.as_ref())
            .ok_or(InstanceError::NoDatasource)?;
        let key = (ctx.map_or(0, |c| c.org_id), ds.uid.clone());
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((updated, settings, client)) = cache.get(&key) {
            if *updated == ds.last_updated_ms {
                return Ok((settings.clone(), client.clone()));
            }
        }
        let user = ds.basic_auth_enabled.then_some(ds.basic_auth_user.as_str());
        let settings =
            Settings::from_parts(&ds.url, user, &ds.json_data, &ds.decrypted_secure_json_data)?;
        let client = Client::new(&settings)?;
        cache.insert(key, (ds.last_updated_ms, settings.clone(), client.clone()));
        Ok((settings, client))
    }
}
