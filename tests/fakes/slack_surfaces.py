"""The fake Slack's link unfurls, Home tab views and users' channels, with Slack's checks and errors.

Mixed into FakeSlack (tests/fakes/slack.py): `share_links` plays a user posting links (Slack stores the
message and sends the app a `link_shared` event for the links on its unfurl domains); chat.unfurl, views.publish
and users.conversations answer as the Web API documents them.
"""

from __future__ import annotations

import itertools
import json
import re
import time
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from tests.fakes.slack import Message

SOURCES = ("composer", "conversations_history")
CONVERSATION_TYPES = ("public_channel", "private_channel", "mpim", "im")
VIEW_BLOCKS = 100
VIEW_BYTES = 250_000
_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
Answer = tuple[int, dict[str, Any]]


def _invalid(*messages: str) -> Answer:
    return 200, {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": list(messages)}}


def _json_arg(value: Any) -> Any:
    """A JSON argument as sent: an object in a JSON body, a string in a form body."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


class SlackSurfaces:
    """Unfurls, Home tabs and users' channels; needs FakeSlack's `messages`, `missing`, `archived`, `outside`, `_find`, `_ts`."""

    messages: list[Message]
    missing: set[str]
    archived: set[str]
    outside: set[str]

    def _init_surfaces(self) -> None:
        self.unfurl_domains = {"github.com"}
        self.unfurls: dict[tuple[str, str], dict[str, Any]] = {}  # (message or unfurl_id, url) -> attachment
        self.home_enabled = True
        self.home_views: dict[str, dict[str, Any]] = {}  # user -> the published view
        self.members: dict[str, set[str]] = {}  # channel -> user IDs
        self._shared: dict[str, set[str]] = {}  # "channel:ts" or unfurl_id -> URLs of link_shared events
        self._unfurl_sources: dict[str, str] = {}  # unfurl_id -> source
        self._views = itertools.count(1)

    # what users do -----------------------------------------------------------------------------

    def share_links(
        self,
        channel: str,
        urls: list[str],
        *,
        user: str = "U1",
        source: str = "conversations_history",
        thread_ts: str | None = None,
    ) -> dict[str, Any]:
        """A user writes (composer) or posts a message with `urls`; return the link_shared event Slack sends."""
        from tests.fakes.slack import Message

        links = [
            {"domain": d, "url": u} for u in urls if (d := urlsplit(u).hostname or "") in self.unfurl_domains
        ]
        unfurl_id = f"{channel}.{uuid.uuid4().hex}"
        if source == "composer":
            channel, ts = "COMPOSER", f"{user}-{uuid.uuid4()}"
        else:
            ts = self._ts()  # type: ignore[attr-defined]
            text = " ".join(f"<{u}>" for u in urls)
            self.messages.append(Message(channel=channel, ts=ts, text=text, thread_ts=thread_ts))
            self._shared[f"{channel}:{ts}"] = {link["url"] for link in links}
        self._shared[unfurl_id] = {link["url"] for link in links}
        self._unfurl_sources[unfurl_id] = source
        event = {
            "type": "link_shared",
            "channel": channel,
            "is_bot_user_member": True,
            "user": user,
            "message_ts": ts,
            "unfurl_id": unfurl_id,
            "source": source,
            "links": links,
            "event_ts": f"{time.time():.6f}",
        }
        return event | ({"thread_ts": thread_ts} if thread_ts else {})

    def accepted_unfurls(self) -> list[dict[str, Any]]:
        """The `unfurls` maps of the chat.unfurl calls Slack accepted."""
        return [
            _json_arg(c.params.get("unfurls"))
            for c in self.calls_to("chat.unfurl")  # type: ignore[attr-defined]
            if c.status == 200 and c.error is None
        ]

    # the Web API -------------------------------------------------------------------------------

    def _surface_answer(self, method: str, p: dict[str, Any]) -> Answer | None:
        if method == "chat.unfurl":
            return self._unfurl(p)
        if method == "views.publish":
            return self._publish(p)
        if method == "users.conversations":
            return self._user_conversations(p)
        return None

    def _unfurl_target(self, p: dict[str, Any]) -> str | Answer:
        """The key of the message (or composer draft) to unfurl in, or the error Slack answers."""
        unfurl_id, source = p.get("unfurl_id"), p.get("source")
        if unfurl_id or source:
            if not (unfurl_id and source):
                return _invalid("[ERROR] unfurl_id and source must be provided together")
            if source not in SOURCES:
                return _invalid(f"[ERROR] source must be one of {', '.join(SOURCES)}")
            if unfurl_id not in self._shared or self._unfurl_sources.get(unfurl_id) != source:
                return 200, {"ok": False, "error": "cannot_unfurl_url"}
            return str(unfurl_id)
        channel, ts = p.get("channel"), p.get("ts")
        if not channel:
            return 200, {"ok": False, "error": "missing_channel"}
        if not ts:
            return 200, {"ok": False, "error": "missing_ts"}
        if channel in self.missing:
            return 200, {"ok": False, "error": "cannot_find_channel"}
        if self._find(str(channel), str(ts)) is None:  # type: ignore[attr-defined]
            return 200, {"ok": False, "error": "cannot_find_message"}
        return f"{channel}:{ts}"

    def _unfurl(self, p: dict[str, Any]) -> Answer:
        from tests.fakes.slack import validate_blocks

        target = self._unfurl_target(p)
        if not isinstance(target, str):
            return target
        if "unfurls" not in p:
            return 200, {"ok": False, "error": "missing_unfurls"}
        unfurls = _json_arg(p["unfurls"])
        if not isinstance(unfurls, dict) or not all(isinstance(k, str) for k in unfurls):
            return 200, {"ok": False, "error": "invalid_unfurls_format"}
        for url, attachment in unfurls.items():
            if url not in self._shared.get(target, set()):
                return 200, {"ok": False, "error": "cannot_unfurl_url"}
            if not isinstance(attachment, dict):
                return 200, {"ok": False, "error": "cannot_parse_attachment"}
            if "blocks" in attachment and (err := validate_blocks(attachment["blocks"])):
                return 200, {"ok": False, "error": "invalid_blocks", "errors": [err]}
        for url, attachment in unfurls.items():  # a later call replaces the same link's unfurl
            self.unfurls[(target, url)] = attachment
        return 200, {"ok": True}

    def _publish(self, p: dict[str, Any]) -> Answer:
        from tests.fakes.slack import _block_error

        user = p.get("user_id")
        if not isinstance(user, str) or not _USER_ID.match(user):
            return _invalid("invalid `user_id`")
        view = _json_arg(p.get("view"))
        if not isinstance(view, dict):
            return _invalid("[ERROR] missing required field: view")
        if len(json.dumps(view)) > VIEW_BYTES:
            return 200, {"ok": False, "error": "view_too_large"}
        if view.get("type") != "home":
            return _invalid("[ERROR] must be 'home' [json-pointer:/view/type]")
        blocks = view.get("blocks")
        if not isinstance(blocks, list):
            return _invalid("[ERROR] missing required field: blocks [json-pointer:/view]")
        if len(blocks) > VIEW_BLOCKS:
            return _invalid(f"[ERROR] no more than {VIEW_BLOCKS} items allowed [json-pointer:/view/blocks]")
        for i, b in enumerate(blocks):
            if err := _block_error(b, f"blocks[{i}]"):
                return _invalid(f"[ERROR] {err} [json-pointer:/view/blocks/{i}]")
        for key, limit in (("private_metadata", 3000), ("callback_id", 255)):
            if len(str(view.get(key) or "")) > limit:
                return _invalid(
                    f"[ERROR] must be less than {limit + 1} characters [json-pointer:/view/{key}]"
                )
        if not self.home_enabled:
            return 200, {"ok": False, "error": "not_enabled"}
        old = self.home_views.get(user)
        if p.get("hash") and old is not None and p["hash"] != old["hash"]:
            return 200, {"ok": False, "error": "hash_conflict"}
        stored = {**view, "id": f"V{next(self._views):08d}", "hash": f"{time.time():.6f}"}
        self.home_views[user] = stored
        return 200, {"ok": True, "view": stored}

    def _user_conversations(self, p: dict[str, Any]) -> Answer:
        """users.conversations for `user`: public channels they are in, private ones only where the app is too."""
        types = str(p.get("types") or "public_channel").split(",")
        if any(kind not in CONVERSATION_TYPES for kind in types):
            return 200, {"ok": False, "error": "invalid_types"}
        try:
            limit, start = int(p.get("limit") or 100), int(p.get("cursor") or 0)
        except ValueError:
            return 200, {"ok": False, "error": "invalid_cursor"}
        if not 1 <= limit <= 999:
            return 200, {"ok": False, "error": "invalid_limit"}
        user = p.get("user") or "UBOT"
        skip_archived = str(p.get("exclude_archived", "")).lower() in ("1", "true")
        found = [
            {
                "id": c,
                "is_channel": c.startswith("C"),
                "is_private": c.startswith("G"),
                "is_archived": c in self.archived,
            }
            for c, who in sorted(self.members.items())
            if user in who
            and ("public_channel" if c.startswith("C") else "private_channel") in types
            and (
                c.startswith("C") or c not in self.outside
            )  # a private channel the app is not in stays hidden
            and not (skip_archived and c in self.archived)
        ]
        page, more = found[start : start + limit], start + limit < len(found)
        meta = {"next_cursor": str(start + limit) if more else ""}
        return 200, {"ok": True, "channels": page, "response_metadata": meta}
