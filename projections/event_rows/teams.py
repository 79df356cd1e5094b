"""Rows of teams (members, consent, tokens, rules, authorities, reward schemes, success metrics), metrics and
readings."""

from __future__ import annotations

from domain.durations import duration_seconds
from projections.event_rows.base import EventRows
from projections.stored_form import State, json_text, utc_text


def _seconds(duration: str | None) -> int | None:
    return None if duration is None else duration_seconds(duration)


class TeamRows(EventRows):
    def _team(self, pos: int, s: State, _: int) -> None:
        self.rows["teams"].append((pos, s["_at"], s["key"], s["name"]))

    def _member_added(self, pos: int, s: State, _: int) -> None:
        self.rows["team_membership"].append(
            (pos, s["_at"], s["_key"], s["person"], s["role"], "added", bool(s.get("lead"))))

    def _member_removed(self, pos: int, s: State, _: int) -> None:
        self.rows["team_membership"].append((pos, s["_at"], s["_key"], s["person"], None, "removed", False))

    def _consent(self, pos: int, s: State, _: int) -> None:
        change = "delegated" if s["_event"] == "ConsentDelegated" else "withdrawn"
        self.rows["team_consent_holders"].append((pos, s["_at"], s["_key"], s["person"], change))

    def _token(self, pos: int, s: State, _: int) -> None:
        """Who holds which token, for ``token list``; a token's digest is a credential and never projected."""
        issued = s["_event"] == "Issued"
        self.rows["tokens"].append((
            pos, s["_at"], s["_key"], s.get("person") if issued else None, s.get("scope") if issued else None,
            utc_text(s.get("expires_at")) if issued else None,
            "issued" if issued else "revoked", s["_audit"]["actor"]))

    def _rules(self, pos: int, s: State, _: int) -> None:
        times = s.get("complaint_times") or {}  # none before complaint response times (Team's upcast)
        response, resolution = times.get("complaint_response_within"), times.get("complaint_resolution_within")
        self.rows["team_rules"].append((pos, s["_at"], s["_key"], json_text(s["rules"]), response,
                                        _seconds(response), resolution, _seconds(resolution)))

    def _authority(self, pos: int, s: State, _: int) -> None:
        self.rows["team_authorities"].append(
            (pos, s["_at"], s["_key"], s["authority"], s["description"]))

    def _authority_revoked(self, pos: int, s: State, _: int) -> None:
        self.rows["authority_revocations"].append(
            (pos, s["_at"], s["_key"], s["authority"], s["_audit"]["reason"]))

    def _scheme(self, pos: int, s: State, version: int) -> None:
        scheme = s["scheme"]
        self.rows["reward_schemes"].append((
            pos, s["_at"], s["_key"], version, scheme["variant"], scheme["share"],
            scheme["carry_forward_losses"], scheme["team_weight"], scheme["split"],
            json_text(scheme["base_pay"]), json_text(scheme["hours"]), scheme["cadence"],
        ))

    def _success_metric(self, pos: int, s: State, _: int) -> None:
        self.rows["success_metrics"].append(
            (pos, s["_at"], s["_key"], s["metric"], s["target"], s["_audit"]["reason"]))

    def _metric(self, pos: int, s: State, _: int) -> None:
        self.rows["metrics"].append((pos, s["_at"], s["key"], s["name"], s["unit"], s["direction"], s.get("owner")))

    def _reading(self, pos: int, s: State, _: int) -> None:
        self.rows["readings"].append((pos, s["_at"], s["key"], s["metric"], s["value"]))
