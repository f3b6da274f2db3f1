#!/usr/bin/env bash
# Times signature verification with vnedoc (library in-process and CLI), pdfsig (poppler),
# openssl cms and pyHanko on the same generated files, in the same run, one document at a time
# on one core (taskset -c 0), and prints a Markdown table of the median ms per document.
#
#   bash benches/compare.sh [OUT_DIR]
#
# OUT_DIR (default ${TMPDIR:-/tmp}/vnedoc-compare) receives the inputs of
# `cargo run --release --example bench_inputs`, the extracted CMS blobs and an NSS database.
# Environment knobs: SIZES (20KB,1MB,20MB), ALGS (rsa2048,rsa3072,p256), RUNS (runs for files
# under 10 MB, default 20), RUNS_LARGE (for larger files, default 10). CARGO_TARGET_DIR is
# respected.
#
# What each column measures, per document:
#   vnedoc (lib)  `bench_inputs --time`: one Verifier reused, read the file + verify (warm).
#   vnedoc (CLI)  `vnedoc verify --trust root.pem FILE`, process start included.
#   pdfsig        `pdfsig -nssdir DB FILE` with the test root trusted in DB, process start
#                 included; a run counts only if the output says "Signature is Valid",
#                 "Certificate is Trusted" and "Total document signed" (pdfsig exits 0 even on
#                 a digest mismatch).
#   openssl cms   `openssl cms -verify -binary -inform DER -content ranges.bin -CAfile root.pem`,
#                 process start included, on the CMS taken out of /Contents and the /ByteRange
#                 ranges written to a file beforehand (that extraction is not timed: no PDF
#                 parsing at all, a floor for a CLI tool).
#   pyHanko       in-process: open the file, PdfFileReader, validate_pdf_signature with one
#                 ValidationContext trusting root.pem (interpreter start and imports excluded).
# The external commands are spawned from Python (subprocess.run); the cost of spawning
# /bin/true that way is printed as a baseline.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=${1:-${TMPDIR:-/tmp}/vnedoc-compare}
SIZES=${SIZES:-20KB,1MB,20MB}
ALGS=${ALGS:-rsa2048,rsa3072,p256}
RUNS=${RUNS:-20}
RUNS_LARGE=${RUNS_LARGE:-10}

log() { printf '%s\n' "$*" >&2; }

# --- Peers: installed only when missing ------------------------------------------------------
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get install -y -qq "$@" >/dev/null 2>&1 ||
        { as_root apt-get update -qq >/dev/null && as_root apt-get install -y -qq "$@" >/dev/null; }
}
missing=()
command -v pdfsig >/dev/null 2>&1 || missing+=(poppler-utils)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v certutil >/dev/null 2>&1 || missing+=(libnss3-tools) # pdfsig's trust store
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt_install "${missing[@]}"
fi
if ! python3 -c 'import pyhanko, pyhanko_certvalidator' >/dev/null 2>&1; then
    log "installing pyhanko"
    python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip
    python3 -m pip install -q pyhanko pyhanko-cli 2>/dev/null ||
        python3 -m pip install -q --break-system-packages pyhanko pyhanko-cli
fi

# --- vnedoc and the inputs -------------------------------------------------------------------
log "building vnedoc and examples/bench_inputs (release)"
cargo build --release --quiet --bin vnedoc --example bench_inputs
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
VNEDOC=$TARGET_DIR/release/vnedoc
BENCH_INPUTS=$TARGET_DIR/release/examples/bench_inputs

log "generating inputs in $OUT"
mkdir -p "$OUT"
if ! "$BENCH_INPUTS" "$OUT" --sizes "$SIZES" --algs "$ALGS" >"$OUT/generate.log" 2>&1; then
    cat "$OUT/generate.log" >&2
    exit 1
fi
ROOT=$OUT/root.pem

# pdfsig reads its trust anchors from an NSS database: the test root, trusted for signing.
NSSDB=$OUT/nssdb
rm -rf "$NSSDB" && mkdir -p "$NSSDB"
certutil -N -d "sql:$NSSDB" --empty-password
certutil -A -d "sql:$NSSDB" -n vnedoc-test-root -t "CT,C,C" -i "$ROOT"

PIN=()
if command -v taskset >/dev/null 2>&1; then
    PIN=(taskset -c 0)
else
    log "taskset not found: timings are not pinned to one core"
fi

# --- Timing (and the extraction for openssl, untimed) ---------------------------------------
"${PIN[@]}" python3 - "$OUT" "$VNEDOC" "$BENCH_INPUTS" "$NSSDB" "$SIZES" "$ALGS" \
    "$RUNS" "$RUNS_LARGE" "${PIN[*]:-none}" <<'PY'
import os, platform, re, shutil, statistics, subprocess, sys, time
from importlib import metadata

out, vnedoc, bench_inputs, nssdb, sizes, algs, runs, runs_large, pin = sys.argv[1:10]
runs, runs_large = int(runs), int(runs_large)
root = os.path.join(out, "root.pem")
cms_dir = os.path.join(out, "cms")
os.makedirs(cms_dir, exist_ok=True)

# Imports of pyHanko before any timing.
from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

def extract(pdf, sig_out, data_out):
    """The CMS of the last signature (zero padding trimmed) and its signed byte ranges."""
    data = open(pdf, "rb").read()
    m = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data))[-1]
    a, b, c, d = map(int, m.groups())
    der = bytes.fromhex(data[a + b:c].strip(b"<> \r\n\t").decode())
    n = der[1]
    total = 2 + n if n < 0x80 else 2 + (n & 0x7F) + int.from_bytes(der[2:2 + (n & 0x7F)], "big")
    with open(sig_out, "wb") as f:
        f.write(der[:total])
    with open(data_out, "wb") as f:
        f.write(data[a:a + b])
        f.write(data[c:c + d])

def ms(t):
    return t * 1e3

def run(argv):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

def time_cmd(argv, ok, n):
    """Median ms of `argv` over n runs after a warm-up; every run must pass `ok`."""
    r = run(argv)
    if not ok(r):
        raise SystemExit(f"not accepted: {' '.join(argv)}\n{r.stdout.decode()}{r.stderr.decode()}")
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        r = run(argv)
        ts.append(time.perf_counter() - t)
        if not ok(r):
            raise SystemExit(f"not accepted: {' '.join(argv)}\n{r.stdout.decode()}{r.stderr.decode()}")
    return ms(statistics.median(ts))

def vnedoc_ok(r):
    return r.returncode == 0 and b"TOTAL_PASSED" in r.stdout

def pdfsig_ok(r):
    o = r.stdout
    return (r.returncode == 0 and b"Signature is Valid" in o and b"Certificate is Trusted" in o
            and b"Total document signed" in o)

def openssl_ok(r):
    return r.returncode == 0 and b"Verification successful" in r.stderr

_, _, der = pem.unarmor(open(root, "rb").read())
vc = ValidationContext(trust_roots=[x509.Certificate.load(der)], allow_fetching=False,
                       revocation_mode="soft-fail")

def pyhanko_once(path):
    with open(path, "rb") as f:
        sigs = PdfFileReader(f).embedded_signatures
        st = validate_pdf_signature(sigs[-1], vc)
        return bool(st.bottom_line and getattr(st.coverage, "name", "") == "ENTIRE_FILE")

def time_pyhanko(path, n):
    if not pyhanko_once(path):
        raise SystemExit(f"pyHanko does not accept {path}")
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        good = pyhanko_once(path)
        ts.append(time.perf_counter() - t)
        if not good:
            raise SystemExit(f"pyHanko does not accept {path}")
    return ms(statistics.median(ts))

def lib_time(path, n):
    r = run([bench_inputs, "--time", path, "--runs", str(n), "--trust", root])
    if r.returncode != 0:
        raise SystemExit(f"vnedoc (lib) does not accept {path}\n{r.stderr.decode()}")
    return float(re.search(rb"median_ms ([0-9.]+)", r.stdout).group(1))

def commands(path, stem):
    sig, ranges = os.path.join(cms_dir, stem + ".p7s"), os.path.join(cms_dir, stem + ".ranges.bin")
    extract(path, sig, ranges)
    return (
        [vnedoc, "verify", "--trust", root, path],
        ["pdfsig", "-nssdir", "sql:" + nssdb, path],
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sig,
         "-content", ranges, "-CAfile", root, "-out", os.devnull],
    )

# Negative control: every check above must reject a signed file with one byte changed.
first = os.path.join(out, f"{sizes.split(',')[0]}-{algs.split(',')[0]}.pdf")
tampered = os.path.join(cms_dir, "tampered.pdf")
data = bytearray(open(first, "rb").read())
data[len(data) // 4] ^= 0x01  # inside the image stream, in the first signed range
open(tampered, "wb").write(data)
cli, sig, ossl = commands(tampered, "tampered")
for name, accepted in [("vnedoc (CLI)", vnedoc_ok(run(cli))), ("pdfsig", pdfsig_ok(run(sig))),
                       ("openssl cms", openssl_ok(run(ossl))),
                       ("pyHanko", pyhanko_once(tampered)),
                       ("vnedoc (lib)", run([bench_inputs, "--time", tampered, "--runs", "1",
                                             "--trust", root]).returncode == 0)]:
    if accepted:
        raise SystemExit(f"{name} accepts a tampered file: its check is broken")
print("negative control: every tool rejects a file with one byte changed", file=sys.stderr)

spawn = time_cmd(["/bin/true"], lambda r: r.returncode == 0, 50)

rows = []
for size in sizes.split(","):
    for alg in algs.split(","):
        stem = f"{size}-{alg}"
        path = os.path.join(out, stem + ".pdf")
        n = runs_large if os.path.getsize(path) >= 10 << 20 else runs
        cli, sig, ossl = commands(path, stem)
        r = {
            "doc": f"{size} {alg}",
            "bytes": os.path.getsize(path),
            "n": n,
            "lib": lib_time(path, n),
            "cli": time_cmd(cli, vnedoc_ok, n),
            "pdfsig": time_cmd(sig, pdfsig_ok, n),
            "openssl": time_cmd(ossl, openssl_ok, n),
            "pyhanko": time_pyhanko(path, n),
        }
        rows.append(r)
        print(f"  timed {stem} ({n} runs)", file=sys.stderr)

def f(x):
    return f"{x:.3f}" if x < 1 else f"{x:.2f}" if x < 100 else f"{x:.1f}"

def version(argv, pattern=rb"(.+)"):
    try:
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return re.search(pattern, r.stdout).group(1).decode().strip()
    except Exception:
        return "?"

cpu = "?"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip()
        break

print()
print("## Verification, median ms per document (one document at a time, one core)")
print()
print("| document | vnedoc (lib) | vnedoc (CLI) | pdfsig | openssl cms | pyHanko | pdfsig / vnedoc | pyHanko / vnedoc |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    print(f"| {r['doc']} ({r['bytes'] / 1e6:.2f} MB, {r['n']} runs) | {f(r['lib'])} | {f(r['cli'])} "
          f"| {f(r['pdfsig'])} | {f(r['openssl'])} | {f(r['pyhanko'])} "
          f"| {r['pdfsig'] / r['cli']:.1f}× | {r['pyhanko'] / r['lib']:.1f}× |")
print()
print("- pdfsig / vnedoc: both command lines, process start included (pdfsig ÷ vnedoc CLI).")
print("- pyHanko / vnedoc: both in-process (pyHanko ÷ vnedoc lib).")
print("- openssl cms: CMS verification of pre-extracted /Contents and /ByteRange data, no PDF "
      "parsing (process start included).")
print(f"- Spawning /bin/true from the harness: {f(spawn)} ms (included in every CLI column).")
print()
print("Machine:")
print(f"- nproc {os.cpu_count()} ({len(os.sched_getaffinity(0))} in use, pinned: {pin}), "
      f"CPU: {cpu}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
print(f"- {platform.system()} {platform.release()}, {version(['sh', '-c', '. /etc/os-release; echo $PRETTY_NAME'])}")
print(f"- {version([vnedoc, '--version'])} ({version(['rustc', '--version'])})")
pdfsig_version = version(["pdfsig", "-v"], rb"(pdfsig version [^\n]+)")
print(f"- {pdfsig_version}")
print(f"- {version(['openssl', 'version'])}")
print(f"- Python {platform.python_version()}, pyHanko {metadata.version('pyhanko')}, "
      f"pyhanko-certvalidator {metadata.version('pyhanko-certvalidator')}")
PY
