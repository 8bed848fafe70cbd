"""thymoscope.api: every public function, with each kind of input it takes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import make_study, make_study_dict
from thymoscope import api
from thymoscope.engine.diagnosis import Diagnosis
from thymoscope.errors import ThymoscopeError, UnknownNameError
from thymoscope.kb.comparison import PairFileError
from thymoscope.study.loader import StudyFileError
from thymoscope.synthesis.body import BodyError

CASE = "sepsis-small-open-rct"


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def case_dict(case_id: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(api.bundled_cases()[case_id].read_text("utf-8"))
    return loaded


# --- bundled cases, pairs and review sets ----------------------------------------------


def test_bundled_cases_are_the_case_files_by_id() -> None:
    cases = api.bundled_cases()
    assert CASE in cases
    assert list(cases) == sorted(cases)
    assert all(path.is_file() and path.stem == case_id for case_id, path in cases.items())


def test_bundled_pairs_name_bundled_cases() -> None:
    pairs = api.bundled_pairs()
    assert pairs["sepsis-small-vs-large"].title.startswith("Small open positive sepsis trial")
    assert all(pair.id == pair_id for pair_id, pair in pairs.items())


def test_bundled_reviews_are_folders_of_study_files() -> None:
    sets = api.bundled_reviews()
    assert set(sets) >= {"sepsis-quality", "chb-endpoint-timing"}
    assert all(any(folder.glob("*.yaml")) for folder in sets.values())


# --- diagnose ----------------------------------------------------------------------------


def test_every_kind_of_study_input_gives_the_same_findings(tmp_path: Path) -> None:
    path = api.bundled_cases()[CASE]
    data = case_dict(CASE)
    results = [
        api.diagnose(path),
        api.diagnose(str(path)),
        api.diagnose(CASE),
        api.diagnose(data),
        api.diagnose(api.study_from_dict(data)),
        api.diagnose(write(tmp_path / "copy.yaml", data)),
    ]
    assert {tuple(f.id for f in r.findings) for r in results} == {
        ("high-risk-of-bias", "unselected-sepsis-population")
    }
    assert all(isinstance(r, api.StudyDiagnosis) and isinstance(r, Diagnosis) for r in results)


def test_the_source_names_the_input() -> None:
    path = api.bundled_cases()[CASE]
    assert api.diagnose(path).source == f"bundled case {CASE}"  # not where it is installed
    assert api.diagnose(CASE).source == f"bundled case {CASE}"
    assert api.diagnose_many([path])[0].source == f"bundled case {CASE}"
    assert api.diagnose(case_dict(CASE)).source is None
    assert api.diagnose(case_dict(CASE), "extraction row 4").source == "extraction row 4"


def test_a_dict_with_a_wrong_value_names_the_field_and_the_allowed_values() -> None:
    data = make_study_dict(design={"blinding": "half"})
    with pytest.raises(StudyFileError) as caught:
        api.diagnose(data)
    assert str(caught.value) == (
        "<dict>: design.blinding: 'half' is not allowed; expected 'open', 'single' or 'double'"
    )


def test_a_dict_with_a_misspelt_field_suggests_the_field() -> None:
    data = make_study_dict(design={"sample_sise": 10})
    with pytest.raises(StudyFileError) as caught:
        api.diagnose(data, source="row 3")
    (problem,) = caught.value.problems
    assert (problem.source, problem.field) == ("row 3", "design.sample_sise")
    assert "did you mean 'sample_size'" in problem.message


def test_a_dict_missing_a_required_field_says_so() -> None:
    data = make_study_dict()
    del data["indication"]
    with pytest.raises(StudyFileError, match=r"^<dict>: indication: required field is missing$"):
        api.diagnose(data)


@pytest.mark.parametrize("section", [None, [], "rct", 3])
def test_a_section_of_the_wrong_type_is_a_study_problem_not_an_attribute_error(
    section: Any,
) -> None:
    data = make_study_dict()
    data["design"] = section
    with pytest.raises(StudyFileError, match=r"^<dict>: design: "):
        api.diagnose(data)


def test_a_non_mapping_given_as_study_data_is_refused_in_words() -> None:
    with pytest.raises(StudyFileError, match="a study is a mapping, not list"):
        api.study_from_dict([1, 2])  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [42, None, b"case.yaml", ["a.yaml"]])
def test_something_that_is_no_study_input_is_a_type_error(value: Any) -> None:
    with pytest.raises(TypeError, match="a study is a path"):
        api.diagnose(value)


def test_an_unknown_case_id_suggests_the_closest() -> None:
    with pytest.raises(UnknownNameError) as caught:
        api.diagnose("sepsis-smal-open-rct")
    assert "did you mean 'sepsis-small-open-rct'?" in str(caught.value)
    assert isinstance(caught.value, LookupError)


def test_a_missing_file_is_a_study_file_error(tmp_path: Path) -> None:
    with pytest.raises(StudyFileError, match="no such file"):
        api.diagnose(tmp_path / "missing.yaml")
    with pytest.raises(StudyFileError, match="empty file name"):
        api.diagnose("")


def test_a_sheet_given_to_diagnose_points_to_diagnose_many(tmp_path: Path) -> None:
    with pytest.raises(StudyFileError, match=r"use diagnose_many\(\)"):
        api.diagnose(tmp_path / "studies.xlsx")


# --- diagnose_many -----------------------------------------------------------------------


def test_diagnose_many_keeps_input_order_and_reports_bad_inputs(tmp_path: Path) -> None:
    good = write(tmp_path / "good.yaml", make_study_dict(id="good"))
    bad = write(tmp_path / "bad.yaml", make_study_dict(id="bad", design={"blinding": "x"}))
    report = api.diagnose_many([CASE, good, bad, make_study(id="model"), "nope-case"])
    assert [s.study_id for s in report] == [CASE, "good", "model"]
    assert len(report) == 3 and report[1].source == str(good)
    assert [line.split(": ")[0] for line in report.errors] == [f"{bad}:7", "nope-case"]
    assert "design.blinding: 'x' is not allowed" in report.errors[0]
    assert "no such study file or bundled case" in report.errors[1]


def test_diagnose_many_expands_a_folder_and_reads_a_sheet(tmp_path: Path) -> None:
    from thymoscope.study.sheet import write_sheet

    folder = tmp_path / "studies"
    folder.mkdir()
    for name in ("b", "a"):
        write(folder / f"{name}.yaml", make_study_dict(id=name))
    sheet = tmp_path / "sheet.csv"
    write_sheet([make_study(id="row-one"), make_study(id="row-two")], sheet)
    report = api.diagnose_many([folder, sheet], jobs=1)
    assert [s.study_id for s in report.studies] == ["a", "b", "row-one", "row-two"]
    assert report.studies[2].source == f"{sheet}:2"
    assert report.errors == ()
    assert report.files == (folder / "a.yaml", folder / "b.yaml", sheet)


def test_diagnose_many_takes_one_input_on_its_own(tmp_path: Path) -> None:
    write(tmp_path / "only.yaml", make_study_dict(id="only"))
    assert [s.study_id for s in api.diagnose_many(tmp_path)] == ["only"]
    assert [s.study_id for s in api.diagnose_many(str(tmp_path))] == ["only"]
    assert [s.study_id for s in api.diagnose_many(make_study_dict(id="one"))] == ["one"]
    assert [s.study_id for s in api.diagnose_many(make_study(id="two"))] == ["two"]


def test_diagnose_many_raises_when_nothing_could_be_read(tmp_path: Path) -> None:
    with pytest.raises(StudyFileError) as caught:
        api.diagnose_many([tmp_path / "missing.yaml", "not-a-case"])
    assert len(caught.value.problems) == 2


# --- compare -----------------------------------------------------------------------------


def test_compare_a_bundled_pair() -> None:
    result = api.compare("sepsis-small-vs-large")
    assert result.pair == api.bundled_pairs()["sepsis-small-vs-large"]
    assert (result.a_id, result.b_id) == (CASE, "sepsis-large-double-blind-null")
    assert result.verdict == "compatible"
    assert (result.a_source, result.b_source) == (
        f"bundled case {CASE}",
        "bundled case sepsis-large-double-blind-null",
    )
    assert "differs-in-study-quality" in [f.id for f in result.findings]


def test_compare_two_studies_of_any_kind_equals_the_bundled_pair() -> None:
    pair = api.compare("sepsis-small-vs-large")
    by_hand = api.compare(case_dict(CASE), "sepsis-large-double-blind-null")
    assert by_hand.pair is None
    assert [f.id for f in by_hand.findings] == [f.id for f in pair.findings]
    assert by_hand.details == pair.details


def test_compare_a_pair_file_with_relative_study_files(tmp_path: Path) -> None:
    write(tmp_path / "one.yaml", make_study_dict(id="one"))
    write(tmp_path / "two.yaml", make_study_dict(id="two", design={"sample_size": 40}))
    pair_file = write(
        tmp_path / "pair.yaml",
        {"schema_version": 1, "id": "mine", "title": "Mine", "a": "one.yaml", "b": "two.yaml"},
    )
    result = api.compare(pair_file)
    assert result.pair == api.PairLabel("mine", "Mine")
    assert (result.a_id, result.b_id) == ("one", "two")
    assert result.a_source == str(tmp_path / "one.yaml")


def test_compare_refuses_bad_pairs(tmp_path: Path) -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'sepsis-small-vs-large'"):
        api.compare("sepsis-small-vs-larg")
    bad = tmp_path / "pair.yaml"
    bad.write_text("schema_version: 1\nid: x\n", encoding="utf-8")
    with pytest.raises(
        PairFileError, match=r"pair.yaml:1: a: required field is missing \(and 2 more"
    ):
        api.compare(bad)
    with pytest.raises(TypeError, match="compare"):
        api.compare(case_dict(CASE))


# --- review ------------------------------------------------------------------------------


def test_review_a_bundled_set_by_name() -> None:
    result = api.review("sepsis-quality", by="design.blinding")
    assert result.title == "sepsis-quality"
    sources = {s["source"] for s in result.outcomes[0]["studies"]}
    assert "bundled case review/sepsis-quality/sepsis-open-trial-1" in sources
    (outcome,) = result.outcomes
    assert outcome["k"] == 11
    assert outcome["subgroups"] is not None
    assert "heterogeneity-explained" in [f.id for f in result.findings]
    assert result.errors == []


def test_review_a_list_of_inputs_reports_the_unreadable_ones(tmp_path: Path) -> None:
    folder = api.bundled_reviews()["sepsis-quality"]
    inputs: list[api.StudyInput] = sorted(folder.glob("*.yaml"))[:4]
    inputs.append(tmp_path / "missing.yaml")
    result = api.review(inputs, method="dl", title="four trials")
    assert result.title == "four trials"
    assert result.outcomes[0]["k"] == 4
    assert result.to_dict()["options"]["method"] == "dl"
    assert result.errors == [f"{tmp_path / 'missing.yaml'}: no such file"]
    assert result.files == tuple(inputs[:4])


def test_review_refuses_options_that_cannot_apply() -> None:
    with pytest.raises(BodyError, match="unknown method 'ml'"):
        api.review("sepsis-quality", method="ml")
    with pytest.raises(ValueError):  # BodyError is still a ValueError
        api.review("sepsis-quality", by="design.colour")
    with pytest.raises(UnknownNameError, match="bundled review set"):
        api.review("sepsis-qualty")


# --- rules -------------------------------------------------------------------------------


def test_rules_list_every_finding_of_both_knowledge_bases() -> None:
    from thymoscope.kb import knowledge
    from thymoscope.kb.comparison import pair_knowledge

    book = api.rules()
    study, pair = knowledge().catalogue, pair_knowledge().catalogue
    assert [e.id for e in book.findings] == [
        *(e.id for e in book.findings if e.kind == "study"),
        *(e.id for e in book.findings if e.kind == "pair"),
    ]
    assert sorted(e.id for e in book.findings) == sorted([*study, *pair])
    assert all(entry.rules for entry in book.findings)
    assert book["differs-in-study-quality"].kind == "pair"


def test_one_rule_by_id_with_its_thresholds_and_the_cases_that_show_it() -> None:
    entry = api.rule("end-of-therapy-endpoint")
    assert (entry.kind, entry.factor) == ("study", "endpoint_timing")
    assert entry.cases == ("chb-rct-end-of-therapy",)
    assert entry.faq == ("1", "3")
    assert entry.example is not None and entry.example["case"] == "chb-rct-end-of-therapy"
    dose = api.rule("dose-outside-usual-range")
    assert "USUAL_DOSE_MG" in [t["name"] for t in dose.thresholds]
    assert "{{" in dose.explanation  # the text as a template


def test_a_rule_is_also_found_by_the_name_of_a_rule_that_concludes_it() -> None:
    assert api.rule("flat_dose_outside_usual_range").id == "dose-outside-usual-range"


def test_an_unknown_finding_id_suggests_the_closest() -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'end-of-therapy-endpoint'"):
        api.rule("end-of-therapy-endpont")
    with pytest.raises(UnknownNameError, match="finding"):
        api.rules()["no-such-finding"]


def test_the_api_names_its_public_functions() -> None:
    for name in api.__all__:
        assert getattr(api, name) is not None, name
    assert api.ThymoscopeError is ThymoscopeError
    assert os.fspath(api.bundled_cases()[CASE]).endswith(f"{CASE}.yaml")
