"""The customer-search index as one flat file, memory-mapped when read back (R4.8, issue 10: B10).

Building the index reads and normalises every account: seconds at a million
rows, and a peak of memory the dashboard cannot afford. So it is built once
and written here, and every later process maps the file instead: loading costs
a checksum pass and a few milliseconds, and only the pages a search touches
become resident (the arrays are views of the mapping, not copies).

Layout: ``MAGIC`` (8 bytes), the format number and the header's length
(two little-endian uint32), the header (JSON: what the index was built from,
its scalars, and each array's dtype, shape and offset), the header's CRC-32
(uint32), then the arrays, each at a 64-byte boundary, then ``TRAILER``. The
header records the body's length and CRC-32. A file that is short, long,
hand-edited or of another format fails one of those checks and is refused
with a reason (``IndexFileInvalid``), never half-used.

Written to a temporary file in the same directory, flushed to disk, then
renamed over the old one (``os.replace``): a reader sees the old file or the
new one, never a torn one, even if the writer is killed or two processes
write at once (the last rename wins; both files are whole). A process that
has the old file mapped keeps reading it: the rename does not touch it.
"""
from __future__ import annotations

import json
import mmap
import os
import struct
import tempfile
import zlib
from pathlib import Path

import numpy as np

from model.accounts.index import Index

MAGIC = b"COSELLIX"
TRAILER = b"IXEND\n\x00\x00"
#: Bump when the file layout or what ``IndexBuilder`` puts in an ``Index`` changes.
FORMAT = 1
_ALIGN = 64
_PREAMBLE = struct.Struct("<8sII")
_CRC = struct.Struct("<I")
_SCALARS = ("n_rows", "n_docs", "id_width")
_ARRAYS = ("id_ends", "tab", "city", "country", "group_rows", "group_ids", "alias_row", "cities", "doc_ptr",
           "fwd", "post_ptr", "post_docs", "idf", "word_len", "tri_ptr", "tri_words")
_MAX_HEADER = 1 << 20


class IndexFileInvalid(Exception):
    """The file cannot be used: missing, damaged, of another format, or built from other data."""


def _pad(n: int) -> int:
    return -n % _ALIGN


def _text_blob(items) -> np.ndarray:
    """Newline-separated UTF-8 (index words and trigrams never hold a newline)."""
    return np.frombuffer("\n".join(items).encode(), dtype=np.uint8)


def _parts(ix: Index) -> dict[str, np.ndarray]:
    parts = {name: np.ascontiguousarray(getattr(ix, name)) for name in _ARRAYS}
    parts["id_blob"] = np.frombuffer(bytes(ix.id_blob), dtype=np.uint8)
    parts["words"] = _text_blob(ix.words)
    parts["trigrams"] = _text_blob(ix.tri)  # in id order: a dict keeps insertion order
    return parts


def write_index(ix: Index, path: Path, key: dict, *, mode: int = 0o600) -> None:
    """Write ``ix`` with ``key`` (what it was built from) to ``path`` atomically, with ``mode``."""
    parts = _parts(ix)
    arrays, offset = [], 0
    for name, arr in parts.items():
        arrays.append([name, arr.dtype.str, list(arr.shape), offset])
        offset += arr.nbytes + _pad(arr.nbytes)
    body_crc = 0
    for arr in parts.values():
        body_crc = zlib.crc32(memoryview(arr).cast("B") if arr.nbytes and arr.flags.c_contiguous else arr.tobytes(),
                              body_crc)  # a view, not a copy of every array at a million names
        body_crc = zlib.crc32(b"\x00" * _pad(arr.nbytes), body_crc)
    header = json.dumps({
        "key": key, "scalars": {s: int(getattr(ix, s)) for s in _SCALARS}, "countries": list(ix.countries),
        "n_words": len(ix.words), "n_trigrams": len(ix.tri), "arrays": arrays,
        "body_len": offset, "body_crc": body_crc,
    }, sort_keys=True).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            head = _PREAMBLE.pack(MAGIC, FORMAT, len(header)) + header + _CRC.pack(zlib.crc32(header))
            fh.write(head + b"\x00" * _pad(len(head)))
            for arr in parts.values():
                fh.write(memoryview(arr).cast("B") if arr.nbytes else b"")
                fh.write(b"\x00" * _pad(arr.nbytes))
            fh.write(TRAILER)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read_header(path: Path) -> dict:
    """The checked header of the index file at ``path`` (``IndexFileInvalid`` if unusable)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        raise IndexFileInvalid("no stored index") from None
    except OSError as exc:
        raise IndexFileInvalid(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return _header(fd)[0]
    finally:
        os.close(fd)


def _header(fd: int) -> tuple[dict, int]:
    """The header and where the body starts; checks magic, format, header CRC and the file's length."""
    pre = os.pread(fd, _PREAMBLE.size, 0)
    if len(pre) < _PREAMBLE.size:
        raise IndexFileInvalid("the file is too short to be an index")
    magic, fmt, length = _PREAMBLE.unpack(pre)
    if magic != MAGIC:
        raise IndexFileInvalid("not a cosell search index")
    if fmt != FORMAT:
        raise IndexFileInvalid(f"index format {fmt}, this cosell writes {FORMAT}")
    if length > _MAX_HEADER:
        raise IndexFileInvalid("header too long")
    raw = os.pread(fd, length + _CRC.size, _PREAMBLE.size)
    if len(raw) != length + _CRC.size or _CRC.unpack(raw[length:])[0] != zlib.crc32(raw[:length]):
        raise IndexFileInvalid("the header is damaged")
    try:
        header = json.loads(raw[:length])
        body_len = int(header["body_len"])
    except (ValueError, KeyError, TypeError):
        raise IndexFileInvalid("the header is damaged") from None
    start = _PREAMBLE.size + length + _CRC.size
    start += _pad(start)
    size = os.fstat(fd).st_size
    if size != start + body_len + len(TRAILER):
        raise IndexFileInvalid(f"the file is {size} bytes, its header says {start + body_len + len(TRAILER)}")
    if os.pread(fd, len(TRAILER), start + body_len) != TRAILER:
        raise IndexFileInvalid("the file's end is damaged")
    return header, start


def _body_crc(fd: int, start: int, length: int) -> int:
    """CRC-32 of the body, read in chunks (not through the mapping: reading it all would make it resident)."""
    buf = bytearray(1 << 20)  # one buffer, reused: fresh 1 MB chunks cost more in page faults than the CRC
    view = memoryview(buf)
    crc, pos, end = 0, start, start + length
    while pos < end:
        n = os.preadv(fd, [view[:min(len(buf), end - pos)]], pos)
        if not n:
            break
        crc = zlib.crc32(view[:n], crc)
        pos += n
    return crc


def read_index(path: Path, key: dict | None = None) -> tuple[Index, dict]:
    """The index stored at ``path`` and the key it was built from.

    ``key``: refuse the file unless it was built from exactly this (None: any
    key, for serving an older index while a new one is built). Raises
    ``IndexFileInvalid`` with the reason; never returns a damaged index.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        raise IndexFileInvalid("no stored index") from None
    except OSError as exc:
        raise IndexFileInvalid(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        header, start = _header(fd)
        if key is not None and header.get("key") != key:
            raise IndexFileInvalid("built from another state of the catalogue")
        if _body_crc(fd, start, header["body_len"]) != header["body_crc"]:
            raise IndexFileInvalid("the index data is damaged (checksum)")
        mapped = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
    except IndexFileInvalid:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexFileInvalid(f"cannot read {path}: {exc}") from None
    finally:
        os.close(fd)  # the mapping keeps the file's data reachable
    try:
        return _assemble(header, mapped, start), header["key"]
    except (ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError) as exc:
        raise IndexFileInvalid(f"the index data is inconsistent ({exc})") from None


def _assemble(header: dict, mapped: mmap.mmap, start: int) -> Index:
    arrays = {}
    for name, dtype, shape, offset in header["arrays"]:
        dt = np.dtype(dtype)
        count = int(np.prod(shape)) if shape else 1
        arr = np.frombuffer(mapped, dtype=dt, count=count, offset=start + int(offset))
        arrays[name] = arr.reshape(shape)
    ix = Index()
    for name in _SCALARS:
        setattr(ix, name, int(header["scalars"][name]))
    for name in _ARRAYS:
        setattr(ix, name, arrays[name])
    ix.id_blob = memoryview(arrays["id_blob"])
    ix.countries = [str(c) for c in header["countries"]]
    ix.words = _split(arrays["words"], int(header["n_words"]))
    ix.vocab = {w: i for i, w in enumerate(ix.words)}
    ix.tri = {t: i for i, t in enumerate(_split(arrays["trigrams"], int(header["n_trigrams"])))}
    _check(ix)
    return ix


def _split(blob: np.ndarray, n: int) -> tuple[str, ...]:
    if n == 0:
        return ()
    items = tuple(blob.tobytes().decode().split("\n"))
    if len(items) != n:
        raise ValueError(f"{len(items)} entries where {n} were written")
    return items


def _check(ix: Index) -> None:
    """The arrays fit each other (cheap end-point checks; the checksum caught random damage)."""
    problems = []
    if not (len(ix.tab) == len(ix.city) == len(ix.country) == ix.n_rows):
        problems.append("per-account arrays differ in length")
    if len(ix.doc_ptr) != ix.n_docs + 1 or int(ix.doc_ptr[-1]) != len(ix.fwd):
        problems.append("document pointers")
    if len(ix.post_ptr) != len(ix.words) + 1 or int(ix.post_ptr[-1]) != len(ix.post_docs):
        problems.append("posting pointers")
    if len(ix.tri_ptr) != len(ix.tri) + 1 or int(ix.tri_ptr[-1]) != len(ix.tri_words):
        problems.append("trigram pointers")
    if len(ix.idf) != len(ix.words) or len(ix.word_len) != len(ix.words):
        problems.append("word arrays")
    if ix.n_docs - ix.n_rows != len(ix.alias_row) or len(ix.group_rows) != len(ix.group_ids):
        problems.append("alias or group arrays")
    width_ok = (ix.id_width and len(ix.id_blob) == ix.id_width * ix.n_rows) or \
        (not ix.id_width and len(ix.id_ends) == ix.n_rows)
    if not width_ok:
        problems.append("account ids")
    if problems:
        raise ValueError(", ".join(problems))
