// "Fit exactly" and "Copy as scikit-learn / logitlab code" (issue 15, part 5).
// The server fits (fit_exact) and writes the snippet (show_code, Frame.code from
// lab/snippets.py); this panel shows it in a read-only box named "code" and copies it
// when the browser allows. Without clipboard permission the text stays selectable there.

import { setHidden, setText } from "./dom.js";

const NAMES = { sklearn: "scikit-learn", logitlab: "logitlab" };

export class CodePanel {
  constructor(doc, connection, trainer) {
    this.connection = connection;
    this.box = doc.getElementById("code-box");
    this.note = doc.getElementById("code-note");
    this.shown = null; // the Frame.code payload in the box
    this.wanted = null; // {flavor, seq} of the copy the user asked for, until answered
    doc.getElementById("fit-exact").addEventListener("click", () => {
      trainer.setAuto(false); // training on would leave the optimum at once
      connection.send({ type: "fit_exact" });
    });
    for (const [id, flavor] of [
      ["copy-sklearn", "sklearn"],
      ["copy-logitlab", "logitlab"],
    ]) {
      doc.getElementById(id).addEventListener("click", () => {
        const seq = connection.send({ type: "show_code", flavor });
        this.wanted = { flavor, seq };
        setText(this.note, `Writing the ${NAMES[flavor]} code…`);
      });
    }
  }

  update(frame) {
    const code = frame.code;
    if (code && code !== this.shown) {
      this.shown = code;
      this.box.value = code.text;
      this.box.rows = Math.min(18, code.text.split("\n").length);
      setHidden(this.box, false);
    }
    const w = this.wanted;
    if (w === null || frame.seq < w.seq || !this.shown || this.shown.flavor !== w.flavor) return;
    this.wanted = null;
    this.copy(NAMES[w.flavor]);
  }

  copy(name) {
    const done = () => setText(this.note, `Copied the ${name} code to the clipboard (it is also in the box).`);
    const refused = () => {
      // No clipboard permission: select the text, so Ctrl+C (or the menu) copies it.
      this.box.focus();
      this.box.select();
      setText(this.note, `The ${name} code is in the box, selected: copy it with Ctrl+C (⌘C).`);
    };
    if (!navigator.clipboard?.writeText) {
      refused();
      return;
    }
    navigator.clipboard.writeText(this.box.value).then(done, refused);
  }
}
