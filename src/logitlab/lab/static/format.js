// Text for numbers the server computed. Never prints "NaN": a missing or
// non-finite value shows as an em dash.

export function formatNumber(value, digits = 4) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-4)) return value.toExponential(Math.max(1, digits - 2));
  return String(Number(value.toPrecision(digits)));
}

export function formatPercent(value, digits = 1) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return `${(value * 100).toFixed(digits)} %`;
}

export function formatSigned(value, digits = 3) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const abs = Math.abs(value);
  const text =
    abs !== 0 && abs < 0.01 ? value.toExponential(digits - 1) : formatNumber(value, digits);
  return value > 0 ? `+${text}` : text;
}
