"""Questionnaire mechanics: which question next, how far along, and answer checking.

Nothing here knows about Thymalfasin. A :class:`QuestionBank` (``thymoscope.kb.questions``
builds one) says which questions exist, which findings read which fields, when a
finding can still fire, which cross-field checks hold between answers, and which
pydantic model a finished set of answers must satisfy. :class:`Interview` holds the
answers by dotted path and picks the next question: the first, in troubleshooting
order, whose answer can still change the diagnosis or that the model needs to stay
valid.

The pieces it is built from: :mod:`thymoscope.engine.conditions` (the three-valued
``when``/``only_if``/``ask_if`` conditions), :mod:`thymoscope.engine.model_paths`
(answers by dotted path <-> the model's nested data) and
:mod:`thymoscope.engine.answers` (questions, and reading typed answers).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from thymoscope.engine.answers import KINDS, AnswerError, Question, Reading, read_answer
from thymoscope.engine.conditions import condition_fields, describe_condition, evaluate
from thymoscope.engine.model_paths import (
    MAX_ITEMS,
    ResumeError,
    adapter,
    answers_from_data,
    bind,
    check_field_names,
    data_from_answers,
    error_message,
    error_path,
    is_count,
    item_index,
    key_path,
    max_items,
    pattern_of,
)
from thymoscope.engine.model_paths import base_type as _base
from thymoscope.engine.model_paths import field_annotation as field_annotation

# Names other modules (and tests) import from here.
__all__ = [
    "KINDS",
    "MAX_ITEMS",
    "AnswerError",
    "Check",
    "Interview",
    "Question",
    "QuestionBank",
    "Reader",
    "ResumeError",
    "_base",
    "condition_fields",
    "describe_condition",
    "evaluate",
    "field_annotation",
    "item_index",
    "pattern_of",
    "slugify",
]

ValueOf = Callable[[str], Any]


@dataclass(frozen=True)
class Reader:
    """A finding, seen from the questions: what it reads and when it can still fire."""

    finding: str
    title: str
    factor: str
    severity: str
    faq: tuple[str, ...]
    applies_to: tuple[str, ...]
    reads: tuple[str, ...]
    when: Mapping[str, Any] | None = None
    rules: tuple[str, ...] = ()

    def gates(self) -> set[str]:
        return condition_fields(self.when)


@dataclass(frozen=True)
class Check:
    """A rule between answers, checked at the question whose answer completes it.

    ``fields`` are the paths it reads (``*`` for one list item); once all of them are
    answered, ``broken(value_of, index)`` gives the one-line reason the answers do not
    fit together, or None. The answer that completed them is refused, so the problem
    is fixed at the question that caused it, not one question later.
    """

    fields: tuple[str, ...]
    broken: Callable[[ValueOf, int | None], str | None]


@dataclass(frozen=True)
class QuestionBank:
    questions: tuple[Question, ...]
    readers: tuple[Reader, ...]
    factor_order: tuple[str, ...]
    model: type[BaseModel]
    scope_field: str
    not_asked: Mapping[str, str] = field(default_factory=dict)
    fixed: Mapping[str, Any] = field(default_factory=dict)  # always set, never asked
    checks: tuple[Check, ...] = ()

    def question(self, path: str) -> Question:
        pattern = pattern_of(path)
        for question in self.questions:
            if question.field == pattern:
                return question
        raise KeyError(path)

    def readers_of(self, question: Question) -> list[Reader]:
        """Findings whose answer depends on this question's field."""
        found = []
        for reader in self.readers:
            fields = set(reader.reads) | reader.gates()
            if question.kind == "count":
                hit = any(f == question.field or f.startswith(question.field + ".") for f in fields)
            else:
                hit = question.field in fields
            if hit:
                found.append(reader)
        return found

    def ordered(self) -> list[Question]:
        """Questions in asking order: setup, then by the first factor that reads them."""
        ranks: list[tuple[int, int]] = []
        previous = -1
        for index, question in enumerate(self.questions):
            if question.factor == "setup":
                rank = -1
            elif question.factor is not None:
                rank = self.factor_order.index(question.factor)
            else:
                readers = self.readers_of(question)
                rank = (
                    min(self.factor_order.index(r.factor) for r in readers) if readers else previous
                )
            previous = rank
            ranks.append((rank, index))
        top = [q for q in self.questions if "*" not in q.field]
        return sorted(top, key=lambda q: ranks[self.questions.index(q)])

    def items_of(self, count_field: str) -> list[Question]:
        prefix = count_field + ".*."
        return [q for q in self.questions if q.field.startswith(prefix)]


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80].strip("-")
    return slug or "study"


@dataclass
class Interview:
    bank: QuestionBank
    answers: dict[str, Any] = field(default_factory=dict)
    skipped: set[str] = field(default_factory=set)
    history: list[str] = field(default_factory=list)
    previous: dict[str, Any] = field(default_factory=dict)  # answers withdrawn by 'back'
    _again: str | None = None

    @classmethod
    def from_data(
        cls, bank: QuestionBank, data: Mapping[str, Any], skipped: Sequence[str] = ()
    ) -> tuple[Interview, list[str]]:
        """Start from existing answers; each is checked on its own, bad ones left out.

        A list holds as many items as the model allows (a file may have more than
        :data:`MAX_ITEMS`, the most a user may type).  ``skipped`` (paths the file says
        were left unknown) must name questions of these answers that may be left
        unknown: anything else raises :class:`ResumeError`, as does a key that is no
        field name.
        """
        check_field_names(data)
        interview = cls(bank)
        problems = []
        for path, value in answers_from_data(data).items():
            if path in bank.fixed:
                continue
            counted = is_count(path, bank.model)
            if counted and value == []:
                value = 0
            try:
                interview.answers[path] = interview._field_value(path, value, loaded=True)
            except AnswerError as exc:
                if counted:  # asking again would cut the list: refuse, never drop items
                    most = max_items(bank.model, path)
                    why = (
                        f"holds {value} items; a study file holds at most {most}"
                        if isinstance(value, int) and not isinstance(value, bool)
                        else "is not a list of mappings"
                    )
                    raise ResumeError(key_path(path), f"{why}; refused") from None
                problems.append(f"{path}: {exc} (not used)")
        steps = {p for _, p in interview.steps()}
        for path in skipped:
            if path in interview.answers:
                continue
            if path not in steps:
                message = f"skip mark names {path!r}, which is no question here"
                raise ResumeError(key_path(path), message, in_skip_mark=True)
            try:
                interview.skip(path)
            except AnswerError as exc:
                message = f"skip mark names {path!r}, which {exc}"
                raise ResumeError(key_path(path), message, in_skip_mark=True) from None
        interview.history.clear()  # 'back' revises this session's answers only
        return interview, problems

    # -- state

    def value(self, path: str) -> Any:
        return self.answers.get(path)

    def data(self, answers: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return data_from_answers(
            self.answers if answers is None else answers, self.bank.model, self.bank.fixed
        )

    def study(self) -> BaseModel:
        return self.bank.model.model_validate(self.data())

    def valid_study(self) -> BaseModel | None:
        """The answers so far as the model, or None while they do not make a valid one."""
        try:
            return self.study()
        except ValidationError:
            return None

    def answered(self) -> list[str]:
        """The question paths answered (not skipped), in asking order.

        Fields a starting file holds that no question asks are kept but not counted.
        """
        return [path for _, path in self.steps() if path in self.answers]

    def _errors(self, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
        try:
            self.bank.model.model_validate(self.data(answers))
        except ValidationError as exc:
            return [(error_path(e), error_message(e)) for e in exc.errors(include_url=False)]
        return []

    def _owner(self, path_in_error: str, known: set[str]) -> str:
        """The answered or asked path an error belongs to (itself or an ancestor)."""
        parts = path_in_error.split(".")
        for end in range(len(parts), 0, -1):
            candidate = ".".join(parts[:end])
            if candidate in known:
                return candidate
        return path_in_error

    # -- which question next

    def steps(self, answers: Mapping[str, Any] | None = None) -> list[tuple[Question, str]]:
        """Every (question, concrete path) in asking order, list items expanded."""
        answers = self.answers if answers is None else answers
        steps = []
        for question in self.bank.ordered():
            steps.append((question, question.field))
            if question.kind == "count":
                count = answers.get(question.field) or 0
                for index in range(count):
                    for item in self.bank.items_of(question.field):
                        steps.append((item, bind(item.field, index)))
        return steps

    def live_readers(self, question: Question, path: str | None = None) -> list[Reader]:
        """Findings reading this field that apply and can still fire."""
        scope = self.answers.get(self.bank.scope_field)
        live = []
        for reader in self.bank.readers_of(question):
            if reader.applies_to and scope is not None and scope not in reader.applies_to:
                continue
            if evaluate(reader.when, self.value) is False:
                continue
            live.append(reader)
        return live

    def required(self) -> dict[str, str]:
        """Unanswered paths the model needs for the answers so far (path -> reason)."""
        needed: dict[str, str] = {}
        for path_in_error, message in self._errors(self.answers):
            if path_in_error not in self.answers and path_in_error not in self.skipped:
                needed.setdefault(path_in_error, message)
        return needed

    def relevant(self, question: Question, path: str) -> bool:
        index = item_index(path)
        if question.only_if and evaluate(question.only_if, self.value, index) is not True:
            return False
        if question.ask_if and evaluate(question.ask_if, self.value, index) is False:
            return False
        return bool(self.live_readers(question, path)) or self._decides(question.field)

    def _decides(self, field_path: str) -> bool:
        """Whether this field's answer decides if another, still relevant question is asked."""
        for other in self.bank.questions:
            if "*" in other.field or other.field in self.answers or other.field in self.skipped:
                continue
            if field_path not in condition_fields(other.ask_if):
                continue
            if evaluate(other.ask_if, self.value) is None and self.live_readers(other):
                return True
        return False

    def next(self) -> tuple[Question, str] | None:
        if self._again is not None:
            path, self._again = self._again, None
            if path not in self.answers and path not in self.skipped:
                return self.bank.question(path), path
        required = self.required()
        for question, path in self.steps():
            if path in self.answers or path in self.skipped:
                continue
            if path in required or self.relevant(question, path):
                return question, path
        return None

    def pending(self) -> list[str]:
        """The paths still to be asked: unanswered, and relevant or required so far."""
        required = self.required()
        return [
            path
            for question, path in self.steps()
            if path not in self.answers
            and path not in self.skipped
            and (path in required or self.relevant(question, path))
        ]

    def progress(self, current: str) -> tuple[int, int]:
        """(this question's number, about how many questions in all are still relevant).

        The number counts the questions answered or skipped before, those of a starting
        file included, so it goes on where a resumed interview stopped; the total adds
        the questions still to come that the answers so far leave relevant.
        """
        done = sum(
            1
            for _, path in self.steps()
            if path != current and (path in self.answers or path in self.skipped)
        )
        coming = [path for path in self.pending() if path != current]
        return done + 1, done + 1 + len(coming)

    def settled(self, reader: Reader) -> bool:
        """Whether no question still to be asked reads a field this finding reads."""
        pending = {pattern_of(path) for path in self.pending()}
        return not (pending & (set(reader.reads) | reader.gates()))

    # -- the choices offered

    def offered(self, question: Question, path: str) -> tuple[tuple[str, str], ...]:
        """The choices worth showing: those whose ``offer_if`` the answers do not rule out."""
        index = item_index(path)
        return tuple(
            (value, meaning)
            for value, meaning in question.answers
            if evaluate(question.offer_if.get(value), self.value, index) is not False
        )

    def units(self, question: Question, path: str) -> dict[str, float]:
        """The units an answer may be typed in: those whose ``unit_if`` is not ruled out."""
        index = item_index(path)
        return {
            unit: factor
            for unit, factor in question.units.items()
            if evaluate(question.unit_if.get(unit), self.value, index) is not False
        }

    # -- answering

    def _field_value(self, path: str, value: Any, loaded: bool = False) -> Any:
        question = None
        with contextlib.suppress(KeyError):
            question = self.bank.question(path)
        if question is not None and question.kind == "count":
            most = max_items(self.bank.model, path) if loaded else MAX_ITEMS
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= most:
                raise AnswerError(f"expected a whole number from 0 to {most}")
            return value
        try:
            field_adapter = adapter(self.bank.model, path)
        except KeyError:
            raise AnswerError("not a field of the study file") from None
        try:
            field_adapter.validate_python(value)
        except ValidationError as exc:
            raise AnswerError(error_message(exc.errors(include_url=False)[0])) from None
        return value

    def default(self, question: Question, path: str | None = None) -> Any:
        """What Enter answers: the answer withdrawn by 'back', or a slug made from another."""
        if path is not None and path in self.previous:
            return self.previous[path]
        if question.default_slug_of and self.value(question.default_slug_of):
            return slugify(str(self.value(question.default_slug_of)))
        return None

    def read(self, path: str, raw: str) -> Reading:
        """Check and record an answer; raise :class:`AnswerError` with a one-line reason.

        An empty answer takes the :meth:`default`, if there is one.
        """
        question = self.bank.question(path)
        default = self.default(question, path)
        if not raw.strip() and default is not None:
            reading = Reading(default)
        else:
            reading = read_answer(
                question, raw, self.offered(question, path), self.units(question, path)
            )
        value = self._field_value(path, reading.value)
        candidate = dict(self.answers)
        candidate[path] = value
        if question.kind == "count":
            prefix = path + "."
            candidate = {
                p: v
                for p, v in candidate.items()
                if not (p.startswith(prefix) and (item_index(p) or 0) >= value)
            }
        self._cross_check(candidate, path)
        self._check(candidate, self.skipped, path, skipping=False)
        self.answers = candidate
        self.skipped.discard(path)
        self._record(path)
        return reading

    def answer(self, path: str, raw: str) -> Any:
        """Check and record an answer and return its value (see :meth:`read`)."""
        return self.read(path, raw).value

    def skip(self, path: str) -> None:
        """Leave a field unknown, unless the answers so far make it required."""
        self._check(self.answers, self.skipped | {path}, path, skipping=True)
        self.skipped.add(path)
        self._record(path)

    def _record(self, path: str) -> None:
        self.previous.pop(path, None)
        self.history = [p for p in self.history if p != path]
        self.history.append(path)

    def _check(
        self, answers: Mapping[str, Any], skipped: set[str], path: str, skipping: bool
    ) -> None:
        """Refuse a new answer (or skip) that the model rejects together with the others."""
        before = set() if skipping else set(self._errors(self.answers))
        known = set(answers) | skipped
        questions = {p for _, p in self.steps(answers)}
        for path_in_error, message in self._errors(answers):
            owner = self._owner(path_in_error, known | questions)
            if owner not in known:
                continue  # belongs to a question still to come
            if skipping:
                if owner == path:
                    raise AnswerError(f"cannot be left unknown here: {message}")
            elif (path_in_error, message) not in before:
                where = "" if owner == path else f"{owner}: "
                raise AnswerError(f"{where}{message}")

    def _cross_check(self, answers: Mapping[str, Any], path: str) -> None:
        """Refuse an answer that completes a broken :class:`Check`."""
        pattern = pattern_of(path)
        index = item_index(path)
        for check in self.bank.checks:
            if pattern not in check.fields:
                continue
            if any(bind(f, index) not in answers for f in check.fields):
                continue
            problem = check.broken(answers.get, index)
            if problem is not None:
                raise AnswerError(problem)

    def back(self) -> str | None:
        """Withdraw the most recent answer and ask for it again; None at the start.

        The withdrawn answer stays the default: Enter gives it again.
        """
        while self.history:
            path = self.history.pop()
            if path in self.answers or path in self.skipped:
                self.revise(path)
                return path
        return None

    def revise(self, path: str) -> None:
        """Withdraw the answer at ``path`` (kept as its default) and ask for it next."""
        if path in self.answers:
            self.previous[path] = self.answers.pop(path)
        self.skipped.discard(path)
        self._again = path
