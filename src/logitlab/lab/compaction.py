"""Edits folded into points, so a Lab state always fits in a message (issue 12, item 6).

Every point edit stays in the state (and in every frame) so that a link can
rebuild the points from the preset. Past :data:`MAX_EDITS` edits that costs more
than it gives: 12,000 edits made an Auto-train frame 797 KiB instead of 9 KiB,
and 69,000 made ``hello`` too large to send. :func:`compact` then turns the
current points into custom data kept in the server's data store
(:data:`~logitlab.lab.csv_data.STORE`, on disk since issue 12 item 9): the state
carries their content hash instead of the edits (a link says ``#csv=HASH``:
the points live on the Lab server that made them, and the page keeps a copy).
The experiment goes on: weights, steps and the loss curve are kept; the undo
history of the folded edits is not.
"""

from __future__ import annotations

from logitlab.lab.csv_data import STORE
from logitlab.lab.points import PointStore
from logitlab.lab.protocol import MAX_NAME_CHARS, CustomData, DataSpec

MAX_EDITS = 500
"""Edits a state holds at most; one more folds them all into the points."""


def compact(points: PointStore, data: DataSpec) -> CustomData:
    """The stub of ``points`` stored as custom data named after ``data`` (see the notes)."""
    base = data.custom
    origin = base.source if base is not None and base.source else f"the {data.preset} preset"
    source = f"{origin}, edited (points kept by the Lab server)"[:MAX_NAME_CHARS]
    X, y = points.X, points.y
    full = CustomData(
        hash="",
        source=source,
        x_name=base.x_name if base is not None else "x",
        y_name=base.y_name if base is not None else "y",
        target_name=base.target_name if base is not None else "class",
        class_names=list(base.class_names) if base is not None else ["0", "1"],
        n_points=int(points.n),
        x=X[:, 0].tolist(),
        y=X[:, 1].tolist(),
        cls=y.astype(int).tolist(),
    )
    return STORE.put(full)
