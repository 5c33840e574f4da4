// Types of the ESM entry of linux-epoll/gpio, re-exported as esm/gpio.mjs re-exports its values.
export * from '../dist/lib/gpio.js';
