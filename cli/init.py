"""`thymoscope init [PATH]`: start a study file from a commented template.

The template (``templates/study-template.yaml.j2``) is itself a valid study, an
invented example; its comments list the allowed values, taken from the vocabulary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from thymoscope.cli.output import fail


def study_template() -> str:
    """The commented template study file, as text."""
    from thymoscope import RESEARCH_NOTICE
    from thymoscope.report.render import environment
    from thymoscope.study import vocabulary
    from thymoscope.study.model import SCHEMA_VERSION

    def choices(name: str) -> str:
        return " | ".join(member.value for member in getattr(vocabulary, name))

    template = environment().get_template("study-template.yaml.j2")
    return str(
        template.render(choices=choices, notice=RESEARCH_NOTICE, schema_version=SCHEMA_VERSION)
    )


def write_sheet_template(path: Path) -> None:
    """``init --sheet FILE.xlsx``: the extraction-sheet template, written atomically."""
    import tempfile

    from thymoscope.cli.output import OutputError, refuse, write_atomic
    from thymoscope.study.sheet import template_xlsx

    if path.suffix.lower() != ".xlsx":
        raise fail(f"{path}: the sheet template is a workbook; name it FILE.xlsx")
    with tempfile.TemporaryDirectory() as folder:  # openpyxl saves to a path
        built = Path(folder) / "template.xlsx"
        template_xlsx(built)
        data = built.read_bytes()
    try:
        write_atomic(path, data)
    except OutputError as exc:
        raise refuse(exc) from None


def init(
    path: Annotated[
        Path | None,
        typer.Argument(
            metavar="FILE",
            help="File to create (default: print the template to stdout).",
            show_default=False,
        ),
    ] = None,
    sheet: Annotated[
        Path | None,
        typer.Option(
            "--sheet",
            metavar="FILE.xlsx",
            help="Write an extraction-sheet template instead: a header row, one example "
            "row and drop-down lists of the allowed values.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
) -> None:
    """Write a commented template study file (or, with --sheet, a spreadsheet) to fill in."""
    from thymoscope.cli.output import OutputError, note, refuse, write_atomic, write_stdout

    if sheet is not None and path is not None:
        raise fail("give FILE or --sheet FILE.xlsx, not both")
    target = sheet if sheet is not None else path
    if target is None:
        write_stdout(study_template())
        return
    if (target.exists() or target.is_symlink()) and not force:
        raise fail(f"{target}: already exists (use --force to overwrite it)")
    if sheet is not None:
        write_sheet_template(sheet)
        note(
            f"wrote {sheet}: one study a row (the example row shows how); "
            f"then run: thymoscope diagnose {sheet}"
        )
        return
    try:
        write_atomic(target, study_template())
    except OutputError as exc:
        raise refuse(exc) from None
    note(f"wrote {target}; replace the example values, then run: thymoscope diagnose {target}")
