// Features (issue 14): the polynomial degree, "standardize features" and the test share,
// and the radio group "confusion matrix of". Every number here comes from the server.

import { NumberControl } from "./controls.js";
import { setHidden, setText } from "./dom.js";
import { formatNumber } from "./format.js";

const COLUMNS = (d) => ((d + 1) * (d + 2)) / 2 - 1;

export class FeaturesPanel {
  constructor(doc, connection) {
    const send = (fields) => connection.sendLatest("features", { type: "set_features", ...fields });
    const busy = () => connection.busy("features");
    this.degree = new NumberControl(doc.getElementById("degree"), doc.getElementById("degree-box"), {
      min: 1,
      max: 6,
      integer: true,
      busy,
      onValue: (v) => send({ degree: v }),
    });
    this.share = new NumberControl(doc.getElementById("test-share"), doc.getElementById("test-share-box"), {
      min: 0,
      max: 0.5,
      digits: 3,
      busy,
      onValue: (v) => send({ test_share: v }),
    });
    this.busy = busy;
    this.standardize = doc.getElementById("standardize");
    this.standardize.addEventListener("change", () => send({ standardize: this.standardize.checked }));
    this.featuresNote = doc.getElementById("features-note");
    this.splitNote = doc.getElementById("split-note");
    this.radios = doc.getElementById("confusion-of");
    this.rowsCaption = doc.getElementById("confusion-rows");
    this.testKey = doc.getElementById("key-test");
    for (const radio of this.radios.querySelectorAll("input")) {
      radio.addEventListener("change", () => {
        if (radio.checked) connection.sendLatest("view", { type: "set_view", confusion_of: radio.value });
      });
    }
  }

  update(frame) {
    const model = frame.state.model;
    const degree = model.degree ?? 1;
    const standardize = model.standardize ?? false;
    this.degree.set(degree);
    // A frame answering an older command must not undo a click still on its way.
    if (!this.busy() && this.standardize.checked !== standardize) this.standardize.checked = standardize;
    const k = frame.n_classes ?? 2; // issue 14, part 3: K rows of names, "x (class 0)", …
    const all = frame.coefficients?.names ?? [];
    const names = k > 2 ? all.slice(0, all.length / k).map((n) => n.replace(/ \(class \d+\)$/, "")) : all;
    const columns = degree === 1 ? "x, y" : names.slice(0, -1).join(", ");
    const line = k > 2 ? "the boundaries between classes are straight lines" : "the boundary is a straight line";
    setText(
      this.featuresNote,
      degree === 1
        ? `Degree 1: the columns are x and y themselves, so ${line}${standardize ? " (standardized)" : ""}.`
        : `${COLUMNS(degree)} columns: ${columns}${standardize ? ", each standardized with the training points' mean and SD" : ""}.`,
    );
    const share = frame.state.data.test_share ?? 0;
    this.share.set(share);
    const m = frame.metrics;
    const nTest = m.n_test ?? 0;
    const split = nTest > 0;
    setText(
      this.splitNote,
      split
        ? `${m.n_points - nTest} training points, ${nTest} test points (hollow; drawn with seed ${frame.state.data.seed}). New points are training points.`
        : share > 0
          ? `Test share ${formatNumber(share, 3)} rounds to no test points here.`
          : "No split: every point is a training point.",
    );
    setHidden(this.radios, !split);
    setHidden(this.testKey, !split);
    const which = frame.state.view.confusion_of ?? "train";
    for (const radio of this.radios.querySelectorAll("input")) {
      const on = radio.value === which;
      if (radio.checked !== on) radio.checked = on;
    }
    setText(this.rowsCaption, split ? ` · ${which === "test" ? "test" : "training"} points` : "");
  }
}
