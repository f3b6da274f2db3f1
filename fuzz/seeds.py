#!/usr/bin/env python3
"""Builds the initial fuzzing corpora (fuzz/corpus/<target>/) from the repository's fixtures
and the shared PDF corpus. Standard library only.

    python3 fuzz/seeds.py [--shared ../shared/corpus] [--out fuzz/seeds]

By default it writes into fuzz/seeds/<target>/ (not committed); merge the seeds into the
committed corpora with `cargo +nightly fuzz cmin` (see fuzz/README.md). Files larger than
--max-size (200 KB) are skipped.
"""

import argparse
import base64
import csv
import io
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ["pdf_verify", "cms_verify", "cert_path", "edxml_parse", "directory_load", "sign_roundtrip"]

PEM_RE = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.S)
# A signature dictionary's /Contents is a hex string; page /Contents are references or arrays.
CONTENTS_RE = re.compile(rb"/Contents\s*<([0-9A-Fa-f\s]+)>")


def pem_blocks(data, label=None):
    out = []
    for m in PEM_RE.finditer(data):
        if label is None or m.group(1).decode() == label:
            out.append(base64.b64decode(b"".join(m.group(2).split())))
    return out


def cms_blobs(pdf):
    """The hex-decoded /Contents of every signature dictionary, trailing zero padding cut to
    16 bytes (the parsers must still see some padding)."""
    out = []
    for m in CONTENTS_RE.finditer(pdf):
        hexdigits = b"".join(m.group(1).split())
        if len(hexdigits) % 2:
            hexdigits += b"0"
        try:
            blob = bytes.fromhex(hexdigits.decode())
        except ValueError:
            continue
        stripped = blob.rstrip(b"\0")
        if not stripped:
            continue
        out.append(stripped + b"\0" * min(16, len(blob) - len(stripped)))
    return out


def directory_subset(text, rows):
    """The header and the first `rows` records whose parent is already kept (so it loads)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    pi = header.index("parent")
    ii = header.index("id")
    kept, ids = [header], set()
    for rec in reader:
        if len(kept) > rows:
            break
        if rec[pi] and rec[pi] not in ids:
            continue
        kept.append(rec)
        ids.add(rec[ii])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(kept)
    return buf.getvalue(), header, kept[1:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--out", default=str(ROOT / "fuzz" / "seeds"))
    ap.add_argument("--max-size", type=int, default=200_000)
    args = ap.parse_args()
    out = Path(args.out)
    counts = {}

    def put(target, name, data):
        if len(data) > args.max_size or not data:
            return
        d = out / target
        d.mkdir(parents=True, exist_ok=True)
        (d / name).write_bytes(data)
        counts[target] = counts.get(target, 0) + 1

    # PDFs: the fixtures, the defect fixtures and the shared corpus.
    pdfs = []
    for sub in ["fixtures/pdf", "fixtures/defects", "fixtures/lenient"]:
        for p in sorted((ROOT / sub).glob("*.pdf")):
            pdfs.append((sub.replace("/", "-") + "-" + p.name, p))
    shared = Path(args.shared)
    if shared.is_dir():
        for p in sorted(shared.rglob("*.pdf")):
            rel = p.relative_to(shared)
            pdfs.append(("shared-" + "-".join(rel.parts), p))
    else:
        print(f"note: {shared} not found, shared corpus skipped", file=sys.stderr)
    for name, p in pdfs:
        data = p.read_bytes()
        if len(data) > args.max_size:
            continue
        put("pdf_verify", name, data)
        put("sign_roundtrip", name, data)
        for i, blob in enumerate(cms_blobs(data)):
            put("cms_verify", f"{name}-contents{i}.der", blob)

    # Certificates, CRLs and OCSP responses.
    pki = {}
    for sub in ["fixtures/pki", "fixtures/pki-unit"]:
        for p in sorted((ROOT / sub).iterdir()):
            if p.suffix == ".pem":
                blocks = pem_blocks(p.read_bytes())
                if blocks:
                    pki[f"{p.parent.name}/{p.stem}"] = blocks[0]
                    put("cert_path", f"{p.parent.name}-{p.name}", p.read_bytes())
            elif p.suffix == ".der":
                pki[f"{p.parent.name}/{p.stem}"] = p.read_bytes()
    for k, der in pki.items():
        put("cert_path", k.replace("/", "-") + ".der", der)
    chains = [
        # leaf, extra…, anchor (the harness takes the last element as the anchor).
        *[[f"pki/{leaf}", "pki/intermediate", "pki/root"] for leaf in [
            "leaf-p256", "leaf-p384", "leaf-p521", "leaf-rsa2048", "leaf-rsa3072", "leaf-rsa1024",
            "leaf-ed25519", "leaf-expired", "leaf-noku", "leaf-nonrep", "leaf-other"]],
        ["pki/leaf-revoked", "pki/intermediate", "pki/intermediate.crl", "pki/root"],
        ["pki/leaf-p256", "pki/intermediate", "pki/other-root"],
        ["pki/tsa", "pki/intermediate", "pki/root"],
        ["pki-unit/leaf-rsa", "pki-unit/int-rsa", "pki-unit/leaf-rsa.ocsp", "pki-unit/root-rsa"],
        ["pki-unit/leaf-revoked", "pki-unit/int-rsa", "pki-unit/int-rsa.crl",
         "pki-unit/leaf-revoked.ocsp", "pki-unit/root-rsa"],
        ["pki-unit/leaf-ec", "pki-unit/int-ec", "pki-unit/root-ec"],
        ["pki-unit/leaf-bp", "pki-unit/root-bp"],
        ["pki-unit/leaf-pathlen", "pki-unit/subca-pathlen", "pki-unit/int-rsa", "pki-unit/root-rsa"],
        ["pki-unit/leaf-under-noca", "pki-unit/int-noca", "pki-unit/root-rsa"],
        ["pki-unit/leaf-critext", "pki-unit/int-rsa", "pki-unit/root-rsa"],
        ["pki-unit/leaf-sha1", "pki-unit/int-rsa", "pki-unit/root-rsa"],
        ["pki-unit/leaf-expired", "pki-unit/int-rsa", "pki-unit/root-rsa"],
        ["pki-unit/leaf-future", "pki-unit/int-rsa", "pki-unit/root-rsa"],
        ["pki-unit/leaf-keyenc", "pki-unit/int-rsa", "pki-unit/root-rsa"],
        ["pki-unit/leaf-nonrep", "pki-unit/int-rsa", "pki-unit/root-rsa"],
        ["pki-unit/leaf-rsa1024", "pki-unit/int-rsa", "pki-unit/root-rsa"],
        ["pki-unit/ocsp-rsa", "pki-unit/int-rsa", "pki-unit/root-rsa"],
    ]
    for chain in chains:
        if all(c in pki for c in chain):
            name = "chain-" + "+".join(c.replace("/", "-") for c in chain) + ".der"
            put("cert_path", name, b"".join(pki[c] for c in chain))
        else:
            print(f"note: chain {chain} incomplete", file=sys.stderr)

    # edXML envelopes.
    for sub in ["fixtures/edxml", "fixtures/edxml/defects"]:
        for p in sorted((ROOT / sub).glob("*.edxml")):
            put("edxml_parse", sub.replace("/", "-") + "-" + p.name, p.read_bytes())

    # Agency directories: the first ~200 lines as is, a loadable subset, and the subset as JSON.
    for p in sorted((ROOT / "data").glob("directory-*.csv")):
        text = p.read_text(encoding="utf-8")
        head = "".join(text.splitlines(keepends=True)[:200])
        put("directory_load", f"{p.stem}-head200.csv", head.encode())
        subset, header, rows = directory_subset(text, 150)
        put("directory_load", f"{p.stem}-subset.csv", subset.encode())
        agencies = []
        for rec in rows[:60]:
            a = {k: v for k, v in zip(header, rec) if v or k in ("id", "name", "level")}
            agencies.append(a)
        put("directory_load", f"{p.stem}-subset.json",
            json.dumps(agencies, ensure_ascii=False, indent=1).encode())
        put("directory_load", f"{p.stem}-subset-object.json",
            json.dumps({"agencies": agencies[:20]}, ensure_ascii=False).encode())

    for t in TARGETS:
        print(f"{t}: {counts.get(t, 0)} seeds")


if __name__ == "__main__":
    main()
