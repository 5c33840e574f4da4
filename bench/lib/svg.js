'use strict';
// Charts drawn as plain SVG, so the report needs no plotting package: horizontal bars with a
// whisker from min to max of the runs.

const ROW = 26;
// Wide enough for the longest label at 12 px (about 7 px a character).
const CHAR_WIDTH = 7;
const PLOT_WIDTH = 420;
const VALUE_WIDTH = 110;
const COLORS = ['#3b6ea8', '#d1813b', '#5a9a4f', '#a84f6e', '#7a6aa8', '#8a8a8a'];

function escape(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function formatValue(value) {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

/**
 * bars: [{ label, median, min, max, group? }]; bars with the same group share a colour.
 * log: a logarithmic axis, for values that span orders of magnitude.
 */
function barChart({ title, unit, bars, log = false }) {
  const top = Math.max(...bars.map((b) => b.max ?? b.median));
  const bottom = log ? Math.min(...bars.map((b) => b.min ?? b.median)) / 2 : 0;
  const scale = (v) => {
    if (!log) return (v / top) * PLOT_WIDTH;
    return (Math.log10(v / bottom) / Math.log10(top / bottom)) * PLOT_WIDTH;
  };
  const LABEL_WIDTH = 16 + CHAR_WIDTH * Math.max(...bars.map((b) => String(b.label).length));
  const groups = [...new Set(bars.map((b) => b.group ?? b.label))];
  const height = 40 + bars.length * ROW + 20;
  const width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH;
  const rows = bars.map((bar, i) => {
    const y = 34 + i * ROW;
    const color = COLORS[groups.indexOf(bar.group ?? bar.label) % COLORS.length];
    const whisker =
      bar.min !== undefined && bar.max !== undefined
        ? `<line x1="${LABEL_WIDTH + scale(bar.min)}" x2="${LABEL_WIDTH + scale(bar.max)}" y1="${y + 9}" y2="${y + 9}" stroke="#222" stroke-width="1.5"/>`
        : '';
    return [
      `<text x="${LABEL_WIDTH - 8}" y="${y + 13}" text-anchor="end">${escape(bar.label)}</text>`,
      `<rect x="${LABEL_WIDTH}" y="${y}" width="${Math.max(1, scale(bar.median))}" height="18" fill="${color}"/>`,
      whisker,
      `<text x="${LABEL_WIDTH + PLOT_WIDTH + 6}" y="${y + 13}">${formatValue(bar.median)}</text>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="8" y="18" font-size="14" font-weight="bold">${escape(title)}</text>`,
    `<text x="${width - 8}" y="18" text-anchor="end" fill="#555">${escape(unit)}${log ? ' (log scale)' : ''}; bar: median, whisker: min to max</text>`,
    ...rows,
    '</svg>',
  ].join('\n');
}

module.exports = { barChart };
