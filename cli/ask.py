"""`thymoscope ask`: interview the user about one study, then diagnose it.

The questions, their order and whether each still matters come from the knowledge
base (kb/questions.yaml, the rules' declarations) through
:mod:`thymoscope.engine.questionnaire`; answers are read by
:mod:`thymoscope.cli.ask_terminal` (a prompt_toolkit prompt on a terminal, lines from a
pipe) and shown in words by :mod:`thymoscope.cli.ask_words`. Answers are saved after
every answer (an atomic rewrite, see :mod:`thymoscope.cli.ask_file`: comments and fields
it does not ask about are kept), so a stopped interview resumes with ``--resume``; a
file named with ``--save`` is left as it was until the first answer. Findings are shown
as the answers make them, and on a terminal every answer can be reviewed and changed
before the file is final.

Exit status: 0 after the diagnosis; 130 on Ctrl-C or Ctrl-D (answers are kept); 1 when
piped input ended early (answers are kept); 2 for a bad ``--from``/``--resume`` file,
an unwritable target, or ``-f html`` to a terminal without ``-o``.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from thymoscope import RESEARCH_NOTICE
from thymoscope.cli.ask_terminal import Ask, LineReader, Stop, reader_for_streams
from thymoscope.cli.output import Format, OutputError, terminal_style, write_atomic

if TYPE_CHECKING:
    from thymoscope.cli.ask_file import AnswerFile
    from thymoscope.engine.questionnaire import Interview, Question

HELP_LINE = (
    "Type an answer and press Enter. '?' or 'why' explains a question, 'back' revises the "
    "previous answer, 'edit' any earlier one, 'skip' leaves it unknown; Ctrl-C or Ctrl-D "
    "stops (answers are kept)."
)
COMMANDS = ("?", "why", "help", "back", "edit", "skip")


def one_line(text: str) -> str:
    """``text`` with line breaks and control characters escaped (see yaml_source)."""
    from thymoscope.study.yaml_source import one_line as escape

    return escape(text)


def _fail(message: str) -> typer.Exit:
    typer.echo(one_line(f"thymoscope: error: {message}"), err=True)
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
    given = len(interview.answered())
    typer.echo(one_line(f"Starting from {source}: {_plural(given, 'answer')} already given."))
    return interview, answer_file


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _choose_target(interview: Interview, inputs: list[Path], any_name: bool = False) -> Path | None:
    """Where answers go when no --save was given: <id>.yaml, never an existing file.

    ``any_name``: without an id yet, a name made from the title (or a generic one), so
    stopped answers are never lost.
    """
    from thymoscope.engine.questionnaire import slugify

    stem = interview.value("id")
    if not stem and any_name and interview.answers:
        title = interview.value("title")
        stem = slugify(str(title)) if title else "thymoscope-answers"
    if not stem:
        return None
    candidate = Path(f"{stem}.yaml")
    number = 2
    while candidate.exists() or any(candidate.resolve() == p.resolve() for p in inputs):
        candidate = Path(f"{stem}-{number}.yaml")
        number += 1
    return candidate


class Session:
    """One interview, saving after every answer that changes the file."""

    def __init__(
        self,
        interview: Interview,
        target: Path | None,
        inputs: list[Path],
        answer_file: AnswerFile,
        reader: LineReader,
    ) -> None:
        self.interview = interview
        self.target = target
        self.inputs = inputs
        self.chosen = target is not None
        self.answer_file = answer_file
        self.reader = reader
        self.written: str | None = None  # the text last written, None before the first save
        self.findings: dict[str, str] = {}  # the findings shown so far: id -> title
        self.color = reader.interactive and terminal_style()[0]

    # -- saving

    def text(self, target: Path) -> str:
        return self.answer_file.text(self.interview.data(), self.interview.skipped, str(target))

    def save(self, any_name: bool = False) -> None:
        """Write the answers, unless the text is what was last written."""
        if self.target is None:
            self.target = _choose_target(self.interview, self.inputs, any_name)
            if self.target is None:
                return
            self.say(f"(answers are saved to {self.target} as you go)")
        text = self.text(self.target)
        if text != self.written:
            write_atomic(self.target, text, self.inputs)
            self.written = text

    def incomplete(self) -> str | None:
        """Why the saved file is not yet a study `diagnose` accepts, or None."""
        from thymoscope.cli.ask_file import saved_problem

        return saved_problem(self.written) if self.written is not None else None

    # -- printing

    def say(self, text: str, style: str | None = None) -> None:
        line = one_line(text)
        if self.color and style is not None:
            line = typer.style(line, fg=style)
        typer.echo(line)

    def problem(self, text: str) -> None:
        self.say(f"  ! {text}", "red")

    # -- the questions

    def ask(self, prompt: str, default: str = "", footer: str = "") -> str:
        return self.reader.read(Ask(prompt=prompt, default=default, footer=footer))

    def present(self, question: Question, path: str, number: int, total: int) -> Ask:
        """Show a question (heading, choices) and return how to read its answer."""
        from thymoscope.cli import ask_words

        interview = self.interview
        typer.echo("")
        heading = ask_words.heading(question, path, number, total)
        if not self.reader.interactive:
            heading += f"  ({path})"
        self.say(heading, "cyan")
        offered = interview.offered(question, path)
        for line in ask_words.choice_lines(offered):
            typer.echo(line)
        default = interview.default(question, path)
        previous = interview.previous.get(path)
        hint = ""
        if previous is not None:
            hint = f"(was: {ask_words.as_text(previous)}) "
        elif default is not None:
            hint = f"[{ask_words.as_text(default)}] "
        elif question.kind == "boolean":
            hint = "(yes/no) "
        footer = (
            f"{ask_words.progress(number, total)} · {_plural(len(self.findings), 'finding')}"
            " so far · ? why · back (PgUp) · edit · skip"
        )
        if not self.reader.interactive:
            return Ask(prompt=f"{hint}> ")
        return Ask(  # a previous answer is there to edit; a made-up default shows greyed
            prompt="> ",
            default=ask_words.as_text(previous) if previous is not None else "",
            placeholder=ask_words.as_text(default) if default is not None else "",
            choices=offered,
            multi=question.kind == "multi",
            footer=footer,
        )

    def run(self) -> None:
        from thymoscope.cli import ask_words
        from thymoscope.engine.questionnaire import AnswerError

        while True:
            while (step := self.interview.next()) is not None:
                question, path = step
                number, total = self.interview.progress(path)
                prompt = self.present(question, path, number, total)
                while True:
                    raw = self.reader.read(prompt)
                    command = raw.lower()
                    if command in ("?", "why", "help"):
                        for line in ask_words.why(self.interview, path):
                            typer.echo(one_line(f"  {line}"))
                        continue
                    try:
                        if command == "back":
                            if self.interview.back() is None:
                                typer.echo("  (this is the first question)")
                                continue
                        elif command == "edit":
                            if not self.edit():
                                continue
                        elif command == "skip":
                            self.interview.skip(path)
                        else:
                            self._answer(path, raw)
                    except AnswerError as exc:
                        self.problem(str(exc))
                        continue
                    break
                self.save()  # only once something was answered: an existing file stays as it was
                self.show_findings()
            if not self.reader.interactive or not self.review():
                return

    def _answer(self, path: str, raw: str) -> None:
        from thymoscope.cli import ask_words

        reading = self.interview.read(path, raw)
        if reading.interpreted:
            words = ask_words.value_words(path, reading.value, self.interview.answers)
            self.say(f"  (read as {words})", "green")

    def _pick(self, prompt: str) -> str | None:
        """List the answers; the path of the one whose number is typed (None: Enter)."""
        from thymoscope.cli import ask_words

        lines = ask_words.answer_lines(self.interview)
        for position, (_, text) in enumerate(lines, start=1):
            typer.echo(one_line(f"  {position:>2}. {text}"))
        while True:
            choice = self.ask(prompt)
            if not choice:
                return None
            if choice.isdigit() and 1 <= int(choice) <= len(lines):
                return lines[int(choice) - 1][0]
            self.problem(f"type a number from 1 to {len(lines)}, or press Enter")

    def edit(self) -> bool:
        """Choose an earlier answer to change now; False when none was chosen."""
        path = self._pick("Number of the answer to change (Enter: go on) > ")
        if path is None:
            return False
        self.interview.revise(path)
        return True

    def review(self) -> bool:
        """The review screen; True when an answer was chosen to change."""
        typer.echo("")
        self.say("All answers (they are saved; type a number to change one):", "cyan")
        path = self._pick("Number to change, or Enter to finish > ")
        if path is None:
            return False
        self.interview.revise(path)
        return True

    def show_findings(self) -> None:
        """Say which findings the answers so far make, as they appear and go."""
        study = self.interview.valid_study()
        if study is None:
            return
        from thymoscope.api import diagnose

        diagnosis = diagnose(study)  # type: ignore[arg-type]
        readers = {reader.finding: reader for reader in self.interview.bank.readers}
        now = {  # a finding shows once no question still to come reads its fields
            f.id: f.title
            for f in diagnosis.findings
            if f.id not in readers or self.interview.settled(readers[f.id])
        }
        for finding, title in now.items():
            if finding not in self.findings:
                self.say(f"  + finding so far: {title} ({finding})", "yellow")
        for finding, title in self.findings.items():
            if finding not in now:
                self.say(f"  - no longer: {title} ({finding})", "yellow")
        self.findings = now


def _render(interview: Interview, source: str, fmt: Format) -> str:
    from thymoscope.api import diagnose
    from thymoscope.report.document import report_document
    from thymoscope.report.render import render

    diagnosis = diagnose(interview.study(), source)  # type: ignore[arg-type]
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
            answer = session.ask(
                f"Save the answers as a study file [{default}] ('no' to discard): ",
                default="" if not session.reader.interactive else str(default or ""),
            )
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
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the diagnosis to this file (atomically) instead of the terminal.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Interview me about a study, asking only what can change the diagnosis."""
    if from_ is not None and resume is not None:
        raise _fail("use either --from or --resume, not both")
    if fmt is Format.html and output is None and sys.stdout is not None and sys.stdout.isatty():
        raise _fail("-f html would print HTML into the terminal; add -o FILE.html to write it")
    typer.echo(RESEARCH_NOTICE)
    typer.echo(HELP_LINE)
    interview, answer_file = _start(from_, resume)
    inputs = [p for p in (from_, resume) if p is not None]
    session = Session(
        interview, save or resume, [from_] if from_ else [], answer_file, reader_for_streams()
    )
    try:
        session.run()
        session.save()  # the finished answers, once, even if nothing had to be asked
    except OutputError as exc:
        raise _fail(str(exc)) from None
    except Stop as stop:
        _stopped(session, stop)
        raise typer.Exit(stop.code) from None
    report = _render(interview, str(session.target or "<answers>"), fmt)
    typer.echo("")
    if output is None:
        typer.echo(report, nl=False)
    else:
        try:
            write_atomic(output, report, [*inputs, *([session.target] if session.target else [])])
        except OutputError as exc:
            raise _fail(str(exc)) from None
        typer.echo(one_line(f"Diagnosis written to {output}."))
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
    _offer_credibility(session)


def _offer_credibility(session: Session) -> None:
    """At the end, offer the smallest verified changes to the study's design or report that
    would silence each finding (``kb.explanations``: the rules run again on each change)."""
    if session.incomplete() is not None:
        return
    try:
        study = session.interview.study()
    except ValueError:
        return
    from thymoscope.api import diagnose

    findings = {f.id: f.title for f in diagnose(study).findings}  # type: ignore[arg-type]
    if not findings:
        return
    try:
        answer = session.ask("Show what would make this study more credible? [y/N] ")
    except Stop:
        return
    if answer.strip().lower() not in ("y", "yes"):
        return
    from thymoscope.kb.explanations import credibility_texts

    typer.echo("What would make this study more credible (each change checked by running the")
    typer.echo("rules again; changes to its results are not offered):")
    for finding, lines in credibility_texts(study).items():
        session.say(f"- {findings.get(finding, finding)}", "cyan")
        for line in lines or ["no single change to its design or report silences it"]:
            typer.echo(one_line(f"    {line}"))
    typer.echo("(thymoscope explain FILE FINDING shows why, finding by finding)")


def _stopped(session: Session, stop: Stop) -> None:
    """Keep the answers (a resume file), say where, and whether it is a valid study yet."""
    if session.interview.history and session.written is None:
        try:
            session.save(any_name=True)  # answers typed before the study had an id
        except OutputError as exc:
            typer.echo(one_line(f"thymoscope: error: {exc}"), err=True)
    kept = _plural(len(session.interview.answered()), "answer")
    if session.written is None:
        where = f" {session.target} is unchanged." if session.target is not None else ""
        new = " new" if session.interview.answers else ""
        typer.echo(one_line(f"Stopped ({stop}) before any{new} answer was given.{where}"))
        return
    target = shlex.quote(str(session.target))
    typer.echo(
        one_line(
            f"Stopped ({stop}). {kept} kept in {session.target}; "
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
