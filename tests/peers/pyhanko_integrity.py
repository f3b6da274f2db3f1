#!/usr/bin/env python3
"""Integrity oracle for tests/cross_check.rs, built on pyHanko's Python API.

Usage: pyhanko_integrity.py FILE...

Prints one JSON object per input file, one per line, in input order:

    {"file": ..., "signatures": [{"field": ..., "doc_timestamp": bool,
      "intact": bool|null, "valid": bool|null, "coverage": str|null,
      "modification_level": str|null, "error": str|null}], "error": str|null}

- `intact`: the digest over the ByteRange matches the CMS message digest.
- `valid`: the signature value verifies over the signed attributes (pure
  cryptography; trust is not checked: no trust roots, no fetching).
- `error` on a signature: pyHanko could not evaluate that signature (unparsable
  CMS, unsupported algorithm, ...); `intact`/`valid` are then null.
- `error` on the file: pyHanko rejected the whole file; `signatures` is then
  whatever could be listed before the failure (usually empty).

The script starts pyHanko once for the whole file set (startup ~0.6 s) and never
exits non-zero because of a bad input file; exit 2 only on usage errors.
Written against pyHanko 0.38.0 / pyhanko-certvalidator 0.33.0.
"""

import json
import logging
import sys


def describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(exc).__name__}: {first}"[:300]


def enum_name(value):
    if value is None:
        return None
    return getattr(value, "name", str(value))


def check_file(path, vc_factory):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields
    from pyhanko.sign.validation import (
        validate_pdf_signature,
        validate_pdf_timestamp,
    )
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    def validate(emb, is_doc_timestamp, skip_diff):
        if is_doc_timestamp:
            return validate_pdf_timestamp(
                emb, validation_context=vc_factory(), skip_diff=skip_diff
            )
        return validate_pdf_signature(
            emb,
            signer_validation_context=vc_factory(),
            ts_validation_context=vc_factory(),
            skip_diff=skip_diff,
        )

    out = {"file": path, "signatures": [], "error": None}
    try:
        fh = open(path, "rb")
    except OSError as e:
        out["error"] = describe(e)
        return out
    with fh:
        try:
            reader = PdfFileReader(fh, strict=False)
            if reader.encrypted:
                # Files like DSS encrypted.pdf use the empty user password.
                reader.decrypt(b"")
            fields = list(enumerate_sig_fields(reader, filled_status=True))
        except Exception as e:  # pyHanko rejected the file
            out["error"] = describe(e)
            return out
        for fq_name, sig_obj, sig_field in fields:
            entry = {
                "field": fq_name,
                "doc_timestamp": False,
                "intact": None,
                "valid": None,
                "coverage": None,
                "modification_level": None,
                "error": None,
            }
            out["signatures"].append(entry)
            try:
                entry["doc_timestamp"] = (
                    sig_obj.get_object().get("/Type") == "/DocTimeStamp"
                )
                emb = EmbeddedPdfSignature(reader, sig_field, fq_name)
                entry["doc_timestamp"] = emb.sig_object_type == "/DocTimeStamp"
                try:
                    status = validate(emb, entry["doc_timestamp"], False)
                except Exception as e:
                    # pyHanko's diff analysis crashes on some files (KeyError on
                    # a dangling reference, ...). Integrity does not depend on
                    # it, so retry without it and say why in the level.
                    status = validate(emb, entry["doc_timestamp"], True)
                    entry["modification_level"] = "DIFF_ERROR: " + describe(e)
                entry["intact"] = bool(status.intact)
                entry["valid"] = bool(status.valid)
                entry["coverage"] = enum_name(status.coverage)
                diff = status.diff_result
                if diff is not None:
                    level = getattr(diff, "modification_level", None)
                    if level is None:
                        # SuspiciousModification: diff analysis refused an update.
                        level = "SUSPICIOUS: " + describe(diff)[:120]
                    entry["modification_level"] = enum_name(level)
            except Exception as e:
                entry["error"] = describe(e)
    return out


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__, file=sys.stderr)
        return 2
    # pyHanko logs warnings for every odd file; the JSON on stdout is the result.
    logging.disable(logging.CRITICAL)
    from pyhanko_certvalidator import ValidationContext

    def vc_factory():
        # No trust roots that could match, no network: only integrity matters.
        return ValidationContext(trust_roots=[], allow_fetching=False)

    for path in argv[1:]:
        try:
            result = check_file(path, vc_factory)
        except Exception as e:  # belt and braces: never lose a line
            result = {"file": path, "signatures": [], "error": describe(e)}
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
