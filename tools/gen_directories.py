#!/usr/bin/env python3
"""Generate the two sample agency directories embedded in `vnedoc::exchange::directory`.

    python3 tools/gen_directories.py [SHARED_DATA_DIR] [OUT_DIR]

Defaults: SHARED_DATA_DIR = ../shared/data (relative to the repository root),
OUT_DIR = data/. Inputs (GSO administrative divisions, see ../shared/REFERENCE.md §1, §3):

    divisions-2019.csv  province_code,province_name,level1_code,district_code,district_name,
                        commune_code,commune_name
    divisions-2025.csv  province_code,province_name,level1_code,commune_code,commune_name,
                        commune_type
    level1-codes.csv    code,name,group

Outputs, with the header `id,name,level,parent,hub,valid_from,valid_to`, LF line endings,
UTF-8 without BOM, rows in hierarchical order (central first, then each province followed by
its districts and communes in GSO order):

    data/directory-2019.csv  central + 63 provinces + 696 districts + 10,051 communes
    data/directory-2025.csv  central + 34 provinces + 3,321 communes

Identifiers are SYNTHETIC (REFERENCE.md §3: there is no official formula from GSO codes):
province = its level-1 code (H26), district = H26.<GSO district code> (H26.001),
commune = <district id>.<GSO commune code> (H26.001.00001) in 2019 and
H26.<GSO commune code> (H26.00070) in 2025, ministry = its G code (G06).
Hubs: every local unit carries its province's LGSP (`LGSP-H26`); central agencies carry the
national axis (`VDXP`). Validity dates are left empty: each file is a snapshot.

The central list is the post-2025 G list of level1-codes.csv and is used for BOTH years (the
2019 directory therefore shows today's ministries, an accepted anachronism of the sample).

Only the Python 3 standard library is used (written against Python 3.11). The script is
deterministic: running it twice gives byte-identical files.
"""

import csv
import io
import os
import sys

HEADER = ["id", "name", "level", "parent", "hub", "valid_from", "valid_to"]
NATIONAL_AXIS = "VDXP"

# Counts REFERENCE.md §1 states for the GSO data; the script refuses to write
# anything else.
EXPECTED = {
    "2019": {"central": 17, "province": 63, "district": 696, "commune": 10051},
    "2025": {"central": 17, "province": 34, "commune": 3321},
}


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def hub_of(level1):
    return f"LGSP-{level1}"


def central_rows(level1_rows):
    return [
        [r["code"], r["name"], "central", "", NATIONAL_AXIS, "", ""]
        for r in level1_rows
        if r["group"] == "central"
    ]


def directory_2019(divisions, level1_rows):
    rows = central_rows(level1_rows)
    seen_provinces, seen_districts = set(), set()
    for r in divisions:
        p = r["level1_code"]
        hub = hub_of(p)
        if p not in seen_provinces:
            seen_provinces.add(p)
            rows.append([p, r["province_name"], "province", "", hub, "", ""])
        d = f"{p}.{r['district_code']}"
        if d not in seen_districts:
            seen_districts.add(d)
            rows.append([d, r["district_name"], "district", p, hub, "", ""])
        # Island districts without communes (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo)
        # have a row with empty commune fields: no commune row for them.
        if r["commune_code"]:
            rows.append([f"{d}.{r['commune_code']}", r["commune_name"], "commune", d, hub, "", ""])
    return rows


def directory_2025(divisions, level1_rows):
    rows = central_rows(level1_rows)
    seen_provinces = set()
    for r in divisions:
        p = r["level1_code"]
        hub = hub_of(p)
        if p not in seen_provinces:
            seen_provinces.add(p)
            rows.append([p, r["province_name"], "province", "", hub, "", ""])
        rows.append([f"{p}.{r['commune_code']}", r["commune_name"], "commune", p, hub, "", ""])
    return rows


def check(year, rows):
    counts = {}
    ids = set()
    for row in rows:
        counts[row[2]] = counts.get(row[2], 0) + 1
        if row[0] in ids:
            sys.exit(f"{year}: duplicate id {row[0]}")
        ids.add(row[0])
    if counts != EXPECTED[year]:
        sys.exit(f"{year}: counts {counts} differ from {EXPECTED[year]}")


def write(path, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    w.writerows(rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "data")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "data")
    level1_rows = read_csv(os.path.join(src, "level1-codes.csv"))
    d2019 = directory_2019(read_csv(os.path.join(src, "divisions-2019.csv")), level1_rows)
    d2025 = directory_2025(read_csv(os.path.join(src, "divisions-2025.csv")), level1_rows)
    check("2019", d2019)
    check("2025", d2025)
    os.makedirs(out, exist_ok=True)
    write(os.path.join(out, "directory-2019.csv"), d2019)
    write(os.path.join(out, "directory-2025.csv"), d2025)
    print(f"directory-2019.csv: {len(d2019)} agencies; directory-2025.csv: {len(d2025)} agencies")


if __name__ == "__main__":
    main()
