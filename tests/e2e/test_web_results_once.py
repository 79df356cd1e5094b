""""Record results" by a CSV upload, sent twice (a double click, the back button, a retry), against a real
`clientocracy serve` on SQLite and PostgreSQL: each render of the form carries a one-time key, so the same form
sent again records nothing new and says so, whether the second submission comes after the first or at the same
moment; another render of the form records another file; a form without its key is refused naming the field."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from domain.service.ledger import Ledger
from tests.support.browser import Served, serving
from tests.support.ledger import observations
from tests.support.stores import STORES
from tests.support.web_company import LINES, TOKENS

pytestmark = pytest.mark.processes  # a real server

SENT_ALREADY = "This form was sent already and its file recorded then; nothing new was recorded now."
FILE = b"arm,value\n" + b"".join(f"{'control' if n % 2 else 'treatment'},{80 + n}\n".encode() for n in range(10))
OTHER_FILE = b"control,70\ntreatment,75\ncontrol,71\n"


@pytest.fixture(scope="module", params=STORES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(request.param, tmp_path_factory.mktemp(f"results-once-{request.param}"), LINES, TOKENS) as server:
        yield server


def _running(served: Served, experiment: str) -> str:
    for command in ({"type": "ProposeExperiment", "experiment": experiment, "team": "delivery", "hypothesis": "h",
                     "metric": "ready-pct", "design": "ab"}, {"type": "StartExperiment", "experiment": experiment}):
        status, answer = served.api("POST", "/api/commands", "lena", command)
        assert status == 200, answer
    return f"/experiments/{experiment}"


def _stored(served: Served, experiment: str) -> int:
    """How many observations of ``experiment`` the store holds (not the views)."""
    ledger = Ledger.open(served.store)
    try:
        return len(observations(ledger, experiment))
    finally:
        ledger.close()


def _form(client: httpx.Client, path: str) -> dict[str, str]:
    """The upload form's hidden fields as one render of the page gives them."""
    html = client.get(path).text
    form = html[html.index('id="upload-results"'):]
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form[:form.index("</form>")]))


def _send(client: httpx.Client, path: str, fields: dict[str, str], data: bytes) -> httpx.Response:
    return client.post(f"{path}/results", data=fields, files={"file": ("results.csv", data, "text/csv")})


def _notice(answer: httpx.Response) -> str:
    found = re.search(r'<p class="notice" role="status">([^<]*)</p>', answer.text)
    return found.group(1) if found else ""


def test_the_same_form_sent_again_records_nothing_new_and_says_so(served: Served) -> None:
    path = _running(served, "exp-twice")
    with served.session("lena") as client:
        fields = _form(client, path)
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", fields["upload_key"]), fields
        first = _send(client, path, fields, FILE)
        assert first.status_code == 303, first.text[-2000:]
        assert _stored(served, "exp-twice") == 10
        again = _send(client, path, fields, FILE)  # the back button, or a retry after a lost answer
        assert again.status_code == 200 and SENT_ALREADY in _notice(again), again.text[-3000:]
        other = _send(client, path, fields, OTHER_FILE)  # the same form with another file chosen
        assert other.status_code == 200 and SENT_ALREADY in _notice(other)
        assert _stored(served, "exp-twice") == 10
        fresh = _form(client, path)  # the page as it shows now: a new key, another upload
        assert fresh["upload_key"] != fields["upload_key"]
        assert _send(client, path, fresh, OTHER_FILE).status_code == 303
        assert _stored(served, "exp-twice") == 13
        shown = client.get(path).text
        assert ">7<" in shown and ">6<" in shown, "the arms' counts: 5 + 2 control, 5 + 1 treatment"


def test_two_submissions_at_once_record_the_file_once(served: Served) -> None:
    path = _running(served, "exp-double-click")
    with served.session("lena") as client:
        fields = _form(client, path)
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda _: _send(client, path, fields, FILE), range(2)))
    assert sorted(a.status_code for a in answers) == [200, 303], [a.text[-2000:] for a in answers]
    assert SENT_ALREADY in _notice(next(a for a in answers if a.status_code == 200))
    assert _stored(served, "exp-double-click") == 10


def test_a_form_without_its_key_is_refused_naming_the_field(served: Served) -> None:
    path = _running(served, "exp-no-key")
    with served.session("lena") as client:
        fields: dict[str, Any] = _form(client, path)
        for key in ("", "x" * 8):
            answer = _send(client, path, {**fields, "upload_key": key}, FILE)
            assert answer.status_code == 422, answer.status_code
            assert "upload_key: " in answer.text and "load the page again" in answer.text
    assert _stored(served, "exp-no-key") == 0
