"""The server-drawn charts as Chromium draws them: every label inside the drawing (an economics axis of
1,100,000 once lost its first digit past the left edge and read 100,000)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from projections.rendering.charts import compliance_chart, economics_chart
from projections.rendering.experiment_charts import _interval_rows

pytestmark = [pytest.mark.processes, pytest.mark.browser]

STYLE = (Path(__file__).parents[2] / "web" / "static" / "style.css").read_text(encoding="utf-8")
OUTSIDE = """() => [...document.querySelectorAll('svg')].flatMap(svg => {
  const box = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getBoundingClientRect()])
    .filter(([, r]) => r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5
                       || r.bottom > box.bottom + 0.5).map(([text]) => text);
})"""


def money(period: str, revenue: float, costs: float) -> dict[str, Any]:
    net = revenue - costs
    return {"period": period, "revenue": revenue, "costs": costs, "net_profit": net, "bonus_pool": max(0.0, net) * 0.2}


@pytest.mark.parametrize("width", [1280, 390])
def test_every_axis_label_is_inside_the_drawing(browser: Any, width: int) -> None:
    figures = [
        economics_chart([money("2026-01", 1_050_000, 400_000), money("2026-02", 980_000, 1_020_000)]),
        economics_chart([money("2026-01", -12_500_000, 3_000_000)]),
        _interval_rows("lift", [(  # an interval chart's rows with the longest texts the demo company has, and more
            "exp-overnight-proofing: treatment on bread-ready-by-7-percentage-of-shops", "95% Welch interval, "
            "sequential (always valid), Holm-adjusted across six comparisons", 0.0412, -0.0123, 0.0951,
            "+4.1% (−1.2% to +9.5%), p = 0.137, n = 1,204 / 1,198 units, chance to win 93%", "inconclusive so far",
            "neutral")]),
        compliance_chart("p", [{"period_start": f"2026-01-{d:02}", "value": v, "target": 1_000_000.0, "kept": v > 1e6}
                               for d, v in ((5, 990_000.5), (12, 1_020_000.0))]),
    ]
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.set_content(f"<!doctype html><html lang='en'><head><meta name='viewport' content='width=device-width'>"
                         f"<title>charts</title><style>{STYLE}</style></head><body><main>{''.join(figures)}</main>"
                         "</body></html>")
        labels = page.evaluate("() => [...document.querySelectorAll('svg text')].map(t => t.textContent)")
        assert {"1,500,000", "-10,000,000"} <= set(labels), labels  # the long ones are drawn
        assert page.evaluate(OUTSIDE) == []
    finally:
        page.close()
