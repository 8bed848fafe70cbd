"""The BCG trials as study files (counts per arm, covariates) through `thymoscope review`:
the metafor reference numbers again, end to end (loader, body, document, JSON)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cli.helpers import invoke
from tests.review.datasets import BCG


@pytest.fixture(scope="module")
def bcg_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bcg")
    for trial, tpos, tneg, cpos, cneg, ablat, alloc in BCG:
        rr = (tpos / (tpos + tneg)) / (cpos / (cpos + cneg))
        study = {
            "schema_version": 2,
            "id": f"bcg-{trial:02d}",
            "title": f"BCG trial {trial}",
            "indication": "other",
            "design": {"type": "rct", "sample_size": tpos + tneg + cpos + cneg},
            "primary_endpoint": {"kind": "other", "counted_event": "unfavourable"},
            "result": {
                "effect": {"measure": "risk_ratio", "estimate": round(rr, 3)},
                "arms": {
                    "treatment": {"events": tpos, "n": tpos + tneg},
                    "control": {"events": cpos, "n": cpos + cneg},
                },
            },
            "covariates": {"ablat": ablat, "alloc": alloc},
        }
        (folder / f"bcg-{trial:02d}.yaml").write_text(yaml.safe_dump(study), encoding="utf-8")
    return folder


def review(folder: Path, *args: str) -> dict[str, Any]:
    result = invoke("review", folder, "-f", "json", *args)
    assert result.exit_code == 0, result.stderr
    (outcome,) = json.loads(result.stdout)["outcomes"]
    assert outcome["k"] == 13
    return dict(outcome)


def test_reml_from_the_counts(bcg_folder: Path) -> None:
    outcome = review(bcg_folder)
    assert {s["effect_from"] for s in outcome["studies"]} == {"counts"}
    pooled = outcome["pooled"]
    het = pooled["heterogeneity"]
    assert het["tau2"] == pytest.approx(0.3132, abs=1e-3)
    assert het["i2"] == pytest.approx(92.22, abs=1e-2)
    assert het["q"] == pytest.approx(152.2330, abs=1e-4)
    assert pooled["yi"] == pytest.approx(-0.7145, abs=1e-4)
    assert math.log(pooled["ci_low"]) == pytest.approx(-1.0669, abs=1e-4)
    assert math.log(pooled["ci_high"]) == pytest.approx(-0.3622, abs=1e-4)
    assert math.log(pooled["prediction"]["low"]) == pytest.approx(-1.87, abs=5e-3)
    assert math.log(pooled["prediction"]["high"]) == pytest.approx(0.44, abs=5e-3)
    egger = outcome["egger"]
    assert egger["statistic"] == pytest.approx(-0.8033, abs=1e-4)
    without_8 = next(r for r in outcome["leave_one_out"] if r["omitted"] == "bcg-08")
    assert math.log(without_8["estimate"]) == pytest.approx(-0.7948, abs=1e-4)
    assert without_8["tau2"] == pytest.approx(0.2732, abs=1e-3)
    assert without_8["q"] == pytest.approx(67.9858, abs=1e-4)


def test_dersimonian_laird(bcg_folder: Path) -> None:
    pooled = review(bcg_folder, "--method", "dl")["pooled"]
    assert pooled["estimate"] == pytest.approx(0.4896, abs=1e-4)
    assert pooled["ci_low"] == pytest.approx(0.3449, abs=1e-4)
    assert pooled["ci_high"] == pytest.approx(0.6950, abs=1e-4)


def test_subgroups_by_allocation(bcg_folder: Path) -> None:
    subgroups = review(bcg_folder, "--by", "covariates.alloc")["subgroups"]
    common = subgroups["common_tau2"]
    assert common["qm"] == pytest.approx(1.7675, abs=1e-3)
    assert common["p_value"] == pytest.approx(0.4132, abs=1e-4)
    assert common["df"] == 2
    assert subgroups["separate_tau2"]["df"] == 2


def test_meta_regression_on_latitude(bcg_folder: Path) -> None:
    regression = review(bcg_folder, "--regress", "covariates.ablat")["regression"]
    assert regression["tau2"] == pytest.approx(0.0764, abs=1e-3)
    assert regression["r2"] == pytest.approx(75.62, abs=1e-2)
    assert regression["qm"] == pytest.approx(16.3571, abs=1e-3)
    assert regression["qe"] == pytest.approx(30.7331, abs=1e-3)


def test_regress_on_text_is_refused_per_study(bcg_folder: Path) -> None:
    outcome = review(bcg_folder, "--regress", "covariates.alloc")
    assert outcome["regression"] is None
    assert len(outcome["moderator_notes"]) == 13
    assert "not a number (use --by)" in outcome["moderator_notes"][0]["reason"]
