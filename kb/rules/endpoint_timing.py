"""Factor 4, endpoint timing (FAQ 1, 3): hepatitis B responses build up after therapy.

The delayed-response argument is the FAQ's for hepatitis B, so the rules stay with it:
an end-of-therapy reading or a follow-up shorter than the FAQ's 6–12 months matters for
a null (or unreported) result, not for a benefit already shown. The two rules never
report the same gap twice: the follow-up rules are silent when the primary endpoint was
read at the end of therapy.
"""

from __future__ import annotations

from typing import Any

from thymoscope.engine.experta_compat import MATCH, P, Rule
from thymoscope.engine.rules import RuleSet, concludes
from thymoscope.kb.facts import Intervention, PrimaryEndpoint, Result, Study
from thymoscope.kb.thresholds import (
    CHB_DELAYED_ENDPOINT_KINDS,
    CHB_MIN_FOLLOW_UP_MONTHS,
    CHB_REFERENCE_READING_MONTHS,
)

NOT_SHOWN = ("no_significant_effect", None)


def not_shown() -> Any:
    return P(lambda value: value in NOT_SHOWN)


def too_short() -> Any:
    return P(lambda value: value is not None and value < CHB_MIN_FOLLOW_UP_MONTHS)


def when_text(months: float) -> str:
    """'when therapy ended' or '2.5 months after therapy' (never '0.0 months')."""
    if months <= 0:
        return "when therapy ended"
    return f"{round(months, 1):g} {'month' if round(months, 1) == 1 else 'months'} after therapy"


def timing_severity(primary: str | None) -> str:
    return "major" if primary == "no_significant_effect" else "moderate"


class EndpointTimingRules(RuleSet):
    @concludes(
        "end-of-therapy-endpoint",
        reads=(
            "indication",
            "intervention.role",
            "primary_endpoint.timing",
            "primary_endpoint.kind",
            "result.primary",
        ),
        needs=("primary_endpoint.timing",),
        when={
            "primary_endpoint.timing": ["end_of_therapy"],
            "intervention.role": ["monotherapy"],
            "primary_endpoint.kind": sorted(CHB_DELAYED_ENDPOINT_KINDS),
        },  # result.primary: null or unknown enable it, benefit and harm silence it (CASES)
        applies_to=("chronic_hepatitis_b",),
    )
    @Rule(
        Study(indication="chronic_hepatitis_b"),
        Intervention(role=MATCH.role & P(lambda v: v in ("monotherapy", None))),
        PrimaryEndpoint(
            timing="end_of_therapy",
            kind=MATCH.kind & P(lambda v: v is None or v in CHB_DELAYED_ENDPOINT_KINDS),
        ),
        Result(primary=MATCH.primary & not_shown()),
    )
    def chb_endpoint_at_end_of_therapy(
        self, role: str | None, kind: str | None, primary: str | None
    ) -> None:
        known = [
            path
            for path, value in (
                ("intervention.role", role),
                ("primary_endpoint.kind", kind),
                ("result.primary", primary),
            )
            if value is not None
        ]
        self.conclude(
            "end-of-therapy-endpoint",
            "indication",
            "primary_endpoint.timing",
            *known,
            severity=timing_severity(primary),
            role=role,
            kind=kind,
            primary=primary,
        )

    @concludes(
        "follow-up-too-short",
        reads=(
            "indication",
            "follow_up_months_after_therapy",
            "primary_endpoint.timing",
            "result.primary",
        ),
        needs=("follow_up_months_after_therapy",),
        when={
            "primary_endpoint.timing": {"not": ["end_of_therapy"]},
            "result.primary": ["no_significant_effect"],
        },
        applies_to=("chronic_hepatitis_b",),
    )
    @Rule(
        Study(
            indication="chronic_hepatitis_b",
            follow_up_months_after_therapy=MATCH.months & too_short(),
        ),
        PrimaryEndpoint(timing=MATCH.timing & P(lambda v: v != "end_of_therapy")),
        Result(primary=MATCH.primary & not_shown()),
    )
    def chb_follow_up_too_short(
        self, months: float, timing: str | None, primary: str | None
    ) -> None:
        self.conclude(
            "follow-up-too-short",
            "indication",
            "follow_up_months_after_therapy",
            *(("result.primary",) if primary is not None else ()),
            severity=timing_severity(primary),
            months=months,
            when=when_text(months),
            low=CHB_MIN_FOLLOW_UP_MONTHS,
            high=CHB_REFERENCE_READING_MONTHS,
            from_endpoint=False,
            primary=primary,
        )

    @concludes(
        "follow-up-too-short",
        reads=(
            "indication",
            "follow_up_months_after_therapy",
            "primary_endpoint.timing",
            "primary_endpoint.months_after_therapy",
            "result.primary",
        ),
        needs=("follow_up_months_after_therapy",),
        when={
            "primary_endpoint.timing": ["after_therapy"],
            "result.primary": ["no_significant_effect"],
        },
        applies_to=("chronic_hepatitis_b",),
    )
    @Rule(
        Study(indication="chronic_hepatitis_b", follow_up_months_after_therapy=None),
        PrimaryEndpoint(timing="after_therapy", months_after_therapy=MATCH.months & too_short()),
        Result(primary=MATCH.primary & not_shown()),
    )
    def chb_endpoint_read_too_soon_after_therapy(self, months: float, primary: str | None) -> None:
        # Follow-up not stated: the primary endpoint's reading time bounds it from below.
        self.conclude(
            "follow-up-too-short",
            "indication",
            "follow_up_months_after_therapy",
            "primary_endpoint.timing",
            "primary_endpoint.months_after_therapy",
            *(("result.primary",) if primary is not None else ()),
            severity=timing_severity(primary),
            months=months,
            when=when_text(months),
            low=CHB_MIN_FOLLOW_UP_MONTHS,
            high=CHB_REFERENCE_READING_MONTHS,
            from_endpoint=True,
            primary=primary,
        )
