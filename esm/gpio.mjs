// ESM entry of linux-epoll/gpio: the CommonJS build, re-exported (one module instance for both loaders).
export * from '../dist/lib/gpio.js';
