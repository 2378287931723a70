//! scorm-backend: serves `www/` and `pkg/` over HTTP on 127.0.0.1.
//! (Batch storage arrives with issue 7.)

use std::path::{Component, Path, PathBuf};

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "wasm" => "application/wasm",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ts" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Map a URL path onto a file under `root`, refusing anything that would leave it.
fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let mut out = root.to_path_buf();
    for c in Path::new(url_path.trim_start_matches('/')).components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if out.is_dir() {
        out.push("index.html");
    }
    Some(out)
}

fn main() {
    let mut addr = "127.0.0.1:8080".to_string();
    let mut www = PathBuf::from("www");
    let mut pkg = PathBuf::from("pkg");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--addr" => addr = val(),
            "--www" => www = PathBuf::from(val()),
            "--pkg" => pkg = PathBuf::from(val()),
            other => {
                eprintln!("unknown argument {other}; usage: scorm-backend [--addr 127.0.0.1:8080] [--www DIR] [--pkg DIR]");
                std::process::exit(2);
            }
        }
    }
    let server = tiny_http::Server::http(&addr).unwrap_or_else(|e| {
        eprintln!("cannot listen on {addr}: {e}");
        std::process::exit(1);
    });
    println!("scorm-backend listening on http://{}/", server.server_addr());
    for req in server.incoming_requests() {
        let url = req.url().split(['?', '#']).next().unwrap_or("/").to_string();
        let file = match url.strip_prefix("/pkg/") {
            Some(rest) => resolve(&pkg, rest),
            None => resolve(&www, &url),
        };
        let resp = match file.and_then(|f| std::fs::read(&f).ok().map(|b| (f, b))) {
            Some((f, body)) => tiny_http::Response::from_data(body).with_header(
                tiny_http::Header::from_bytes(&b"Content-Type"[..], content_type(&f).as_bytes()).expect("static header"),
            ),
            None => tiny_http::Response::from_string("not found").with_status_code(404),
        };
        let _ = req.respond(resp);
    }
}
