"""A link's state with invalid fields: keep the valid ones, name the others (issue 12, item 10).

A bad value in a link (``#tau=7``, ``#preset=nope``) used to make the page start
from the defaults: the server refused the whole ``hello``. :func:`repair_hello`
instead drops each field the validation names (``view.tau``, ``data.preset``)
and validates again, so the rest of the link is kept; the caller says which
fields were left out and why.
"""

from __future__ import annotations

import json
from typing import Any

import pydantic

from logitlab.lab.protocol import Hello

MAX_REPAIRS = 20
"""Fields dropped at most before the state counts as beyond repair."""


def _field_of(loc: tuple[int | str, ...]) -> tuple[str, ...] | None:
    """The state field (section, name) an error location points into, or None."""
    if len(loc) < 2 or loc[0] != "state":
        return None
    names = tuple(str(part) for part in loc[1:3] if isinstance(part, str))
    return names if len(names) == 2 else None  # a whole section or the version: no repair


def repair_hello(text: str) -> tuple[str, list[str]] | None:
    """A ``hello`` whose state failed validation, with the failing fields left out.

    Only a ``hello`` that asks for it (``"repair": true``) is repaired. Returns
    ``(json_text, problems)``, ``problems`` naming each dropped field and what was
    wrong with it; None when the message is not such a ``hello`` or cannot be repaired
    by dropping fields of the state's sections (the normal error answers it then).
    """
    try:
        data: Any = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("type") != "hello" or data.get("repair") is not True:
        return None
    if not isinstance(data.get("state"), dict):
        return None
    problems: list[str] = []
    for _ in range(MAX_REPAIRS):
        try:
            Hello.model_validate_json(json.dumps(data), strict=True)
        except pydantic.ValidationError as exc:
            errors = exc.errors(include_url=False)
            fields = [_field_of(tuple(e.get("loc", ()))) for e in errors]
            if not fields or any(f is None for f in fields):
                return None  # something besides a state field is wrong
            for field, error in zip(fields, errors, strict=True):
                assert field is not None
                if _drop(data["state"], field):
                    problems.append(f"{'.'.join(field)} ({error.get('msg', 'invalid')})")
            continue
        return (json.dumps(data), problems) if problems else None
    return None


def _drop(state: dict[str, Any], field: tuple[str, ...]) -> bool:
    """Remove ``field`` (section[, name]) from ``state``; False if it was not there."""
    if len(field) == 1 or not isinstance(state.get(field[0]), dict):
        return state.pop(field[0], None) is not None
    return state[field[0]].pop(field[1], None) is not None
