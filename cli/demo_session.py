"""Terminal side of `thymoscope demo`: walk a class through cases, pairs and review
sets, step by step.

The steps come from :mod:`thymoscope.report.walkthrough` (cases and pairs) and
:mod:`thymoscope.synthesis.walkthrough` (review sets); this module only does the
terminal side (printing, waiting for Enter, asking quiz questions, recording scores)
and writes the slides (:mod:`thymoscope.report.deck`) and the handout
(:mod:`thymoscope.report.handout`).
"""

from __future__ import annotations

import difflib
import errno
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from thymoscope import RESEARCH_NOTICE
from thymoscope.cli.output import OutputError, check_target, emit, is_stdout, refuse, shown
from thymoscope.report.render import terminal_line
from thymoscope.report.walkthrough import (
    Question,
    Score,
    ShownFact,
    Step,
    Walkthrough,
    build_pair_walkthrough,
    build_walkthrough,
    faq_text,
    parse_choice,
    questions,
)
from thymoscope.study.loader import STUDY_SUFFIXES, StudyFileError, load_study
from thymoscope.study.model import Study


class _Console(Console):
    """A rich console whose broken pipe reaches the entry point (quiet exit, status 141)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


SEVERITY_STYLE = {"major": "bold red", "moderate": "bold yellow", "minor": "cyan", "info": "green"}


@dataclass(frozen=True)
class Case:
    name: str  # file stem: what the user types
    path: Path
    study: Study


@dataclass(frozen=True)
class Pair:
    name: str  # file stem
    path: Path
    id: str
    title: str
    a: str  # a case name / study id in the same folder, or a study file next to the pair file
    b: str
    note: str | None


@dataclass(frozen=True)
class ReviewSet:
    name: str  # folder name under review/
    path: Path
    files: tuple[Path, ...]


@dataclass
class Catalogue:
    where: str  # "bundled" or the folder given
    cases: list[Case]
    pairs: list[Pair]
    errors: list[str]  # one located line per file that could not be read
    reviews: list[ReviewSet] = field(default_factory=list)

    def case(self, name: str) -> Case | None:
        return next((c for c in self.cases if name in (c.name, c.study.id)), None)

    def pair(self, name: str) -> Pair | None:
        return next((p for p in self.pairs if name in (p.name, p.id)), None)

    def review(self, name: str) -> ReviewSet | None:
        return next((r for r in self.reviews if name == r.name), None)

    def names(self) -> list[str]:
        """Every name the catalogue answers to (for "did you mean")."""
        return [
            *(c.name for c in self.cases),
            *(c.study.id for c in self.cases),
            *(p.name for p in self.pairs),
            *(r.name for r in self.reviews),
        ]


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(2)


def _study_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in STUDY_SUFFIXES)


def load_catalogue(folder: Path, where: str) -> Catalogue:
    """The study files of ``folder`` and the pair files of ``folder/pairs`` (not recursive)."""
    from thymoscope.kb.comparison import PairFileError, parse_pair
    from thymoscope.study.loader import read_text

    found = Catalogue(where, [], [], [])
    for path in _study_files(folder):
        try:
            found.cases.append(Case(path.stem, path, load_study(path)))
        except StudyFileError as exc:
            found.errors.extend(str(p) for p in exc.problems)
    for path in _study_files(folder / "pairs"):
        try:
            pair = parse_pair(read_text(path), str(path), root=folder)
        except StudyFileError as exc:
            found.errors.extend(str(p) for p in exc.problems)
        except PairFileError as exc:
            found.errors.append(str(exc))
        else:
            found.pairs.append(
                Pair(path.stem, path, pair.id, pair.title, pair.a, pair.b, pair.note)
            )
    reviews = folder / "review"
    if reviews.is_dir():
        for sub in sorted(p for p in reviews.iterdir() if p.is_dir()):
            files = tuple(_study_files(sub))
            if files:
                found.reviews.append(ReviewSet(sub.name, sub, files))
    return found


def _pair_side(pair: Pair, ref: str, catalogue: Catalogue) -> Path:
    if Path(ref).suffix in STUDY_SUFFIXES:
        return pair.path.parent / ref
    case = catalogue.case(ref)
    if case is None:
        where = terminal_line(catalogue.where)
        raise _fail(
            "thymoscope: error: "
            + terminal_line(f"{pair.path}: {ref}")
            + f": no such case in {where} cases"
        )
    return case.path


def _shown_as(path: Path, catalogue: Catalogue) -> str:
    return f"bundled case {path.stem}" if catalogue.where == "bundled" else shown(path)


def case_walkthrough(path: Path, shown_as: str) -> Walkthrough:
    from thymoscope.api import diagnose
    from thymoscope.kb import knowledge

    diagnosis = diagnose(load_study(path), shown_as)
    return build_walkthrough(diagnosis, dict(knowledge().factor_titles))


def pair_walkthrough(pair: Pair, catalogue: Catalogue) -> Walkthrough:
    from thymoscope.kb.comparison import compare, pair_factor_titles
    from thymoscope.report.comparison import comparison_document

    path_a, path_b = (_pair_side(pair, ref, catalogue) for ref in (pair.a, pair.b))
    comparison = compare(
        load_study(path_a),
        load_study(path_b),
        _shown_as(path_a, catalogue),
        _shown_as(path_b, catalogue),
    )
    factors = pair_factor_titles()
    label = {"id": pair.id, "title": pair.title, "note": pair.note}
    document = comparison_document(comparison, factors, label)
    return pair_walkthrough_of(document)


def pair_walkthrough_of(document: dict[str, Any]) -> Walkthrough:
    """A pair's walk-through from its comparison document. The verdict on the results
    is asked as "is this conflict real?", not as a factor; the factors are offered in
    the order of a case quiz, so that each has the same number in every quiz."""
    from thymoscope.kb import knowledge
    from thymoscope.kb.comparison import pair_factor_titles
    from thymoscope.report.comparison import RESULT_VERDICTS

    return build_pair_walkthrough(
        document,
        pair_factor_titles(),
        unasked=("results",),
        quiz_order=dict(knowledge().factor_titles),
        verdicts=RESULT_VERDICTS,
    )


# --- printing --------------------------------------------------------------------------


def _rule(console: Console, step: Step, total: int, label: str) -> None:
    console.print()
    console.rule(Text(f"Step {step.number} of {total} · {label}", style="bold"), align="left")


def _print_facts(console: Console, facts: tuple[ShownFact, ...], heading: str) -> None:
    console.print(Text(heading, style="bold"))
    for fact in facts:
        console.print(Text("  • ").append(fact.words))


def _print_facts_step(console: Console, walk: Walkthrough, step: Step, total: int) -> None:
    _rule(console, step, total, "the study" if walk.kind == "case" else "the two studies")
    console.print(Text(walk.title, style="bold underline"))
    if walk.kind == "case":
        if walk.source:
            console.print(Text(terminal_line(walk.source), style="dim"))
        _print_facts(console, step.facts, "Key facts:")
        return
    for label, side in zip("AB", walk.sides, strict=True):
        console.print(Text(f"{label}: ", style="bold").append(f"{side['title']} ({side['id']})"))
    if walk.note:
        console.print(Text(walk.note, style="italic"))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("fact", style="cyan")
    table.add_column("A", style="bold")
    table.add_column("B", style="bold")
    same = []
    for row in walk.side_by_side:
        if row.status == "same":
            same.append(f"{row.label}: {row.a_words}")
        else:
            table.add_row(row.label, row.a_words, row.b_words)
    console.print(Text("Where they differ (or one is not known):", style="bold"))
    console.print(table)
    if same:
        console.print(Text("Same in both: ", style="bold").append("; ".join(same), style="dim"))


def _print_finding(console: Console, step: Step, total: int, walk: Walkthrough) -> None:
    finding = step.finding or {}
    factor = walk.factors.get(str(finding.get("factor")), str(finding.get("factor")))
    _rule(console, step, total, factor)
    title = Text(step.title, style="bold")
    severity = str(finding.get("severity"))
    title.append(f"  [{severity}]", style=SEVERITY_STYLE.get(severity, ""))
    console.print(title)
    rules = ", ".join(finding.get("rules", ()))
    console.print(Text("Rule that fired: ", style="bold").append(rules, style="magenta"))
    _print_facts(console, step.facts, "Facts it matched:")
    console.print(Text("Why: ", style="bold").append(str(finding.get("explanation", ""))))
    for next_step in finding.get("next_steps", ()):
        console.print(Text("Next: ", style="bold").append(str(next_step)))
    if finding.get("evidence_note"):
        console.print(Text("Evidence note: ", style="bold").append(str(finding["evidence_note"])))
    for key, label in (("favoured_id", "More credible here"), ("larger_id", "Expected larger")):
        if finding.get(key):
            console.print(Text(f"{label}: ", style="bold").append(str(finding[key])))
    console.print(Text(faq_text(finding.get("faq_sections", ())), style="dim"))


def _print_summary(console: Console, step: Step, total: int) -> None:
    _rule(console, step, total, "summary")
    for line in step.lines:
        console.print(Text(line))


# --- pacing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pace:
    mode: str  # enter | auto | none
    delay: float = 0.0


def _read_line(console: Console, prompt: str) -> str | None:
    """One line from stdin after ``prompt``; ``None`` at end of input."""
    console.print(Text(prompt, style="dim"), end="")
    console.file.flush()
    line = sys.stdin.readline()
    if not line:
        console.print()
        return None
    if not sys.stdin.isatty():  # piped answers: show them, as a typist would see them
        console.print(Text(line.rstrip("\n")))
    return line.rstrip("\n")


def _wait(console: Console, pace: Pace) -> bool:
    """Wait before the next step; False if the user asked to quit."""
    if pace.mode == "none":
        return True
    if pace.mode == "auto":
        console.file.flush()
        time.sleep(pace.delay)
        return True
    line = _read_line(console, "Press Enter for the next step (q to quit) ")
    return not (line is not None and line.strip().lower() in ("q", "quit"))


def _ask(console: Console, question: Question) -> str | None:
    """Ask until a valid choice (or end of input / empty line gives up)."""
    console.print()
    console.rule(
        Text(f"Question {question.number} of {question.total}", style="bold"), align="left"
    )
    if question.clue:
        console.print(Text("What we know:", style="bold"))
        for clue in question.clue:
            console.print(Text("  • ").append(clue))
    console.print(Text(question.prompt, style="bold"))
    for number, (_, words) in enumerate(question.choices, start=1):
        console.print(Text(f"  {number}. {words}"))
    while True:
        line = _read_line(console, "Your answer (number or words, Enter to pass): ")
        if line is None or not line.strip():
            return None
        choice = parse_choice(line, question.choices)
        if choice is not None:
            return choice
        console.print(Text(f"Not one of the choices: {line.strip()!r}", style="yellow"))


def _reveal(console: Console, question: Question, given: str | None, right: bool) -> None:
    answer = question.words(question.answer)
    if right:
        said = question.words(given)
        extra = "" if given == question.answer else f" (as good as: {answer})"
        console.print(Text(f"Right: {said}.{extra}", style="bold green"))
    elif given is None:
        console.print(Text(f"No answer. It was: {answer}.", style="bold yellow"))
    else:
        said = question.words(given)
        console.print(Text(f"Not quite: you said {said}; it was {answer}.", style="bold red"))


def run_walkthrough(console: Console, walk: Walkthrough, pace: Pace, quiz: bool) -> Score:
    """Present every step; with ``quiz``, ask before each finding is revealed."""
    total = len(walk.steps)
    pending = {q.step.number: q for q in questions(walk)} if quiz else {}
    score = Score()
    for index, step in enumerate(walk.steps):
        if step.kind == "facts":
            _print_facts_step(console, walk, step, total)
        elif step.kind == "finding":
            question = pending.get(step.number)
            if question is not None:
                given = _ask(console, question)
                right = score.record(question, given)
                _reveal(console, question, given, right)
            _print_finding(console, step, total, walk)
        else:
            _print_summary(console, step, total)
            if quiz:
                console.print(Text(score.line(), style="bold"))
        is_last = index == len(walk.steps) - 1
        # In a quiz each question is the pause; the facts step still waits for the class.
        next_is_question = not is_last and walk.steps[index + 1].number in pending
        if not is_last and not next_is_question and not _wait(console, pace):
            console.print(Text("Stopped.", style="dim"))
            break
    return score


def run_review_walkthrough(console: Console, item: ReviewItem, pace: Pace) -> bool:
    """A review set told step by step, its forest plot after the pooling step; False if
    the class stopped it."""
    from thymoscope.report.forest import forest_layout, text_lines
    from thymoscope.synthesis.walkthrough import plain_steps

    console.print(Text(f"Review set: {item.title}", style="bold underline"))
    steps = [(o, s) for o in item.document["outcomes"] for s in plain_steps(o)]
    for index, (outcome, step) in enumerate(steps):
        console.print()
        console.rule(style="dim")
        heading = f"{step.outcome} · step {step.number}: {step.title}"
        console.print(Text(terminal_line(heading), style="bold"))
        for line in step.plain:
            console.print(Text("  • ").append(terminal_line(line)))
        if step.number == 2:
            width = max(60, min(console.width, 100))
            for plot_line in text_lines(forest_layout(outcome), width, unicode=True):
                console.print(Text(plot_line.text), no_wrap=True, overflow="crop")
        if index < len(steps) - 1 and not _wait(console, pace):
            console.print(Text("Stopped.", style="dim"))
            return False
    return True


# --- listing ---------------------------------------------------------------------------


def _listing(console: Console, heading: str, rows: list[tuple[str, str, str]]) -> None:
    """One section of the list: names in one column, titles wrapped beside them (a long
    title keeps its end, where titles differ, instead of being cut)."""
    console.print(Text(heading, style="bold"))
    table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 0))
    table.add_column("name", style="cyan", no_wrap=True)
    table.add_column("title", overflow="fold")
    for name, title, extra in rows:
        text = Text(title)
        if extra:
            text.append(f" {extra}", style="dim")
        table.add_row(f"  {name}", text)
    console.print(table)


def _print_list(console: Console, catalogue: Catalogue) -> None:
    """The catalogue, one entry per case, pair or review set; every name and text shown
    escaped (a file name may hold control or bidirectional characters, or bytes not UTF-8)."""
    where = terminal_line(catalogue.where)
    cases = [(terminal_line(c.name), terminal_line(c.study.title), "") for c in catalogue.cases]
    _listing(console, f"Cases ({where}):", cases or [("(none)", "", "")])
    pairs = [
        (terminal_line(p.name), terminal_line(p.title), terminal_line(f"({p.a} vs {p.b})"))
        for p in catalogue.pairs
    ]
    if pairs:
        _listing(console, f"Pairs to compare ({where}):", pairs)
    reviews = [
        (terminal_line(r.name), f"{len(r.files)} studies · pooled, then explained", "")
        for r in catalogue.reviews
    ]
    if reviews:
        _listing(console, f"Review sets ({where}):", reviews)
    option = "" if catalogue.where == "bundled" else f" --cases {terminal_line(catalogue.where)}"
    console.print(
        Text(
            f"Run `thymoscope demo{option} NAME` to walk through one, "
            f"`thymoscope demo{option} --html course.html` for slides of them all.",
            style="dim",
        )
    )


def _input_files(names: list[str], catalogue: Catalogue) -> list[Path]:
    """Every file the catalogue read or a walk-through may read: never an output."""
    found = [*(Path(n) for n in names), *(c.path for c in catalogue.cases)]
    for pair in catalogue.pairs:
        found.append(pair.path)
        found.extend(pair.path.parent / ref for ref in (pair.a, pair.b))
    for review in catalogue.reviews:
        found.extend(review.files)
    return found


# --- resolving names -------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewItem:
    name: str
    title: str
    document: dict[str, Any]


Item = Walkthrough | ReviewItem


def review_item(review: ReviewSet) -> ReviewItem:
    from thymoscope.synthesis.review import review_paths

    document, _, _ = review_paths([review.path])
    outcomes = [str(o["label"]) for o in document["outcomes"]]
    title = f"{review.name.replace('-', ' ')}: {len(review.files)} studies"
    if outcomes:
        title += f" ({'; '.join(outcomes)})"
    return ReviewItem(review.name, title, document)


def _unknown(name: str, catalogue: Catalogue) -> typer.Exit:
    for error in catalogue.errors:
        typer.echo(error, err=True)
    option = "" if catalogue.where == "bundled" else f" --cases {terminal_line(catalogue.where)}"
    hint = f"run `thymoscope demo{option}` for the list"
    close = difflib.get_close_matches(name, catalogue.names(), n=1, cutoff=0.6)
    if close:
        hint = f"did you mean {terminal_line(close[0])}? or {hint}"
    where = terminal_line(catalogue.where)
    return _fail(
        f"thymoscope: error: {terminal_line(name)}: no such case or pair in {where} cases ({hint})"
    )


def _resolve(name: str, catalogue: Catalogue) -> Item:
    """The walk-through of a case, pair or review set of the catalogue, or of a study file."""
    entry, pair, review = catalogue.case(name), catalogue.pair(name), catalogue.review(name)
    path = Path(name)
    try:
        if entry is not None:
            return case_walkthrough(entry.path, _shown_as(entry.path, catalogue))
        if pair is not None:
            return pair_walkthrough(pair, catalogue)
        if review is not None:
            return review_item(review)
        if path.is_file():
            return case_walkthrough(path, shown(path))
    except StudyFileError as exc:
        raise _fail(str(exc.problems[0])) from None
    raise _unknown(name, catalogue)


def _everything(catalogue: Catalogue) -> list[str]:
    return [
        *(c.name for c in catalogue.cases),
        *(p.name for p in catalogue.pairs),
        *(r.name for r in catalogue.reviews),
    ]


# --- writing -----------------------------------------------------------------------------


def _write(text: str, target: Path, inputs: list[Path]) -> None:
    """Written like every report: atomically, never onto an input."""
    from thymoscope.cli.app import interruptible

    with interruptible():  # a signal mid-write removes the temporary file
        try:
            emit(text, target, inputs)
        except OutputError as exc:
            raise refuse(exc) from None


PDF_SECONDS = 120


def _chromium() -> str | None:
    import shutil

    return next(
        (found for n in ("chromium", "chromium-browser") if (found := shutil.which(n))), None
    )


def _write_pdf(page: str, target: Path, inputs: list[Path]) -> None:
    """``page`` printed to PDF by headless Chromium, then moved onto ``target`` in one
    step (like every output: atomically, never onto an input)."""
    import os
    import subprocess
    import tempfile

    browser = _chromium()
    if browser is None:
        raise _fail(
            "thymoscope: error: a PDF handout needs Chromium (Debian: apt-get install "
            "chromium); write the handout as .html and print it from a browser instead"
        )
    try:
        real = check_target(target, inputs)
    except OutputError as exc:
        raise refuse(exc) from None
    with tempfile.TemporaryDirectory(prefix="thymoscope-handout-") as work:
        source = Path(work) / "handout.html"
        source.write_text(page, encoding="utf-8")
        fd, temp = tempfile.mkstemp(prefix=f".{real.name[:200]}.", suffix=".tmp", dir=real.parent)
        os.close(fd)
        try:
            done = subprocess.run(
                [
                    browser,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--no-first-run",
                    "--no-pdf-header-footer",
                    f"--user-data-dir={work}/profile",
                    f"--print-to-pdf={temp}",
                    source.as_uri(),
                ],
                capture_output=True,
                timeout=PDF_SECONDS,
                check=False,
            )
            if done.returncode != 0 or not Path(temp).read_bytes().startswith(b"%PDF"):
                raise _fail(f"thymoscope: error: {shown(target)}: Chromium could not print it")
            os.replace(temp, real)
        except subprocess.TimeoutExpired:
            raise _fail(
                f"thymoscope: error: {shown(target)}: Chromium took over {PDF_SECONDS} s"
            ) from None
        finally:
            if os.path.exists(temp):
                os.unlink(temp)


def _parts(items: list[Item], quiz: bool) -> list[Any]:
    from thymoscope.report.deck import review_part, walkthrough_part

    return [
        review_part(i.title, i.document, quiz)
        if isinstance(i, ReviewItem)
        else walkthrough_part(i, quiz)
        for i in items
    ]


def course_title(items: list[Item]) -> str:
    if len(items) == 1:
        return items[0].title
    return f"Why Thymalfasin studies disagree: {len(items)} teaching examples"


def _check(target: Path | None) -> None:
    if target is not None and not is_stdout(target):
        try:  # fail before doing the work (checked again against the inputs below)
            check_target(target)
        except OutputError as exc:
            raise refuse(exc) from None


@dataclass
class DemoRequest:
    names: list[str]
    cases: Path | None = None
    everything: bool = False
    auto: bool = False
    delay: float = 8.0
    no_pause: bool = False
    quiz: bool = False
    record: Path | None = None
    student: str = ""
    html: Path | None = None
    handout: Path | None = None
    answer_key: Path | None = None


def _refuse_options(request: DemoRequest) -> None:
    if request.record is not None and not request.quiz:
        raise _fail("thymoscope: error: --record keeps quiz scores; add --quiz")
    if request.record is not None and is_stdout(request.record):
        raise _fail("thymoscope: error: --record needs a file to add the scores to, not -")
    if request.answer_key is not None and request.handout is None:
        raise _fail("thymoscope: error: --answer-key goes with --handout FILE")
    if request.record is not None and (request.html or request.handout):
        raise _fail("thymoscope: error: --record is for a quiz in the terminal, not with --html")
    written = [p for p in (request.html, request.handout, request.answer_key) if p]
    if sum(is_stdout(p) for p in written) > 1:
        raise _fail("thymoscope: error: only one of --html, --handout, --answer-key can be -")


def run_demo(request: DemoRequest) -> None:
    """The `demo` command's work; see :func:`thymoscope.cli.demo.demo`."""
    console = _Console(highlight=False)
    _refuse_options(request)
    for target in (request.html, request.handout, request.answer_key, request.record):
        _check(target)
    writing = request.html is not None or request.handout is not None
    with ExitStack() as stack:
        if request.cases is None:
            folder = Path(stack.enter_context(as_file(files("thymoscope.kb.cases"))))
            catalogue = load_catalogue(folder, "bundled")
        else:
            if not request.cases.is_dir():
                raise _fail(
                    f"thymoscope: error: {terminal_line(str(request.cases))}: "
                    "not a folder of study files"
                )
            catalogue = load_catalogue(request.cases, str(request.cases))
        names = list(request.names)
        if request.everything or (writing and not names):
            names = _everything(catalogue)
        if not names:
            for error in catalogue.errors:
                typer.echo(error, err=True)
            _print_list(console, catalogue)
            console.print(Text(RESEARCH_NOTICE, style="dim"))
            if catalogue.errors:
                raise typer.Exit(2)
            return
        items = [_resolve(name, catalogue) for name in names]
        inputs = _input_files(names, catalogue)
    if writing:
        _write_outputs(console, request, items, inputs)
        return
    pace = (
        Pace("none")
        if request.no_pause
        else Pace("auto", request.delay)
        if request.auto
        else Pace("enter")
    )
    console.print(Text(RESEARCH_NOTICE, style="dim"))
    scores: list[tuple[str, Score]] = []
    for number, (name, item) in enumerate(zip(names, items, strict=True)):
        if number and not _wait(console, pace):
            break
        if isinstance(item, ReviewItem):
            if not run_review_walkthrough(console, item, pace):
                break
            continue
        scores.append((name, run_walkthrough(console, item, pace, request.quiz)))
    if request.record is not None:
        _record(console, request, scores, inputs)
    console.print(Text(RESEARCH_NOTICE, style="dim"))


def _record(
    console: Console, request: DemoRequest, scores: list[tuple[str, Score]], inputs: list[Path]
) -> None:
    from datetime import date

    from thymoscope.report.scores import RecordError, append_scores
    from thymoscope.report.walkthrough import score_rows

    assert request.record is not None
    rows = [
        row
        for name, score in scores
        for row in score_rows(score, request.student, date.today().isoformat(), name)
    ]
    try:
        check_target(request.record, inputs)
        append_scores(request.record, rows)
    except (OutputError, RecordError) as exc:
        raise refuse(OutputError(str(exc))) from None
    where = terminal_line(str(request.record))
    console.print(Text(f"Added {len(rows)} rows to {where} (earlier records kept)."))


def _write_outputs(
    console: Console, request: DemoRequest, items: list[Item], inputs: list[Path]
) -> None:
    title = course_title(items)
    said = []
    if request.html is not None:
        from thymoscope.report.deck import deck_html

        html = deck_html(_parts(items, request.quiz), title)
        _write(html, request.html, inputs)
        count = html.count('<section class="slide')
        said.append(f"Wrote {terminal_line(str(request.html))} ({count} slides).")
    if request.handout is not None:
        from thymoscope.report.handout import answer_key_html, handout_html

        separate = request.answer_key is not None
        page = handout_html(items, title, with_key=not separate)
        if request.handout.suffix.lower() == ".pdf":
            _write_pdf(page, request.handout, inputs)
        else:
            _write(page, request.handout, inputs)
        said.append(f"Wrote the handout {terminal_line(str(request.handout))}.")
        if request.answer_key is not None:
            _write(answer_key_html(items, title), request.answer_key, inputs)
            said.append(f"Wrote the answer key {terminal_line(str(request.answer_key))}.")
    if any(is_stdout(p) for p in (request.html, request.handout, request.answer_key) if p):
        return
    for line in said:
        console.print(Text(line))
    if request.html is not None:
        console.print(Text("Open the slides in a browser: arrows move, N shows the notes."))
    console.print(Text(RESEARCH_NOTICE, style="dim"))
