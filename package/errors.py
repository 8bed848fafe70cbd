"""The root of every exception thymoscope raises on purpose: :class:`ThymoscopeError`.

``except ThymoscopeError`` catches every problem thymoscope knows how to describe (a
study file that is not valid, a pair file, an option that cannot apply to a body of
studies, an output that cannot be written ...) and nothing else: a bug still surfaces
as the built-in exception it is. Each message is written for the person who gave the
input; study problems are one located line each (``FILE:LINE: FIELD: message``).

Where an error was a ``ValueError`` (or ``TypeError``, ``ArithmeticError``) before the
root existed, it still is, so older ``except ValueError`` code keeps working.

The subclasses live next to the code that raises them (this module imports nothing, so
every layer, the domain-free engine included, may derive from it):

Input
    - :class:`thymoscope.study.loader.StudyFileError`: a study (file, dict or sheet row)
      that cannot be read or is not valid; ``.problems`` lists each located problem.
    - :class:`thymoscope.study.yaml_source.YamlProblem`: YAML text that cannot be parsed
      safely (the loader turns it into a ``StudyFileError``).
    - :class:`thymoscope.kb.comparison.PairFileError` (also ``ValueError``): a pair file
      that cannot be read.
    - :class:`UnknownNameError` (also ``LookupError``): no bundled case, pair, review
      set or finding has that name.
    - :class:`thymoscope.engine.answers.AnswerError` (also ``ValueError``): an
      interview answer that cannot be accepted.
    - :class:`thymoscope.engine.model_paths.ResumeError` (also ``ValueError``): saved
      interview answers that cannot be resumed.
    - :class:`thymoscope.kb.explanations.WhatIfError` (also ``ValueError``): a
      ``FIELD=VALUE`` change the study model does not accept.
    - :class:`thymoscope.engine.explain.InvalidChange` (also ``ValueError``): a changed
      study the model refuses (``field`` names the path).

Analysis
    - :class:`thymoscope.synthesis.body.BodyError` (also ``ValueError``): a review
      option that cannot apply to these studies.
    - :class:`thymoscope.synthesis.effects.EffectSizeError` (also ``ValueError``):
      numbers that give no effect size.
    - :class:`thymoscope.synthesis.models.ModelError` (also ``ValueError``): data that
      cannot be fitted.
    - :class:`thymoscope.synthesis.linalg.SingularMatrixError` (also
      ``ArithmeticError``): a meta-regression whose design matrix cannot be inverted.
    - :class:`thymoscope.engine.batch.WorkerLost`: a study not diagnosed because its
      worker process ended under it.
    - :class:`thymoscope.engine.rules.RuleError` (also ``TypeError``): rule sets whose
      rules and declarations do not fit together (a knowledge-base author's mistake).

Command line
    - :class:`thymoscope.cli.output.OutputError`: the output cannot go where it was
      asked to.
    - :class:`thymoscope.cli.compare.InputProblem`: input ``compare`` cannot use.
    - :class:`thymoscope.cli.ask_file.RoundTripError` (also ``ValueError``): a study
      file ``ask`` cannot read back for a round trip.
    - :class:`thymoscope.report.scores.RecordError`: quiz scores that cannot be added
      to their file.
    - :class:`thymoscope.report.rules.UnknownRule` (also ``LookupError``): no finding or
      rule has the name given to ``thymoscope rules``.

Not errors, and so not below the root: ``thymoscope.cli.ask_terminal.Stop`` (the user ended an
interview) and ``thymoscope.cli.app.Interrupted`` (a signal; a ``BaseException`` so
that no ``except Exception`` swallows it).
"""

from __future__ import annotations

__all__ = ["ThymoscopeError", "UnknownNameError"]


class ThymoscopeError(Exception):
    """Something thymoscope cannot do with the input it was given; the message says
    what and, where it can, how to fix it."""


class UnknownNameError(ThymoscopeError, LookupError):
    """No bundled case, pair, review set or finding has this name.

    ``kind`` says what was looked up ("bundled case", "finding" ...), ``name`` what was
    asked for and ``known`` the names there are; the message suggests the closest.
    """

    def __init__(self, kind: str, name: str, known: list[str]) -> None:
        import difflib

        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        self.hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(sorted(known))}"
        super().__init__(f"no {kind} named {name!r} ({self.hint})")
        self.kind = kind
        self.name = name
        self.known = known

    def __reduce__(self) -> tuple[type[UnknownNameError], tuple[str, str, list[str]]]:
        return type(self), (self.kind, self.name, self.known)
