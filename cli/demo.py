"""`thymoscope demo`: walk a class through a bundled (or teacher's) case, step by step.

The steps come from :mod:`thymoscope.report.walkthrough`; this module only does the
terminal side (printing, waiting for Enter, asking quiz questions) and writes the
HTML slides.
"""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from importlib.resources import as_file, files
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text
from thymoscope import RESEARCH_NOTICE
from thymoscope.report.walkthrough import (
    Question,
    Score,
    Step,
    Walkthrough,
    build_walkthrough,
    parse_choice,
    questions,
)
from thymoscope.study.loader import STUDY_SUFFIXES, StudyFileError, load_study
from thymoscope.study.model import Study

SEVERITY_STYLE = {"major": "bold red", "moderate": "bold yellow", "minor": "cyan", "info": "green"}


@dataclass(frozen=True)
class Case:
    name: str  # file stem: what the user types
    path: Path
    study: Study


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(2)


def _study_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in STUDY_SUFFIXES)


def load_cases(folder: Path) -> tuple[list[Case], list[str]]:
    """The valid study files of ``folder`` (not recursive), and one line per bad one."""
    cases, errors = [], []
    for path in _study_files(folder):
        try:
            cases.append(Case(path.stem, path, load_study(path)))
        except StudyFileError as exc:
            errors.extend(str(p) for p in exc.problems)
    return cases, errors


def _find_case(case: str, cases: list[Case]) -> Case | None:
    for entry in cases:
        if case in (entry.name, entry.study.id):
            return entry
    return None


def _factors() -> dict[str, str]:
    from thymoscope.kb import knowledge

    return dict(knowledge().factor_titles)


def _walkthrough(path: Path, shown_as: str) -> Walkthrough:
    from thymoscope.api import diagnose

    return build_walkthrough(diagnose(load_study(path), shown_as), _factors())


# --- printing --------------------------------------------------------------------------


def _rule(console: Console, step: Step, total: int, label: str) -> None:
    console.print()
    console.rule(Text(f"Step {step.number} of {total} · {label}", style="bold"), align="left")


def _print_facts(console: Console, facts: tuple, heading: str) -> None:
    console.print(Text(heading, style="bold"))
    for fact in facts:
        line = Text("  ")
        line.append(fact.path, style="cyan")
        line.append(" = ")
        line.append(fact.value, style="bold")
        console.print(line)


def _print_facts_step(console: Console, walk: Walkthrough, step: Step, total: int) -> None:
    _rule(console, step, total, "the study")
    console.print(Text(walk.title, style="bold underline"))
    if walk.source:
        console.print(Text(walk.source, style="dim"))
    _print_facts(console, step.facts, "Key facts:")


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


def _print_list(console: Console, cases: list[Case], where: str) -> None:
    console.print(Text(f"Cases ({where}):", style="bold"))
    width = max((len(c.name) for c in cases), default=0)
    for case in cases:
        line = Text(f"  {case.name.ljust(width)}  ", style="cyan")
        line.append(f"{case.study.indication.replace('_', ' ')}: ", style="dim")
        line.append(case.study.title)
        console.print(line, overflow="ellipsis", no_wrap=True)
    if not cases:
        console.print(Text("  (none)"))
    console.print(Text("Run `thymoscope demo CASE` to walk through one.", style="dim"))


def _write_html(walk: Walkthrough, target: Path, quiz: bool) -> int:
    from thymoscope.report.walkthrough import slides_html

    html = slides_html(walk, quiz)
    try:
        target.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise _fail(f"{target}: cannot write: {exc.strerror or exc}") from None
    return html.count('<section class="slide')


def demo(
    case: Annotated[
        str | None, typer.Argument(help="Case to walk through (name or study id); omit to list.")
    ] = None,
    cases: Annotated[
        Path | None,
        typer.Option("--cases", help="Folder of your own study files to use instead."),
    ] = None,
    auto: Annotated[bool, typer.Option("--auto", help="Advance by itself after --delay.")] = False,
    delay: Annotated[
        float, typer.Option("--delay", min=0.0, help="Seconds per step with --auto.")
    ] = 8.0,
    no_pause: Annotated[
        bool, typer.Option("--no-pause", help="Print every step without waiting.")
    ] = False,
    quiz: Annotated[
        bool, typer.Option("--quiz", help="Ask which factor explains each finding first.")
    ] = False,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write the walk-through as HTML slides.")
    ] = None,
) -> None:
    """Walk a class through a case: the facts, then each rule that fired and why."""
    console = Console(highlight=False)
    with ExitStack() as stack:
        if cases is None:
            folder = stack.enter_context(as_file(files("thymoscope.kb.cases")))
            where = "bundled"
        else:
            folder, where = cases, str(cases)
            if not folder.is_dir():
                raise _fail(f"{folder}: not a folder of study files")
        found, errors = load_cases(Path(folder))
        if case is None:
            for error in errors:
                typer.echo(error, err=True)
            _print_list(console, found, where)
            console.print(Text(RESEARCH_NOTICE, style="dim"))
            if errors:
                raise typer.Exit(2)
            return
        entry = _find_case(case, found)
        path = entry.path if entry is not None else Path(case)
        if entry is None and not path.is_file():
            for error in errors:
                typer.echo(error, err=True)
            raise _fail(
                f"{case}: no such case in {where} cases (run `thymoscope demo` for the list)"
            )
        try:
            bundled = cases is None and entry is not None
            walk = _walkthrough(path, f"bundled case {entry.name}" if bundled else str(path))
        except StudyFileError as exc:
            raise _fail(str(exc.problems[0])) from None
    if html is not None:
        count = _write_html(walk, html, quiz)
        console.print(Text(f"Wrote {html} ({count} slides). Open it in a browser; arrows move."))
        console.print(Text(RESEARCH_NOTICE, style="dim"))
        return
    pace = Pace("none") if no_pause else Pace("auto", delay) if auto else Pace("enter")
    console.print(Text(RESEARCH_NOTICE, style="dim"))
    run_walkthrough(console, walk, pace, quiz)
    console.print(Text(RESEARCH_NOTICE, style="dim"))
