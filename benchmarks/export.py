"""Export benchmark: one studio's full export (``studio.exports``) at season scale, the peak
memory of the worker process that builds it, and whether a restore of the ZIP into a new
studio is equal to the original.

    .venv/bin/python benchmarks/export.py [--photos 5000] [--orders 200]

Set-up (timed apart, not part of the figures): a throwaway database
``pictureday_bench_<pid>`` (``_common.throwaway_database``), one studio with
``--photos`` photos in classes of 25 children (one child tagged per photo, a class on each),
each a small real JPEG (640×480, distinct bytes and hash) in the private storage with a
thumbnail in the media storage, an approved retouched version for one photo in ten, access
codes for every child and class, and ``--orders`` paid orders placed through the services
(so the ledger has their postings), one in ten partly refunded.

Measured:

* **export**: a real Celery worker (``--pool=solo``, so the task runs in the worker process
  itself) builds the export from ``build_export``; the time is the task's own (started →
  finished on the export row), the ZIP's size, and the worker's peak resident memory: the
  kernel's high-water mark ``VmHWM`` read from ``/proc`` after the task (nothing between
  samples is missed), against its resident memory before the task;
* **round trip**: ``restore_studio_export``'s service makes a new studio from the ZIP (timed),
  and ``studio_fingerprint`` of both studios is compared: row counts per table, each photo's
  children, class, school and picture day, each order's lines, payments and refunds, and the
  SHA-256 of every original and retouched version.

The last line of stdout is one JSON object with every figure. Exit code 0 whether or not the
targets are met: this is a measurement, not a test.
"""

import argparse
import io
import os
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402  (puts the repository on sys.path, sets DJANGO_SETTINGS_MODULE)

TARGET_PEAK_RSS_MB = 150
CHILDREN_PER_CLASS = 25
BASE_IMAGES = 16
BATCH = 1000


def _jpeg(seed: int, width: int, height: int) -> bytes:
    from PIL import Image

    noise = [Image.effect_noise((width, height), 30 + (seed * 7 + band) % 25) for band in range(3)]
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", [Image.blend(n, gradient, 0.55) for n in noise])
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def seed(setup: dict, args) -> dict:
    """Rows in bulk, files through the storages, orders through the services."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage, storages
    from django.db import transaction
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from studio.access.services import access_codes_issue
    from studio.orders.services import (
        LineInput,
        order_create,
        payment_confirm,
        payment_create,
        refund_record,
    )
    from studio.photos.models import Photo, PhotoStatus, PhotoVersion, RetouchStatus
    from studio.schools.models import SchoolClass, Student

    shoot, school = setup["shoot"], setup["school"]
    originals = [_jpeg(i, 640, 480) for i in range(BASE_IMAGES)]
    thumbs = [_jpeg(i, 160, 120) for i in range(BASE_IMAGES)]
    with schema_context(setup["schema"]):
        private, media = storages["originals"], default_storage
        n_children = max(1, (args.photos + 1) // 2)
        n_classes = max(1, -(-n_children // CHILDREN_PER_CLASS))
        classes = SchoolClass.objects.bulk_create(
            SchoolClass(school=school, name=f"{1 + i // 4}{'ABCD'[i % 4]}", school_year="2026-2027")
            for i in range(n_classes)
        )
        children = Student.objects.bulk_create(
            Student(
                school_class=classes[i // CHILDREN_PER_CLASS],
                first_name=f"Child{i}",
                last_name=f"Family{i % 97}",
            )
            for i in range(n_children)
        )
        photos, file_bytes = [], 0
        for i in range(args.photos):
            data = _common.jpeg_with_comment(originals[i % BASE_IMAGES], f"photo {i}".encode())
            thumb = _common.jpeg_with_comment(thumbs[i % BASE_IMAGES], f"thumb {i}".encode())
            name = private.save(
                f"originals/shoot-{shoot.pk}/{uuid.uuid4().hex}.jpg", ContentFile(data)
            )
            thumb_name = media.save(f"derived/shoot-{shoot.pk}/thumb-{i}.jpg", ContentFile(thumb))
            file_bytes += len(data) + len(thumb)
            child = children[i % n_children]
            photos.append(
                Photo(
                    shoot=shoot,
                    school_class_id=child.school_class_id,
                    original=name,
                    original_name=f"IMG_{i:05d}.jpg",
                    content_hash=_sha256(data),
                    size_bytes=len(data),
                    photographer=setup["photographer"],
                    status=PhotoStatus.READY,
                    processed_at=timezone.now(),
                    width=640,
                    height=480,
                    thumbnail=thumb_name,
                )
            )
        for start in range(0, len(photos), BATCH):
            Photo.objects.bulk_create(photos[start : start + BATCH])
        Through = Photo.students.through
        Through.objects.bulk_create(
            (
                Through(photo_id=p.pk, student_id=children[i % n_children].pk)
                for i, p in enumerate(photos)
            ),
            batch_size=BATCH,
        )
        versions = []
        for i, photo in enumerate(photos[::10]):
            data = _common.jpeg_with_comment(
                originals[(i + 3) % BASE_IMAGES], f"retouched {i}".encode()
            )
            name = private.save(
                f"versions/photo-{photo.pk}/{uuid.uuid4().hex}.jpg", ContentFile(data)
            )
            file_bytes += len(data)
            versions.append(
                PhotoVersion(
                    photo=photo,
                    number=1,
                    file=name,
                    file_name=photo.original_name,
                    content_hash=_sha256(data),
                    uploaded_by=setup["retoucher"],
                )
            )
        PhotoVersion.objects.bulk_create(versions, batch_size=BATCH)
        for version in versions:
            version.photo.approved_version = version
            version.photo.retouch_status = RetouchStatus.APPROVED
        Photo.objects.bulk_update(
            [v.photo for v in versions], ["approved_version", "retouch_status"], batch_size=BATCH
        )
        with transaction.atomic():
            access_codes_issue(shoot=shoot)
        for i in range(args.orders):
            photo = photos[(i * 7) % len(photos)]
            child = children[(i * 7) % n_children]
            with transaction.atomic():  # the money events run on commit, as in production
                order = order_create(
                    lines=[
                        LineInput(
                            description="Digital file",
                            kind="digital",
                            quantity=1,
                            unit_price=Decimal("4.00"),
                            gross=Decimal("4.00"),
                            net=Decimal("4.00"),
                            child_id=child.pk,
                            photo_id=photo.pk,
                        ),
                        LineInput(
                            description="Print 13×18",
                            kind="print",
                            quantity=2,
                            unit_price=Decimal("5.00"),
                            gross=Decimal("10.00"),
                            net=Decimal("10.00"),
                            child_id=child.pk,
                            photo_id=photo.pk,
                            print_size="13x18",
                        ),
                    ],
                    currency="EUR",
                    email=f"parent{i}@{setup['schema']}.test",
                    payment_method="bank_transfer",
                    idempotency_key=f"bench-{i}",
                )
                payment_confirm(payment=payment_create(order=order, provider="bank_transfer"))
            if i % 10 == 0:
                with transaction.atomic():
                    order.refresh_from_db()
                    refund_record(order=order, amount=Decimal("3.00"), reason="bench")
    return {
        "photos": len(photos),
        "versions": len(versions),
        "children": n_children,
        "classes": n_classes,
        "orders": args.orders,
        "seed_file_mb": file_bytes / 2**20,
    }


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _proc_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def run(args, work: Path, pid: int, token: str) -> dict:
    from saas_platform.celery import app

    other_queue, export_queue = f"{token}-other", f"{token}-export"
    app.conf.task_default_queue = other_queue  # e-mails of the seeding: never run, removed
    figures: dict = {}
    task_ids: list[str] = []
    try:
        _run_in_database(args, work, pid, token, figures, task_ids, export_queue)
    finally:
        figures["redis_keys_removed"] = _common.redis_forget(
            os.environ["REDIS_URL"], token, task_ids=task_ids, queue=export_queue
        ) + _common.redis_forget(os.environ["REDIS_URL"], token, queue=other_queue)
    return figures


def _run_in_database(args, work, pid, token, figures, task_ids, export_queue) -> None:
    from django.db import connections
    from django_tenants.utils import schema_context

    from studio.exports.models import ExportStatus, StudioExport
    from studio.exports.restore import studio_restore
    from studio.exports.selectors import studio_fingerprint
    from studio.exports.tables import PRIVATE, storage_for
    from studio.exports.tasks import build_export

    with _common.throwaway_database(pid) as (_database, child_database_url):
        os.environ["DATABASE_URL"] = child_database_url
        figures["postgres_version"] = _common.server_version()
        setup = _common.studio_with_shoot(token)
        _common.progress(f"seeding {args.photos} photos, {args.orders} orders …")
        started = time.perf_counter()
        figures["seed"] = seed(setup, args)
        figures["seed_s"] = time.perf_counter() - started
        schema = setup["schema"]
        worker = None
        try:
            _common.progress("starting the Celery worker (solo pool) …")
            worker = _common.Child(
                [
                    "celery", "-A", "saas_platform", "worker",
                    "--pool=solo", "-Q", export_queue,
                    "-n", f"{token}@%h", "--loglevel=INFO",
                    "--without-gossip", "--without-mingle", "--without-heartbeat",
                ],
                work / "celery.log",
                _common.child_env(child_database_url),
            )  # fmt: skip
            _common.wait_for_log(worker, " ready.", timeout=90)
            time.sleep(1)
            baseline_kb = _proc_kb(worker.pid, "VmRSS")
            with schema_context(schema):
                export = StudioExport.objects.create(created_by=setup["owner"])
            _common.progress("exporting …")
            wall = time.perf_counter()
            result = build_export.apply_async(args=[export.pk], schema=schema, queue=export_queue)
            task_ids.append(result.id)
            with schema_context(schema):
                while True:
                    export.refresh_from_db()
                    if export.status in (ExportStatus.READY, ExportStatus.FAILED):
                        break
                    if worker.process.poll() is not None:
                        raise RuntimeError(f"worker died:\n{worker.log_text()}")
                    time.sleep(0.2)
            figures["export_wall_s"] = time.perf_counter() - wall
            if export.status != ExportStatus.READY:
                raise RuntimeError(f"export failed: {export.error}\n{worker.log_text()}")
            time.sleep(0.3)
            figures["peak_rss_mb"] = _proc_kb(worker.pid, "VmHWM") / 1024
            figures["baseline_rss_mb"] = baseline_kb / 1024
            figures["after_rss_mb"] = _proc_kb(worker.pid, "VmRSS") / 1024
        finally:
            if worker is not None:
                worker.stop()
        figures["export_s"] = (export.finished_at - export.started_at).total_seconds()
        figures["zip_mb"] = export.size_bytes / 2**20
        figures["export_steps"] = export.total
        with schema_context(schema):
            archive = storage_for(PRIVATE).path(export.file_name)
        connections.close_all()
        _common.progress("restoring into a new studio …")
        started = time.perf_counter()
        restored = studio_restore(archive=archive, slug=f"{token}r")
        figures["restore_s"] = time.perf_counter() - started
        _common.progress("comparing the two studios …")
        started = time.perf_counter()
        with schema_context(schema):
            original = studio_fingerprint()
        with schema_context(restored.studio.schema_name):
            copy = studio_fingerprint()
        figures["compare_s"] = time.perf_counter() - started
        figures["rows"] = sum(original["counts"].values())
        figures["tables"] = len(original["counts"])
        figures["files_compared"] = len(original["photos"]) + len(original["versions"])
        figures["round_trip_equal"] = original == copy and len(copy["photos"]) == args.photos
        if not figures["round_trip_equal"]:
            differing = [key for key in original if original[key] != copy[key]]
            figures["differing"] = differing


def report(f: dict) -> None:
    seed_info = f["seed"]
    lines = [
        "",
        f"Export of one studio: {f['photos']} photos ({seed_info['versions']} retouched), "
        f"{seed_info['children']} children in {seed_info['classes']} classes, "
        f"{seed_info['orders']} orders; PostgreSQL {f['postgres_version']}",
        f"{'seeding (not measured)':<48}{f['seed_s']:10.1f} s",
        f"{'export task (started → finished)':<48}{f['export_s']:10.1f} s",
        f"{'  as seen by the caller (queue included)':<48}{f['export_wall_s']:10.1f} s",
        f"{'ZIP size':<48}{f['zip_mb']:10.1f} MB   ({f['rows']} rows in {f['tables']} tables)",
        f"{'worker peak RSS (VmHWM, solo pool)':<48}{f['peak_rss_mb']:10.1f} MB   < "
        f"{TARGET_PEAK_RSS_MB} MB  {_common.verdict(f['peak_rss_mb'] < TARGET_PEAK_RSS_MB)}",
        f"{'  before the task / after':<48}{f['baseline_rss_mb']:10.1f} / {f['after_rss_mb']:.1f} MB",
        f"{'restore into a new studio':<48}{f['restore_s']:10.1f} s",
        f"{'round trip equal (counts, relations, hashes)':<48}{str(f['round_trip_equal']):>10}"
        f"   ({f['files_compared']} files hashed on each side)",
        "",
    ]
    print("\n".join(lines))
    _common.print_json_last(
        {
            "photos": f["photos"],
            "export_s": f["export_s"],
            "peak_rss_mb": f["peak_rss_mb"],
            "round_trip_equal": f["round_trip_equal"],
            "export_wall_s": f["export_wall_s"],
            "zip_mb": f["zip_mb"],
            "baseline_rss_mb": f["baseline_rss_mb"],
            "after_rss_mb": f["after_rss_mb"],
            "restore_s": f["restore_s"],
            "rows": f["rows"],
            "tables": f["tables"],
            "orders": f["seed"]["orders"],
            "retouched": f["seed"]["versions"],
            "target_peak_rss_mb": TARGET_PEAK_RSS_MB,
            "meets_rss_target": f["peak_rss_mb"] < TARGET_PEAK_RSS_MB,
            "seed_s": f["seed_s"],
            "postgres_version": f["postgres_version"],
            **({"differing": f["differing"]} if "differing" in f else {}),
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=5000, help="photos (default 5000)")
    parser.add_argument("--orders", type=int, default=200, help="paid orders (default 200)")
    args = parser.parse_args(argv)
    if args.photos < 1 or args.orders < 1:
        parser.error("--photos and --orders must be at least 1")
    with _common.benchmark_process("export") as (work, pid):
        token = _common.run_token(pid)
        figures = run(args, work, pid, token)
        figures["photos"] = figures["seed"]["photos"]
    report(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
