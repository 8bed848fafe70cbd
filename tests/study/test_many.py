"""Many study files load in input order, the same with a helper process as without."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.conftest import make_study_dict
from thymoscope.study import many
from thymoscope.study.loader import StudyFileError, load_study


def _body(folder: Path, count: int) -> list[Path]:
    import yaml

    paths = []
    for index in range(count):
        path = folder / f"s{index:04d}.yaml"
        if index % 37 == 5:
            path.write_text("id: [not, valid\n", encoding="utf-8")  # a broken file
        else:
            data = make_study_dict(id=f"study-{index:04d}")
            path.write_text(yaml.safe_dump(data), encoding="utf-8")
        paths.append(path)
    return paths


def _outcome(item: object) -> object:
    return str(item) if isinstance(item, StudyFileError) else item


def test_two_processes_give_what_one_gives_in_the_same_order(tmp_path: Path) -> None:
    paths = _body(tmp_path, many.TWO_PROCESSES_FROM + 21)
    loaded = many.load_in_order(paths)
    serial = []
    for path in paths:
        try:
            serial.append(load_study(path))
        except StudyFileError as exc:
            serial.append(exc)
    assert [_outcome(x) for x in loaded] == [_outcome(x) for x in serial]
    assert sum(isinstance(x, StudyFileError) for x in loaded) == len(
        [i for i in range(len(paths)) if i % 37 == 5]
    )


def test_a_helper_that_dies_costs_time_not_studies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _body(tmp_path, many.TWO_PROCESSES_FROM)

    def dying(paths: object, sender: object) -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(many, "_helper", dying)
    loaded = many.load_in_order(paths)
    assert [getattr(x, "id", None) for x in loaded[:3]] == [
        "study-0000",
        "study-0001",
        "study-0002",
    ]
    assert len(loaded) == len(paths)
    assert isinstance(loaded[5], StudyFileError)


def test_few_files_stay_in_this_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork(*args: object, **kwargs: object) -> None:
        raise AssertionError("no helper process for a small body")

    monkeypatch.setattr(many.multiprocessing, "get_context", no_fork)
    paths = _body(tmp_path, 10)
    assert len(many.load_in_order(paths)) == 10


def test_errors_survive_the_pipe_with_their_lines(tmp_path: Path) -> None:
    import pickle

    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nid: y\n", encoding="utf-8")
    with pytest.raises(StudyFileError) as caught:
        load_study(bad)
    again = pickle.loads(pickle.dumps(caught.value))
    assert str(again) == str(caught.value)
    assert [p.line for p in again.problems] == [p.line for p in caught.value.problems]
