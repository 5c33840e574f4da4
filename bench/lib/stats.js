'use strict';
// Order statistics over repeated runs.

/** The p-th percentile of an ascending array (nearest rank). */
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** { median, min, max, runs } of a list of numbers. */
function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length };
}

/** { p50Us, p99Us, meanUs } of latency samples in µs, as the latency programs print them. */
function latencySummary(samples) {
  const sorted = Array.from(samples).sort((a, b) => a - b);
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
  return { p50Us: percentile(sorted, 50), p99Us: percentile(sorted, 99), meanUs: mean };
}

module.exports = { latencySummary, percentile, summarize };
