"""Body-level rules: each finding fires on the body that shows it, and only there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli.helpers import invoke, write_study
from tests.conftest import DELETE
from tests.review.test_bcg_files import bcg_folder  # noqa: F401  (fixture)
from tests.review.test_teaching_set import teaching_set
from thymoscope.kb.body_facts import BodyFacts, FactorSplit
from thymoscope.kb.rules.body_rules import body_findings


def findings(*args: Any) -> list[dict[str, Any]]:
    result = invoke("review", *args, "-f", "json")
    assert result.exit_code == 0, result.stderr
    (outcome,) = json.loads(result.stdout)["outcomes"]
    return list(outcome["findings"])


def ids(found: list[dict[str, Any]]) -> list[str]:
    return [f["id"] for f in found]


def facts(**overrides: Any) -> BodyFacts:
    base: dict[str, Any] = {
        "k": 12,
        "i2": 10.0,
        "q_p": 0.5,
        "heterogeneous": False,
        "pooled_excludes_null": False,
        "pi_includes_null": True,
        "significant_studies": 0,
        "pooled_text": "0.90 (0.70 to 1.10)",
        "splits": (),
        "quality": None,
        "influential": (),
        "egger_p": None,
    }
    return BodyFacts(**{**base, **overrides})


def split(
    field: str, p: float, partition: tuple[tuple[str, ...], ...], min_k: int = 3
) -> FactorSplit:
    return FactorSplit(
        factor="study_quality",
        title=f"Split by {field}",
        field=field,
        levels=(("a", min_k), ("b", 12 - min_k)),
        partition=partition,
        q_between=6.0,
        p_value=p,
        alpha=0.025,
    )


def test_teaching_set_rediscovers_the_faq_conclusion() -> None:
    found = findings(teaching_set("sepsis-quality"))
    assert ids(found)[0] == "pooled-effect-rests-on-weaker-studies"
    first = found[0]
    assert first["factor"] == "study_quality"
    assert "0.82 (0.65 to 1.03)" in first["explanation"]
    assert "0.41 (0.24 to 0.68)" in first["explanation"]
    explained = [f for f in found if f["id"] == "heterogeneity-explained"]
    assert {f["title"] for f in explained} == {
        "Study quality (risk of bias) accounts for the disagreement",
        "Study quality (blinding) accounts for the disagreement",
    }
    assert "0.05 divided by the 2 factors tried" in explained[0]["explanation"]
    (confounded,) = [f for f in found if f["id"] == "factors-confounded"]
    assert (
        '"Study quality (blinding)" and "Study quality (risk of bias)"'
        in (confounded["explanation"])
    )
    # words, not field paths (usability review item 2)
    assert not any("design." in f["explanation"] for f in found)
    assert "too-few-studies" not in ids(found)  # 11 studies


def test_bcg_heterogeneity_without_thymoscope_factors(bcg_folder: Path) -> None:  # noqa: F811
    found = ids(findings(bcg_folder))
    assert "heterogeneity-unexplained" in found
    assert "prediction-interval-includes-no-effect" in found
    assert "heterogeneity-explained" not in found
    assert "too-few-studies" not in found  # no factor was tried


def test_too_few_studies_when_a_factor_is_tried_on_a_small_body(tmp_path: Path) -> None:
    for name, blinding, est in (("a.yaml", "open", 0.4), ("b.yaml", "double", 0.9),
                                ("c.yaml", "open", 0.5), ("d.yaml", "double", 0.95)):  # fmt: skip
        write_study(
            tmp_path,
            name,
            design={"blinding": blinding},
            result={"effect": {"estimate": est, "ci_low": est * 0.7, "ci_high": est * 1.3,
                               "p_value": DELETE}},
        )  # fmt: skip
    found = ids(findings(tmp_path))
    assert "too-few-studies" in found


def test_explained_needs_the_adjusted_level_and_two_studies_per_subgroup() -> None:
    part = (("a", "b", "c"), ("d", "e", "f"))
    assert ids_of(facts(splits=(split("design.blinding", 0.02, part),))) == [
        "heterogeneity-explained"
    ]
    assert "heterogeneity-explained" not in ids_of(
        facts(splits=(split("design.blinding", 0.03, part),))
    )
    assert "heterogeneity-explained" not in ids_of(
        facts(splits=(split("design.blinding", 0.001, part, min_k=1),))
    )


def ids_of(body: BodyFacts) -> list[str]:
    return [f.id for f in body_findings(body)]


def test_unexplained_only_without_an_explaining_factor() -> None:
    part = (("a", "b", "c"), ("d", "e", "f"))
    heterogeneous = {"heterogeneous": True, "i2": 70.0, "q_p": 0.001}
    assert "heterogeneity-unexplained" in ids_of(facts(**heterogeneous))
    assert "heterogeneity-unexplained" not in ids_of(
        facts(**heterogeneous, splits=(split("design.blinding", 0.001, part),))
    )
    assert "heterogeneity-unexplained" not in ids_of(facts())


def test_confounded_factors_need_the_same_partition() -> None:
    same = (("a", "b"), ("c", "d"))
    other = (("a", "c"), ("b", "d"))
    together = facts(
        splits=(split("design.blinding", 0.5, same), split("intervention.role", 0.5, same))
    )
    apart = facts(
        splits=(split("design.blinding", 0.5, same), split("intervention.role", 0.5, other))
    )
    assert ids_of(together).count("factors-confounded") == 1
    assert "factors-confounded" not in ids_of(apart)


def test_significance_differs_but_effects_agree() -> None:
    assert "disagreement-consistent-with-chance" in ids_of(facts(significant_studies=3))
    assert "disagreement-consistent-with-chance" not in ids_of(
        facts(significant_studies=3, heterogeneous=True)
    )
    assert "disagreement-consistent-with-chance" not in ids_of(facts(significant_studies=0))


def test_small_study_effects_and_single_study() -> None:
    from thymoscope.kb.body_facts import Influential

    assert "small-study-effects" in ids_of(facts(egger_p=0.03))
    assert "small-study-effects" not in ids_of(facts(egger_p=0.3))
    found = body_findings(facts(influential=(Influential("big-trial", "0.95 (0.80 to 1.12)"),)))
    (single,) = [f for f in found if f.id == "single-study-drives-result"]
    assert "big-trial" in single.explanation


def test_prediction_interval_finding_needs_a_significant_pooled_estimate() -> None:
    assert "prediction-interval-includes-no-effect" in ids_of(facts(pooled_excludes_null=True))
    assert "prediction-interval-includes-no-effect" not in ids_of(facts())


def test_the_most_influential_study_joined_to_what_sets_it_apart() -> None:
    """The body statistic (leave-one-out) joined to the study's own facts and diagnosis:
    the chb-endpoint-timing set with one trial made the only open-label one."""
    import shutil
    import tempfile

    import yaml

    from thymoscope.api import diagnose
    from thymoscope.study.loader import load_study

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for path in teaching_set("chb-endpoint-timing").glob("*.yaml"):
            shutil.copy(path, folder / path.name)
        for path in folder.glob("*.yaml"):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            data["design"]["blinding"] = "double"
            path.write_text(yaml.safe_dump(data), encoding="utf-8")
        plain = findings(folder)
        assert "influential-study-stands-apart" not in ids(plain)  # nothing sets it apart

        target = folder / "chb-eot-trial-3.yaml"
        data = yaml.safe_load(target.read_text(encoding="utf-8"))
        data["design"]["blinding"] = "open"
        target.write_text(yaml.safe_dump(data), encoding="utf-8")
        found = findings(folder)
        (apart,) = [f for f in found if f["id"] == "influential-study-stands-apart"]
        assert "chb-eot-trial-3" in apart["explanation"]
        assert '"Blinding: open label"' in apart["explanation"]
        majors = [f.title for f in diagnose(load_study(target)).findings if f.severity == "major"]
        assert majors and all(f'"{title}"' in apart["explanation"] for title in majors)
        assert "one study cannot show which" in apart["explanation"]

        # the open-label trial is not the most influential one: no finding
        data["design"]["blinding"] = "double"
        target.write_text(yaml.safe_dump(data), encoding="utf-8")
        other = folder / "chb-sustained-trial-6.yaml"
        data = yaml.safe_load(other.read_text(encoding="utf-8"))
        data["design"]["blinding"] = "open"
        other.write_text(yaml.safe_dump(data), encoding="utf-8")
        assert "influential-study-stands-apart" not in ids(findings(folder))
