"""Finding lines in the files a test wrote or edited, so expected line numbers are never hard-coded."""

from pathlib import Path


def line_containing(path: Path, text: str) -> int:
    """The 1-based number of the one line of ``path`` that contains ``text``."""
    numbers = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line]
    assert len(numbers) == 1, f"{path}: expected one line containing {text!r}, found lines {numbers}"
    return numbers[0]


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` (creating its folder) and return the path, for small input files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
