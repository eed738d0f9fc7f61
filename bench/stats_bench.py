"""Statistics at scale: synthetic learners, then the dashboard and the municipality-level export, timed.

    python -m bench.stats_bench --learners 100000      # 4 countries, 60 regions, 400 municipalities, 3 courses
    BENCH_DATABASE_URL=postgresql://… python -m bench.stats_bench

Builds a fresh database (a temporary SQLite file, and PostgreSQL when BENCH_DATABASE_URL is set: its tables are
dropped and recreated), fills it with ``recosa_learn.stats.demo.generate`` (bulk executemany batches) and prints:
time of the dashboard at country, region and municipality level computed live and read from a statistics snapshot
(with the time ``flask stats refresh`` takes to compute one), and of the full municipality-level CSV export and the
learner-level CSV export, with peak Python allocations (tracemalloc) and the process's peak RSS.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

COUNTRIES = ("MA", "CI", "ML", "SN")


def _rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


def _measure(label: str, fn, memory: bool = False):
    """Time ``fn`` twice (cold, then warm caches) without tracing; with ``memory``, a third run under tracemalloc."""
    times, result = [], None
    for _ in range(2):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    line = f"  {label:<44} {times[1]:9.1f} ms (cold {times[0]:8.1f} ms)"
    if memory:
        tracemalloc.start()
        fn()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        line += f"   peak Python alloc {peak / 1e6:6.2f} MB   peak RSS {_rss_mb():7.1f} MB"
    print(line)
    return result


def build(learners: int, max_attempts: int, seed: int) -> None:
    """Places, courses and learners (inside an app context)."""
    from sqlalchemy import insert

    from recosa_learn.content.models import Activity, Course, CourseVersion, Module
    from recosa_learn.extensions import db
    from recosa_learn.places.models import Country, Municipality, Region
    from recosa_learn.stats import demo

    db.session.execute(insert(Country.__table__), [
        {"code": cc, "name_fr": cc, "name_en": cc, "name_ar": cc, "default_language": "fr", "languages": "fr",
         "region_label_fr": "Région", "region_label_en": "Region", "region_label_ar": "جهة", "position": i}
        for i, cc in enumerate(COUNTRIES)])
    regions, towns, town_rows = [], [], []
    for c, cc in enumerate(COUNTRIES):
        for r in range(15):
            rid = c * 15 + r + 1
            regions.append({"id": rid, "code": f"{cc}-R{r:02d}", "country_code": cc, "is_active": True,
                            "name_fr": f"Région {cc}{r}", "name_en": f"Region {cc}{r}", "name_ar": f"{cc}{r}"})
    now = datetime.now(UTC)
    for m in range(400):
        region = regions[m % 60]
        town_rows.append({"id": m + 1, "code": f"{region['code']}-M{m:03d}", "region_id": region["id"],
                          "is_active": True, "name_fr": f"Commune {m}", "name_en": f"Town {m}", "name_ar": f"{m}",
                          "created_at": now, "updated_at": now})
        towns.append(demo.Town(m + 1, region["country_code"]))
    db.session.execute(insert(Region.__table__), regions)
    db.session.execute(insert(Municipality.__table__), town_rows)
    courses = []
    for n, kind in enumerate(("training-model", "youth-awareness", "sport-integration"), start=1):
        course = Course(key=f"course-{n}", kind=kind, languages=["fr"], required_languages=["fr"])
        db.session.add(course)
        db.session.flush()
        version = CourseVersion(course_id=course.id, status="published", is_current=True, title={"fr": kind})
        db.session.add(version)
        db.session.flush()
        module = Module(version_id=version.id, key="m", title={"fr": "M"})
        db.session.add(module)
        db.session.flush()
        info = demo.CourseInfo(course.id, version.id)
        for a in range(14):
            kind_ = "quiz" if a % 2 == 1 else "lesson"
            path = f"m/a{a}"
            db.session.add(Activity(version_id=version.id, module_id=module.id, key=f"a{a}", path=path, type=kind_,
                                    sequence=a))
            (info.quizzes if kind_ == "quiz" else info.lessons).append(path)
        courses.append(info)
    db.session.flush()
    with click.progressbar(length=learners, label="learners") as bar:
        counts = demo.generate(learners, towns, courses, seed=seed, now=now, email_domain="bench.invalid",
                               max_attempts=max_attempts, batch=20000, progress=bar.update)
    db.session.commit()
    print("  rows: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))


def run(url: str, learners: int, max_attempts: int, seed: int) -> None:
    from recosa_learn import create_app
    from recosa_learn.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret-key-0123456789",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        build(learners, max_attempts, seed)
        print(f"  generated in {time.perf_counter() - started:.1f}s on {db.engine.dialect.name}")
        if db.engine.dialect.name == "sqlite":
            with db.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
        else:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("ANALYZE")
        measure(app)
        db.session.remove()
    export_processes(url)


def measure(app) -> None:
    from recosa_learn.extensions import db
    from recosa_learn.stats import exports, services
    from recosa_learn.stats.cli import CliActor

    from recosa_learn.stats import snapshot

    actor = CliActor(admin=True)
    with app.test_request_context():
        everything = services.parse_filters({})
        one_country = services.parse_filters({"country": "MA"})
        region = services.parse_filters({"region": "MA-R00"})
        this_year = services.parse_filters({"since": f"{datetime.now(UTC).year}-01-01"})
        print("  computed live (what a view with dates, or without a fresh snapshot, costs):")
        _measure("dashboard, all countries (country level)",
                 lambda: services.dashboard(actor, everything, "fr", use_snapshot=False))
        _measure("dashboard, one country (region level)",
                 lambda: services.dashboard(actor, one_country, "fr", use_snapshot=False))
        _measure("dashboard, all countries, since 1 January",
                 lambda: services.dashboard(actor, this_year, "fr"))
        _measure("municipality table, all 400 municipalities",
                 lambda: services.table(actor, everything, "municipality", "fr", use_snapshot=False))
        started = time.perf_counter()
        made = snapshot.refresh()
        print(f"  flask stats refresh (every place x every course): {time.perf_counter() - started:9.1f} s, "
              f"{made.row_count:,} rows")
        print("  read from the snapshot (every view without dates):")
        _measure("dashboard, all countries (country level)",
                 lambda: services.dashboard(actor, everything, "fr"))
        _measure("dashboard, one country (region level)", lambda: services.dashboard(actor, one_country, "fr"))
        _measure("dashboard, one region (municipality level)", lambda: services.dashboard(actor, region, "fr"))
        _measure("municipality table, all 400 municipalities",
                 lambda: services.table(actor, everything, "municipality", "fr"))

        def municipality_csv() -> int:
            table = services.table(actor, everything, "municipality", "fr")
            size = 0
            with tempfile.TemporaryFile("w", encoding="utf-8") as out:
                for chunk in exports.csv_stream(exports.table_records(table, everything, "municipality"), 5):
                    size += len(chunk)
                    out.write(chunk)
            return size

        size = _measure("municipality-level CSV export (full)", municipality_csv, memory=True)
        print(f"    {size:,} characters")

        def learner_csv() -> int:
            rows = 0
            with tempfile.TemporaryFile("w", encoding="utf-8") as out:
                for chunk in exports.csv_stream(services.learner_rows(actor, everything), 5,
                                                columns=exports.learner_columns(False)):
                    rows += 1
                    out.write(chunk)
            return rows - 1

        rows = _measure("learner-level CSV export (streamed)", learner_csv, memory=True)
        print(f"    {rows:,} rows")
        db.session.remove()


EXPORTS = (
    ("baseline: the CLI loaded, nothing exported", ["--help"]),
    ("municipality-level CSV, computed live", ["--level", "municipality", "--format", "csv"]),
    ("municipality-level XLSX, computed live", ["--level", "municipality", "--format", "xlsx"]),
    ("learner-level CSV, every enrolment", ["--level", "country", "--learner-level", "--as-admin", "--format",
                                            "csv"]),
    ("learner-level JSON, every enrolment", ["--level", "country", "--learner-level", "--as-admin", "--format",
                                             "json"]),
)


#: runs the flask CLI, then writes the process's peak RSS (VmHWM, kB) to $BENCH_PEAK_FILE. The kernel's VmHWM
#: starts afresh with the program; getrusage's ru_maxrss of a child would include the benchmark's own memory.
PEAK_LAUNCHER = """
import atexit, os, sys
def _peak():
    with open("/proc/self/status") as status, open(os.environ["BENCH_PEAK_FILE"], "w") as out:
        out.write(next(line for line in status if line.startswith("VmHWM")).split()[1])
atexit.register(_peak)
from flask.cli import main
sys.argv = ["flask", *sys.argv[1:]]
main()
"""


def export_processes(url: str) -> None:
    """Each export as a user runs it (``flask --app wsgi stats export …``), in a process of its own: wall time, the
    process's peak RSS (everything: Python, Flask, SQLAlchemy, the driver, the rows in flight) and the file's size."""
    if not Path("/proc/self/status").exists():
        print("  exports in a process of their own: skipped (needs Linux's /proc)")
        return
    root = Path(__file__).resolve().parents[1]
    print("  exports in a process of their own (flask --app wsgi stats export):")
    for label, args in EXPORTS:
        with tempfile.TemporaryDirectory() as folder:
            out, peak = Path(folder) / "export", Path(folder) / "peak"
            env = {**os.environ, "DATABASE_URL": url, "STATS_SNAPSHOT_MAX_AGE": "0",
                   "SECRET_KEY": "bench-secret-key-0123", "BENCH_PEAK_FILE": str(peak)}
            command = [sys.executable, "-c", PEAK_LAUNCHER, "--app", "wsgi", "stats", "export", *args]
            if args != ["--help"]:
                command += ["--out", str(out)]
            started = time.perf_counter()
            done = subprocess.run(command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            elapsed = (time.perf_counter() - started) * 1000
            if done.returncode or not peak.exists():
                print(f"  {label:<44} FAILED ({done.returncode}): {done.stderr.decode()[-300:]}")
                continue
            size = out.stat().st_size if out.exists() else 0
            print(f"  {label:<44} {elapsed:9.1f} ms   peak RSS of the process {int(peak.read_text()) / 1024:6.1f} MB"
                  f"   {size:,} bytes")


@click.command()
@click.option("--learners", default=100_000, show_default=True)
@click.option("--max-attempts", default=7, show_default=True, help="attempts per quiz at most (≈1M at 100k)")
@click.option("--seed", default=1, show_default=True)
def main(learners: int, max_attempts: int, seed: int) -> None:
    """Generate synthetic activity and time the statistics."""
    with tempfile.TemporaryDirectory() as folder:
        print(f"SQLite, {learners:,} learners")
        run(f"sqlite:///{folder}/bench.sqlite3", learners, max_attempts, seed)
    url = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if url:
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                url = "postgresql+psycopg://" + url[len(prefix):]
        print(f"PostgreSQL, {learners:,} learners")
        run(url, learners, max_attempts, seed)


if __name__ == "__main__":
    main()
