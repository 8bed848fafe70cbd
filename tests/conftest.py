"""Shared fixtures: a valid baseline study with deep-merged overrides, bundled cases."""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable, Iterator
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import pytest

# `from tests.strategies import studies` must work however pytest is started
# (the project runs pytest with --import-mode=importlib, which adds nothing to sys.path).
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from thymoscope.study.model import Study  # noqa: E402

DELETE = object()
"""Override value that removes a key instead of setting it."""

# A well-run sepsis trial on the reference protocol: no rule fires on it, so each
# test can switch one thing on with a single override.
BASE_STUDY: dict[str, Any] = {
    "schema_version": 1,
    "id": "baseline",
    "title": "Baseline test study",
    "indication": "sepsis",
    "design": {
        "type": "rct",
        "blinding": "double",
        "comparator": "placebo",
        "allocation_concealment": True,
        "sample_size": 600,
        "centres": 12,
        "risk_of_bias": "low",
    },
    "population": {
        "immune_status": "suppressed",
        "suppression": ["sepsis_immunoparalysis"],
        "selected_by_biomarker": True,
        "median_age": 62,
        "comorbidities": [],
    },
    "intervention": {
        "role": "adjuvant",
        "combined_with": ["standard_of_care"],
        "dose": 1.6,
        "dose_unit": "mg",
        "route": "subcutaneous",
        "frequency": "twice_daily",
        "duration_weeks": 1,
    },
    "primary_endpoint": {
        "name": "28-day all-cause mortality",
        "kind": "mortality",
        "timing": "after_therapy",
        "months_after_therapy": 0.7,
    },
    "follow_up_months_after_therapy": 0.7,
    "secondary_endpoints": ["hla_dr", "cd4", "sofa"],
    "result": {
        "primary": "benefit",
        "effect": {
            "measure": "odds_ratio",
            "estimate": 0.7,
            "ci_low": 0.55,
            "ci_high": 0.9,
            "p_value": 0.005,
        },
        "immune_markers_improved": True,
    },
    "subgroups": [],
}


def deep_merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``base`` with ``overrides`` merged in; nested mappings merge key by key,
    anything else (lists included) replaces; the value :data:`DELETE` removes the key."""
    merged = copy.deepcopy(base)
    for key, value in overrides.items():
        if value is DELETE:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def make_study_dict(base: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """The baseline study as a plain mapping, with overrides deep-merged."""
    return deep_merge(BASE_STUDY if base is None else base, overrides)


def make_study(base: dict[str, Any] | None = None, **overrides: Any) -> Study:
    """A validated :class:`Study`: the baseline with overrides deep-merged."""
    return Study.model_validate(make_study_dict(base, **overrides))


def diagnose(study: Study) -> Any:
    from thymoscope.api import diagnose as api_diagnose

    return api_diagnose(study)


def bundled_case_names() -> list[str]:
    """File names of the bundled cases (``<case id>.yaml``), sorted."""
    root = files("thymoscope.kb.cases")
    return sorted(p.name for p in root.iterdir() if p.name.endswith(".yaml"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "install: builds a fresh venv and pip-installs the project")


@pytest.fixture(name="make_study")
def _make_study_fixture() -> Callable[..., Study]:
    return make_study


@pytest.fixture(name="make_study_dict")
def _make_study_dict_fixture() -> Callable[..., dict[str, Any]]:
    return make_study_dict


@pytest.fixture(name="diagnose")
def _diagnose_fixture() -> Callable[[Study], Any]:
    return diagnose


@pytest.fixture(name="bundled_cases")
def _bundled_cases_fixture() -> Iterator[dict[str, Path]]:
    """``{case id: path}`` for every bundled case file."""
    root = files("thymoscope.kb.cases")
    with as_file(root) as folder:
        yield {name.removesuffix(".yaml"): Path(folder) / name for name in bundled_case_names()}


# The sepsis meta-analysis's quality strata as given in FAQ section 2.
_LOWER_QUALITY = {
    "name": "Lower-quality trials",
    "by": "study_quality",
    "level": "low",
    "trials": 6,
    "sample_size": 359,
    "effect": {
        "measure": "odds_ratio",
        "estimate": 0.41,
        "ci_low": 0.24,
        "ci_high": 0.68,
        "p_value": 0.0007,
    },
}
_HIGHER_QUALITY = {
    "name": "Higher-quality trials",
    "by": "study_quality",
    "level": "high",
    "trials": 5,
    "sample_size": 1568,
    "effect": {
        "measure": "odds_ratio",
        "estimate": 0.82,
        "ci_low": 0.65,
        "ci_high": 1.03,
        "p_value": 0.09,
    },
}
FAQ_QUALITY_STRATA = (_LOWER_QUALITY, _HIGHER_QUALITY)
# The design of the FAQ 2 meta-analysis those strata come from.
FAQ_META_ANALYSIS = {"design": {"type": "meta_analysis", "trials": 11, "sample_size": 1927}}


def quality_stratum(
    base: dict[str, Any], estimate: float, low: float, high: float
) -> dict[str, Any]:
    """One of the FAQ's quality strata (``base``) with another odds ratio and interval."""
    return {
        **base,
        "effect": {"measure": "odds_ratio", "estimate": estimate, "ci_low": low, "ci_high": high},
    }
