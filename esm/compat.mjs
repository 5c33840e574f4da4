// ESM entry of linux-epoll/compat: the CommonJS build, re-exported (one module instance for both
// loaders). The default export serves code written as `import epoll from 'epoll'`.
export * from '../dist/lib/compat.js';
export { default } from '../dist/lib/compat.js';
