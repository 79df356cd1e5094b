"""The demo's input file keeps no text of the subject it forgets: its own fields and the answers to its feedback."""

from __future__ import annotations

import json
from pathlib import Path

from domain.personal_data import FORGOTTEN
from scripts.demo import scrub_input


def test_scrubbing_the_input_removes_the_subjects_feedback_and_the_answers_to_it(tmp_path: Path) -> None:
    at = "2026-01-05T09:00:00Z"
    lines = [
        *({"type": "RecordFeedback", "feedback_id": f"f-{client}", "client": client, "kind": "complaint",
           "channel": "app", "text": f"text of {client}", "occurred_at": at} for client in ("gone", "kept")),
        *({"type": "RespondToFeedback", "feedback_id": f"f-{client}", "response": f"response to {client}", "at": at}
          for client in ("gone", "kept")),
        {"type": "ResolveFeedback", "feedback_id": "f-gone", "resolution": "resolution for gone", "at": at},
    ]
    path = tmp_path / "input.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    scrub_input(path, "client:gone")
    text = path.read_text()
    assert "gone" not in text.replace("f-gone", "").replace('"client": "gone"', "")
    assert text.count(FORGOTTEN) == 3 and "text of kept" in text and "response to kept" in text
