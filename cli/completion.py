"""`thymoscope completion SHELL`: print the shell completion script (bash, zsh, fish).

Completes commands, options, formats, bundled case ids and pair ids. Load it with
``eval "$(thymoscope completion bash)"`` or save it where the shell looks for it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def completion(
    shell: Annotated[
        Shell, typer.Argument(metavar="SHELL", help="bash, zsh or fish.", show_default=False)
    ],
) -> None:
    """Print the shell completion script for SHELL."""
    from thymoscope.cli.conventions import completion_script
    from thymoscope.cli.output import write_stdout

    write_stdout(completion_script(shell.value).rstrip("\n") + "\n", hint="")
