"""DIGEST_SCHEDULE: a crontab expression, read with crontab's own rules, as an APScheduler trigger."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

from analysis.errors import CommitDigestError

CATCH_UP_DAYS = 31  # how far back a missed digest is looked for
_WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
_DAY_NAMES = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
_MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


class ScheduleError(CommitDigestError, ValueError):
    """The schedule is not a crontab expression, or it never fires; the message says why."""


def _weekday(token: str) -> int:
    if token.isdigit() and 0 <= int(token) <= 7:
        return int(token)
    if token in _WEEKDAYS or token in _DAY_NAMES:
        return _WEEKDAYS.index(token[:3])
    raise ScheduleError(f"{token!r} is not a weekday (0-7, where 0 and 7 are Sunday, or sun-sat)")


def crontab_weekdays(field: str) -> str:
    """A crontab day-of-week field (0 or 7 = Sunday, names, ranges, steps) as APScheduler day names."""
    if field in ("*", "?"):
        return "*"
    days: set[int] = set()
    for part in field.lower().split(","):
        span, _, step = part.partition("/")
        if step and not (step.isdigit() and int(step) > 0):
            raise ScheduleError(f"{part!r}: the step after / must be a positive number")
        if span == "*":
            lo, hi = 0, 6
        elif "-" in span:
            lo, hi = (_weekday(x) for x in span.split("-", 1))
            if hi < lo:
                raise ScheduleError(f"{span!r}: a weekday range must go forward (e.g. mon-fri or 5-7)")
        else:
            lo = hi = _weekday(span)
            hi = 7 if step else hi
        days.update(d % 7 for d in range(lo, hi + 1, int(step or 1)))
    return ",".join(_WEEKDAYS[d] for d in sorted(days))


def parse(expression: str, timezone: str) -> BaseTrigger:
    """The trigger of a crontab expression (or @daily-style macro) in `timezone`; raises ScheduleError."""
    expr = _MACROS.get(expression.strip().lower(), expression)
    fields = expr.split()
    if len(fields) != 5:
        raise ScheduleError(
            f"{expression!r} is not a 5-field cron expression (minute hour day month weekday)"
        )
    minute, hour, day, month, weekdays = fields
    tz = zoneinfo.ZoneInfo(timezone)
    try:
        dow = crontab_weekdays(weekdays)

        def cron(day_field: str, dow_field: str) -> CronTrigger:
            return CronTrigger(
                minute=minute, hour=hour, day=day_field, month=month, day_of_week=dow_field, timezone=tz
            )

        if day not in ("*", "?") and dow != "*":  # crontab fires when either the day or the weekday matches
            trig: BaseTrigger = OrTrigger([cron(day, "*"), cron("*", dow)])
        else:
            trig = cron(day, dow)
    except ScheduleError:
        raise
    except ValueError as e:
        raise ScheduleError(f"{expression!r} is not a valid cron expression: {e}") from None
    if trig.get_next_fire_time(None, dt.datetime.now(tz)) is None:
        raise ScheduleError(f"{expression!r} never fires (no date matches its day and month)")
    return trig


def last_fire_time(trig: BaseTrigger, now: dt.datetime) -> dt.datetime | None:
    """The latest time at or before `now` the schedule fired, looking back up to a month."""
    for days in (1, 8, CATCH_UP_DAYS):
        last = None
        t = trig.get_next_fire_time(None, now - dt.timedelta(days=days))
        while t is not None and t <= now:
            last = t
            t = trig.get_next_fire_time(t, t + dt.timedelta(seconds=1))
        if last is not None:
            return last
    return None
