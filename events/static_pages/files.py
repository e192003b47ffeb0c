"""Writing baked files so a reader (nginx or a worker) never sees half of one."""

import contextlib
import gzip
import hashlib
import os
import tempfile
from pathlib import Path

try:  # brotli is optional: without it only the gzip variant is written
    import brotli
except ImportError:  # pragma: no cover - depends on the environment
    brotli = None


def etag(data: bytes) -> str:
    """The ETag of a baked file: its content hash, so equal bytes keep an equal tag."""
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def _variants(data: bytes) -> dict[str, bytes]:
    """Precompressed copies next to the file (nginx gzip_static / brotli_static read them)."""
    found = {".gz": gzip.compress(data, compresslevel=9, mtime=0)}
    if brotli is not None:
        found[".br"] = brotli.compress(data)
    return found


def _replace(target: Path, data: bytes) -> None:
    """Write to a temporary file in the same directory, then rename it over the target."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)  # nginx runs as another user
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def write(target: Path, data: bytes) -> bool:
    """Write the file and its variants unless it already holds these bytes; True if written."""
    with contextlib.suppress(FileNotFoundError):
        if target.read_bytes() == data:
            return False
    target.parent.mkdir(parents=True, exist_ok=True)
    # The variants first: until the file itself is replaced both copies are valid versions.
    for suffix, compressed in _variants(data).items():
        _replace(target.with_name(target.name + suffix), compressed)
    _replace(target, data)
    return True


def remove(target: Path) -> bool:
    """Delete the file and its variants; True if the file was there."""
    existed = False
    for name in (target.name, target.name + ".gz", target.name + ".br"):
        with contextlib.suppress(FileNotFoundError):
            (target.with_name(name)).unlink()
            existed = existed or name == target.name
    return existed
