"""`#digest`, `digest` and its ID are one digest target: channel names are resolved to IDs where they enter."""

from __future__ import annotations

import contextlib
import subprocess
import sys

import pytest

from analysis.store.channel_targets import rekey_channel
from analysis.store.deliveries import latest_delivery
from analysis.store.reported import get_cursor
from bot import subscriptions
from storage.db import open_db
from tests.e2e.world import make_world

pytestmark = pytest.mark.e2e
RUN = [sys.executable, "-m", "bot.cli", "run", "--post"]
DIGEST = "C0DIGEST"


def test_a_channel_by_name_by_hash_and_by_id_gets_one_digest(tmp_path):
    with contextlib.ExitStack() as stack:
        w = make_world(tmp_path, stack, repos=1)
        [repo] = w.repos
        w.add_commits(repo, 2, start_hours=3)
        for i in range(250):  # the name is on the second page of conversations.list
            w.slack.add_channel(f"C0OTHER{i:03d}", f"team-{i:03d}")
        w.slack.add_channel("C0OLD", "digest", archived=True)  # an archived namesake is never the target
        w.slack.add_channel(DIGEST, "digest", private=True)

        def post(*args: str, **env: str) -> subprocess.CompletedProcess:
            return subprocess.run(  # noqa: S603
                [*RUN, *args], env=w.env(**env), cwd=w.tmp, capture_output=True, text=True, timeout=120
            )

        first = post(DIGEST_CHANNEL="#digest")
        assert first.returncode == 0, first.stderr
        by_id = post(DIGEST_CHANNEL=DIGEST)
        assert "nothing new since" in by_id.stderr, by_id.stderr
        by_flag = post("--channel", "digest")
        assert "nothing new since" in by_flag.stderr, by_flag.stderr
        assert len(w.slack.top_level(DIGEST)) == 1
        assert not w.slack.top_level("#digest") and not w.slack.top_level("digest")
        lists = w.slack.calls_to("conversations.list")
        assert lists and all(
            c.params.get("types") == "public_channel,private_channel"
            and c.params.get("exclude_archived") in ("1", "true")
            for c in lists
        )
        assert any(c.params.get("cursor") for c in lists)  # paged with the cursor Slack gave

        unknown = post("--channel", "#nowhere")
        assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
        lines = [line for line in unknown.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "#nowhere" in lines[0], unknown.stderr
        bad_setting = post(DIGEST_CHANNEL="nowhere")
        assert bad_setting.returncode == 2 and len(bad_setting.stderr.strip().splitlines()) == 1


def test_rows_kept_under_a_channel_name_move_to_its_id_at_start_up(tmp_path):
    with contextlib.ExitStack() as stack:
        w = make_world(tmp_path, stack, repos=1)
        [repo] = w.repos
        w.add_commits(repo, 2, start_hours=3)
        w.slack.add_channel(DIGEST, "digest")

        def post(*args: str, **env: str) -> subprocess.CompletedProcess:
            return subprocess.run(  # noqa: S603
                [*RUN, *args], env=w.env(**env), cwd=w.tmp, capture_output=True, text=True, timeout=120
            )

        # an older version kept the target as it was written: deliveries, cursor and subscription under "#digest"
        old = post(DIGEST_CHANNEL="#digest")
        assert old.returncode == 0, old.stderr
        db = open_db(w.settings.digest_db_path)
        rekey_channel(db, DIGEST, "#digest")  # as an older version stored it
        subscriptions.subscribe(db, subscriptions.Subscription("digest", repo))
        db.conn.close()

        again = post(DIGEST_CHANNEL=DIGEST)
        assert again.returncode == 0 and "nothing new since" in again.stderr, again.stderr
        assert len(w.slack.top_level(DIGEST)) == 1
        db = open_db(w.settings.digest_db_path)
        assert subscriptions.subscribed_channels(db) == [DIGEST]
        assert latest_delivery(db, DIGEST) is not None and latest_delivery(db, "#digest") is None
        assert get_cursor(db, repo, DIGEST) is not None and get_cursor(db, repo, "#digest") is None
        db.conn.close()
