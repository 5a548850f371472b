"""Refresh deploy/advisories/pypi.json from a checkout of the PyPA advisory database
(https://github.com/pypa/advisory-database, CC-BY 4.0): the advisories of the packages the
lock file pins, with what the check needs (id, aliases, summary, affected ranges and versions).

    python scripts/refresh_advisories.py /path/to/advisory-database

The path is a clone, with or without a work tree (a bare one is read through `git archive`).
"""

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from audit_dependencies import LOCK, SNAPSHOT, normalise, pinned


def git(checkout: Path, *args: str, **kwargs):
    return subprocess.run(["git", "-C", str(checkout), *args], check=True, **kwargs)


def main(checkout: Path) -> None:
    if (checkout / "vulns").is_dir():
        read(checkout, checkout / "vulns")
        return
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "vulns.tar"
        with archive.open("wb") as out:
            git(checkout, "archive", "HEAD", "vulns", stdout=out)
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        read(checkout, Path(tmp) / "vulns")


def read(checkout: Path, vulns: Path) -> None:
    wanted = {normalise(name) for name in pinned(LOCK)}
    advisories = []
    for folder in sorted(vulns.iterdir()):
        if normalise(folder.name) not in wanted:
            continue
        for path in sorted(folder.glob("*.yaml")):
            data = yaml.safe_load(path.read_text())
            if data.get("withdrawn"):
                continue
            advisories.append(
                {
                    "id": data["id"],
                    "aliases": data.get("aliases", []),
                    "summary": (data.get("summary") or data.get("details", ""))[:200],
                    "affected": [
                        {
                            "package": normalise(item["package"]["name"]),
                            "ranges": [
                                r for r in item.get("ranges", []) if r["type"] == "ECOSYSTEM"
                            ],
                            "versions": item.get("versions", []),
                        }
                        for item in data.get("affected", [])
                    ],
                }
            )
    commit, date = git(
        checkout, "log", "-1", "--format=%H %cs", capture_output=True, text=True
    ).stdout.split()
    SNAPSHOT.write_text(
        json.dumps(
            {
                "source": "https://github.com/pypa/advisory-database (CC-BY 4.0)",
                "commit": commit,
                "date": date,
                "advisories": advisories,
            },
            ensure_ascii=False,
            indent=1,
        )
        + "\n"
    )
    print(f"{len(advisories)} advisories of {len(wanted)} pinned packages, as of {date}.")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
