"""Writing files so that they are either complete or untouched."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from accord.errors import AccordError

__all__ = ["atomic_path", "write_atomically"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: Path, suffix: str = "") -> Iterator[Path]:
    """A temporary path beside ``path``; on success it replaces ``path``, on failure it goes.

    The file gets the ordinary permissions for a new file (not a temporary file's 0600).
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise AccordError(f"{path}: the folder {folder} does not exist; create it first")
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=folder)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (UTF-8) so that it is either complete or untouched."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="")
