"""A busy day of a CUDA-kernel repository as a real git repository: five commits, one very large."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.gitrepo import GitRepo

DAY = dt.date(2026, 1, 24)


def _kernel(name: str, lines: int) -> str:
    out = [f'#include "{name}.cuh"', "", f"namespace kernels::{name} {{", ""]
    for i in range(lines // 6):
        out += [
            f"__global__ void {name}_step_{i}(const float* __restrict__ x, float* y, int n) {{",
            "  int idx = blockIdx.x * blockDim.x + threadIdx.x;",
            f"  if (idx < n) y[idx] = x[idx] * {i + 1}.0f + y[idx];",
            "}",
            "",
            "",
        ]
    return "\n".join(out + ["}", ""])


def build_busy_day(path: Path) -> GitRepo:
    """The repository: a base commit the day before, then five commits of varied size on DAY (UTC)."""
    repo = GitRepo(path)
    repo.commit(
        "Initial import",
        {"README.md": "# kernels\n\nFast kernels.\n", "csrc/attention/launch.cu": _kernel("attention", 60)},
        date="2026-01-23T08:00:00+00:00",
    )
    repo.commit(
        "Fix a typo in the README (#4101)",
        {"README.md": "# kernels\n\nFast GPU kernels for attention and MoE.\n"},
        date="2026-01-24T01:00:00+00:00",
    )
    repo.commit(
        "[Perf] Unroll the attention launch loop (#4102)",
        {
            "csrc/attention/launch.cu": _kernel("attention", 140),
            "tests/test_attention.py": "def test_ok():\n    assert True\n",
        },
        date="2026-01-24T03:00:00+00:00",
    )
    repo.commit(
        "[Build] Compile for sm_90a and cache the CUDA toolchain in CI (#4103)",
        {
            "CMakeLists.txt": "cmake_minimum_required(VERSION 3.26)\nproject(kernels CUDA CXX)\n"
            'set(CMAKE_CUDA_ARCHITECTURES "80;86;89;90a")\n',
            ".github/workflows/ci.yml": "name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/cache@v4\n",
        },
        date="2026-01-24T05:00:00+00:00",
    )
    repo.commit(
        "[Feature] Fused MoE kernels for every expert layout (#4104)",
        {f"csrc/moe/layout_{i:03d}.cu": _kernel(f"moe_{i:03d}", 300) for i in range(120)},
        date="2026-01-24T07:00:00+00:00",
    )
    repo.commit(
        "Rename the scheduler's queue helper (#4105)",
        {
            "python/kernels/scheduler.py": "def next_batch(queue):\n    return queue.pop(0) if queue else None\n"
        },
        date="2026-01-24T09:00:00+00:00",
    )
    return repo
