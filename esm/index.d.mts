// Types of the ESM entry: the CommonJS build's, re-exported as esm/index.mjs re-exports its values.
export * from '../dist/lib/index.js';
export { default } from '../dist/lib/index.js';
