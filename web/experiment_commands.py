"""The experiment forms' commands from what a person typed (docs/brief.md §6, §8 "Daily forms"): "Propose
experiment", "Start experiment", "Record results" (one observation, or an arm's n, mean and standard deviation)
and "Conclude experiment".

Nothing is checked here that the command does not check itself: an empty field is left out (the command's
default), a number that does not read as one is passed as typed, so the command path's 422 names the field
(the summary's n, mean and standard deviation are the form's own fields: read here, naming the field).
"""

from __future__ import annotations

import re
from typing import Any

from web.forms import typed_number

Form = dict[str, str]
PLAN_NUMBERS = ("alpha", "mde", "power", "tuning", "non_inferiority_margin")
PLAN_CHOICES = ("engine", "correction", "kind")
_LIST_SEPARATOR = re.compile(r"[,\n]")


def text(form: Form, name: str) -> str:
    return form.get(name, "").strip()


def number(raw: str) -> Any:
    """``raw`` as a float when it reads as one, else as typed (the command names the field that is wrong)."""
    try:
        return float(raw)
    except ValueError:
        return raw


def items(raw: str) -> list[str]:
    """A list typed as text: one item per comma or line, spaces around each dropped, empty ones skipped."""
    return [item.strip() for item in _LIST_SEPARATOR.split(raw) if item.strip()]


def _given(form: Form, *names: str) -> dict[str, str]:
    return {name: text(form, name) for name in names if text(form, name)}


def propose_command(team: str, form: Form) -> dict[str, Any]:
    """ProposeExperiment with the team of the page; the analysis plan's fields only where typed or changed."""
    command: dict[str, Any] = {"type": "ProposeExperiment", "team": team, "design": form.get("design", "ab"),
                               **{name: text(form, name) for name in ("experiment", "hypothesis", "metric")},
                               **_given(form, "promise", "reason", *PLAN_CHOICES)}
    for name in ("arms", "guardrails"):
        if items(text(form, name)):
            command[name] = items(text(form, name))
    if items(text(form, "weights")):
        command["weights"] = [number(weight) for weight in items(text(form, "weights"))]
    command.update({name: number(raw) for name, raw in _given(form, *PLAN_NUMBERS).items()})
    if form.get("sequential"):
        command["sequential"] = True
    if text(form, "prior_stddev") or text(form, "prior_mean"):
        command["prior"] = {name: number(raw) for name, raw in
                            (("mean", text(form, "prior_mean") or "0"), ("stddev", text(form, "prior_stddev")))}
    return command


def start_command(experiment: str, form: Form) -> dict[str, Any]:
    return {"type": "StartExperiment", "experiment": experiment, **_given(form, "reason")}


def observation_command(experiment: str, form: Form) -> dict[str, Any]:
    """RecordObservation: one unit's value in one arm (metric: the primary one unless chosen)."""
    command = {"type": "RecordObservation", "experiment": experiment, "arm": text(form, "arm"),
               "value": number(text(form, "value")), **_given(form, "metric")}
    if text(form, "covariate"):
        command["covariate"] = number(text(form, "covariate"))
    return command


def summary_command(experiment: str, form: Form) -> dict[str, Any]:
    """RecordArmSummary from an arm's n, mean and sample standard deviation s: sum = n·mean and
    sum_squares = (n−1)s² + n·mean² (docs/brief.md §8). These three are the form's own fields, so they are read
    here (``ValueError`` naming the field); the command checks the rest."""
    try:
        n = int(text(form, "n"))
    except ValueError:
        raise ValueError(f"n must be a whole number of units, not {text(form, 'n')!r}") from None
    mean = typed_number(text(form, "mean"), "mean")
    sd = typed_number(text(form, "sd"), "standard deviation")
    if sd < 0:
        raise ValueError("standard deviation must not be negative")
    return {"type": "RecordArmSummary", "experiment": experiment, "arm": text(form, "arm"), **_given(form, "metric"),
            "n": n, "sum": n * mean, "sum_squares": (n - 1) * sd * sd + n * mean * mean}


def conclude_command(experiment: str, form: Form) -> dict[str, Any]:
    return {"type": "ConcludeExperiment", "experiment": experiment, "decision": text(form, "decision"),
            "learning": text(form, "learning")}
