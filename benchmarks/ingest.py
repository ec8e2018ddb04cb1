"""Photo ingest benchmark: how many camera JPEGs per second go from upload to READY, against
what bare libvips can do with the same files on the same machine.

    .venv/bin/python benchmarks/ingest.py [--photos N]

Engine: libvips through pyvips (the pyvips-binary wheel bundles libvips with libjpeg-turbo, so
no system libvips is needed). Both derivatives come from one decode, and the JPEG is decoded
with libjpeg's shrink-on-load at the smallest scale that still leaves the 1600 px preview:
1/2 for a 6000×4000 original (1/8 would give 750 px, 1/4 1500 px).

Set-up (not timed): N distinct synthetic 24-megapixel JPEGs (6000×4000, quality 90, textured
at every scale, about 8–9 MB) are generated once into a temporary folder by a pool of
os.cpu_count() processes. A throwaway database ``pictureday_bench_<pid>`` is created on the
server ``saas_platform.settings.dev`` uses, migrated with ``migrate_platform`` and dropped at
the end; in it a studio (``studio_create``), a school, a picture day and a photographer. Media,
private originals and upload scratch live in the temporary folder, for this process and the
worker alike. A real Celery worker (prefork, ``--concurrency=os.cpu_count()``) runs as a child
process on a queue of its own in Redis database 15.

Measured, in the same run on the same files:

* the pipeline: ``photo_ingest_file`` for each file in this process (validation, hashing,
  storing the original, the Photo row, ``process_photo`` queued on commit), while the worker
  makes the thumbnail and watermarked preview; from the first ingest to the last photo READY
  (its ``processed_at``), after 2 × concurrency warm-up photos;
* the limit: a bare libvips job making the same two sizes from each file in a pool of
  os.cpu_count() processes. Two forms: ``pyvips.Image.thumbnail(path, 1600)`` then
  ``thumbnail_image(400)`` (as asked; libvips' thumbnail does *not* shrink on load for a
  3.75× reduction, it decodes all 24 MP) and the product's own decode choice
  (``jpegload(shrink=2)`` then ``thumbnail_image`` to 1600 and 400); the faster is the limit.
  Each is run once before and once after the pipeline (the machine is shared and noisy) and
  the two runs are added up;
* for the breakdown: ``imaging.render_derivatives`` (the worker's image work with the
  watermark and progressive, optimised encoding) in the same kind of pool, the ingest loop's
  own rate, and the worker's per-task times from its log.

The last line of stdout is one JSON object with every figure. Exit code 0 whether or not the
target is met: this is a measurement, not a test.
"""

import argparse
import contextlib
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402  (puts the repository on sys.path, sets DJANGO_SETTINGS_MODULE)

TARGET_RATIO = 0.5
PREVIEW_PX = 1600
THUMBNAIL_PX = 400
PIPELINE_TIMEOUT_S = 360


# --- the limit: bare libvips in a pool ------------------------------------------------------


def limit_thumbnail(path: str) -> int:
    """As asked: ``thumbnail(path, 1600)`` (kept in memory: a sequential JPEG cannot be read
    twice), then ``thumbnail_image(400)``, both to JPEG buffers."""
    import pyvips

    preview = pyvips.Image.thumbnail(path, PREVIEW_PX).copy_memory()
    a = preview.jpegsave_buffer(Q=85)
    b = preview.thumbnail_image(THUMBNAIL_PX).jpegsave_buffer(Q=80)
    return len(a) + len(b)


def limit_shrink_on_load(path: str) -> int:
    """The product's decode without the product: libjpeg at 1/2 scale, resized to 1600, kept
    in memory, then 400; plain baseline JPEG encodes."""
    import pyvips

    preview = (
        pyvips.Image.jpegload(path, shrink=2, access="sequential")
        .thumbnail_image(PREVIEW_PX, height=PREVIEW_PX, size="down")
        .copy_memory()
    )
    a = preview.jpegsave_buffer(Q=85)
    b = preview.thumbnail_image(THUMBNAIL_PX, height=THUMBNAIL_PX).jpegsave_buffer(Q=80)
    return len(a) + len(b)


def product_render(path: str) -> int:
    """The worker's image work alone (no database, no storage, no queue)."""
    from studio.photos import imaging

    derived = imaging.render_derivatives(path, watermark=imaging.WatermarkSpec(text="Bench Studio"))
    return len(derived.thumbnail) + len(derived.preview)


def _noop(_):
    return os.getpid()


@contextlib.contextmanager
def warm_pool(processes: int):
    """A spawn pool whose processes have imported pyvips and set up Django, so only the work
    is timed."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    pool = context.Pool(processes, initializer=_common.pool_worker_init, initargs=(True,))
    try:
        pool.map(_noop, range(processes * 4), chunksize=1)
        yield pool
        pool.close()
        pool.join()
    finally:
        pool.terminate()


def time_pool(pool, function, paths: list[str]) -> float:
    started = time.perf_counter()
    for _ in pool.imap_unordered(function, paths, chunksize=1):
        pass
    return time.perf_counter() - started


# --- the pipeline ---------------------------------------------------------------------------


def ingest_all(setup: dict, paths: list[Path]) -> tuple[list[int], list[float], float, float]:
    """photo_ingest_file for each path; returns photo ids, per-call seconds, and the epoch
    times of the first call's start and the last call's end."""
    from django_tenants.utils import schema_context

    from studio.photos.services.ingest import photo_ingest_file

    ids, durations = [], []
    with schema_context(setup["schema"]):
        started_epoch = time.time()
        for path in paths:
            t0 = time.perf_counter()
            outcome = photo_ingest_file(
                shoot=setup["shoot"],
                path=path,
                file_name=path.name,
                uploaded_by=setup["photographer"],
            )
            durations.append(time.perf_counter() - t0)
            if outcome.result != "accepted":
                raise RuntimeError(f"{path.name} not accepted: {outcome.result} {outcome.reason}")
            ids.append(outcome.photo_id)
        ended_epoch = time.time()
    return ids, durations, started_epoch, ended_epoch


def wait_until_done(setup: dict, ids: list[int], timeout: float) -> dict:
    """Polls the database until every photo is READY or FAILED (or the timeout)."""
    from django.db.models import Max, Min
    from django_tenants.utils import schema_context

    from studio.photos.models import Photo, PhotoStatus

    deadline = time.monotonic() + timeout
    with schema_context(setup["schema"]):
        photos = Photo.objects.filter(pk__in=ids)
        while True:
            done = photos.filter(status__in=[PhotoStatus.READY, PhotoStatus.FAILED]).count()
            if done == len(ids) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        polled_epoch = time.time()
        ready = photos.filter(status=PhotoStatus.READY)
        span = ready.aggregate(first=Min("processed_at"), last=Max("processed_at"))
        failed = photos.filter(status=PhotoStatus.FAILED)
        failures = list(failed.values_list("original_name", "failure_reason")[:5])
        return {
            "ready": ready.count(),
            "failed": failed.count(),
            "done": done,
            "first_ready_epoch": span["first"].timestamp() if span["first"] else None,
            "last_ready_epoch": span["last"].timestamp() if span["last"] else None,
            "polled_epoch": polled_epoch,
            "failures": failures,
            "timed_out": done < len(ids),
        }


TASK_LINE = re.compile(r"process_photo\[(?P<id>[0-9a-f-]+)\] succeeded in (?P<s>[0-9.]+)s")


def task_seconds(log_text: str, task_ids: set[str]) -> list[float]:
    return [float(match["s"]) for match in TASK_LINE.finditer(log_text) if match["id"] in task_ids]


# --- run ------------------------------------------------------------------------------------


def run(args, work: Path, pid: int, token: str, queue: str) -> dict:
    from celery.signals import after_task_publish

    from saas_platform.celery import app

    processes = os.cpu_count() or 1
    warmup_count = 2 * processes

    _common.progress(f"generating {args.photos + warmup_count} synthetic 6000×4000 JPEGs …")
    started = time.perf_counter()
    warmup_paths = _common.generate_photos(
        work / "warmup", warmup_count, first_seed=100_000, prefix="WARM_"
    )
    paths = _common.generate_photos(work / "source", args.photos, first_seed=1)
    generation_s = time.perf_counter() - started
    sizes = [p.stat().st_size for p in paths]
    str_paths = [str(p) for p in paths]

    sent: dict[str, list[str]] = {"warmup": [], "timed": []}
    phase = ["warmup"]

    def remember(sender=None, headers=None, **_):
        if headers and headers.get("id"):
            sent[phase[0]].append(headers["id"])

    after_task_publish.connect(remember, weak=False)
    app.conf.task_default_queue = queue

    figures: dict = {}
    with _common.throwaway_database(pid) as (database, child_database_url):
        from django.db import connections

        # Processes started from here on (pool, worker) use the throwaway database too.
        os.environ["DATABASE_URL"] = child_database_url
        figures["postgres_version"] = _common.server_version()
        setup = _common.studio_with_shoot(token)
        worker = None
        try:
            _common.progress("starting the Celery worker …")
            worker = _common.Child(
                [
                    "celery", "-A", "saas_platform", "worker",
                    "--pool=prefork", f"--concurrency={processes}", "-Q", queue,
                    "-n", f"{token}@%h", "--loglevel=INFO",
                    "--without-gossip", "--without-mingle", "--without-heartbeat",
                ],
                work / "celery.log",
                _common.child_env(child_database_url),
            )  # fmt: skip
            _common.wait_for_log(worker, " ready.", timeout=90)

            connections.close_all()  # nothing of this process's sessions leaks into the pool
            _common.progress("limit, first round …")
            with warm_pool(processes) as pool:
                shrink_1 = time_pool(pool, limit_shrink_on_load, str_paths)
                thumb_1 = time_pool(pool, limit_thumbnail, str_paths)
                render_1 = time_pool(pool, product_render, str_paths)

            _common.progress("pipeline: warm-up …")
            warm_ids, _, _, _ = ingest_all(setup, warmup_paths)
            warm = wait_until_done(setup, warm_ids, 120)
            if warm["timed_out"] or warm["failed"]:
                raise RuntimeError(f"warm-up photos not processed: {warm}\n{worker.log_text()}")

            _common.progress(f"pipeline: {len(paths)} photos …")
            phase[0] = "timed"
            ids, ingest_durations, first_epoch, ingest_end_epoch = ingest_all(setup, paths)
            done = wait_until_done(setup, ids, PIPELINE_TIMEOUT_S)
            connections.close_all()

            _common.progress("limit, second round …")
            with warm_pool(processes) as pool:
                render_2 = time_pool(pool, product_render, str_paths)
                thumb_2 = time_pool(pool, limit_thumbnail, str_paths)
                shrink_2 = time_pool(pool, limit_shrink_on_load, str_paths)
            time.sleep(0.5)  # the worker's last log lines
            tasks = task_seconds(worker.log_text(), set(sent["timed"]))
        finally:
            if worker is not None:
                worker.stop()
            after_task_publish.disconnect(remember)
            figures["redis_keys_removed"] = _common.redis_forget(
                os.environ["REDIS_URL"],
                token,
                task_ids=sent["warmup"] + sent["timed"],
                queue=queue,
            )

    n = len(paths)
    end_epoch = done["last_ready_epoch"] or done["polled_epoch"]
    pipeline_s = end_epoch - first_epoch
    ingest_loop_s = ingest_end_epoch - first_epoch
    limit_rates = {
        "thumbnail": 2 * n / (thumb_1 + thumb_2),
        "shrink_on_load": 2 * n / (shrink_1 + shrink_2),
    }
    limit_name = max(limit_rates, key=limit_rates.get)
    limit_rate = limit_rates[limit_name]
    render_rate = 2 * n / (render_1 + render_2)
    pipeline_rate = done["ready"] / pipeline_s if pipeline_s > 0 else 0.0
    ratio = pipeline_rate / limit_rate
    worker_rate = processes * len(tasks) / sum(tasks) if tasks else None
    figures.update(
        {
            "photos": n,
            "photo_width": _common.PHOTO_WIDTH,
            "photo_height": _common.PHOTO_HEIGHT,
            "photo_quality": _common.PHOTO_QUALITY,
            "photo_mb_mean": statistics.mean(sizes) / 1e6,
            "photo_mb_min": min(sizes) / 1e6,
            "photo_mb_max": max(sizes) / 1e6,
            "processes": processes,
            "warmup_photos": len(warmup_paths),
            "generation_s": generation_s,
            "pipeline_s": pipeline_s,
            "pipeline_photos_per_s": pipeline_rate,
            "pipeline_ready": done["ready"],
            "pipeline_failed": done["failed"],
            "pipeline_timed_out": done["timed_out"],
            "ingest_loop_s": ingest_loop_s,
            "ingest_photos_per_s": n / ingest_loop_s,
            "ingest_call_median_ms": statistics.median(ingest_durations) * 1000,
            "ingest_call_p95_ms": _common.percentile(ingest_durations, 0.95) * 1000,
            "drain_after_ingest_s": end_epoch - ingest_end_epoch,
            "worker_tasks_logged": len(tasks),
            "worker_task_median_ms": statistics.median(tasks) * 1000 if tasks else None,
            "worker_task_p95_ms": _common.percentile(tasks, 0.95) * 1000 if tasks else None,
            "worker_capacity_photos_per_s": worker_rate,
            "render_derivatives_photos_per_s": render_rate,
            "render_derivatives_s": [render_1, render_2],
            "limit_thumbnail_photos_per_s": limit_rates["thumbnail"],
            "limit_thumbnail_s": [thumb_1, thumb_2],
            "limit_shrink_on_load_photos_per_s": limit_rates["shrink_on_load"],
            "limit_shrink_on_load_s": [shrink_1, shrink_2],
            "limit": limit_name,
            "limit_photos_per_s": limit_rate,
            "ratio_to_limit": ratio,
            "ratio_to_thumbnail_limit": pipeline_rate / limit_rates["thumbnail"],
            "ratio_to_shrink_on_load_limit": pipeline_rate / limit_rates["shrink_on_load"],
            "ratio_render_derivatives_to_limit": render_rate / limit_rate,
            "ratio_pipeline_to_render_derivatives": pipeline_rate / render_rate,
            "target_ratio": TARGET_RATIO,
            "meets_target": ratio >= TARGET_RATIO and not done["timed_out"],
            "failures": [f"{name}: {reason}" for name, reason in done["failures"]],
            "database": database,
            "pyvips_version": _pyvips_versions()[0],
            "libvips_version": _pyvips_versions()[1],
        }
    )
    return figures


def _pyvips_versions() -> tuple[str, str]:
    import pyvips

    return pyvips.__version__, ".".join(str(pyvips.version(i)) for i in range(3))


# --- report ---------------------------------------------------------------------------------


def report(f: dict) -> None:
    def rate(value) -> str:
        return f"{value:9.2f} photos/s" if value is not None else "        – photos/s"

    lines = [
        "",
        f"Pictureday ingest benchmark — {f['photos']} photos of {f['photo_width']}×"
        f"{f['photo_height']} (JPEG q{f['photo_quality']}, {f['photo_mb_mean']:.1f} MB on average, "
        f"{f['photo_mb_min']:.1f}–{f['photo_mb_max']:.1f}), {f['processes']} CPUs",
        f"engine: libvips {f['libvips_version']} through pyvips {f['pyvips_version']} "
        "(pyvips-binary wheel: libvips and libjpeg-turbo bundled, no system libvips needed);",
        "        one decode per photo with libjpeg shrink-on-load at 1/2 scale (6000 → 3000 px, the",
        "        smallest libjpeg scale still ≥ 1600 px; 1/8 would give 750), both sizes from it",
        f"database {f['database']} (PostgreSQL {f['postgres_version']}, dropped); Celery worker: "
        f"prefork, concurrency {f['processes']}, own queue",
        f"synthetic photos generated in {f['generation_s']:.1f} s (not counted); "
        f"{f['warmup_photos']} warm-up photos processed before timing",
        "",
        f"{'pipeline: photo_ingest_file → process_photo → READY':<56}{'':>17}   target",
        f"{'  end to end (first ingest → last READY)':<56}{rate(f['pipeline_photos_per_s'])}"
        f"   ({f['pipeline_s']:.1f} s, {f['pipeline_ready']} ready, {f['pipeline_failed']} failed"
        f"{', TIMED OUT' if f['pipeline_timed_out'] else ''})",
        f"{'  limit: bare libvips, same files, pool of ' + str(f['processes']):<56}"
        f"{rate(f['limit_photos_per_s'])}   ({f['limit']})",
        f"{'  ratio pipeline / limit':<56}{f['ratio_to_limit']:9.2f}            "
        f"   ≥ {TARGET_RATIO}  {_common.verdict(f['meets_target'])}",
        "",
        "the limit, both forms (sum of a run before and a run after the pipeline)",
        f"{'  jpegload(shrink=2) → 1600 → 400 (product decode)':<56}"
        f"{rate(f['limit_shrink_on_load_photos_per_s'])}   "
        f"({f['limit_shrink_on_load_s'][0]:.1f} s + {f['limit_shrink_on_load_s'][1]:.1f} s)",
        f"{'  thumbnail(path, 1600) → 400 (full 24 MP decode)':<56}"
        f"{rate(f['limit_thumbnail_photos_per_s'])}   "
        f"({f['limit_thumbnail_s'][0]:.1f} s + {f['limit_thumbnail_s'][1]:.1f} s)",
        f"{'  ratio pipeline / thumbnail form':<56}{f['ratio_to_thumbnail_limit']:9.2f}",
        f"{'  ratio pipeline / shrink-on-load form':<56}{f['ratio_to_shrink_on_load_limit']:9.2f}",
        "",
        "breakdown",
        f"{'  ingest loop alone (this process, worker busy alongside)':<56}"
        f"{rate(f['ingest_photos_per_s'])}   (median call {f['ingest_call_median_ms']:.0f} ms, "
        f"p95 {f['ingest_call_p95_ms']:.0f} ms)",
        f"{'  worker capacity (concurrency / mean task time)':<56}"
        f"{rate(f['worker_capacity_photos_per_s'])}   "
        + (
            f"(task median {f['worker_task_median_ms']:.0f} ms, p95 "
            f"{f['worker_task_p95_ms']:.0f} ms, {f['worker_tasks_logged']} logged)"
            if f["worker_tasks_logged"]
            else "(no task lines in the worker log)"
        ),
        f"{'  render_derivatives alone in a pool (image work)':<56}"
        f"{rate(f['render_derivatives_photos_per_s'])}   "
        f"({f['render_derivatives_s'][0]:.1f} s + {f['render_derivatives_s'][1]:.1f} s)",
        f"{'  ratio render_derivatives / limit':<56}{f['ratio_render_derivatives_to_limit']:9.2f}",
        f"{'  ratio pipeline / render_derivatives':<56}"
        f"{f['ratio_pipeline_to_render_derivatives']:9.2f}",
        f"{'  queue drained after the last ingest in':<56}{f['drain_after_ingest_s']:9.1f} s",
        "",
    ]
    if f["failures"]:
        lines += ["failed photos (first 5):", *(f"  {line}" for line in f["failures"]), ""]
    print("\n".join(lines))
    _common.print_json_last(f)


# --- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=200, help="photos to ingest (default 200)")
    args = parser.parse_args(argv)
    if args.photos < 1:
        parser.error("--photos must be at least 1")

    with _common.benchmark_process("ingest") as (work, pid):
        token = _common.run_token(pid)
        figures = run(args, work, pid, token, f"{token}-photos")
    report(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
