// Types of the ESM entry of linux-epoll/onoff, re-exported as esm/onoff.mjs re-exports its values.
export * from '../dist/lib/onoff.js';
