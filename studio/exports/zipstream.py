"""A ZIP writer whose memory does not grow with the number of entries.

``zipfile.ZipFile`` keeps a ``ZipInfo`` per entry until it writes the central directory at
the end (about 1 KB each: 200 MB for a studio with 200,000 photos). Here each entry's
central-directory record goes to a temporary file as soon as the entry is written, and is
copied to the end of the archive on close. Entries are written in one pass, never sought
back to (sizes and CRC in a data descriptor after the data), always in ZIP64 form, so any
size or count fits; names are UTF-8 (flag bit 11). ``zipfile``, ``unzip`` and the common
archive tools read the result (``tests/studio/exports/test_zipstream.py``)."""

import contextlib
import io
import struct
import tempfile
import time
import zlib

_VERSION = 45  # ZIP64
_MADE_BY = (3 << 8) | _VERSION  # Unix, so external attributes carry the file mode
_FLAGS = 0x0008 | 0x0800  # data descriptor follows the data; UTF-8 names
_MODE = 0o100644 << 16
_MAX32 = 0xFFFFFFFF
_CHUNK = 64 * 1024  # copying the central directory


def _dos_time(moment: float) -> tuple[int, int]:
    t = time.gmtime(moment)
    return (
        (t.tm_hour << 11) | (t.tm_min << 5) | (t.tm_sec // 2),
        ((max(t.tm_year, 1980) - 1980) << 9) | (t.tm_mon << 5) | t.tm_mday,
    )


class _Entry(io.RawIOBase):
    """One member being written: counts, CRC and (when deflated) the compressor. A binary
    stream, so ``io.TextIOWrapper`` and ``csv`` can write into it."""

    def __init__(self, archive: "StreamingZip", compress: bool):
        super().__init__()
        self._archive = archive
        self._deflate = zlib.compressobj(6, zlib.DEFLATED, -15) if compress else None
        self.crc = 0
        self.size = 0
        self.compressed = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        data = bytes(data)
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        out = self._deflate.compress(data) if self._deflate else data
        self.compressed += len(out)
        self._archive._emit(out)
        return len(data)

    def _finish(self) -> None:
        if self._deflate:
            tail = self._deflate.flush()
            self.compressed += len(tail)
            self._archive._emit(tail)


class StreamingZip:
    """``with StreamingZip(binary_file) as zf: with zf.open(name) as entry: entry.write(…)``;
    ``zf.writestr(name, data)`` for small members. ``compress=False`` stores the bytes as
    they are (photos are compressed already)."""

    def __init__(self, target):
        self._target = target
        self._offset = 0
        self._count = 0
        self._central = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()/__exit__
        self._central_size = 0
        self._open = False

    def _emit(self, data: bytes) -> None:
        if data:
            self._target.write(data)
            self._offset += len(data)

    @contextlib.contextmanager
    def open(self, name: str, *, compress: bool = True):
        if self._open:
            raise RuntimeError("one member at a time")
        self._open = True
        encoded = name.encode()
        method = zlib.DEFLATED if compress else 0
        clock, day = _dos_time(time.time())
        header_offset = self._offset
        local_extra = struct.pack("<HHQQ", 1, 16, 0, 0)  # ZIP64: sizes in the descriptor
        self._emit(
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                _VERSION,
                _FLAGS,
                method,
                clock,
                day,
                0,
                _MAX32,
                _MAX32,
                len(encoded),
                len(local_extra),
            )
            + encoded
            + local_extra
        )
        entry = _Entry(self, compress)
        try:
            yield entry
            entry._finish()
        finally:
            self._open = False
        self._emit(struct.pack("<IIQQ", 0x08074B50, entry.crc, entry.compressed, entry.size))
        central_extra = struct.pack("<HHQQQ", 1, 24, entry.size, entry.compressed, header_offset)
        record = (
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                _MADE_BY,
                _VERSION,
                _FLAGS,
                method,
                clock,
                day,
                entry.crc,
                _MAX32,
                _MAX32,
                len(encoded),
                len(central_extra),
                0,
                0,
                0,
                _MODE,
                _MAX32,
            )
            + encoded
            + central_extra
        )
        self._central.write(record)
        self._central_size += len(record)
        self._count += 1

    def writestr(self, name: str, data: bytes | str, *, compress: bool = True) -> None:
        with self.open(name, compress=compress) as entry:
            entry.write(data.encode() if isinstance(data, str) else data)

    def close(self) -> None:
        """The central directory (copied from its temporary file) and the end records."""
        start = self._offset
        self._central.seek(0)
        while chunk := self._central.read(_CHUNK):
            self._emit(chunk)
        self._central.close()
        end64 = self._offset
        self._emit(
            struct.pack(
                "<IQHHIIQQQQ",
                0x06064B50,
                44,
                _MADE_BY,
                _VERSION,
                0,
                0,
                self._count,
                self._count,
                self._central_size,
                start,
            )
        )
        self._emit(struct.pack("<IIQI", 0x07064B50, 0, end64, 1))
        self._emit(
            struct.pack(
                "<IHHHHIIH",
                0x06054B50,
                0,
                0,
                min(self._count, 0xFFFF),
                min(self._count, 0xFFFF),
                min(self._central_size, _MAX32),
                min(start, _MAX32),
                0,
            )
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.close()
        else:
            self._central.close()
