import pytest

from bot.slack.client import make_client
from storage.db import open_db
from tests.fakes.slack import FakeSlack

CHANNEL = "C0DIGEST"


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def client(slack):
    return make_client(slack.token, slack.url)


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "digest.db")
