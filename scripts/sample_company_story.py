"""FreshBasket's story as data: the teams, clients, canvases, metrics, promises, money, experiments
and feedback of one quarter, which ``scripts.sample_company`` turns into the demo's command lines.

Kept as plain tables so the story reads as data; nothing here runs or draws random numbers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

Cmd = dict[str, Any]

QUARTER_START = date(2026, 1, 1)
QUARTER_END = date(2026, 3, 31)
MONTHS = ("2026-01", "2026-02", "2026-03")
COUNCIL = "mikhail-grigoriev"  # owner / council member who grants authority

# --- Step 5/6: teams, members, communication rules, authority ---------------------

TEAMS: list[dict[str, Any]] = [
    {
        "team": "home-delivery",
        "name": "FreshBasket Home Delivery",
        "care": "lena-orlova",
        "members": [
            ("anna-petrova", "team-lead"),
            ("maria-ivanova", "dispatcher"),
            ("igor-smirnov", "courier"),
            ("dmitri-volkov", "courier"),
            ("lena-orlova", "customer-care"),
        ],
        "rules": [
            "Daily 10-minute stand-up at 07:30 by the vans: yesterday's missed windows first.",
            "Any client complaint is answered within 2 hours, by whoever reads it first.",
            "Route changes are posted in the #delivery channel before the van leaves.",
            "Decisions on our promises are made by the team; the lead only breaks ties.",
        ],
        # the 2-hour rule above, as the ledger checks it (docs/brief.md §9), and 3 days to resolve
        "complaint_times": {"complaint_response_within": "PT2H", "complaint_resolution_within": "P3D"},
        "authority": [
            ("refund-up-to-20", "Refund a delivery fee or items up to 20 per order without asking anyone."),
            ("reroute-couriers", "Re-plan routes and reassign couriers during the day."),
            ("book-partner-couriers", "Book extra CityCourier riders on peak days, within the budget."),
        ],
    },
    {
        "team": "bakery",
        "name": "FreshBasket Bakery & Kitchen",
        "care": "irina-lebedeva",
        "members": [
            ("sergei-kuznetsov", "head-baker"),
            ("olga-popova", "baker"),
            ("nikolai-sokolov", "lunch-cook"),
            ("irina-lebedeva", "lunch-van-driver"),
        ],
        "rules": [
            "Night shift hands over to the morning shift in writing at 05:00.",
            "If bread will miss 07:00, tell the delivery dispatcher by 06:15, not at the dock.",
            "Office clients hear about any lunch delay before 12:00, by phone.",
        ],
        "authority": [
            ("change-bake-schedule", "Change proofing and baking times, shifts and the oven plan."),
            ("buy-ingredients", "Buy flour and ingredients up to 1,000 per order from any listed supplier."),
            ("lunch-menu", "Change the office-lunch menu, keeping allergen labels correct."),
        ],
    },
    {
        "team": "warehouse",
        "name": "FreshBasket Warehouse",
        "care": "pavel-morozov",
        "members": [
            ("pavel-morozov", "team-lead"),
            ("tatiana-novikova", "picker"),
            ("alexei-fedorov", "picker"),
        ],
        "rules": [
            "Pick lists for the first vans are closed at 06:30; later orders go to the second wave.",
            "A substitution is agreed with the dispatcher, never decided alone.",
        ],
        "authority": [
            ("substitutions", "Replace an out-of-stock item with an equal or better one at the same price."),
        ],
    },
]
TEAM_CARE = {t["team"]: t["care"] for t in TEAMS}

# --- Steps 1-3: clients, pains, value propositions --------------------------------

CLIENTS: list[dict[str, Any]] = [
    {
        "client": "households",
        "name": "Home-delivery households",
        "kind": "external",
        "description": "Families who order groceries in the app for a chosen 2-hour window. "
        "They notice first when deliveries get worse: they wait at home.",
        "pains": [
            ("late-window", "The courier comes after the chosen window; someone waited at home.", 5),
            ("missing-items", "Items are missing or substituted without asking.", 4),
            ("thawed-frozen", "Frozen food arrives thawed.", 3),
            ("squashed-bread", "Bread and eggs arrive squashed under heavy bottles.", 2),
        ],
        "proposition": {
            "team": "home-delivery",
            "statement": "Fresh groceries at your door inside the 2-hour window you chose, complete.",
            "characteristics": ["window kept", "complete order", "cold chain kept", "friendly courier"],
            "pains": ["late-window", "missing-items", "thawed-frozen"],
        },
    },
    {
        "client": "office-lunch",
        "name": "Office-lunch customers",
        "kind": "external",
        "description": "Office managers of nearby companies who order boxed lunches for their teams.",
        "pains": [
            ("late-lunch", "Lunch arrives after 12:30 and meetings start hungry.", 5),
            ("wrong-boxes", "Box counts or dietary boxes (vegetarian, gluten-free) are wrong.", 4),
            ("same-menu", "The same sandwiches every week.", 2),
        ],
        "proposition": {
            "team": "bakery",
            "statement": "Freshly baked lunch boxes on the desk by 12:30, the right box for every diet.",
            "characteristics": ["on the desk by 12:30", "bread baked this morning", "correct dietary boxes"],
            "pains": ["late-lunch", "wrong-boxes"],
        },
    },
    {
        "client": "delivery-vans",
        "name": "Home Delivery team (internal customer of the bakery)",
        "kind": "internal",
        "description": "The home-delivery team is the bakery's internal customer for morning bread: "
        "its first vans leave at 07:15, and it notices first when bread is late.",
        "pains": [
            ("bread-not-ready", "Bread is not on the dock at 07:00; vans wait or leave without it.", 5),
            ("unlabelled-crates", "Crates are not labelled by route.", 2),
        ],
        "proposition": {
            "team": "bakery",
            "statement": "Morning bread packed by route and on the dock by 07:00, every day.",
            "characteristics": ["ready by 07:00", "crates labelled by route"],
            "pains": ["bread-not-ready", "unlabelled-crates"],
        },
    },
    {
        "client": "citycourier",
        "name": "CityCourier (courier aggregator)",
        "kind": "partner",
        "description": "Provides extra riders on peak days. A partner: it passes our value on to "
        "households, it is not the one who notices first when we get worse.",
        "pains": [
            ("late-batches", "Route batches arrive too late to assign riders.", 3),
        ],
        "proposition": None,
    },
]

# --- Step 4: strategy canvases (scores aligned with factors) ---------------------

CANVASES: list[dict[str, Any]] = [
    {
        "canvas": "canvas-home-delivery",
        "client": "households",
        "team": "home-delivery",
        "factors": ["price", "assortment", "window-accuracy", "freshness", "app-ease", "courier-courtesy"],
        "offerings": [
            ("freshbasket-delivery", True, [6, 6, 8, 9, 7, 8]),
            ("megamart-online", False, [8, 9, 5, 5, 8, 5]),
            ("quick-15min-dark-store", False, [4, 3, 9, 6, 9, 6]),
            ("walk-to-corner-shop", False, [7, 4, 10, 6, 10, 7]),
        ],
        "unique": "window-accuracy",
    },
    {
        "canvas": "canvas-office-lunch",
        "client": "office-lunch",
        "team": "bakery",
        "factors": ["price", "punctuality", "bread-freshness", "menu-variety", "dietary-accuracy"],
        "offerings": [
            ("freshbasket-lunch-box", True, [6, 7, 10, 6, 8]),
            ("food-delivery-app", False, [5, 5, 4, 10, 5]),
            ("office-canteen", False, [8, 9, 5, 4, 6]),
        ],
        "unique": "bread-freshness",
    },
]

# (metric, name, unit, direction, owner: the team whose members record its readings, docs/brief.md §10)
METRICS: list[tuple[str, str, str, str, str]] = [
    ("ontime-delivery-pct", "Home deliveries inside the chosen window", "percent", "higher_is_better", "home-delivery"),
    ("delivery-minutes", "Average minutes from van departure to door", "minutes", "lower_is_better", "home-delivery"),
    ("complaint-rate", "Home-delivery complaints per 100 orders", "per-100-orders", "lower_is_better", "home-delivery"),
    ("bread-ready-by-7-pct", "Bread crates on the dock by 07:00", "percent", "higher_is_better", "bakery"),
    ("lunch-by-1230-pct", "Office lunch boxes delivered by 12:30", "percent", "higher_is_better", "bakery"),
    ("pick-accuracy-pct", "Order lines picked complete and correct", "percent", "higher_is_better", "warehouse"),
]

# Daily reading model: mean moves linearly from `before` to `after` over [ramp_from, ramp_to];
# the ramps sit where the experiments and process changes below take effect.
READING_MODELS: dict[str, dict[str, Any]] = {
    "ontime-delivery-pct": {"before": 88.5, "after": 95.6, "ramp": ("2026-01-19", "2026-02-12"),
                            "sd": 1.9, "hour": 22, "lo": 0, "hi": 100, "digits": 1},
    "delivery-minutes": {"before": 42.0, "after": 35.0, "ramp": ("2026-01-19", "2026-02-12"),
                         "sd": 1.8, "hour": 22, "lo": 10, "hi": 180, "digits": 1},
    "complaint-rate": {"before": 2.8, "after": 1.6, "ramp": ("2026-01-19", "2026-02-20"),
                       "sd": 0.35, "hour": 23, "lo": 0, "hi": 100, "digits": 2},
    "bread-ready-by-7-pct": {"before": 87.0, "after": 96.8, "ramp": ("2026-02-16", "2026-02-20"),
                             "sd": 2.6, "hour": 7, "lo": 0, "hi": 100, "digits": 1},
    "lunch-by-1230-pct": {"before": 93.4, "after": 95.8, "ramp": ("2026-01-05", "2026-03-31"),
                          "sd": 2.2, "hour": 13, "lo": 0, "hi": 100, "digits": 1},
    "pick-accuracy-pct": {"before": 99.1, "after": 99.4, "ramp": ("2026-01-01", "2026-03-31"),
                          "sd": 0.3, "hour": 20, "lo": 0, "hi": 100, "digits": 2},
}
# Bad days the error reviews talk about: (metric, day) -> value.
INCIDENT_READINGS: dict[tuple[str, str], float] = {
    ("ontime-delivery-pct", "2026-01-22"): 61.5,
    ("delivery-minutes", "2026-01-22"): 68.0,
    ("complaint-rate", "2026-01-22"): 7.4,
    ("ontime-delivery-pct", "2026-01-23"): 79.0,
    ("bread-ready-by-7-pct", "2026-02-03"): 38.0,
    ("ontime-delivery-pct", "2026-02-03"): 90.5,
}

# --- Step 5/6: promises, their negotiation and later life -------------------------

PROMISES: list[dict[str, Any]] = [
    {
        "promise": "p-home-2h-window",
        "promisor": "home-delivery", "promisee": "households",
        "statement": "Your order arrives inside the 2-hour window you chose.",
        "metric": "ontime-delivery-pct", "target": 90.0, "period": "week",
        "proposed": ("2025-12-15T10:00:00Z", "anna-petrova"),
        "counters": [("2025-12-17T11:00:00Z", "vera-belova", {"target": 93.0},
                      "Households panel: 1 missed window in 10 is too many; someone waits at home.")],
        "agreed": ("2025-12-22T10:00:00Z", "anna-petrova"),
        "amend": ("2026-02-16T09:00:00Z", "anna-petrova", {"target": 95.0},
                  "Micro-zone batching is adopted; we can promise more than 93%."),
    },
    {
        "promise": "p-home-complaints",
        "promisor": "home-delivery", "promisee": "households",
        "statement": "Fewer than 2 complaints per 100 home deliveries.",
        "metric": "complaint-rate", "target": 2.0, "period": "month",
        "proposed": ("2025-12-15T10:30:00Z", "anna-petrova"),
        "agreed": ("2025-12-22T10:30:00Z", "anna-petrova"),
        "retire": ("2026-03-20T12:00:00Z", "anna-petrova",
                   "Households care about the window, not our complaint count; the rate stays a team "
                   "health metric and the window promise carries the value."),
    },
    {
        "promise": "p-office-lunch",
        "promisor": "bakery", "promisee": "office-lunch",
        "statement": "Lunch boxes are on the office desk by 12:30.",
        "metric": "lunch-by-1230-pct", "target": 92.0, "period": "week",
        "proposed": ("2025-12-15T11:00:00Z", "sergei-kuznetsov"),
        "counters": [
            ("2025-12-16T15:00:00Z", "natalia-romanova", {"target": 98.0, "period": "day"},
             "Our meetings start at 12:45 every day; one late lunch spoils the day."),
            ("2025-12-18T10:00:00Z", "sergei-kuznetsov", {"target": 95.0, "period": "week"},
             "98% daily needs a second van we do not have; 95% weekly we can keep."),
        ],
        "agreed": ("2025-12-19T16:00:00Z", "natalia-romanova"),
    },
    {
        "promise": "p-bread-by-7",
        "promisor": "bakery", "promisee": "home-delivery", "parent": "p-home-2h-window",
        "statement": "Morning bread is packed by route and on the dispatch dock by 07:00.",
        "metric": "bread-ready-by-7-pct", "target": 95.0, "period": "week",
        "proposed": ("2025-12-16T09:00:00Z", "maria-ivanova"),
        "counters": [("2025-12-17T09:00:00Z", "sergei-kuznetsov", {"target": 92.0},
                      "Two ovens for 14 routes: 95% only once the new proofing plan works.")],
        "agreed": ("2025-12-22T11:00:00Z", "maria-ivanova"),
        "amend": ("2026-03-17T09:00:00Z", "sergei-kuznetsov", {"target": 95.0},
                  "Overnight proofing adopted; we now commit to the 95% the vans asked for."),
    },
    {
        "promise": "p-pick-accuracy",
        "promisor": "warehouse", "promisee": "home-delivery", "parent": "p-home-2h-window",
        "statement": "Orders are picked complete and correct before the van is loaded.",
        "metric": "pick-accuracy-pct", "target": 99.0, "period": "week",
        "proposed": ("2025-12-16T10:00:00Z", "pavel-morozov"),
        "agreed": ("2025-12-22T11:30:00Z", "anna-petrova"),
    },
    {  # still under negotiation at the end of the quarter: shows the `proposed` status
        "promise": "p-home-1h-window",
        "promisor": "home-delivery", "promisee": "households",
        "statement": "Premium: your order arrives inside a 1-hour window.",
        "metric": "ontime-delivery-pct", "target": 90.0, "period": "week",
        "proposed": ("2026-03-25T10:00:00Z", "anna-petrova"),
        "counters": [("2026-03-27T14:00:00Z", "vera-belova", {"target": 95.0},
                      "If we pay extra for one hour, it must be kept almost always.")],
    },
]

# --- Step 7/8: economics (monthly amounts per team, before noise) and reward -------

LEDGER: dict[str, dict[str, Any]] = {
    "home-delivery": {
        "revenue": ("Delivery fees and basket margin", [61800, 66400, 71200]),
        "costs": [
            ("courier-wages", "Courier and dispatcher wages", [27500, 27900, 28300]),
            ("vans", "Van lease and fuel", [8900, 8400, 8300]),
            ("citycourier-fees", "CityCourier peak-day riders", [6200, 3900, 3100]),
            ("warehouse-picking", "Internal: warehouse picking fee", [7800, 8300, 8900]),
            ("refunds", "Refunds and re-deliveries", [2900, 1600, 900]),
        ],
    },
    "bakery": {  # January is a loss: new ovens' lease, waste and low lunch volume
        "revenue": ("Bread to shops and vans, office lunch boxes", [37800, 44600, 48900]),
        "costs": [
            ("ingredients", "Flour and ingredients", [13900, 15100, 15800]),
            ("wages", "Bakers' and cook's wages", [18200, 18200, 18400]),
            ("energy", "Oven energy", [5300, 5000, 4700]),
            ("equipment", "Oven lease and repairs", [2100, 4500, 2100]),
            ("waste", "Unsold and rejected bread", [3600, 2400, 1500]),
        ],
    },
    "warehouse": {
        "revenue": ("Internal: picking fees from home delivery and shops", [21800, 22700, 23900]),
        "costs": [
            ("wages", "Pickers' wages", [14800, 14800, 15600]),
            ("rent", "Warehouse rent", [4100, 4100, 4100]),
            ("energy", "Cold storage energy", [1300, 1250, 1200]),
        ],
    },
}

REWARD_SCHEMES: list[Cmd] = [
    {"team": "home-delivery", "variant": "team_net_profit_share", "share": 0.20, "split": "equal"},
    {"team": "bakery", "variant": "base_plus_team_bonus", "share": 0.20, "split": "base_pay",
     "carry_forward_losses": True,
     "base_pay": {"sergei-kuznetsov": 3400.0, "olga-popova": 2700.0, "nikolai-sokolov": 2600.0,
                  "irina-lebedeva": 2300.0}},
    {"team": "warehouse", "variant": "company_profit_share", "share": 0.05, "team_weight": 0.3,
     "split": "equal"},
]

# --- Step 9: experiments, error reviews, process changes --------------------------

EXPERIMENTS: list[dict[str, Any]] = [
    {
        "experiment": "exp-microzone-batching", "team": "home-delivery", "design": "ab",
        "metric": "delivery-minutes", "promise": "p-home-2h-window",
        "hypothesis": "Batching orders by micro-zone instead of by order time cuts minutes to the door "
        "by at least 5 and keeps more windows.",
        "proposed": ("2026-01-12T09:00:00Z", "maria-ivanova"),
        "started": ("2026-01-19T06:00:00Z", "maria-ivanova"),
        "arms": {"control": (41.5, 6.5), "treatment": (34.0, 6.0)},  # per-order minutes: mean, sd
        "concluded": ("2026-02-09T17:00:00Z", "anna-petrova", "adopt",
                      "Micro-zone routes are about 7 minutes faster per order; roll out to every van."),
    },
    {
        "experiment": "exp-overnight-proofing", "team": "bakery", "design": "before_after",
        "metric": "bread-ready-by-7-pct", "promise": "p-bread-by-7",
        "hypothesis": "Proofing dough overnight in the retarder frees the ovens at 04:00, so bread is "
        "ready by 07:00 on at least 95% of days.",
        "proposed": ("2026-02-10T09:00:00Z", "sergei-kuznetsov"),
        "started": ("2026-02-16T03:00:00Z", "sergei-kuznetsov"),
        "concluded": ("2026-03-16T03:00:00Z", "sergei-kuznetsov", "adopt",
                      "Bread ready by 07:00 went from under 90% to about 97% of days; keep it."),
    },
]

ERROR_REVIEWS: list[Cmd] = [
    {"review": "rev-snow-day", "team": "home-delivery", "promise": "p-home-2h-window",
     "at": "2026-01-26T16:00:00Z", "actor": "anna-petrova",
     "what_happened": "On 22 January snow closed two bridges; 38% of windows were missed.",
     "cause": "No courier buffer and routes planned by hand the evening before.",
     "lesson": "Book partner riders as soon as snow is forecast; re-plan routes at 06:00."},
    {"review": "rev-oven-breakdown", "team": "bakery", "promise": "p-bread-by-7",
     "at": "2026-02-04T14:00:00Z", "actor": "sergei-kuznetsov",
     "what_happened": "Oven 2 failed at 04:30 on 3 February; bread reached the dock at 08:10.",
     "cause": "The door seal had been worn for weeks; no preventive maintenance plan.",
     "lesson": "Monthly oven maintenance; the dispatcher hears about any delay by 06:15."},
]

PROCESS_CHANGES: list[Cmd] = [
    {"change": "chg-snow-buffer", "team": "home-delivery", "review": "rev-snow-day",
     "at": "2026-01-27T09:00:00Z", "actor": "anna-petrova",
     "description": "When snow is forecast, book 3 CityCourier riders the day before and re-plan at 06:00."},
    {"change": "chg-oven-maintenance", "team": "bakery", "review": "rev-oven-breakdown",
     "at": "2026-02-05T10:00:00Z", "actor": "sergei-kuznetsov",
     "description": "First Monday of each month: oven seals and thermostats checked by the service company."},
    {"change": "chg-microzone-routing", "team": "home-delivery", "experiment": "exp-microzone-batching",
     "at": "2026-02-10T07:00:00Z", "actor": "maria-ivanova",
     "description": "All vans run micro-zone batched routes; the dispatcher plans batches by 06:30."},
    {"change": "chg-overnight-proofing", "team": "bakery", "experiment": "exp-overnight-proofing",
     "at": "2026-03-17T08:00:00Z", "actor": "sergei-kuznetsov",
     "description": "Dough for morning bread proofs overnight in the retarder; ovens start at 04:00."},
]

# --- Feedback ------------------------------------------------------------------------

# (client, kind, team, promise, channels, texts, weight, fixed_on): complaints about a
# problem become rarer after the day it was fixed (weight x 0.2).
FEEDBACK_TEMPLATES: list[tuple[str, str, str | None, str | None, list[str], list[str], float, str | None]] = [
    ("households", "complaint", "home-delivery", "p-home-2h-window", ["app", "phone"],
     ["Courier came 40 minutes after my window closed.",
      "I waited at home all morning and the order came after lunch.",
      "Window 18-20, delivered at 20:35 without a call."], 5.0, "2026-02-10"),
    ("households", "complaint", "warehouse", None, ["app", "phone"],
     ["Two items were missing from my order.",
      "Milk was substituted with a brand my child cannot drink, nobody asked."], 1.6, None),
    ("households", "complaint", "home-delivery", None, ["app", "email"],
     ["Frozen berries had thawed by the time they arrived.",
      "Eggs were broken under the water bottles."], 1.4, None),
    ("households", "praise", "home-delivery", "p-home-2h-window", ["app"],
     ["Arrived early in the window and the courier carried the bags upstairs. Thank you!",
      "Always on time lately, great job."], 1.5, None),
    ("households", "rating", "home-delivery", None, ["app"], ["Rated the delivery in the app."], 2.0, None),
    ("households", "suggestion", "home-delivery", None, ["app", "email"],
     ["Let me choose a 1-hour window for a small extra fee.",
      "Please send an SMS when the courier is 10 minutes away."], 0.8, None),
    ("office-lunch", "complaint", "bakery", "p-office-lunch", ["phone", "email"],
     ["Lunch boxes arrived at 12:55, our meeting had already started.",
      "Boxes came late again today."], 2.0, None),
    ("office-lunch", "complaint", "bakery", None, ["email"],
     ["We ordered 12 vegetarian boxes and got 9.", "A gluten-free box contained a wheat roll."], 1.0, None),
    ("office-lunch", "praise", "bakery", None, ["email"],
     ["The team loved the new rye sandwiches."], 0.8, None),
    ("office-lunch", "suggestion", "bakery", None, ["email"],
     ["Could you add a soup of the day on Fridays?"], 0.5, None),
    ("delivery-vans", "complaint", "bakery", "p-bread-by-7", ["chat"],
     ["Bread not on the dock at 07:00, two vans left without baguettes.",
      "Crates for routes 4 and 7 were mixed up again."], 2.2, "2026-02-16"),
    ("citycourier", "suggestion", "home-delivery", None, ["email"],
     ["Send us the route batches 30 minutes earlier so we can assign riders."], 0.5, None),
]
# Incident feedback the error reviews refer to: (client, kind, team, promise, channel, text, occurred_at).
INCIDENT_FEEDBACK: list[tuple[str, str, str, str, str, str, str]] = [
    ("households", "complaint", "home-delivery", "p-home-2h-window", "phone",
     "Snow or not, nobody told me the order would be 3 hours late.", "2026-01-22T15:40:00Z"),
    ("households", "complaint", "home-delivery", "p-home-2h-window", "app",
     "Window 10-12, arrived at 14:30. I took the day off for this.", "2026-01-22T14:55:00Z"),
    ("households", "complaint", "home-delivery", "p-home-2h-window", "app",
     "Evening order never came yesterday, delivered this morning.", "2026-01-23T08:20:00Z"),
    ("delivery-vans", "complaint", "bakery", "p-bread-by-7", "chat",
     "No bread at all at 07:15 - all morning vans left without it.", "2026-02-03T07:20:00Z"),
    ("office-lunch", "complaint", "bakery", "p-office-lunch", "phone",
     "No sandwiches today, only salads. What happened?", "2026-02-03T12:40:00Z"),
]
# The courier who moved to the warehouse on 2 March picks alone from the week of 16 March: clients notice first,
# and the warehouse's weekly complaints jump past their limits (a client_voice_shift in its retrospective).
PICKING_ERRORS: list[tuple[str, str, str, str | None, str, str, str]] = [
    ("households", "complaint", "warehouse", None, "app", text, at) for text, at in (
        ("Two items were missing from my order.", "2026-03-16T10:15:00Z"),
        ("Got someone else's yoghurt and none of mine.", "2026-03-16T18:40:00Z"),
        ("Milk was substituted with a brand my child cannot drink, nobody asked.", "2026-03-17T09:05:00Z"),
        ("Half the vegetables I ordered were not in the bags.", "2026-03-18T12:30:00Z"),
        ("Two items were missing from my order.", "2026-03-19T17:50:00Z"),
        ("The order had three wrong items and no note.", "2026-03-20T11:20:00Z"),
    )
]
RESOLUTIONS: dict[str, list[str]] = {
    "home-delivery": ["Refunded the delivery fee and apologised by phone.",
                      "Re-delivered the missing items the same evening.",
                      "Called the client; their slot now has a courier buffer."],
    "bakery": ["Credited the late boxes on the next invoice.",
               "Sent the missing boxes by taxi and apologised.",
               "Agreed a daily 06:15 status message with the dispatcher."],
    "warehouse": ["Re-delivered the missing items; picker re-trained on substitutions.",
                  "Refunded the items and added the allergy note to the client's profile."],
}
RESPONSES = ["Sorry about this - we are looking into it now and will call you back today.",
             "Thank you for telling us; a colleague is checking with the courier.",
             "We are sorry. We have your order in front of us and will come back with a fix."]
"""Home delivery's first answers to complaints (docs/brief.md §9)."""
FEEDBACK_PER_MONTH = (24, 18, 13)  # plus the incidents: 60 in all, fewer as the quarter improves
COMPLAINT_WEIGHT_BY_MONTH = {1: 1.0, 2: 0.7, 3: 0.45}
LEAVE_OPEN_AFTER = "2026-03-24T00:00:00Z"  # complaints after this stay open at quarter end
