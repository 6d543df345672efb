"""Untrusted text in the Markdown report stays text: rendered by a real CommonMark + GFM renderer, it
makes no link, image, HTML, heading, list, table or emphasis the product did not make, and no card can
make the report huge."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from analysis.models import (
    Analysis,
    AnalysisStatus,
    Card,
    Commit,
    Digest,
    DigestEntry,
    Importance,
    Insight,
    RepoDigest,
    Usage,
)
from analysis.report import render_card_markdown, render_markdown

PAYLOADS = [
    "[click](http://evil.example)",
    "![px](http://evil.example/p.png)",
    "<img src=x>",
    "<img src=http://evil.example/p.png onerror=alert(1)>",
    "<http://evil.example>",
    "<evil@evil.example>",
    "http://evil.example",
    "see https://evil.example/a_b?c=d|e for details",
    "www.evil.example",
    "mail evil@evil.example now",
    "//evil.example/x",
    "[x]: http://evil.example",
    "[x]",
    "# heading",
    "###### small heading #",
    "| a | b |",
    "|---|---|",
    "> quote",
    "- item",
    "+ item",
    "1. item",
    "2) item",
    "---",
    "===",
    "```",
    "~~~ python",
    "*emph* **strong** _under_ ~~strike~~",
    "<!-- comment --> <script>alert(1)</script>",
    "&lt;img src=x&gt; &#60;b&#62; &amp;",
    "`code` ` [y](http://evil.example)",
    "``x` [z](http://evil.example)``",
    "a \\",
    "[a](<http://evil.example>) [b][x] [c][]",
]
BENIGN = "plain words"
# What GFM would link by itself: a URL, a www. name, an e-mail address (an error note's bare host is not).
_ADDRESS = re.compile(r"(?:https?:|www\.|@|//)evil\.example")
_PRODUCT_HTML = re.compile(r'<a id="[\w-]+">(?:</a>)?|</a>|<br>')
REPO_URL = "https://github.com/acme/engine"


def _digest(text: str) -> Digest:
    """A digest with `text` in every field that comes from a commit, a model or an error."""

    def commit(n: int, importance: str) -> Commit:
        sha = f"{n:07x}" + "a" * 33
        return Commit(
            repo="acme/engine",
            sha=sha,
            message=f"{text} (#{n})\n\nbody",
            author_name=text,
            committed_at=datetime(2026, 1, 24, 12, n, tzinfo=UTC),
            url=f"{REPO_URL}/commit/{sha}",
        )

    card = Card(
        change_type=text,
        importance=Importance.HIGH,
        importance_reason=text,
        summary=[text, text],
        impact_scope=[text],
        insight=Insight(architecture=text, performance=text, security=text, maintainability=text),
        risks=[text, text],
        recommendations=[text],
        conclusion=text,
        not_read=[text, text],
    )
    high = DigestEntry(commit(1, "high"), Analysis("1", AnalysisStatus.DONE, Importance.HIGH, card=card))
    low_card = card.model_copy(update={"importance": Importance.LOW})
    low = DigestEntry(commit(2, "low"), Analysis("2", AnalysisStatus.DONE, Importance.LOW, card=low_card))
    failed = Analysis(
        "3", AnalysisStatus.FAILED, Importance.MEDIUM, reasons=[text, text], attempts=2, error=text
    )
    pending = Analysis("4", AnalysisStatus.PENDING, Importance.MEDIUM, reasons=[text])
    entries = [high, low, DigestEntry(commit(3, "m"), failed), DigestEntry(commit(4, "m"), pending)]
    return Digest(
        date="2026-01-24",
        timezone="UTC",
        language="en",
        repos=[
            RepoDigest(repo="acme/engine", url=REPO_URL, entries=entries),
            RepoDigest(repo=text, error=text),
        ],
        usage=Usage(llm_calls=3, prompt_tokens=10, completion_tokens=5),
        alerts=[text],
    )


def _renderer() -> MarkdownIt:
    """CommonMark with GitHub's extensions: tables, strikethrough, raw HTML, and autolinks of bare
    URLs and e-mail addresses (GFM links these and `www.` names, not bare domain names)."""
    md = MarkdownIt("gfm-like")
    md.linkify.set({"fuzzy_link": False})
    return md


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text outside and inside <code>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.code_depth = 0
        self.text_outside_code: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.code_depth += tag == "code"

    def handle_endtag(self, tag: str) -> None:
        self.code_depth -= tag == "code"

    def handle_data(self, data: str) -> None:
        if not self.code_depth:
            self.text_outside_code.append(data)


def _parse(markdown: str) -> tuple[_Tags, list[str]]:
    md = _renderer()
    raw = [t.content for t in md.parse(markdown) if t.type == "html_block"]
    for block in md.parse(markdown):
        raw += [c.content for c in block.children or [] if c.type == "html_inline"]
    tags = _Tags()
    tags.feed(md.render(markdown))
    return tags, raw


def _structure(tags: _Tags) -> list[str]:
    """The element names in document order, without the code spans untrusted text may add."""
    return [name for name, _ in tags.tags if name != "code"]


def _product_links(digest: Digest, tags: _Tags) -> set[str]:
    ids = {attrs["id"] for name, attrs in tags.tags if name == "a" and "id" in attrs}
    commits = [e.commit for r in digest.repos for e in r.entries]
    return {c.url for c in commits} | {f"{REPO_URL}/pull/{c.pr}" for c in commits} | {f"#{i}" for i in ids}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_untrusted_text_in_every_field_renders_as_text(payload: str):
    digest = _digest(payload)
    markdown = render_markdown(digest)
    tags, raw = _parse(markdown)
    benign, _ = _parse(render_markdown(_digest(BENIGN)))

    assert _structure(tags) == _structure(benign)  # no extra heading, list, table, quote, emphasis, link
    assert not [name for name, _ in tags.tags if name in ("img", "script", "s", "del", "h5", "h6", "pre")]
    hrefs = {attrs.get("href") for name, attrs in tags.tags if name == "a" and "href" in attrs}
    assert hrefs <= _product_links(digest, tags)
    assert all(name != "a" or "href" in attrs or set(attrs) == {"id"} for name, attrs in tags.tags)
    assert all(_PRODUCT_HTML.fullmatch(r.strip()) for r in raw), raw  # anchors and cell line breaks
    outside = "".join(tags.text_outside_code)
    assert not _ADDRESS.search(outside)  # every address shows as code, where nothing is a link
    assert "View commit" in outside and "PR #1" in outside


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_single_card_is_safe_too(payload: str):
    digest = _digest(payload)
    entry = digest.repos[0].entries[0]
    tags, raw = _parse(render_card_markdown(entry, "zh", REPO_URL))
    hrefs = {attrs.get("href") for name, attrs in tags.tags if name == "a" and "href" in attrs}
    assert hrefs <= {entry.commit.url, f"{REPO_URL}/pull/1"}
    assert not [name for name, _ in tags.tags if name in ("img", "script", "h1", "h2", "h4", "h5", "h6")]
    assert [name for name, _ in tags.tags].count("h3") == 1
    assert not _ADDRESS.search("".join(tags.text_outside_code))


def test_code_identifiers_stay_code_and_a_backtick_cannot_break_out():
    card = Card(
        change_type="refactor",
        importance=Importance.HIGH,
        summary=["Use `torch.compile` in `ModelRunner`", "odd ` tick then [x](http://evil.example) `"],
        risks=["``a`b`` is one span"],
    )
    commit = Commit("acme/engine", "b" * 40, "Title", "Ann", datetime(2026, 1, 24, tzinfo=UTC))
    entry = DigestEntry(commit, Analysis("b", AnalysisStatus.DONE, Importance.HIGH, card=card))
    tags, _ = _parse(render_card_markdown(entry))
    html = _renderer().render(render_card_markdown(entry))
    assert "<code>torch.compile</code>" in html and "<code>ModelRunner</code>" in html
    assert "<code>a`b</code>" in html
    assert not [name for name, attrs in tags.tags if name == "a" and "href" in attrs]


def test_insight_cells_keep_their_columns_with_pipes_in_code():
    card = Card(
        change_type="x",
        importance=Importance.HIGH,
        insight=Insight(architecture="`a | b` and c | d\nsecond `|` line"),
    )
    commit = Commit("acme/engine", "c" * 40, "Title", "Ann", datetime(2026, 1, 24, tzinfo=UTC))
    entry = DigestEntry(commit, Analysis("c", AnalysisStatus.DONE, Importance.HIGH, card=card))
    html = _renderer().render(render_card_markdown(entry))
    row = html.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert row.count("<td>") == 2 and "c | d" in row and "<br>" in row


@pytest.mark.parametrize(("language", "mark"), [("en", "(shortened)"), ("zh", "（已截断）")])
def test_a_huge_card_cannot_make_a_huge_report(language: str, mark: str):
    big = "x" * 500_000
    many = [f"point {i} " + "y" * 200 for i in range(5_000)]
    card = Card(
        change_type=big,
        importance=Importance.HIGH,
        importance_reason=big,
        summary=many,
        impact_scope=many,
        insight=Insight(architecture=big, performance="\n".join(many), security=big, maintainability=big),
        risks=many,
        recommendations=many,
        conclusion=big,
        not_read=many,
    )
    commit = Commit("acme/engine", "d" * 40, big, big, datetime(2026, 1, 24, tzinfo=UTC))
    entry = DigestEntry(commit, Analysis("d", AnalysisStatus.DONE, Importance.HIGH, card=card))
    digest = Digest("2026-01-24", "UTC", language, [RepoDigest("acme/engine", [entry, entry])])
    report = render_markdown(digest)
    assert len(report.encode()) < 250_000  # two cards of about 100 KB at most, not megabytes
    assert mark in report
    assert report.count("point 0 ") >= 5  # the first points of every list are kept
    assert "point 4999 " not in report
