"""`python -m bench.import`: the customer import, end to end, against `django-import-export`.

What it does, in one run on one machine:

1. Generates realistic customer sheets from the demo generator (Chinese headers as the export
   writes them, valid credit codes, mobile numbers, addresses): N rows as .xlsx and as GBK .csv,
   and (`--big`) a 1,000,000-row GBK .csv and .xlsx for the memory figure (the .xlsx is past
   `intake.xlsx_stream.STREAM_BYTES`, so it is streamed, not loaded).
2. For each database (SQLite in a fresh data folder, PostgreSQL in a fresh database, both copied
   from one migrated template) and each file, in a child process of its own (so its peak memory
   is its own, read from `wait4`'s `ru_maxrss`): our engine, `intake.importing` — `job_start`,
   `job_set_mapping` with the guessed mapping, `job_check` (dry run), `job_run` — timed step by
   step, giving rows/s for the check, the run, and both together (the wizard's way); and, in a
   fresh database, the run alone, which validates every row as it imports it (the command's way
   without `--dry-run`).
3. Side by side, in the same run and on the same file: `django-import-export` importing into the
   same `Customer` model, configured as its documentation advises for speed (`use_bulk`,
   `batch_size`, `skip_diff`, `force_init_instance`, no per-row instance loading, transactions),
   from its own virtualenv (`--bench-venv`, created with `pip install django-import-export
   tablib[xlsx]` on first use; never a dependency of the project). It imports the whole file, as
   ours does (`--iex-rows N` limits it to the first N rows for a quick look; the ratio is then not
   judged, since loading the whole file and importing a tenth of it favours neither side fairly).
4. Writes `bench/results/import-<date>.json` with the machine, sizes, figures and the goals met
   or missed (≥ 10,000 rows/s, ≤ 500 MB, ≥ 10× django-import-export).

    python -m bench.import --rows 100000 --big --database sqlite --database postgres

A child step (`generate`, `engine`, `iex`) is this module run with a subcommand; they are not
meant to be run by hand.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, machine_info, setup_django, write_result

PG = ["-h", "127.0.0.1", "-U", "postgres"]
PG_TEMPLATE = "freightcrm_bench_import_template"
PG_RUN = "freightcrm_bench_import"
BENCH_VENV = Path(os.environ.get("FREIGHTCRM_BENCH_VENV", ROOT.parent / "bench-venv"))
MAIN_PYTHON = sys.executable
GOALS = {"rows_per_s": 10_000, "peak_mb": 500, "ratio": 10}

# The sheet's columns: Customer fields (headers and values as the export writes them) and the address.
SHEET_FIELDS = (
    "kind",
    "name",
    "short_name",
    "status",
    "uscc",
    "legal_representative",
    "registered_capital",
    "founded_on",
    "industry",
    "size",
    "ownership",
    "gender",
    "birth_date",
    "occupation",
    "mobile",
    "phone",
    "email",
    "address",
    "main_cargo",
    "remarks",
)


# -- child steps --------------------------------------------------------------------------------


def generate(rows: int, out: Path, *, xlsx: bool, seed: int = 7) -> dict[str, Any]:
    """Write `customers-<rows>.csv` (GBK) and, with `xlsx`, `customers-<rows>.xlsx`."""
    setup_django()
    import datetime as dt

    from openpyxl import Workbook

    from freightcrm.customers.demo import DemoGenerator, make_uscc
    from freightcrm.intake.exporting import cell_value, header

    generator = DemoGenerator(seed=seed, today=dt.date(2026, 6, 30), vendor="sqlite")
    headers = [header(name) for name in SHEET_FIELDS]
    started = time.perf_counter()
    csv_path = out / f"customers-{rows}-gbk.csv"
    workbook = sheet = None
    if xlsx:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("客户")
        sheet.append(headers)
    with csv_path.open("w", encoding="gbk", errors="replace", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for index in range(rows):
            plan = generator.plan(index)
            customer = plan.customer
            if plan.uscc_head:
                customer.uscc = make_uscc(plan.uscc_head, 1_000_000 + index)
            customer.export_address = plan.address.text  # type: ignore[attr-defined]
            values = [cell_value(customer, name) for name in SHEET_FIELDS]
            text = ["" if value is None else str(value) for value in values]
            writer.writerow(text)
            if sheet is not None:
                sheet.append(values)
    if workbook is not None:
        workbook.save(out / f"customers-{rows}.xlsx")
    return {"rows": rows, "seconds": round(time.perf_counter() - started, 1)}


def grow(source: Path, rows: int, out: Path) -> dict[str, Any]:
    """A `rows`-row GBK csv from a smaller one, repeated: each copy after the first gets its own
    names (a branch suffix) and credit codes (a new sequence number, valid check character), so no
    row duplicates another. Planning a customer costs ~2 ms; this keeps a million-row file cheap."""
    setup_django()
    from freightcrm.customers.demo import make_uscc
    from freightcrm.intake.exporting import header

    started = time.perf_counter()
    with source.open(encoding="gbk", newline="") as handle:
        reader = csv.reader(handle)
        headers = next(reader)
        base = list(reader)
    name_at, uscc_at = headers.index(header("name")), headers.index(header("uscc"))
    target = out / f"customers-{rows}-gbk.csv"
    with target.open("w", encoding="gbk", errors="replace", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for index in range(rows):
            copy, position = divmod(index, len(base))
            row = list(base[position])
            if copy:
                row[name_at] = f"{row[name_at]}（第{copy}分部）"
                if row[uscc_at]:
                    row[uscc_at] = make_uscc(row[uscc_at][:8], 5_000_000 + index)
            writer.writerow(row)
    return {"rows": rows, "seconds": round(time.perf_counter() - started, 1)}


def to_xlsx(source: Path) -> dict[str, Any]:
    """The same rows as an .xlsx beside the csv (text cells; numbers and dates as Excel keeps them)."""
    import datetime as dt

    from openpyxl import Workbook

    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("客户")
    with source.open(encoding="gbk", newline="") as handle:
        reader = csv.reader(handle)
        headers = next(reader)
        sheet.append(headers)
        dated = {headers.index(name) for name in ("成立日期", "出生日期") if name in headers}
        for row in reader:
            values: list[Any] = list(row)
            for index in dated:
                if values[index]:
                    values[index] = dt.date.fromisoformat(values[index])
            sheet.append(values)
    target = source.with_name(source.name.replace("-gbk.csv", ".xlsx"))
    workbook.save(target)
    return {"file": target.name, "seconds": round(time.perf_counter() - started, 1)}


def _bench_user() -> Any:
    from django.contrib.auth.models import Group, User

    user, _created = User.objects.get_or_create(username="bench_clerk", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name="records_clerk"))
    return User.objects.get(pk=user.pk)


def engine(path: Path, *, phases: str) -> dict[str, Any]:
    """Our engine through its public steps; `phases` is `check`, `run` or `both`."""
    setup_django()
    from django.core.files import File

    from freightcrm.intake import importing

    actor = _bench_user()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with path.open("rb") as handle:
        job = importing.job_start(actor=actor, upload=File(handle, name=path.name))
    timings["start_s"] = time.perf_counter() - started
    mark = time.perf_counter()
    job = importing.job_set_mapping(actor=actor, job=job, mapping=job.mapping)
    timings["mapping_s"] = time.perf_counter() - mark
    if phases in ("check", "both"):
        mark = time.perf_counter()
        job = importing.job_check(job)
        timings["check_s"] = time.perf_counter() - mark
    if phases in ("run", "both"):
        mark = time.perf_counter()
        job = importing.job_run(job)
        timings["run_s"] = time.perf_counter() - mark
    timings["total_s"] = time.perf_counter() - started
    from freightcrm.customers.models import Customer

    return {
        "timings_s": {k: round(v, 2) for k, v in timings.items()},
        "rows": job.total_rows,
        "created": job.created_rows,
        "errors": job.error_rows,
        "customers_in_db": Customer.objects.count(),
        "mapping": job.mapping,
    }


def iex(path: Path, *, limit: int) -> dict[str, Any]:
    """django-import-export importing the same file into the same model (bench venv only)."""
    setup_django()
    import tablib
    from import_export import fields, resources, widgets

    from freightcrm.customers.models import Customer
    from freightcrm.intake.exporting import header

    choice_codes = {
        name: {str(label): value for value, label in Customer._meta.get_field(name).flatchoices}
        for name in ("kind", "status", "industry", "size", "ownership", "gender")
    }
    counter = iter(range(1, 10**9))
    dated = ("registered_capital", "founded_on", "birth_date", "address")
    text_columns = [header(name) for name in SHEET_FIELDS if name not in dated]
    uscc_column = header("uscc")

    class CustomerResource(resources.ModelResource):
        registered_capital = fields.Field(
            attribute="registered_capital",
            column_name=header("registered_capital"),
            widget=widgets.DecimalWidget(),
        )
        uscc = fields.Field(
            attribute="uscc", column_name=header("uscc"), widget=widgets.CharWidget(allow_blank=False)
        )
        founded_on = fields.Field(
            attribute="founded_on", column_name=header("founded_on"), widget=widgets.DateWidget("%Y-%m-%d")
        )
        birth_date = fields.Field(
            attribute="birth_date", column_name=header("birth_date"), widget=widgets.DateWidget("%Y-%m-%d")
        )

        class Meta:
            model = Customer
            fields = tuple(name for name in SHEET_FIELDS if name != "address")
            import_id_fields: tuple[str, ...] = ()
            use_bulk = True
            batch_size = 1_000
            skip_diff = True
            force_init_instance = True
            use_transactions = True
            skip_html_diff = True
            clean_model_instances = False  # its default: no model validation

        def __init__(self) -> None:
            super().__init__()
            for name in self.Meta.fields:
                if name in self.fields and name not in (
                    "registered_capital",
                    "uscc",
                    "founded_on",
                    "birth_date",
                ):
                    self.fields[name].column_name = header(name)

        def before_import_row(self, row: Any, **kwargs: Any) -> None:
            for column in text_columns:  # an empty xlsx cell is None; the model wants ""
                if row.get(column) is None:
                    row[column] = ""
            if not row.get(uscc_column):
                row[uscc_column] = None  # unique among customers that have one
            for name, codes in choice_codes.items():
                column = header(name)
                if column in row:
                    row[column] = codes.get(row[column] or "", row[column] or "")

        def init_instance(self, row: Any = None) -> Customer:
            # The code is not in the sheet: the service gives one; give a unique one here.
            return Customer(code=f"X-000000-{next(counter):07d}")

    started = time.perf_counter()
    if path.suffix == ".xlsx":
        with path.open("rb") as handle:
            dataset = tablib.Dataset().load(handle.read(), format="xlsx")
    else:
        dataset = tablib.Dataset().load(path.read_text(encoding="gbk"), format="csv")
    loaded = time.perf_counter() - started
    if limit and len(dataset) > limit:
        dataset = dataset.subset(rows=range(limit))  # type: ignore[attr-defined]
        subset = True
    else:
        subset = False
    mark = time.perf_counter()
    result = CustomerResource().import_data(dataset, dry_run=False, raise_errors=False)
    imported = time.perf_counter() - mark
    return {
        "rows": len(dataset),
        "subset": subset,
        "load_s": round(loaded, 2),
        "import_s": round(imported, 2),
        "total_s": round(time.perf_counter() - started, 2),
        "errors": len(result.row_errors()) + len(result.base_errors),
        "first_error": _first_error(result),
        "invalid": len(result.invalid_rows),
        "customers_in_db": Customer.objects.count(),
    }


def _first_error(result: Any) -> str:
    for error in result.base_errors:
        return f"{error.error!r}"[:500]
    for _number, errors in result.row_errors():
        return f"{errors[0].error!r}"[:500]
    return ""


# -- the orchestrating process ----------------------------------------------------------------------


def _tree_pss_kib(pid: int) -> int:
    """The proportional set size of `pid` and its descendants (forked workers share pages with their
    parent: PSS counts each shared page once in all, where RSS counts it in every process)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


class PssSampler:
    """The largest combined PSS of a process tree, sampled every half second in a thread."""

    def __init__(self, pid: int) -> None:
        import threading

        self.pid = pid
        self.peak_kib = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.wait(0.5):
            self.peak_kib = max(self.peak_kib, _tree_pss_kib(self.pid))

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        return round(self.peak_kib / 1024, 1)


def _child_rusage(python: str, args: list[str], env: dict[str, str]) -> tuple[dict[str, Any], float, float]:
    """Like `_child`, reading the peak memory through `wait4` (Popen's own wait would reap it): the
    largest single process's peak RSS; the answer gets `peak_pss_mb`, the whole process tree's."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(  # noqa: S603 - this module, run by our own interpreters
            [python, "-m", "bench.import", *args], cwd=ROOT, env=env, stdout=out, stderr=err
        )
        sampler = PssSampler(process.pid)
        _pid, status, usage = os.wait4(process.pid, 0)
        peak_pss = sampler.stop()
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        lines = out.read().decode().strip().splitlines()
        if process.returncode or not lines:
            return {"failed": err.read().decode()[-3000:]}, wall, usage.ru_maxrss / 1024
        return {**json.loads(lines[-1]), "peak_pss_mb": peak_pss}, wall, usage.ru_maxrss / 1024


def _run(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


class Database:
    """A migrated template, and a fresh copy of it for each measured run."""

    def __init__(self, vendor: str, work: Path) -> None:
        self.vendor = vendor
        self.work = work
        self.template_dir = work / f"template-{vendor}"

    def base_env(self, data_dir: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["FREIGHTCRM_DATA_DIR"] = str(data_dir)
        env["PYTHONPATH"] = str(ROOT / "src")
        env["DJANGO_SETTINGS_MODULE"] = "freightcrm.settings"
        env["FREIGHTCRM_MAX_IMPORT_MB"] = env.get("FREIGHTCRM_MAX_IMPORT_MB", "2000")
        if self.vendor == "postgres":
            env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_RUN}"
        return env

    def prepare(self) -> None:
        self.template_dir.mkdir(parents=True, exist_ok=True)
        env = self.base_env(self.template_dir)
        if self.vendor == "postgres":
            _run(["dropdb", *PG, "--if-exists", PG_TEMPLATE], env)
            _run(["createdb", *PG, "-T", "template0", "-E", "UTF8", "--lc-collate=C.UTF-8",
                  "--lc-ctype=C.UTF-8", PG_TEMPLATE], env)  # fmt: skip
            env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_TEMPLATE}"
        _run([MAIN_PYTHON, "manage.py", "migrate", "-v0"], env)

    def fresh(self, name: str) -> dict[str, str]:
        data_dir = self.work / f"{self.vendor}-{name}"
        if data_dir.exists():
            shutil.rmtree(data_dir)
        shutil.copytree(self.template_dir, data_dir)
        env = self.base_env(data_dir)
        if self.vendor == "postgres":
            _run(["dropdb", *PG, "--if-exists", PG_RUN], env)
            _run(["createdb", *PG, "-T", PG_TEMPLATE, PG_RUN], env)
        return env


def ensure_bench_venv() -> str:
    """The benchmark's own virtualenv with django-import-export; the project's packages come from
    the main one through a .pth file, so both sides run the same Django and the same models."""
    python = BENCH_VENV / "bin" / "python"
    if not python.exists():
        _run([MAIN_PYTHON, "-m", "venv", str(BENCH_VENV)], dict(os.environ))
    site = next((BENCH_VENV / "lib").glob("python3*/site-packages"))
    import django

    (site / "freightcrm-main.pth").write_text(str(Path(django.__file__).parent.parent) + "\n")
    check = subprocess.run([str(python), "-c", "import import_export"], capture_output=True)  # noqa: S603
    if check.returncode:
        _run(
            [str(python), "-m", "pip", "install", "-q", "django-import-export", "tablib[xlsx]"],
            dict(os.environ),
        )
    return str(python)


def _machine(env: dict[str, str]) -> dict[str, Any]:
    """The machine facts, and the load it carried when the run began (shared machines)."""
    facts = {k: v for k, v in machine_info().items() if k != "database"}
    facts["load_average_at_start"] = os.getloadavg()
    facts["django_import_export"] = subprocess.run(  # noqa: S603
        [str(BENCH_VENV / "bin" / "python"), "-c", "import import_export; print(import_export.__version__)"],
        capture_output=True,
        text=True,
        env=env,
    ).stdout.strip()
    return facts


def rate(rows: int, seconds: float | None) -> float | None:
    return round(rows / seconds, 1) if seconds else None


def orchestrate(options: argparse.Namespace) -> None:
    work = Path(options.work)
    work.mkdir(parents=True, exist_ok=True)
    files_dir = work / "files"
    files_dir.mkdir(exist_ok=True)
    env0 = Database("sqlite", work).base_env(work / "generate")
    results: dict[str, Any] = {
        "sizes": {"rows": options.rows, "big_rows": options.big_rows if options.big else 0}
    }
    files = [files_dir / f"customers-{options.rows}.xlsx", files_dir / f"customers-{options.rows}-gbk.csv"]
    if not all(path.exists() for path in files):
        print(f"generating {options.rows} rows …", file=sys.stderr)
        results["generate"], _wall, _peak = _child_rusage(
            MAIN_PYTHON, ["generate", "--rows", str(options.rows), "--out", str(files_dir), "--xlsx"], env0
        )
    if options.big and not (files_dir / f"customers-{options.big_rows}-gbk.csv").exists():
        print(f"generating {options.big_rows} rows …", file=sys.stderr)
        results["generate_big"], _wall, _peak = _child_rusage(
            MAIN_PYTHON,
            ["grow", "--file", str(files[1]), "--rows", str(options.big_rows), "--out", str(files_dir)],
            env0,
        )
    big_xlsx = files_dir / f"customers-{options.big_rows}.xlsx"
    if options.big and not big_xlsx.exists():
        print(f"writing {big_xlsx.name} …", file=sys.stderr)
        results["generate_big_xlsx"], _wall, _peak = _child_rusage(
            MAIN_PYTHON, ["to-xlsx", "--file", str(files_dir / f"customers-{options.big_rows}-gbk.csv")], env0
        )
    results["files"] = {path.name: round(path.stat().st_size / 2**20, 1) for path in files_dir.iterdir()}
    iex_python = ensure_bench_venv()
    results["machine"] = _machine(env0)
    runs: list[dict[str, Any]] = []
    results["runs"] = runs

    def record(run: dict[str, Any]) -> None:
        """Keep every figure as it comes: a long run stopped half-way still leaves its results."""
        runs.append(run)
        results["goals"] = judge(runs)
        write_result(options.stem, results)
        print(
            json.dumps({k: v for k, v in run.items() if k != "mapping"}, ensure_ascii=False), file=sys.stderr
        )

    for vendor in options.database:
        database = Database(vendor, work)
        database.prepare()
        for path in [] if options.big_only else files:
            for phases in ("check", "run", "both") if options.separate else ("run", "both"):
                print(f"{vendor} engine {phases} {path.name} …", file=sys.stderr)
                answer, wall, peak = _child_rusage(
                    MAIN_PYTHON,
                    ["engine", "--file", str(path), "--phases", phases],
                    database.fresh("engine"),
                )
                timings = answer.get("timings_s", {})
                rows = answer.get("rows", 0)
                record(
                    {
                        "database": vendor,
                        "file": path.name,
                        "side": "freightcrm",
                        "phases": phases,
                        "wall_s": round(wall, 2),
                        "peak_mb": round(peak, 1),
                        "check_rows_per_s": rate(rows, timings.get("check_s")),
                        "run_rows_per_s": rate(rows, timings.get("run_s")),
                        "end_to_end_rows_per_s": rate(rows, timings.get("total_s")),
                        **answer,
                    }
                )
            print(f"{vendor} django-import-export {path.name} …", file=sys.stderr)
            answer, wall, peak = _child_rusage(
                iex_python,
                ["iex", "--file", str(path), "--limit", str(options.iex_rows)],
                database.fresh("iex"),
            )
            record(
                {
                    "database": vendor,
                    "file": path.name,
                    "side": "django-import-export",
                    "wall_s": round(wall, 2),
                    "peak_mb": round(peak, 1),
                    "rows_per_s": rate(answer.get("rows", 0), answer.get("total_s")),
                    "import_rows_per_s": rate(answer.get("rows", 0), answer.get("import_s")),
                    **answer,
                }
            )
        for big in (
            [files_dir / f"customers-{options.big_rows}-gbk.csv", big_xlsx]
            if options.big and vendor in options.big_on
            else []
        ):
            print(f"{vendor} engine both {big.name} …", file=sys.stderr)
            answer, wall, peak = _child_rusage(
                MAIN_PYTHON, ["engine", "--file", str(big), "--phases", "both"], database.fresh("big")
            )
            timings = answer.get("timings_s", {})
            record(
                {
                    "database": vendor,
                    "file": big.name,
                    "side": "freightcrm",
                    "phases": "both",
                    "wall_s": round(wall, 2),
                    "peak_mb": round(peak, 1),
                    "end_to_end_rows_per_s": rate(answer.get("rows", 0), timings.get("total_s")),
                    **answer,
                }
            )
    results["goals"] = judge(runs)
    path = write_result(options.stem, results)
    print(json.dumps(results["goals"], ensure_ascii=False, indent=2))
    print(f"written to {path}", file=sys.stderr)


def judge(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each goal, per database and file: met, missed, or not measured (and why)."""
    verdicts = []
    for run in runs:
        if run["side"] != "freightcrm" or run.get("phases") != "both":
            continue
        mine = run.get("end_to_end_rows_per_s")
        one_pass = next(
            (
                other.get("end_to_end_rows_per_s")
                for other in runs
                if other["side"] == "freightcrm"
                and other.get("phases") == "run"
                and other["database"] == run["database"]
                and other["file"] == run["file"]
            ),
            None,
        )
        theirs = next(
            (
                other.get("rows_per_s")
                for other in runs
                if other["side"] == "django-import-export"
                and other["database"] == run["database"]
                and other["file"] == run["file"]
                and not other.get("subset")
            ),
            None,
        )
        verdicts.append(
            {
                "database": run["database"],
                "file": run["file"],
                "rows_per_s": mine,
                "one_pass_rows_per_s": one_pass,
                "peak_mb": run["peak_mb"],
                "import_export_rows_per_s": theirs,
                "ratio": round(mine / theirs, 1) if mine and theirs else None,
                "one_pass_ratio": round(one_pass / theirs, 1) if one_pass and theirs else None,
                "rows_per_s_goal_met": bool(mine and mine >= GOALS["rows_per_s"]),
                "peak_pss_mb": run.get("peak_pss_mb"),
                "memory_goal_met": bool(
                    mine and max(run["peak_mb"], run.get("peak_pss_mb") or 0) <= GOALS["peak_mb"]
                ),
                "ratio_goal_met": bool(mine and theirs and mine / theirs >= GOALS["ratio"]),
                "failed": run.get("failed", "")[-300:],
            }
        )
    return verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step")
    step = sub.add_parser("generate")
    step.add_argument("--rows", type=int, required=True)
    step.add_argument("--out", required=True)
    step.add_argument("--xlsx", action="store_true")
    step = sub.add_parser("grow")
    step.add_argument("--file", required=True)
    step.add_argument("--rows", type=int, required=True)
    step.add_argument("--out", required=True)
    step = sub.add_parser("to-xlsx")
    step.add_argument("--file", required=True)
    step = sub.add_parser("engine")
    step.add_argument("--file", required=True)
    step.add_argument("--phases", choices=("check", "run", "both"), default="both")
    step = sub.add_parser("iex")
    step.add_argument("--file", required=True)
    step.add_argument("--limit", type=int, default=0)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--separate",
        action="store_true",
        help="also time the check alone and the run alone, each in a fresh database (the default "
        "times both in one job, the run after the check, as staff use it)",
    )
    parser.add_argument("--big", action="store_true", help="also a 1,000,000-row csv and xlsx (memory)")
    parser.add_argument("--big-rows", type=int, default=1_000_000)
    parser.add_argument("--big-only", action="store_true", help="only the big file (its own result file)")
    parser.add_argument(
        "--big-on", action="append", default=None, help="databases to import the big file into"
    )
    parser.add_argument("--database", action="append", choices=("sqlite", "postgres"), default=None)
    parser.add_argument(
        "--iex-rows", type=int, default=0, help="django-import-export on this many rows (0: the whole file)"
    )
    parser.add_argument("--work", default=str(ROOT.parent / "bench-data" / "import"))
    parser.add_argument("--stem", default="import", help="the result file's name before the date")
    options = parser.parse_args()
    if options.step == "generate":
        answer = generate(options.rows, Path(options.out), xlsx=options.xlsx)
    elif options.step == "grow":
        answer = grow(Path(options.file), options.rows, Path(options.out))
    elif options.step == "to-xlsx":
        answer = to_xlsx(Path(options.file))
    elif options.step == "engine":
        answer = engine(Path(options.file), phases=options.phases)
    elif options.step == "iex":
        answer = iex(Path(options.file), limit=options.limit)
    else:
        options.database = options.database or ["sqlite", "postgres"]
        options.big_on = options.big_on or ["sqlite"]
        orchestrate(options)
        return
    sys.stdout.write("\n" + json.dumps(answer, ensure_ascii=False, default=str) + "\n")


if __name__ == "__main__":
    main()
