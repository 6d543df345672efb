"""DIGEST_SCHEDULE follows crontab: 0 and 7 are Sunday, names and ranges work, day OR weekday, never-firing refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.schedule import ScheduleError, crontab_weekdays, parse
from bot.settings import SettingsError, load_settings


def _fires(expr: str, start: datetime, n: int) -> list[datetime]:
    trig, out, t = parse(expr, "UTC"), [], start
    for _ in range(n):
        t = trig.get_next_fire_time(None, t)
        out.append(t)
        t += timedelta(minutes=1)
    return out


@pytest.mark.parametrize("expr", ["0 9 * * 7", "0 9 * * 0", "0 9 * * sun", "0 9 * * Sunday"])
def test_seven_zero_and_names_are_sunday(expr):
    assert {t.strftime("%a") for t in _fires(expr, datetime(2026, 1, 19, tzinfo=UTC), 3)} == {"Sun"}
    load_settings(digest_schedule=expr)  # accepted by the settings too


def test_ranges_through_seven_and_named_ranges():
    assert [t.strftime("%a") for t in _fires("0 9 * * 5-7", datetime(2026, 1, 19, tzinfo=UTC), 3)] == [
        "Fri",
        "Sat",
        "Sun",
    ]
    assert crontab_weekdays("mon-fri") == "mon,tue,wed,thu,fri"
    assert [t.month for t in _fires("0 9 1 jan,jul *", datetime(2026, 2, 1, tzinfo=UTC), 2)] == [7, 1]


def test_day_and_weekday_both_set_fire_on_either_as_crontab_does():
    days = _fires("0 9 13 * fri", datetime(2026, 2, 1, tzinfo=UTC), 4)
    assert [(t.day, t.strftime("%a")) for t in days] == [(6, "Fri"), (13, "Fri"), (20, "Fri"), (27, "Fri")]
    days = _fires("0 9 1 * mon", datetime(2026, 3, 1, tzinfo=UTC), 3)
    assert [(t.day, t.strftime("%a")) for t in days] == [(1, "Sun"), (2, "Mon"), (9, "Mon")]


def test_macros():
    assert _fires("@daily", datetime(2026, 1, 1, 10, tzinfo=UTC), 1) == [datetime(2026, 1, 2, tzinfo=UTC)]


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        ("0 9 31 2 *", "never fires"),
        ("0 9 30 2 *", "never fires"),
        ("0 9 * * 8", "not a weekday"),
        ("0 9 * * fri-mon", "must go forward"),
        ("0 9 * *", "5-field"),
        ("61 9 * * *", "not a valid cron"),
        ("0 9 * * */0", "positive number"),
    ],
)
def test_malformed_or_never_firing_schedules_are_refused_with_their_reason(expr, reason):
    with pytest.raises(ScheduleError, match=reason):
        parse(expr, "UTC")
    with pytest.raises(SettingsError, match=f"DIGEST_SCHEDULE: .*{reason}"):
        load_settings(digest_schedule=expr)


def test_a_leap_day_schedule_is_accepted():
    assert _fires("0 9 29 2 *", datetime(2026, 1, 1, tzinfo=UTC), 1)[0].year == 2028
