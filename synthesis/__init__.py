"""Evidence synthesis on the standard library: effect sizes, pooling, heterogeneity,
subgroups, meta-regression, leave-one-out and Egger's test, matching metafor."""

from __future__ import annotations

from thymoscope.synthesis.effects import (
    EffectSize,
    EffectSizeError,
    from_counts,
    from_estimate_ci,
    from_estimate_se,
    from_means,
    se_from_ci,
)
from thymoscope.synthesis.influence import EggerTest, LeaveOneOut, egger_test, leave_one_out
from thymoscope.synthesis.models import (
    Heterogeneity,
    Interval,
    MetaRegression,
    Method,
    ModelError,
    Pooled,
    meta_regression,
    pool,
)
from thymoscope.synthesis.subgroups import SubgroupAnalysis, SubgroupResult, subgroup_analysis

__all__ = [
    "EffectSize",
    "EffectSizeError",
    "EggerTest",
    "Heterogeneity",
    "Interval",
    "LeaveOneOut",
    "MetaRegression",
    "Method",
    "ModelError",
    "Pooled",
    "SubgroupAnalysis",
    "SubgroupResult",
    "egger_test",
    "from_counts",
    "from_estimate_ci",
    "from_estimate_se",
    "from_means",
    "leave_one_out",
    "meta_regression",
    "pool",
    "se_from_ci",
    "subgroup_analysis",
]
