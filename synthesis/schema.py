"""JSON Schema (draft 2020-12) of ``thymoscope review --format json`` (review_version 1)."""

from __future__ import annotations

from typing import Any

from thymoscope.synthesis.document import REVIEW_VERSION

NUMBER: dict[str, Any] = {"type": "number"}
COUNT: dict[str, Any] = {"type": "integer", "minimum": 0}
TEXT: dict[str, Any] = {"type": "string"}
TEXTS: dict[str, Any] = {"type": "array", "items": TEXT}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": False,
    }


INTERVAL = _object(
    {
        "low": NUMBER,
        "high": NUMBER,
        "level": NUMBER,
        "distribution": {"enum": ["normal", "t"]},
        "df": _nullable(COUNT),
    }
)

POOLED = _object(
    {
        "method": {"enum": ["reml", "dl", "pm", "fe"]},
        "k": COUNT,
        "estimate": NUMBER,
        "ci_low": NUMBER,
        "ci_high": NUMBER,
        "ci": INTERVAL,
        "yi": NUMBER,
        "se": NUMBER,
        "test": {"enum": ["z", "t"]},
        "statistic": NUMBER,
        "p_value": NUMBER,
        "prediction": _nullable(INTERVAL),
        "heterogeneity": _object(
            {
                "q": NUMBER,
                "df": COUNT,
                "p_value": NUMBER,
                "tau2": NUMBER,
                "tau": NUMBER,
                "i2": NUMBER,
                "h2": NUMBER,
                "typical_within_variance": NUMBER,
            }
        ),
        "tau2_algorithm": {
            "enum": ["none", "moments", "fisher_scoring", "score_bisection", "q_root"]
        },
        "iterations": COUNT,
        "hksj": {"type": "boolean"},
        "conventions": TEXTS,
    }
)

COEFFICIENT = _object(
    {
        "name": TEXT,
        "estimate": NUMBER,
        "se": NUMBER,
        "statistic": NUMBER,
        "p_value": NUMBER,
        "ci_low": NUMBER,
        "ci_high": NUMBER,
    }
)

REGRESSION = _object(
    {
        "k": COUNT,
        "method": TEXT,
        "coefficients": {"type": "array", "items": COEFFICIENT},
        "qm": NUMBER,
        "qm_df": COUNT,
        "qm_p": NUMBER,
        "qm_distribution": {"enum": ["chi2", "F"]},
        "qe": NUMBER,
        "qe_df": COUNT,
        "qe_p": NUMBER,
        "tau2": NUMBER,
        "i2": NUMBER,
        "h2": NUMBER,
        "r2": _nullable(NUMBER),
        "coefficients_scale": {"enum": ["log", "identity"]},
        "conventions": TEXTS,
    }
)

SUBGROUPS = _object(
    {
        "by": TEXT,
        "groups": {
            "type": "array",
            "items": _object({"level": TEXT, "k": COUNT, "ids": TEXTS, "pooled": POOLED}),
        },
        "separate_tau2": _object({"q": NUMBER, "df": COUNT, "p_value": NUMBER}),
        "common_tau2": _nullable(
            _object(
                {
                    "qm": NUMBER,
                    "df": COUNT,
                    "p_value": NUMBER,
                    "distribution": {"enum": ["chi2", "F"]},
                    "tau2": NUMBER,
                    "r2": _nullable(NUMBER),
                }
            )
        ),
        "common_tau2_unavailable": _nullable(TEXT),
        "conventions": TEXTS,
    }
)

STUDY = _object(
    {
        "id": TEXT,
        "label": TEXT,
        "title": TEXT,
        "source": TEXT,
        "estimate": NUMBER,
        "ci_low": NUMBER,
        "ci_high": NUMBER,
        "ci_as_reported": {"type": "boolean"},
        "yi": NUMBER,
        "se": NUMBER,
        "weight": NUMBER,
        "effect_from": {"enum": ["counts", "means", "ci", "se"]},
        "continuity_correction": NUMBER,
        "sample_size": _nullable(COUNT),
    }
)

CERTAINTY_LEVEL: dict[str, Any] = {"enum": ["high", "moderate", "low", "very low"]}
DOMAIN_NAME: dict[str, Any] = {
    "enum": ["risk of bias", "inconsistency", "imprecision", "indirectness", "publication bias"]
}

CERTAINTY = _object(
    {
        "level": CERTAINTY_LEVEL,
        "start": {"enum": ["high", "low"]},
        "start_reason": TEXT,
        "line": TEXT,
        "downgraded_for": {"type": "array", "items": DOMAIN_NAME},
        "participants": _nullable(COUNT),
        "optimal_information_size": _nullable(COUNT),
        "domains": {
            "type": "array",
            "items": _object(
                {
                    "name": DOMAIN_NAME,
                    "judgement": {
                        "enum": ["not serious", "serious", "very serious", "not assessed"]
                    },
                    "downgrade": {"enum": [0, 1, 2]},
                    "assessed": {"type": "boolean"},
                    "reasons": TEXTS,
                    "summary": TEXT,
                }
            ),
        },
    }
)

SUMMARY_ROW = _object(
    {
        "outcome": TEXT,
        "measure": TEXT,
        "studies": COUNT,
        "participants": _nullable(COUNT),
        "estimate": _nullable(NUMBER),
        "ci_low": _nullable(NUMBER),
        "ci_high": _nullable(NUMBER),
        "certainty": _nullable(CERTAINTY_LEVEL),
        "downgraded_for": {"type": "array", "items": DOMAIN_NAME},
        "reasons": TEXTS,
    }
)

OUTCOME = _object(
    {
        "label": TEXT,
        "indication": TEXT,
        "endpoint": TEXT,
        "measure": TEXT,
        "scale": {"enum": ["log", "identity"]},
        "null_value": NUMBER,
        "favours": _object({"low": TEXT, "high": TEXT}),
        "k": COUNT,
        "studies": {"type": "array", "items": STUDY},
        "pooled": _nullable(POOLED),
        "fixed_effect": _nullable(POOLED),
        "leave_one_out": {
            "type": "array",
            "items": _object(
                {
                    "omitted": TEXT,
                    "estimate": NUMBER,
                    "ci_low": NUMBER,
                    "ci_high": NUMBER,
                    "p_value": NUMBER,
                    "q": NUMBER,
                    "tau2": NUMBER,
                    "i2": NUMBER,
                }
            ),
        },
        "egger": _nullable(
            _object(
                {
                    "k": COUNT,
                    "statistic": NUMBER,
                    "p_value": NUMBER,
                    "slope": NUMBER,
                    "slope_se": NUMBER,
                    "limit_estimate": NUMBER,
                    "limit_ci_low": NUMBER,
                    "limit_ci_high": NUMBER,
                    "conventions": TEXTS,
                }
            )
        ),
        "subgroups": _nullable(SUBGROUPS),
        "regression": _nullable(REGRESSION),
        "moderator_notes": {"type": "array", "items": _object({"id": TEXT, "reason": TEXT})},
        "notes": TEXTS,
        "findings": {
            "type": "array",
            "items": _object(
                {
                    "id": {
                        "enum": [
                            "heterogeneity-explained",
                            "heterogeneity-unexplained",
                            "factors-confounded",
                            "too-few-studies",
                            "pooled-effect-rests-on-weaker-studies",
                            "disagreement-consistent-with-chance",
                            "prediction-interval-includes-no-effect",
                            "small-study-effects",
                            "single-study-drives-result",
                            "influential-study-stands-apart",
                        ]
                    },
                    "factor": _nullable(TEXT),
                    "rule": TEXT,
                    "title": TEXT,
                    "explanation": TEXT,
                    "faq_sections": TEXTS,
                    "next_steps": TEXTS,
                    "facts": {"type": "array", "items": _object({"name": TEXT, "value": {}})},
                }
            ),
        },
        "certainty": _nullable(CERTAINTY),
    }
)


def review_schema() -> dict[str, Any]:
    """The schema of the review document."""
    from thymoscope import RESEARCH_NOTICE

    document = _object(
        {
            "review_version": {"const": REVIEW_VERSION},
            "kind": {"const": "review"},
            "generator": TEXT,
            "title": TEXT,
            "options": _object(
                {
                    "method": {"enum": ["reml", "dl", "pm", "fe"]},
                    "method_name": TEXT,
                    "hksj": {"type": "boolean"},
                    "by": _nullable(TEXT),
                    "regress": _nullable(TEXT),
                    "level": NUMBER,
                }
            ),
            "conventions": TEXTS,
            "outcomes": {"type": "array", "items": OUTCOME},
            "summary_of_findings": {"type": "array", "items": SUMMARY_ROW},
            "excluded": {
                "type": "array",
                "items": _object({"id": TEXT, "source": TEXT, "reason": TEXT}),
            },
            "errors": TEXTS,
            "notice": TEXT,
        }
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:thymoscope:review:v{REVIEW_VERSION}",
        "$comment": RESEARCH_NOTICE,
        "title": "thymoscope review (JSON output)",
        **document,
    }
