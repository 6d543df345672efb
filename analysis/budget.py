"""Prompt packing: every prompt part fits its budget, every file is named."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field

from analysis.models import Commit, FileChange
from analysis.scoring_rules import classify_path
from analysis.tokens import clip_lines, clip_tokens, estimate_tokens, line_cost

_DETAILED = {"source": 0, "build": 1, "ci": 1, "test": 2, "docs": 3}  # hunk order by kind
_FILE_SHARE = 0.6  # at most this share of a part goes to one file's hunks
_LIST_SHARE = 0.35  # a file list up to this share of a part is repeated whole in every part
_HEADER_SHARE = 0.15  # the commit message is clipped to this share of a part
_OMITTED_SHARE = 0.08  # room kept for the "not shown" section
_MIN_CLIP = 40  # tokens: below this, a clipped hunk is not worth showing
_NAMES = 5  # paths named per omission line


@dataclass
class PromptPart:
    """One budgeted slice of a commit, ready to be the content of a prompt."""

    index: int  # 1-based
    total: int
    text: str
    tokens: int  # estimate_tokens(text)
    listed: list[str] = field(default_factory=list)  # paths named on their own line here
    summarized: list[str] = field(default_factory=list)  # paths covered by a directory line here
    shown: list[str] = field(default_factory=list)  # paths with at least one hunk shown here
    not_read: list[str] = field(default_factory=list)  # what no part of this commit shows


@dataclass
class _Slot:
    cap: int
    used: int = 0
    lines: list[str] = field(default_factory=list)  # file-list lines
    blocks: list[str] = field(default_factory=list)  # hunk text
    listed: list[str] = field(default_factory=list)
    summarized: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)

    @property
    def room(self) -> int:
        return self.cap - self.used


def _kind(f: FileChange) -> str:
    return "binary" if f.binary else classify_path(f.path)


def _file_line(f: FileChange, kind: str) -> str:
    old = f" (from {f.previous_path})" if f.previous_path else ""
    return f"{f.status[:1].upper()} {f.path}{old} +{f.additions} -{f.deletions} [{kind}]"


def _split_hunks(patch: str) -> list[str]:
    """The patch split into whole hunks, each starting at its `@@` line."""
    out: list[list[str]] = []
    for line in patch.splitlines():
        if line.startswith("@@") or not out:
            out.append([])
        out[-1].append(line)
    return ["\n".join(h) for h in out]


def _named_paths(paths: list[str]) -> str:
    more = f" and {len(paths) - _NAMES} more" if len(paths) > _NAMES else ""
    return ", ".join(paths[:_NAMES]) + more


def _commit_header(commit: Commit, room: int) -> str:
    when = commit.committed_at.isoformat(timespec="seconds")
    shown = os.path.basename(commit.repo.rstrip("/")) if os.path.isabs(commit.repo) else commit.repo
    head = f"Commit {shown}@{commit.sha} by {commit.author_name} on {when}\n"
    total = commit.total_files or len(commit.files)
    stats = f"Stats: {total} files, +{commit.additions} -{commit.deletions}\n"
    message = commit.message.strip()
    clipped = clip_lines(message, room - line_cost(head + stats + "Message:\n(message clipped)"))
    if clipped != message:
        clipped += "\n(message clipped)"
    return f"{head}Message:\n{clipped}\n{stats}"


def _parent(path: str) -> str:
    """The directory above a file path or a folded directory ("a/b/" -> "a/"; top level -> "./")."""
    stripped = path.rstrip("/")
    return stripped.rsplit("/", 1)[0] + "/" if "/" in stripped else "./"


def _file_list(files: list[tuple[FileChange, str]], fits: float) -> tuple[list[tuple[str, list[str]]], int]:
    """File-list lines with their paths, folding the largest directories into one line until they fit."""
    entries = [(line, [f.path], f.path, line_cost(line)) for f, k in files for line in [_file_line(f, k)]]
    stats = {f.path: (f.additions, f.deletions) for f, _ in files}
    total = sum(e[3] for e in entries)
    while total > fits:
        groups: dict[str, list[int]] = defaultdict(list)
        for i, e in enumerate(entries):
            if e[2] != "./":
                groups[_parent(e[2])].append(i)
        folds = [(d, idx) for d, idx in groups.items() if len(idx) > 1]
        if not folds:
            break
        target, idx = max(folds, key=lambda kv: len(kv[1]))
        paths = [p for i in idx for p in entries[i][1]]
        adds = sum(stats[p][0] for p in paths)
        dels = sum(stats[p][1] for p in paths)
        line = f"D {target} ({len(paths)} files, +{adds} -{dels}, not listed one by one)"
        drop = set(idx)
        total += line_cost(line) - sum(entries[i][3] for i in drop)
        kept = [e for i, e in enumerate(entries) if i not in drop]
        kept.insert(min(idx), (line, paths, target, line_cost(line)))
        entries = kept
    return [(e[0], e[1]) for e in entries], total


def pack(commit: Commit, budget: int, max_parts: int) -> list[PromptPart]:
    """Split a commit into at most `max_parts` prompt contents of at most `budget` tokens each."""
    files = [(f, _kind(f)) for f in commit.files]
    reserve = int(budget * _OMITTED_SHARE)
    header = _commit_header(commit, int(budget * _HEADER_SHARE))
    frame = line_cost(header) + line_cost("Part 99 of 99.") + line_cost("## Changes") + reserve
    frame += line_cost(
        "## Files (99999 files, +9999999 -9999999) (this part lists 99999 entries; other parts list the rest)"
    )
    cap = budget - frame
    list_cost = sum(line_cost(_file_line(f, k)) for f, k in files)
    full_list = list_cost <= cap * _LIST_SHARE
    lines, list_cost = _file_list(files, cap * (_LIST_SHARE if full_list else max_parts * 0.9))
    base = list_cost if full_list else 0
    slots = [_Slot(cap, base)]

    def slot_for(need: int, current: _Slot | None, title: str) -> tuple[_Slot | None, int]:
        """The slot that can take `need` tokens after this file's title (if it must be repeated)."""
        t = line_cost(title + " (continued)")
        last = slots[-1]
        extra = 0 if last is current else t
        if last.room - extra >= need:
            return last, last.room - extra
        if len(slots) < max_parts and cap - base - t >= need:
            slots.append(_Slot(cap, base))
            return slots[-1], cap - base - t
        return None, 0

    if not full_list:
        for line, paths in lines:
            slot, _ = slot_for(line_cost(line), slots[-1], "")
            if slot is None:  # the folded list is sized to fit the parts
                break
            slot.lines.append(line)
            slot.used += line_cost(line)
            (slot.summarized if line.startswith("D ") else slot.listed).extend(paths)

    omitted: dict[str, list[str]] = defaultdict(list)
    for f, k in files:
        if k not in _DETAILED:
            omitted[f"listed by name only ({k})"].append(f.path)
        elif f.patch is None and (f.changes or f.binary):  # an empty file or pure rename has no diff
            omitted["diff not available from the source"].append(f.path)
    share = int(cap * _FILE_SHARE)
    for f, k in sorted(
        ((f, k) for f, k in files if k in _DETAILED and f.patch), key=lambda fk: _DETAILED[fk[1]]
    ):
        hunks = _split_hunks(f.patch or "")
        title = f"### {f.path} ({k}, +{f.additions} -{f.deletions})"
        spent, shown, clipped, current = 0, 0, False, None
        for hunk in hunks:
            c = line_cost(hunk)
            whole = c <= share - spent
            slot, room = slot_for(c if whole else _MIN_CLIP, current, title)
            if slot is None or (not whole and shown):
                break
            if not whole:
                hunk = clip_lines(hunk, min(room, share - spent) - line_cost("(hunk clipped)"))
                if not hunk:
                    break
                hunk, clipped = hunk + "\n(hunk clipped)", True
                c = line_cost(hunk)
            if slot is not current:
                head = title + (" (continued)" if current else "")
                slot.blocks.append(head)
                slot.used += line_cost(head)
                slot.shown.append(f.path)
                current = slot
            slot.blocks.append(hunk)
            slot.used += c
            spent += c
            shown += 1
            if clipped:
                break
        if shown == 0:
            omitted["diff not shown (over the prompt budget)"].append(f.path)
        elif shown < len(hunks) or clipped:
            why = f"partly shown ({shown} of {len(hunks)} hunks{', the last clipped' if clipped else ''})"
            omitted[why].append(f.path)
    not_read = [f"{why}: {_named_paths(paths)}" for why, paths in omitted.items()]
    listed_count = len(commit.files)
    if commit.files_truncated or (commit.total_files or 0) > listed_count:
        missing = (commit.total_files or listed_count) - listed_count
        not_read.append(
            f"{missing} files not returned by the source" if missing else "file list cut short by the source"
        )
    folded = [line.split(" (")[0][2:] for line, _ in lines if line.startswith("D ")]
    if folded:
        not_read.append(f"files listed only as directory summaries: {_named_paths(folded)}")
    return _render(commit, header, slots, lines, full_list, not_read, reserve)


def _render(
    commit: Commit,
    header: str,
    slots: list[_Slot],
    lines: list[tuple[str, list[str]]],
    full_list: bool,
    not_read: list[str],
    reserve: int,
) -> list[PromptPart]:
    n_files = commit.total_files or len(commit.files)
    note = ""
    for item in not_read:
        if line_cost(note + f"- {item}\n") > reserve - line_cost("## Not shown") - 8:
            note += "- (further omissions not listed)\n"
            break
        note += f"- {item}\n"
    parts = []
    for i, s in enumerate(slots, 1):
        listing = [line for line, _ in lines] if full_list else s.lines
        scope = "" if full_list else f" (this part lists {len(listing)} entries; other parts list the rest)"
        text = f"Part {i} of {len(slots)}.\n{header}"
        text += f"## Files ({n_files} files, +{commit.additions} -{commit.deletions}){scope}\n"
        text += "\n".join(listing) + "\n## Changes\n" + "\n".join(s.blocks) + "\n"
        text += f"## Not shown\n{note}" if note else ""
        listed = [p for line, ps in lines for p in ps if not line.startswith("D ")] if full_list else s.listed
        summarized = (
            [p for line, ps in lines for p in ps if line.startswith("D ")] if full_list else s.summarized
        )
        parts.append(
            PromptPart(i, len(slots), text, estimate_tokens(text), listed, summarized, s.shown, not_read)
        )
    return parts


def overview(commit: Commit, budget: int) -> str:
    """The commit header and its files folded into directories, within `budget` tokens."""
    header = _commit_header(commit, int(budget * 0.4))
    files = [(f, _kind(f)) for f in commit.files]
    lines, _ = _file_list(files, budget - line_cost(header) - line_cost("## Files"))
    total = commit.total_files or len(commit.files)
    return clip_tokens(f"{header}## Files ({total} files)\n" + "\n".join(line for line, _ in lines), budget)
