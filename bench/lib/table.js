'use strict';
// Markdown tables and the figures that go in them.

function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function num(value, digits = 0) {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "median (min – max)" of a summary. */
function spread(summary, digits = 0) {
  if (!Number.isFinite(summary.median)) return 'n/a';
  return `${num(summary.median, digits)} (${num(summary.min, digits)} – ${num(summary.max, digits)})`;
}

function ratio(value) {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a';
}

module.exports = { table, spread, ratio };
