// The training warning (Frame.divergence): a banner in the chart panel's flow, under the
// formula, so it never covers the chart or the stats. "×" hides it until the state changes.

import { setAttr, setHidden, setText } from "./dom.js";

const TITLES = {
  diverging: "Diverging.",
  separable: "Separable data: the weights keep growing.",
};

export class Banner {
  constructor(doc) {
    this.banner = doc.getElementById("banner");
    this.title = doc.getElementById("banner-title");
    this.text = doc.getElementById("banner-text");
    // A dismissed warning stays hidden until the state changes (back to "ok" or to another).
    this.state = "ok";
    this.dismissed = null;
    doc.getElementById("banner-close").addEventListener("click", () => {
      this.dismissed = this.state;
      setHidden(this.banner, true);
    });
  }

  update(frame) {
    const div = frame.divergence;
    if (div.state !== this.dismissed) this.dismissed = null;
    this.state = div.state;
    setHidden(this.banner, div.state === "ok" || div.state === this.dismissed);
    setAttr(this.banner, "data-state", div.state);
    setText(this.title, TITLES[div.state] ?? "");
    setText(this.text, [div.message, div.hint ?? ""].join(" ").trim());
  }
}
