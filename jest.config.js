/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // Scaled like the bounds in test/support/slowdown.ts (qemu guests set the factor).
  testTimeout: 20000 * Math.max(1, Number(process.env.LINUX_EPOLL_TEST_SLOWDOWN) || 1),
};
