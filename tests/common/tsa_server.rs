//! A loopback RFC 3161 time-stamping authority for the signing tests.
//!
//! [`TsaServer::openssl`] listens on 127.0.0.1 (a port the system picks) and answers each HTTP/1.1
//! POST with `openssl ts -reply` signed by the fixture TSA (`fixtures/pki/tsa.pem`, chain
//! `intermediate.pem`). [`TsaServer::fixed`] answers every request with one canned response, for
//! the error paths. Nothing leaves the machine: the listener is bound to the loopback address
//! and only accepts there.
//!
//! The server handles at most [`MAX_REQUESTS`] requests and lives at most [`MAX_LIFETIME`], then
//! stops by itself; dropping it stops it at once and removes its temporary files.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Requests served before the server stops by itself.
pub const MAX_REQUESTS: usize = 32;
/// Longest time the server runs, whatever happens to the test.
pub const MAX_LIFETIME: Duration = Duration::from_secs(120);
/// Limits on what one request may send (a TimeStampReq is under 200 bytes).
const MAX_HEADER_BYTES: usize = 16 * 1024;
const MAX_HEADER_BYTES_U64: u64 = 16 * 1024;
const MAX_BODY_BYTES: usize = 64 * 1024;
/// Socket read/write limit for one connection.
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// Time allowed for one `openssl ts -reply`.
const OPENSSL_TIMEOUT: Duration = Duration::from_secs(30);

/// True when `openssl` can be run.
pub fn openssl_available() -> bool {
    Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// What the server answers.
#[derive(Clone)]
enum Mode {
    /// `openssl ts -reply` over the request body.
    OpenSsl(Arc<OpenSslTsa>),
    /// The same answer to every request.
    Fixed {
        status: u16,
        content_type: String,
        body: Vec<u8>,
    },
}

/// A running loopback TSA. Stops when dropped.
pub struct TsaServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    served: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
    openssl: Option<Arc<OpenSslTsa>>,
}

impl TsaServer {
    /// A TSA that signs with the fixture TSA key through `openssl ts -reply`.
    pub fn openssl() -> io::Result<Self> {
        let tsa = Arc::new(OpenSslTsa::new()?);
        let mut s = Self::start(Mode::OpenSsl(Arc::clone(&tsa)))?;
        s.openssl = Some(tsa);
        Ok(s)
    }

    /// A server that answers every request with `status`, `content_type` and `body`.
    pub fn fixed(status: u16, content_type: &str, body: &[u8]) -> io::Result<Self> {
        Self::start(Mode::Fixed {
            status,
            content_type: content_type.to_owned(),
            body: body.to_vec(),
        })
    }

    fn start(mode: Mode) -> io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let served = Arc::new(AtomicUsize::new(0));
        let thread = {
            let stop = Arc::clone(&stop);
            let served = Arc::clone(&served);
            thread::Builder::new()
                .name("loopback-tsa".into())
                .spawn(move || serve(listener, mode, &stop, &served))?
        };
        Ok(TsaServer {
            addr,
            stop,
            served,
            thread: Some(thread),
            openssl: None,
        })
    }

    /// `http://127.0.0.1:PORT/tsa`.
    pub fn url(&self) -> String {
        format!("http://{}/tsa", self.addr)
    }

    /// Requests accepted so far (each is counted before its answer is written).
    pub fn served(&self) -> usize {
        self.served.load(Ordering::SeqCst)
    }

    /// Runs `openssl ts -reply` on a DER TimeStampReq directly (no HTTP), for tests that need a
    /// genuine response to tamper with. Only for [`TsaServer::openssl`] servers.
    pub fn reply(&self, query: &[u8]) -> Result<Vec<u8>, String> {
        self.openssl
            .as_ref()
            .ok_or("not an openssl TSA server")?
            .reply(query)
    }
}

impl Drop for TsaServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(listener: TcpListener, mode: Mode, stop: &AtomicBool, served: &AtomicUsize) {
    let start = Instant::now();
    while !stop.load(Ordering::SeqCst)
        && served.load(Ordering::SeqCst) < MAX_REQUESTS
        && start.elapsed() < MAX_LIFETIME
    {
        match listener.accept() {
            Ok((stream, peer)) => {
                if !peer.ip().is_loopback() {
                    continue;
                }
                // Counted before answering: a client that has its answer must see the count.
                served.fetch_add(1, Ordering::SeqCst);
                // Served one at a time: the tests send one request at a time.
                let _ = handle(stream, &mode);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(5));
            }
            Err(_) => thread::sleep(Duration::from_millis(5)),
        }
    }
}

fn handle(stream: TcpStream, mode: &Mode) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;

    let mut request_line = String::new();
    let mut header_bytes = reader
        .by_ref()
        .take(MAX_HEADER_BYTES_U64)
        .read_line(&mut request_line)?;
    let method = request_line
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_owned();
    let mut content_length: Option<usize> = None;
    let mut content_type = String::new();
    loop {
        let mut line = String::new();
        let n = reader
            .by_ref()
            .take(MAX_HEADER_BYTES_U64)
            .read_line(&mut line)?;
        header_bytes += n;
        if n == 0 || header_bytes > MAX_HEADER_BYTES {
            return respond(&mut writer, 400, "text/plain", b"bad request headers");
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                content_length = value.parse().ok();
            } else if name.eq_ignore_ascii_case("content-type") {
                content_type = value.to_ascii_lowercase();
            }
        }
    }
    if method != "POST" {
        return respond(&mut writer, 405, "text/plain", b"POST only");
    }
    let Some(len) = content_length.filter(|l| *l <= MAX_BODY_BYTES) else {
        return respond(
            &mut writer,
            411,
            "text/plain",
            b"Content-Length required, 64 KiB at most",
        );
    };
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body)?;

    match mode {
        Mode::Fixed {
            status,
            content_type,
            body,
        } => respond(&mut writer, *status, content_type, body),
        Mode::OpenSsl(tsa) => {
            if content_type != "application/timestamp-query" {
                return respond(
                    &mut writer,
                    415,
                    "text/plain",
                    b"expected application/timestamp-query",
                );
            }
            match tsa.reply(&body) {
                Ok(reply) => respond(&mut writer, 200, "application/timestamp-reply", &reply),
                Err(e) => respond(&mut writer, 500, "text/plain", e.as_bytes()),
            }
        }
    }
}

fn respond(w: &mut TcpStream, status: u16, content_type: &str, body: &[u8]) -> io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        405 => "Method Not Allowed",
        411 => "Length Required",
        415 => "Unsupported Media Type",
        500 => "Internal Server Error",
        _ => "Status",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    w.write_all(head.as_bytes())?;
    w.write_all(body)?;
    w.flush()
}

/// The `openssl ts -reply` side: a temporary directory with the TSA configuration and serial
/// file, removed on drop.
struct OpenSslTsa {
    dir: PathBuf,
    config: PathBuf,
    pki: PathBuf,
    /// Names the request/response files of each call.
    calls: AtomicUsize,
}

impl OpenSslTsa {
    fn new() -> io::Result<Self> {
        static INSTANCE: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "vnedoc-tsa-{}-{}",
            std::process::id(),
            INSTANCE.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir)?;
        let pki = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pki");
        let serial = dir.join("serial");
        std::fs::write(&serial, "01\n")?;
        // The signer, key and chain are given on the command line; the section names what
        // `openssl ts -reply` reads from the configuration (openssl-ts(1), "CONFIGURATION FILE
        // OPTIONS").
        let config = dir.join("tsa.cnf");
        std::fs::write(
            &config,
            format!(
                "[tsa]\n\
                 default_tsa = tsa_config1\n\
                 \n\
                 [tsa_config1]\n\
                 serial = {}\n\
                 crypto_device = builtin\n\
                 signer_digest = sha256\n\
                 default_policy = 1.2.3.4.1\n\
                 digests = sha256, sha384, sha512\n\
                 accuracy = secs:1\n\
                 ordering = no\n\
                 tsa_name = no\n\
                 ess_cert_id_chain = no\n\
                 ess_cert_id_alg = sha256\n",
                serial.display()
            ),
        )?;
        Ok(OpenSslTsa {
            dir,
            config,
            pki,
            calls: AtomicUsize::new(0),
        })
    }

    fn reply(&self, query: &[u8]) -> Result<Vec<u8>, String> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        let q = self.dir.join(format!("req-{n}.tsq"));
        let r = self.dir.join(format!("resp-{n}.tsr"));
        std::fs::write(&q, query).map_err(|e| format!("write {}: {e}", q.display()))?;
        let mut cmd = Command::new("openssl");
        cmd.arg("ts")
            .arg("-reply")
            .arg("-config")
            .arg(&self.config)
            .arg("-queryfile")
            .arg(&q)
            .arg("-signer")
            .arg(self.pki.join("tsa.pem"))
            .arg("-inkey")
            .arg(self.pki.join("tsa.key"))
            .arg("-chain")
            .arg(self.pki.join("intermediate.pem"))
            .arg("-out")
            .arg(&r);
        let out = super::run_with_timeout(&mut cmd, OPENSSL_TIMEOUT)
            .map_err(|e| format!("cannot run openssl: {e}"))?;
        if out.code() != Some(0) {
            return Err(format!(
                "openssl ts -reply: {}: {}",
                out.describe_end(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        std::fs::read(&r).map_err(|e| format!("read {}: {e}", r.display()))
    }
}

impl Drop for OpenSslTsa {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
