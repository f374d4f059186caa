// The replay step slider (Frame.replay, views/landscape.py): scrubbing it shows the model
// as it was at a training step (the server swaps in the weights it recorded, so every
// view follows). "Back to live" returns to the newest weights, "Resume from here" goes on
// training from the replayed step (dropping the later history), "Undo resume" undoes that.

import { setText } from "./dom.js";

export class ReplayPanel {
  constructor(doc, connection, trainer) {
    this.connection = connection;
    this.trainer = trainer;
    this.slider = doc.getElementById("replay-step");
    this.readout = doc.getElementById("replay-readout");
    this.note = doc.getElementById("replay-note");
    this.live = doc.getElementById("replay-live");
    this.resume = doc.getElementById("replay-resume");
    this.undo = doc.getElementById("replay-undo");
    this.payload = null;
    this.slider.addEventListener("input", () => {
      trainer.setAuto(false); // a training step would end the replay
      connection.sendLatest("replay", { type: "replay", step: Number(this.slider.value) });
    });
    this.live.addEventListener("click", () => connection.send({ type: "replay", step: null }));
    this.resume.addEventListener("click", () => connection.send({ type: "resume_replay" }));
    this.undo.addEventListener("click", () => {
      trainer.setAuto(false);
      connection.send({ type: "undo_resume" });
    });
  }

  update(frame) {
    const r = frame.replay;
    if (!r || r === this.payload) return;
    this.payload = r;
    const empty = r.last_step === null;
    this.slider.disabled = empty;
    if (!empty) {
      this.slider.min = String(r.first_step);
      this.slider.max = String(r.last_step);
      if (!this.connection.busy("replay")) this.slider.value = String(r.step ?? r.last_step);
    }
    const shown = r.step === null ? "live" : `step ${r.step}`;
    setText(this.readout, shown);
    this.slider.setAttribute("aria-valuetext", r.step === null ? `live, step ${r.last_step ?? 0}` : shown);
    this.live.disabled = r.step === null;
    this.resume.disabled = r.step === null;
    this.undo.disabled = !r.can_undo_resume;
    setText(this.note, r.text);
  }
}
