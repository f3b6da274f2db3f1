"""Validate every signature of many PDFs with pyHanko against a trust root, in one process.

Usage: python3 pyhanko_validate.py ROOT.pem FILE.pdf...
Prints one JSON object per line: file, field, intact, valid, trusted, coverage,
modification_level, docmdp_ok, summary (pyHanko's own one-line judgement) or error.
"""
import json
import sys

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext


def main():
    root = load_cert_from_pemder(sys.argv[1])
    for path in sys.argv[2:]:
        try:
            with open(path, "rb") as f:
                reader = PdfFileReader(f)
                for sig in reader.embedded_signatures:
                    vc = ValidationContext(trust_roots=[root], allow_fetching=False,
                                           revocation_mode="soft-fail")
                    try:
                        if sig.sig_object_type == "/DocTimeStamp":
                            st = validate_pdf_timestamp(sig, validation_context=vc)
                        else:
                            st = validate_pdf_signature(sig, signer_validation_context=vc)
                        out = {
                            "file": path,
                            "field": sig.field_name,
                            "intact": bool(st.intact),
                            "valid": bool(st.valid),
                            "trusted": bool(st.trusted),
                            "coverage": str(getattr(st, "coverage", "")),
                            "modification_level": str(getattr(st, "modification_level", "")),
                            "docmdp_ok": getattr(st, "docmdp_ok", None),
                            "summary": st.summary(),
                        }
                    except Exception as e:  # noqa: BLE001 - report, never crash the batch
                        out = {"file": path, "field": sig.field_name, "error": repr(e)}
                    print(json.dumps(out), flush=True)
        except Exception as e:  # noqa: BLE001
            print(json.dumps({"file": path, "error": repr(e)}), flush=True)


if __name__ == "__main__":
    main()
