"""How a step's questions are laid out, declared once on its form (``StepForm.layout``).

The form's fields, in the order they are declared, are the page's questions in page order;
the layout names only what is not a plain question one after the other:

- ``Section``: a heading (and an introduction, part of it maybe behind a disclosure) before
  the question it ``starts`` at;
- ``Either``: one answer given in one of several units ("Height: cm, or feet and inches");
- ``FollowUp``: questions asked only after a controlling answer ("If yes: when?"), with the
  answers that need them (``when``) or the answers that make them unneeded (``unless``, for a
  question still needed while the controlling one is unanswered). A follow-up may be a
  fieldset of its own (``legend``) and may hold the step's rows (``Rows``).

``blocks(form, formset)`` turns a bound form and its layout into the sections the one step
template (templates/intake/step.html) renders; ``FollowUp.needed`` is the same condition read
from a stored intake, for the review page's list of unanswered questions (intake/steps.py).
Nothing here decides eligibility: a follow-up hidden on the page is only not asked yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as _field
from typing import Any

from django import forms
from django.forms.boundfield import BoundField


@dataclass(frozen=True)
class Rows:
    """A step's rows (a formset) and the words around them."""

    title: str
    noun: str
    help: str
    add_first: str
    add_more: str


@dataclass(frozen=True)
class Section:
    heading: str
    starts: str  # the first field of the section
    intro: str = ""
    # More of the introduction behind a disclosure: (its summary, its text).
    more: tuple[str, str] = ("", "")
    note: str = ""  # a short line in bold before the questions ("In the past 12 months:")


@dataclass(frozen=True)
class Either:
    """One answer, given in one of several units: the alternatives with "or" between them."""

    id: str
    legend: str
    help: str
    alternatives: tuple[tuple[str, ...], ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(name for alternative in self.alternatives for name in alternative)


@dataclass(frozen=True)
class FollowUp:
    """Questions asked after ``controller``'s answer is one of ``when`` (or is not one of
    ``unless``). Without JavaScript they are always on the page; with it (static/js/reveal.js)
    they appear once the controlling answer needs them, or at once if they hold an answer.

    ``server_gate`` names a form property for skip logic kept on the server (the C-SSRS, spec
    §4): the questions are on the page only when it is true, and ``shown`` is the marker the
    page then posts to say they were seen.
    """

    controller: str
    items: tuple[str | Rows, ...]
    when: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    legend: str = ""
    help: str = ""
    server_gate: str = ""
    shown: str = ""

    def __post_init__(self) -> None:
        if bool(self.when) == bool(self.unless):
            raise ValueError(f"A follow-up of {self.controller} names either `when` or `unless`.")

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(item for item in self.items if isinstance(item, str))

    @property
    def rows(self) -> Rows | None:
        return next((item for item in self.items if isinstance(item, Rows)), None)

    def needs(self, answer: Any) -> bool:
        """Whether the controlling answer (a stored or posted value; empty: unanswered) asks these."""
        answer = answer or None
        if self.when:
            return answer in self.when
        return answer not in self.unless

    def needed(self, intake: Any) -> bool:
        return self.needs(getattr(intake, self.controller))


LayoutItem = Section | Either | FollowUp


# --- Rendering ---------------------------------------------------------------------------


@dataclass
class Block:
    """One thing on the page: a question, an either-or group, or a follow-up region."""

    kind: str  # "field", "either" or "followup"
    field: BoundField | None = None
    either: Either | None = None
    alternatives: list[list[BoundField]] = _field(default_factory=list)
    follow_up: FollowUp | None = None
    region_id: str = ""
    children: list[Block] = _field(default_factory=list)
    rows: Rows | None = None
    keep_open: bool = False  # the follow-up holds an answer or an error: never hidden


@dataclass
class PageSection:
    heading: str = ""
    intro: str = ""
    more: tuple[str, str] = ("", "")
    note: str = ""
    blocks: list[Block] = _field(default_factory=list)


def has_answer(bound: BoundField) -> bool:
    """Whether a question on the page holds an answer (stored, drafted or just typed) or an error."""
    if bound.errors:
        return True
    value = bound.value()
    if isinstance(value, list | tuple):
        return any(part not in (None, "") for part in value)
    return value not in (None, "")


def _rows_filled(formset: forms.BaseFormSet | None) -> bool:
    return formset is not None and bool(formset.forms or formset.non_form_errors())


def _field_block(form: forms.Form, name: str) -> Block:
    return Block(kind="field", field=form[name])


def _follow_up_block(form: forms.Form, follow_up: FollowUp, formset: forms.BaseFormSet | None) -> Block:
    children = [_field_block(form, name) for name in follow_up.fields]
    rows = follow_up.rows
    keep_open = any(has_answer(child.field) for child in children if child.field is not None)
    keep_open = keep_open or (rows is not None and _rows_filled(formset))
    return Block(
        kind="followup",
        follow_up=follow_up,
        region_id=f"followup-{(follow_up.fields or (follow_up.controller + '-rows',))[0].replace('_', '-')}",
        children=children,
        rows=rows,
        keep_open=keep_open,
    )


def blocks(form: forms.Form, formset: forms.BaseFormSet | None = None) -> list[PageSection]:
    """The form's questions in declaration order, in sections, grouped as its layout says."""
    layout: Iterable[LayoutItem] = getattr(form, "layout", ())
    sections = {item.starts: item for item in layout if isinstance(item, Section)}
    owner: dict[str, Either | FollowUp] = {}
    for item in layout:
        if isinstance(item, Either | FollowUp):
            for name in item.fields:
                owner[name] = item
    trailing = [item for item in layout if isinstance(item, FollowUp) and not item.fields]

    page: list[PageSection] = [PageSection()]
    placed: set[int] = set()
    for name in form.fields:
        if name in sections:
            section = sections[name]
            page.append(PageSection(section.heading, section.intro, section.more, section.note))
        group = owner.get(name)
        if group is None:
            page[-1].blocks.append(_field_block(form, name))
            continue
        if id(group) in placed:
            continue
        placed.add(id(group))
        if isinstance(group, Either):
            alternatives = [[form[n] for n in alternative] for alternative in group.alternatives]
            page[-1].blocks.append(Block(kind="either", either=group, alternatives=alternatives))
        elif not group.server_gate or getattr(form, group.server_gate):
            page[-1].blocks.append(_follow_up_block(form, group, formset))
    for follow_up in trailing:
        page[-1].blocks.append(_follow_up_block(form, follow_up, formset))
    return [section for section in page if section.blocks or section.heading]
