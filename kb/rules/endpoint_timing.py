"""Factor 4, endpoint timing (FAQ 1, 3): immune-mediated responses arrive late."""

from __future__ import annotations

from thymoscope.engine.experta_compat import MATCH, Rule
from thymoscope.engine.rules import RuleSet, concludes
from thymoscope.kb.facts import PrimaryEndpoint, Study
from thymoscope.kb.rules.conditions import below, one_of
from thymoscope.kb.thresholds import CHB_MIN_FOLLOW_UP_MONTHS

DELAYED_ENDPOINT_KINDS = ("virological_response", "tumour_response", "survival", "immunological")


class EndpointTimingRules(RuleSet):
    @concludes(
        "end-of-therapy-endpoint",
        reads=("indication", "primary_endpoint.timing"),
        needs=("primary_endpoint.timing",),
        when={"primary_endpoint.timing": ["end_of_therapy"]},
        applies_to=("chronic_hepatitis_b",),
    )
    @Rule(Study(indication="chronic_hepatitis_b"), PrimaryEndpoint(timing="end_of_therapy"))
    def chb_endpoint_at_end_of_therapy(self) -> None:
        self.conclude(
            "end-of-therapy-endpoint",
            "indication",
            "primary_endpoint.timing",
            severity="major",
            indication="chronic_hepatitis_b",
        )

    @concludes(
        "end-of-therapy-endpoint",
        reads=("indication", "primary_endpoint.timing", "primary_endpoint.kind"),
        needs=("primary_endpoint.timing",),
        when={"primary_endpoint.timing": ["end_of_therapy"]},
        applies_to=("cancer", "other"),
    )
    @Rule(
        Study(indication=MATCH.indication & one_of(("cancer", "other"))),
        PrimaryEndpoint(timing="end_of_therapy", kind=MATCH.kind & one_of(DELAYED_ENDPOINT_KINDS)),
    )
    def delayed_endpoint_at_end_of_therapy(self, indication: str, kind: str) -> None:
        self.conclude(
            "end-of-therapy-endpoint",
            "indication",
            "primary_endpoint.timing",
            "primary_endpoint.kind",
            severity="minor",
            indication=indication,
            kind=kind,
        )

    @concludes(
        "follow-up-too-short",
        reads=("indication", "follow_up_months_after_therapy"),
        needs=("follow_up_months_after_therapy",),
        applies_to=("chronic_hepatitis_b",),
    )
    @Rule(
        Study(
            indication="chronic_hepatitis_b",
            follow_up_months_after_therapy=MATCH.months & below(CHB_MIN_FOLLOW_UP_MONTHS),
        )
    )
    def chb_follow_up_too_short(self, months: float) -> None:
        self.conclude(
            "follow-up-too-short",
            "indication",
            "follow_up_months_after_therapy",
            months=months,
            needed=CHB_MIN_FOLLOW_UP_MONTHS,
        )

    @concludes(
        "follow-up-too-short",
        reads=(
            "indication",
            "follow_up_months_after_therapy",
            "primary_endpoint.timing",
            "primary_endpoint.months_after_therapy",
        ),
        needs=("follow_up_months_after_therapy",),
        applies_to=("chronic_hepatitis_b",),
    )
    @Rule(
        Study(indication="chronic_hepatitis_b", follow_up_months_after_therapy=None),
        PrimaryEndpoint(
            timing="after_therapy",
            months_after_therapy=MATCH.months & below(CHB_MIN_FOLLOW_UP_MONTHS),
        ),
    )
    def chb_endpoint_read_too_soon_after_therapy(self, months: float) -> None:
        # Follow-up not stated: the primary endpoint's reading time bounds it from below.
        self.conclude(
            "follow-up-too-short",
            "indication",
            "follow_up_months_after_therapy",
            "primary_endpoint.months_after_therapy",
            months=months,
            needed=CHB_MIN_FOLLOW_UP_MONTHS,
            from_endpoint=True,
        )
