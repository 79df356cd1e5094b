"""Complaint response times (docs/brief.md §9): each complaint's deadlines, and when it is due soon or overdue.

A complaint's deadlines use the durations of its team in force at its ``occurred_at`` (an as-of lookup in
``team_rules``), so changing the rules later never moves an old complaint's deadline. Its state follows the
response deadline until a response, then the resolution deadline; it is due soon once 75% of the time to the
deadline followed is used; a missed deadline keeps it overdue until it is resolved (a resolution is also its
answer, and the earlier of the two answers it). With no team or no durations its state is ``none``.

``clock_sql`` computes for many complaints at once (the company's, for its signals and its page), and
``clock_rows`` for the few a page shows, when each condition started and stopped:
``overdue_at`` (the first deadline missed), ``response_soon_at``/``_until`` and ``resolution_soon_at``/``_until``
(null when the episode never began). The state at a moment is read off those times, so it changes with time
alone, with no event needed. ``$as_of`` bounds the facts read, ``$clock`` is the moment judged: the as-of time,
or the clock's now when the answer is "now" (``clock_time``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from projections.timeline import FOREVER, iso

DUE_SOON_SHARE = 0.75
"""Due soon once this share of the time to a deadline is used (docs/brief.md §9)."""


def clock_time(as_of: datetime) -> datetime:
    """The moment a complaint's state is judged at: ``as_of``, or now (naive UTC) for the views' FOREVER."""
    return datetime.now(UTC).replace(tzinfo=None) if as_of >= FOREVER else as_of


def clock_key(as_of: datetime) -> int | None:
    """What a cached answer as of ``as_of`` depends on besides the views: for "now", the second it was computed
    (complaints age and fall due with time alone); None for a past as-of time."""
    return int(clock_time(as_of).timestamp()) if as_of >= FOREVER else None


def _soon(seconds: str) -> str:
    return f"occurred_at + to_microseconds(CAST({seconds}::BIGINT * {int(DUE_SOON_SHARE * 1_000_000)} AS BIGINT))"


FIRST_RESOLVED = """
    LEFT JOIN (SELECT feedback_id, min(business_at) AS resolved_at FROM feedback_resolutions
        WHERE business_at <= $as_of AND feedback_id IN (SELECT feedback_id FROM f) GROUP BY feedback_id) s
        ON s.feedback_id = f.feedback_id"""
"""When each complaint of ``f`` was first resolved (``s.resolved_at``)."""


INPUTS = ("feedback_id", "owner_team", "occurred_at", "response_within", "resolution_within", "response_seconds",
          "resolution_seconds", "responded_at", "response", "resolved_at")
"""What a complaint's clock is computed from: its team's durations in force at ``occurred_at``, its first response
(when and, personal text, what) and when it was first resolved, as of ``$as_of``."""


def clock_inputs_sql(source: str, *, resolved_in_source: bool = False) -> str:
    """SQL: for each row of ``source`` (columns ``feedback_id``, ``owner_team``, ``occurred_at``; complaints as
    of ``$as_of``) its ``INPUTS``. With ``resolved_in_source``, ``source`` has ``resolved_at`` (when first
    resolved, as of ``$as_of``) and it is taken rather than looked up again: a join less to plan."""
    resolved = "f.resolved_at" if resolved_in_source else "s.resolved_at"
    return f"""
WITH f AS MATERIALIZED (SELECT feedback_id, owner_team, occurred_at{", resolved_at" if resolved_in_source else ""}
    FROM ({source})),
rules AS (SELECT team, business_at, response_within, response_seconds, resolution_within, resolution_seconds
    FROM team_rules WHERE business_at <= $as_of
    QUALIFY row_number() OVER (PARTITION BY team, business_at ORDER BY position DESC) = 1)
SELECT f.feedback_id, f.owner_team, f.occurred_at, r.response_within, r.resolution_within, r.response_seconds,
    r.resolution_seconds, a.responded_at, a.response, {resolved} AS resolved_at
FROM f ASOF LEFT JOIN rules r ON r.team = f.owner_team AND f.occurred_at >= r.business_at
LEFT JOIN (SELECT feedback_id, min(business_at) AS responded_at, arg_min(response, business_at) AS response
    FROM feedback_responses
    WHERE business_at <= $as_of AND feedback_id IN (SELECT feedback_id FROM f) GROUP BY feedback_id) a
    ON a.feedback_id = f.feedback_id{"" if resolved_in_source else FIRST_RESOLVED}"""


def clock_sql(source: str, *, resolved_in_source: bool = False) -> str:
    """SQL: for each row of ``source`` (as ``clock_inputs_sql`` reads it) its ``INPUTS``, ``respond_by``,
    ``resolve_by``, the episode times above, ``sla`` at ``$clock`` and ``age_seconds``: the clocks of many
    complaints at once (the company's, for its signals and its page). ``clock_rows`` computes the same for the
    few a page shows, from their ``INPUTS``."""
    return f"""
WITH timed AS (
    SELECT *, occurred_at + to_seconds(response_seconds) AS respond_by,
        occurred_at + to_seconds(resolution_seconds) AS resolve_by,
        {_soon('response_seconds')} AS response_soon_from,
        {_soon('resolution_seconds')} AS resolution_soon_from
    FROM ({clock_inputs_sql(source, resolved_in_source=resolved_in_source)})
),
missed AS (
    SELECT *, least(
        CASE WHEN respond_by < coalesce(least(responded_at, resolved_at), 'infinity'::TIMESTAMP) THEN respond_by END,
        CASE WHEN resolve_by < coalesce(resolved_at, 'infinity'::TIMESTAMP) THEN resolve_by END) AS overdue_at,
        CASE WHEN respond_by IS NULL THEN occurred_at ELSE responded_at END AS resolution_phase_from
    FROM timed
),
episodes AS (
    SELECT *,
        least(responded_at, resolved_at, overdue_at) AS response_soon_until,
        least(resolved_at, overdue_at) AS resolution_soon_until,
        greatest(resolution_soon_from, resolution_phase_from) AS resolution_soon_start
    FROM missed
),
clocked AS (
    SELECT feedback_id, owner_team, occurred_at, response_within, resolution_within, respond_by, resolve_by,
        responded_at, response, resolved_at, overdue_at,
        CASE WHEN response_soon_from < coalesce(response_soon_until, 'infinity'::TIMESTAMP)
            THEN response_soon_from END AS response_soon_at, response_soon_until,
        CASE WHEN resolve_by IS NOT NULL AND resolution_soon_start < coalesce(resolution_soon_until,
            'infinity'::TIMESTAMP) THEN resolution_soon_start END AS resolution_soon_at, resolution_soon_until
    FROM episodes
)
SELECT *, {JUDGED} FROM clocked"""


JUDGED = """
    CASE WHEN owner_team IS NULL OR (respond_by IS NULL AND resolve_by IS NULL) THEN 'none'
        WHEN overdue_at <= $clock THEN 'overdue'
        WHEN (response_soon_at <= $clock AND coalesce(response_soon_until > $clock, true))
          OR (resolution_soon_at <= $clock AND coalesce(resolution_soon_until > $clock, true)) THEN 'due_soon'
        ELSE 'on_time' END AS sla,
    CAST(floor((epoch_us($clock) - epoch_us(occurred_at)) / 1000000) AS BIGINT) AS age_seconds"""
"""SQL: a complaint's ``sla`` and ``age_seconds`` at ``$clock``, read off its clock's times alone (the columns of
``clock_sql``; the age exact to the microsecond, as ``clock_rows.judged`` has it)."""
CLOCK_FIELDS = ("age_seconds", "respond_by", "resolve_by", "responded_at", "sla")
"""What each open complaint of ``team show`` and ``client show`` gains (docs/brief.md §9)."""


def open_clock(row: dict[str, object]) -> dict[str, object]:
    """An open complaint's fields of the contract, from its clocked row (``clock_sql``, ``clock_rows``)."""
    return {"age_seconds": row["age_seconds"], "respond_by": iso(row["respond_by"]),  # type: ignore[arg-type]
            "resolve_by": iso(row["resolve_by"]), "responded_at": iso(row["responded_at"]),  # type: ignore[arg-type]
            "sla": row["sla"]}


def resolved_times(row: dict[str, object]) -> dict[str, object]:
    """A resolved complaint's response and resolution times in seconds from ``occurred_at`` (null: no response;
    a resolution before any response answered it then), and whether its deadlines were kept."""
    occurred, responded, resolved = row["occurred_at"], row["responded_at"], row["resolved_at"]
    assert isinstance(occurred, datetime) and isinstance(resolved, datetime)
    answered = min(responded, resolved) if isinstance(responded, datetime) else resolved
    return {"respond_by": iso(row["respond_by"]), "resolve_by": iso(row["resolve_by"]),  # type: ignore[arg-type]
            "responded_at": iso(responded),  # type: ignore[arg-type]
            "response_seconds": int((answered - occurred).total_seconds()),
            "resolution_seconds": int((resolved - occurred).total_seconds()),
            "deadline_missed": row["overdue_at"] is not None}
