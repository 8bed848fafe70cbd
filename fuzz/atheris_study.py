"""Coverage-guided fuzzing of the study loader and the engine with atheris (libFuzzer).

Run by hand, for as long as you like (not part of the test suite)::

    .venv/bin/pip install atheris
    mkdir -p /tmp/thymoscope-corpus && cp kb/cases/*.yaml /tmp/thymoscope-corpus/
    .venv/bin/python fuzz/atheris_study.py /tmp/thymoscope-corpus \
        -max_total_time=600 -timeout=10 -rss_limit_mb=1024

Every input must end in a Study that is diagnosed and rendered as JSON, or in a
StudyFileError whose problems are single lines; anything else (another exception, a
multi-line message, a hang past ``-timeout``, memory past ``-rss_limit_mb``) is a crash
that libFuzzer saves as ``crash-*`` for replay: ``python fuzz/atheris_study.py crash-...``.
"""

from __future__ import annotations

import json
import sys

import atheris

with atheris.instrument_imports():
    import yaml  # noqa: F401  (instrumented: the loader's YAML layer)

    from thymoscope.study import loader, yaml_source  # noqa: F401

from thymoscope.api import diagnose
from thymoscope.kb import knowledge
from thymoscope.report.document import study_document
from thymoscope.study.loader import StudyFileError, parse_study_bytes

SOURCE = "fuzz.yaml"
TITLES = dict(knowledge().factor_titles)


def test_one_input(data: bytes) -> None:
    try:
        study = parse_study_bytes(data, SOURCE)
    except StudyFileError as exc:
        for problem in exc.problems:
            text = str(problem)
            if "\n" in text or not text.startswith(SOURCE):
                raise AssertionError(f"malformed problem line: {text!r}") from None
        return
    document = study_document(diagnose(study, SOURCE), TITLES)
    json.dumps(document, allow_nan=False)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
