//! The S3 adapter of the [`ObjectStore`] port (feature `s3`, on by default).
//!
//! * **Listing** is by prefix with `ListObjectsV2`, following continuation tokens past S3's 1000
//!   keys per page. The engine lists only the hour prefixes its window needs
//!   (`<endpoint>/<variant>/YYYY/MM/DD/HH/`), never the whole capture tree.
//! * **Reading** streams: [`ObjectStore::open`] returns a blocking [`Read`] over the response body,
//!   pulled chunk by chunk from the SDK's `ByteStream` on the shared runtime, so a window is never
//!   held in memory (gzip is undone by the caller, as for local files). A stream that breaks after
//!   the response started is resumed with a ranged `GetObject` pinned to the object's ETag
//!   (`If-Match`), with exponential backoff and full jitter; requests themselves are retried by
//!   the SDK's standard retry mode (throttling, 5xx, connection errors).
//! * **Writing** is one `PutObject`, which replaces an object as a whole: a retried run overwrites
//!   and never leaves a half-written object.
//! * Credentials, region and endpoint come from the standard AWS chain (see [`crate::adapters::aws`]);
//!   `DRIFTMON_S3_PATH_STYLE=1` turns on path-style addressing for S3-compatible servers.
//!
//! Every error names the object as `s3://bucket/key`.

use std::io::Read;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;

use crate::adapters::aws::{self, Backoff};
use crate::adapters::state_store::{CasError, CasGuarantee, ConditionalStore, Version};
use crate::adapters::store::{ObjectReader, ObjectStore, StoreError};

/// How long one chunk of a streamed object may take before the read counts as broken.
const CHUNK_TIMEOUT: Duration = Duration::from_secs(60);

/// Whether `DRIFTMON_S3_PATH_STYLE` asks for path-style addressing.
pub fn path_style_from_env() -> bool {
    matches!(
        std::env::var("DRIFTMON_S3_PATH_STYLE").as_deref(),
        Ok("1") | Ok("true") | Ok("TRUE") | Ok("yes")
    )
}

fn shared_client() -> Result<&'static (Client, Backoff), StoreError> {
    static CLIENT: OnceLock<(Client, Backoff)> = OnceLock::new();
    if let Some(c) = CLIENT.get() {
        return Ok(c);
    }
    let cfg = aws::sdk_config().map_err(|e| StoreError::Config(e.to_string()))?;
    let s3 = aws_sdk_s3::config::Builder::from(cfg)
        .force_path_style(path_style_from_env())
        .build();
    Ok(CLIENT.get_or_init(|| (Client::from_conf(s3), Backoff::from_config(cfg))))
}

/// The [`crate::adapters::store::S3Factory`] registered by the binary: a store for `bucket`, sharing one
/// client per process.
pub fn factory(bucket: &str) -> Result<Arc<dyn ObjectStore>, StoreError> {
    let (client, backoff) = shared_client()?;
    Ok(Arc::new(S3Store {
        bucket: bucket.to_owned(),
        client: client.clone(),
        backoff: backoff.clone(),
    }))
}

/// One bucket.
#[derive(Debug, Clone)]
pub struct S3Store {
    bucket: String,
    client: Client,
    backoff: Backoff,
}

impl S3Store {
    /// A store over `bucket` with an explicit client (tests, or callers that configure their own).
    pub fn new(bucket: impl Into<String>, client: Client, backoff: Backoff) -> S3Store {
        S3Store {
            bucket: bucket.into(),
            client,
            backoff,
        }
    }

    fn remote(&self, key: &str, msg: String) -> StoreError {
        StoreError::Remote {
            uri: ObjectStore::uri(self, key),
            msg,
        }
    }

    fn block<F: std::future::Future>(&self, key: &str, f: F) -> Result<F::Output, StoreError> {
        aws::block_on(f).map_err(|e| self.remote(key, e.to_string()))
    }

    /// Lists keys (and, with a delimiter, common prefixes) under `prefix`, every page.
    fn list_pages(
        &self,
        prefix: &str,
        delimiter: Option<&str>,
    ) -> Result<(Vec<String>, Vec<String>), StoreError> {
        let mut keys = Vec::new();
        let mut dirs = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let req = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(prefix)
                .set_delimiter(delimiter.map(str::to_owned))
                .set_continuation_token(token.take());
            let page = self
                .block(prefix, req.send())?
                .map_err(|e| self.remote(prefix, aws::describe(&e)))?;
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|o| o.key())
                    .filter(|k| !k.ends_with('/'))
                    .map(str::to_owned),
            );
            dirs.extend(
                page.common_prefixes()
                    .iter()
                    .filter_map(|p| p.prefix())
                    .map(str::to_owned),
            );
            match (page.is_truncated(), page.next_continuation_token()) {
                (Some(true), Some(t)) => token = Some(t.to_owned()),
                _ => break,
            }
        }
        Ok((keys, dirs))
    }

    /// Starts a `GetObject`, from `offset` and pinned to `etag` when resuming.
    fn get_object(
        &self,
        key: &str,
        offset: u64,
        etag: Option<&str>,
    ) -> Result<aws_sdk_s3::operation::get_object::GetObjectOutput, StoreError> {
        let mut req = self.client.get_object().bucket(&self.bucket).key(key);
        if offset > 0 {
            req = req.range(format!("bytes={offset}-"));
        }
        if let Some(t) = etag {
            req = req.if_match(t);
        }
        self.block(key, req.send())?.map_err(|e| {
            let not_found = e.as_service_error().is_some_and(|se| se.is_no_such_key());
            if not_found {
                StoreError::NotFound {
                    uri: ObjectStore::uri(self, key),
                }
            } else {
                self.remote(key, aws::describe(&e))
            }
        })
    }
}

fn dir_prefix(prefix: &str) -> String {
    if prefix.is_empty() || prefix.ends_with('/') {
        prefix.to_owned()
    } else {
        format!("{prefix}/")
    }
}

impl ObjectStore for S3Store {
    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let (mut keys, _) = self.list_pages(&dir_prefix(prefix), None)?;
        keys.sort();
        Ok(keys)
    }

    fn list_dirs(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let p = dir_prefix(prefix);
        let (keys, dirs) = self.list_pages(&p, Some("/"))?;
        if keys.is_empty() && dirs.is_empty() {
            return Err(StoreError::NotFound {
                uri: ObjectStore::uri(self, &p),
            });
        }
        let mut v: Vec<String> = dirs
            .iter()
            .filter_map(|d| d.strip_prefix(&p))
            .map(|d| d.trim_end_matches('/').to_owned())
            .filter(|d| !d.is_empty())
            .collect();
        v.sort();
        Ok(v)
    }

    fn open(&self, key: &str) -> Result<ObjectReader, StoreError> {
        let out = self.get_object(key, 0, None)?;
        Ok(Box::new(S3Reader {
            store: self.clone(),
            key: key.to_owned(),
            etag: out.e_tag().map(str::to_owned),
            offset: 0,
            body: Some(out.body),
            chunk: Default::default(),
            retries: 0,
        }))
    }

    fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let content_type = if key.ends_with(".json") {
            "application/json"
        } else if key.ends_with(".html") {
            "text/html; charset=utf-8"
        } else {
            "application/octet-stream"
        };
        let req = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(bytes.to_vec()));
        self.block(key, req.send())?
            .map(|_| ())
            .map_err(|e| self.remote(key, aws::describe(&e)))
    }

    fn uri(&self, key: &str) -> String {
        format!("s3://{}/{}", self.bucket, key)
    }
}

/// The [`ConditionalStore`] of a bucket, sharing the process's client: monitor states on S3.
pub fn conditional(bucket: &str) -> Result<Arc<dyn ConditionalStore>, StoreError> {
    let (client, backoff) = shared_client()?;
    Ok(Arc::new(S3Store {
        bucket: bucket.to_owned(),
        client: client.clone(),
        backoff: backoff.clone(),
    }))
}

/// S3's conditional writes: `If-None-Match: *` to create, `If-Match: <etag>` to replace (AWS
/// S3 since 2024, and moto). 412 Precondition Failed and 409 ConditionalRequestConflict are a
/// [`CasError::Conflict`]; the ETag is the [`Version`].
impl ConditionalStore for S3Store {
    fn get_versioned(&self, key: &str) -> Result<Option<(Vec<u8>, Version)>, StoreError> {
        let out = match self.get_object(key, 0, None) {
            Ok(o) => o,
            Err(StoreError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let etag = out.e_tag().unwrap_or_default().to_owned();
        let body = self
            .block(key, out.body.collect())?
            .map_err(|e| self.remote(key, e.to_string()))?;
        Ok(Some((body.into_bytes().to_vec(), Version(etag))))
    }

    fn put_if(
        &self,
        key: &str,
        bytes: &[u8],
        expected: Option<&Version>,
    ) -> Result<Version, CasError> {
        let mut req = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type("application/json")
            .body(ByteStream::from(bytes.to_vec()));
        req = match expected {
            None => req.if_none_match("*"),
            Some(v) => req.if_match(&v.0),
        };
        match self.block(key, req.send())? {
            Ok(out) => Ok(Version(out.e_tag().unwrap_or_default().to_owned())),
            Err(e) => {
                let status = e.raw_response().map(|r| r.status().as_u16());
                if matches!(status, Some(412) | Some(409)) {
                    Err(CasError::Conflict {
                        uri: ObjectStore::uri(self, key),
                    })
                } else {
                    Err(CasError::Store(self.remote(key, aws::describe(&e))))
                }
            }
        }
    }

    fn guarantee(&self) -> CasGuarantee {
        CasGuarantee::Atomic
    }

    fn uri(&self, key: &str) -> String {
        ObjectStore::uri(self, key)
    }
}

/// A blocking reader over one object's body.
struct S3Reader {
    store: S3Store,
    key: String,
    etag: Option<String>,
    /// Bytes handed out so far (where a resumed request starts).
    offset: u64,
    body: Option<ByteStream>,
    chunk: bytes_buf::Chunk,
    /// Consecutive failed attempts to continue the stream.
    retries: u32,
}

/// A tiny owned byte buffer with a read position (avoids a direct `bytes` dependency).
mod bytes_buf {
    /// The current chunk and how much of it was read.
    #[derive(Default)]
    pub struct Chunk {
        pub data: Vec<u8>,
        pub pos: usize,
    }

    impl Chunk {
        pub fn remaining(&self) -> &[u8] {
            &self.data[self.pos..]
        }
    }
}

impl S3Reader {
    /// The next chunk of the body: `Ok(None)` at the end; `Err` with the reason the stream broke.
    fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, String> {
        let body = match self.body.as_mut() {
            Some(b) => b,
            None => return Err("stream not open".into()),
        };
        let next = aws::block_on(async { tokio::time::timeout(CHUNK_TIMEOUT, body.next()).await })
            .map_err(|e| e.to_string())?;
        match next {
            Err(_) => Err(format!(
                "no data for {} s while streaming",
                CHUNK_TIMEOUT.as_secs()
            )),
            Ok(None) => Ok(None),
            Ok(Some(Ok(b))) => Ok(Some(b.to_vec())),
            Ok(Some(Err(e))) => Err(aws::DisplayChain(&e).to_string()),
        }
    }

    /// Reopens the object at the current offset after a broken stream.
    fn resume(&mut self) -> Result<(), StoreError> {
        let out = self
            .store
            .get_object(&self.key, self.offset, self.etag.as_deref())?;
        self.body = Some(out.body);
        Ok(())
    }
}

impl Read for S3Reader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let rest = self.chunk.remaining();
            if !rest.is_empty() {
                let n = rest.len().min(buf.len());
                buf[..n].copy_from_slice(&rest[..n]);
                self.chunk.pos += n;
                self.offset += n as u64;
                return Ok(n);
            }
            if buf.is_empty() {
                return Ok(0);
            }
            let why = if self.body.is_some() {
                match self.next_chunk() {
                    Ok(None) => return Ok(0),
                    Ok(Some(data)) => {
                        self.chunk = bytes_buf::Chunk { data, pos: 0 };
                        self.retries = 0;
                        continue;
                    }
                    Err(why) => why,
                }
            } else {
                "stream not open".to_owned()
            };
            // The stream broke: back off, then continue where it stopped (same ETag).
            self.body = None;
            self.retries += 1;
            if self.retries >= self.store.backoff.max_attempts {
                return Err(std::io::Error::other(format!(
                    "read failed after {} attempts at byte {}: {why}",
                    self.retries, self.offset
                )));
            }
            std::thread::sleep(self.store.backoff.delay(self.retries));
            if let Err(e) = self.resume() {
                return Err(std::io::Error::other(format!(
                    "stream broke at byte {} ({why}) and could not be resumed: {}",
                    self.offset,
                    e.into_io()
                )));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_become_folders() {
        assert_eq!(dir_prefix(""), "");
        assert_eq!(dir_prefix("a/b"), "a/b/");
        assert_eq!(dir_prefix("a/b/"), "a/b/");
    }
}
