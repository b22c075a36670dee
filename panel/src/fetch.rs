//! The drill-down's GET of the resource API with `gloo-net`, abortable: a newer click, or
//! the panel's unmount, aborts the request in flight (see `view.rs`).

use gloo_net::http::Request;
use web_sys::AbortSignal;

/// The status and body of `url`; an error when no answer came (not for an HTTP error,
/// whose body says why).
pub async fn get(url: &str, abort: &AbortSignal) -> Result<(u16, String), String> {
    let response = Request::get(url)
        .abort_signal(Some(abort))
        .send()
        .await
        .map_err(|e| format!("Could not reach the datasource's resource API: {e}"))?;
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|e| format!("The datasource's answer could not be read: {e}"))?;
    Ok((status, body))
}
