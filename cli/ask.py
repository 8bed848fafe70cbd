"""`thymoscope ask`: interview the user about one study, then diagnose it.

The questions, their order and whether each still matters come from the knowledge
base (kb/questions.yaml, kb/findings.yaml) through :mod:`thymoscope.engine.questionnaire`;
this module only reads lines and prints. Answers are saved after every question (an
atomic rewrite of a valid YAML file), so a stopped interview resumes with ``--resume``.

Exit status: 0 after the diagnosis, 1 when input ended early, 130 on Ctrl-C (answers
are kept either way), 2 for a bad ``--from``/``--resume`` file or an unwritable target.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from thymoscope import RESEARCH_NOTICE
from thymoscope.cli.output import Format, OutputError, write_atomic

if TYPE_CHECKING:
    from thymoscope.engine.questionnaire import Interview, Question

SKIPPED_MARK = "# thymoscope-ask skipped:"
HELP_LINE = (
    "Type an answer and press Enter. '?' or 'why' explains a question, 'back' revises the "
    "previous answer, 'skip' leaves it unknown; Ctrl-C or Ctrl-D stops (answers are kept)."
)


class Stop(Exception):
    """The user stopped the interview (Ctrl-C, or the end of input)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code


def _read(prompt: str) -> str:
    typer.echo(prompt, nl=False)
    try:
        line = input()
    except EOFError:
        typer.echo("")
        raise Stop(1, "end of input") from None
    except KeyboardInterrupt:
        typer.echo("")
        raise Stop(130, "interrupted") from None
    if not sys.stdin.isatty():
        typer.echo(line)  # piped answers appear in the transcript as if typed
    return line.strip()


def study_yaml(interview: Interview, resume_hint: str) -> str:
    import yaml

    header = [
        f"# Answers from `thymoscope ask` (resume with: thymoscope ask --resume {resume_hint})",
        f"# {RESEARCH_NOTICE}",
    ]
    if interview.skipped:
        header.append(f"{SKIPPED_MARK} {', '.join(sorted(interview.skipped))}")
    body = yaml.safe_dump(
        interview.data(), sort_keys=False, allow_unicode=True, default_flow_style=False, width=88
    )
    return "\n".join(header) + "\n" + body


def _skipped_from(text: str) -> list[str]:
    for line in text.splitlines():
        if line.startswith(SKIPPED_MARK):
            return [p.strip() for p in line[len(SKIPPED_MARK) :].split(",") if p.strip()]
    return []


def _fail(message: str) -> typer.Exit:
    typer.echo(f"thymoscope: {message}", err=True)
    return typer.Exit(2)


def _start(from_: Path | None, resume: Path | None) -> Interview:
    from thymoscope.engine.questionnaire import Interview
    from thymoscope.kb.questions import question_bank
    from thymoscope.study.loader import StudyFileError, load_study, read_text
    from thymoscope.study.yaml_source import YamlProblem, parse_yaml

    bank = question_bank()
    source = from_ or resume
    if source is None:
        return Interview(bank)
    try:
        if from_ is not None:
            load_study(from_)  # must already be a valid study
        text = read_text(source)
        data = parse_yaml(text).data
    except StudyFileError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(2) from None
    except YamlProblem as exc:
        raise _fail(f"{source}:{exc.line}: {exc.message}") from None
    if not isinstance(data, dict):
        raise _fail(f"{source}: a study file is a YAML mapping")
    interview, problems = Interview.from_data(bank, data, _skipped_from(text))
    for line in problems:
        typer.echo(f"{source}: {line}", err=True)
    typer.echo(f"Starting from {source}: {len(interview.answers)} answers already given.")
    return interview


def _choose_target(interview: Interview, inputs: list[Path]) -> Path | None:
    """Where answers go when no --save was given: <id>.yaml, never an existing file."""
    study_id = interview.value("id")
    if not study_id:
        return None
    candidate = Path(f"{study_id}.yaml")
    number = 2
    while candidate.exists() or any(candidate.resolve() == p.resolve() for p in inputs):
        candidate = Path(f"{study_id}-{number}.yaml")
        number += 1
    return candidate


def _show_question(interview: Interview, question: Question, path: str, number: int) -> str:
    from thymoscope.engine.questionnaire import item_index

    index = item_index(path)
    where = f"Subgroup {index + 1}: " if index is not None else ""
    typer.echo("")
    typer.echo(f"[{number}] {where}{question.prompt}  ({path})")
    for position, (value, meaning) in enumerate(question.answers, start=1):
        typer.echo(f"    {position:>2}) {value:<28} {meaning}")
    hint = ""
    default = interview.default(question)
    if default is not None:
        hint = f" [{default}]"
    elif question.kind == "boolean":
        hint = " (yes/no)"
    if path in interview.previous:
        hint += f" (was: {_show(interview.previous[path])})"
    return f"{hint.strip()}> " if hint else "> "


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class Session:
    """One interview in the terminal, saving after every answer."""

    def __init__(self, interview: Interview, target: Path | None, inputs: list[Path]) -> None:
        self.interview = interview
        self.target = target
        self.inputs = inputs
        self.chosen = target is not None

    def save(self) -> None:
        if self.target is None:
            self.target = _choose_target(self.interview, self.inputs)
            if self.target is None:
                return
            typer.echo(f"(answers are saved to {self.target} as you go)")
        write_atomic(self.target, study_yaml(self.interview, str(self.target)), self.inputs)

    def run(self) -> None:
        from thymoscope.engine.questionnaire import AnswerError

        number = 0
        while (step := self.interview.next()) is not None:
            question, path = step
            number += 1
            prompt = _show_question(self.interview, question, path, number)
            while True:
                raw = _read(prompt)
                command = raw.lower()
                if command in ("?", "why", "help"):
                    for line in self.interview.why(path):
                        typer.echo(f"  {line}")
                    continue
                try:
                    if command == "back":
                        if self.interview.back() is None:
                            typer.echo("  (this is the first question)")
                            continue
                        number -= 2
                    elif command == "skip":
                        self.interview.skip(path)
                    else:
                        self.interview.answer(path, raw)
                except AnswerError as exc:
                    typer.echo(f"  ! {exc}")
                    continue
                break
            self.save()


def _render(interview: Interview, source: str, fmt: Format) -> str:
    from thymoscope.api import diagnose
    from thymoscope.report.document import report_document

    diagnosis = diagnose(interview.study(), source)  # type: ignore[arg-type]
    try:
        from thymoscope.report.render import render
    except ImportError:  # pragma: no cover - the renderer ships with the package
        lines = [f"{diagnosis.title}: {', '.join(diagnosis.finding_ids()) or 'no findings'}"]
        return "\n".join([*lines, RESEARCH_NOTICE]) + "\n"
    return render(report_document([diagnosis]), fmt.value)


def _offer_save(session: Session) -> None:
    """Without --save: confirm (or change) where the finished answers stay."""
    default = session.target
    try:
        answer = _read(f"Save the answers as a study file [{default}] ('no' to discard): ")
    except Stop:
        answer = ""
    if answer.lower() in ("no", "n"):
        if default is not None and default.exists():
            default.unlink()
        session.target = None
        typer.echo("Answers discarded.")
        return
    if answer:
        session.target = Path(answer)
        session.save()
        if default is not None and default.exists() and default != session.target:
            default.unlink()


def ask(
    save: Annotated[
        Path | None,
        typer.Option(
            "--save",
            help="Study file to keep the answers in (rewritten after each answer).",
            dir_okay=False,
        ),
    ] = None,
    from_: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="Start from this valid study file and ask only what is missing.",
            dir_okay=False,
        ),
    ] = None,
    resume: Annotated[
        Path | None,
        typer.Option(
            "--resume", help="Continue an interrupted interview saved in this file.", dir_okay=False
        ),
    ] = None,
    fmt: Annotated[
        Format,
        typer.Option("--format", "-f", help="Format of the diagnosis.", case_sensitive=False),
    ] = Format.text,
) -> None:
    """Interview me about a study, asking only what can change the diagnosis."""
    if from_ is not None and resume is not None:
        raise _fail("use either --from or --resume, not both")
    typer.echo(RESEARCH_NOTICE)
    typer.echo(HELP_LINE)
    interview = _start(from_, resume)
    inputs = [from_] if from_ is not None else []
    session = Session(interview, save or resume, inputs)
    try:
        if session.target is not None:
            session.save()
        session.run()
    except OutputError as exc:
        raise _fail(str(exc)) from None
    except Stop as stop:
        kept = len(interview.answers)
        if session.target is not None:
            typer.echo(
                f"Stopped ({stop}). {kept} answers kept in {session.target}; "
                f"resume with: thymoscope ask --resume {session.target}"
            )
        else:
            typer.echo(f"Stopped ({stop}) before the study had an id; nothing was saved.")
        raise typer.Exit(stop.code) from None
    typer.echo("")
    typer.echo(_render(interview, str(session.target or "<answers>"), fmt), nl=False)
    if not session.chosen:
        _offer_save(session)
    if session.target is not None:
        typer.echo(
            f"Answers saved to {session.target}; diagnose again with: "
            f"thymoscope diagnose {session.target}"
        )
