"""Per-channel subscriptions: which repositories a channel follows and which commits it sees."""

from __future__ import annotations

import dataclasses
import re
import shlex
from functools import lru_cache

import sqlite_utils

from analysis.errors import CommitDigestError
from analysis.identity import github_name
from analysis.models import Digest, DigestEntry, Importance
from analysis.sources import identity
from analysis.state import Subscription
from analysis.store import channel_subscriptions as subscription_store
from analysis.strings import t
from bot.settings import Settings

__all__ = ["Subscription", "UsageError", "filter_digest", "glob_match", "parse_subscribe"]

_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
SUBSCRIBE_USAGE = (
    "/digest subscribe owner/repo [paths=GLOB,...] [min=low|medium|high] "
    '[exclude-authors=A,...] [exclude-titles="[Auto Sync]",...]'
)


class UsageError(CommitDigestError, ValueError):
    """A command's arguments are malformed; the message (in English, or `text(language)`) says how to write them."""

    def __init__(self, key: str, /, **values: object) -> None:
        super().__init__(t("en", key, **values))
        self.key, self.values = key, values

    def text(self, language: str) -> str:
        """The message in `language`."""
        return t(language, self.key, **self.values)


def stored_name(sub: Subscription) -> str:
    """The name a subscription's repository's commits are stored under (a clone's absolute path)."""
    return identity(sub.repo)


def matches(sub: Subscription, entry: DigestEntry) -> bool:
    """True when the subscribed channel wants to see this commit."""
    c = entry.commit
    if entry.analysis.importance.rank < sub.min_importance.rank:
        return False
    who = {x.lower() for x in (c.author_name, c.author_login or "", c.author_email) if x}
    if any(a.lower() in who for a in sub.exclude_authors):
        return False
    title = c.title.lower()
    if any(x.lower() in title for x in sub.exclude_titles):
        return False
    if not sub.paths:
        return True
    paths = [p for f in c.files for p in (f.path, f.previous_path) if p]
    return any(glob_match(p, g) for p in paths for g in sub.paths)


def describe(sub: Subscription) -> str:
    """A one-line description of a subscription and its filters."""
    parts = [stored_name(sub)]  # a local clone by its directory name: no path of the bot's machine
    if sub.paths:
        parts.append("paths=" + ",".join(sub.paths))
    if sub.min_importance is not Importance.LOW:
        parts.append(f"min={sub.min_importance.value}")
    if sub.exclude_authors:
        parts.append("exclude-authors=" + ",".join(sub.exclude_authors))
    if sub.exclude_titles:
        parts.append("exclude-titles=" + ",".join(sub.exclude_titles))
    return " ".join(parts)


@lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def glob_match(path: str, pattern: str) -> bool:
    """Match a file path against a glob where `*` stays within a directory and `**` spans any depth."""
    pattern = pattern.strip().lstrip("/")
    if pattern.endswith("/"):
        pattern += "**"
    if "/" not in pattern:  # like .gitignore: a bare name matches at any depth
        pattern = "**/" + pattern
    return bool(_glob_regex(pattern).match(path))


def _split_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def parse_subscribe(channel: str, args: list[str]) -> Subscription:
    """A subscription from `/digest subscribe` arguments; raises UsageError."""
    if not args:
        raise UsageError("cmd_usage", usage=SUBSCRIBE_USAGE)
    repo = github_name(args[0])  # one identity: lower-case owner/repo, from any URL or .git form
    if repo is None:
        raise UsageError("not_a_repo", arg=args[0], usage=SUBSCRIBE_USAGE)
    sub = Subscription(channel=channel, repo=repo)
    for arg in args[1:]:
        key, sep, value = arg.partition("=")
        if not sep or not value.strip():
            raise UsageError("not_key_value", arg=arg, usage=SUBSCRIBE_USAGE)
        if key == "paths":
            sub.paths = _split_list(value)
        elif key == "min":
            try:
                sub.min_importance = Importance(value.strip().lower())
            except ValueError:
                raise UsageError("bad_min") from None
        elif key == "exclude-authors":
            sub.exclude_authors = _split_list(value)
        elif key == "exclude-titles":
            sub.exclude_titles = _split_list(value)
        else:
            raise UsageError("unknown_option", key=key, usage=SUBSCRIBE_USAGE)
    return sub


def split_args(text: str) -> list[str]:
    """Split command text like a shell, accepting Slack's curly quotes; raises UsageError."""
    try:
        return shlex.split(text.translate(_QUOTES))
    except ValueError as e:
        raise UsageError("bad_quotes", error=e) from None


def subscribe(db: sqlite_utils.Database, sub: Subscription, user: str | None = None) -> None:
    """Store a subscription, replacing the channel's earlier one for the same repository."""
    subscription_store.save_subscription(db, sub, user)


def unsubscribe(db: sqlite_utils.Database, channel: str, repo: str) -> bool:
    """Remove a channel's subscription; True when there was one."""
    if subscription_store.delete_subscription(db, channel, repo):
        return True
    name = github_name(repo)
    return name is not None and name != repo and subscription_store.delete_subscription(db, channel, name)


def channel_subscriptions(db: sqlite_utils.Database, channel: str) -> list[Subscription]:
    """The subscriptions of one channel, by repository."""
    return subscription_store.list_subscriptions(db, channel)


def subscribed_channels(db: sqlite_utils.Database) -> list[str]:
    """Every channel with at least one subscription."""
    return sorted({s.channel for s in subscription_store.list_subscriptions(db)})


def seed(db: sqlite_utils.Database, settings: Settings) -> int:
    """Subscribe DIGEST_CHANNEL to each DIGEST_REPOS repository it does not follow yet; return how many."""
    if not settings.digest_channel:
        return 0
    have = {s.repo for s in channel_subscriptions(db, settings.digest_channel)}
    added = 0
    for repo in settings.digest_repos:
        if repo not in have:
            subscribe(db, Subscription(channel=settings.digest_channel, repo=repo), user="DIGEST_REPOS")
            added += 1
    return added


def filter_digest(digest: Digest, subs: list[Subscription]) -> Digest:
    """The part of a digest a channel sees: its repositories, each filtered by its subscription."""
    by_name = {stored_name(s): s for s in subs} | {s.repo: s for s in subs}
    repos = []
    for rd in digest.repos:
        sub = by_name.get(rd.repo)
        if sub is None:
            continue
        repos.append(dataclasses.replace(rd, entries=[e for e in rd.entries if matches(sub, e)]))
    return dataclasses.replace(digest, repos=repos)
