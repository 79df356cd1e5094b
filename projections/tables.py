"""The fact tables of the DuckDB views: one row per event, append-only, each with its business time.

Every "current state" and every "as of T" answer is computed from these tables by SQL or
small Python functions, so an as-of query and the materialised current state use one
piece of logic, and a rebuild equals an incremental catch-up by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

ARROW_TYPE_NAMES = {
    "VARCHAR": "string",
    "DOUBLE": "float64",
    "BIGINT": "int64",
    "INTEGER": "int32",
    "BOOLEAN": "bool_",
    "TIMESTAMP": "string",  # ISO-8601 text, cast by DuckDB on insert
}


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]
    doc: str

    def ddl(self, schema: str = "main") -> str:
        cols = ", ".join(f"{name} {sql_type}" for name, sql_type in self.columns)
        return f"CREATE TABLE IF NOT EXISTS {schema}.{self.name} ({cols})"

    def arrow(self, rows: list[tuple[object, ...]]) -> pa.Table:
        """The rows as one Arrow table, for a single columnar append (pyarrow loads only when writing)."""
        import pyarrow as pa

        from projections.arrow_columns import column

        columns = list(zip(*rows, strict=True)) if rows else [() for _ in self.columns]
        return pa.table(
            {
                name: column(values, getattr(pa, ARROW_TYPE_NAMES[sql_type])())
                for (name, sql_type), values in zip(self.columns, columns, strict=True)
            }
        )


def T(name: str, doc: str, *columns: str) -> Table:  # noqa: N802 - reads like a table literal
    return Table(name, tuple(tuple(c.split(" ", 1)) for c in columns), doc)  # type: ignore[misc]


STAMP = ("position BIGINT", "business_at TIMESTAMP")  # every fact: its store position and business time

FACT_TABLES: tuple[Table, ...] = (
    T("event_log", "Every event: its store position, aggregate, type and audit metadata.",
      "position BIGINT", "aggregate_id VARCHAR", "key VARCHAR", "version BIGINT", "aggregate_type VARCHAR",
      "event VARCHAR",
      "business_at TIMESTAMP", "recorded_at TIMESTAMP", "actor VARCHAR", "reason VARCHAR", "correlation VARCHAR",
      "channel VARCHAR"),
    T("clients", "Step 1: clients as identified.", *STAMP,
      "client VARCHAR", "name VARCHAR", "kind VARCHAR", "description VARCHAR"),
    T("people", "docs/brief.md §8: people as registered, so pages show their names, not keys (the name and the "
      "e-mail address are personal text: '[forgotten]' once the person is forgotten).", *STAMP, "person VARCHAR",
      "name VARCHAR", "email VARCHAR"),
    T("council_changes", "docs/brief.md §5: people appointed to (change='appointed') and dismissed from the council "
      "(the read rules of §10 ask).", *STAMP, "person VARCHAR", "change VARCHAR"),
    T("client_representatives", "docs/brief.md §5: people who speak for a client (the read rules of §10 ask).",
      *STAMP, "client VARCHAR", "person VARCHAR"),
    T("pains", "Step 2: each client's pains.", *STAMP,
      "client VARCHAR", "pain VARCHAR", "description VARCHAR", "severity INTEGER"),
    T("value_propositions", "Step 3: value propositions (characteristics and pains as JSON arrays).", *STAMP,
      "client VARCHAR", "proposition VARCHAR", "team VARCHAR", "statement VARCHAR",
      "characteristics VARCHAR", "pains VARCHAR"),
    T("canvases", "Step 4: strategy canvases (factors as a JSON array).", *STAMP,
      "canvas VARCHAR", "client VARCHAR", "team VARCHAR", "factors VARCHAR"),
    T("canvas_scores", "Step 4: one row per offering and factor; a later score replaces an earlier one.", *STAMP,
      "canvas VARCHAR", "offering VARCHAR", "ours BOOLEAN", "factor VARCHAR", "score DOUBLE"),
    T("canvas_unique_factors", "Step 4: the factor chosen to win on.", *STAMP, "canvas VARCHAR", "factor VARCHAR"),
    T("teams", "Teams as formed.", *STAMP, "team VARCHAR", "name VARCHAR"),
    T("team_membership", "Members added (change='added', with role) and removed.", *STAMP,
      "team VARCHAR", "person VARCHAR", "role VARCHAR", "change VARCHAR", "lead BOOLEAN"),
    T("team_consent_holders", "docs/brief.md §10: people a team's lead named to consent for it (change='delegated'), "
      "and withdrawn.", *STAMP, "team VARCHAR", "person VARCHAR", "change VARCHAR"),
    T("tokens", "docs/brief.md §10: tokens issued (change='issued', never their digest) and revoked "
      "(change='revoked').",
      *STAMP, "token_id VARCHAR", "person VARCHAR", "scope VARCHAR", "expires_at TIMESTAMP", "change VARCHAR",
      "actor VARCHAR"),
    T("team_rules", "Step 6: communication rules (JSON array), latest set wins, with the complaint durations in "
      "force after it (docs/brief.md §9; ISO-8601 text and seconds, null when not set).", *STAMP,
      "team VARCHAR", "rules VARCHAR", "response_within VARCHAR", "response_seconds BIGINT",
      "resolution_within VARCHAR", "resolution_seconds BIGINT"),
    T("team_authorities", "Step 5: authority granted to a team.", *STAMP,
      "team VARCHAR", "authority VARCHAR", "description VARCHAR"),
    T("authority_revocations", "Step 5: authority taken from a team (a later grant gives it back).", *STAMP,
      "team VARCHAR", "authority VARCHAR", "reason VARCHAR"),
    T("promise_requirements", "Step 5: the authorities a promise needs to be kept (one row each).", *STAMP,
      "promise VARCHAR", "authority VARCHAR"),
    T("reward_schemes", "Step 8: versioned reward schemes (base_pay, hours as JSON objects).", *STAMP,
      "team VARCHAR", "team_version BIGINT", "variant VARCHAR", "share DOUBLE", "carry_forward_losses BOOLEAN",
      "team_weight DOUBLE", "split VARCHAR", "base_pay VARCHAR", "hours VARCHAR", "cadence VARCHAR"),
    T("success_metrics", "Step 7 (docs/brief.md §11): each team's success metric as set, a later setting replacing "
      "it (target null: none).", *STAMP, "team VARCHAR", "metric VARCHAR", "target DOUBLE", "reason VARCHAR"),
    T("metrics", "Metrics and the direction that is better (owner: the team whose members record its readings).",
      *STAMP, "metric VARCHAR", "name VARCHAR", "unit VARCHAR", "direction VARCHAR", "owner VARCHAR"),
    T("readings", "Metric readings at their business time.", *STAMP,
      "reading VARCHAR", "metric VARCHAR", "value DOUBLE"),
    T("promise_history", "Every promise event with the full terms after it (the audit trail); consented: the sides "
      "(JSON) that consented to the terms on the table, a proposal or a pending amendment (docs/brief.md §10); "
      "objective: the share of periods to keep (§9), null when none.", *STAMP,
      "promise VARCHAR", "version BIGINT", "event VARCHAR", "recorded_at TIMESTAMP", "actor VARCHAR",
      "reason VARCHAR", "correlation VARCHAR", "changes VARCHAR", "status VARCHAR", "promisor VARCHAR",
      "promisee VARCHAR", "statement VARCHAR", "metric VARCHAR", "target DOUBLE", "period VARCHAR",
      "parent VARCHAR", "consented VARCHAR", "objective DOUBLE"),
    T("feedback", "Client feedback; business_at = occurred_at unless the import said otherwise.", *STAMP,
      "feedback_id VARCHAR", "client VARCHAR", "kind VARCHAR", "channel VARCHAR", "text VARCHAR",
      "rating DOUBLE", "team VARCHAR", "promise VARCHAR", "occurred_at TIMESTAMP", "correlation VARCHAR"),
    T("feedback_resolutions", "How (and when) feedback was resolved.", *STAMP,
      "feedback_id VARCHAR", "resolution VARCHAR", "actor VARCHAR"),
    T("feedback_responses", "docs/brief.md §9: the first answer to the client (personal text, redacted as the "
      "resolution is).", *STAMP, "feedback_id VARCHAR", "response VARCHAR", "actor VARCHAR"),
    T("feedback_assignments", "docs/brief.md §9: the team given to a complaint that named none.", *STAMP,
      "feedback_id VARCHAR", "team VARCHAR", "actor VARCHAR"),
    T("ledger_entries", "Step 7: revenue and cost entries per team and month.", *STAMP,
      "entry VARCHAR", "team VARCHAR", "period VARCHAR", "kind VARCHAR", "amount DOUBLE", "description VARCHAR"),
    T("experiments", "Step 9: experiments as proposed.", *STAMP,
      "experiment VARCHAR", "team VARCHAR", "hypothesis VARCHAR", "metric VARCHAR", "design VARCHAR",
      "promise VARCHAR", "plan VARCHAR"),
    T("experiment_events", "Step 9: experiment starts and conclusions.", *STAMP,
      "experiment VARCHAR", "event VARCHAR", "decision VARCHAR", "learning VARCHAR"),
    T("observations", "Step 9: observations of an A/B experiment's arms (metric null: the primary one).", *STAMP,
      "experiment VARCHAR", "arm VARCHAR", "value DOUBLE", "metric VARCHAR", "covariate DOUBLE"),
    T("arm_summaries", "Step 9: sufficient statistics of an arm, as imported (RecordArmSummary).", *STAMP,
      "experiment VARCHAR", "arm VARCHAR", "metric VARCHAR", "n BIGINT", "sum DOUBLE", "sum_squares DOUBLE",
      "covariate_sum DOUBLE", "covariate_sum_squares DOUBLE", "cross_sum DOUBLE"),
    T("error_reviews", "Step 9: error reviews.", *STAMP,
      "review VARCHAR", "team VARCHAR", "what_happened VARCHAR", "cause VARCHAR", "lesson VARCHAR",
      "promise VARCHAR"),
    T("process_changes", "Step 9: process changes and their origin.", *STAMP,
      "change VARCHAR", "team VARCHAR", "description VARCHAR", "experiment VARCHAR", "review VARCHAR"),
    T("adoptions", "Step 7 (docs/brief.md §11): a team took up the change of an experiment concluded adopt; its "
      "effect is measured on metric, the adopting team's own.", *STAMP,
      "experiment VARCHAR", "team VARCHAR", "metric VARCHAR"),
    T("forgotten_subjects", "Data subjects forgotten (their key destroyed) and the operator's reason.", *STAMP,
      "subject VARCHAR", "subject_kind VARCHAR", "subject_key VARCHAR", "key_id VARCHAR", "reason VARCHAR"),
)

FACTS = {table.name: table for table in FACT_TABLES}
