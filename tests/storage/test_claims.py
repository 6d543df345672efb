"""Claims across processes: one holder at a time, a lease that runs out, a dead holder's claim freed."""

from __future__ import annotations

import subprocess
import sys
import time

from storage import claims
from storage.db import open_db


def test_one_holder_at_a_time_until_release(tmp_path):
    a, b = open_db(tmp_path / "d.db"), open_db(tmp_path / "d.db")  # two connections, as two processes
    first, second = claims.new_holder(), claims.new_holder()
    assert claims.acquire(a, "digest:C1:2026-01-24", first, 60)
    assert not claims.acquire(b, "digest:C1:2026-01-24", second, 60)
    assert claims.acquire(b, "digest:C2:2026-01-24", second, 60)  # another channel is free
    assert claims.holder_of(b, "digest:C1:2026-01-24") == first
    assert claims.renew(a, "digest:C1:2026-01-24", first, 60)
    assert not claims.renew(b, "digest:C1:2026-01-24", second, 60)
    claims.release(b, "digest:C1:2026-01-24", second)  # not theirs: nothing happens
    assert not claims.acquire(b, "digest:C1:2026-01-24", second, 60)
    claims.release(a, "digest:C1:2026-01-24", first)
    assert claims.acquire(b, "digest:C1:2026-01-24", second, 60)


def test_a_lapsed_lease_frees_the_claim(tmp_path):
    db = open_db(tmp_path / "d.db")
    other = "elsewhere.example:4242:feedface"  # a holder on another host: only its lease can run out
    assert claims.acquire(db, "analysis:o/r:abc", other, 0.2)
    assert not claims.acquire(db, "analysis:o/r:abc", claims.new_holder(), 60)
    time.sleep(0.3)
    assert claims.acquire(db, "analysis:o/r:abc", claims.new_holder(), 60)


def test_a_crashed_holder_on_this_host_loses_its_claim_at_once(tmp_path):
    path = tmp_path / "d.db"
    open_db(path).conn.close()
    code = (
        "import sys; from storage import claims; from storage.db import open_db;"
        f"db = open_db({str(path)!r}); print(claims.acquire(db, 'digest:C1:d', claims.new_holder(), 3600))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=".")
    assert out.stdout.strip() == "True"  # the process exited without releasing: as if killed
    assert claims.acquire(open_db(path), "digest:C1:d", claims.new_holder(), 60)
