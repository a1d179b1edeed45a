//! How the engine reaches the registry: over HTTP(S) in the app, or anything
//! else in tests (a transport that loses answers, a partitioned network).

use std::future::Future;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use emhana_protocol::{
    EnrolRequest, Enrolment, ErrorBody, OrganizationAnswer, PREFIX, PullQuery, PullResponse, PushRequest,
    PushResponse, ReferenceData, SnapshotInfo,
};

/// Why a call to the registry failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// No answer: the link broke or timed out after the request may have
    /// left (it may have reached the registry). Try again later.
    #[error("the registry cannot be reached: {0}")]
    Offline(String),
    /// No connection could be made (no network, the registry down): the
    /// request never left. Try again later.
    #[error("the registry cannot be reached: {0}")]
    Unreachable(String),
    /// The registry refused the request (4xx); trying again will not help.
    #[error("the registry refused the request ({status} {code}): {message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    /// The registry failed (5xx); try again later.
    #[error("the registry failed ({status}): {message}")]
    Server { status: u16, message: String },
    /// The registry's address is not `https://` (plain `http://` only to
    /// this machine, as a test or a demo runs): credentials and persons'
    /// data never cross a network in clear.
    #[error("the registry's address {0} is not https:// (plain http:// is for this machine only)")]
    InsecureAddress(String),
}

/// The registry's address as given, when it may be used: `https://`
/// anywhere, plain `http://` to this machine only (loopback).
pub fn checked_base(base: &str) -> Result<String, TransportError> {
    let insecure = || TransportError::InsecureAddress(base.to_owned());
    let url = reqwest::Url::parse(base).map_err(|_| insecure())?;
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" => Ok(base.trim_end_matches('/').to_owned()),
        "http" if loopback => Ok(base.trim_end_matches('/').to_owned()),
        _ => Err(insecure()),
    }
}

impl TransportError {
    /// Whether waiting and trying again may succeed.
    pub fn is_temporary(&self) -> bool {
        !matches!(
            self,
            TransportError::Refused { .. } | TransportError::InsecureAddress(_)
        )
    }
}

/// The two calls sync makes.
pub trait Transport: Send + Sync {
    fn push(
        &self,
        request: &PushRequest,
    ) -> impl Future<Output = Result<PushResponse, TransportError>> + Send;
    fn pull(&self, query: &PullQuery) -> impl Future<Output = Result<PullResponse, TransportError>> + Send;
    /// The registry's reference data (attachment campaigns, ...).
    fn reference(&self) -> impl Future<Output = Result<ReferenceData, TransportError>> + Send;
    /// The clinic's organization, unless `known` is its version still.
    fn organization(
        &self,
        known: Option<i64>,
    ) -> impl Future<Output = Result<OrganizationAnswer, TransportError>> + Send;
    /// Reports the head of this PC's audit log; the registry checks it
    /// against the head it held.
    fn audit_head(
        &self,
        report: &emhana_protocol::AuditHeadReport,
    ) -> impl Future<Output = Result<emhana_protocol::AuditHeadAnswer, TransportError>> + Send;
    /// The clinic's snapshot, when the registry offers one.
    fn snapshot_info(&self) -> impl Future<Output = Result<Option<SnapshotInfo>, TransportError>> + Send;
    /// Appends the snapshot's bytes from `from` on to the file `to`,
    /// reporting the bytes the file holds as they arrive.
    fn snapshot_download(
        &self,
        from: u64,
        to: &Path,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> impl Future<Output = Result<(), TransportError>> + Send;
}

/// The registry over HTTP(S), bodies gzip-compressed both ways.
#[derive(Debug, Clone)]
pub struct HttpTransport {
    client: reqwest::Client,
    /// Without `Accept-Encoding`: the snapshot's file comes as it is, so a
    /// broken download resumes at a byte of the file.
    files: reqwest::Client,
    base: String,
    credential: String,
}

fn client() -> Result<reqwest::Client, TransportError> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(|error| TransportError::Offline(error.to_string()))
}

impl HttpTransport {
    pub fn new(base: &str, credential: &str) -> Result<HttpTransport, TransportError> {
        let base = checked_base(base)?;
        Ok(HttpTransport {
            client: client()?,
            files: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                .read_timeout(Duration::from_secs(60))
                .no_gzip()
                .build()
                .map_err(|error| TransportError::Offline(error.to_string()))?,
            base,
            credential: credential.to_owned(),
        })
    }
}

/// Exchanges a one-time enrolment code for the workstation's credential;
/// a new bundle key pair is made for it, its public half sent, its private
/// half returned in the enrolment to be kept with it.
pub async fn enrol(base: &str, code: &str) -> Result<Enrolment, TransportError> {
    let base = checked_base(base)?;
    let bundle_secret = emhana_protocol::bundle::BundleSecret::generate()
        .map_err(|error| TransportError::Unreachable(format!("no bundle key: {error}")))?;
    let bundle_public_key = bundle_secret
        .public_hex()
        .map_err(|error| TransportError::Unreachable(format!("no bundle key: {error}")))?;
    let response = client()?
        .post(format!("{base}{PREFIX}/enrol"))
        .json(&EnrolRequest {
            code: code.to_owned(),
            bundle_public_key: Some(bundle_public_key),
        })
        .send()
        .await
        .map_err(offline)?;
    let mut enrolment: Enrolment = read(response).await?;
    enrolment.bundle_secret = Some(bundle_secret);
    Ok(enrolment)
}

fn offline(error: reqwest::Error) -> TransportError {
    // A failed connect sent nothing; any later failure may have delivered the request.
    if error.is_connect() {
        TransportError::Unreachable(error.to_string())
    } else {
        TransportError::Offline(error.to_string())
    }
}

async fn read<T: serde::de::DeserializeOwned>(response: reqwest::Response) -> Result<T, TransportError> {
    let status = response.status();
    if status.is_success() {
        return response.json().await.map_err(offline);
    }
    let text = response.text().await.unwrap_or_default();
    let body: Option<ErrorBody> = serde_json::from_str(&text).ok();
    if status.is_client_error() {
        let (code, message) = body.map_or_else(|| (String::new(), text), |body| (body.code, body.message));
        Err(TransportError::Refused {
            status: status.as_u16(),
            code,
            message,
        })
    } else {
        Err(TransportError::Server {
            status: status.as_u16(),
            message: body.map_or(text, |body| body.message),
        })
    }
}

/// How long a question asked while a registrar waits at the window may take.
const WINDOW_QUESTION_TIMEOUT: Duration = Duration::from_secs(8);

impl HttpTransport {
    /// A person's OSMS status as the registry answers it for `actor` (a
    /// member of this clinic's staff), within a few seconds: the card does
    /// not wait on a slow link, it shows the last known status.
    pub async fn osms(&self, iin: &str, actor: &str) -> Result<emhana_protocol::OsmsAnswer, TransportError> {
        let request = self
            .client
            .get(format!("{}{PREFIX}/persons/{iin}/osms", self.base))
            .query(&[("actor", actor)])
            .timeout(WINDOW_QUESTION_TIMEOUT)
            .bearer_auth(&self.credential);
        read(request.send().await.map_err(offline)?).await
    }

    /// A person by IIN as the state person database would answer (the
    /// registry stands in for it), asked for `actor` while the registrar waits.
    pub async fn lookup(
        &self,
        iin: &str,
        actor: &str,
    ) -> Result<emhana_protocol::PersonLookup, TransportError> {
        let request = self
            .client
            .get(format!("{}{PREFIX}/persons/{iin}", self.base))
            .query(&[("actor", actor)])
            .timeout(WINDOW_QUESTION_TIMEOUT)
            .bearer_auth(&self.credential);
        read(request.send().await.map_err(offline)?).await
    }
}

impl Transport for HttpTransport {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, TransportError> {
        let json = serde_json::to_vec(request).map_err(|error| TransportError::Offline(error.to_string()))?;
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gzip.write_all(&json)
            .map_err(|error| TransportError::Offline(error.to_string()))?;
        let body = gzip
            .finish()
            .map_err(|error| TransportError::Offline(error.to_string()))?;
        let response = self
            .client
            .post(format!("{}{PREFIX}/push", self.base))
            .bearer_auth(&self.credential)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::CONTENT_ENCODING, "gzip")
            .body(body)
            .send()
            .await
            .map_err(offline)?;
        read(response).await
    }

    async fn pull(&self, query: &PullQuery) -> Result<PullResponse, TransportError> {
        let mut request = self
            .client
            .get(format!("{}{PREFIX}/changes", self.base))
            .bearer_auth(&self.credential)
            .query(&[("count", query.count.to_string())]);
        if let Some(after) = &query.after {
            request = request.query(&[("after", after)]);
        }
        if let Some(limit) = query.limit {
            request = request.query(&[("limit", limit.to_string())]);
        }
        read(request.send().await.map_err(offline)?).await
    }

    async fn reference(&self) -> Result<ReferenceData, TransportError> {
        let request = self
            .client
            .get(format!("{}{PREFIX}/reference", self.base))
            .bearer_auth(&self.credential);
        read(request.send().await.map_err(offline)?).await
    }

    async fn snapshot_info(&self) -> Result<Option<SnapshotInfo>, TransportError> {
        let response = self
            .client
            .get(format!("{}{PREFIX}/snapshot", self.base))
            .bearer_auth(&self.credential)
            .send()
            .await
            .map_err(offline)?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        read(response).await.map(Some)
    }

    async fn snapshot_download(
        &self,
        from: u64,
        to: &Path,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<(), TransportError> {
        use tokio::io::AsyncWriteExt;
        let local = |error: std::io::Error| TransportError::Offline(format!("{}: {error}", to.display()));
        let mut response = self
            .files
            .get(format!("{}{PREFIX}/snapshot/file", self.base))
            .bearer_auth(&self.credential)
            .header(reqwest::header::RANGE, format!("bytes={from}-"))
            .send()
            .await
            .map_err(offline)?;
        let status = response.status();
        if !status.is_success() {
            return read::<serde_json::Value>(response).await.map(|_| ());
        }
        // a server that ignores the range sends it all: start the file again
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(status == reqwest::StatusCode::PARTIAL_CONTENT)
            .truncate(status != reqwest::StatusCode::PARTIAL_CONTENT)
            .open(to)
            .await
            .map_err(local)?;
        let mut held = if status == reqwest::StatusCode::PARTIAL_CONTENT {
            from
        } else {
            0
        };
        while let Some(chunk) = response.chunk().await.map_err(offline)? {
            file.write_all(&chunk).await.map_err(local)?;
            held += chunk.len() as u64;
            progress(held);
        }
        file.flush().await.map_err(local)?;
        file.sync_all().await.map_err(local)?;
        Ok(())
    }

    async fn audit_head(
        &self,
        report: &emhana_protocol::AuditHeadReport,
    ) -> Result<emhana_protocol::AuditHeadAnswer, TransportError> {
        let request = self
            .client
            .post(format!("{}{PREFIX}/audit-head", self.base))
            .bearer_auth(&self.credential)
            .json(report);
        read(request.send().await.map_err(offline)?).await
    }

    async fn organization(&self, known: Option<i64>) -> Result<OrganizationAnswer, TransportError> {
        let mut request = self
            .client
            .get(format!("{}{PREFIX}/organization", self.base))
            .bearer_auth(&self.credential);
        if let Some(known) = known {
            request = request.query(&[("known", known.to_string())]);
        }
        read(request.send().await.map_err(offline)?).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_goes_to_this_machine_only() {
        let cases = [
            ("https://registry.example.kz", true),
            ("https://10.0.0.5:8443/", true),
            ("http://127.0.0.1:8780", true),
            ("http://localhost:8780", true),
            ("http://[::1]:8780", true),
            ("http://10.0.0.5:8780", false),
            ("http://registry.example.kz", false),
            ("http://127.0.0.1.example.kz", false),
            ("ftp://127.0.0.1", false),
            ("registry.example.kz", false),
        ];
        for (base, allowed) in cases {
            assert_eq!(checked_base(base).is_ok(), allowed, "{base}");
        }
    }
}
