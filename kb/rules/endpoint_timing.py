"""Factor 4, endpoint timing (FAQ 1, 3): immune-mediated responses arrive late."""

from __future__ import annotations

from thymoscope.engine.experta_compat import MATCH, Rule
from thymoscope.engine.facts import PrimaryEndpoint, Study
from thymoscope.kb.rules.conditions import below, one_of
from thymoscope.kb.thresholds import CHB_MIN_FOLLOW_UP_MONTHS

DELAYED_ENDPOINT_KINDS = ("virological_response", "tumour_response", "survival", "immunological")


class EndpointTimingRules:
    @Rule(Study(indication="chronic_hepatitis_b"), PrimaryEndpoint(timing="end_of_therapy"))
    def chb_endpoint_at_end_of_therapy(self):  # type: ignore[no-untyped-def]
        self.conclude(
            "end-of-therapy-endpoint",
            "indication",
            "primary_endpoint.timing",
            severity="major",
            indication="chronic_hepatitis_b",
        )

    @Rule(
        Study(indication=MATCH.indication & one_of(("cancer", "other"))),
        PrimaryEndpoint(timing="end_of_therapy", kind=MATCH.kind & one_of(DELAYED_ENDPOINT_KINDS)),
    )
    def delayed_endpoint_at_end_of_therapy(self, indication, kind):  # type: ignore[no-untyped-def]
        self.conclude(
            "end-of-therapy-endpoint",
            "indication",
            "primary_endpoint.timing",
            "primary_endpoint.kind",
            severity="minor",
            indication=indication,
            kind=kind,
        )

    @Rule(
        Study(
            indication="chronic_hepatitis_b",
            follow_up_months_after_therapy=MATCH.months & below(CHB_MIN_FOLLOW_UP_MONTHS),
        )
    )
    def chb_follow_up_too_short(self, months):  # type: ignore[no-untyped-def]
        self.conclude(
            "follow-up-too-short",
            "indication",
            "follow_up_months_after_therapy",
            months=months,
            needed=CHB_MIN_FOLLOW_UP_MONTHS,
        )

    @Rule(
        Study(indication="chronic_hepatitis_b", follow_up_months_after_therapy=None),
        PrimaryEndpoint(
            timing="after_therapy",
            months_after_therapy=MATCH.months & below(CHB_MIN_FOLLOW_UP_MONTHS),
        ),
    )
    def chb_endpoint_read_too_soon_after_therapy(self, months):  # type: ignore[no-untyped-def]
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
