// ESM entry of linux-epoll: the CommonJS build, re-exported (one module instance for both loaders).
export * from '../dist/lib/index.js';
export { default } from '../dist/lib/index.js';
