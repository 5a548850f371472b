"""Known vulnerabilities in the pinned dependencies: every version of requirements.lock checked
against the PyPA advisory database (the data pip-audit reads), kept in the repository as
deploy/advisories/pypi.json so that the check runs without network.

Exit status 1, with the advisories named, when a pinned version is affected. The snapshot's date
is printed: refresh it with scripts/refresh_advisories.py from a newer checkout, or run
`pip-audit -r requirements.lock` where PyPI's vulnerability API is reachable.
"""

import json
import re
import sys
from pathlib import Path

from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
SNAPSHOT = ROOT / "deploy" / "advisories" / "pypi.json"


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(lock: Path) -> dict[str, str]:
    versions = {}
    for line in lock.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            versions[normalise(name.split("[", 1)[0])] = version.split(";", 1)[0].strip()
    return versions


def in_range(version: Version, events: list[dict]) -> bool:
    """OSV's ECOSYSTEM range: events sorted by version; affected from an `introduced` up to the
    next `fixed` (excluded) or `last_affected` (included)."""

    def at(event: dict) -> Version:
        value = next(iter(event.values()))
        return Version("0") if value == "0" else Version(value)

    affected = False
    for event in sorted(events, key=at):
        kind = next(iter(event))
        if kind == "introduced" and version >= at(event):
            affected = True
        else:
            # A fix ends the range at its version; a last affected version just after it.
            ended = version >= at(event) if kind == "fixed" else version > at(event)
            if kind in {"fixed", "last_affected"} and ended:
                affected = False
    return affected


def is_affected(package: str, version: str, affected: dict) -> bool:
    if affected["package"] != package:
        return False
    if version in affected["versions"]:
        return True
    try:
        parsed = Version(version)
    except InvalidVersion:
        return False
    return any(in_range(parsed, r["events"]) for r in affected["ranges"])


def findings(pins: dict[str, str], advisories: list[dict]) -> list[tuple[str, str, dict]]:
    found = []
    for advisory in advisories:
        for affected in advisory["affected"]:
            package = affected["package"]
            if package in pins and is_affected(package, pins[package], affected):
                found.append((package, pins[package], advisory))
                break
    return found


def main() -> int:
    snapshot = json.loads(SNAPSHOT.read_text())
    pins = pinned(LOCK)
    found = findings(pins, snapshot["advisories"])
    for package, version, advisory in found:
        names = ", ".join([advisory["id"], *advisory["aliases"]])
        print(f"{package}=={version}: {names} — {advisory['summary']}")
    print(
        f"{len(pins)} pinned packages checked against {len(snapshot['advisories'])} advisories "
        f"of the PyPA database as of {snapshot['date']}: {len(found)} affected."
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
