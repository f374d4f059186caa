"""The session-only settings of the trust views (issue 16): the selected point and two overlays.

They are not part of :class:`~logitlab.lab.protocol.LabState` (a shared link opens
with nothing selected and the overlays off). :class:`TrustSpec` is immutable: a
command replaces it, so the session's restore-on-error covers it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from logitlab.lab.protocol import AddPoint, ClearPoints, DeletePoint, Edit


@dataclass(frozen=True)
class TrustSpec:
    selected: int | None = None
    """Index of the point the Point inspector shows (None: nothing selected)."""
    show_influence: bool = False
    """Draw every point's marker sized by its influence."""
    show_band: bool = False
    """Draw the 95 % confidence band around p̂ = τ."""
    deleted: int | None = None
    """The index the selected point had when it was deleted (an undo selects it again)."""

    def after_edit(self, edit: Edit) -> TrustSpec:
        """The selection after ``edit``: indices after a deleted point move down by one."""
        s = self.selected
        if isinstance(edit, ClearPoints):
            return replace(self, selected=None, deleted=None)
        if isinstance(edit, DeletePoint) and s is not None:
            if edit.index == s:
                return replace(self, selected=None, deleted=s)
            if edit.index < s:
                return replace(self, selected=s - 1, deleted=None)
        return replace(self, deleted=None)

    def after_undo(self, undone: Edit, n_points: int) -> TrustSpec:
        """The selection after undoing ``undone`` (``n_points``: the count after the undo)."""
        s = self.selected
        if isinstance(undone, DeletePoint):
            if self.deleted is not None and self.deleted == undone.index:
                return replace(self, selected=undone.index, deleted=None)
            if s is not None and undone.index <= s:
                s += 1
        elif isinstance(undone, AddPoint) and s is not None and s >= n_points:
            s = None
        if s is not None and s >= n_points:
            s = None
        return replace(self, selected=s, deleted=None)
