"""The plenary and private channels: private until the facilitator opens the archive."""

from __future__ import annotations

from tests.server.conftest import Table


def test_private_channels_stay_private_until_the_archive_opens(table: Table) -> None:
    channel = table.call("usa", "POST", "/channels", {"name": "allies", "members": ["rok"]}).json()
    cid = channel["id"]
    assert (
        table.call("rok", "POST", f"/channels/{cid}/messages", {"body": "hold firm"}).status_code
        == 201
    )
    assert table.call("china", "GET", f"/channels/{cid}/messages").status_code == 404
    assert table.call("facilitator", "GET", f"/channels/{cid}/messages").status_code == 404
    assert (
        table.call("china", "POST", f"/channels/{cid}/messages", {"body": "hi"}).status_code == 404
    )
    plenary = next(
        c for c in table.call("observer", "GET", "/channels").json() if c["kind"] == "plenary"
    )
    assert [c["kind"] for c in table.call("observer", "GET", "/channels").json()] == ["plenary"]
    assert (
        table.call(
            "observer", "POST", f"/channels/{plenary['id']}/messages", {"body": "x"}
        ).status_code
        == 403
    )
    assert table.call("facilitator", "POST", "/archive").status_code == 200
    assert [m["body"] for m in table.call("china", "GET", f"/channels/{cid}/messages").json()] == [
        "hold firm"
    ]


def test_corridor_talk_goes_on_while_the_round_is_paused(table: Table) -> None:
    table.call("facilitator", "POST", "/rounds", {"action": "pause"})
    plenary = table.call("usa", "GET", "/channels").json()[0]["id"]
    said = table.call("usa", "POST", f"/channels/{plenary}/messages", {"body": "see you later"})
    assert said.status_code == 201
