"""Settings refuse malformed environment values, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from clinic.env import Env

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k3Yq9-Lm2pZr7Tv4Wc8Nb1Hd6Jf0Gs5Xe3Qa9Ru2Io7Py4Ut8Mw"


SERVE = "import clinic.wsgi; from django.conf import settings; print(settings.DEBUG)"


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    """Start the app as a WSGI server would, in a clean environment plus ``env``."""
    return run_python(["-c", SERVE], **env)


def run_python(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "EMAIL_", "SESSION_"))}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "clinic.settings"
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("value", ["flase", "2", "enabled", "tru"])
def test_a_malformed_boolean_is_refused_with_its_name(value):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG"):
        Env({"DJANGO_DEBUG": value}).bool("DJANGO_DEBUG", default=False)


@pytest.mark.parametrize(
    ("value", "expected"), [("true", True), ("Off", False), ("1", True), ("no", False), ("", False)]
)
def test_well_formed_booleans_are_read(value, expected):
    assert Env({"DJANGO_DEBUG": value}).bool("DJANGO_DEBUG", default=False) is expected


@pytest.mark.parametrize("value", ["garbage", "mysql://root@localhost/db", "foo://bar", "postgres://host:5432/"])
def test_a_malformed_database_url_is_refused_with_its_name(value):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        Env({"DATABASE_URL": value}).database("DATABASE_URL", default="sqlite:///db.sqlite3")


def test_a_postgres_database_url_is_understood():
    config = Env({"DATABASE_URL": "postgres://clinic:pw@db.internal:5433/clinic"}).database("DATABASE_URL", default="")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"], config["USER"]) == ("db.internal", 5433, "clinic", "clinic")


def test_a_malformed_integer_is_refused_with_its_name():
    with pytest.raises(ImproperlyConfigured, match="SESSION_IDLE_MINUTES"):
        Env({"SESSION_IDLE_MINUTES": "thirty"}).int("SESSION_IDLE_MINUTES", default=30)


def test_a_malformed_email_url_is_refused_with_its_name():
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        Env({"EMAIL_URL": "bogus://x"}).email("EMAIL_URL", default="consolemail://")


def test_a_host_list_with_an_empty_item_is_refused():
    with pytest.raises(ImproperlyConfigured, match="DJANGO_ALLOWED_HOSTS"):
        Env({"DJANGO_ALLOWED_HOSTS": "a.org,,b.org"}).list("DJANGO_ALLOWED_HOSTS", default=[])


def test_the_app_does_not_start_with_a_misspelt_debug_flag():
    result = load_settings(DJANGO_DEBUG="flase", DJANGO_SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "DJANGO_DEBUG='flase'" in result.stderr


def test_the_app_refuses_to_start_outside_debug_without_a_secret_key():
    result = load_settings(DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_command_line_tools_run_without_a_secret_key():
    result = run_python(["manage.py", "makemigrations", "--check", "--dry-run"])
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_check_deploy_reports_a_missing_secret_key():
    result = run_python(["manage.py", "check", "--deploy"], DJANGO_ALLOWED_HOSTS="clinic.example")
    assert result.returncode != 0
    assert "clinic.E001" in result.stderr


def test_the_app_refuses_a_weak_secret_key_outside_debug():
    result = load_settings(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="short")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is too weak" in result.stderr


def test_the_app_starts_outside_debug_with_a_real_secret_key():
    result = load_settings(DJANGO_DEBUG="false", DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_ALLOWED_HOSTS="clinic.example")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_check_deploy_reports_nothing_with_production_like_values():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_", "SESSION_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="clinic.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=GOOD_KEY,
        DJANGO_ALLOWED_HOSTS="intake.clinic.example",
        CLINIC_SITE_URL="https://intake.clinic.example",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# --- Notifications and the task queue (issue 15) ---

SHOW = "from django.conf import settings; import json; print(json.dumps({0}))"


def _notify_settings(expression: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {"DJANGO_DEBUG": "true", **env}
    return run_python(["-c", "import django; django.setup(); " + SHOW.format(expression)], **_without_clinic(clean))


def _without_clinic(env: dict[str, str]) -> dict[str, str]:
    # The test settings set CLINIC_SITE_URL for the suite; these tests set their own.
    os_env = {k: "" for k in os.environ if k.startswith("CLINIC_")}
    return {**os_env, **env}


@pytest.mark.parametrize("value", ["intake.clinic.example", "ftp://intake.clinic.example", "https://x.example/?a=1"])
def test_a_site_url_that_is_not_a_web_address_is_refused_with_its_name(value):
    result = _notify_settings("settings.CLINIC_SITE_URL", CLINIC_SITE_URL=value)
    assert result.returncode != 0
    assert f"CLINIC_SITE_URL={value!r}" in result.stderr


def test_the_site_url_loses_its_trailing_slash():
    result = _notify_settings("settings.CLINIC_SITE_URL", CLINIC_SITE_URL="https://intake.clinic.example/")
    assert result.stdout.strip() == '"https://intake.clinic.example"', result.stderr


def test_a_second_reminder_before_the_first_is_refused():
    result = _notify_settings("1", CLINIC_REMINDER_FIRST_DAYS="5", CLINIC_REMINDER_SECOND_DAYS="3")
    assert result.returncode != 0
    assert "CLINIC_REMINDER_SECOND_DAYS=3 must be more than CLINIC_REMINDER_FIRST_DAYS=5" in result.stderr


def test_the_database_is_the_task_queue_by_default():
    result = _notify_settings("settings.Q_CLUSTER.get('orm')")
    assert result.stdout.strip() == '"default"', result.stderr


def test_a_redis_url_points_the_task_queue_at_redis():
    result = _notify_settings("[settings.Q_CLUSTER.get('orm'), settings.Q_CLUSTER.get('redis')]",
                              CLINIC_TASK_BROKER="redis://queue.clinic.example:6379/0")
    assert result.stdout.strip() == '[null, "redis://queue.clinic.example:6379/0"]', result.stderr


def test_an_unknown_task_broker_is_refused_with_its_name():
    result = _notify_settings("1", CLINIC_TASK_BROKER="amqp://rabbit.clinic.example")
    assert result.returncode != 0
    assert "CLINIC_TASK_BROKER='amqp://rabbit.clinic.example'" in result.stderr


def test_check_deploy_reports_a_missing_site_url():
    result = run_python(
        ["manage.py", "check", "--deploy"],
        **_without_clinic({"DJANGO_ALLOWED_HOSTS": "clinic.example", "DJANGO_SECRET_KEY": GOOD_KEY}),
    )
    assert result.returncode != 0
    assert "notify.E001" in result.stderr
def test_the_console_mail_backend_is_refused_outside_debug():
    result = load_settings(DJANGO_DEBUG="false", DJANGO_SECRET_KEY=GOOD_KEY, EMAIL_URL="consolemail://")
    assert result.returncode != 0
    assert "EMAIL_URL=consolemail:// is for development only" in result.stderr


def test_the_console_mail_backend_is_the_default_in_debug_only():
    result = run_python(
        ["-c", "import django; django.setup(); from django.conf import settings; print(settings.EMAIL_BACKEND)"],
        DJANGO_DEBUG="true",
    )
    assert result.stdout.strip() == "django.core.mail.backends.console.EmailBackend", result.stderr
    result = run_python(
        ["-c", "import django; django.setup(); from django.conf import settings; print(settings.EMAIL_BACKEND)"],
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=GOOD_KEY,
    )
    assert result.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend", result.stderr


CONNECTION = (
    "import clinic.wsgi; from django.conf import settings; "
    "db = settings.DATABASES['default']; print(db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'])"
)


def test_database_connections_persist_a_minute_with_health_checks_by_default():
    done = run_python(["-c", CONNECTION], DJANGO_DEBUG="true")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["60", "True"]


def test_persistent_connections_can_be_turned_off():
    done = run_python(["-c", CONNECTION], DJANGO_DEBUG="true", DATABASE_CONN_MAX_AGE="0")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "True"]


@pytest.mark.parametrize(
    ("name", "value"),
    [("DATABASE_CONN_MAX_AGE", "-1"), ("DATABASE_CONN_MAX_AGE", "a minute"), ("DATABASE_CONN_HEALTH_CHECKS", "maybe")],
)
def test_a_malformed_connection_setting_stops_the_app_naming_it(name, value):
    done = run_python(["-c", CONNECTION], DJANGO_DEBUG="true", **{name: value})
    assert done.returncode != 0
    assert name in done.stderr
