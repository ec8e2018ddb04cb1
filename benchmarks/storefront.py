"""Storefront benchmark: how many parents' gallery pages per second the real stack serves,
against a trivial view on the same stack in the same run, and whether the gallery's SQL
query count stays the same however many photos a child has.

    .venv/bin/python benchmarks/storefront.py [--parents 200] [--duration 20]

Set-up (not timed): a throwaway database ``pictureday_bench_<pid>`` on the server
``saas_platform.settings.dev`` uses (migrated with ``migrate_platform``, dropped at the end),
and in it one studio with a published picture day of 30 classes × 25 children × 40 photos
(30,000 photos, each tagged with its child and class) plus 2 group photos per class and one
extra child with 10 photos. Photo rows are bulk-inserted as READY and share one small real
thumbnail and one preview file (the image pipeline is not run: ``ingest.py`` measures it);
codes are issued by ``access_codes_issue``. The tables are ANALYZEd, as autovacuum would.

Measured:

* SQL queries per gallery page, in this process (``CaptureQueriesContext``, warm session and
  host caches) for the child with 10 photos and a child with 40: they must be equal;
* the server: gunicorn as the production image runs it (gthread, ``--threads 8``), with
  workers = os.cpu_count(), DEBUG off, media on local disk; the code entry trusts one proxy
  (``TRUSTED_PROXY_COUNT=1``) so each parent has an address of its own;
* the load: a second process (``_load.py``, asyncio, standard library) with N parents, each
  with a session of its own opened by POSTing one child's code (with the CSRF token) to the
  code entry, keep-alive connections, ``Host: <slug>.localhost``. Three phases, each a warm-up
  then ``--duration`` seconds:
    1. the limit: the health check ``/healthz`` (one ``SELECT 1``) on the studio's host, with
       the parent's session cookie, so the same middleware (tenant, session, CSRF, auth) runs;
       closed loop (each parent sends its next request when the last one is answered);
    2. the gallery page ``/gallery/``, closed loop;
    3. browsing: the gallery page and two of its thumbnails (the signed links that page
       handed out, answered by the image handler in front of Django), then a think time
       drawn so that the parents together ask for half the gallery pages phase 2 served per
       second.
  The three phases run ``--rounds`` times (3) in turn; every figure is the median of the
  rounds (the machine is shared and noisy), and the load average is read after each phase.
  In a closed loop with N parents, latency is N / throughput by Little's law (queueing, not
  the view), so the p95 target is judged at the paced load of phase 3; phase 1 and 2
  latencies are printed for comparison. The CPU seconds the gunicorn workers spend per
  request are read from /proc around each phase (``gallery_cpu_ratio`` = trivial CPU ÷
  gallery CPU per request, a ratio other processes disturb less than req/s); the load
  generator's own CPU is reported too (it runs on the same machine).

The last line of stdout is one JSON object with every figure. Exit code 0 whether or not the
targets are met: this is a measurement, not a test.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402  (puts the repository on sys.path, sets DJANGO_SETTINGS_MODULE)

CLASSES = 30
CHILDREN_PER_CLASS = 25
PHOTOS_PER_CHILD = 40
GROUP_PHOTOS_PER_CLASS = 2
FEW_PHOTOS = 10
GUNICORN_THREADS = 8
TARGET_RATIO = 0.5
TARGET_P95_MS = 150
TARGET_CPU_RATIO = 0.5
TARGET_THUMBNAIL_P95_MS = 50
PACED_FRACTION = 0.5
LOAD_SCRIPT = Path(__file__).resolve().parent / "_load.py"


# --- seeding --------------------------------------------------------------------------------


def small_jpegs() -> tuple[bytes, bytes]:
    """A real 400 px thumbnail and 1600 px preview, cut from one synthetic photo."""
    import pyvips

    image = pyvips.Image.new_from_buffer(_common.synthetic_jpeg(1), "")
    preview = image.thumbnail_image(1600).jpegsave_buffer(Q=85)
    thumb = image.thumbnail_image(400).jpegsave_buffer(Q=80)
    return thumb, preview


def seed(setup: dict) -> dict:
    """Classes, children, 30,000 READY photo rows (bulk) with their child tags, a published
    picture day and its codes. Returns the codes of the parents and of the query probes."""
    from django.core.files.storage import default_storage
    from django.db import connection, transaction
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from studio.access.models import AccessCode, AccessCodeKind
    from studio.access.services import access_codes_issue
    from studio.photos.models import Photo, PhotoStatus
    from studio.schools.models import SchoolClass, Student
    from studio.schools.roster import current_school_year

    shoot, school = setup["shoot"], setup["school"]
    thumb, preview = small_jpegs()
    now = timezone.now()
    with schema_context(setup["schema"]), transaction.atomic():
        # media storage is per studio: save inside the studio's schema
        thumb_name = default_storage.save(f"derived/shoot-{shoot.pk}/bench-thumb.jpg", _file(thumb))
        preview_name = default_storage.save(
            f"derived/shoot-{shoot.pk}/bench-preview.jpg", _file(preview)
        )
        year = current_school_year(shoot.date)
        classes = SchoolClass.objects.bulk_create(
            SchoolClass(school=school, name=f"{1 + i // 3}{'ABC'[i % 3]}-{i:02d}", school_year=year)
            for i in range(CLASSES)
        )
        children = Student.objects.bulk_create(
            Student(school_class=cls, first_name=f"Child{c:02d}", last_name=f"Class{k:02d}")
            for k, cls in enumerate(classes)
            for c in range(CHILDREN_PER_CLASS)
        )
        few = Student.objects.create(school_class=classes[0], first_name="Few", last_name="Photos")
        counter = iter(range(10**9))

        def photo(cls, name, group=False):
            n = next(counter)
            return Photo(
                shoot=shoot,
                school_class=cls,
                is_group=group,
                original=f"originals/shoot-{shoot.pk}/bench-{n}.jpg",
                original_name=name,
                content_hash=f"{n:064x}",
                size_bytes=8_500_000,
                photographer=setup["photographer"],
                status=PhotoStatus.READY,
                processed_at=now,
                width=6000,
                height=4000,
                thumbnail=thumb_name,
                preview=preview_name,
            )

        tagged = [
            (child, photo(child.school_class, f"IMG_{child.pk:04d}_{p:02d}.jpg"))
            for child in children
            for p in range(PHOTOS_PER_CHILD)
        ]
        tagged += [(few, photo(few.school_class, f"FEW_{p:02d}.jpg")) for p in range(FEW_PHOTOS)]
        groups = [
            photo(cls, f"GROUP_{k:02d}_{g}.jpg", group=True)
            for k, cls in enumerate(classes)
            for g in range(GROUP_PHOTOS_PER_CLASS)
        ]
        Photo.objects.bulk_create([p for _, p in tagged] + groups, batch_size=5000)
        Through = Photo.students.through
        Through.objects.bulk_create(
            (Through(photo_id=p.pk, student_id=child.pk) for child, p in tagged), batch_size=10000
        )
        shoot.status = "published"
        shoot.save(update_fields=["status"])
        issued = access_codes_issue(shoot=shoot)
        codes = dict(
            AccessCode.objects.filter(kind=AccessCodeKind.STUDENT).values_list("student_id", "code")
        )
    with schema_context(setup["schema"]), connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "children": [codes[child.pk] for child in children],
        "many": codes[children[CHILDREN_PER_CLASS].pk],  # a child of the second class
        "few": codes[few.pk],
        "photos": len(tagged) + len(groups),
        "child_photos": len(tagged),
        "group_photos": len(groups),
        "students": len(children) + 1,
        "codes_issued": issued.classes + issued.students,
        "thumb_bytes": len(thumb),
        "preview_bytes": len(preview),
    }


def _file(data: bytes):
    from django.core.files.base import ContentFile

    return ContentFile(data)


# --- queries per page -----------------------------------------------------------------------


def gallery_queries(host: str, code: str) -> dict:
    """The SQL of one gallery page in this process, for a parent who opened ``code``, once
    the session and host caches are warm (as for every page after the first)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=host)
    response = client.post("/access/", {"code": code})
    assert response.status_code == 302, response.status_code
    client.get("/gallery/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/gallery/")
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    return {
        "queries": len(captured.captured_queries),
        "thumbnails_on_page": page.count('<img src="/images/'),
        "sql": [q["sql"] for q in captured.captured_queries],
    }


# --- the server and the load ----------------------------------------------------------------


def worker_cpu_seconds(master_pid: int) -> float:
    """utime + stime of the gunicorn master's children (all their threads), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:  # fields[1] is the ppid
            total += int(fields[11]) + int(fields[12])
    return total / tick


def load(spec: dict, work: Path, name: str, timeout: float) -> dict:
    return _common.run_load(LOAD_SCRIPT, spec, work, name, timeout)


def summarise(result: dict, kind: str) -> dict:
    values = result["samples"].get(kind, [])
    statuses = result["statuses"].get(kind, {})
    ok = statuses.get("200", 0)
    return {
        "requests": len(values),
        "rps": len(values) / result["duration"],
        "ok_rps": ok / result["duration"],
        "non_200": len(values) - ok,
        "p50_ms": _common.percentile(values, 0.5) * 1000 if values else None,
        "p95_ms": _common.percentile(values, 0.95) * 1000 if values else None,
        "p99_ms": _common.percentile(values, 0.99) * 1000 if values else None,
        "mean_ms": statistics.mean(values) * 1000 if values else None,
    }


def phase(spec: dict, work: Path, name: str, master_pid: int) -> dict:
    _common.progress(f"phase {name}: {spec['warmup']:g} s warm-up + {spec['duration']:g} s …")
    before = worker_cpu_seconds(master_pid)
    result = load(spec, work, name, timeout=spec["warmup"] + spec["duration"] + 120)
    server_cpu = worker_cpu_seconds(master_pid) - before
    result["server_cpu_s"] = server_cpu
    result["server_cpu_ms_per_request"] = server_cpu / max(result["requests_total"], 1) * 1000
    result["load_average"] = os.getloadavg()
    _common.progress(
        f"  {result['requests_total']} requests, server CPU "
        f"{result['server_cpu_ms_per_request']:.2f} ms/request, load average "
        + " ".join(f"{v:.2f}" for v in result["load_average"])
    )
    return result


def median_summary(summaries: list[dict]) -> dict:
    """Field by field, the median of the rounds' summaries."""
    return {
        key: statistics.median(values)
        if (values := [s[key] for s in summaries if s[key] is not None])
        else None
        for key in summaries[0]
    }


def run(args, work: Path, pid: int, token: str) -> dict:
    figures: dict = {}
    cpus = os.cpu_count() or 1
    with _common.throwaway_database(pid) as (database, child_database_url):
        from django.db import connections

        os.environ["DATABASE_URL"] = child_database_url
        figures["postgres_version"] = _common.server_version()
        figures["database"] = database
        setup = _common.studio_with_shoot(token)
        _common.progress("seeding classes, children, photos and codes …")
        started = time.perf_counter()
        seeded = seed(setup)
        figures["seed_s"] = time.perf_counter() - started
        figures.update({k: v for k, v in seeded.items() if k not in {"children", "many", "few"}})

        _common.progress("counting the gallery's queries …")
        many = gallery_queries(setup["host"], seeded["many"])
        few = gallery_queries(setup["host"], seeded["few"])
        connections.close_all()

        port = _common.free_port()
        server = None
        try:
            _common.progress(f"starting gunicorn ({cpus} workers × {GUNICORN_THREADS} threads) …")
            server = _common.Child(
                _common.gunicorn_gthread(port, cpus, GUNICORN_THREADS),
                work / "gunicorn.log",
                _common.child_env(child_database_url, TRUSTED_PROXY_COUNT="1"),
            )
            _common.wait_for_port(port, server)
            base = {"address": "127.0.0.1", "port": port, "host": setup["host"]}
            step = max(1, len(seeded["children"]) // args.parents)
            codes = seeded["children"][::step][: args.parents]
            _common.progress(f"{len(codes)} parents enter their codes …")
            logged_in = load({**base, "action": "login", "codes": codes}, work, "login", 300)
            parents = logged_in["parents"]
            thumbs = {len(p["thumbs"]) for p in parents}
            common = {**base, "action": "run", "parents": parents, "warmup": args.warmup}
            rounds = []
            load_before = os.getloadavg()
            for number in range(1, args.rounds + 1):
                trivial = phase(
                    {**common, "mode": "trivial", "duration": args.duration},
                    work,
                    f"trivial-{number}",
                    server.pid,
                )
                gallery = phase(
                    {**common, "mode": "gallery", "duration": args.duration},
                    work,
                    f"gallery-{number}",
                    server.pid,
                )
                gallery_rps = summarise(gallery, "gallery")["ok_rps"]
                think = len(parents) / max(gallery_rps * PACED_FRACTION, 1e-6)
                browse = phase(
                    {**common, "mode": "browse", "duration": args.duration, "think": think},
                    work,
                    f"browse-{number}",
                    server.pid,
                )
                rounds.append(
                    {"trivial": trivial, "gallery": gallery, "browse": browse, "think": think}
                )
        finally:
            if server is not None:
                server.stop()
            figures["redis_keys_removed"] = _common.redis_forget(os.environ["REDIS_URL"], token)

    per_round = []
    for r in rounds:
        t, g = summarise(r["trivial"], "trivial"), summarise(r["gallery"], "gallery")
        bg, bt = summarise(r["browse"], "gallery"), summarise(r["browse"], "thumbnail")
        cpu = {k: r[k]["server_cpu_ms_per_request"] for k in ("trivial", "gallery", "browse")}
        per_round.append(
            {
                "trivial": t,
                "gallery": g,
                "browse_gallery": bg,
                "browse_thumbnail": bt,
                "think_s": r["think"],
                "ratio": g["ok_rps"] / t["ok_rps"] if t["ok_rps"] else 0.0,
                "cpu_ms": cpu,
                "cpu_ratio": cpu["trivial"] / cpu["gallery"] if cpu["gallery"] else 0.0,
                "load_average": {k: r[k]["load_average"] for k in ("trivial", "gallery", "browse")},
            }
        )
    t = median_summary([r["trivial"] for r in per_round])
    g = median_summary([r["gallery"] for r in per_round])
    bg = median_summary([r["browse_gallery"] for r in per_round])
    bt = median_summary([r["browse_thumbnail"] for r in per_round])
    ratio = statistics.median(r["ratio"] for r in per_round)
    cpu_ratio = statistics.median(r["cpu_ratio"] for r in per_round)
    cpu_ms = {
        kind: statistics.median(r["cpu_ms"][kind] for r in per_round)
        for kind in ("trivial", "gallery", "browse")
    }
    client_cpu = {
        kind: statistics.median(r[kind]["client_cpu_s"] for r in rounds) / args.duration
        for kind in ("trivial", "gallery", "browse")
    }
    loads = [r["load_average"][k][0] for r in per_round for k in ("trivial", "gallery", "browse")]
    think = statistics.median(r["think"] for r in rounds)
    equal = many["queries"] == few["queries"]
    phases = [r[k] for r in rounds for k in ("trivial", "gallery", "browse")]
    errors = sum(p["error_count"] for p in phases)
    non_200 = sum(
        r[k]["non_200"]
        for r in per_round
        for k in ("trivial", "gallery", "browse_gallery", "browse_thumbnail")
    )
    meets_ratio = ratio >= TARGET_RATIO
    meets_cpu_ratio = cpu_ratio >= TARGET_CPU_RATIO
    meets_p95 = bg["p95_ms"] is not None and bg["p95_ms"] < TARGET_P95_MS
    meets_thumb = bt["p95_ms"] is not None and bt["p95_ms"] < TARGET_THUMBNAIL_P95_MS
    figures.update(
        {
            "cpus": cpus,
            "gunicorn_workers": cpus,
            "gunicorn_threads": GUNICORN_THREADS,
            "parents": len(parents),
            "thumbnails_per_parent": sorted(thumbs),
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "rounds": args.rounds,
            "queries_gallery_few": few["queries"],
            "queries_gallery_many": many["queries"],
            "thumbnails_shown_few": few["thumbnails_on_page"],
            "thumbnails_shown_many": many["thumbnails_on_page"],
            "queries_equal": equal,
            "trivial": t,
            "gallery": g,
            "browse_gallery": bg,
            "browse_thumbnail": bt,
            "browse_think_mean_s": think,
            "trivial_server_cpu_ms_per_request": cpu_ms["trivial"],
            "gallery_server_cpu_ms_per_request": cpu_ms["gallery"],
            "browse_server_cpu_ms_per_request": cpu_ms["browse"],
            "trivial_client_cpu_share": client_cpu["trivial"],
            "gallery_client_cpu_share": client_cpu["gallery"],
            "browse_client_cpu_share": client_cpu["browse"],
            "load_average_before": list(load_before),
            "load_average_1min_during": loads,
            "per_round": per_round,
            "transport_errors": errors,
            "non_200_responses": non_200,
            "error_samples": [e for p in phases for e in p["errors"]][:5],
            "ratio_gallery_to_trivial_rps": ratio,
            "gallery_ratio": ratio,
            "gallery_cpu_ratio": cpu_ratio,
            "gallery_p95_ms": bg["p95_ms"],
            "thumbnail_p95_ms": bt["p95_ms"],
            "target_ratio": TARGET_RATIO,
            "target_cpu_ratio": TARGET_CPU_RATIO,
            "target_p95_ms": TARGET_P95_MS,
            "target_thumbnail_p95_ms": TARGET_THUMBNAIL_P95_MS,
            "meets_ratio_target": meets_ratio,
            "meets_cpu_ratio_target": meets_cpu_ratio,
            "meets_p95_target": meets_p95,
            "meets_thumbnail_target": meets_thumb,
            "meets_query_target": equal,
            "meets_target": meets_ratio
            and meets_cpu_ratio
            and meets_p95
            and meets_thumb
            and equal
            and not errors
            and not non_200,
            "gallery_sql_many": many["sql"],
        }
    )
    return figures


# --- report ---------------------------------------------------------------------------------


def report(f: dict) -> None:
    def ms(value) -> str:
        return f"{value:8.1f}" if value is not None else "       –"

    def row(label: str, s: dict) -> str:
        return (
            f"  {label:<34}{s['ok_rps']:9.1f}  {ms(s['p50_ms'])}  {ms(s['p95_ms'])}  "
            f"{ms(s['p99_ms'])}  {s['requests']:8d}"
        )

    lines = [
        "",
        f"Pictureday storefront benchmark — {f['photos']} photos ({CLASSES} classes × "
        f"{CHILDREN_PER_CLASS} children × {PHOTOS_PER_CHILD} + {f['group_photos']} group "
        f"+ {FEW_PHOTOS}), {f['students']} children, {f['codes_issued']} codes",
        f"database {f['database']} (PostgreSQL {f['postgres_version']}, dropped); seeded in "
        f"{f['seed_s']:.1f} s",
        f"gunicorn gthread: {f['gunicorn_workers']} workers (= CPUs) × {f['gunicorn_threads']} "
        f"threads, DEBUG off; {f['parents']} parents, each its own session and connection; "
        f"{f['warmup_s']:g} s warm-up + {f['duration_s']:g} s per phase, {f['rounds']} rounds "
        "(figures: the median of the rounds)",
        "load average (1 min) before "
        f"{f['load_average_before'][0]:.2f}, after each phase "
        + " ".join(f"{v:.2f}" for v in f["load_average_1min_during"])
        + f" on {f['cpus']} CPUs",
        "",
        "SQL queries per gallery page (in process, warm caches)        target: equal",
        f"  child with {FEW_PHOTOS} photos ({f['thumbnails_shown_few']} thumbnails shown)"
        f"{f['queries_gallery_few']:>20}",
        f"  child with {PHOTOS_PER_CHILD} photos ({f['thumbnails_shown_many']} thumbnails shown)"
        f"{f['queries_gallery_many']:>20}   {_common.verdict(f['meets_query_target'])}",
        "",
        f"  {'':<34}{'req/s':>9}  {'p50 ms':>8}  {'p95 ms':>8}  {'p99 ms':>8}  {'requests':>8}",
        "closed loop (saturation)",
        row("trivial /healthz (the limit)", f["trivial"]),
        row("gallery /gallery/", f["gallery"]),
        f"paced: page + 2 thumbnails, think {f['browse_think_mean_s']:.2f} s "
        f"(≈ {PACED_FRACTION:.0%} of the gallery's capacity)",
        row("gallery /gallery/", f["browse_gallery"]),
        row("thumbnail (signed link, no Django)", f["browse_thumbnail"]),
        "",
        f"{'ratio gallery / trivial req/s (closed loop)':<50}"
        f"{f['ratio_gallery_to_trivial_rps']:8.2f}   ≥ {TARGET_RATIO}  "
        f"{_common.verdict(f['meets_ratio_target'])}",
        f"{'gallery p95 at the paced load':<50}{ms(f['browse_gallery']['p95_ms'])} ms "
        f"< {TARGET_P95_MS} ms  {_common.verdict(f['meets_p95_target'])}",
        f"{'  (closed-loop p95 ≈ parents / throughput: queueing)':<50}"
        f"{ms(f['gallery']['p95_ms'])} ms",
        f"{'thumbnail p95 at the paced load':<50}{ms(f['thumbnail_p95_ms'])} ms "
        f"< {TARGET_THUMBNAIL_P95_MS} ms  {_common.verdict(f['meets_thumbnail_target'])}",
        f"{'server CPU trivial / gallery per request':<50}{f['gallery_cpu_ratio']:8.2f}   "
        f"≥ {TARGET_CPU_RATIO}  {_common.verdict(f['meets_cpu_ratio_target'])}",
        "",
        "per round: ratio req/s, ratio CPU, paced gallery p95, thumbnail p95",
        *(
            f"  {i}: {r['ratio']:.2f}  {r['cpu_ratio']:.2f}  {ms(r['browse_gallery']['p95_ms'])} ms"
            f"  {ms(r['browse_thumbnail']['p95_ms'])} ms"
            for i, r in enumerate(f["per_round"], start=1)
        ),
        "",
        "server CPU per request (gunicorn workers, /proc)     "
        f"trivial {f['trivial_server_cpu_ms_per_request']:.2f} ms, "
        f"gallery {f['gallery_server_cpu_ms_per_request']:.2f} ms, "
        f"paced mix {f['browse_server_cpu_ms_per_request']:.2f} ms",
        "load generator's own CPU (same machine)            "
        f"trivial {f['trivial_client_cpu_share']:.0%}, gallery {f['gallery_client_cpu_share']:.0%}"
        f", paced {f['browse_client_cpu_share']:.0%} of one core",
        f"transport errors {f['transport_errors']}, non-200 responses {f['non_200_responses']}; "
        f"overall {_common.verdict(f['meets_target'])}",
        "",
    ]
    if f["error_samples"]:
        lines += ["errors (first 5):", *(f"  {e}" for e in f["error_samples"]), ""]
    print("\n".join(lines))
    _common.print_json_last({k: v for k, v in f.items() if k != "gallery_sql_many"})


# --- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parents", type=int, default=200, help="concurrent parents (200)")
    parser.add_argument("--duration", type=float, default=20, help="seconds per phase (20)")
    parser.add_argument("--warmup", type=float, default=4, help="warm-up seconds (4)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the phases (3)")
    parser.add_argument("--show-sql", action="store_true", help="print the gallery's SQL")
    args = parser.parse_args(argv)
    if not 1 <= args.parents <= CLASSES * CHILDREN_PER_CLASS:
        parser.error(f"--parents must be 1..{CLASSES * CHILDREN_PER_CLASS}")

    with _common.benchmark_process("storefront") as (work, pid):
        figures = run(args, work, pid, _common.run_token(pid))
    if args.show_sql:
        print("\n".join(["", "gallery SQL (child with 40 photos):", *figures["gallery_sql_many"]]))
    report(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
