"""Questionnaire mechanics: which question next, why it matters, and answer checking.

Nothing here knows about Thymalfasin. A :class:`QuestionBank` (``thymoscope.kb.questions``
builds one) says which questions exist, which findings read which fields, when a
finding can still fire, and which pydantic model a finished set of answers must
satisfy. :class:`Interview` holds the answers by dotted path and picks the next
question: the first, in troubleshooting order, whose answer can still change the
diagnosis or that the model needs to stay valid.

Conditions (``when`` of a finding, ``only_if`` of a question) are mappings
``{path: spec}`` (all must hold) or ``{"any": [condition, ...]}``; a spec is a list
of allowed values, ``{"min": x}``, ``{"max": x}``, ``{"not": [values]}`` or
``{"known": true}`` (any answer). They are
three-valued: an unknown answer makes a condition undecided (``None``), never false.
"""

from __future__ import annotations

import contextlib
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from thymoscope.errors import ThymoscopeError

KINDS = ("choice", "multi", "number", "integer", "boolean", "text", "slug", "count")
MAX_ITEMS = 50
_NONE_WORDS = frozenset({"none", "-", "[]"})
_YES = frozenset({"y", "yes", "true", "1"})
_NO = frozenset({"n", "no", "false", "0"})


class AnswerError(ThymoscopeError, ValueError):
    """An answer that cannot be accepted; the message is one line for the user."""


class ResumeError(ThymoscopeError, ValueError):
    """Saved answers that cannot be resumed (a key that is no field name, a forged skip
    mark); ``path`` is where, as a tuple of keys and list indexes, for a line number."""

    def __init__(
        self, path: tuple[str | int, ...], message: str, in_skip_mark: bool = False
    ) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.in_skip_mark = in_skip_mark  # the problem is the skip mark, not a key


_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Question:
    field: str  # dotted path; '*' stands for each item of a list
    kind: str
    prompt: str
    rationale: str
    answers: tuple[tuple[str, str], ...] = ()  # (value, meaning) for choice and multi
    only_if: Mapping[str, Any] | None = None  # asked only when this is known to hold
    ask_if: Mapping[str, Any] | None = None  # not asked once this is known to be false
    factor: str | None = None  # "setup" = first; None = from the findings that read it
    default_slug_of: str | None = None  # slug kind: default made from this field

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(value for value, _ in self.answers)


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
class QuestionBank:
    questions: tuple[Question, ...]
    readers: tuple[Reader, ...]
    factor_order: tuple[str, ...]
    model: type[BaseModel]
    scope_field: str
    not_asked: Mapping[str, str] = field(default_factory=dict)
    fixed: Mapping[str, Any] = field(default_factory=dict)  # always set, never asked

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


# ---------------------------------------------------------------- paths and conditions


def pattern_of(path: str) -> str:
    """``subgroups.2.by`` -> ``subgroups.*.by``."""
    return ".".join("*" if part.isdigit() else part for part in path.split("."))


def item_index(path: str) -> int | None:
    for part in path.split("."):
        if part.isdigit():
            return int(part)
    return None


def _bind(path: str, index: int | None) -> str:
    return path if index is None else path.replace("*", str(index))


def condition_fields(condition: Mapping[str, Any] | None) -> set[str]:
    if not condition:
        return set()
    fields: set[str] = set()
    for key, spec in condition.items():
        if key == "any":
            for part in spec:
                fields |= condition_fields(part)
        else:
            fields.add(key)
    return fields


def _holds(spec: Any, value: Any) -> bool:
    if isinstance(spec, list):
        if isinstance(value, list):
            return any(v in spec for v in value)
        return value in spec
    if isinstance(spec, Mapping):
        if spec.get("known") is True:
            return True
        if "min" in spec and not value >= spec["min"]:
            return False
        if "max" in spec and not value <= spec["max"]:
            return False
        return not ("not" in spec and value in spec["not"])
    return bool(value == spec)


def evaluate(
    condition: Mapping[str, Any] | None, value_of: Callable[[str], Any], index: int | None = None
) -> bool | None:
    """True, False, or None when unknown answers leave it undecided."""
    if not condition:
        return True
    result: bool | None = True
    for key, spec in condition.items():
        if key == "any":
            outcomes = [evaluate(part, value_of, index) for part in spec]
            outcome = (
                True if True in outcomes else False if all(o is False for o in outcomes) else None
            )
        else:
            value = value_of(_bind(key, index))
            outcome = None if value is None else _holds(spec, value)
        if outcome is False:
            return False
        if outcome is None:
            result = None
    return result


# ---------------------------------------------------------------- the model's field types


def _strip_optional(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _base(annotation: Any) -> Any:
    annotation = _strip_optional(annotation)
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = _strip_optional(typing.get_args(annotation)[0])
    return annotation


def field_annotation(model: type[BaseModel], path: str) -> Any:
    """The annotation (with its constraints) of the field at a dotted path."""
    node: Any = model
    annotation: Any = None
    for part in path.split("."):
        if part.isdigit() or part == "*":
            base = _base(annotation)
            if typing.get_origin(base) is not list:
                raise KeyError(path)
            annotation = typing.get_args(base)[0]
            node = _base(annotation)
            continue
        if not (isinstance(node, type) and issubclass(node, BaseModel)):
            raise KeyError(path)
        info = node.model_fields.get(part)
        if info is None:
            raise KeyError(path)
        annotation = info.annotation
        if info.metadata:
            annotation = typing.Annotated[(annotation, *info.metadata)]
        node = _base(annotation)
    return annotation


def _adapter(model: type[BaseModel], path: str) -> TypeAdapter[Any]:
    return TypeAdapter(field_annotation(model, pattern_of(path)))


def _message(error: Mapping[str, Any]) -> str:
    if error["type"] == "field_problem":
        return str(error["ctx"]["message"])
    return str(error["msg"])


def _error_path(error: Mapping[str, Any]) -> str:
    loc = [str(p) for p in error["loc"] if not str(p).startswith("function-")]
    if error["type"] == "field_problem":
        loc += error["ctx"]["field"].split(".")
    return ".".join(loc)


# ---------------------------------------------------------------- data <-> answers


def check_field_names(data: Any, where: tuple[str | int, ...] = ()) -> None:
    """Raise :class:`ResumeError` for a key that could not be a field name.

    Dotted paths are built from keys, so a key such as ``subgroups.*.name`` or ``0``
    would address some other answer; such a file is refused, not guessed at.
    """
    if isinstance(data, Mapping):
        for key, value in data.items():
            if not isinstance(key, str) or not _FIELD_NAME.match(key):
                raise ResumeError((*where, str(key)), f"key {key!r} is not a field name; refused")
            check_field_names(value, (*where, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            check_field_names(item, (*where, index))


def answers_from_data(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested study data -> answers by dotted path; a list of mappings gives a count."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if value is None:
            continue
        if isinstance(value, Mapping):
            out.update(answers_from_data(value, path + "."))
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            out[path] = len(value)
            for index, item in enumerate(value):
                out.update(answers_from_data(item, f"{path}.{index}."))
        else:
            out[path] = value
    return out


def _ordered(data: Any, model: Any) -> Any:
    """Mappings in the model's field order (so saved files read like hand-written ones)."""
    model = _base(model)
    if isinstance(data, list):
        item = typing.get_args(model)[0] if typing.get_origin(model) is list else None
        return [_ordered(v, item) for v in data]
    if not isinstance(data, dict) or not (isinstance(model, type) and issubclass(model, BaseModel)):
        return data
    fields = model.model_fields
    keys = sorted(data, key=lambda k: list(fields).index(k) if k in fields else len(fields))
    return {k: _ordered(data[k], fields[k].annotation if k in fields else None) for k in keys}


def data_from_answers(
    answers: Mapping[str, Any], model: type[BaseModel], fixed: Mapping[str, Any]
) -> dict[str, Any]:
    data: dict[str, Any] = dict(fixed)
    counts = {p: v for p, v in answers.items() if _is_count(p, model)}
    for path, count in counts.items():
        _put(data, path.split("."), [{} for _ in range(count)])
    for path, value in answers.items():
        if path in counts:
            continue
        index = item_index(path)
        if index is not None:
            head = path.split(".")[0]
            if index >= counts.get(head, 0):
                continue
        _put(data, path.split("."), value)
    ordered: dict[str, Any] = _ordered(data, model)
    return ordered


def _is_count(path: str, model: type[BaseModel]) -> bool:
    try:
        base = _base(field_annotation(model, pattern_of(path)))
    except KeyError:
        return False
    if typing.get_origin(base) is not list:
        return False
    item = _base(typing.get_args(base)[0])
    return isinstance(item, type) and issubclass(item, BaseModel)


def _max_items(model: type[BaseModel], path: str) -> int:
    """The most items the model allows in the list at ``path`` (MAX_ITEMS if no limit)."""
    try:
        annotation = _strip_optional(field_annotation(model, pattern_of(path)))
    except KeyError:
        return MAX_ITEMS
    if typing.get_origin(annotation) is typing.Annotated:
        for meta in typing.get_args(annotation)[1:]:
            limit = getattr(meta, "max_length", None)
            if isinstance(limit, int):
                return max(limit, MAX_ITEMS)
    return MAX_ITEMS


def _put(data: Any, parts: Sequence[str], value: Any) -> None:
    node = data
    for position, part in enumerate(parts[:-1]):
        if part.isdigit():
            node = node[int(part)]
            continue
        if part not in node or not isinstance(node[part], (dict, list)):
            node[part] = [] if parts[position + 1].isdigit() else {}
        node = node[part]
    last = parts[-1]
    if last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80].strip("-")
    return slug or "study"


# ---------------------------------------------------------------- parsing one answer


def _choice(question: Question, raw: str) -> str:
    text = raw.strip().lower().replace(" ", "_")
    values = question.values
    if text.isdigit() and 1 <= int(text) <= len(values):
        return values[int(text) - 1]
    if text in values:
        return text
    starts = [v for v in values if v.startswith(text)] if text else []
    if len(starts) == 1:
        return starts[0]
    raise AnswerError(f"{raw.strip()!r} is not one of: {', '.join(values)} (or 1-{len(values)})")


def parse_answer(question: Question, raw: str) -> Any:
    """Turn typed text into a value of the question's kind (not yet model-checked)."""
    text = raw.strip()
    if not text:
        raise AnswerError("type an answer, or 'skip' to leave it unknown")
    kind = question.kind
    if kind == "choice":
        return _choice(question, text)
    if kind == "multi":
        if text.lower() in _NONE_WORDS:
            return []
        chosen: list[str] = []
        for part in re.split(r"[,;\s]+", text):
            if part:
                value = _choice(question, part)
                if value not in chosen:
                    chosen.append(value)
        return chosen
    if kind == "boolean":
        if text.lower() in _YES:
            return True
        if text.lower() in _NO:
            return False
        raise AnswerError(f"{text!r}: answer yes or no")
    if kind == "number":
        try:
            return float(text) if not re.fullmatch(r"[+-]?\d+", text) else int(text)
        except ValueError:
            raise AnswerError(f"{text!r} is not a number") from None
    if kind in ("integer", "count"):
        try:
            return int(text)
        except ValueError:
            raise AnswerError(f"{text!r} is not a whole number") from None
    return text


# ---------------------------------------------------------------- the interview


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
            counted = _is_count(path, bank.model)
            if counted and value == []:
                value = 0
            try:
                interview.answers[path] = interview._field_value(path, value, loaded=True)
            except AnswerError as exc:
                if counted:  # asking again would cut the list: refuse, never drop items
                    where = tuple(int(p) if p.isdigit() else p for p in path.split("."))
                    most = _max_items(bank.model, path)
                    why = (
                        f"holds {value} items; a study file holds at most {most}"
                        if isinstance(value, int) and not isinstance(value, bool)
                        else "is not a list of mappings"
                    )
                    raise ResumeError(where, f"{why}; refused") from None
                problems.append(f"{path}: {exc} (not used)")
        steps = {p for _, p in interview.steps()}
        for path in skipped:
            where = tuple(int(p) if p.isdigit() else p for p in path.split("."))
            if path in interview.answers:
                continue
            if path not in steps:
                message = f"skip mark names {path!r}, which is no question here"
                raise ResumeError(where, message, in_skip_mark=True)
            try:
                interview.skip(path)
            except AnswerError as exc:
                message = f"skip mark names {path!r}, which {exc}"
                raise ResumeError(where, message, in_skip_mark=True) from None
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

    def _errors(self, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
        try:
            self.bank.model.model_validate(self.data(answers))
        except ValidationError as exc:
            return [(_error_path(e), _message(e)) for e in exc.errors(include_url=False)]
        return []

    def _owner(self, error_path: str, known: set[str]) -> str:
        """The answered or asked path an error belongs to (itself or an ancestor)."""
        parts = error_path.split(".")
        for end in range(len(parts), 0, -1):
            candidate = ".".join(parts[:end])
            if candidate in known:
                return candidate
        return error_path

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
                        steps.append((item, _bind(item.field, index)))
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
        for error_path, message in self._errors(self.answers):
            if error_path not in self.answers and error_path not in self.skipped:
                needed.setdefault(error_path, message)
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

    # -- answering

    def _field_value(self, path: str, value: Any, loaded: bool = False) -> Any:
        question = None
        with contextlib.suppress(KeyError):
            question = self.bank.question(path)
        if question is not None and question.kind == "count":
            most = _max_items(self.bank.model, path) if loaded else MAX_ITEMS
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= most:
                raise AnswerError(f"expected a whole number from 0 to {most}")
            return value
        try:
            adapter = _adapter(self.bank.model, path)
        except KeyError:
            raise AnswerError("not a field of the study file") from None
        try:
            adapter.validate_python(value)
        except ValidationError as exc:
            raise AnswerError(_message(exc.errors(include_url=False)[0])) from None
        return value

    def default(self, question: Question) -> str | None:
        if question.default_slug_of and self.value(question.default_slug_of):
            return slugify(str(self.value(question.default_slug_of)))
        return None

    def answer(self, path: str, raw: str) -> Any:
        """Check and record an answer; raise :class:`AnswerError` with a one-line reason."""
        question = self.bank.question(path)
        if not raw.strip() and self.default(question) is not None:
            raw = self.default(question) or ""
        value = self._field_value(path, parse_answer(question, raw))
        candidate = dict(self.answers)
        candidate[path] = value
        if question.kind == "count":
            prefix = path + "."
            candidate = {
                p: v
                for p, v in candidate.items()
                if not (p.startswith(prefix) and (item_index(p) or 0) >= value)
            }
        self._check(candidate, self.skipped, path, skipping=False)
        self.answers = candidate
        self.skipped.discard(path)
        self.history.append(path)
        return value

    def skip(self, path: str) -> None:
        """Leave a field unknown, unless the answers so far make it required."""
        self._check(self.answers, self.skipped | {path}, path, skipping=True)
        self.skipped.add(path)
        self.history.append(path)

    def _check(
        self, answers: Mapping[str, Any], skipped: set[str], path: str, skipping: bool
    ) -> None:
        """Refuse a new answer (or skip) that the model rejects together with the others."""
        before = set() if skipping else set(self._errors(self.answers))
        known = set(answers) | skipped
        questions = {p for _, p in self.steps(answers)}
        for error_path, message in self._errors(answers):
            owner = self._owner(error_path, known | questions)
            if owner not in known:
                continue  # belongs to a question still to come
            if skipping:
                if owner == path:
                    raise AnswerError(f"cannot be left unknown here: {message}")
            elif (error_path, message) not in before:
                where = "" if owner == path else f"{owner}: "
                raise AnswerError(f"{where}{message}")

    def back(self) -> str | None:
        """Withdraw the most recent answer and ask for it again; None at the start."""
        if not self.history:
            return None
        path = self.history.pop()
        if path in self.answers:
            self.previous[path] = self.answers.pop(path)
        self.skipped.discard(path)
        self._again = path
        return path

    # -- explaining

    def why(self, path: str) -> list[str]:
        """The expert-system 'why': which findings need this answer and what they conclude."""
        question = self.bank.question(path)
        lines = [f"Why this question ({path}): {question.rationale}"]
        readers = self.live_readers(question, path)
        deciding = False
        if readers:
            lines.append("Findings that read this answer and could still be concluded:")
            for reader in readers:
                faq = ", ".join(reader.faq)
                lines.append(
                    f'  - {reader.finding}: "{reader.title}" '
                    f"({reader.factor.replace('_', ' ')}, {reader.severity}; FAQ {faq})"
                )
                if reader.rules:
                    lines.append(f"    rules: {', '.join(reader.rules)}")
                if reader.when:
                    lines.append(f"    only while: {describe_condition(reader.when)}")
        for other in self.bank.questions:
            if (
                path in condition_fields(other.ask_if)
                and evaluate(other.ask_if, self.value) is None
            ):
                lines.append(
                    f"It also decides whether '{other.prompt}' is asked "
                    f"(only if {describe_condition(other.ask_if or {})})."
                )
                deciding = True
        needed = self.required().get(path)
        if needed:
            lines.append(f"The study file needs it as well: {needed}.")
        if not readers and not needed and not deciding:
            lines.append("No finding depends on it any more; 'skip' is safe.")
        return lines


def describe_condition(condition: Mapping[str, Any]) -> str:
    parts = []
    for key, spec in condition.items():
        if key == "any":
            parts.append("(" + " or ".join(describe_condition(c) for c in spec) + ")")
        elif isinstance(spec, list):
            parts.append(f"{key} is {' or '.join(str(s).lower() for s in spec)}")
        elif isinstance(spec, Mapping):
            if "min" in spec:
                parts.append(f"{key} >= {spec['min']}")
            if "max" in spec:
                parts.append(f"{key} <= {spec['max']}")
            if "not" in spec:
                parts.append(f"{key} is not {' or '.join(map(str, spec['not']))}")
    return " and ".join(parts)
