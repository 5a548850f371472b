import gzip
import shutil
from pathlib import Path

import pytest

from cep.referentials.rome import DEFAULT_RELEASE_DIR


@pytest.fixture
def release_copy(tmp_path) -> Path:
    """A writable copy of the shipped release (still gzip-compressed)."""
    folder = tmp_path / "v460"
    folder.mkdir()
    for path in DEFAULT_RELEASE_DIR.glob("*.csv.gz"):
        shutil.copy(path, folder / path.name)
    return folder


def unpack(folder: Path, name: str) -> Path:
    """Replace unix_<name>_v460_utf8.csv.gz by its plain .csv (the importer reads both)."""
    packed = folder / f"unix_{name}_v460_utf8.csv.gz"
    plain = folder / f"unix_{name}_v460_utf8.csv"
    with gzip.open(packed, "rb") as source:
        plain.write_bytes(source.read())
    packed.unlink()
    return plain
