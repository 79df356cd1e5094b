"""The few distribution functions the statistics need, straight from ``scipy.special``.

``scipy.stats`` wraps these same functions (t.sf is stdtr(df, -x), t.ppf is stdtrit, norm uses
ndtr/ndtri, chi2.sf is chdtrc) but takes about twice as long to import, which a CLI pays on
every ``experiment show``; so the special functions are imported on first use.
"""

from __future__ import annotations

import math
from typing import Any


def _special() -> Any:
    from scipy import special

    return special


def t_sf(x: float, df: float) -> float:
    return float(_special().stdtr(df, -x))


def t_cdf(x: float, df: float) -> float:
    return float(_special().stdtr(df, x))


def t_ppf(q: float, df: float) -> float:
    return float(_special().stdtrit(df, q))


def norm_cdf(x: float) -> float:
    return float(_special().ndtr(x))


def norm_sf(x: float) -> float:
    return float(_special().ndtr(-x))


def norm_ppf(q: float) -> float:
    return float(_special().ndtri(q))


def norm_pdf(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def chi2_sf(x: float, df: float) -> float:
    return float(_special().chdtrc(df, x))
