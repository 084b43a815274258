//! gRPC API: tonic services over the engine and the store (STUB: to be replaced).

/// Generated protobuf types and service stubs of `exportscreen.v1`.
#[allow(missing_docs, clippy::all)]
pub mod pb {
    tonic::include_proto!("exportscreen.v1");

    /// Encoded file descriptor set for server reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        tonic::include_file_descriptor_set!("exportscreen_descriptor");
}
