"""The scorer's weights, thresholds and path patterns, and the class of a changed path under them."""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatch


@dataclass
class ScoringRules:
    """Weights, thresholds and path patterns of the scorer; every field can be overridden."""

    high_at: int = 7
    medium_at: int = 3
    type_points: dict[str, int] = field(
        default_factory=lambda: {
            "feature": 4, "fix": 3, "perf": 4, "refactor": 2, "revert": 3, "build": 1, "other": 2,
            "chore": 0, "docs": -1, "test": -1, "ci": -1, "style": -1, "merge": -1,
        }
    )  # fmt: skip
    prefixes: dict[str, str] = field(
        default_factory=lambda: {
            "feat": "feature", "feature": "feature", "fix": "fix", "bugfix": "fix", "hotfix": "fix",
            "perf": "perf", "refactor": "refactor", "docs": "docs", "doc": "docs", "test": "test",
            "tests": "test", "ci": "ci", "build": "build", "chore": "chore", "revert": "revert",
            "style": "style", "deps": "build",
        }
    )  # fmt: skip
    tags: dict[str, str] = field(
        default_factory=lambda: {
            "bugfix": "fix", "bug": "fix", "fix": "fix", "hotfix": "fix", "feature": "feature",
            "feat": "feature", "new feature": "feature", "refactor": "refactor", "docs": "docs",
            "doc": "docs", "documentation": "docs", "ci": "ci", "test": "test", "tests": "test",
            "build": "build", "docker": "build", "perf": "perf", "performance": "perf",
            "optimization": "perf", "misc": "chore", "chore": "chore", "revert": "revert",
            "style": "style", "lint": "style",
        }
    )  # fmt: skip
    tag_points: dict[str, int] = field(
        default_factory=lambda: {
            "auto sync": -2, "kernel": 1, "jit kernel": 1, "model": 1, "models": 1, "core": 1, "api": 1,
        }
    )  # fmt: skip
    verbs: dict[str, str] = field(
        default_factory=lambda: {
            "fix": "fix", "fixes": "fix", "fixed": "fix", "fixing": "fix", "bugfix": "fix", "hotfix": "fix",
            "correct": "fix", "resolve": "fix", "add": "feature", "adds": "feature", "added": "feature",
            "adding": "feature", "support": "feature", "supports": "feature", "implement": "feature",
            "introduce": "feature", "enable": "feature", "allow": "feature", "new": "feature",
            "refactor": "refactor", "refactors": "refactor", "restructure": "refactor", "extract": "refactor",
            "move": "refactor", "rename": "refactor", "cleanup": "refactor", "clean": "refactor",
            "simplify": "refactor", "unify": "refactor", "remove": "refactor", "delete": "refactor",
            "drop": "refactor", "optimize": "perf", "optimise": "perf", "speed": "perf", "speedup": "perf",
            "accelerate": "perf", "revert": "revert", "bump": "build", "upgrade": "build", "pin": "build",
            "document": "docs", "docs": "docs",
        }
    )  # fmt: skip
    mentions: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            "fix": ("fix", "fixes", "fixed", "bug", "bugfix", "crash", "regression"),
            "feature": ("support", "supports", "implement", "introduce"),
        }
    )  # words anywhere in a title that still give its type when the first word does not
    capability_words: tuple[str, ...] = (
        "kernel", "backend", "api", "endpoint", "dispatcher", "scheduler", "attention", "quantization",
        "operator", "model", "protocol", "plugin", "cli",
    )  # fmt: skip
    capability_points: int = 1
    breaking_points: int = 6
    security_points: int = 6
    deprecate_points: int = 2
    remove_points: int = 1
    bot_points: int = -2
    tiny_lines: int = 3
    tiny_points: int = -1
    line_steps: tuple[tuple[int, int], ...] = ((1000, 4), (300, 3), (100, 2), (20, 1))
    file_steps: tuple[tuple[int, int], ...] = ((30, 2), (10, 1))
    lock_files: tuple[str, ...] = (
        "poetry.lock", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "uv.lock", "Cargo.lock",
        "Gemfile.lock", "composer.lock", "Pipfile.lock", "go.sum", "flake.lock", "pdm.lock", "bun.lockb",
        "packages.lock.json", "conda-lock.yml",
    )  # fmt: skip
    vendored_dirs: tuple[str, ...] = ("third_party", "third-party", "thirdparty", "3rdparty", "vendor", "vendored", "node_modules", "external")  # fmt: skip
    generated_patterns: tuple[str, ...] = (
        "*_pb2.py", "*_pb2_grpc.py", "*_pb2.pyi", "*.pb.go", "*.pb.h", "*.pb.cc", "*.generated.*", "*.gen.go",
        "*.min.js", "*.min.css", "*.map", "*/generated/*", "generated/*", "*/__snapshots__/*",
    )  # fmt: skip
    binary_exts: tuple[str, ...] = (
        "png", "jpg", "jpeg", "gif", "ico", "bmp", "webp", "pdf", "zip", "gz", "tgz", "bz2", "xz", "tar",
        "whl", "so", "dylib", "dll", "exe", "bin", "pt", "pth", "safetensors", "onnx", "npy", "npz", "pkl",
        "woff", "woff2", "ttf", "otf", "mp3", "mp4", "wav", "jar", "pyc",
    )  # fmt: skip
    ci_patterns: tuple[str, ...] = (
        ".github/*", ".gitlab-ci.yml", ".gitlab/*", ".circleci/*", ".buildkite/*", ".travis.yml",
        "azure-pipelines*.yml", "Jenkinsfile", ".pre-commit-config.yaml", "ci/*", "*/ci/*", ".ci/*",
    )  # fmt: skip
    docs_dirs: tuple[str, ...] = ("docs", "doc", "documentation", "examples", "example")
    docs_exts: tuple[str, ...] = ("md", "rst", "adoc", "txt", "ipynb")
    docs_names: tuple[str, ...] = ("README*", "CHANGELOG*", "CHANGES*", "LICENSE*", "NOTICE*", "CONTRIBUTING*", "AUTHORS*", "CODEOWNERS")  # fmt: skip
    test_dirs: tuple[str, ...] = ("test", "tests", "testing", "__tests__", "spec", "benchmark", "benchmarks")
    test_names: tuple[str, ...] = ("test_*", "*_test.*", "*_tests.*", "*.test.*", "*.spec.*", "conftest.py")
    build_names: tuple[str, ...] = (
        "Dockerfile*", "*.dockerfile", "docker-compose*.yml", ".dockerignore", "pyproject.toml", "setup.py",
        "setup.cfg", "requirements*.txt", "MANIFEST.in", "CMakeLists.txt", "*.cmake", "Makefile", "*.mk",
        "package.json", "Cargo.toml", "go.mod", "build.gradle*", "pom.xml", "meson.build", "BUILD",
        "BUILD.bazel", "WORKSPACE", "*.bzl", "tox.ini", ".gitignore", ".gitattributes", ".editorconfig",
        ".clang-format", ".clang-tidy", "ruff.toml", ".flake8", "environment*.yml",
    )  # fmt: skip
    build_dirs: tuple[str, ...] = ("docker", "cmake")


DEFAULT_RULES = ScoringRules()


def classify_path(path: str, rules: ScoringRules | None = None) -> str:
    """One of source, test, docs, ci, build, generated, lock, vendored, binary."""
    r = rules or DEFAULT_RULES
    parts = path.strip("/").split("/")
    name, dirs = parts[-1], [p.lower() for p in parts[:-1]]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""

    def named(patterns: tuple[str, ...]) -> bool:
        return any(fnmatch(name, p) for p in patterns)

    if any(d in r.vendored_dirs for d in dirs):
        return "vendored"
    if name in r.lock_files:
        return "lock"
    if any(fnmatch(path, p) for p in r.generated_patterns):
        return "generated"
    if ext in r.binary_exts:
        return "binary"
    if any(fnmatch(path, p) for p in r.ci_patterns):
        return "ci"
    if any(d in r.test_dirs for d in dirs) or named(r.test_names):
        return "test"
    if (
        any(d in r.docs_dirs for d in dirs)
        or ext in r.docs_exts
        and not named(r.build_names)
        or named(r.docs_names)
    ):
        return "docs"
    if named(r.build_names) or any(d in r.build_dirs for d in dirs):
        return "build"
    return "source"
