"""The Jinja2 sandbox prompts render in, with a budget (`voiceops.prompts.budget`).

Jinja's own sandbox keeps templates away from Python internals but not from exhausting the
machine. On top of it (the immutable variant: no `list.append` doubling), every render
gets a `Budget`, and:

- every loop iteration, call and filter is a step (`MAX_STEPS`), each also checking the
  clock (`MAX_RENDER_SECONDS`): nested `range()` loops stop, whatever they output;
- every operation that can make a big value out of small ones is checked *before* it runs
  (`"a" * n`, `9 ** 9 ** 9`, `"%999999999d" % 1`, `"{:>999999999}".format(1)`, `|center`,
  `|replace`, `|join`, `str.join`...): no single value longer than `MAX_PROMPT_CHARS`;
- every piece of output, literal text included, and every value printed or joined is
  charged to `MAX_WORK_CHARS`, so output buffered inside `{% set %}` blocks or macros, or a
  nested list doubled in a loop, is bounded too;
- methods of built-in types other than a known list are refused (`(1).to_bytes(10**9)`).

The checks are inserted into a template's syntax tree before it compiles (`_generate`), so
every template of this environment has them, however it was created.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import wraps
from typing import Any

from jinja2 import Environment, nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import pass_context

from voiceops.prompts.budget import (
    MAX_PROMPT_CHARS,
    MAX_STEPS,
    RenderBudgetExceeded,
    allow,
    current,
    measure,
)

#: Integers past this many bits print longer than a prompt may be (about 3.3 bits a digit).
MAX_INT_BITS = MAX_PROMPT_CHARS * 3


# ---- operators ----------------------------------------------------------------------

_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_percent(template: str, args: Any) -> None:
    """`template % args` would not make a text longer than a prompt."""
    starred = False
    for width, precision in _PERCENT_SPEC.findall(template):
        for number in (width, precision):
            starred = starred or number == "*"
            if number.isdigit():
                allow(int(number))
    values = args if isinstance(args, tuple) else (args,)
    if starred:
        for value in values:
            if isinstance(value, int):
                allow(abs(value))
    allow(len(template) + sum(measure(v) for v in values))


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """`left <operator> right` would not make a value longer than a prompt."""
    sequences = (str, list, tuple)
    if operator == "%" and isinstance(left, str):
        _check_percent(left, right)
    elif operator == "+" and isinstance(left, sequences) and isinstance(right, sequences):
        allow(len(left) + len(right))
    elif operator == "*":
        if isinstance(left, int) and isinstance(right, sequences):
            left, right = right, left
        if isinstance(left, sequences) and isinstance(right, int):
            allow(measure(left) * max(right, 0))
        elif isinstance(left, int) and isinstance(right, int):
            _check_bits(left.bit_length() + right.bit_length())
    elif operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
        _check_bits(right * max(abs(left).bit_length() - 1, 0))


def _check_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise RenderBudgetExceeded("VO508", f"template computes a number of about "
                                            f"{bits * 3 // 10:,} digits; a prompt is "
                                            f"limited to {MAX_PROMPT_CHARS:,} characters")


def _check_format(template: str, values: list[Any]) -> None:
    """`template.format(*values)` would not make a text longer than a prompt."""
    for _, field, spec, _ in string.Formatter().parse(template):
        if field is None:
            continue
        for digits in re.findall(r"\d+", spec or ""):
            allow(int(digits))
        if spec and "{" in spec:  # a width, or a whole spec, taken from the arguments
            for value in values:
                if isinstance(value, int):
                    allow(abs(value))
                elif isinstance(value, str):
                    for digits in re.findall(r"\d+", value):
                        allow(int(digits))
    allow(len(template) + sum(measure(v) for v in values))


# ---- filters ------------------------------------------------------------------------

def _text(value: Any) -> str:
    allow(measure(value))
    return str(value)


def _check_replace(value: Any, old: Any, new: Any, count: Any = None) -> None:
    text, old, new = _text(value), str(old), str(new)
    found = len(text) + 1 if old == "" else text.count(old)
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    allow(len(text) + found * max(len(new) - len(old), 0))


def _check_join(value: Any, d: Any = "", attribute: Any = None) -> None:
    items = value if isinstance(value, (list, tuple)) else None
    allow(measure(value) + (len(items) * len(str(d)) if items is not None else 0))


def _check_indent(value: Any, width: Any = 4, first: Any = False, blank: Any = False) -> None:
    text = _text(value)
    indent = len(width) if isinstance(width, str) else int(width)
    allow(len(text) + (text.count("\n") + 1) * indent)


def _check_wordwrap(value: Any, width: Any = 79, break_long_words: Any = True,
                    wrapstring: Any = None, break_on_hyphens: Any = True) -> None:
    text = _text(value)
    breaks = len(text) // max(int(width), 1) + text.count(" ") + 1
    allow(len(text) + breaks * len(str(wrapstring or "\n")))


def _width(value: Any, width: Any = 80, *_: Any) -> None:
    allow(len(_text(value)) + int(width))


def _count(value: Any, size: Any = 1, *_: Any) -> None:
    allow(int(size))


def _indent_of(value: Any, indent: Any = None, *_: Any) -> None:
    allow(measure(value) * (1 + (len(str(indent)) if indent is not None else 0)))


#: Filters that can make a big value out of small arguments: each checks them first.
_EXPANDING: dict[str, Callable[..., None]] = {
    "replace": _check_replace,
    "join": _check_join,
    "indent": _check_indent,
    "wordwrap": _check_wordwrap,
    "center": _width,
    "format": lambda value, *args, **kwargs: _check_percent(_text(value), args or kwargs),
    "batch": _count,
    "slice": _count,
    "tojson": _indent_of,
    "sum": lambda value, *args, **kwargs: allow(measure([value, args, kwargs])),
}
#: Filters that only look at the shape of their input; every other one prints it.
_STRUCTURAL = frozenset({
    "abs", "attr", "count", "length", "default", "d", "dictsort", "first", "last", "float",
    "int", "groupby", "items", "list", "map", "min", "max", "random", "reject", "rejectattr",
    "select", "selectattr", "reverse", "round", "sort", "unique",
})


def _checked_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    check = _EXPANDING.get(name)
    passes = getattr(func, "jinja_pass_arg", None) is not None

    @wraps(func)
    def checked(*args: Any, **kwargs: Any) -> Any:
        budget = current()
        budget.step()
        given = args[1:] if passes else args  # the context, environment or eval context
        if given:
            if check is not None:
                check(*given, **kwargs)
            elif name not in _STRUCTURAL:
                allow(measure(given[0]))
        result = func(*args, **kwargs)
        if isinstance(result, (str, list, tuple)):
            budget.charge(len(result))
        return result

    return checked


@pass_context
def _loop_steps(context: Context, iterable: Iterable[Any]) -> Iterator[Any]:
    """A `{% for %}` loop's items, each one a step."""
    budget = current()
    for item in iterable:
        budget.step()
        yield item


@pass_context
def _charged_text(context: Context, value: Any) -> Any:
    """A value about to be printed or concatenated: measured and charged first."""
    current().charge(measure(value))
    return value


_LOOP, _TEXT = "voiceops_loop_steps", "voiceops_charged_text"


def _charged(node: nodes.Expr) -> nodes.Expr:
    if isinstance(node, nodes.Filter) and node.name == _TEXT:
        return node  # already checked (a tree compiled twice)
    return nodes.Filter(node, _TEXT, [], [], None, None, lineno=node.lineno)


def _instrument(tree: nodes.Template, environment: Environment) -> None:
    """Insert the budget's checks into a parsed template (see the module docstring)."""
    for loop in tree.find_all(nodes.For):
        if not (isinstance(loop.iter, nodes.Filter) and loop.iter.name == _LOOP):
            loop.iter = nodes.Filter(loop.iter, _LOOP, [], [], None, None, lineno=loop.lineno)
    for output in tree.find_all(nodes.Output):
        output.nodes = [_charged(nodes.Const(child.data, lineno=child.lineno))
                        if isinstance(child, nodes.TemplateData) else _charged(child)
                        for child in output.nodes]
    for concat in tree.find_all(nodes.Concat):
        concat.nodes = [_charged(child) for child in concat.nodes]
    tree.set_environment(environment)


# ---- methods ------------------------------------------------------------------------

def _check_str_method(text: str, name: str, args: tuple[Any, ...],
                      kwargs: Mapping[str, Any]) -> None:
    if name in ("center", "ljust", "rjust", "zfill") and args:
        allow(int(args[0]))
    elif name == "expandtabs":
        allow(len(text) + text.count("\t") * int(args[0] if args else kwargs.get("tabsize", 8)))
    elif name == "join" and args:
        _check_join(args[0], text)
    elif name == "replace" and len(args) >= 2:
        _check_replace(text, args[0], args[1], args[2] if len(args) > 2 else None)


_STR_METHODS = frozenset({
    "capitalize", "casefold", "count", "endswith", "find", "index", "isalnum", "isalpha",
    "isascii", "isdecimal", "isdigit", "isidentifier", "islower", "isnumeric", "isprintable",
    "isspace", "istitle", "isupper", "lower", "lstrip", "partition", "removeprefix",
    "removesuffix", "rfind", "rindex", "rpartition", "rsplit", "rstrip", "split",
    "splitlines", "startswith", "strip", "swapcase", "title", "upper",
    "center", "ljust", "rjust", "zfill", "expandtabs", "join", "replace",
})
#: Methods of built-in values a template may call; any other is refused.
_METHODS: dict[type, frozenset[str]] = {
    str: _STR_METHODS,
    dict: frozenset({"get", "items", "keys", "values", "copy"}),
    list: frozenset({"count", "index", "copy"}),
    tuple: frozenset({"count", "index"}),
}
_BUILTIN_VALUES = (str, bytes, int, float, complex, list, tuple, dict, set, frozenset, range)


def _check_method(func: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    owner = getattr(func, "__self__", None)
    if not isinstance(owner, _BUILTIN_VALUES) or not callable(func):
        return
    kind = next((t for t in _METHODS if isinstance(owner, t)), None)
    name = getattr(func, "__name__", "")
    if kind is None or name not in _METHODS[kind]:
        raise SecurityError(f"{type(owner).__name__}.{name}() is not available in prompt "
                            "templates")
    if isinstance(owner, str):
        _check_str_method(owner, name, args, kwargs)


def _capped_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_STEPS:
        raise RenderBudgetExceeded("VO509", f"range() of {len(numbers):,} numbers; a "
                                            f"template may take {MAX_STEPS:,} steps")
    return numbers


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    allow(int(n) * int(max) * 12)  # a word is at most about 12 characters
    from jinja2.utils import generate_lorem_ipsum

    return str(generate_lorem_ipsum(n, html, min, max))


class BudgetedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with every render's cost bounded (module docstring)."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["range"] = _capped_range
        self.globals["lipsum"] = _lipsum
        self.filters = {name: _checked_filter(name, func) for name, func in self.filters.items()}
        self.filters[_LOOP] = _loop_steps
        self.filters[_TEXT] = _charged_text

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """An intercepted operator: checked, then run, then charged."""
        current().step()
        _check_binop(operator, left, right)
        result = super().call_binop(context, operator, left, right)
        if isinstance(result, (str, list, tuple)):
            current().charge(len(result))
        return result

    def call(__self, __context: Context, __obj: Any,
             *args: Any, **kwargs: Any) -> Any:
        """A call from a template: a step; methods of built-in values checked first."""
        current().step()
        _check_method(__obj, args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        if isinstance(result, str):
            current().charge(len(result))
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """`str.format` and `format_map` from a template: no width or value wider than a
        prompt (Jinja's sandbox hands them out wrapped; this wraps them once more)."""
        sandboxed = super().wrap_str_format(value)
        if sandboxed is None:
            return None
        template: str = value.__self__
        is_map = value.__name__ == "format_map"

        def checked(*args: Any, **kwargs: Any) -> str:
            current().step()
            given = list(args[0].values()) if is_map and args and isinstance(
                args[0], Mapping) else [*args, *kwargs.values()]
            _check_format(template, given)
            result = sandboxed(*args, **kwargs)
            current().charge(len(result))
            return result

        return checked

    def _generate(self, source: nodes.Template, name: str | None, filename: str | None,
                  defer_init: bool = False) -> str:
        _instrument(source, self)
        return super()._generate(source, name, filename, defer_init)
