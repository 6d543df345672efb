"""The importance scorer and the heuristic card on representative commits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from analysis.heuristic import clean_title, heuristic_analysis, heuristic_card, impact_scope
from analysis.importance import ScoringRules, change_type_label, classify_path, score
from analysis.models import AnalysisStatus, Commit, FileChange, Importance
from analysis.sources.git import GitSource
from tests.gitrepo import GitRepo

HIGH, MEDIUM, LOW = Importance.HIGH, Importance.MEDIUM, Importance.LOW
MOE = "python/sglang/srt/layers/moe"


def commit(message: str, files: list[tuple[str, int, int]] | None = None, author: str = "Dev") -> Commit:
    return Commit(
        repo="sgl-project/sglang",
        sha="0123456789abcdef0123456789abcdef01234567",
        message=message,
        author_name=author,
        committed_at=datetime(2026, 1, 24, tzinfo=UTC),
        files=[FileChange(path=p, additions=a, deletions=d) for p, a, d in files or []],
    )


def source(n: int, lines: int, base: str = MOE) -> list[tuple[str, int, int]]:
    return [(f"{base}/part{i}.py", lines, 0) for i in range(n)]


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("python/sglang/srt/layers/moe/token_dispatcher/flashinfer.py", "source"),
        ("sgl-kernel/csrc/moe/moe_align.cu", "source"),
        ("test/srt/test_flashinfer_dispatcher.py", "test"),
        ("python/sglang/test/runners.py", "test"),
        ("src/pkg/parser_test.go", "test"),
        ("web/app.spec.ts", "test"),
        ("docs/advanced_features/expert_parallelism.md", "docs"),
        ("README.md", "docs"),
        ("python/sglang/srt/README.md", "docs"),
        (".github/workflows/pr-test.yml", "ci"),
        (".github/CI_PERMISSIONS.json", "ci"),
        ("scripts/ci/ci_install_dependency.sh", "ci"),
        (".pre-commit-config.yaml", "ci"),
        ("docker/Dockerfile", "build"),
        ("Dockerfile.rocm", "build"),
        ("python/pyproject.toml", "build"),
        ("setup.py", "build"),
        ("sgl-kernel/CMakeLists.txt", "build"),
        ("requirements-dev.txt", "build"),
        ("proto/sglang_scheduler_pb2.py", "generated"),
        ("web/static/app.min.js", "generated"),
        ("uv.lock", "lock"),
        ("frontend/package-lock.json", "lock"),
        ("rust/Cargo.lock", "lock"),
        ("poetry.lock", "lock"),
        ("third_party/cutlass/include/cute/tensor.hpp", "vendored"),
        ("vendor/github.com/x/y.go", "vendored"),
        ("assets/logo.png", "binary"),
        ("models/weights.safetensors", "binary"),
    ],
)
def test_classify_path(path, kind):
    assert classify_path(path) == kind


def test_large_new_backend_is_high():
    files = source(12, 60) + [("docs/advanced_features/ep.md", 10, 0), ("test/srt/test_fi.py", 100, 0)]
    s = score(commit("[NVIDIA] Add flashinfer all-to-all MOE dispatcher (#14668)", files))
    assert s.importance == HIGH and s.change_type == "feature"
    assert "touches 12 core source files" in s.reasons
    assert "720 lines changed in source" in s.reasons
    assert "new capability: dispatcher" in s.reasons


@pytest.mark.parametrize(
    ("title", "files", "tier", "kind", "reason"),
    [
        (
            "[Auto Sync] Update test_deterministic.py (20260124) (#17665)",
            [("test/srt/test_deterministic.py", 20, 5)],
            LOW,
            "test",
            "only tests changed",
        ),
        (
            "Add yeahdongcn to CI permissions (#17667)",
            [(".github/CI_PERMISSIONS.json", 7, 0)],
            LOW,
            "ci",
            "only CI changed",
        ),
        (
            "fix: nightly wheel naming for non-post versions (#17538)",
            [(".github/workflows/nightly.yml", 10, 3)],
            LOW,
            "fix",
            "only CI changed",
        ),
        ("docs: fix typo in the README", [("README.md", 1, 1)], LOW, "docs", "only docs changed"),
        (
            "chore(deps): bump torch",
            [("uv.lock", 200, 180), ("docs/install.md", 1, 1)],
            LOW,
            "chore",
            "only docs and lock files changed",
        ),
        (
            "[Bugfix] fix TypeError when log-requests-level >=2 in prefill node warmup (#17129)",
            source(1, 6),
            MEDIUM,
            "fix",
            "tag [Bugfix]",
        ),
        ("Fix: mistake sigmoid in kda (#17508)", source(1, 2), MEDIUM, "fix", "conventional prefix fix"),
        (
            "[NPU] torch_npu profiler tensorboard path type fix (#17545)",
            source(1, 4),
            MEDIUM,
            "fix",
            "mentions 'fix'",
        ),
        (
            "Refactor: Extract DeepSeek common utilities into shared module (#16969)",
            source(5, 100),
            MEDIUM,
            "refactor",
            "conventional prefix refactor",
        ),
        (
            "[Docker] Install cudnn==9.16 for cuda 13 image to avoid check error (#17668)",
            [("docker/Dockerfile", 3, 1)],
            LOW,
            "build",
            "only build and config files changed",
        ),
        (
            "[diffusion] model: LTX-2 Support (2/2) (#17496)",
            source(25, 150),
            HIGH,
            "feature",
            "touches 25 core source files",
        ),
        ('Revert "Add foo (#1)" (#2)', source(2, 40), MEDIUM, "revert", "reverts an earlier commit"),
        ("Update version", [("python/sglang/version.py", 1, 1)], LOW, "other", "small change (2 lines)"),
    ],
)
def test_reference_titles(title, files, tier, kind, reason):
    s = score(commit(title, files))
    assert (s.importance, s.change_type) == (tier, kind), s.reasons
    assert reason in s.reasons


def test_side_files_are_low_unless_breaking_or_security():
    docs = [("docs/security.md", 30, 2)]
    assert score(commit("Rewrite the contributing guide", docs)).importance == LOW
    flagged = score(commit("Document the security model", docs))
    assert flagged.importance == MEDIUM and "mentions security" in flagged.reasons
    breaking = score(commit("test!: drop the legacy fixtures", [("tests/conftest.py", 10, 200)]))
    assert breaking.importance != LOW and "marked breaking" in breaking.reasons


def test_breaking_and_security_signals():
    s = score(commit("feat(api)!: rename the generate endpoint", source(1, 10)))
    assert s.importance == HIGH and "marked breaking" in s.reasons and s.change_type == "feature"
    footer = score(commit("refactor: tidy server args\n\nBREAKING CHANGE: --foo is gone", source(1, 10)))
    assert "marked breaking" in footer.reasons and footer.importance == HIGH
    cve = score(commit("Harden the tokenizer loader\n\nAddresses CVE-2025-12345.", source(1, 30)))
    assert "mentions security" in cve.reasons and cve.importance == HIGH
    plain = score(commit("Harden the tokenizer loader", source(1, 30)))
    assert plain.importance == MEDIUM and plain.points < cve.points
    assert "deprecates something" in score(commit("Deprecate --old-flag", source(1, 10))).reasons


def test_tags_are_case_insensitive_and_unknown_tags_neutral():
    files = source(2, 30)
    a = score(commit("[Bugfix] handle empty batch", files))
    b = score(commit("[BUGFIX] handle empty batch", files))
    assert (
        (a.change_type, a.points, a.importance)
        == (b.change_type, b.points, b.importance)
        == ("fix", 4, MEDIUM)
    )
    plain = score(commit("handle empty batch", files))
    tagged = score(commit("[Kimi-Linear][2/N] handle empty batch", files))
    assert (plain.points, plain.change_type) == (tagged.points, tagged.change_type)
    kernel = score(commit("[Kernel] handle empty batch", files))
    assert kernel.points == plain.points + 1 and "tag [Kernel]" in kernel.reasons


def test_size_tiers_and_bots():
    tiny = score(commit("Use attn tp group in embedding", source(1, 10)))
    small = score(commit("Use attn tp group in embedding", source(1, 30)))
    big = score(commit("Use attn tp group in embedding", source(40, 60)))
    assert (tiny.importance, small.importance, big.importance) == (LOW, MEDIUM, HIGH)
    assert "2,400 lines changed in source" in big.reasons and "touches 40 core source files" in big.reasons
    bot = score(commit("Use attn tp group in embedding", source(1, 30), author="dependabot[bot]"))
    assert "bot author" in bot.reasons and bot.points == small.points - 2


def test_a_title_alone_when_files_are_unknown():
    s = score(commit("feat: add a speculative decoding backend"))
    assert s.change_type == "feature" and s.importance == MEDIUM
    assert s.reasons == ["conventional prefix feat", "new capability: backend"]


def test_rules_can_be_overridden():
    c = commit("[NVIDIA] Add flashinfer all-to-all MOE dispatcher", source(12, 60))
    assert score(c, ScoringRules(high_at=50, medium_at=40)).importance == LOW
    no_feature = ScoringRules(type_points={**ScoringRules().type_points, "feature": 0})
    assert score(c, no_feature).points == score(c).points - 4
    mine = ScoringRules(lock_files=("deps.snapshot",))
    assert classify_path("deps.snapshot", mine) == "lock" and classify_path("uv.lock", mine) != "lock"
    assert (
        score(commit("Update pins", [("deps.snapshot", 400, 400)]), mine).reasons[-1]
        == "only lock files changed"
    )


def test_change_type_labels():
    assert change_type_label("fix") == "bug fix"
    assert change_type_label("fix", "zh") == "问题修复"
    assert change_type_label("feature", "zh") == "功能增强"
    assert change_type_label("ci", "zh") == change_type_label("build", "zh") == "构建/CI"
    assert change_type_label("unheard-of") == "change"


def test_clean_title():
    assert clean_title("[NVIDIA] Add flashinfer all-to-all MOE dispatcher (#14668)") == (
        "Add flashinfer all-to-all MOE dispatcher"
    )
    assert clean_title("[MUSA][2/N] sgl-kernel build (#17053)") == "Sgl-kernel build"
    assert clean_title("feat(moe)!: add a dispatcher") == "Add a dispatcher"
    assert clean_title("[JIT Kernel]Add Some CUDA Runtime API Wrapper") == "Add Some CUDA Runtime API Wrapper"
    assert clean_title("(#12)") == "(#12)"


def test_heuristic_card_summary_scope_and_language():
    message = (
        "[NVIDIA] Add flashinfer all-to-all MOE dispatcher (#14668)\n\n"
        "<!-- Thank you for your contribution!\nPlease fill in the template. -->\n"
        "## Motivation\n\n- [x] Format your code\n"
        "* Wire the flashinfer alltoall into the MoE token dispatcher\n\n"
        "Co-authored-by: Someone <s@example.com>\n"
    )
    files = (
        source(12, 60)
        + source(3, 5, base="python/sglang/srt/models")
        + [("docs/advanced_features/ep.md", 10, 0), ("test/srt/test_fi.py", 100, 0), ("pyproject.toml", 1, 0)]
    )
    c = commit(message, files)
    s = score(c)
    card = heuristic_card(c, s)
    assert card.summary == [
        "Add flashinfer all-to-all MOE dispatcher",
        "Wire the flashinfer alltoall into the MoE token dispatcher",
    ]
    assert card.impact_scope == [
        f"{MOE} (12 files)",
        "python/sglang/srt/models (3 files)",
        "docs/advanced_features (1 file)",
        "pyproject.toml (1 file)",
        "test/srt (1 file)",
    ]
    assert card.change_type == "feature" and card.importance == HIGH
    assert card.importance_reason == "; ".join(s.reasons)
    assert card.risks == [] and card.recommendations == [] and card.insight.architecture == "none"
    zh = heuristic_card(c, s, "zh")
    assert zh.change_type == "功能增强" and zh.summary == card.summary


def test_impact_scope_merges_up_to_six_entries():
    files = [(f"pkg/mod{i}/sub/file.py", 1 + i, 0) for i in range(9)] + [
        (f"pkg/mod0/sub/x{i}.py", 1, 0) for i in range(4)
    ]
    scope = impact_scope(commit("Touch many modules", files))
    assert scope == ["pkg (13 files)"]
    wide = [(f"top{i}/file{j}.py", 1, 0) for i in range(8) for j in range(i + 1)]
    scope = impact_scope(commit("Touch many top-level dirs", wide))
    assert len(scope) == 6 and scope[0] == "top7 (8 files)" and scope[-1] == "top2 (3 files)"


def test_heuristic_analysis_record():
    c = commit("Fix crash on empty prompt\n\nSigned-off-by: Dev <d@example.com>", source(1, 4))
    s = score(c)
    a = heuristic_analysis(c, s, "zh")
    assert a.status == AnalysisStatus.HEURISTIC and a.sha == c.sha and a.language == "zh"
    assert a.scored == s.importance == a.importance and a.reasons == s.reasons
    assert a.card.summary == ["Fix crash on empty prompt"] and a.card.change_type == "问题修复"


async def test_scoring_a_fetched_local_commit(tmp_path):
    repo = GitRepo(tmp_path / "sglang")
    repo.commit("Initial import", {"README.md": "hi\n"})
    body = "".join(f"def f{i}():\n    return {i}\n" for i in range(30))
    files = {f"python/sglang/srt/layers/attention/backend{i}.py": body for i in range(6)}
    files["test/srt/test_backend.py"] = "def test():\n    pass\n"
    files["assets/diagram.png"] = b"\x89PNG\x00\x00\x01"
    sha = repo.commit("[Feature] Add a new attention backend (#101)\n\nThe backend runs on CPU.", files)
    src = GitSource(str(repo.path))

    c = await src.fetch(sha)
    s = score(c)
    card = heuristic_card(c, s)

    assert s.importance == HIGH and s.change_type == "feature"
    assert "360 lines changed in source" in s.reasons
    assert card.summary == ["Add a new attention backend", "The backend runs on CPU."]
    assert card.impact_scope[0] == "python/sglang/srt/layers/attention (6 files)"
