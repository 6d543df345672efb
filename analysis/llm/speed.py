"""How fast the endpoint reads prompts and writes answers, fitted on requests it computed alone."""

from __future__ import annotations

_MIN_SAMPLES = 3
_KEPT = 64  # the latest answers (and unanswered requests) kept for the slowest answer token
_LONG_ENOUGH = 32  # an answer this long or longer tells its token's time apart from the request's overhead


class Speed:
    """Seconds per prompt token and per answer token, by least squares over answered requests; an answer token
    costs at least what it cost in the slowest of them (a grammar's cost grows with the answer)."""

    def __init__(self) -> None:
        self.samples = 0
        self._pp = self._pc = self._cc = self._pl = self._cl = 0.0
        # the highest seconds per answer token seen, counting the prompt's time as the answer's
        self._worst = 0.0
        # (prompt, answer tokens, seconds) of the latest answers long enough to time their tokens, and of requests
        # not answered in time (their max_tokens, the time they were given): each token cost at least that
        self._latest: list[tuple[int, int, float]] = []

    def add(self, prompt: int, completion: int, seconds: float) -> None:
        """Record one request computed alone: its tokens and how long it took."""
        if completion <= 0 or seconds <= 0:
            return
        self.samples += 1
        self._pp += prompt * prompt
        self._pc += prompt * completion
        self._cc += completion * completion
        self._pl += prompt * seconds
        self._cl += completion * seconds
        self._worst = max(self._worst, seconds / completion)
        if completion >= _LONG_ENOUGH:
            self._keep(prompt, completion, seconds)

    def _keep(self, prompt: int, tokens: int, seconds: float) -> None:
        self._latest = [*self._latest[1 - _KEPT :], (prompt, tokens, seconds)]

    def timed_out(self, prompt: int, max_tokens: int, seconds: float) -> None:
        """Record a request that was not answered in `seconds`: its answer tokens cost more than that allows."""
        if max_tokens > 0 and seconds > 0:
            self._worst = max(self._worst, seconds / max_tokens)
            self._keep(prompt, max_tokens, seconds)

    def _fit(self) -> tuple[float, float] | None:
        det = self._pp * self._cc - self._pc * self._pc
        if det <= 1e-9 * max(1.0, self._pp * self._cc):
            return None
        per_prompt = (self._pl * self._cc - self._cl * self._pc) / det
        per_answer = (self._cl * self._pp - self._pl * self._pc) / det
        if per_prompt < 0 or per_answer <= 0:
            return None
        return per_prompt, per_answer

    def max_answer(self, prompt: int, within: float) -> int | None:
        """Answer tokens the endpoint writes within `within` seconds after reading `prompt` tokens; None if unknown."""
        if self.samples < _MIN_SAMPLES:
            return None
        fit = self._fit()
        if fit is None:
            return int(within / self._worst)
        per_prompt, per_answer = fit
        # the slowest answer token of an answer, and more than that of a request left unanswered
        slowest = max([(s - p * per_prompt) / c for p, c, s in self._latest], default=0.0)
        return max(0, int((within - prompt * per_prompt) / max(per_answer, slowest)))
