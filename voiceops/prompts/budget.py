"""What rendering one prompt may cost, named in one place, and the error when it costs more.

A template is user code running inside the daemon and inside CI: `{{ "a" * 10**9 }}` or two
nested `range(100000)` loops must end in a diagnostic (validate) or a PromptError (a
session), not in a MemoryError or a hang. Each render gets a `Budget` (`within_budget`);
`voiceops.prompts.sandbox` spends it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any

from jinja2.utils import Namespace

from voiceops.errors import PromptError

#: The longest rendered system prompt or first message, in characters (also the largest
#: single piece of text a template may build along the way).
MAX_PROMPT_CHARS = 64 * 1024
#: All the text a render may build, output and intermediate values together.
MAX_WORK_CHARS = 4 * 1024 * 1024
#: Loop iterations, function, method and filter calls in one render.
MAX_STEPS = 100_000
#: Wall-clock time of one render; a real prompt renders in well under a millisecond.
MAX_RENDER_SECONDS = 2.0


class RenderBudgetExceeded(PromptError):
    """Raised when a render goes past a limit above: `code` is VO508 (too much text) or
    VO509 (too much work or time); `line` is the template line when known, `part` which
    text was rendering ("prompt" or "first_message")."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.line: int | None = None
        self.part = "prompt"


class Budget:
    """What one render has spent so far."""

    def __init__(self) -> None:
        self.steps = 0
        self.work = 0
        self.deadline = time.monotonic() + MAX_RENDER_SECONDS

    def step(self) -> None:
        """One loop iteration or call; raises once there were too many or time is up."""
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise RenderBudgetExceeded("VO509", f"template does more than {MAX_STEPS:,} loop "
                                                "steps and calls in one render")
        if time.monotonic() > self.deadline:
            raise RenderBudgetExceeded("VO509", f"template takes more than "
                                                f"{MAX_RENDER_SECONDS:g} s to render")

    def charge(self, chars: int) -> None:
        """Text of `chars` characters made: one value may not pass the prompt limit, all of
        them together may not pass the work limit."""
        allow(chars)
        self.work += chars
        if self.work > MAX_WORK_CHARS:
            raise RenderBudgetExceeded("VO508", f"template builds more than "
                                                f"{MAX_WORK_CHARS // 1048576} MB of text in "
                                                "one render")


_active: ContextVar[Budget | None] = ContextVar("voiceops_render_budget", default=None)


def current() -> Budget:
    """The budget of the render under way (outside `within_budget`, a fresh one: size
    checks still apply, steps and time are not counted)."""
    return _active.get() or Budget()


def within_budget(render: Callable[[Mapping[str, Any]], str], values: Mapping[str, Any]) -> str:
    """`render(values)` with a budget of its own; its output must fit in a prompt.

    Raises RenderBudgetExceeded, with the template line it stopped at when known.
    """
    token = _active.set(Budget())
    try:
        text = render(values)
    except RenderBudgetExceeded as exc:
        exc.line = _template_line(exc)
        raise
    finally:
        _active.reset(token)
    if len(text) > MAX_PROMPT_CHARS:
        raise RenderBudgetExceeded("VO508", f"rendered text is {len(text):,} characters; "
                                            f"a prompt is limited to {MAX_PROMPT_CHARS:,}")
    return text


def allow(chars: int) -> None:
    """Refuse, before it is made, one value longer than a prompt may be."""
    if chars > MAX_PROMPT_CHARS:
        # at least: `measure` stops counting just past the limit
        raise RenderBudgetExceeded("VO508", f"template makes a text of at least {chars:,} "
                                            f"characters; a prompt is limited to "
                                            f"{MAX_PROMPT_CHARS:,}")


def measure(value: Any, limit: int = MAX_PROMPT_CHARS) -> int:
    """About how long `str(value)` is, counting only up to just past `limit`: a list nesting
    itself 64 times is tiny in memory but prints 2**64 items."""
    total = 0
    pending = [value]
    while pending and total <= limit:
        item = pending.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, bool) or item is None or isinstance(item, float):
            total += 8
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1
        elif isinstance(item, Mapping):
            total += 2 + 4 * len(item)
            if total <= limit:
                pending.extend(item.keys())
                pending.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += 2 + 2 * len(item)
            if total <= limit:
                pending.extend(item)
        elif isinstance(item, Namespace):  # prints as <Namespace {...its attributes}>
            total += 12
            pending.append(item._Namespace__attrs)
        else:
            total += 16
    return total


def _template_line(exc: BaseException) -> int | None:
    """The template line the render stopped at: Jinja rewrites tracebacks to point there."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
