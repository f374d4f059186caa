// The Inference view (issue 16): summary()'s coefficient table for the current points and
// weights, shown at the optimum (views/inference.py formats every cell in Python).

import { setHidden, setText } from "./dom.js";

export class InferencePanel {
  constructor(doc) {
    this.doc = doc;
    this.message = doc.getElementById("inference-message");
    this.table = doc.getElementById("inference-table");
    this.stats = doc.getElementById("inference-stats");
    this.se = doc.getElementById("inference-se");
    this.notes = doc.getElementById("inference-notes");
    this.shape = "";
  }

  update(frame) {
    const inf = frame.inference;
    if (inf === null || inf === undefined) return;
    setText(this.message, inf.message);
    setHidden(this.message, inf.message === "");
    const ok = inf.state === "ok";
    setHidden(this.table, !ok);
    setHidden(this.stats, !ok);
    setText(this.se, ok ? inf.se_kind : "");
    setHidden(this.se, !ok);
    const shape = ok ? [inf.header.join("|"), ...inf.rows.map((r) => r.name), ...inf.stats.map((s) => s.name)].join("/") : "";
    if (shape !== this.shape) {
      this.shape = shape;
      this.build(inf);
    }
    if (ok) {
      const rows = this.table.tBodies[0].rows;
      inf.rows.forEach((r, i) => r.cells.forEach((c, j) => setText(rows[i].cells[j + 1], c)));
      inf.stats.forEach((s, i) => setText(this.stats.children[i].lastElementChild, s.value));
    }
    const notes = inf.notes.join("\n");
    if (notes !== this.notesText) {
      this.notesText = notes;
      this.notes.replaceChildren(
        ...inf.notes.map((n) => {
          const li = document.createElement("li");
          li.textContent = n;
          return li;
        }),
      );
    }
  }

  build(inf) {
    const d = this.doc;
    const head = d.createElement("tr");
    head.append(d.createElement("td"));
    for (const h of inf.header) {
      const th = d.createElement("th");
      th.scope = "col";
      th.textContent = h;
      head.append(th);
    }
    this.table.tHead.replaceChildren(head);
    this.table.tBodies[0].replaceChildren(
      ...inf.rows.map((r) => {
        const tr = d.createElement("tr");
        const th = d.createElement("th");
        th.scope = "row";
        th.textContent = r.name;
        tr.append(th, ...r.cells.map(() => d.createElement("td")));
        return tr;
      }),
    );
    this.stats.replaceChildren(
      ...inf.stats.map((s) => {
        const div = d.createElement("div");
        const dt = d.createElement("dt");
        dt.textContent = s.name;
        const dd = d.createElement("dd");
        dd.dataset.stat = s.name === "log-likelihood" ? "log-likelihood" : s.name.toLowerCase();
        div.append(dt, dd);
        return div;
      }),
    );
  }
}
