"""Revert and fix-cause lineage from real commit messages: what is named, what links, what must not link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from analysis.lineage import Candidate, Link, find_links, incoming, index, link_report, parse_references
from tests.gitrepo import COMMITTER, GitRepo, git_env

T0 = datetime(2026, 7, 1, tzinfo=UTC)


def mk(sha: str, message: str, day: int) -> Candidate:
    return Candidate.of(sha.ljust(40, "0"), message, T0 + timedelta(days=day))


def test_git_revert_default_message_links_by_sha(tmp_path):
    repo = GitRepo(tmp_path / "r")
    repo.commit("Add the cache\n\nKeeps results.", {"a.txt": "1\n"}, date="2026-07-01T10:00:00+00:00")
    original = repo.commit("Speed up the cache (#12)", {"a.txt": "2\n"}, date="2026-07-02T10:00:00+00:00")
    env_date = "2026-07-03T10:00:00+00:00"
    repo.git("revert", "--no-edit", original, env=_env(env_date))
    revert = repo.head()
    again_date = "2026-07-04T10:00:00+00:00"
    repo.git("revert", "--no-edit", revert, env=_env(again_date))
    reapply = repo.head()
    log = repo.git("log", "-z", "--format=%H%x1f%ct%x1f%B")
    commits = []
    for rec in filter(None, log.split("\0")):
        sha, ts, msg = rec.strip("\n").split("\x1f", 2)
        commits.append(Candidate.of(sha, msg, datetime.fromtimestamp(int(ts), UTC)))
    by_sha = {c.sha: c for c in commits}
    assert by_sha[revert].title == 'Revert "Speed up the cache (#12)"'
    assert f"This reverts commit {original}." in by_sha[revert].message
    refs = parse_references(by_sha[revert].message, by_sha[revert].title)
    assert refs.is_revert and refs.revert_shas == (original,) and refs.revert_prs == (12,)
    assert refs.revert_title == "Speed up the cache"
    links = find_links(commits)
    assert Link("reverts", revert, original, "sha") in links
    # a revert of the revert links to the revert, not to the original
    assert Link("reverts", reapply, revert, "sha") in links
    assert not [ln for ln in links if ln.sha == reapply and ln.target_sha == original]
    assert {ln.sha for ln in incoming(links)[original]} == {revert}


def _env(date: str) -> dict[str, str]:
    return git_env(
        GIT_AUTHOR_DATE=date,
        GIT_COMMITTER_DATE=date,
        GIT_COMMITTER_NAME=COMMITTER[0],
        GIT_COMMITTER_EMAIL=COMMITTER[1],
    )


def test_github_squash_revert_by_quoted_title_and_reverts_line():
    orig = mk("76c583655c", "test: Add sharding support to scripts/task_run_unit_tests.sh (#4141)", 0)
    rev = mk(
        "6c85301d3b",
        'Revert "test: Add sharding support to scripts/task_run_unit_tests.sh" (#4344)\n\n'
        "Reverts flashinfer-ai/flashinfer#4141\n\n* NVFP4 quantization regression tests now skip unsupported GPU\n",
        2,
    )
    refs = parse_references(rev.message, rev.title)
    assert (
        refs.revert_prs == (4141,)
        and refs.revert_title == "test: Add sharding support to scripts/task_run_unit_tests.sh"
    )
    assert find_links([orig, rev]) == [Link("reverts", rev.sha, orig.sha, "pr")]


def test_revert_by_title_picks_the_most_recent_earlier_commit_with_that_title():
    old = mk("aaaaaaa111", "Enable the fast path (#10)", 0)
    newer = mk("bbbbbbb222", "Enable the fast path (#20)", 3)
    later = mk("ccccccc333", "Enable the fast path (#40)", 9)
    rev = mk("ddddddd444", 'Revert "Enable the fast path"', 5)
    assert find_links([old, newer, later, rev]) == [Link("reverts", rev.sha, newer.sha, "title")]


def test_revert_pr_number_forms():
    target = mk("290c091865", "Adds SM107 support (#4122)", 0)
    a = mk("6258e5220d", "Revert PR 4122 (#4171)", 2)
    b = mk("0a27ba3900", "revert: #3975 and #4129 (mamba checkpointing ssu 2-split + doc) (#4246)", 3)
    c3975 = mk("3975397500", "feat(mamba): checkpointing ssu 2-split (#3975)", 1)
    c4129 = mk("4129412900", "docs: mamba checkpointing (#4129)", 1)
    assert parse_references(a.message).revert_prs == (4122,)
    assert parse_references(b.message).revert_prs == (3975, 4129)
    links = find_links([target, c3975, c4129, a, b])
    assert Link("reverts", a.sha, target.sha, "pr") in links
    assert {ln.target_sha for ln in links if ln.sha == b.sha} == {c3975.sha, c4129.sha}


def test_revert_of_a_github_revert_links_to_the_revert():
    orig = mk("1111111aaa", "feat: Support lse in trtllm paged attn kernels (#3058)", 0)
    rev = mk("2222222bbb", 'Revert "Support lse in trtllm paged attn kernels" (#3079)', 1)
    rerev = mk("3333333ccc", 'Revert "Revert "Support lse in trtllm paged attn kernels" (#3079)" (#3100)', 2)
    refs = parse_references(rerev.message)
    assert refs.revert_title == 'Revert "Support lse in trtllm paged attn kernels"' and refs.revert_prs == (
        3079,
    )
    assert Link("reverts", rerev.sha, rev.sha, "pr") in find_links([orig, rev, rerev])
    # newer git titles the revert of a revert 'Reapply "x"'
    reapply = mk("4444444ddd", 'Reapply "Support lse in trtllm paged attn kernels"', 3)
    assert (
        parse_references(reapply.message).revert_title == 'Revert "Support lse in trtllm paged attn kernels"'
    )
    assert Link("reverts", reapply.sha, rev.sha, "title") in find_links([orig, rev, reapply])


def test_truncated_github_title_matches_as_prefix():
    orig = mk("d5eaa429b1", "ci: refactor PR tests to hide failed spot jobs from PR status (#2500)", 0)
    rev = mk(
        "afcdd8026e", 'Revert "ci: refactor PR tests to hide failed spot jobs from PR status… (#2524)', 3
    )
    refs = parse_references(rev.message)
    assert refs.revert_title_truncated and refs.revert_prs == ()
    assert find_links([orig, rev]) == [Link("reverts", rev.sha, orig.sha, "title")]


def test_revert_without_quoted_title_takes_the_regression_it_names():
    orig = mk("2d4db829ac", "Improve GDN prefill perf by ~20-25% (#3742)", 0)
    rev = mk(
        "87ec71ca80",
        "Revert GDN prefill regression (#3889)\n\n## Description\n\nRevert GDN prefill regression introduced in\n"
        "[https://github.com/flashinfer-ai/flashinfer/pull/3742].\n",
        5,
    )
    assert find_links([orig, rev]) == [Link("reverts", rev.sha, orig.sha, "pr")]


@pytest.mark.parametrize(
    ("body", "shas", "prs"),
    [
        ("fix: guard the empty batch (#4100)\n\nThis fixes a regression from #4081.", (), (4081,)),
        ("fix: clamp the index\n\nThe regression introduced in abc1234 made it negative.", ("abc1234",), ()),
        (
            'fix: tile sizes\n\nFixes: 9ad17b634ccf ("smem <= 49152 to increase occupancy")',
            ("9ad17b634ccf",),
            (),
        ),
        (
            "feat: MegaMoE integration (#4079)\n\nFollow-up to #3980. This PR makes the path usable.",
            (),
            (3980,),
        ),
        ("ci: restore wheels\n\nThe nightly broke in #123 and stayed red.", (), (123,)),
        ("fix(test): repair main CI regressions from #4280 (artifacts pins) (#4290)", (), (4280,)),
    ],
)
def test_fix_cause_wording(body, shas, prs):
    refs = parse_references(body)
    assert not refs.is_revert
    assert (refs.cause_shas, refs.cause_prs) == (shas, prs)


def test_fix_causes_link_both_directions():
    cause = mk("abc1234def", "perf: reorder the loop (#4081)", 0)
    by_sha = mk("fedcba9876", "perf: vectorize loads", 1)
    fix_pr = mk("5555555aaa", "fix: guard the empty batch (#4100)\n\nThis fixes a regression from #4081.", 2)
    fix_sha = mk(
        "6666666bbb", "fix: clamp\n\nRegression introduced in fedcba9 when loads were vectorized.", 3
    )
    links = find_links([cause, by_sha, fix_pr, fix_sha])
    assert Link("follows_up", fix_pr.sha, cause.sha, "pr") in links
    assert Link("follows_up", fix_sha.sha, by_sha.sha, "sha") in links
    assert [ln.sha for ln in incoming(links)[cause.sha]] == [fix_pr.sha]


@pytest.mark.parametrize(
    "message",
    [
        "docs: explain the scheduler\n\nSee #123 for context.",
        "bump version to 0.6.17 (#4500)",
        "chore: update the model URL\n\nhttps://huggingface.co/acme/m/resolve/abc1234def5678/model.safetensors fixes a regression",
        "test: pin the model file\n\nsha256 of model.bin: 3f7a9c0e1b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a",
        "fix: revert to `.shared::cluster` in tma_load_2d (#4406)\n\nThe rewrite in #4027 changed it; reverts the gate.",
        "Add regression tests for the decode path (#4200)\n\nCovers #4100 and #4101.",
        "feat: faster topk (#4300)\n\nRelated: #4100. Reverting only the first fix causes errors.",
    ],
)
def test_mentions_that_are_not_causes_do_not_link(message):
    refs = parse_references(message)
    assert not refs.is_revert and refs.cause_shas == () and refs.cause_prs == ()
    target = mk("abc1234def", "perf: something (#123)", 0)
    other = mk("3f7a9c0e1b", "feat: other (#4100)", 0)
    assert find_links([target, other, mk("9999999999", message, 1)]) == []


def test_unresolved_references_say_why():
    a = mk("abc1234aaa", "one", 0)
    b = mk("abc1234bbb", "two", 0)
    rev = mk("7777777777", 'Revert "nothing like this"\n\nThis reverts commit abc1234.', 1)
    gone = mk("8888888888", "fix: x\n\nFollow-up to #999.", 1)
    bare = mk("9999999999", "revert reverse-iter", 1)
    links, missed = link_report([a, b, rev, gone, bare])
    assert links == []
    reasons = {(m.sha, m.ref): m.reason for m in missed}
    assert reasons[(rev.sha, "abc1234")] == "ambiguous SHA prefix"
    assert reasons[(rev.sha, "nothing like this")] == "no earlier commit with this title"
    assert reasons[(gone.sha, "#999")] == "no known commit for this PR"
    assert reasons[(bare.sha, "")] == "the message names no reverted commit"


def test_caller_lookups_and_ported_titles():
    ported = mk("71a10aff90", "fix(moe): return bf16 expert_weights (#3595) (#3644)", 0)
    fix = mk("2e1742a89f", "fix(moe): allocate expert_weights as bf16 (#3925)\n\nFollow-up to #3595.", 4)
    known = index([ported])
    assert find_links([fix], known) == [Link("follows_up", fix.sha, ported.sha, "pr")]
