"""The export's ZIP writer: archives that zipfile reads and checks, and memory that stays
flat however many members there are (where zipfile.ZipFile keeps a record per member)."""

import io
import os
import tracemalloc
import zipfile

from studio.exports.zipstream import StreamingZip


def test_members_written_deflated_and_stored_read_back_byte_for_byte(tmp_path):
    photo = os.urandom(300_000)
    text = "школа;класс\n" * 10_000
    path = tmp_path / "a.zip"
    with open(path, "wb") as target, StreamingZip(target) as zf:
        zf.writestr("README.md", "# hello")
        with zf.open("tables/schools.csv") as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            out.write(text)
            out.flush()
            out.detach()
        with zf.open("files/private/originals/Фото 1.jpg", compress=False) as entry:
            for start in range(0, len(photo), 65_536):
                entry.write(photo[start : start + 65_536])
        zf.writestr("empty.txt", b"")

    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None  # every CRC checks
        assert archive.namelist() == [
            "README.md", "tables/schools.csv", "files/private/originals/Фото 1.jpg", "empty.txt",
        ]  # fmt: skip
        assert archive.read("tables/schools.csv").decode() == text
        assert archive.read("files/private/originals/Фото 1.jpg") == photo
        assert archive.read("empty.txt") == b""
        info = archive.getinfo("files/private/originals/Фото 1.jpg")
        assert info.compress_type == zipfile.ZIP_STORED and info.file_size == len(photo)
        assert archive.getinfo("tables/schools.csv").compress_type == zipfile.ZIP_DEFLATED
        assert archive.getinfo("tables/schools.csv").compress_size < len(text.encode()) / 10


def test_an_unseekable_target_is_enough(tmp_path):
    class Pipe:
        def __init__(self):
            self.parts = []

        def write(self, data):
            self.parts.append(bytes(data))

    pipe = Pipe()
    with StreamingZip(pipe) as zf:
        zf.writestr("a.txt", "a" * 1000)
        zf.writestr("b.bin", b"b" * 1000, compress=False)
    with zipfile.ZipFile(io.BytesIO(b"".join(pipe.parts))) as archive:
        assert archive.read("a.txt") == b"a" * 1000 and archive.read("b.bin") == b"b" * 1000


def _peak_bytes(write, members: int, tmp_path) -> int:
    with open(tmp_path / f"m{members}.zip", "wb") as target:
        tracemalloc.start()
        write(target, members)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_memory_does_not_grow_with_the_number_of_members(tmp_path):
    def streaming(target, members):
        with StreamingZip(target) as zf:
            for i in range(members):
                with zf.open(f"files/private/originals/shoot-1/{i:032d}.jpg", compress=False) as e:
                    e.write(b"x" * 100)

    def stdlib(target, members):
        with zipfile.ZipFile(target, "w") as zf:
            for i in range(members):
                zf.writestr(f"files/private/originals/shoot-1/{i:032d}.jpg", b"x" * 100)

    small = _peak_bytes(streaming, 2_000, tmp_path)
    large = _peak_bytes(streaming, 20_000, tmp_path)
    assert large < small + 64 * 1024, (small, large)
    # zipfile, for comparison, holds a record per member: megabytes at 20,000.
    assert _peak_bytes(stdlib, 20_000, tmp_path) > large + 5 * 2**20
    with zipfile.ZipFile(tmp_path / "m20000.zip") as archive:
        assert len(archive.namelist()) == 20_000 and archive.testzip() is None
