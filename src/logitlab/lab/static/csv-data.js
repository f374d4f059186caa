// The user's own data: the "Load CSV" dialog, and keeping CSV points across reloads.
//
// The points travel over HTTP (POST /api/csv, POST /api/data, GET /api/data/HASH),
// never through the WebSocket; the session and every frame know them by their
// content hash (a "stub": hash and names, no points). This module keeps the full
// data in memory and in the browser's storage under "logitlab.csv.HASH", so a
// reload (the URL carries #csv=HASH) and Export JSON always have the points.

import { setText } from "./dom.js";

const STORAGE_PREFIX = "logitlab.csv.";
const known = new Map(); // hash -> full CustomData (with x, y, cls)

/** Custom data without the points: what frames, the URL and commands carry. */
export function stubOf(full) {
  const { x, y, cls, ...stub } = full;
  return stub;
}

async function answer(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // a plain-text answer (e.g. a body-size refusal before the route): use its text
  }
  if (response.ok && body !== null && typeof body.error === "string") throw new Error(body.error);
  if (response.ok) return body;
  const detail = body !== null && typeof body.detail === "string" ? body.detail : response.statusText;
  throw new Error(detail || `the server answered ${response.status}`);
}

/** Keep full data in memory and in the browser's storage; returns a warning or "". */
function remember(full) {
  known.set(full.hash, full);
  const key = STORAGE_PREFIX + full.hash;
  const text = JSON.stringify(full);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      localStorage.setItem(key, text);
      return "";
    } catch {
      // Full: make room by dropping other CSV data (their JSON exports still hold them).
      for (const other of Object.keys(localStorage)) {
        if (other.startsWith(STORAGE_PREFIX) && other !== key) localStorage.removeItem(other);
      }
    }
  }
  return (
    "The browser's storage is full, so these points are kept in this tab only: " +
    "use Export JSON to keep them (a reload would not find them)."
  );
}

function stored(hash) {
  if (known.has(hash)) return known.get(hash);
  let text = null;
  try {
    text = localStorage.getItem(STORAGE_PREFIX + hash);
  } catch {
    return null;
  }
  if (text === null) return null;
  try {
    const full = JSON.parse(text);
    known.set(hash, full);
    return full;
  } catch {
    return null;
  }
}

/** Give full data to the server (it answers with the stub, hash computed by the server). */
async function register(full) {
  const response = await fetch("/api/data", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ...full, hash: "" }),
  });
  const stub = await answer(response);
  const warning = remember({ ...full, hash: stub.hash });
  return { stub, warning };
}

/**
 * Before the first hello: make sure the server has the CSV data a link names.
 * Returns the state to send (without the custom data, and with `say` called,
 * when neither this browser nor the server has them).
 */
export async function restoreCustomData(state, say) {
  const hash = state?.data?.custom?.hash;
  if (!hash) return state;
  try {
    let full = stored(hash);
    if (full === null) {
      full = await answer(await fetch(`/api/data/${hash}?if_stored=1`));
      if (full.stored === false) throw new Error(full.detail);
      const warning = remember(full);
      if (warning) say(warning);
      return state;
    }
    const { stub, warning } = await register(full);
    if (warning) say(warning);
    return { ...state, data: { ...state.data, custom: stub } };
  } catch (error) {
    say(
      `This link's CSV points are not stored in this browser, and ${error.message}; ` +
        "showing a preset instead.",
      { lost: true }, // the page keeps this up and offers to load the file (lost-data.js)
    );
    const { custom, edits, ...data } = state.data;
    return { ...state, data };
  }
}

/** The state with the CSV points in full (for Export JSON); stubs whose points are unknown stay. */
export function completeState(state) {
  const custom = state?.data?.custom;
  if (!custom || custom.x) return state;
  const full = stored(custom.hash);
  return full === null ? state : { ...state, data: { ...state.data, custom: full } };
}

/** An imported state with full CSV points: register them, and send the stub instead. */
export async function prepareImport(state) {
  const custom = state?.data?.custom;
  if (!custom || !Array.isArray(custom.x)) return state;
  const { stub } = await register(custom);
  return { ...state, data: { ...state.data, custom: stub } };
}

function option(value, text) {
  const item = document.createElement("option");
  item.value = value;
  item.textContent = text;
  return item;
}

export class CsvPanel {
  constructor(doc, connection) {
    this.connection = connection;
    this.input = doc.getElementById("csv-file");
    this.dialog = doc.getElementById("csv-dialog");
    this.summaryText = doc.getElementById("csv-summary");
    this.error = doc.getElementById("csv-error");
    this.x = doc.getElementById("csv-x");
    this.y = doc.getElementById("csv-y");
    this.target = doc.getElementById("csv-target");
    this.positive = doc.getElementById("csv-positive");
    this.confirm = doc.getElementById("csv-confirm");
    this.note = doc.getElementById("csv-note");
    this.source = doc.getElementById("csv-source");
    // The preset's own controls do not apply to CSV points: shown as inactive while they are loaded.
    this.presetControls = [...doc.querySelectorAll('[data-control="n-points"], [data-control="noise"]')];
    this.file = null;
    this.summary = null;
    this.loadSeq = -1;
    this.input.addEventListener("change", () => this.open());
    this.target.addEventListener("change", () => this.showClasses());
    this.confirm.addEventListener("click", () => this.load());
    doc.getElementById("csv-cancel").addEventListener("click", () => this.dialog.close());
  }

  post(params) {
    const query = new URLSearchParams({ name: this.file.name, ...params });
    return fetch(`/api/csv?${query}`, {
      method: "POST",
      headers: { "Content-Type": "text/csv" },
      body: this.file,
    }).then(answer);
  }

  async open() {
    const file = this.input.files[0];
    this.input.value = "";
    if (file === undefined) return;
    this.file = file;
    this.note.textContent = `Reading ${file.name}…`;
    let reply;
    try {
      reply = await this.post({});
    } catch (error) {
      this.note.textContent = `Could not use ${file.name}: ${error.message}. Your points are unchanged.`;
      return;
    }
    this.note.textContent = "";
    this.summary = reply.summary;
    this.fill();
    this.dialog.showModal();
  }

  fill() {
    const { columns, n_rows: rows, source, max_points: max } = this.summary;
    const numeric = columns.filter((c) => c.numeric).length;
    this.summaryText.textContent =
      `${source}: ${rows.toLocaleString("en")} rows, ${columns.length} columns ` +
      `(${numeric} numeric). Choose two numeric feature columns and a target with two classes.` +
      (rows > max ? ` The Lab holds at most ${max.toLocaleString("en")} points: take a sample first.` : "");
    for (const select of [this.x, this.y, this.target]) select.replaceChildren();
    for (const c of columns) {
      const notes = [];
      if (!c.numeric) notes.push("not numeric");
      if (c.n_missing > 0) notes.push(`${c.n_missing} missing`);
      const feature = notes.length ? `${c.name} (${notes.join(", ")})` : c.name;
      this.x.append(option(c.name, feature));
      this.y.append(option(c.name, feature));
      const kinds = c.n_distinct === 2 ? "2 classes" : `${c.n_distinct} values`;
      this.target.append(option(c.name, `${c.name} (${kinds})`));
    }
    const binary = columns.filter((c) => c.n_distinct === 2);
    const target = binary.length ? binary[binary.length - 1] : columns[columns.length - 1];
    const features = columns.filter((c) => c.numeric && c.name !== target.name);
    this.target.value = target.name;
    if (features.length > 0) this.x.value = features[0].name;
    if (features.length > 1) this.y.value = features[1].name;
    this.error.textContent = "";
    this.showClasses();
  }

  showClasses() {
    const column = this.summary.columns.find((c) => c.name === this.target.value);
    this.positive.replaceChildren();
    const two = column !== undefined && column.n_distinct === 2 && column.values !== null;
    this.positive.disabled = !two;
    if (!two) {
      this.positive.append(option("", "— needs a target with two values —"));
      const count = column === undefined ? 0 : column.n_distinct;
      this.error.textContent =
        `The target ${this.target.value} has ${count} distinct values; the Lab needs exactly two ` +
        "(class 0 and class 1). Choose another column.";
      return;
    }
    this.error.textContent = "";
    const [first, second] = column.values;
    this.positive.append(option(second, `${second} (and ${first} is class 0)`));
    this.positive.append(option(first, `${first} (and ${second} is class 0)`));
  }

  async load() {
    const params = { x: this.x.value, y: this.y.value, target: this.target.value };
    if (!this.positive.disabled) params.positive = this.positive.value;
    this.confirm.disabled = true;
    this.error.textContent = "";
    let reply;
    try {
      reply = await this.post(params);
    } catch (error) {
      this.error.textContent = `${error.message}. Nothing was changed.`;
      return;
    } finally {
      this.confirm.disabled = false;
    }
    const warning = remember(reply.data);
    this.loadSeq = this.connection.send({ type: "load_csv", data: stubOf(reply.data) });
    if (this.loadSeq < 0) {
      this.error.textContent = "Not connected to the Lab server; try again in a moment.";
      return;
    }
    this.dialog.close();
    this.note.textContent = warning ? `${reply.message} ${warning}` : reply.message;
  }

  /** An error answering load_csv: say so (the session kept its points). */
  failed(message) {
    if (message.seq === this.loadSeq) this.note.textContent = `Loading the CSV points failed: ${message.message}`;
  }

  update(frame) {
    const custom = frame.state.data.custom;
    for (const control of this.presetControls) control.classList.toggle("inactive", Boolean(custom));
    if (!custom) {
      setText(this.source, "");
      return;
    }
    const [c0, c1] = custom.class_names;
    setText(
      this.source,
      `${custom.source}: x = ${custom.x_name}, y = ${custom.y_name}; ` +
        `${custom.target_name} ${c0} = class 0, ${c1} = class 1`,
    );
  }
}
