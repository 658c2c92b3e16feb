"""``make bench``: the app at the scale of a clinic network, measured (issue 13).

Generates 100,000 cases on PostgreSQL (once: the database is reused when it holds them), then
prints figures, each with a ratio against a baseline measured in the same run (the machine is
shared and noisy, so the ratio is what compares between runs):

- the engine: golden documents per CPU-second on one core (``time.process_time``), against a
  JSON round trip of the same documents;
- p50/p95 of the queue (page 1 and a deep page), the case page, a search and the four admin
  lists, served by gunicorn (2 sync workers, DEBUG off) over loopback, against ``/healthz``;
- SQL statements per page with 10 and with 100,000 cases (in-process, counted);
- intake step POSTs per second against a bare Django view inserting one row, same gunicorn
  settings, measured interleaved;
- the CSV export of every intake: its time and the worker's peak resident memory.

Figures, not pass/fail. Traffic goes to 127.0.0.1 only; every loop is bounded.
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/bench13"
PASSWORD = "bench-password-not-secret-7Kq"  # noqa: S105 - a throwaway database on loopback
CLINICIAN = "bench.clinician@example.org"
ADMIN = "bench.admin@example.org"
STEP_PATIENT = "bench.step.patient@example.org"
BATCH = 5000
AUDIT_ROWS_PER_CASE = 7
DRAFT_SHARE = 0.2
OPEN_SHARE = 0.15
HOST = "127.0.0.1"
FIRST = ["Ana", "Ben", "Chloé", "Dev", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jo", "Kofi", "Lea", "Mia", "Noor"]
LAST = ["Smith", "García", "Nguyen", "Okafor", "Müller", "Kowalski", "Haddad", "Silva", "Ito", "Brown", "Rossi"]


# --- The database -------------------------------------------------------------------------------


def _environment(database_url: str, port: int) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(48),
        "DJANGO_ALLOWED_HOSTS": f"{HOST},testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "CLINIC_SITE_URL": f"http://{HOST}:{port}",
        "EMAIL_URL": "smtp://127.0.0.1:25",
    }


def create_database(database_url: str) -> None:
    """``createdb`` the benchmark database unless it exists (never touches another one)."""
    url = urlsplit(database_url)
    name = url.path.lstrip("/")
    command = ["createdb", "-h", url.hostname or HOST, "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    done = subprocess.run([*command, name], capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0 and "already exists" not in done.stderr:
        raise SystemExit(f"createdb {name} failed: {done.stderr.strip()}")


def _django() -> None:
    import django

    django.setup()


def generate(cases: int) -> None:
    """Fill the database (in this process's DATABASE_URL) up to ``cases`` cases, in bulk."""
    _django()
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from benchmarks.screen_bench import generate as golden_documents
    from clinic.audit import GENESIS_HASH, chain_hash
    from clinic.models import AuditAction, AuditEvent, Role, User
    from intake.models import Intake, IntakeStatus, Patient
    from screening.engine import RULESET_VERSION, screen
    from screening.models import LEVEL_PRIORITY, URGENT_LEVELS, Case, CaseStatus, ScreeningResult, patient_search_text

    call_command("migrate", verbosity=0)
    with connection_cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_bare_row (id bigserial PRIMARY KEY, at timestamptz)")
    password = make_password(PASSWORD)
    groups = {group.name: group for group in Group.objects.all()}

    def staff(email: str, role: str, *, superuser: bool) -> User:
        user, _ = User.objects.get_or_create(
            email=email, defaults={"full_name": email.split("@")[0].title(), "is_staff": superuser}
        )
        user.password, user.is_superuser, user.is_active = password, superuser, True
        user.save()
        user.groups.set([groups[role]])
        TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        return user

    clinician = staff(CLINICIAN, Role.CLINICIAN, superuser=False)
    staff(ADMIN, Role.ADMIN, superuser=True)
    for extra in range(7):
        staff(f"bench.clinician{extra}@example.org", Role.CLINICIAN, superuser=False)

    have = Case.objects.count()
    if have >= cases:
        print(f"database holds {have:,} cases: reused", flush=True)
        return
    rng = random.Random(2026 + have)
    screened = [(doc, screen(doc)) for doc in golden_documents(200, 2026)]
    through = User.groups.through
    last_hash = AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first() or GENESIS_HASH
    started = time.perf_counter()
    done = have
    while done < cases:
        size = min(BATCH, cases - done)
        drafts = int(size * DRAFT_SHARE)
        now = timezone.now()
        with transaction.atomic():
            users = User.objects.bulk_create(
                User(
                    email=f"patient{done}x{n}@bench.example.org",
                    full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}-{done + n}",
                    password=password,
                )
                for n in range(size + drafts)
            )
            through.objects.bulk_create(through(user_id=u.pk, group_id=groups[Role.PATIENT].pk) for u in users)
            patients = Patient.objects.bulk_create(Patient(user=u) for u in users)
            submitted = []
            for patient in patients[:size]:
                at = now - timezone.timedelta(minutes=rng.randint(1, 60 * 24 * 900))
                submitted.append(
                    Intake(
                        patient=patient,
                        status=IntakeStatus.SUBMITTED,
                        current_step="review",
                        submitted_at=at,
                        assessment_date=at.date(),
                        date_of_birth=at.date().replace(year=at.year - rng.randint(18, 80), day=1),
                        phone=f"+1 555 {rng.randint(1000000, 9999999)}",
                        submission_count=1,
                    )
                )
            intakes = Intake.objects.bulk_create(submitted)
            Intake.objects.bulk_create(Intake(patient=p, status=IntakeStatus.DRAFT) for p in patients[size:])
            picks = [rng.choice(screened) for _ in intakes]
            results = ScreeningResult.objects.bulk_create(
                ScreeningResult(
                    intake=intake,
                    trigger="submit",
                    ruleset=RULESET_VERSION,
                    overall=result["overall"],
                    facts=facts,
                    result=result,
                    created_at=intake.submitted_at,
                )
                for intake, (facts, result) in zip(intakes, picks, strict=True)
            )
            rows = []
            for intake, result in zip(intakes, results, strict=True):
                urgent = result.overall in URGENT_LEVELS
                is_open = rng.random() < OPEN_SHARE
                rows.append(
                    Case(
                        intake=intake,
                        status=rng.choice([CaseStatus.NEW, CaseStatus.IN_REVIEW]) if is_open else CaseStatus.DECIDED,
                        overall=result.overall,
                        priority=LEVEL_PRIORITY[result.overall],
                        latest_result=result,
                        submitted_at=intake.submitted_at,
                        urgent_level=result.overall if urgent else None,
                        urgent_raised_at=intake.submitted_at if urgent else None,
                        # Open urgent cases wait for their acknowledgement; decided ones had it.
                        urgent_acknowledged_at=intake.submitted_at if urgent and not is_open else None,
                        assigned_to=clinician if rng.random() < 0.5 else None,
                        patient_search=patient_search_text(
                            full_name=intake.patient.user.full_name, email=intake.patient.user.email
                        ),
                    )
                )
            made = Case.objects.bulk_create(rows)
            events = []
            for case in made:
                for n in range(AUDIT_ROWS_PER_CASE):
                    event = AuditEvent(
                        at=now,
                        actor=clinician,
                        action=AuditAction.VIEW if n else AuditAction.SCREEN,
                        target_type="screening.case",
                        target_id=str(case.pk),
                        summary="Viewed the case" if n else "Screened on submission",
                        changes={},
                    )
                    event.row_hash = last_hash = chain_hash(last_hash, event)
                    events.append(event)
            AuditEvent.objects.bulk_create(events, batch_size=BATCH)
        done += size
        rate = (done - have) / (time.perf_counter() - started)
        print(f"  {done:,} cases ({rate:,.0f}/s)", flush=True)
    # The planner's statistics (and pg_class.reltuples) for the new rows.
    with connection_cursor() as cursor:
        cursor.execute("ANALYZE")
    # The patient whose step POSTs are measured, with a draft intake.
    user, _ = User.objects.get_or_create(email=STEP_PATIENT, defaults={"full_name": "Step Patient"})
    user.password = password
    user.save()
    user.groups.set([groups[Role.PATIENT]])
    patient, _ = Patient.objects.get_or_create(user=user)
    if not Intake.objects.filter(patient=patient, status=IntakeStatus.DRAFT).exists():
        Intake.objects.create(patient=patient, status=IntakeStatus.DRAFT)


def connection_cursor() -> Any:
    from django.db import connection

    return connection.cursor()


# --- SQL per page (in-process) ------------------------------------------------------------------


def deep_queue_path(number: int) -> str:
    """The address of page ``number`` of the queue with any status, as its "Next" link names it:
    a cursor (signed with this process's secret key, the server's) after the last case of the
    page before. Finding that case reads an OFFSET once, here, outside the timings."""
    from clinic.models import User
    from screening.queue_pages import Cursor, key_of
    from screening.selectors import STATUS_ANY, QueueFilters, queue_cases
    from screening.views import QUEUE_PAGE_SIZE

    if number < 2:
        return f"/review/?status={STATUS_ANY}"
    clinician = User.objects.get(email=CLINICIAN)
    before = queue_cases(filters=QueueFilters(status=STATUS_ANY), user=clinician)[(number - 1) * QUEUE_PAGE_SIZE - 1]
    return f"/review/?status={STATUS_ANY}&cursor={Cursor(number=number, key=key_of(before)).encode()}"


def page_paths() -> dict[str, str]:
    """The pages measured, by name (needs Django set up on the benchmark database)."""
    from screening.models import Case, CaseStatus

    open_cases = Case.objects.filter(status__in=[CaseStatus.NEW, CaseStatus.IN_REVIEW]).order_by("pk")
    case = open_cases.values_list("pk", flat=True).first() or Case.objects.values_list("pk", flat=True).first()
    # Page 1,000 at 100,000 cases (a quarter of the way): an OFFSET of 24,975 rows before the
    # queue's keyset pages (issue 13); now a cursor, as cheap as page 1.
    deep = max(1, Case.objects.count() // 50 // 2)
    return {
        "queue, page 1": "/review/",
        "queue, deep page": deep_queue_path(deep),
        "case page": f"/review/cases/{case}/",
        "admin intakes": "/admin/intake/intake/",
        # The admin's search box on the intakes (the patient's name or e-mail): 925 ms in issue 13.
        "admin intakes, search": "/admin/intake/intake/?q=smith",
        "admin cases": "/admin/screening/case/",
        "admin results": "/admin/screening/screeningresult/",
        "admin audit trail": "/admin/clinic/auditevent/",
    }


def count_sql() -> None:
    """Print {page: SQL statements} as JSON for this process's database."""
    _django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from clinic.models import User

    counts: dict[str, int] = {}
    for email, names in ((CLINICIAN, ("queue", "case")), (ADMIN, ("admin",))):
        user = User.objects.get(email=email)
        client = Client()
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user, name="bench").persistent_id
        session.save()
        for name, path in page_paths().items():
            if not name.startswith(names):
                continue
            with CaptureQueriesContext(connection) as queries:
                status = client.get(path).status_code
            counts[name] = len(queries) if status == 200 else -status
        token = re.search(r"search=([\w:-]+)", client.post("/review/search/", {"q": "smith"})["Location"] or "")
        if names == ("queue", "case") and token:
            with CaptureQueriesContext(connection) as queries:
                client.get(f"/review/?search={token.group(1)}")
            counts["search"] = len(queries)
    print(json.dumps(counts))


# --- HTTP over loopback -------------------------------------------------------------------------


class Browser:
    """A cookie-keeping HTTP client for one gunicorn on loopback (sync workers: one request per
    connection)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, Any] | None = None) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=120)
        headers = {"Host": f"{HOST}:{self.port}", "Origin": f"http://{HOST}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        connection.close()
        return response.status, dict(response.headers), content

    def csrf(self, path: str) -> str:
        _, _, content = self.request("GET", path)
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        return found.group(1).decode() if found else ""

    def sign_in(self, email: str, code: Callable[[], str] | None = None) -> None:
        token = self.csrf("/accounts/login/")
        status, headers, _ = self.request(
            "POST", "/accounts/login/", {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token}
        )
        if status != 302:
            raise SystemExit(f"sign-in of {email} refused ({status})")
        if code is not None:
            token = self.csrf("/accounts/mfa/")
            status, _, _ = self.request("POST", "/accounts/mfa/", {"code": code(), "csrfmiddlewaretoken": token})
            if status != 302:
                raise SystemExit(f"second factor of {email} refused ({status})")


def totp_code(email: str) -> Callable[[], str]:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def code() -> str:
        device = TOTPDevice.objects.get(user__email=email, name="bench")
        return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"

    return code


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed(browser: Browser, path: str) -> float:
    started = time.perf_counter()
    status, _, _ = browser.request("GET", path)
    elapsed = (time.perf_counter() - started) * 1000
    if status != 200:
        raise SystemExit(f"GET {path} answered {status}")
    return elapsed


def start_gunicorn(module: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [
        str(REPO / ".venv" / "bin" / "gunicorn"),
        module,
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        "2",
        "--worker-class",
        "sync",
        "--timeout",
        "300",
        "--chdir",
        str(REPO),
    ]
    server = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
    for _ in range(100):  # up to 20 s
        try:
            http.client.HTTPConnection(HOST, port, timeout=1).request("GET", "/healthz")
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"gunicorn {module} did not start on port {port}")


def worker_memory(server: subprocess.Popen[bytes]) -> dict[str, float]:
    """Peak (VmHWM) and current (VmRSS) resident memory of the server's workers, in MB."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    peak = current = 0.0
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        peak = max(peak, int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024)  # type: ignore[union-attr]
        current = max(current, int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)  # type: ignore[union-attr]
    return {"peak": peak, "current": current}


# --- The run ------------------------------------------------------------------------------------


def engine_figures(count: int) -> tuple[float, float]:
    """(documents per CPU-second, JSON round trips per CPU-second) on the same documents."""
    from benchmarks.screen_bench import generate as golden_documents
    from benchmarks.screen_bench import measure

    documents = golden_documents(count, 2026)
    _, engine, _ = measure(documents)  # the same measurement as benchmarks/screen_bench.py
    started = time.process_time()
    for doc in documents:
        json.loads(json.dumps(doc))
    baseline = count / (time.process_time() - started)
    return engine, baseline


def row(what: str, figure: str, ratio: str, goal: str = "") -> None:
    print(f"| {what} | {figure} | {ratio} | {goal} |", flush=True)


def run(args: argparse.Namespace) -> int:
    big, small = args.database, args.database + "_small"
    env = _environment(big, args.port)
    # DEBUG off serves the hashed static files (whitenoise's manifest), as production does.
    subprocess.run(  # noqa: S603
        [sys.executable, str(REPO / "manage.py"), "collectstatic", "--noinput", "-v0"],
        env={**os.environ, **env},
        check=True,
    )
    for url, cases in ((big, args.cases), (small, 10)):
        create_database(url)
        print(f"generating up to {cases:,} cases in {urlsplit(url).path.lstrip('/')} …", flush=True)
        subprocess.run(  # noqa: S603
            [sys.executable, __file__, "generate", "--cases", str(cases)],
            env={**os.environ, **_environment(url, args.port)},
            check=True,
        )
    sql = {}
    for label, url in (("10", small), ("100k", big)):
        out = subprocess.run(  # noqa: S603
            [sys.executable, __file__, "count-sql"],
            env={**os.environ, **_environment(url, args.port)},
            check=True,
            capture_output=True,
            text=True,
        )
        sql[label] = json.loads(out.stdout.strip().splitlines()[-1])

    os.environ.update(env)
    _django()
    from intake.models import Intake, IntakeStatus
    from screening.models import Case

    print("\n| what | figure | ratio to this run's baseline | goal |\n|---|---|---|---|")
    engine, json_rate = engine_figures(args.documents)
    row(
        "engine, golden facts, one core",
        f"{engine:,.0f} docs per CPU-second",
        f"{engine / json_rate:.3f} × JSON round trips of the same docs ({json_rate:,.0f}/CPU-s)",
        "≥ 20,000 docs per CPU-second",
    )

    server = start_gunicorn("clinic.wsgi:application", args.port, env)
    bare = start_gunicorn(
        "clinic.wsgi:application", args.port + 1, {**env, "DJANGO_SETTINGS_MODULE": "benchmarks.bare_settings"}
    )
    try:
        clinician = Browser(args.port)
        clinician.sign_in(CLINICIAN, totp_code(CLINICIAN))
        admin = Browser(args.port)
        admin.sign_in(ADMIN, totp_code(ADMIN))
        token = clinician.csrf("/review/")
        _, headers, _ = clinician.request("POST", "/review/search/", {"q": "smith", "csrfmiddlewaretoken": token})
        pages = page_paths()
        pages["search"] = headers.get("Location", "/review/")
        anonymous = Browser(args.port)
        for name, path in pages.items():
            browser = admin if name.startswith("admin") else clinician
            timed(browser, path)  # warm the workers' caches
            own, base = [], []
            for _ in range(args.requests):  # interleaved with the baseline
                own.append(timed(browser, path))
                base.append(timed(anonymous, "/healthz"))
            goal = "≤ 150 ms" if name.startswith("admin") else "≤ 100 ms"
            row(
                f"{name} p50 / p95",
                f"{statistics.median(own):.0f} / {percentile(own, 0.95):.0f} ms",
                f"{percentile(own, 0.95) / percentile(base, 0.95):.1f} × /healthz p95 "
                f"({percentile(base, 0.95):.0f} ms)",
                f"p95 {goal}",
            )
        for name in pages:
            small_count, big_count = sql["10"].get(name), sql["100k"].get(name)
            row(
                f"SQL statements, {name}",
                f"{small_count} with 10 cases, {big_count} with {Case.objects.count():,}",
                "equal" if small_count == big_count else "DIFFERENT",
                "equal",
            )

        # Step POST against the bare one-row insert, interleaved.
        patient = Browser(args.port)
        patient.sign_in(STEP_PATIENT)
        intake = Intake.objects.get(patient__user__email=STEP_PATIENT, status=IntakeStatus.DRAFT)
        step = f"/intake/{intake.pk}/step/gad7/"
        form = {f"gad7_{n}": "1" for n in range(1, 8)} | {"action": "save", "csrfmiddlewaretoken": patient.csrf(step)}
        bare_client = Browser(args.port + 1)
        step_time = bare_time = 0.0
        posts = 0
        for _ in range(args.rounds):
            started = time.perf_counter()
            for _ in range(10):
                status, _, _ = patient.request("POST", step, form)
                if status not in (200, 302):
                    raise SystemExit(f"step POST answered {status}")
            step_time += time.perf_counter() - started
            started = time.perf_counter()
            for _ in range(10):
                bare_client.request("POST", "/bare/", {})
            bare_time += time.perf_counter() - started
            posts += 10
        row(
            "intake step POST",
            f"{posts / step_time:.0f} req/s (bare one-row insert {posts / bare_time:.0f} req/s)",
            f"{(posts / step_time) / (posts / bare_time):.0%} of the bare view",
            "≥ 50%",
        )

        # The CSV export of every intake, streamed.
        before = worker_memory(server)
        token = admin.csrf("/admin/intake/intake/")
        first = Intake.objects.values_list("pk", flat=True).first()
        started = time.perf_counter()
        status, _, content = admin.request(
            "POST",
            "/admin/intake/intake/",
            {
                "action": "export_csv",
                "select_across": "1",
                "index": "0",
                "_selected_action": [first],
                "csrfmiddlewaretoken": token,
            },
        )
        elapsed = time.perf_counter() - started
        after = worker_memory(server)
        lines = content.count(b"\r\n") - 1
        row(
            "CSV export of every intake",
            f"{lines:,} rows, {len(content) / 1e6:.1f} MB in {elapsed:.1f} s (status {status})",
            f"worker peak RSS {after['peak']:.0f} MB (before the export {before['peak']:.0f} MB), "
            f"{after['current']:.0f} MB after",
            "constant memory; RSS ≤ 120 MB",
        )
    finally:
        for process in (server, bare):
            process.terminate()
            process.wait(timeout=30)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description="make bench: figures at 100,000 cases (issue 13)")
    parser.add_argument("command", nargs="?", default="run", choices=["run", "generate", "count-sql"])
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=10_000, help="engine documents")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page")
    parser.add_argument("--rounds", type=int, default=50, help="rounds of 10 step POSTs and 10 bare POSTs")
    parser.add_argument("--port", type=int, default=8731)
    args = parser.parse_args()
    if args.command == "generate":
        generate(args.cases)
        return 0
    if args.command == "count-sql":
        count_sql()
        return 0
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
