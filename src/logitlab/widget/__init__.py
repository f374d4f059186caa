"""The Lab inside Jupyter (issue 17): ``from logitlab.widget import Lab``; ``Lab()``.

Needs the ``[jupyter]`` extra (``pip install 'logitlab[jupyter]'``, which brings anywidget).
The base package never imports anywidget: :mod:`logitlab.widget.bundle` (the widget's ES
module, built from ``lab/static``) works without it, and ``Lab`` is imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from logitlab.widget._lab import Lab

__all__ = ["Lab"]

MISSING = (
    "logitlab.widget.Lab needs anywidget, which the base install leaves out: "
    "pip install 'logitlab[jupyter]'"
)


def __getattr__(name: str) -> Any:
    if name == "Lab":
        try:
            import anywidget  # noqa: F401
        except ImportError as exc:
            raise ImportError(MISSING) from exc
        from logitlab.widget._lab import Lab

        return Lab
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
