//! Serving the API over TLS (rustls), as the production configuration does:
//! the certificate chain and the private key are PEM files named in `[tls]`.

use std::sync::Arc;

use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

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

/// Serves `app` over TLS on `listener` until `shutdown` completes. A client
/// failing its handshake is logged and dropped; the others go on.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    config: rustls::ServerConfig,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), RegistryError> {
    let acceptor = TlsAcceptor::from(Arc::new(config));
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => return Ok(()),
        };
        let acceptor = acceptor.clone();
        let app = app.clone();
        tokio::spawn(async move {
            let stream =
                match tokio::time::timeout(std::time::Duration::from_secs(10), acceptor.accept(stream)).await
                {
                    Ok(Ok(stream)) => stream,
                    Ok(Err(error)) => {
                        tracing::debug!(%peer, %error, "TLS handshake failed");
                        return;
                    }
                    Err(_) => {
                        tracing::debug!(%peer, "TLS handshake timed out");
                        return;
                    }
                };
            let service = TowerToHyperService::new(app);
            if let Err(error) = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
        });
    }
}
