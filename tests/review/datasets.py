"""Published reference datasets (see /work/shared/reviews/evidence-synthesis.md)."""

from __future__ import annotations

import math

# metadat dat.bcg (Colditz 1994): trial, tpos, tneg, cpos, cneg, ablat, alloc
BCG: tuple[tuple[int, int, int, int, int, int, str], ...] = (
    (1, 4, 119, 11, 128, 44, "random"),
    (2, 6, 300, 29, 274, 55, "random"),
    (3, 3, 228, 11, 209, 42, "random"),
    (4, 62, 13536, 248, 12619, 52, "random"),
    (5, 33, 5036, 47, 5761, 13, "alternate"),
    (6, 180, 1361, 372, 1079, 44, "alternate"),
    (7, 8, 2537, 10, 619, 19, "random"),
    (8, 505, 87886, 499, 87892, 13, "random"),
    (9, 29, 7470, 45, 7232, 27, "random"),
    (10, 17, 1699, 65, 1600, 42, "systematic"),
    (11, 186, 50448, 141, 27197, 18, "systematic"),
    (12, 5, 2493, 3, 2338, 33, "systematic"),
    (13, 27, 16886, 29, 17825, 33, "systematic"),
)

# meta inst/extdata/Fleiss1993_CR.csv: study, events/total treated, events/total control
FLEISS1993: tuple[tuple[str, int, int, int, int], ...] = (
    ("MRC-1", 49, 615, 67, 624),
    ("CDP", 44, 758, 64, 771),
    ("MRC-2", 102, 832, 126, 850),
    ("GASP", 32, 317, 38, 309),
    ("PARIS", 85, 810, 52, 406),
    ("AMIS", 246, 2267, 219, 2257),
    ("ISIS-2", 1570, 8587, 1720, 8600),
)


def bcg_log_rr() -> tuple[list[float], list[float]]:
    """log RR and its variance, as the review file defines them."""
    yi, vi = [], []
    for _, tpos, tneg, cpos, cneg, _, _ in BCG:
        yi.append(math.log((tpos / (tpos + tneg)) / (cpos / (cpos + cneg))))
        vi.append(1 / tpos - 1 / (tpos + tneg) + 1 / cpos - 1 / (cpos + cneg))
    return yi, vi
