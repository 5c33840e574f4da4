// The GPIO tests that need gpio-sim: run inside the guest of scripts/kernel/run-in-vm.sh (npm run
// test:kernel), never on a host with no simulator. In band: every file shares the one sim driver.
/** @type {import('jest').Config} */
module.exports = {
  ...require('./jest.config.js'),
  testMatch: ['**/test/gpio/sim/*.sim.ts'],
  maxWorkers: 1,
};
