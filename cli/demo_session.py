"""Terminal side of `thymoscope demo`: walk a class through a case, step by step.

The steps come from :mod:`thymoscope.report.walkthrough`; this module only does the
terminal side (printing, waiting for Enter, asking quiz questions) and writes the
HTML slides.
"""

from __future__ import annotations

import errno
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from importlib.resources import as_file, files
from pathlib import Path

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


@dataclass
class Catalogue:
    where: str  # "bundled" or the folder given
    cases: list[Case]
    pairs: list[Pair]
    errors: list[str]  # one located line per file that could not be read

    def case(self, name: str) -> Case | None:
        return next((c for c in self.cases if name in (c.name, c.study.id)), None)

    def pair(self, name: str) -> Pair | None:
        return next((p for p in self.pairs if name in (p.name, p.id)), None)


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
    return found


def _pair_side(pair: Pair, ref: str, catalogue: Catalogue) -> Path:
    if Path(ref).suffix in STUDY_SUFFIXES:
        return pair.path.parent / ref
    case = catalogue.case(ref)
    if case is None:
        where = terminal_line(catalogue.where)
        raise _fail(terminal_line(f"{pair.path}: {ref}") + f": no such case in {where} cases")
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
    # The verdict on the results is shown, not asked: it is no explaining factor.
    return build_pair_walkthrough(document, factors, unasked=("results",))


# --- printing --------------------------------------------------------------------------


def _rule(console: Console, step: Step, total: int, label: str) -> None:
    console.print()
    console.rule(Text(f"Step {step.number} of {total} · {label}", style="bold"), align="left")


def _print_facts(console: Console, facts: tuple[ShownFact, ...], heading: str) -> None:
    console.print(Text(heading, style="bold"))
    for fact in facts:
        line = Text("  ")
        line.append(fact.path, style="cyan")
        line.append(" = ")
        line.append(fact.value, style="bold")
        console.print(line)


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
    table.add_column("fact", style="cyan", no_wrap=True)
    table.add_column("A", style="bold")
    table.add_column("B", style="bold")
    same = []
    for row in walk.side_by_side:
        if row.status == "same":
            same.append(f"{row.path} = {row.a}")
        else:
            table.add_row(row.path, row.a, row.b)
    console.print(Text("Where they differ (or one is unknown):", style="bold"))
    console.print(table)
    if same:
        console.print(Text("Same in both: ", style="bold").append("; ".join(same), style="dim"))


def _print_clue(console: Console, step: Step, total: int) -> None:
    _rule(console, step, total, "quiz")
    _print_facts(console, step.facts, "A rule fired on these facts of the study:")


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
    sections = ", ".join(finding.get("faq_sections", ()))
    console.print(Text(f"FAQ section {sections}", style="dim"))


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
    console.print(Text("Which factor explains it?", style="bold"))
    for number, (_, title) in enumerate(question.choices, start=1):
        console.print(Text(f"  {number}. {title}"))
    while True:
        line = _read_line(console, "Your answer (number or name, Enter to pass): ")
        if line is None or not line.strip():
            return None
        choice = parse_choice(line, question.choices)
        if choice is not None:
            return choice
        console.print(Text(f"Not one of the choices: {line.strip()!r}", style="yellow"))


def _reveal(
    console: Console, walk: Walkthrough, question: Question, given: str | None, right: bool
) -> None:
    answer = walk.factors[question.answer]
    if right:
        console.print(Text(f"Right: {answer}.", style="bold green"))
    elif given is None:
        console.print(Text(f"No answer. It was: {answer}.", style="bold yellow"))
    else:
        console.print(
            Text(f"Not quite: you said {walk.factors[given]}; it was {answer}.", style="bold red")
        )


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
                _print_clue(console, step, total)
                given = _ask(console, question)
                right = score.record(question, given)
                _reveal(console, walk, question, given, right)
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


# --- listing ---------------------------------------------------------------------------


def _print_list(console: Console, catalogue: Catalogue) -> None:
    """The catalogue, one line per case or pair; every name and text shown escaped
    (a file name may hold control or bidirectional characters, or bytes not UTF-8)."""
    cases = [(terminal_line(c.name), terminal_line(c.study.title)) for c in catalogue.cases]
    pairs = [
        (terminal_line(p.name), terminal_line(p.title), terminal_line(f"({p.a} vs {p.b})"))
        for p in catalogue.pairs
    ]
    width = max((len(entry[0]) for entry in [*cases, *pairs]), default=0)
    where = terminal_line(catalogue.where)
    console.print(Text(f"Cases ({where}):", style="bold"))
    for name, title in cases:
        line = Text(f"  {name.ljust(width)}  ", style="cyan")
        line.append(title)
        console.print(line, overflow="ellipsis", no_wrap=True)
    if not cases:
        console.print(Text("  (none)"))
    if pairs:
        console.print(Text(f"Pairs to compare ({where}):", style="bold"))
    for name, title, sides in pairs:
        line = Text(f"  {name.ljust(width)}  ", style="cyan")
        line.append(title)
        line.append(f" {sides}", style="dim")
        console.print(line, overflow="ellipsis", no_wrap=True)
    console.print(Text("Run `thymoscope demo NAME` to walk through one.", style="dim"))


def _input_files(case: str, catalogue: Catalogue) -> list[Path]:
    """Every file the catalogue read or a walk-through may read: never an output."""
    found = [Path(case), *(c.path for c in catalogue.cases)]
    for pair in catalogue.pairs:
        found.append(pair.path)
        found.extend(pair.path.parent / ref for ref in (pair.a, pair.b))
    return found


def _write_html(walk: Walkthrough, target: Path, quiz: bool, inputs: list[Path]) -> int:
    """The slides, written like every report: atomically, never onto an input."""
    from thymoscope.cli.app import interruptible
    from thymoscope.report.walkthrough import slides_html

    html = slides_html(walk, quiz)
    with interruptible():  # a signal mid-write removes the temporary file
        try:
            emit(html, target, inputs)
        except OutputError as exc:
            raise refuse(exc) from None
    return html.count('<section class="slide')


def _resolve(name: str, catalogue: Catalogue) -> Walkthrough:
    """The walk-through of a case or pair of the catalogue, or of a study file."""
    entry, pair = catalogue.case(name), catalogue.pair(name)
    path = Path(name)
    try:
        if entry is not None:
            return case_walkthrough(entry.path, _shown_as(entry.path, catalogue))
        if pair is not None:
            return pair_walkthrough(pair, catalogue)
        if path.is_file():
            return case_walkthrough(path, shown(path))
    except StudyFileError as exc:
        raise _fail(str(exc.problems[0])) from None
    for error in catalogue.errors:
        typer.echo(error, err=True)
    hint = "run `thymoscope demo` for the list"
    where = terminal_line(catalogue.where)
    raise _fail(f"{terminal_line(name)}: no such case or pair in {where} cases ({hint})")


def run_demo(
    case: str | None,
    cases: Path | None,
    auto: bool,
    delay: float,
    no_pause: bool,
    quiz: bool,
    html: Path | None,
) -> None:
    """The `demo` command's work; see :func:`thymoscope.cli.demo.demo`."""
    console = _Console(highlight=False)
    if html is not None and not is_stdout(html):
        try:  # fail before doing the work (checked again against the inputs below)
            check_target(html)
        except OutputError as exc:
            raise refuse(exc) from None
    with ExitStack() as stack:
        if cases is None:
            folder = Path(stack.enter_context(as_file(files("thymoscope.kb.cases"))))
            catalogue = load_catalogue(folder, "bundled")
        else:
            if not cases.is_dir():
                raise _fail(f"{terminal_line(str(cases))}: not a folder of study files")
            catalogue = load_catalogue(cases, str(cases))
        if case is None:
            for error in catalogue.errors:
                typer.echo(error, err=True)
            _print_list(console, catalogue)
            console.print(Text(RESEARCH_NOTICE, style="dim"))
            if catalogue.errors:
                raise typer.Exit(2)
            return
        walk = _resolve(case, catalogue)
        inputs = _input_files(case, catalogue)
    if html is not None:
        count = _write_html(walk, html, quiz, inputs)
        if is_stdout(html):
            return
        where = terminal_line(str(html))
        console.print(Text(f"Wrote {where} ({count} slides). Open it in a browser; arrows move."))
        console.print(Text(RESEARCH_NOTICE, style="dim"))
        return
    pace = Pace("none") if no_pause else Pace("auto", delay) if auto else Pace("enter")
    console.print(Text(RESEARCH_NOTICE, style="dim"))
    run_walkthrough(console, walk, pace, quiz)
    console.print(Text(RESEARCH_NOTICE, style="dim"))
