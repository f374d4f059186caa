// Save and share: JSON export / import of the whole LabState, PNG of the charts.

import { prepareImport } from "./csv-data.js";

function download(filename, url) {
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
}

export class FilesPanel {
  constructor(doc, connection, { currentState, charts }) {
    this.note = doc.getElementById("state-note");
    doc.getElementById("export-json").addEventListener("click", () => {
      const state = currentState();
      if (state === null) return;
      const blob = new Blob([JSON.stringify(state, null, 2)], { type: "application/json" });
      const url = URL.createObjectURL(blob);
      download("logitlab-state.json", url);
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      this.note.textContent = "Exported the lab's state as logitlab-state.json.";
    });
    const input = doc.getElementById("import-json");
    input.addEventListener("change", async () => {
      const file = input.files[0];
      input.value = "";
      if (file === undefined) return;
      let state;
      try {
        state = JSON.parse(await file.text());
      } catch {
        this.note.textContent = `${file.name} is not JSON; export a state from this page to get one.`;
        return;
      }
      try {
        state = await prepareImport(state); // CSV points go over HTTP, not the WebSocket
      } catch (error) {
        this.note.textContent = `Import failed: ${error.message}`;
        return;
      }
      this.importSeq = connection.send({ type: "import_state", state });
      this.note.textContent = `Imported ${file.name}.`;
    });
    doc.getElementById("download-png").addEventListener("click", () => {
      download("logitlab-charts.png", charts().toDataURL("image/png"));
    });
  }

  /** An error answering the import: say what the server found wrong. */
  error(message) {
    if (message.seq === this.importSeq) this.note.textContent = `Import failed: ${message.message}`;
  }
}
