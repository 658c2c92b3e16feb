"""The rule book: every rule with worked examples made by the engine, and docs/rules.md up to date."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from screening.engine.rulebook import EXAMPLES, render_markdown, rule_book, run_example
from screening.engine.rules import RULES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_every_rule_has_at_least_one_worked_example():
    assert {rule.id for rule in RULES} == set(EXAMPLES)
    assert all(EXAMPLES[rule.id] for rule in RULES)


def test_every_example_makes_its_rule_emit_a_flag():
    entries = rule_book()
    assert len(entries) == len(RULES)
    for entry in entries:
        for example in entry.examples:
            assert example.message.strip()


def test_an_example_that_no_longer_fires_its_rule_is_an_error():
    with pytest.raises(ValueError, match="does not make CI-01 emit a flag"):
        run_example("CI-01", "no aneurysm", {"medical.aneurysm": "no"})


def test_the_rule_book_lists_every_rule_with_level_routes_checks_source_and_examples():
    text = render_markdown(rule_book())
    for rule in RULES:
        assert f"\n## {rule.id}\n" in text
        section = text.split(f"\n## {rule.id}\n")[1].split("\n## ")[0]
        assert rule.level in section and rule.checks in section and rule.source in section
        assert "Routes" in text and "| Variant | Example answers |" in section
    assert text.index("## SAF-01") < text.index("## CI-01") < text.index("## BP-01") < text.index("## LOG-02")


def test_the_committed_rule_book_is_up_to_date():
    """What CI checks with `manage.py rulebook --check`: regenerate docs/rules.md when this fails."""
    call_command("rulebook", "--check")
    assert DOCS.read_text(encoding="utf-8") == render_markdown(rule_book())


def test_rulebook_check_fails_when_the_file_differs(tmp_path, capsys):
    target = tmp_path / "rules.md"
    call_command("rulebook", "--output", str(target))
    assert target.read_text(encoding="utf-8") == render_markdown(rule_book())
    call_command("rulebook", "--check", "--output", str(target))
    target.write_text(target.read_text(encoding="utf-8").replace("SAF-01", "SAF-1"), encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        call_command("rulebook", "--check", "--output", str(target))
    assert stopped.value.code == 1
    assert "out of date" in capsys.readouterr().err
