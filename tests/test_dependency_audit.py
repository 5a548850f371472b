"""The pinned dependencies against the PyPA advisory database (scripts/audit_dependencies.py)."""

import sys
from pathlib import Path

import pytest
from packaging.version import Version

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import audit_dependencies as audit


def test_an_ecosystem_range_runs_from_introduced_to_fixed():
    events = [{"introduced": "0"}, {"fixed": "1.1"}, {"introduced": "2.0"}, {"fixed": "2.0.3"}]
    assert audit.in_range(Version("1.0.4"), events)
    assert not audit.in_range(Version("1.1"), events)
    assert not audit.in_range(Version("1.9"), events)
    assert audit.in_range(Version("2.0.2"), events)
    assert not audit.in_range(Version("2.0.3"), events)


def test_last_affected_is_itself_affected():
    events = [{"introduced": "3.0"}, {"last_affected": "3.2"}]
    assert audit.in_range(Version("3.2"), events)
    assert not audit.in_range(Version("3.2.1"), events)
    assert not audit.in_range(Version("2.9"), events)


def test_an_old_django_is_found_in_the_snapshot():
    """Django 4.2.0 let a multiple-file upload bypass validation (CVE-2023-31047, fixed in
    4.2.1); 4.2.1 is not affected by it."""
    import json

    advisories = json.loads(audit.SNAPSHOT.read_text())["advisories"]

    def names(version):
        found = audit.findings({"django": version}, advisories)
        return {alias for _, _, advisory in found for alias in advisory["aliases"]}

    assert "CVE-2023-31047" in names("4.2.0")
    assert "CVE-2023-31047" not in names("4.2.1")


@pytest.mark.parametrize(
    ("line", "expected"),
    [("Django==5.2.19", ("django", "5.2.19")), ("zope.interface==7.0", ("zope-interface", "7.0"))],
)
def test_the_lock_file_lines_are_read(tmp_path, line, expected):
    lock = tmp_path / "requirements.lock"
    lock.write_text(f"# a comment\n{line}\n")
    assert audit.pinned(lock) == dict([expected])


def test_no_pinned_version_is_known_to_be_vulnerable(capsys):
    assert audit.main() == 0, capsys.readouterr().out
