//! TLS (rustls), as the production configuration serves the API (see
//! [`crate::serve`]): the certificate chain and the private key are PEM
//! files named in `[tls]`.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::RegistryError;
use crate::config::TlsConfig;

/// Reads the certificate chain and the key; a clear error names the file at fault.
pub fn server_config(tls: &TlsConfig) -> Result<rustls::ServerConfig, RegistryError> {
    let chain = CertificateDer::pem_file_iter(&tls.certificate)
        .and_then(|certificates| certificates.collect::<Result<Vec<_>, _>>())
        .map_err(|error| RegistryError::Config(format!("{}: {error}", tls.certificate.display())))?;
    if chain.is_empty() {
        return Err(RegistryError::Config(format!(
            "{}: no certificate in the file",
            tls.certificate.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_file(&tls.private_key)
        .map_err(|error| RegistryError::Config(format!("{}: {error}", tls.private_key.display())))?;
    let mut config =
        rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|error| RegistryError::Config(format!("TLS: {error}")))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|error| {
                RegistryError::Config(format!(
                    "{} and {} do not make a certificate and its key: {error}",
                    tls.certificate.display(),
                    tls.private_key.display()
                ))
            })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
