"""A date typed as day, month and year (intake/date_input.py): what it accepts, the message for
each mistake, which boxes the mistake marks, and the page that shows exactly what was typed."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
import time_machine
from django import forms

from intake.date_input import DateInputField, date_post
from intake.forms import AboutForm, HeartForm
from intake.models import Intake, StepDraft
from intake.templatetags.intake_tags import anchor, date_control, invalid_parts
from tests.intake.conftest import post_step, step_url


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, 0), tick=False):
        yield


class BirthForm(forms.Form):
    born = DateInputField(label="Date of birth", subject="Date of birth", example="27 3 1988", autocomplete="bday")


def typed(day: str, month: str, year: str) -> dict[str, str]:
    return {"born_day": day, "born_month": month, "born_year": year}


def cleaned(day: str, month: str, year: str):
    form = BirthForm(typed(day, month, year))
    assert form.is_valid(), form.errors
    return form.cleaned_data["born"]


def refused(day: str, month: str, year: str) -> forms.ValidationError:
    form = BirthForm(typed(day, month, year))
    assert not form.is_valid()
    [error] = form.errors.as_data()["born"]
    return error


# --- What it accepts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("27", "3", "1988"), dt.date(1988, 3, 27)),
        (("05", "03", "1988"), dt.date(1988, 3, 5)),
        (("29", "2", "2024"), dt.date(2024, 2, 29)),
        ((" 27 ", " 3", "1988 "), dt.date(1988, 3, 27)),
        (("27", "March", "1988"), dt.date(1988, 3, 27)),
        (("27", "mar", "1988"), dt.date(1988, 3, 27)),
        (("1", "Sept.", "1988"), dt.date(1988, 9, 1)),
    ],
    ids=["plain", "leading-zeros", "leap-day-2024", "whitespace", "month-name", "month-abbreviation", "sept"],
)
def test_it_accepts_a_real_date_as_typed(parts, expected):
    assert cleaned(*parts) == expected


@pytest.mark.parametrize("parts", [("", "", ""), (" ", "  ", "\t")])
def test_three_empty_boxes_are_not_answered(parts):
    assert cleaned(*parts) is None


# --- Messages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "message", "boxes"),
    [
        (("27", "3", ""), "Date of birth must include a year", ("year",)),
        (("", "3", "1988"), "Date of birth must include a day", ("day",)),
        (("", "", "1988"), "Date of birth must include a day and month", ("day", "month")),
        (("27", "", ""), "Date of birth must include a month and year", ("month", "year")),
    ],
)
def test_a_missing_part_is_named(parts, message, boxes):
    error = refused(*parts)
    assert (error.code, error.message, error.params["parts"]) == ("incomplete", message, boxes)


@pytest.mark.parametrize(
    ("parts", "boxes"),
    [(("30", "2", "1988"), ("day", "month", "year")), (("29", "2", "2023"), ("day", "month", "year"))],
    ids=["30-february", "29-february-2023"],
)
def test_an_impossible_date_is_not_a_real_date(parts, boxes):
    error = refused(*parts)
    assert (error.code, error.message, error.params["parts"]) == ("invalid", "Date of birth must be a real date", boxes)


def test_thousands_of_digits_are_a_message_not_a_crash():
    assert refused("9" * 5000, "3", "1988").params["parts"] == ("day",)
    assert cleaned("0" * 5000 + "7", "3", "1988") == dt.date(1988, 3, 7)
    assert refused("7", "3", "1" * 5000).code == "year_digits"


@pytest.mark.parametrize(
    ("parts", "boxes"),
    [(("27", "13", "1988"), ("month",)), (("32", "1", "1988"), ("day",)), (("0", "0", "1988"), ("day", "month"))],
)
def test_a_day_or_month_out_of_range_marks_that_box(parts, boxes):
    error = refused(*parts)
    assert (error.code, error.message, error.params["parts"]) == ("invalid", "Date of birth must be a real date", boxes)


@pytest.mark.parametrize(
    ("parts", "boxes"),
    [
        (("ab", "3", "1988"), ("day",)),
        (("27", "Marchish", "1988"), ("month",)),
        (("27", "3", "nineteen"), ("year",)),
        (("2 7", "3", "1988"), ("day",)),
        (("27", "3", "-1988"), ("year",)),
        (("27", "3", "\u0661\u0669\u0668\u0668"), ("year",)),
    ],
    ids=["letters", "not-a-month", "year-in-words", "inner-space", "minus", "other-digits"],
)
def test_letters_are_refused_with_an_example(parts, boxes):
    error = refused(*parts)
    assert error.code == "not_numbers"
    assert error.message == "Date of birth must be a real date, in numbers, for example 27 3 1988"
    assert error.params["parts"] == boxes


@pytest.mark.parametrize("year", ["88", "988", "19888"])
def test_a_year_must_have_four_numbers(year):
    error = refused("27", "3", year)
    assert (error.code, error.message, error.params["parts"]) == (
        "year_digits",
        "Year must include 4 numbers",
        ("year",),
    )


def test_the_birth_date_keeps_its_future_and_too_old_rules():
    future = AboutForm(date_post("date_of_birth", dt.date(2026, 11, 21)), intake=Intake())
    assert future.errors["date_of_birth"] == ["Your date of birth cannot be in the future."]
    old = AboutForm(date_post("date_of_birth", dt.date(1905, 11, 20)), intake=Intake())
    assert old.errors.as_data()["date_of_birth"][0].code == "too_old"
    assert AboutForm(date_post("date_of_birth", dt.date(2026, 11, 20)), intake=Intake()).is_valid()


def test_the_heart_dates_name_themselves_in_their_messages():
    form = HeartForm(
        {
            "cardiovascular_event": "yes",
            "cardiovascular_event_date_day": "",
            "cardiovascular_event_date_month": "6",
            "cardiovascular_event_date_year": "2024",
            **date_post("bp_date", dt.date(2027, 1, 1)),
        },
        intake=Intake(),
    )
    assert form.errors["cardiovascular_event_date"] == ["The date of the event must include a day"]
    assert form.errors["bp_date"] == ["The date of the reading cannot be in the future."]


# --- The boxes on the page --------------------------------------------------------------------


def test_the_boxes_are_labelled_numeric_and_filled_by_the_browser_for_a_birth_date():
    html = str(date_control(BirthForm()["born"]))
    for part, label, autocomplete, width in (
        ("day", "Day", "bday-day", 2),
        ("month", "Month", "bday-month", 2),
        ("year", "Year", "bday-year", 4),
    ):
        assert f'<label class="form-label date-input-label mb-1" for="id_born_{part}">{label}</label>' in html
        assert (
            f'<input type="text" name="born_{part}" inputmode="numeric" spellcheck="false" '
            f'autocomplete="{autocomplete}" id="id_born_{part}" class="form-control date-input-box '
            f'date-input-width-{width}">'
        ) in html
    assert "aria-invalid" not in html


def test_other_dates_ask_no_autocomplete():
    html = str(date_control(HeartForm(intake=Intake())["bp_date"]))
    assert 'name="bp_date_day"' in html and "autocomplete" not in html


def test_the_boxes_show_exactly_what_was_typed_and_mark_only_the_wrong_ones():
    form = BirthForm(typed("30", "", "88"))
    form.is_valid()
    html = str(date_control(form["born"]))
    assert 'name="born_day" value="30"' in html
    assert 'name="born_year" value="88"' in html
    assert invalid_parts(form["born"]) == ["month"]
    assert html.count('aria-invalid="true"') == 1
    assert (
        'id="id_born_month" class="form-control date-input-box date-input-width-2 is-invalid" aria-invalid="true"'
        in html
    )
    # The error summary links to the first wrong box.
    assert anchor(form["born"]) == "id_born_month"


def test_an_error_about_the_whole_date_marks_all_three_boxes():
    form = AboutForm(date_post("date_of_birth", dt.date(2030, 1, 1)), intake=Intake())
    form.is_valid()
    assert invalid_parts(form["date_of_birth"]) == ["day", "month", "year"]
    assert str(date_control(form["date_of_birth"])).count('aria-invalid="true"') == 3
    assert anchor(form["date_of_birth"]) == "id_date_of_birth_day"


def test_a_stored_date_fills_the_boxes_without_leading_zeros():
    html = str(date_control(AboutForm(intake=Intake(date_of_birth=dt.date(1984, 3, 5)))["date_of_birth"]))
    assert 'name="date_of_birth_day" value="5"' in html
    assert 'name="date_of_birth_month" value="3"' in html
    assert 'name="date_of_birth_year" value="1984"' in html


@pytest.mark.parametrize(
    ("legacy", "shown", "valid"),
    [
        ("1984-03-15", ("15", "03", "1984"), True),
        ("2026-02-30", ("30", "02", "2026"), False),
        # Not what a date box sends (only a hand-made post): left out.
        ("soon", (None, None, None), True),
    ],
)
def test_a_draft_from_before_the_boxes_is_shown_in_them(legacy, shown, valid):
    """A draft saved by the browser's date box holds one ISO date: it is not lost on the way
    to the boxes."""
    form = BirthForm({"born": legacy})
    assert form.is_valid() is valid
    assert form["born"].value() == list(shown)


def test_date_post_is_what_a_browser_sends_for_a_date():
    assert date_post("bp_date", dt.date(2024, 2, 29)) == {
        "bp_date_day": "29",
        "bp_date_month": "2",
        "bp_date_year": "2024",
    }
    assert date_post("bp_date", "1988-03-27") == {"bp_date_day": "27", "bp_date_month": "3", "bp_date_year": "1988"}
    assert date_post("bp_date", None) == {"bp_date_day": "", "bp_date_month": "", "bp_date_year": ""}


# --- The step page --------------------------------------------------------------------------------


def test_an_impossible_birth_date_is_shown_as_typed_beside_its_error_and_kept(patient_client, intake):
    born = {"date_of_birth_day": "30", "date_of_birth_month": "02", "date_of_birth_year": "1988"}
    data = {**born, "sex_at_birth": "female", "height_cm": "168"}
    response = post_step(patient_client, intake, "about", data)

    body = response.content.decode() if response.status_code == HTTPStatus.OK else ""
    # Each box as typed, "02" included, and the other answers.
    assert all(f'name="{name}" value="{value}"' in body for name, value in born.items())
    assert 'value="168"' in body and 'value="female" checked' in body
    # The message beside the date, and in the summary linking to the day box.
    assert (
        '<div class="invalid-feedback d-block mb-2" id="id_date_of_birth_error"><p class="mb-1">'
        '<span class="visually-hidden">Error: </span>Date of birth must be a real date</p></div>'
    ) in body
    assert '<a href="#id_date_of_birth_day">Date of birth: Date of birth must be a real date</a>' in body
    assert '<legend class="question-legend">Date of birth</legend>' in body
    assert 'id="id_date_of_birth_helptext">For example, 27 3 1988</div>' in body
    draft = StepDraft.objects.get(intake=intake, step="about")
    assert draft.data == data and not draft.is_valid
    intake.refresh_from_db()
    assert intake.date_of_birth is None


def test_a_partly_typed_date_is_kept_in_the_draft_and_shown_again(patient_client, intake):
    partial = {"bp_known": "yes", "bp_date_day": "4", "bp_date_month": "", "bp_date_year": "2026"}
    post_step(patient_client, intake, "heart", partial)
    assert StepDraft.objects.get(intake=intake, step="heart").data["bp_date_day"] == "4"

    body = patient_client.get(step_url(intake, "heart")).content.decode()
    assert 'name="bp_date_day" value="4"' in body
    assert 'name="bp_date_year" value="2026"' in body
    assert "The date of the reading must include a month" in body
    assert '<a href="#id_bp_date_month">' in body


def test_a_nul_byte_in_a_box_is_reported_beside_the_date(patient_client, intake):
    response = post_step(
        patient_client, intake, "about", date_post("date_of_birth", "1984-03-15") | {"date_of_birth_day": "1\x005"}
    )
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "null byte" in body.split('id="id_date_of_birth_error"')[1].split("</div>")[0]
    assert StepDraft.objects.get(intake=intake, step="about").data["date_of_birth_day"] == "15"


def test_a_valid_date_is_stored_and_read_back_in_words(patient_client, intake):
    response = post_step(patient_client, intake, "about", date_post("date_of_birth", "1984-03-15"))
    assert response.status_code == HTTPStatus.FOUND
    intake.refresh_from_db()
    assert intake.date_of_birth == dt.date(1984, 3, 15)
    body = patient_client.get(step_url(intake, "about")).content.decode()
    assert 'name="date_of_birth_day" value="15"' in body
