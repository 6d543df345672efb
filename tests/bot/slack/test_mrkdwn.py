import re

import pytest

from bot.slack.mrkdwn import ELLIPSIS, escape, link, truncate
from tests.fakes.slack import MENTION

HOSTILE = [
    "<!channel>",
    "<!here|here>",
    "<!everyone>",
    "<!subteam^S012AB|@team>",
    "<@U123>",
    "<@W123|bob>",
    "<#C123>",
    "@channel",
    "@here please",
    "ping @everyone",
    "@Channel",
    "&lt;!channel&gt;",
    "&amp;lt;@U1&amp;gt;",
    "<<!channel>>",
    "<\u200b!channel>",
    "<!channel\u0000>",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_leaves_no_mention_and_no_raw_bracket(text):
    out = escape(text)
    assert "<" not in out and ">" not in out
    assert MENTION.search(out) is None
    assert not re.search(r"@(channel|here|everyone)", out, re.I)


def test_escape_escapes_the_three_characters():
    assert escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"


def test_escape_keeps_an_already_escaped_entity_visible_as_text():
    assert escape("&lt;") == "&amp;lt;"


def test_escape_strips_control_and_bidi_characters_but_keeps_newlines():
    assert escape("a\x00b\x07c\u202ed\nе\tf") == "abcd\nе\tf"


def test_escape_leaves_ordinary_text_alone():
    assert escape("Fix: mistake sigmoid in kda (#17508)") == "Fix: mistake sigmoid in kda (#17508)"


def test_link_builds_a_slack_link():
    assert link("https://github.com/a/b/commit/1", "Fix bug") == "<https://github.com/a/b/commit/1|Fix bug>"


def test_link_escapes_label_and_removes_pipe():
    out = link("https://x.test/", "a|b > <!here>")
    assert out.startswith("<https://x.test/|")
    label = out[len("<https://x.test/|") : -1]
    assert "|" not in label and "<" not in label and ">" not in label
    assert MENTION.search(out) is None


def test_link_encodes_characters_that_would_break_out_of_the_url():
    out = link("https://x.test/a?b=1&c=<2>|3", "t")
    assert out == "<https://x.test/a?b=1&amp;c=%3C2%3E%7C3|t>"


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://x.test/", "slack://open", "", None, "//x.test", "https:///x"]
)
def test_link_refuses_non_http_urls(url):
    assert link(url, "title <b>") == "title &lt;b&gt;"


def test_truncate_keeps_short_text():
    assert truncate("abc", 3) == "abc"


def test_truncate_adds_ellipsis_within_limit():
    out = truncate("abcdefghij", 5)
    assert out == "abcd" + ELLIPSIS
    assert len(out) <= 5


@pytest.mark.parametrize("limit", range(1, 40))
def test_truncate_never_cuts_inside_an_entity_or_link(limit):
    text = escape("a&b <c> d&e") + " " + link("https://x.test/p", "label") + " tail"
    out = truncate(text, limit)
    assert len(out) <= limit
    body = out.removesuffix(ELLIPSIS)
    assert re.search(r"&[a-z]*$", body) is None
    for m in re.finditer(r"&", body):
        assert re.match(r"&(amp|lt|gt);", body[m.start() :]), body
    assert body.count("<") == body.count(">")
