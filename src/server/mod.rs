//! The protocol layer: go-plugin handshake, AutoMTLS, the tfplugin5 gRPC service and the controller.

/// Code generated from `proto/` by `build.rs`.
pub mod proto {
    #![allow(missing_docs, clippy::all, missing_debug_implementations)]
    /// Terraform's plugin protocol, version 5.
    pub mod tfplugin5 {
        tonic::include_proto!("tfplugin5");
    }
    /// go-plugin's controller service.
    pub mod plugin {
        tonic::include_proto!("plugin");
    }
}
