//! Calico Goldmane's gRPC flow API — services `goldmane.Flows`, `goldmane.Statistics` and
//! `goldmane.FlowCollector` — in the two wire shapes Calico has served: [`v3_30`] (Calico 3.30
//! and 3.31) and [`v3_32`] (3.32 and later). The shapes differ in `PolicyMatch`'s strings,
//! two filter types, two filter fields and the policy kinds (see `proto/`); everything else,
//! the method paths included, is the same, so one connection speaks either.
//!
//! ```
//! use calicoscope_goldmane::v3_32::{FlowListRequest, Filter, Action};
//! let denied = FlowListRequest {
//!     start_time_gte: -900, // the last 15 minutes
//!     page_size: 100,
//!     filter: Some(Filter { actions: vec![Action::Deny as i32], ..Default::default() }),
//!     ..Default::default()
//! };
//! assert_eq!(denied.page, 0);
//! ```

/// Calico 3.30 and 3.31.
pub mod v3_30 {
    include!(concat!(env!("OUT_DIR"), "/v3_30/goldmane.rs"));
}

/// Calico 3.32 and later.
pub mod v3_32 {
    include!(concat!(env!("OUT_DIR"), "/v3_32/goldmane.rs"));
}

#[cfg(test)]
mod tests {
    use prost::Message;

    /// The two shapes share every field number: what differs is how PolicyMatch's strings are
    /// written, and a 3.31 server reads a 3.32 StringMatch as a (never-matching) string.
    #[test]
    fn policy_match_shapes_on_the_wire() {
        use super::{v3_30, v3_32};
        let new = v3_32::PolicyMatch {
            tier: Some(v3_32::StringMatch {
                value: "default".into(),
                r#type: 0,
            }),
            ..Default::default()
        };
        let bytes = new.encode_to_vec();
        assert_eq!(bytes, b"\x12\x09\x0a\x07default");
        let old = v3_30::PolicyMatch::decode(bytes.as_slice()).unwrap();
        assert_eq!(old.tier, "\n\x07default");
        let old = v3_30::PolicyMatch {
            tier: "default".into(),
            kind: 2,
            ..Default::default()
        };
        let back = v3_32::PolicyMatch::decode(old.encode_to_vec().as_slice());
        // "default" starts with 'd' (0x64: field 12, wire type 4, an end-group tag): 3.32 refuses it.
        assert!(back.is_err(), "{back:?}");
    }

    #[test]
    fn method_paths_are_goldmanes() {
        let client = include_str!(concat!(env!("OUT_DIR"), "/v3_32/goldmane.rs"));
        for path in [
            "/goldmane.Flows/List",
            "/goldmane.Flows/Stream",
            "/goldmane.Flows/FilterHints",
            "/goldmane.Statistics/List",
            "/goldmane.FlowCollector/Connect",
        ] {
            assert!(client.contains(path), "{path}");
        }
    }
}
