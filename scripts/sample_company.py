"""FreshBasket: the realistic sample company that ``clientocracy demo`` imports.

A small grocery chain runs clientocracy for one quarter (2026-01-01 .. 2026-03-31):
a home-delivery team serving households, a bakery team serving office-lunch clients
and (internally) the delivery vans, and a warehouse team as an internal supplier.
It walks all 9 steps so every view of the product has something worth showing:
negotiated, amended and retired promises, kept and missed periods, open and resolved
complaints, a loss month, two reward variants, an adopted A/B test whose effect is
visible in the readings, a before/after experiment, error reviews and process changes.

The file is generated, not checked in, so the story stays readable as data tables and
stays deterministic: the same seed always yields the same lines (``random.Random``).
Every line follows the JSONL contract of docs/brief.md §4 and ``domain.commands``.
"""

from __future__ import annotations

import json
import pathlib
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from scripts.sample_adoption import add_adoption
from scripts.sample_company_story import (
    CANVASES,
    CLIENTS,
    COMPLAINT_WEIGHT_BY_MONTH,
    COUNCIL,
    ERROR_REVIEWS,
    EXPERIMENTS,
    FEEDBACK_PER_MONTH,
    FEEDBACK_TEMPLATES,
    INCIDENT_FEEDBACK,
    INCIDENT_READINGS,
    LEAVE_OPEN_AFTER,
    LEDGER,
    METRICS,
    MONTHS,
    PICKING_ERRORS,
    PROCESS_CHANGES,
    PROMISES,
    QUARTER_END,
    QUARTER_START,
    READING_MODELS,
    RESOLUTIONS,
    RESPONSES,
    REWARD_SCHEMES,
    TEAM_CARE,
    TEAMS,
    Cmd,
)
from scripts.sample_experiments import add_planned_experiments
from scripts.sample_success import add_success

# -------------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    """One fixed ISO-8601 form with "Z", so timestamps also sort as strings."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


class _Timeline:
    """Collects commands with their business time; emitted in time order (ties keep insertion order)."""

    def __init__(self) -> None:
        self._items: list[tuple[str, int, Cmd]] = []

    def add(self, type_: str, id_: str, at: str, actor: str | None = None, **fields: Any) -> None:
        cmd: Cmd = {"type": type_, "id": id_, "at": at}
        if actor is not None:
            cmd["actor"] = actor
        cmd.update({k: v for k, v in fields.items() if v is not None})
        self._items.append((at, len(self._items), cmd))

    def commands(self) -> list[Cmd]:
        return [cmd for _, _, cmd in sorted(self._items, key=lambda item: (item[0], item[1]))]


class _Clock:
    """Setup steps happen one after another on a given day, five minutes apart."""

    def __init__(self, start: str) -> None:
        self._next = _parse(start)

    def tick(self) -> str:
        now = self._next
        self._next += timedelta(minutes=5)
        return _iso(now)


# Clients' representatives: they counter and agree for their client in negotiations (step 5).
REPRESENTATIVES = {"households": "vera-belova", "office-lunch": "natalia-romanova"}


def _people(tl: _Timeline) -> None:
    """Everyone who acts in the sample, registered first (so each can get a token and sign in)."""
    clock = _Clock("2025-12-01T08:00:00Z")
    people = [COUNCIL, *(p for team in TEAMS for p, _ in team["members"]), *REPRESENTATIVES.values()]
    for person in people:
        tl.add("RegisterPerson", f"person-{person}", clock.tick(), COUNCIL, person=person,
               name=person.replace("-", " ").title())
    tl.add("AppointCouncil", f"council-{COUNCIL}", clock.tick(), COUNCIL, person=COUNCIL)
    clock = _Clock("2025-12-05T08:00:00Z")
    for client, person in REPRESENTATIVES.items():
        tl.add("RepresentClient", f"represent-{client}-{person}", clock.tick(), COUNCIL, client=client,
               person=person)


def _setup(tl: _Timeline) -> None:
    """Steps 1-6 before the quarter: teams, clients, pains, propositions, canvases, metrics."""
    _people(tl)
    clock = _Clock("2025-12-01T09:00:00Z")
    for team in TEAMS:
        tl.add("FormTeam", f"team-{team['team']}", clock.tick(), COUNCIL,
               team=team["team"], name=team["name"])
        for n, (person, role) in enumerate(team["members"]):
            tl.add("AddMember", f"member-{team['team']}-{person}", clock.tick(), team["members"][0][0],
                   team=team["team"], person=person, role=role, lead=n == 0 or None)
    clock = _Clock("2025-12-02T10:00:00Z")
    for team in TEAMS:
        tl.add("SetCommunicationRules", f"rules-{team['team']}", clock.tick(), team["members"][0][0],
               team=team["team"], rules=team["rules"], **team.get("complaint_times", {}))
    clock = _Clock("2025-12-03T11:00:00Z")
    for team in TEAMS:
        for key, description in team["authority"]:
            tl.add("GrantAuthority", f"authority-{team['team']}-{key}", clock.tick(), COUNCIL,
                   team=team["team"], authority=key, description=description)

    clock = _Clock("2025-12-04T09:00:00Z")
    for client in CLIENTS:
        tl.add("IdentifyClient", f"client-{client['client']}", clock.tick(), "anna-petrova",
               client=client["client"], name=client["name"], kind=client["kind"],
               description=client["description"])
    clock = _Clock("2025-12-05T10:00:00Z")
    for client in CLIENTS:
        for pain, description, severity in client["pains"]:
            tl.add("RecordPain", f"pain-{client['client']}-{pain}", clock.tick(), "lena-orlova",
                   client=client["client"], pain=pain, description=description, severity=severity)
    clock = _Clock("2025-12-08T10:00:00Z")
    for client in CLIENTS:
        prop = client["proposition"]
        if prop:
            tl.add("DefineValueProposition", f"vp-{client['client']}", clock.tick(), "anna-petrova",
                   proposition=f"vp-{client['client']}", client=client["client"], team=prop["team"],
                   statement=prop["statement"], characteristics=prop["characteristics"], pains=prop["pains"])

    clock = _Clock("2025-12-09T14:00:00Z")
    for canvas in CANVASES:
        key = canvas["canvas"]
        tl.add("DrawStrategyCanvas", key, clock.tick(), "anna-petrova", canvas=key, client=canvas["client"],
               team=canvas["team"], factors=canvas["factors"])
        for offering, ours, scores in canvas["offerings"]:
            tl.add("ScoreOffering", f"{key}-score-{offering}", clock.tick(), "anna-petrova", canvas=key,
                   offering=offering, ours=ours,
                   scores={f: float(s) for f, s in zip(canvas["factors"], scores, strict=True)})
        tl.add("ChooseUniqueFactor", f"{key}-unique", clock.tick(), COUNCIL,
               canvas=key, factor=canvas["unique"])

    clock = _Clock("2025-12-12T10:00:00Z")
    leads = {team["team"]: team["members"][0][0] for team in TEAMS}
    for metric, name, unit, direction, owner in METRICS:  # each defined by its owner team's lead
        tl.add("DefineMetric", f"metric-{metric}", clock.tick(), leads[owner],
               metric=metric, name=name, unit=unit, direction=direction, owner=owner)


def _promises(tl: _Timeline) -> None:
    """Steps 5-6: each promise is proposed, countered, agreed, and later amended or retired."""
    for p in PROMISES:
        key = p["promise"]
        at, actor = p["proposed"]
        tl.add("ProposePromise", f"{key}-propose", at, actor, promise=key, promisor=p["promisor"],
               promisee=p["promisee"], statement=p["statement"], metric=p["metric"], target=p["target"],
               period=p["period"], parent=p.get("parent"))
        for n, (at, actor, changes, reason) in enumerate(p.get("counters", []), start=1):
            tl.add("CounterPropose", f"{key}-counter-{n}", at, actor,
                   promise=key, changes=changes, reason=reason)
        if "agreed" in p:
            at, actor = p["agreed"]
            tl.add("AgreePromise", f"{key}-agree", at, actor, promise=key)
        if "amend" in p:
            at, actor, changes, reason = p["amend"]
            tl.add("AmendPromise", f"{key}-amend-1", at, actor, promise=key, changes=changes, reason=reason)
        if "retire" in p:
            at, actor, reason = p["retire"]
            tl.add("RetirePromise", f"{key}-retire", at, actor, promise=key, reason=reason)


def _reading_mean(model: dict[str, Any], day: date) -> float:
    start, end = (date.fromisoformat(d) for d in model["ramp"])
    progress = min(1.0, max(0.0, (day - start).days / max(1, (end - start).days)))
    return float(model["before"] + (model["after"] - model["before"]) * progress)


def _readings(tl: _Timeline, rng: random.Random) -> None:
    """One reading per metric per day of the quarter: noise around a mean that improves after changes."""
    for day in _days(QUARTER_START, QUARTER_END):
        for metric, model in READING_MODELS.items():
            value = INCIDENT_READINGS.get((metric, day.isoformat()))
            if value is None:
                value = rng.gauss(_reading_mean(model, day), model["sd"])
            value = round(min(model["hi"], max(model["lo"], value)), model["digits"])
            at = _iso(datetime(day.year, day.month, day.day, model["hour"], 0, tzinfo=UTC))
            tl.add("RecordReading", f"reading-{metric}-{day.isoformat()}", at, metric=metric, value=value)


FeedbackEntry = tuple[str, str, str | None, str | None, str, str, str]


def _feedback_entries(rng: random.Random) -> list[FeedbackEntry]:
    """Random feedback through the quarter plus the incident days, in time order."""
    entries: list[FeedbackEntry] = list(INCIDENT_FEEDBACK)
    for month, count in enumerate(FEEDBACK_PER_MONTH, start=1):
        last_day = (date(2026, month + 1, 1) - timedelta(days=1)).day
        for _ in range(count):
            day = date(2026, month, rng.randint(1, last_day))
            weights = []
            for _client, kind, _team, _promise, _channels, _texts, weight, fixed_on in FEEDBACK_TEMPLATES:
                if kind == "complaint":
                    weight *= COMPLAINT_WEIGHT_BY_MONTH[month]
                    if fixed_on and day >= date.fromisoformat(fixed_on):
                        weight *= 0.2
                weights.append(weight)
            client, kind, team, promise, channels, texts, _w, _f = rng.choices(FEEDBACK_TEMPLATES, weights)[0]
            moment = datetime(day.year, day.month, day.day, rng.randint(7, 21), rng.randrange(0, 60, 5),
                              tzinfo=UTC)
            channel, text = rng.choice(channels), rng.choice(texts)
            entries.append((client, kind, team, promise, channel, text, _iso(moment)))
    return sorted(entries, key=lambda e: e[6])


def _feedback(tl: _Timeline, rng: random.Random) -> None:
    """About 60 feedback items; most complaints are resolved within days, the late ones stay open."""
    retired = {p["promise"]: p["retire"][0] for p in PROMISES if "retire" in p}
    quarter_end = _iso(datetime(2026, 3, 31, 23, 59, tzinfo=UTC))
    for n, entry in enumerate(_feedback_entries(rng), start=1):
        client, kind, team, promise, channel, text, occurred = entry
        fid = f"fb-{n:04d}"
        if promise in retired and occurred >= retired[promise]:
            promise = None  # never refer to a retired promise
        rating: float | None = None
        if kind == "rating":
            month = int(occurred[5:7])
            rating = float(min(10, max(2, round(rng.gauss(6.0 + month, 1.6)))))
        elif kind == "praise":
            rating = float(rng.choice([9, 10]))
        actor = TEAM_CARE.get(team or "") if channel == "phone" else None
        tl.add("RecordFeedback", fid, occurred, actor, feedback_id=fid, client=client, kind=kind,
               channel=channel, text=text, rating=rating, team=team, promise=promise, occurred_at=occurred)
        responded = _response_at(fid, occurred) if kind == "complaint" and team == "home-delivery" else None
        resolved = None
        if kind == "complaint" and occurred < LEAVE_OPEN_AFTER and rng.random() >= 0.2:
            resolved = _iso(_parse(occurred) + timedelta(hours=rng.randint(2, 96)))
            if resolved > quarter_end:
                resolved = None
        if responded is not None and (resolved is None or responded < resolved):  # a resolution answers too
            tl.add("RespondToFeedback", f"{fid}-respond", responded, TEAM_CARE["home-delivery"], feedback_id=fid,
                   response=random.Random(fid).choice(RESPONSES))
        if resolved is not None:
            care_team = team or "home-delivery"
            tl.add("ResolveFeedback", f"{fid}-resolve", resolved, TEAM_CARE[care_team], feedback_id=fid,
                   resolution=rng.choice(RESOLUTIONS[care_team]))


def _response_at(fid: str, occurred: str) -> str | None:
    """When home delivery first answered a complaint: mostly within its 2 hours, one in six late (a random stream
    of its own, so the rest of the company stays as it was); half of the latest complaints still wait."""
    rng = random.Random(f"respond-{fid}")
    if occurred >= LEAVE_OPEN_AFTER and rng.random() < 0.5:
        return None
    minutes = rng.randint(150, 420) if rng.random() < 1 / 6 else rng.randint(10, 110)
    return _iso(_parse(occurred) + timedelta(minutes=minutes))


def _economics(tl: _Timeline, rng: random.Random) -> None:
    """Steps 7-8: reward schemes before the quarter, then revenue and cost lines at each month end."""
    clock = _Clock("2025-12-29T10:00:00Z")
    for scheme in REWARD_SCHEMES:
        tl.add("ChooseRewardScheme", f"scheme-{scheme['team']}-v1", clock.tick(), COUNCIL, **scheme)
    month_ends = ("2026-01-31", "2026-02-28", "2026-03-31")
    for i, (period, month_end) in enumerate(zip(MONTHS, month_ends, strict=True)):
        clock = _Clock(f"{month_end}T18:00:00Z")
        for team, book in LEDGER.items():
            lead = next(t for t in TEAMS if t["team"] == team)["members"][0][0]
            description, amounts = book["revenue"]
            tl.add("PostLedgerEntry", f"ledger-{team}-{period}-revenue", clock.tick(), lead, team=team,
                   period=period, kind="revenue", amount=_jitter(rng, amounts[i]), description=description)
            for key, description, amounts in book["costs"]:
                tl.add("PostLedgerEntry", f"ledger-{team}-{period}-cost-{key}", clock.tick(), lead, team=team,
                       period=period, kind="cost", amount=_jitter(rng, amounts[i]), description=description)


def _jitter(rng: random.Random, amount: float) -> float:
    """Within 1.5% and rounded to tens, so the planned loss month stays a loss."""
    return float(round(amount * rng.uniform(0.985, 1.015), -1))


def _experiments(tl: _Timeline, rng: random.Random) -> None:
    """Step 9: the A/B test gets ~30 observations per arm; before/after uses the metric's readings."""
    for exp in EXPERIMENTS:
        key = exp["experiment"]
        at, actor = exp["proposed"]
        tl.add("ProposeExperiment", f"{key}-propose", at, actor, experiment=key, team=exp["team"],
               hypothesis=exp["hypothesis"], metric=exp["metric"], design=exp["design"],
               promise=exp["promise"])
        at, actor = exp["started"]
        tl.add("StartExperiment", f"{key}-start", at, actor, experiment=key)
        if "arms" in exp:
            _observations(tl, rng, key, exp)
        at, actor, decision, learning = exp["concluded"]
        tl.add("ConcludeExperiment", f"{key}-conclude", at, actor, experiment=key, decision=decision,
               learning=learning)
    add_planned_experiments(tl, rng.randrange(1 << 30))
    for review in ERROR_REVIEWS:
        review = dict(review)
        tl.add("RecordErrorReview", review["review"], review.pop("at"), review.pop("actor"), **review)
    for change in PROCESS_CHANGES:
        change = dict(change)
        tl.add("RecordProcessChange", change["change"], change.pop("at"), change.pop("actor"), **change)


def _observations(tl: _Timeline, rng: random.Random, key: str, exp: dict[str, Any]) -> None:
    """Two orders per arm on each working day between start and conclusion (30 per arm)."""
    start = _parse(exp["started"][0]).date()
    end = _parse(exp["concluded"][0]).date() - timedelta(days=1)
    workdays = [d for d in _days(start, end) if d.weekday() < 5][:15]
    for arm, (mean, sd) in exp["arms"].items():
        count = 0
        for day in workdays:
            for hour in (10, 16):
                count += 1
                value = round(max(12.0, rng.gauss(mean, sd)), 1)
                minute = 30 if arm == "treatment" else 0
                at = _iso(datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC))
                tl.add("RecordObservation", f"obs-{key}-{arm}-{count:02d}", at, exp["proposed"][1],
                       experiment=key, arm=arm, value=value)


def _team_changes(tl: _Timeline) -> None:
    """A courier moves to the warehouse in March, so membership history is not flat."""
    at = "2026-03-02T08:00:00Z"
    tl.add("RemoveMember", "member-home-delivery-dmitri-volkov-leaves", at, "anna-petrova",
           team="home-delivery", person="dmitri-volkov", reason="Moves to the warehouse as a picker.")
    tl.add("AddMember", "member-warehouse-dmitri-volkov", "2026-03-02T08:05:00Z", "pavel-morozov",
           team="warehouse", person="dmitri-volkov", role="picker")


def _picking_errors(tl: _Timeline) -> None:
    """The warehouse's planted rise in complaints, each resolved the next day; no random draws, so the lines
    the seed gives stay the same."""
    for n, (client, kind, team, promise, channel, text, occurred) in enumerate(PICKING_ERRORS, start=1):
        fid = f"fb-picking-{n:02d}"
        tl.add("RecordFeedback", fid, occurred, None, feedback_id=fid, client=client, kind=kind, channel=channel,
               text=text, team=team, promise=promise, occurred_at=occurred)
        tl.add("ResolveFeedback", f"{fid}-resolve", _iso(_parse(occurred) + timedelta(hours=26)), TEAM_CARE[team],
               feedback_id=fid, resolution=RESOLUTIONS[team][0])


def sample_company_commands(seed: int = 7) -> list[Cmd]:
    """All commands of the FreshBasket quarter, in file (business-time) order; same seed, same lines."""
    rng = random.Random(seed)
    tl = _Timeline()
    _setup(tl)
    _promises(tl)
    _economics(tl, rng)
    _readings(tl, rng)
    _feedback(tl, rng)
    _experiments(tl, rng)
    _team_changes(tl)
    add_adoption(tl)
    add_success(tl)
    _picking_errors(tl)
    return tl.commands()


def write_sample(path: pathlib.Path, seed: int = 7) -> int:
    """Write the sample company as JSONL (one command per line) and return the number of lines."""
    commands = sample_company_commands(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for cmd in commands:
            out.write(json.dumps(cmd, ensure_ascii=False) + "\n")
    return len(commands)


if __name__ == "__main__":  # pragma: no cover - convenience: python -m scripts.sample_company OUT.jsonl
    import sys

    target = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "sample_company.jsonl")
    print(f"{write_sample(target)} lines -> {target}")
