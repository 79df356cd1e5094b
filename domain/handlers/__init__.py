"""Every command type and the one function that handles it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain import commands as c
from domain.audit import Audit
from domain.handlers.clients import (
    choose_unique_factor,
    define_value_proposition,
    draw_strategy_canvas,
    identify_client,
    record_pain,
    score_offering,
)
from domain.handlers.experiments import (
    conclude_experiment,
    propose_experiment,
    record_arm_summary,
    record_error_review,
    record_observation,
    record_process_change,
    start_experiment,
)
from domain.handlers.money_and_feedback import (
    post_ledger_entry,
    record_feedback,
    resolve_feedback,
)
from domain.handlers.people import (
    appoint_council,
    dismiss_council,
    register_person,
    represent_client,
)
from domain.handlers.promises import (
    accept_amendment,
    agree_promise,
    amend_promise,
    counter_propose,
    propose_amendment,
    propose_promise,
    retire_promise,
)
from domain.handlers.teams import (
    add_member,
    choose_reward_scheme,
    define_metric,
    form_team,
    grant_authority,
    record_reading,
    remove_member,
    revoke_authority,
    set_communication_rules,
)
from domain.service.unit_of_work import UnitOfWork

HANDLERS: dict[type[c.Command], Callable[[UnitOfWork, Any, Audit], None]] = {
    c.IdentifyClient: identify_client,
    c.RecordPain: record_pain,
    c.DefineValueProposition: define_value_proposition,
    c.DrawStrategyCanvas: draw_strategy_canvas,
    c.ScoreOffering: score_offering,
    c.ChooseUniqueFactor: choose_unique_factor,
    c.FormTeam: form_team,
    c.AddMember: add_member,
    c.RemoveMember: remove_member,
    c.SetCommunicationRules: set_communication_rules,
    c.GrantAuthority: grant_authority,
    c.RevokeAuthority: revoke_authority,
    c.ChooseRewardScheme: choose_reward_scheme,
    c.DefineMetric: define_metric,
    c.RecordReading: record_reading,
    c.ProposePromise: propose_promise,
    c.CounterPropose: counter_propose,
    c.AgreePromise: agree_promise,
    c.AmendPromise: amend_promise,
    c.ProposeAmendment: propose_amendment,
    c.AcceptAmendment: accept_amendment,
    c.RetirePromise: retire_promise,
    c.RecordFeedback: record_feedback,
    c.ResolveFeedback: resolve_feedback,
    c.PostLedgerEntry: post_ledger_entry,
    c.ProposeExperiment: propose_experiment,
    c.StartExperiment: start_experiment,
    c.RecordObservation: record_observation,
    c.RecordArmSummary: record_arm_summary,
    c.ConcludeExperiment: conclude_experiment,
    c.RecordErrorReview: record_error_review,
    c.RecordProcessChange: record_process_change,
    c.RegisterPerson: register_person,
    c.AppointCouncil: appoint_council,
    c.DismissCouncil: dismiss_council,
    c.RepresentClient: represent_client,
}
