//! Datasource instances: settings and an HTTP client per datasource, rebuilt when Grafana
//! reports that the datasource was saved again.

use std::{collections::HashMap, sync::Mutex};

use grafana_plugin_sdk::pluginv2::PluginContext;

use crate::client::Client;
use crate::settings::Settings;

#[derive(Default)]
pub struct Instances {
    cache: Mutex<HashMap<(i64, String), (i64, Settings, Client)>>,
}

impl Instances {
    /// Settings and client for the request's datasource; the error names the fix.
    pub fn get(&self, ctx: Option<&PluginContext>) -> Result<(Settings, Client), String> {
        let ds = ctx
            .and_then(|c| c.data_source_instance_settings.as_ref())
            .ok_or(
            "the request carries no datasource settings: this plugin must be used as a datasource",
        )?;
        let key = (ctx.map_or(0, |c| c.org_id), ds.uid.clone());
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((updated, settings, client)) = cache.get(&key) {
            if *updated == ds.last_updated_ms {
                return Ok((settings.clone(), client.clone()));
            }
        }
        let user = ds.basic_auth_enabled.then_some(ds.basic_auth_user.as_str());
        let settings =
            Settings::from_parts(&ds.url, user, &ds.json_data, &ds.decrypted_secure_json_data)
                .map_err(|e| e.to_string())?;
        let client = Client::new(&settings).map_err(|e| e.to_string())?;
        cache.insert(key, (ds.last_updated_ms, settings.clone(), client.clone()));
        Ok((settings, client))
    }
}
