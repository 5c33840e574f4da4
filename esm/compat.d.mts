// Types of the ESM entry of linux-epoll/compat, re-exported as esm/compat.mjs re-exports its values.
export * from '../dist/lib/compat.js';
export { default } from '../dist/lib/compat.js';
