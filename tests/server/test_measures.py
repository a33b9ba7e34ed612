"""Confidence-building measures: notices checked against thresholds the facilitator sets."""

from __future__ import annotations

import datetime as dt

from tests.server.conftest import Table

SOON = (dt.date.today() + dt.timedelta(days=10)).isoformat()
LATER = (dt.date.today() + dt.timedelta(days=60)).isoformat()


def _notify(table: Table, who: str, troops: int, starts: str) -> dict[str, object]:
    body = {"activity": "exercise", "troops": troops, "starts": starts}
    response = table.call(who, "POST", "/notifications", body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_late_notices_are_flagged_to_all(table: Table) -> None:
    late = _notify(table, "dprk", 12000, SOON)
    fine = _notify(table, "rok", 12000, LATER)
    small = _notify(table, "usa", 500, SOON)
    assert late["flags"] == ["late: notified 10 days ahead, 42 required"]
    assert fine["flags"] == [] and small["flags"] == []
    seen = table.call("observer", "GET", "/notifications").json()
    assert [(n["party"], bool(n["flags"])) for n in seen] == [
        ("dprk", True),
        ("rok", False),
        ("usa", False),
    ]


def test_the_facilitator_sets_the_thresholds(table: Table) -> None:
    assert table.call("usa", "GET", "/thresholds").json() == {
        "notify_troops": 9000,
        "lead_days": 42,
    }
    table.call("facilitator", "PUT", "/thresholds", {"notify_troops": 13000, "lead_days": 7})
    assert _notify(table, "dprk", 12000, SOON)["flags"] == []  # below the new threshold
    assert _notify(table, "dprk", 20000, SOON)["flags"] == []  # ten days is enough now
    bad = table.call("facilitator", "PUT", "/thresholds", {"notify_troops": 0, "lead_days": 7})
    assert bad.status_code == 422
    assert table.call("usa", "GET", "/me").json()["exercise"]["thresholds"]["lead_days"] == 7


def test_an_activity_seen_but_not_notified_is_flagged_missing(table: Table) -> None:
    _notify(table, "rok", 15000, LATER)
    observe = {"party": "dprk", "activity": "artillery exercise", "troops": 20000, "starts": LATER}
    missing = table.call("facilitator", "POST", "/notifications/observed", observe).json()
    assert missing["kind"] == "observed" and missing["party"] == "dprk"
    assert missing["flags"][0].startswith("missing: dprk did not notify artillery exercise")

    seen_rok = {**observe, "party": "rok", "troops": 15000}
    assert (
        table.call("facilitator", "POST", "/notifications/observed", seen_rok).json()["flags"] == []
    )
    bigger = {**seen_rok, "troops": 25000}
    under = table.call("facilitator", "POST", "/notifications/observed", bigger).json()["flags"]
    assert under == ["under-notified: rok notified 15,000 troops, 25,000 seen"]

    small = {**observe, "troops": 3000}
    assert table.call("facilitator", "POST", "/notifications/observed", small).json()["flags"] == []
    unknown = table.call(
        "facilitator", "POST", "/notifications/observed", {**observe, "party": "x"}
    )
    assert unknown.status_code == 422 and "dprk" in unknown.json()["detail"]
    assert table.call("usa", "POST", "/notifications/observed", observe).status_code == 403
