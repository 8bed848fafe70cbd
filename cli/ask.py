"""`thymoscope ask`: interview the user about one study, then diagnose it.

The questions, their order and whether each still matters come from the knowledge
base (kb/questions.yaml, kb/findings.yaml) through :mod:`thymoscope.engine.questionnaire`;
this module only reads lines and prints. Answers are saved after every answer (an
atomic rewrite, see :mod:`thymoscope.cli.ask_file`: comments and fields it does not
ask about are kept), so a stopped interview resumes with ``--resume``; a file named
with ``--save`` is left as it was until the first answer.

Exit status: 0 after the diagnosis, 1 when input ended early, 130 on Ctrl-C (answers
are kept either way), 2 for a bad ``--from``/``--resume`` file or an unwritable target.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from thymoscope import RESEARCH_NOTICE
from thymoscope.cli.output import Format, OutputError, write_atomic

if TYPE_CHECKING:
    from thymoscope.cli.ask_file import AnswerFile
    from thymoscope.engine.questionnaire import Interview, Question

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


def one_line(text: str) -> str:
    """``text`` with line breaks and control characters escaped (see yaml_source)."""
    from thymoscope.study.yaml_source import one_line as escape

    return escape(text)


def _fail(message: str) -> typer.Exit:
    typer.echo(one_line(f"thymoscope: {message}"), err=True)
    return typer.Exit(2)


def _start(from_: Path | None, resume: Path | None) -> tuple[Interview, AnswerFile]:
    """The interview and the file to save into, from --from/--resume (or empty)."""
    from thymoscope.cli.ask_file import AnswerFile, RoundTripError, skipped_from
    from thymoscope.engine.questionnaire import Interview, ResumeError
    from thymoscope.kb.questions import question_bank
    from thymoscope.study.loader import StudyFileError, load_study, read_text
    from thymoscope.study.yaml_source import YamlProblem, dotted, parse_yaml

    bank = question_bank()
    source = from_ or resume
    if source is None:
        return Interview(bank), AnswerFile()
    try:
        if from_ is not None:
            load_study(from_)  # must already be a valid study
        text = read_text(source)
        document = parse_yaml(text)
    except StudyFileError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(2) from None
    except YamlProblem as exc:
        raise _fail(f"{source}:{exc.line}: {exc.message}") from None
    if not isinstance(document.data, dict):
        raise _fail(f"{source}: a study file is a YAML mapping")
    skipped, mark_line = skipped_from(text)
    try:
        interview, problems = Interview.from_data(bank, document.data, skipped)
        answer_file = AnswerFile(text)
    except ResumeError as exc:
        if exc.in_skip_mark:
            raise _fail(f"{source}:{mark_line}: {exc.message}") from None
        line = document.line_of(exc.path)
        raise _fail(f"{source}:{line}: {dotted(exc.path)}: {exc.message}") from None
    except RoundTripError as exc:
        raise _fail(f"{source}: {exc}") from None
    for note in problems:
        typer.echo(one_line(f"{source}: {note}"), err=True)
    typer.echo(one_line(f"Starting from {source}: {len(interview.answers)} answers already given."))
    return interview, answer_file


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
    """One interview in the terminal, saving after every answer that changes the file."""

    def __init__(
        self,
        interview: Interview,
        target: Path | None,
        inputs: list[Path],
        answer_file: AnswerFile,
    ) -> None:
        self.interview = interview
        self.target = target
        self.inputs = inputs
        self.chosen = target is not None
        self.answer_file = answer_file
        self.written: str | None = None  # the text last written, None before the first save

    def text(self, target: Path) -> str:
        return self.answer_file.text(self.interview.data(), self.interview.skipped, str(target))

    def save(self) -> None:
        """Write the answers, unless the text is what was last written."""
        if self.target is None:
            self.target = _choose_target(self.interview, self.inputs)
            if self.target is None:
                return
            typer.echo(one_line(f"(answers are saved to {self.target} as you go)"))
        text = self.text(self.target)
        if text != self.written:
            write_atomic(self.target, text, self.inputs)
            self.written = text

    def incomplete(self) -> str | None:
        """Why the saved file is not yet a study `diagnose` accepts, or None."""
        from thymoscope.cli.ask_file import saved_problem

        return saved_problem(self.written) if self.written is not None else None

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
            self.save()  # only once something was answered: an existing file stays as it was


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


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def _offer_save(session: Session) -> None:
    """Without --save: confirm (or change) where the finished answers stay."""
    default = session.target
    while True:
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
        if not answer:
            return
        session.target = Path(answer)
        if default is not None and _same_file(default, session.target):
            session.target = default  # already saved there
            return
        written, session.written = session.written, None  # a new file: write it anyway
        try:
            session.save()
        except OutputError as exc:
            typer.echo(one_line(f"  ! {exc}; try another name"))
            session.target, session.written = default, written
            continue
        if default is not None and default.exists():
            default.unlink()  # the answers moved to the chosen file
        return


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
    interview, answer_file = _start(from_, resume)
    inputs = [from_] if from_ is not None else []
    session = Session(interview, save or resume, inputs, answer_file)
    try:
        session.run()
        session.save()  # the finished answers, once, even if nothing had to be asked
    except OutputError as exc:
        raise _fail(str(exc)) from None
    except Stop as stop:
        _stopped(session, stop)
        raise typer.Exit(stop.code) from None
    typer.echo("")
    typer.echo(_render(interview, str(session.target or "<answers>"), fmt), nl=False)
    if not session.chosen:
        _offer_save(session)
    if session.target is not None:
        target = shlex.quote(str(session.target))
        problem = session.incomplete()
        if problem is None:
            typer.echo(
                one_line(
                    f"Answers saved to {session.target}; diagnose again with: "
                    f"thymoscope diagnose {target}"
                )
            )
        else:
            typer.echo(
                one_line(
                    f"Answers saved to {session.target}, but diagnose will refuse the file "
                    f"until it is fixed: {problem}"
                )
            )


def _stopped(session: Session, stop: Stop) -> None:
    """Say where the answers are and whether the saved file is a valid study yet."""
    kept = len(session.interview.answers)
    if session.written is None:
        where = f" {session.target} is unchanged." if session.target is not None else ""
        if session.target is None and session.interview.answers:
            where = " The study has no id yet, so nothing was saved."
        typer.echo(one_line(f"Stopped ({stop}) before any new answer was saved.{where}"))
        return
    target = shlex.quote(str(session.target))
    typer.echo(
        one_line(
            f"Stopped ({stop}). {kept} answers kept in {session.target}; "
            f"resume with: thymoscope ask --resume {target}"
        )
    )
    problem = session.incomplete()
    if problem is not None:
        typer.echo(
            one_line(
                f"The saved file is incomplete, so diagnose refuses it until the interview "
                f"is finished: {problem}"
            )
        )
