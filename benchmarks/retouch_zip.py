"""Retouch batch download benchmark: a retoucher downloads a whole batch of originals as one
ZIP. How fast does it stream, against reading the same files from disk, and how much memory
does the serving process need for it?

    .venv/bin/python benchmarks/retouch_zip.py [--gigabytes 2]

Set-up (not timed): a few distinct synthetic 24-megapixel JPEGs (6000×4000, quality 90,
about 8–9 MB) are generated, then about ``--gigabytes`` × 10⁹ bytes of originals are written
straight into the private storage layout (``<PRIVATE_MEDIA_ROOT>/<schema>/originals/
shoot-<id>/<uuid>.jpg``, the names ``Photo.original`` gets on upload), each a copy of one of
them with a COM segment of its own (a valid JPEG, same pixels, distinct bytes and hash), with
Photo rows marked READY (processing skipped). They are sent to retouching
(``photos_send_to_retouch``) and claimed as one batch (``retouch_claim_batch``). All of it in
a throwaway database ``pictureday_bench_<pid>`` on the server ``saas_platform.settings.dev``
uses, dropped at the end; media in a temporary folder, removed at the end.

Measured, in the same run on the same files:

* the download: gunicorn (``--workers 1 --threads 1``, sync worker, DEBUG off) serves the
  studio; the retoucher logs in through ``/accounts/login/`` (CSRF and all) and downloads
  ``/staff/retouch/batches/<id>/download/`` with a streaming client that reads 1 MiB chunks
  and throws them away, keeping only the last few MB to check the ZIP's central directory;
  the gunicorn worker process's RSS is sampled every 50 ms throughout;
* the limit: the same files read sequentially from disk in this process (``read(1 MiB)``
  loop), once before and once after the download. Both are warm-cache reads (the files were
  just written; the system-wide drop_caches is not available); the faster is the limit;
* not part of the target, for a server whose originals are not in memory: the files' pages
  are dropped from the page cache one by one (fsync, ``posix_fadvise(DONTNEED)``, no root
  needed), read, dropped again, and downloaded again.

Checks: bytes received = Content-Length; the end-of-central-directory record (ZIP64 too) and
the central directory, parsed from the tail, list every photo of the batch under the name
``batch_download_entries`` gives it, stored (not compressed), with its size.

The last line of stdout is one JSON object with every figure. Exit code 0 whether or not the
targets are met: this is a measurement, not a test.
"""

import argparse
import collections
import contextlib
import hashlib
import math
import os
import re
import statistics
import struct
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402  (puts the repository on sys.path, sets DJANGO_SETTINGS_MODULE)

TARGET_RATIO = 0.5
TARGET_PEAK_RSS_MB = 150
BASE_PHOTOS = 4
READ_CHUNK = 1024 * 1024
TAIL_BYTES = 8 * 1024 * 1024
SAMPLE_INTERVAL_S = 0.05
MB = 1e6


# --- originals ------------------------------------------------------------------------------


def make_batch(setup: dict, bases: list[bytes], count: int) -> dict:
    """``count`` originals written into private storage, READY Photo rows, sent to
    retouching and claimed by the retoucher as one batch."""
    from types import SimpleNamespace

    from django.utils import timezone
    from django_tenants.utils import schema_context

    from studio.photos.models import Photo, PhotoStatus, original_path
    from studio.photos.storage import originals_storage
    from studio.retouching.services import (
        batch_download_entries,
        photos_send_to_retouch,
        retouch_claim_batch,
    )

    shoot = setup["shoot"]
    with schema_context(setup["schema"]):
        storage = originals_storage()
        photos, paths = [], []
        for index in range(count):
            file_name = f"IMG_{index + 1:04d}.jpg"
            data = _common.jpeg_with_comment(
                bases[index % len(bases)], f"pictureday benchmark {index}".encode()
            )
            name = original_path(SimpleNamespace(shoot_id=shoot.pk), file_name)
            path = Path(storage.path(name))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            paths.append(path)
            photos.append(
                Photo(
                    shoot=shoot,
                    original=name,
                    original_name=file_name,
                    content_hash=hashlib.sha256(data).hexdigest(),
                    size_bytes=len(data),
                    photographer=setup["photographer"],
                    width=_common.PHOTO_WIDTH,
                    height=_common.PHOTO_HEIGHT,
                    status=PhotoStatus.READY,
                    processed_at=timezone.now(),
                )
            )
        photos = Photo.objects.bulk_create(photos)
        queued = photos_send_to_retouch(photos=photos, actor=setup["owner"])
        batch = retouch_claim_batch(shoot=shoot, retoucher=setup["retoucher"], size=count)
        entries = [
            (name, photo.size_bytes, Path(storage.path(photo.original.name)))
            for name, photo in batch_download_entries(batch)
        ]
    return {"batch": batch, "queued": queued, "entries": entries, "paths": paths}


# --- the limit: reading the files -----------------------------------------------------------


def evict(paths: list[Path]) -> None:
    """Drops the files' pages from the page cache (written back first): no root needed, unlike
    drop_caches. On a virtual disk the host may still cache them."""
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def read_files(paths: list[Path]) -> tuple[int, float]:
    total = 0
    started = time.perf_counter()
    for path in paths:
        with open(path, "rb") as handle:
            while chunk := handle.read(READ_CHUNK):
                total += len(chunk)
    return total, time.perf_counter() - started


# --- the download ---------------------------------------------------------------------------


class RssSampler(threading.Thread):
    """Samples a process's RSS every SAMPLE_INTERVAL_S until stopped."""

    def __init__(self, pid: int):
        import psutil

        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.samples: list[int] = []
        self.stopping = threading.Event()

    def run(self):
        import psutil

        while not self.stopping.is_set():
            with contextlib.suppress(psutil.Error):
                self.samples.append(self.process.memory_info().rss)
            self.stopping.wait(SAMPLE_INTERVAL_S)

    def stop(self) -> None:
        self.stopping.set()
        self.join()


def gunicorn_worker_pid(master_pid: int, timeout: float = 30) -> int:
    import psutil

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = psutil.Process(master_pid).children()
        if children:
            return children[0].pid
        time.sleep(0.1)
    raise TimeoutError("gunicorn started no worker")


def log_in(session, base: str, host: str, email: str, password: str) -> None:
    """The real login form: GET for the CSRF cookie and token, POST the credentials."""
    page = session.get(f"{base}/accounts/login/", headers={"Host": host}, timeout=60)
    page.raise_for_status()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if not match:
        raise RuntimeError("no CSRF token on the login page")
    response = session.post(
        f"{base}/accounts/login/",
        data={"username": email, "password": password, "csrfmiddlewaretoken": match[1]},
        headers={"Host": host, "Referer": f"http://{host}/accounts/login/"},
        allow_redirects=False,
        timeout=60,
    )
    if response.status_code != 302 or "sessionid" not in session.cookies:
        raise RuntimeError(f"login failed: HTTP {response.status_code}")


def download(session, url: str, host: str, worker_pid: int) -> dict:
    """Streams the ZIP, discarding it but for the last TAIL_BYTES, while sampling RSS."""
    import psutil

    worker = psutil.Process(worker_pid)
    baseline_rss = worker.memory_info().rss
    cpu_before = worker.cpu_times()
    sampler = RssSampler(worker_pid)
    sampler.start()
    tail: collections.deque[bytes] = collections.deque()
    tail_len = received = chunks = 0
    client_cpu = time.process_time()
    started = time.perf_counter()
    try:
        with session.get(url, headers={"Host": host}, stream=True, timeout=120) as response:
            first_byte = time.perf_counter() - started
            status = response.status_code
            headers = dict(response.headers)
            for chunk in response.iter_content(READ_CHUNK):
                received += len(chunk)
                chunks += 1
                tail.append(chunk)
                tail_len += len(chunk)
                while tail_len - len(tail[0]) >= TAIL_BYTES:
                    tail_len -= len(tail.popleft())
        elapsed = time.perf_counter() - started
    finally:
        sampler.stop()
    client_cpu = time.process_time() - client_cpu
    cpu_after = worker.cpu_times()
    after_rss = worker.memory_info().rss
    samples = sampler.samples or [after_rss]
    return {
        "status": status,
        "headers": headers,
        "received": received,
        "chunks": chunks,
        "seconds": elapsed,
        "first_byte_s": first_byte,
        "tail": b"".join(tail),
        "baseline_rss": baseline_rss,
        "peak_rss": max(samples + [after_rss]),
        "median_rss": statistics.median(samples),
        "after_rss": after_rss,
        "rss_samples": len(sampler.samples),
        "server_cpu_s": (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system),
        "client_cpu_s": client_cpu,
    }


# --- checking the ZIP from its tail ---------------------------------------------------------

EOCD = struct.Struct("<4s4H2LH")
ZIP64_LOCATOR = struct.Struct("<4sLQL")
ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
CENTRAL = struct.Struct("<4s6H3L5H2L")


def check_zip_tail(tail: bytes, total: int) -> dict:
    """Parses the end-of-central-directory record (and its ZIP64 form) and the central
    directory from the last bytes of a ZIP of ``total`` bytes."""
    tail_start = total - len(tail)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + EOCD.size > len(tail):
        return {"ok": False, "problem": "no end-of-central-directory record in the tail"}
    _, _, _, _, entries, cd_size, cd_offset, comment_len = EOCD.unpack_from(tail, at)
    zip64 = False
    end_of_records = tail_start + at + EOCD.size + comment_len
    locator_at = at - ZIP64_LOCATOR.size
    if locator_at >= 0 and tail[locator_at : locator_at + 4] == b"PK\x06\x07":
        zip64 = True
        _, _, record_offset, _ = ZIP64_LOCATOR.unpack_from(tail, locator_at)
        record_at = record_offset - tail_start
        if record_at < 0 or tail[record_at : record_at + 4] != b"PK\x06\x06":
            return {"ok": False, "problem": "ZIP64 end record not found", "zip64": True}
        fields = ZIP64_EOCD.unpack_from(tail, record_at)
        entries, cd_size, cd_offset = fields[7], fields[8], fields[9]
        directory_end = record_offset
    else:
        directory_end = tail_start + at
    consistent = cd_offset + cd_size == directory_end and end_of_records == total
    position = cd_offset - tail_start
    if position < 0:
        return {
            "ok": False,
            "problem": "central directory larger than the kept tail",
            "entries": entries,
            "zip64": zip64,
        }
    names, sizes, methods = [], [], set()
    for _ in range(entries):
        fields = CENTRAL.unpack_from(tail, position)
        if fields[0] != b"PK\x01\x02":
            return {"ok": False, "problem": "bad central directory entry", "zip64": zip64}
        method, size = fields[4], fields[9]
        name_len, extra_len, comment_len = fields[10], fields[11], fields[12]
        start = position + CENTRAL.size
        name = tail[start : start + name_len].decode("utf-8", "replace")
        extra = tail[start + name_len : start + name_len + extra_len]
        if size == 0xFFFFFFFF:
            size = _zip64_size(extra)
        names.append(name)
        sizes.append(size)
        methods.add(method)
        position = start + name_len + extra_len + comment_len
    return {
        "ok": consistent,
        "problem": "" if consistent else "central directory offsets do not add up",
        "entries": entries,
        "names": names,
        "sizes": sizes,
        "stored_only": methods == {0},
        "zip64": zip64,
        "central_directory_bytes": cd_size,
    }


def _zip64_size(extra: bytes) -> int:
    at = 0
    while at + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, at)
        if tag == 0x0001:
            return struct.unpack_from("<Q", extra, at + 4)[0]
        at += 4 + length
    return -1


# --- run ------------------------------------------------------------------------------------


def run(args, work: Path, pid: int, token: str) -> dict:
    import requests

    _common.progress(f"generating {BASE_PHOTOS} synthetic 6000×4000 JPEGs …")
    base_paths = _common.generate_photos(work / "bases", BASE_PHOTOS, first_seed=1)
    bases = [path.read_bytes() for path in base_paths]
    for path in base_paths:
        path.unlink()
    count = max(1, math.ceil(args.gigabytes * 1e9 / statistics.mean(len(b) for b in bases)))

    figures: dict = {}
    with _common.throwaway_database(pid) as (database, child_database_url):
        from django.db import connections

        os.environ["DATABASE_URL"] = child_database_url
        figures["postgres_version"] = _common.server_version()
        setup = _common.studio_with_shoot(token)
        _common.progress(f"writing {count} originals …")
        started = time.perf_counter()
        made = make_batch(setup, bases, count)
        figures["setup_s"] = time.perf_counter() - started
        connections.close_all()
        entries = made["entries"]
        paths = [path for _, _, path in entries]
        originals_bytes = sum(size for _, size, _ in entries)

        port = _common.free_port()
        server = None
        try:
            _common.progress("starting gunicorn …")
            server = _common.Child(
                [
                    "gunicorn", "saas_platform.wsgi:application",
                    "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "1",
                    # The default 30 s would kill a sync worker streaming a slow download;
                    # the figure this benchmark wants is throughput, so it is lifted here.
                    "--timeout", "600",
                ],
                work / "gunicorn.log",
                _common.child_env(child_database_url),
            )  # fmt: skip
            _common.wait_for_port(port, server)
            worker_pid = gunicorn_worker_pid(server.pid)
            base = f"http://127.0.0.1:{port}"
            with requests.Session() as session:
                log_in(session, base, setup["host"], f"retoucher@{token}.test", _common.PASSWORD)
                url = f"{base}/staff/retouch/batches/{made['batch'].pk}/download/"
                _common.progress("reading the files (before) …")
                read_before, disk_before_s = read_files(paths)
                _common.progress(f"downloading {originals_bytes / MB:.0f} MB as a ZIP …")
                got = download(session, url, setup["host"], worker_pid)
                _common.progress("reading the files (after) …")
                read_after, disk_after_s = read_files(paths)
                _common.progress("cold: evicted from the page cache, read, evicted, download …")
                evict(paths)
                read_cold, disk_cold_s = read_files(paths)
                evict(paths)
                got_cold = download(session, url, setup["host"], worker_pid)
        finally:
            if server is not None:
                server.stop()
            figures["redis_keys_removed"] = _common.redis_forget(os.environ["REDIS_URL"], token)

    content_length = int(got["headers"].get("Content-Length", -1))
    zip_check = check_zip_tail(got["tail"], got["received"])
    expected_names = [name for name, _, _ in entries]
    expected_sizes = [size for _, size, _ in entries]
    names_match = zip_check.get("names") == expected_names
    sizes_match = zip_check.get("sizes") == expected_sizes
    cold_check = check_zip_tail(got_cold["tail"], got_cold["received"])
    cold_complete = (
        got_cold["status"] == 200
        and got_cold["received"] == int(got_cold["headers"].get("Content-Length", -1))
        and cold_check["ok"]
        and cold_check.get("names") == expected_names
        and cold_check.get("sizes") == expected_sizes
    )
    cold_download = got_cold["received"] / MB / got_cold["seconds"]
    cold_disk = read_cold / MB / disk_cold_s
    download_rate = got["received"] / MB / got["seconds"]
    disk_before = read_before / MB / disk_before_s
    disk_after = read_after / MB / disk_after_s
    disk_limit = max(disk_before, disk_after)
    ratio = download_rate / disk_limit
    peak_mb = got["peak_rss"] / 2**20
    complete = (
        got["status"] == 200
        and got["received"] == content_length
        and zip_check["ok"]
        and zip_check.get("entries") == len(entries)
        and names_match
        and sizes_match
    )
    figures.update(
        {
            "photos": len(entries),
            "originals_bytes": originals_bytes,
            "photo_mb_mean": originals_bytes / len(entries) / MB,
            "distinct_images": len(bases),
            "http_status": got["status"],
            "content_type": got["headers"].get("Content-Type"),
            "content_length": content_length,
            "archive_bytes": got["received"],
            "archive_overhead_bytes": got["received"] - originals_bytes,
            "size_matches_content_length": got["received"] == content_length,
            "zip_entries": zip_check.get("entries"),
            "zip_names_match_batch": names_match,
            "zip_sizes_match_originals": sizes_match,
            "zip_stored_only": zip_check.get("stored_only"),
            "zip64": zip_check.get("zip64"),
            "zip_directory_consistent": zip_check["ok"],
            "zip_problem": zip_check.get("problem", ""),
            "download_complete_and_valid": complete,
            "download_s": got["seconds"],
            "download_first_byte_s": got["first_byte_s"],
            "download_mb_per_s": download_rate,
            "download_chunks": got["chunks"],
            "server_cpu_s": got["server_cpu_s"],
            "client_cpu_s": got["client_cpu_s"],
            "disk_read_before_s": disk_before_s,
            "disk_read_before_mb_per_s": disk_before,
            "disk_read_after_s": disk_after_s,
            "disk_read_after_mb_per_s": disk_after,
            "disk_limit_mb_per_s": disk_limit,
            "ratio_to_limit": ratio,
            "ratio_to_disk_read_before": download_rate / disk_before,
            "ratio_to_disk_read_after": download_rate / disk_after,
            "worker_rss_baseline_mb": got["baseline_rss"] / 2**20,
            "worker_rss_median_mb": got["median_rss"] / 2**20,
            "worker_rss_peak_mb": peak_mb,
            "worker_rss_after_mb": got["after_rss"] / 2**20,
            "rss_samples": got["rss_samples"],
            "cold_disk_read_s": disk_cold_s,
            "cold_disk_read_mb_per_s": cold_disk,
            "cold_download_s": got_cold["seconds"],
            "cold_download_mb_per_s": cold_download,
            "cold_download_complete_and_valid": cold_complete,
            "cold_ratio": cold_download / cold_disk,
            "cold_worker_rss_peak_mb": got_cold["peak_rss"] / 2**20,
            "cold_server_cpu_s": got_cold["server_cpu_s"],
            "target_ratio": TARGET_RATIO,
            "target_peak_rss_mb": TARGET_PEAK_RSS_MB,
            "meets_ratio_target": ratio >= TARGET_RATIO,
            "meets_rss_target": peak_mb < TARGET_PEAK_RSS_MB,
            "meets_target": ratio >= TARGET_RATIO and peak_mb < TARGET_PEAK_RSS_MB and complete,
            "database": database,
        }
    )
    return figures


# --- report ---------------------------------------------------------------------------------


def report(f: dict) -> None:
    def yes(value) -> str:
        return "yes" if value else "NO"

    lines = [
        "",
        f"Pictureday retouch ZIP benchmark — one batch of {f['photos']} originals, "
        f"{f['originals_bytes'] / MB:,.0f} MB ({f['photo_mb_mean']:.1f} MB each, copies of "
        f"{f['distinct_images']} synthetic 6000×4000 JPEGs with a COM segment each)",
        "served by gunicorn (1 sync worker, 1 thread, DEBUG off) from the real view "
        "/staff/retouch/batches/<id>/download/ (zipstream-ng, stored)",
        f"database {f['database']} (PostgreSQL {f['postgres_version']}, dropped); MB = 10⁶ bytes",
        "",
        f"{'':<50}{'':>16}   target",
        f"{'download (streamed, 1 MiB reads, discarded)':<50}"
        f"{f['download_mb_per_s']:10.0f} MB/s   ({f['archive_bytes'] / MB:,.0f} MB in "
        f"{f['download_s']:.1f} s, first byte after {f['download_first_byte_s'] * 1000:.0f} ms)",
        f"{'limit: read the same files (before)':<50}{f['disk_read_before_mb_per_s']:10.0f} MB/s"
        f"   ({f['disk_read_before_s']:.1f} s, warm cache)",
        f"{'limit: read the same files (after)':<50}{f['disk_read_after_mb_per_s']:10.0f} MB/s"
        f"   ({f['disk_read_after_s']:.1f} s, warm cache)",
        f"{'ratio download / faster read':<50}{f['ratio_to_limit']:10.2f}        ≥ "
        f"{TARGET_RATIO}  {_common.verdict(f['meets_ratio_target'])}",
        f"{'  (/ read before, / read after)':<50}{f['ratio_to_disk_read_before']:10.2f}, "
        f"{f['ratio_to_disk_read_after']:.2f}",
        f"{'peak RSS of the gunicorn worker':<50}{f['worker_rss_peak_mb']:10.1f} MB     < "
        f"{TARGET_PEAK_RSS_MB} MB  {_common.verdict(f['meets_rss_target'])}",
        f"{'  before / median during / after':<50}{f['worker_rss_baseline_mb']:10.1f} / "
        f"{f['worker_rss_median_mb']:.1f} / {f['worker_rss_after_mb']:.1f} MB "
        f"({f['rss_samples']} samples, every {SAMPLE_INTERVAL_S * 1000:.0f} ms)",
        f"{'CPU during the download: server / client':<50}{f['server_cpu_s']:10.1f} s / "
        f"{f['client_cpu_s']:.1f} s",
        "",
        "the archive",
        f"{'  bytes received = Content-Length':<50}{yes(f['size_matches_content_length']):>10}"
        f"   ({f['archive_bytes']:,} vs {f['content_length']:,}; "
        f"{f['archive_overhead_bytes']:,} bytes of ZIP structure)",
        f"{'  central directory lists every photo':<50}"
        f"{yes(f['zip_names_match_batch'] and f['zip_entries'] == f['photos']):>10}"
        f"   ({f['zip_entries']} entries, names as batch_download_entries)",
        f"{'  sizes match the originals, all stored':<50}"
        f"{yes(f['zip_sizes_match_originals'] and f['zip_stored_only']):>10}"
        f"   (ZIP64 records: {'yes' if f['zip64'] else 'no'})",
        f"{'  directory offsets consistent':<50}{yes(f['zip_directory_consistent']):>10}"
        + (f"   ({f['zip_problem']})" if f["zip_problem"] else ""),
        "",
        "cold cache (each file's pages dropped with posix_fadvise(DONTNEED) first; "
        "not part of the target)",
        f"{'  download':<50}{f['cold_download_mb_per_s']:10.0f} MB/s   "
        f"({f['cold_download_s']:.1f} s, valid: {yes(f['cold_download_complete_and_valid'])}, "
        f"peak RSS {f['cold_worker_rss_peak_mb']:.1f} MB, server CPU {f['cold_server_cpu_s']:.1f} s)",
        f"{'  read the same files':<50}{f['cold_disk_read_mb_per_s']:10.0f} MB/s   "
        f"({f['cold_disk_read_s']:.1f} s)",
        f"{'  ratio':<50}{f['cold_ratio']:10.2f}",
        "",
        f"overall target {_common.verdict(f['meets_target'])}",
        "",
    ]
    print("\n".join(lines))
    _common.print_json_last(f)


# --- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--gigabytes", type=float, default=2.0, help="size of the batch in 10⁹ bytes (default 2)"
    )
    args = parser.parse_args(argv)
    if not 0 < args.gigabytes <= 20:
        parser.error("--gigabytes must be more than 0 and at most 20")

    with _common.benchmark_process("zip") as (work, pid):
        figures = run(args, work, pid, _common.run_token(pid))
    report(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
