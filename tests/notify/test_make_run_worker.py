"""`make run`'s own path, end to end: bin/run-dev starts the web server and the task worker
on a fresh SQLite database; a patient's urgent PHQ-9 item 9 answer, posted over HTTP, reaches
the SMTP server named by EMAIL_URL within 10 seconds; Ctrl-C stops both processes."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.notify.conftest import SmtpServer, body_of, free_port

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-enough-password-2026"
DELIVERY_SECONDS = 10


class Browser:
    """Enough of a browser for Django forms: cookies, the CSRF token, redirects followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=20) as response:
            return response.geturl(), response.read().decode()

    def post(self, path: str, data: dict[str, str]) -> tuple[str, str]:
        token = next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        with self.opener.open(request, timeout=20) as response:
            return response.geturl(), response.read().decode()


def _environment(tmp_path: Path, smtp_port: int, web_port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "EMAIL_", "CLINIC_", "PYTEST_"))
    }
    env.update(
        {
            # What `make run` sets: settings for development, the embedded SQLite database.
            "DJANGO_SETTINGS_MODULE": "clinic.settings",
            "DJANGO_DEBUG": "true",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "CLINIC_ALERT_EMAILS": "oncall@clinic.example",
            "CLINIC_SITE_URL": f"http://127.0.0.1:{web_port}",
            "PY": sys.executable,
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _processes_of(marker: str) -> list[int]:
    """Our processes still running with ``marker`` in their environment."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                status = (entry / "status").read_text()
                if "State:\tZ" not in status:
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def _wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    pytest.fail(f"{what} did not happen within {seconds} s")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to check that every process stopped")
def test_make_runs_worker_delivers_an_urgent_phq9_item_9_alert_within_10_seconds(tmp_path):
    smtp = SmtpServer(free_port())
    smtp.start()
    web_port = free_port()
    env = _environment(tmp_path, smtp.port, web_port)
    log = (tmp_path / "run.log").open("w")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    run = subprocess.Popen(
        ["bin/run-dev", f"127.0.0.1:{web_port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        browser = Browser(f"http://127.0.0.1:{web_port}")

        def web_is_up() -> bool:
            try:
                browser.get("/healthz")
            except OSError:
                return False
            return True

        _wait_for(web_is_up, 60, "the web server answering")
        browser.get("/accounts/register/")
        browser.post(
            "/accounts/register/",
            {"full_name": "Zelda Quorn", "email": "zelda@example.org", "password1": PASSWORD, "password2": PASSWORD},
        )
        # The account opens with the link in the confirmation e-mail (sent to the same SMTP server).
        _wait_for(lambda: smtp.messages, DELIVERY_SECONDS, "the confirmation e-mail")
        [(_, confirmation)] = smtp.messages
        smtp.messages.clear()
        link = re.search(r"http://[^/\s]+(/accounts/confirm/\S+)", body_of(confirmation)).group(1)  # type: ignore[union-attr]
        browser.get(link)
        url, _ = browser.get("/intake/")
        intake_id = re.search(r"/intake/(\d+)/step/", url).group(1)  # type: ignore[union-attr]
        step = f"/intake/{intake_id}/step/phq9/"
        browser.get(step)
        answers = {**{f"phq9_{n}": "1" for n in range(1, 9)}, "phq9_9": "2", "action": "next"}
        browser.post(step, answers)
        posted = time.monotonic()
        _wait_for(lambda: smtp.messages, DELIVERY_SECONDS, "the alert e-mail reaching the SMTP server")
        took = time.monotonic() - posted
        print(f"alert delivered {took:.2f} s after the answer was saved")
        [(recipients, message)] = smtp.messages
        assert recipients == ["oncall@clinic.example"]
        assert re.fullmatch(r"\[clinic-intake\] Urgent: .+: case \d+", message["Subject"])
        body = body_of(message)
        assert f"http://127.0.0.1:{web_port}/review/cases/" in body
        assert "Zelda" not in body + message["Subject"] and "zelda@" not in body + message["Subject"]
    finally:
        # Ctrl-C: SIGINT to the foreground process group, which is the script alone.
        os.killpg(run.pid, signal.SIGINT)
        try:
            run.wait(timeout=30)
        finally:
            smtp.stop()
            log.close()
    assert run.returncode is not None
    # Neither the web server (nor its reloader), nor the worker and its processes, is left.
    deadline = time.monotonic() + 15
    while _processes_of(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_of(str(tmp_path)) == [], (tmp_path / "run.log").read_text()
