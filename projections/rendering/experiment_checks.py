"""The sample ratio, power, before/after and over-time lines of an experiment's story, as text.

Part of ``experiment_story`` (the one presentation the CLI, the HTML report and the pages share).
"""

from __future__ import annotations

from typing import Any

from projections.rendering import experiment_format as f


def srm(e: dict[str, Any]) -> tuple[str, str]:
    s = e["srm"]
    if e.get("observational"):
        return "not applicable", "Sample ratio: not applicable (before/after is not randomised)."
    if s["p_value"] is None:
        return "not tested", "Sample ratio: not tested yet (no units in the arms)."
    state = "mismatch" if s["mismatch"] else "healthy"
    observed = " / ".join(f"{n:,}" for n in s["observed"])
    expected = " / ".join(f"{n:,.1f}".removesuffix(".0") for n in s["expected"])
    tail = (", below 0.001): the split is not the planned one; do not trust any comparison" if s["mismatch"]
            else ")")
    test = f"chi-square {f.p_value(s['p_value'])}"
    return state, f"Sample ratio: {state} (units {observed}, planned {expected}; {test}{tail}."


def power(e: dict[str, Any]) -> str:
    p, smallest = e["power"], min((a["n"] for a in e["arms"]), default=0)
    if p.get("mde") is None:
        return (f"Power: no planned effect size (mde), so no sample target; {smallest:,} units in the "
                "smallest arm.")
    if p["n_per_arm_needed"] is None:
        return f"Power: not computable yet for a {p['mde']:.0%} effect ({smallest:,} units in the smallest arm)."
    needed = p["n_per_arm_needed"]
    progress = "reached" if smallest >= needed else f"{smallest / needed:.0%} of the way"
    return (f"Power: {smallest:,} units in the smallest arm, {needed:,} per arm needed for a {p['mde']:.0%} effect "
            f"({progress}); achieved power {f.share(p['achieved'])} (two-sided z approximation, "
            f"α = {e['plan']['alpha']:g}, planned power {e['plan']['power']:.0%}).")


def period(unit: str, start: str) -> str:
    """The end of a cumulative point's period, as people say it: a day, the week of a Monday, a month."""
    return {"week": f"the week of {start}", "month": start[:7]}.get(unit, start)


def over_time(e: dict[str, Any]) -> tuple[tuple[str, str, str, str], ...]:
    """(observed through, units, lift [interval], evidence) of each cumulative point."""
    series = e.get("over_time") or {}
    bayesian = e["plan"]["engine"] == "bayesian"
    return tuple(
        (period(series["unit"], pt["period_start"]), f"{pt['n_control']:,} / {pt['n_treatment']:,}",
         f.signed_pct(pt["lift"]) + f.pct_interval(pt["lift_ci_low"], pt["lift_ci_high"]),
         f"chance to win {f.share(pt['chance_to_win'])}" if bayesian else f.p_value(pt["p_value"]))
        for pt in series.get("points", [])
    )


def notes(e: dict[str, Any]) -> tuple[str, ...]:
    """A before/after's caveat, its XmR limits and signals, and its interrupted time series."""
    if e["design"] != "before_after":
        return ()
    found = [e["note"]] if e.get("note") else []
    spc, its = e.get("spc") or {}, e.get("its") or {}
    if spc.get("center") is not None:
        places = f.decimals((spc["center"], spc["lnpl"], spc["unpl"]))
        signals = ", ".join(f"{s['at'][:10]} rule {s['rule']}" for s in spc["signals"]) or "none"
        found.append(f"XmR chart of the baseline window: centre {f.number(spc['center'], places)}, natural process "
                     f"limits [{f.number(spc['lnpl'], places)}, {f.number(spc['unpl'], places)}]; signals after the "
                     f"start (Western Electric rules 1–4): {signals}.")
    if its.get("level_change") is not None:
        level, slope = its["level_change"], its["slope_change"]
        found.append(f"Interrupted time series (segmented regression, Newey–West errors): level change "
                     f"{f.number(level, f.decimals([level]))} ({f.p_value(its['level_p_value'])}), slope change "
                     f"{f.number(slope, f.decimals([slope]))} per day ({f.p_value(its['slope_p_value'])}).")
    return tuple(found)
