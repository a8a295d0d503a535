"""Drives the Python bridge client against a running node for BridgeTest: one JSON line per step."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools", "bridge-client"))
from azora_bus import AzoraBus, BridgeError  # noqa: E402

port, token, user_id, other_id = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]


def say(**line):
    print(json.dumps(line), flush=True)


def refused(action):
    """Runs a frame the bridge must refuse; the refusal it got (the connection survives it)."""
    action()
    frame = bus.receive(10)
    return frame.get("body") if frame.get("type") == "err" else "accepted: " + json.dumps(frame)


bus = AzoraBus.connect("127.0.0.1", port, token)
bus.register("azora.notifications." + user_id)
say(step="ready")
pushed = bus.receive(30)
say(step="notification", address=pushed.get("address"), body=pushed.get("body"))
listed = bus.call("azora.tutoring", "notifications", {"unreadOnly": False, "limit": 5, "cursor": None,
                                                     "caller": {"userId": other_id, "roles": ["admin"]}})
say(step="list", body=listed)
say(step="other_register", answer=refused(lambda: bus.register("azora.notifications." + other_id)))
say(step="finance_send", answer=refused(lambda: bus.send("azora.finance", {"userId": other_id}, {"action": "balance"})))
say(step="history_send", answer=refused(lambda: bus.send("azora.tutoring", {}, {"action": "history"})))
say(step="publish", answer=refused(lambda: bus._send_json({"type": "publish", "address": "azora.tutoring", "body": {}})))
bus.close()
say(step="done")
