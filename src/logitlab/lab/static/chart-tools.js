// The buttons around the data chart that touch needs: Undo, Delete point (a mode: while
// it is pressed, a tap removes the point under it) and Fit view (axes around most points).

import { setAttr } from "./dom.js";

export class ChartTools {
  constructor(doc, connection, chart) {
    this.undo = doc.getElementById("undo-edit");
    this.undo.addEventListener("click", () => connection.send({ type: "undo" }));
    this.remove = doc.getElementById("delete-mode");
    this.remove.addEventListener("click", () => {
      chart.deleteMode = !chart.deleteMode;
      setAttr(this.remove, "aria-pressed", String(chart.deleteMode));
      chart.root.dataset.deleteMode = String(chart.deleteMode); // the pointer shows the mode
    });
    this.fit = doc.getElementById("fit-view");
    this.fitMode = "all";
    this.fit.addEventListener("click", () =>
      connection.send({ type: "set_view", fit: this.fitMode === "most" ? "all" : "most" }),
    );
    this.canUndo = null;
  }

  update(frame) {
    this.fitMode = frame.state.view.fit ?? "all";
    setAttr(this.fit, "aria-pressed", String(this.fitMode === "most"));
    // Point edits and (issue 14) degree / standardize / test-share changes.
    const canUndo = frame.can_undo ?? frame.state.data.edits.length > 0;
    if (canUndo !== this.canUndo) {
      this.canUndo = canUndo;
      this.undo.disabled = !canUndo;
    }
  }
}
