// ESM entry of linux-epoll/onoff: the CommonJS build, re-exported (one module instance for both loaders).
export * from '../dist/lib/onoff.js';
