"""The result objects of :mod:`thymoscope.api`.

Every result is built on one document, the plain data of the published JSON shape
(``thymoscope schema --report``, ``--comparison``, ``--review``), and shows it in each
output format:

- ``to_dict()``: the document (a fresh copy each call, safe to change);
- ``to_json()``: the document as JSON text, exactly as ``--format json`` writes it;
- ``to_text()``, ``to_markdown()``, ``to_html()``: the report as the command line writes
  it in that format (the HTML page is self-contained, forest plots inline as SVG);
- ``_repr_html_()``: the HTML report, styled, inside a notebook cell;
- ``to_model()`` (diagnoses and comparisons): the document as the pydantic model the
  published schema is made from, for typed access.

``findings`` is an attribute of every result that has findings: a list of finding
objects, each with at least ``id``, ``title``, ``factor``, ``explanation``,
``next_steps`` and ``faq`` (the FAQ sections it rests on).
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thymoscope.engine.diagnosis import Diagnosis
from thymoscope.engine.pairs import PairComparison

if TYPE_CHECKING:
    from thymoscope.report.comparison_schema import ComparisonReport
    from thymoscope.report.schema import Report

DEFAULT_WIDTH = 88


class Rendered(ABC):
    """The output formats of a result; a result supplies :meth:`to_dict`."""

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """The result's document: plain data in the published JSON shape."""

    def _render(self, fmt: str, width: int = DEFAULT_WIDTH, color: bool = False) -> str:
        from thymoscope.report.render import render

        return render(self.to_dict(), fmt, color=color, width=width)

    def to_json(self) -> str:
        """The document as JSON text (two-space indent, UTF-8 kept), ending with a newline."""
        return self._render("json")

    def to_text(self, width: int = DEFAULT_WIDTH, color: bool = False) -> str:
        """The report as terminal text, wrapped at ``width`` (ANSI colours if ``color``)."""
        return self._render("text", width, color)

    def to_markdown(self) -> str:
        """The report as Markdown."""
        return self._render("markdown")

    def to_html(self) -> str:
        """The report as one self-contained HTML page (inline CSS and SVG plots)."""
        return self._render("html")

    def _repr_html_(self) -> str:
        """The HTML report for a notebook cell, its styles scoped to the report."""
        from thymoscope.notebook import notebook_fragment

        return notebook_fragment(self.to_html())


def _field_values(instance: Any) -> dict[str, Any]:
    return {f.name: getattr(instance, f.name) for f in fields(instance)}


class StudyDiagnosis(Diagnosis, Rendered):
    """One study diagnosed: the engine's :class:`~thymoscope.engine.diagnosis.Diagnosis`
    (``study_id``, ``title``, ``indication``, ``source``, ``findings``, ``checks``,
    ``key_facts``) with its report in every format.

    ``findings`` lists the findings in troubleshooting order; each has ``id``,
    ``title``, ``factor``, ``severity``, ``faq``, ``explanation``, ``next_steps``,
    ``evidence_note``, ``rules`` and ``facts`` (the study values it cites). ``checks``
    says, for every finding of the knowledge base, whether it fired, stayed silent,
    does not apply to the indication, or could not be assessed (and for want of which
    fields).
    """

    @classmethod
    def of(cls, diagnosis: Diagnosis) -> StudyDiagnosis:
        """The same diagnosis as a result object."""
        if isinstance(diagnosis, cls):
            return diagnosis
        return cls(**_field_values(diagnosis))

    def __eq__(self, other: object) -> bool:
        """Equal to a diagnosis, of this class or the engine's, with the same fields."""
        if not isinstance(other, Diagnosis):
            return NotImplemented
        return _field_values(self) == _field_values(other)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the engine's Diagnosis

    def to_dict(self) -> dict[str, Any]:
        """The one-study report document (``kind: diagnosis``, ``thymoscope schema
        --report``)."""
        from thymoscope.report.document import report_document

        return report_document([self])

    def to_model(self) -> Report:
        """The report document as the published schema's pydantic model (typed access:
        ``to_model().studies[0].groups[0].findings[0].title``)."""
        from thymoscope.report.schema import Report

        return Report.model_validate(self.to_dict())

    @property
    def study(self) -> dict[str, Any]:
        """This study's part of the report document (``to_dict()["studies"][0]``)."""
        studies: list[dict[str, Any]] = self.to_dict()["studies"]
        return studies[0]


@dataclass(frozen=True)
class DiagnosisReport(Rendered):
    """Several studies diagnosed (:func:`thymoscope.api.diagnose_many`), in input order.

    ``studies`` are the diagnosed studies; ``errors`` one line per input that could
    not be diagnosed (``FILE:LINE: FIELD: message``), as the report lists them;
    ``files`` every file named or found in a folder (so that a caller writing the report
    to a file can refuse to overwrite one of them). Iterating gives the studies.
    """

    studies: tuple[StudyDiagnosis, ...]
    errors: tuple[str, ...] = ()
    files: tuple[Path, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The report document of every study plus the input errors."""
        from thymoscope.report.document import report_document

        return report_document(self.studies, self.errors)

    def to_model(self) -> Report:
        """The report document as the published schema's pydantic model."""
        from thymoscope.report.schema import Report

        return Report.model_validate(self.to_dict())

    def __len__(self) -> int:
        return len(self.studies)

    def __iter__(self) -> Iterator[StudyDiagnosis]:
        return iter(self.studies)

    def __repr__(self) -> str:
        ids = [s.study_id for s in self.studies]
        return f"DiagnosisReport(studies={ids!r}, errors={len(self.errors)})"

    def __getitem__(self, index: int) -> StudyDiagnosis:
        return self.studies[index]


@dataclass(frozen=True)
class PairLabel:
    """The bundled pair or pair file a comparison came from."""

    id: str
    title: str
    note: str | None = None


@dataclass(eq=False)
class StudyComparison(PairComparison, Rendered):
    """Two studies compared by the pair rules: the engine's
    :class:`~thymoscope.engine.pairs.PairComparison` (``a_id``, ``b_id``, ``findings``,
    ``checks``, ``details`` ...) with its report in every format.

    ``findings`` are the pair findings: on which troubleshooting factors the studies
    differ, which way each difference is expected to push the result, and whether the
    two results really conflict (see :attr:`verdict`). ``pair`` names the bundled pair
    or pair file compared, if any.
    """

    pair: PairLabel | None = None

    @classmethod
    def of(cls, comparison: PairComparison, pair: PairLabel | None = None) -> StudyComparison:
        """The same comparison as a result object."""
        return cls(**_field_values(comparison), pair=pair)

    def __eq__(self, other: object) -> bool:
        """Equal to a comparison, of this class or the engine's, with the same fields
        (and, between two of this class, the same pair)."""
        if not isinstance(other, PairComparison):
            return NotImplemented
        same_pair = not isinstance(other, StudyComparison) or other.pair == self.pair
        base = fields(PairComparison)
        return same_pair and all(getattr(self, f.name) == getattr(other, f.name) for f in base)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the engine's PairComparison

    @property
    def verdict(self) -> str:
        """``conflict``, ``compatible`` or ``not_tested``: whether the two primary
        results differ by more than chance."""
        from thymoscope.report.comparison import RESULT_VERDICTS

        found = (v for k, v in RESULT_VERDICTS.items() if k in self.details)
        return next(found, "not_tested")

    def to_dict(self) -> dict[str, Any]:
        """The comparison document of this pair (``kind: comparison``, ``thymoscope
        schema --comparison``)."""
        from thymoscope.report.comparison import comparison_report

        label = None
        if self.pair is not None:
            label = {"id": self.pair.id, "title": self.pair.title, "note": self.pair.note}
        return comparison_report([self], [], [label])

    def to_model(self) -> ComparisonReport:
        """The comparison document as the published schema's pydantic model."""
        from thymoscope.report.comparison_schema import ComparisonReport

        return ComparisonReport.model_validate(self.to_dict())


@dataclass(frozen=True)
class ReviewFinding:
    """A finding about a body of studies (one outcome of a review)."""

    id: str
    title: str
    factor: str | None
    explanation: str
    next_steps: tuple[str, ...]
    faq: tuple[str, ...]
    rule: str
    outcome: str  # the outcome's label: indication · endpoint · measure
    facts: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Review(Rendered):
    """A body of studies pooled (:func:`thymoscope.api.review`).

    ``outcomes`` holds one analysis per outcome (studies grouped by indication, endpoint
    kind and effect measure): the pooled estimate, heterogeneity, subgroups or
    meta-regression, leave-one-out, Egger's test, certainty and forest-plot data, as in
    ``thymoscope schema --review``. ``findings`` are the body-level findings of every
    outcome (which factor explains the disagreement, ...); ``errors`` one line per input
    that could not be read; ``excluded`` the studies left out and why; ``files`` every
    file named or found in a folder.
    """

    document: Mapping[str, Any] = field(repr=False)
    files: tuple[Path, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The review document (``kind: review``, ``thymoscope schema --review``)."""
        return copy.deepcopy(dict(self.document))

    def __repr__(self) -> str:
        outcomes, found = len(self.document["outcomes"]), len(self.findings)
        return (
            f"Review(title={self.title!r}, outcomes={outcomes}, findings={found}, "
            f"errors={len(self.document['errors'])})"
        )

    def _render(self, fmt: str, width: int = DEFAULT_WIDTH, color: bool = False) -> str:
        from thymoscope.synthesis.review import render_review

        return render_review(self.to_dict(), fmt, color=color, width=width)

    @property
    def title(self) -> str:
        """The review's title."""
        return str(self.document["title"])

    @property
    def outcomes(self) -> list[dict[str, Any]]:
        """One analysis per outcome, as in the document."""
        return self.to_dict()["outcomes"]  # type: ignore[no-any-return]

    @property
    def findings(self) -> list[ReviewFinding]:
        """The body-level findings of every outcome, in outcome order."""
        return [
            ReviewFinding(
                id=f["id"],
                title=f["title"],
                factor=f["factor"],
                explanation=f["explanation"],
                next_steps=tuple(f["next_steps"]),
                faq=tuple(f["faq_sections"]),
                rule=f["rule"],
                outcome=outcome["label"],
                facts=tuple((fact["name"], fact["value"]) for fact in f["facts"]),
            )
            for outcome in self.document["outcomes"]
            for f in outcome["findings"]
        ]

    @property
    def errors(self) -> list[str]:
        """One line per input that could not be read."""
        return list(self.document["errors"])

    @property
    def excluded(self) -> list[dict[str, Any]]:
        """The studies read but left out of every analysis, with the reason."""
        return copy.deepcopy(list(self.document["excluded"]))


@dataclass(frozen=True)
class RuleEntry(Rendered):
    """One finding of the knowledge base, in full (:func:`thymoscope.api.rule`): what
    its rules test, the thresholds they use and where each comes from, its texts, its
    FAQ sections, and which bundled cases (or pairs) show it; ``thymoscope rules ID``.

    ``explanation`` and ``next_steps`` are the texts as templates (values in ``{{ }}``
    are filled in from the study); ``example`` is the finding as written for the first
    bundled case that shows it. ``kind`` is ``study`` for a finding about one study,
    ``pair`` for one about two studies compared.
    """

    document: Mapping[str, Any] = field(repr=False)

    def __repr__(self) -> str:
        return f"RuleEntry({self.id!r}, {self.title!r})"

    def to_dict(self) -> dict[str, Any]:
        """The ``rules`` document whose ``selected`` entry is this finding."""
        return copy.deepcopy(dict(self.document))

    @property
    def _entry(self) -> Mapping[str, Any]:
        entry: Mapping[str, Any] = self.document["selected"]
        return entry

    @property
    def id(self) -> str:
        """The finding id."""
        return str(self._entry["id"])

    @property
    def title(self) -> str:
        """The finding's title."""
        return str(self._entry["title"])

    @property
    def kind(self) -> str:
        """``study`` or ``pair``: about one study, or about two compared."""
        return str(self._entry["kind"])

    @property
    def factor(self) -> str:
        """The troubleshooting factor it belongs to."""
        return str(self._entry["factor"])

    @property
    def factor_title(self) -> str:
        """The factor in words."""
        return str(self._entry["factor_title"])

    @property
    def severity(self) -> str:
        """``major``, ``moderate``, ``minor`` or ``info`` (a rule may raise it)."""
        return str(self._entry["severity"])

    @property
    def faq(self) -> tuple[str, ...]:
        """The FAQ sections it rests on."""
        return tuple(self._entry["faq_sections"])

    @property
    def explanation(self) -> str:
        """The explanation, as a template."""
        return str(self._entry["explanation_template"])

    @property
    def next_steps(self) -> tuple[str, ...]:
        """What to check or do next, as templates."""
        return tuple(self._entry["next_steps"])

    @property
    def evidence_note(self) -> str | None:
        """A note on the strength of the evidence behind it, if any."""
        note = self._entry["evidence_note"]
        return None if note is None else str(note)

    @property
    def rules(self) -> list[dict[str, Any]]:
        """Its rules: what each tests in words, reads, needs and is enabled by."""
        return copy.deepcopy(list(self._entry["rules"]))

    @property
    def thresholds(self) -> list[dict[str, Any]]:
        """The thresholds its rules use, each with its value and source."""
        return copy.deepcopy(list(self._entry["thresholds"]))

    @property
    def cases(self) -> tuple[str, ...]:
        """The bundled cases (``pair ID`` for bundled pairs) whose diagnosis shows it."""
        return tuple(self._entry["fired_by"])

    @property
    def example(self) -> dict[str, Any] | None:
        """The finding as written for the first bundled case that shows it, if any."""
        example = self._entry["example"]
        return None if example is None else dict(example)


@dataclass(frozen=True)
class RuleBook(Rendered):
    """The whole knowledge base (:func:`thymoscope.api.rules`): every finding, factor by
    factor in troubleshooting order, single-study findings first, then pair findings;
    ``thymoscope rules``."""

    document: Mapping[str, Any] = field(repr=False)
    findings: tuple[RuleEntry, ...] = field(repr=False)

    def __repr__(self) -> str:
        return f"RuleBook({len(self.findings)} findings)"

    def to_dict(self) -> dict[str, Any]:
        """The ``rules`` document, as ``thymoscope rules --format json`` writes it."""
        return copy.deepcopy(dict(self.document))

    def __getitem__(self, finding_id: str) -> RuleEntry:
        for entry in self.findings:
            if entry.id == finding_id:
                return entry
        from thymoscope.errors import UnknownNameError

        raise UnknownNameError("finding", finding_id, [e.id for e in self.findings])


def bundled_path(package: str, name: str) -> Path:
    """A file or folder shipped in ``package`` (``thymoscope.kb.cases`` ...)."""
    from importlib.resources import files

    return Path(str(files(package).joinpath(name)))
