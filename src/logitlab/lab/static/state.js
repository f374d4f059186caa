// LabState <-> URL fragment, from one field table (the same rows parse and serialize).
//
// Numbers are written with JavaScript's shortest round-trip form, so a parsed
// link gives back the very same float64 values. The server validates whatever
// we send; a field that does not parse here is sent as its text, so the server
// names it as invalid, leaves it out and keeps the other fields.

const FIELDS = [
  // [key in the URL, section, field, kind]
  ["preset", "data", "preset", "text"],
  ["seed", "data", "seed", "int"],
  ["n", "data", "n_points", "int"],
  ["noise", "data", "noise", "float"],
  ["edits", "data", "edits", "edits"],
  ["csv", "data", "custom", "csv"], // CSV points by content hash (csv-data.js keeps the points)
  ["w0", "model", "w0", "float"],
  ["w1", "model", "w1", "float"],
  ["b", "model", "b", "float"],
  ["steps", "model", "steps", "int"], // steps so far: a reload goes on counting
  ["eta", "training", "learning_rate", "float"],
  ["pen", "training", "penalty", "text"],
  ["lam", "training", "lam", "float"],
  ["l1", "training", "l1_ratio", "float"],
  ["opt", "training", "optimizer", "text"],
  ["batch", "training", "batch_size", "int"],
  ["speed", "training", "speed", "float"],
  ["tau", "view", "tau", "float"],
  ["cls", "view", "active_class", "int"],
  ["field", "view", "show_field", "bool"],
  ["logy", "view", "log_loss_axis", "bool"],
  ["cfp", "view", "cost_fp", "float"], // FP and FN costs of the ROC page's minimum-cost τ
  ["cfn", "view", "cost_fn", "float"],
  ["fit", "view", "fit", "text"], // the data chart's window: all points or most of them
  // Feature maps and the split (issue 14): left out while at their defaults, so a degree-1
  // lab without a split has the same link as before.
  ["deg", "model", "degree", "int", 1],
  ["std", "model", "standardize", "bool", false],
  ["coef", "model", "coef", "floats"], // every coefficient at degree > 1 (b last)
  ["test", "data", "test_share", "float", 0],
  ["cm", "view", "confusion_of", "text", "train"],
  ["k", "data", "n_classes", "int", 2], // issue 14, part 3: number of classes (2 left out)
];

// One edit per token, tokens joined by "~"; numbers inside a token joined by "_".
const EDIT_CODES = { add: "a", move: "m", delete: "d", clear: "c" };

function formatEdit(edit) {
  switch (edit.op) {
    case "add":
      return `a${edit.x}_${edit.y}_${edit.cls}`;
    case "move":
      return `m${edit.index}_${edit.x}_${edit.y}`;
    case "delete":
      return `d${edit.index}`;
    default:
      return "c";
  }
}

function parseEdit(token) {
  const code = token[0];
  const parts = token.slice(1).split("_").map(Number);
  if (parts.some((v) => !Number.isFinite(v))) return null;
  if (code === EDIT_CODES.add && parts.length === 3) {
    return { op: "add", x: parts[0], y: parts[1], cls: parts[2] };
  }
  if (code === EDIT_CODES.move && parts.length === 3) {
    return { op: "move", index: parts[0], x: parts[1], y: parts[2] };
  }
  if (code === EDIT_CODES.delete && parts.length === 1) return { op: "delete", index: parts[0] };
  if (code === EDIT_CODES.clear && token.length === 1) return { op: "clear" };
  return null;
}

const KINDS = {
  text: { format: (v) => String(v), parse: (s) => (s.length > 0 ? s : null) },
  int: {
    format: (v) => String(v),
    parse: (s) => (/^-?\d+$/.test(s) ? Number(s) : null),
  },
  float: {
    format: (v) => String(v),
    parse: (s) => {
      const v = Number(s);
      return s.length > 0 && Number.isFinite(v) ? v : null;
    },
  },
  bool: { format: (v) => (v ? "1" : "0"), parse: (s) => (s === "1" ? true : s === "0" ? false : null) },
  floats: {
    format: (list) => list.map(String).join("_"),
    parse: (s) => {
      const values = s.split("_").map((t) => (t.length > 0 ? Number(t) : NaN));
      return values.every(Number.isFinite) ? values : null;
    },
  },
  csv: {
    format: (custom) => custom.hash,
    parse: (s) => (/^[0-9a-f]{32}$/.test(s) ? { hash: s } : null),
  },
  edits: {
    format: (list) => list.map(formatEdit).join("~"),
    parse: (s) => {
      if (s.length === 0) return [];
      const edits = s.split("~").map(parseEdit);
      return edits.includes(null) ? null : edits;
    },
  },
};

/** The URL fragment (without "#") holding the whole state. */
export function serializeState(state) {
  const params = new URLSearchParams();
  for (const [key, section, field, kind, byDefault] of FIELDS) {
    const value = state[section]?.[field];
    if (value === undefined || value === null || value === byDefault) continue;
    params.set(key, KINDS[kind].format(value));
  }
  return params.toString();
}

/** A (partial) LabState from a URL fragment, or null when the fragment holds no state. */
export function parseState(fragment) {
  const params = new URLSearchParams(fragment.replace(/^#/, ""));
  const state = {};
  let found = false;
  for (const [key, section, field, kind] of FIELDS) {
    const text = params.get(key);
    if (text === null) continue;
    // A value that does not parse travels as its text: the server then names the field
    // as invalid and keeps the rest of the link (issue 12).
    const value = KINDS[kind].parse(text) ?? text;
    state[section] ??= {};
    state[section][field] = value;
    found = true;
  }
  if (!found) return null;
  return { version: 1, ...state };
}
