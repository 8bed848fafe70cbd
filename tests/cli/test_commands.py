"""`thymoscope --version`, `rules`, `schema` and `init`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.cli.helpers import FINDINGS, invoke, run, write_study
from tests.conftest import diagnose, make_study
from thymoscope import RESEARCH_NOTICE, __version__
from thymoscope.cli.init import study_template
from thymoscope.kb import knowledge
from thymoscope.report.rules import rules_document
from thymoscope.study.loader import parse_study
from thymoscope.study.model import Study

VALIDATOR = jsonschema.Draft202012Validator


# --- --version -----------------------------------------------------------------------


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"thymoscope {__version__}\n"
    assert re.fullmatch(r"thymoscope \d+\.\d+\.\d+\S*\n", result.stdout)


def test_version_of_the_installed_entry_point() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout == f"thymoscope {__version__}\n"


def test_no_arguments_shows_help() -> None:
    result = invoke()
    assert result.exit_code in (0, 2)
    assert "diagnose" in result.output and "rules" in result.output


# --- rules -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rules_doc() -> dict[str, Any]:
    return rules_document()


def test_rules_json_lists_every_catalogue_finding_with_its_rules(rules_doc: dict[str, Any]) -> None:
    result = invoke("rules", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc == rules_doc
    kb = knowledge()
    listed = [f["id"] for factor in doc["factors"] for f in factor["findings"]]
    assert sorted(listed) == sorted(kb.catalogue)
    assert [factor["factor"] for factor in doc["factors"]] == list(kb.factor_order)
    for factor in doc["factors"]:
        for finding in factor["findings"]:
            spec = kb.catalogue[finding["id"]]
            assert finding["severity"] == spec.severity
            assert finding["faq_sections"] == list(spec.faq)
            assert finding["rules"], f"{finding['id']}: no rule concludes it"
    assert doc["notice"] == RESEARCH_NOTICE


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_rules_formats_name_every_id_and_rule(rules_doc: dict[str, Any], fmt: str) -> None:
    result = invoke("rules", "-f", fmt)
    assert result.exit_code == 0
    for factor in rules_doc["factors"]:
        assert factor["title"] in result.stdout
        for finding in factor["findings"]:
            assert finding["id"] in result.stdout
            for rule in finding["rules"]:
                assert rule["rule"] in result.stdout
    assert RESEARCH_NOTICE in result.stdout


def test_rules_listing_shows_every_rule_method_of_the_engine(rules_doc: dict[str, Any]) -> None:
    """The listing has exactly the rule methods experta runs, each with its declaration."""
    listed = {
        (r["rule_set"], r["rule"]): r
        for factor in rules_doc["factors"]
        for f in factor["findings"]
        for r in f["rules"]
    }
    kb = knowledge()
    for rule_set in kb.rule_sets:
        rule_methods = {
            name for name, member in vars(rule_set).items() if type(member).__name__ == "Rule"
        }
        assert rule_methods == {rule for cls, rule in listed if cls == rule_set.__name__}
    assert rules_doc["rule_count"] == len(listed)
    assert all(rule["reads"] for rule in listed.values())


@pytest.mark.parametrize(
    "overrides",
    [
        FINDINGS,
        {"intervention": {"dose": 6.4}},
        {"intervention": {"dose_unit": "mg_per_m2", "dose": 1.0}},
        {"population": {"immune_status": None}},
        {
            "indication": "cancer",
            "cancer_type": "nsclc",
            "intervention": {"role": "monotherapy", "combined_with": [], "frequency": "weekly"},
        },
    ],
)
def test_rules_that_fire_are_listed_under_their_finding(
    rules_doc: dict[str, Any], overrides: dict[str, Any]
) -> None:
    listed = {
        f["id"]: {r["rule"] for r in f["rules"]}
        for factor in rules_doc["factors"]
        for f in factor["findings"]
    }
    diagnosis = diagnose(make_study(**overrides))
    assert diagnosis.findings
    for finding in diagnosis.findings:
        assert set(finding.rules) <= listed[finding.id]


# --- schema ------------------------------------------------------------------------------


def test_study_schema(tmp_path: Path) -> None:
    result = invoke("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    VALIDATOR.check_schema(schema)
    assert schema["properties"].keys() == Study.model_json_schema()["properties"].keys()
    assert schema["$comment"] == RESEARCH_NOTICE
    # a real study file validates; a wrong one does not
    study = yaml.safe_load(write_study(tmp_path, "s.yaml", **FINDINGS).read_text())
    assert not list(VALIDATOR(schema).iter_errors(study))
    assert list(VALIDATOR(schema).iter_errors({**study, "indication": "flu"}))


def test_report_schema_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "report.schema.json"
    result = invoke("schema", "--report", "--output", target)
    assert result.exit_code == 0 and result.stdout == ""
    schema = json.loads(target.read_text())
    VALIDATOR.check_schema(schema)
    assert schema["$id"].startswith("urn:thymoscope:report:")
    report = json.loads(invoke("diagnose", write_study(tmp_path, "s.yaml"), "-f", "json").stdout)
    assert not list(VALIDATOR(schema).iter_errors(report))


def test_comparison_schema_validates_compare_output(tmp_path: Path) -> None:
    schema = json.loads(invoke("schema", "--comparison").stdout)
    VALIDATOR.check_schema(schema)
    a = write_study(tmp_path, "a.yaml")
    b = write_study(tmp_path, "b.yaml", **FINDINGS)
    output = invoke("compare", a, b, "-f", "json")
    assert output.exit_code == 0, output.stderr
    assert not list(VALIDATOR(schema).iter_errors(json.loads(output.stdout)))
    assert list(VALIDATOR(schema).iter_errors({"kind": "comparison"}))


def test_schema_refuses_two_kinds_at_once() -> None:
    result = invoke("schema", "--report", "--comparison")
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1


def test_schema_output_error(tmp_path: Path) -> None:
    result = invoke("schema", "-o", tmp_path / "missing" / "x.json")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1


# --- init ----------------------------------------------------------------------------------


def test_template_as_written_is_a_valid_study() -> None:
    study = parse_study(study_template(), "template.yaml")
    assert study.schema_version == 2  # init writes the current version
    # every value list shown in the comments matches the vocabulary
    from thymoscope.study import vocabulary

    text = study_template()
    assert " | ".join(v.value for v in vocabulary.DesignType) in text
    assert " | ".join(v.value for v in vocabulary.SecondaryEndpoint) in text
    assert RESEARCH_NOTICE in text


def test_commented_out_examples_are_valid_too() -> None:
    """Uncommenting the example subgroup gives a valid study as well."""
    lines = study_template().splitlines()
    start = lines.index("# subgroups:")
    uncommented = [line for line in lines if not line.startswith("subgroups: []")]
    body = uncommented[: uncommented.index("# subgroups:")] + [
        line[2:] for line in lines[start:] if line.startswith("# ") or line == "#"
    ]
    study = parse_study("\n".join(body), "template.yaml")
    assert study.subgroups and study.subgroups[0].by is not None


def test_init_prints_to_stdout() -> None:
    result = invoke("init")
    assert result.exit_code == 0
    assert result.stdout == study_template()


def test_init_round_trip(tmp_path: Path) -> None:
    target = tmp_path / "my-study.yaml"
    result = invoke("init", target)
    assert result.exit_code == 0
    assert result.stdout == ""  # a utility command: nothing on stdout, the notice neither
    assert result.stderr.startswith(f"thymoscope: wrote {target}; replace the example")
    assert target.read_text(encoding="utf-8") == study_template()
    diagnosed = invoke("diagnose", target, "-f", "json")
    assert diagnosed.exit_code == 0, diagnosed.stderr
    assert json.loads(diagnosed.stdout)["studies"][0]["source"] == str(target)
    # and through the installed entry point
    assert run("diagnose", target).returncode == 0


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "existing.yaml"
    target.write_text("keep me")
    result = invoke("init", target)
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"thymoscope: error: {target}: already exists (use --force to overwrite it)"
    )
    assert target.read_text() == "keep me"
    forced = invoke("init", target, "--force")
    assert forced.exit_code == 0
    assert target.read_text() == study_template()


def test_init_into_a_missing_folder(tmp_path: Path) -> None:
    result = invoke("init", tmp_path / "no" / "such.yaml")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
