// The stress, torture, leak and long fuzz suite: `npm run test:stress`, about 5 minutes here.
// STRESS_SCALE=10 multiplies every count for a soak. One test file at a time: several of them
// measure the whole machine's behaviour (threads, signals, timing) and the machine has 2 cores.
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/stress'],
  testMatch: ['**/*.stress.ts'],
  testTimeout: 30 * 60 * 1000,
  maxWorkers: 1,
};
