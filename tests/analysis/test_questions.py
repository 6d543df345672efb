"""A question's answer checked against its material: only its SHAs and paths, no links, bounded."""

from __future__ import annotations

from analysis.question_material import Material
from analysis.questions import ANSWER_CHARS, ThreadAnswer, check_text, checked_answer, facts_answer
from storage.db import open_db
from tests.fakes.digests import SHA, seed_commit


def material(tmp_path) -> Material:
    entry = seed_commit(open_db(str(tmp_path / "q.db")))
    return Material([entry], entry.commit)


def test_only_the_materials_shas_and_paths_stay(tmp_path) -> None:
    m = material(tmp_path)
    text = check_text(
        f"See [{SHA[:10]}] and 0123abc4567; fa4.py, python/sglang/jit_kernel/ and src/evil/made.py "
        "and/or www.evil.example/x http://a.example done",
        m,
    )
    assert SHA[:10] in text and "fa4.py" in text and "python/sglang/jit_kernel/" in text
    assert "and/or" in text and text.endswith("done")
    assert "0123abc4567" not in text and "evil" not in text and "example" not in text
    out = checked_answer(ThreadAnswer(answer="x" * 9000, commits=[SHA[:8], "f" * 40], files=["a/b.py"]), m)
    assert out.commits == [SHA] and out.files == [] and len(out.text) <= ANSWER_CHARS


def test_without_a_model_the_facts_say_so_in_chinese(tmp_path) -> None:
    out = facts_answer(material(tmp_path), "zh")
    assert "未配置模型" in out.text and "Moves the FA4 kernel" in out.text
