//! Static files of `www/` (at `/`) and `pkg/` (at `/pkg/`), streamed, with
//! a content type from the extension and the pages' security headers.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::path::{Path, PathBuf};

/// The policy of our own pages (the players, the demo, the package): only
/// our own scripts, plus `'wasm-unsafe-eval'` because the classic script
/// compiles its WebAssembly module from bytes; frames (the course) and
/// requests (the backend) on our origin only; framed only by our origin.
pub const PAGE_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
img-src 'self' data:; media-src 'self'; font-src 'self'; connect-src 'self'; frame-src 'self'; worker-src 'self'; \
manifest-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

/// The policy of course content (`/courses/…`): content packages are
/// third-party pages with inline scripts and styles of their own, so only
/// framing is restricted (to our origin: the players frame them).
pub const CONTENT_POLICY: &str = "frame-ancestors 'self'; object-src 'none'";

/// Where content packages live under `www/`.
pub const CONTENT_DIR: &str = "courses/";

const CONTENT_TYPES: &[(&str, &str)] = &[
    ("css", "text/css; charset=utf-8"),
    ("gif", "image/gif"),
    ("htm", "text/html; charset=utf-8"),
    ("html", "text/html; charset=utf-8"),
    ("ico", "image/x-icon"),
    ("jpeg", "image/jpeg"),
    ("jpg", "image/jpeg"),
    ("js", "text/javascript; charset=utf-8"),
    ("json", "application/json"),
    ("map", "application/json"),
    ("mjs", "text/javascript; charset=utf-8"),
    ("mp3", "audio/mpeg"),
    ("mp4", "video/mp4"),
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("svg", "image/svg+xml"),
    ("swf", "application/x-shockwave-flash"),
    ("ts", "text/plain; charset=utf-8"),
    ("ttf", "font/ttf"),
    ("txt", "text/plain; charset=utf-8"),
    ("wasm", "application/wasm"),
    ("wav", "audio/wav"),
    ("webm", "video/webm"),
    ("webp", "image/webp"),
    ("woff", "font/woff"),
    ("woff2", "font/woff2"),
    ("xml", "application/xml"),
    ("xsd", "application/xml"),
    ("zip", "application/zip"),
];

pub fn content_type(path: &Path) -> &'static str {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    CONTENT_TYPES
        .binary_search_by(|(e, _)| (*e).cmp(ext.as_str()))
        .ok()
        .and_then(|i| CONTENT_TYPES.get(i))
        .map_or("application/octet-stream", |(_, t)| t)
}

/// Map a URL path to a file under `www` or `pkg`, refusing anything that
/// could leave the root: `..`, `.`, backslashes, NUL, drive letters, and
/// symbolic links pointing outside. `Ok((file, content))`: `content` when
/// the file is course content.
pub fn resolve(www: &Path, pkg: &Path, url_path: &str) -> Result<(PathBuf, bool), u16> {
    let decoded = crate::http::percent_decode(url_path, false).ok_or(400u16)?;
    let (root, rest) = match decoded.strip_prefix("/pkg/") {
        Some(rest) => (pkg, rest.to_owned()),
        None if decoded == "/pkg" => (pkg, String::new()),
        None => (www, decoded.trim_start_matches('/').to_owned()),
    };
    let mut rel = PathBuf::new();
    for seg in rest.split('/') {
        if seg.is_empty() {
            continue;
        }
        if seg == "." || seg == ".." || seg.contains(['\\', '\0', ':']) {
            return Err(403);
        }
        rel.push(seg);
    }
    let content = std::ptr::eq(root, www) && rel.starts_with(CONTENT_DIR.trim_end_matches('/'));
    let root = root.canonicalize().map_err(|_| 404u16)?;
    let mut full = root.join(&rel);
    if full.is_dir() {
        full.push("index.html");
    }
    let full = full.canonicalize().map_err(|_| 404u16)?;
    if !full.starts_with(&root) {
        return Err(403);
    }
    if !full.is_file() {
        return Err(404);
    }
    Ok((full, content))
}

fn plain(status: u16, text: &'static str) -> Response {
    let mut r = (StatusCode::from_u16(status).unwrap_or(StatusCode::NOT_FOUND), text).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r
}

/// Answer `GET`/`HEAD` of a static file.
pub async fn serve(www: &Path, pkg: &Path, url_path: &str, head: bool) -> Response {
    let (www, pkg, url) = (www.to_owned(), pkg.to_owned(), url_path.to_owned());
    // Path checks touch the file system: off the async threads.
    let resolved = tokio::task::spawn_blocking(move || resolve(&www, &pkg, &url)).await.unwrap_or(Err(500));
    let (path, content) = match resolved {
        Ok(x) => x,
        Err(400) => return plain(400, "bad request"),
        Err(403) => return plain(403, "forbidden"),
        Err(_) => return plain(404, "not found"),
    };
    let Ok(file) = tokio::fs::File::open(&path).await else { return plain(404, "not found") };
    let len = file.metadata().await.map(|m| m.len()).ok();
    let body = if head { Body::empty() } else { Body::from_stream(tokio_util::io::ReaderStream::new(file)) };
    let mut r = Response::new(body);
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(&path)));
    if let Some(n) = len {
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(n));
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(if content { CONTENT_POLICY } else { PAGE_POLICY }));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_are_sorted_and_found() {
        assert!(CONTENT_TYPES.windows(2).all(|w| w[0].0 < w[1].0), "CONTENT_TYPES must stay sorted");
        assert_eq!(content_type(Path::new("a/b.WASM")), "application/wasm");
        assert_eq!(content_type(Path::new("x.unknown")), "application/octet-stream");
        assert_eq!(content_type(Path::new("noext")), "application/octet-stream");
    }
}
