// A wait thread the kernel refuses to create is a system error from the constructor, shaped like
// every other, and leaves no fd behind once the runtime has finalized what it began (issue 17, item 2). The refusal is real: an unprivileged
// process whose RLIMIT_NPROC is below the threads its user already runs gets EAGAIN from clone().
import { runScript } from '../support/child';

const SCRIPT = `
  const { execFileSync } = require('node:child_process');
  const fs = require('node:fs');
  const { EpollInstance } = LINUX_EPOLL;
  const openFds = () => fs.readdirSync('/proc/self/fd').length;
  // Loaded (and its binding too) while threads may still be made, so the limit meets only the wait thread.
  new EpollInstance({ dispatch: 'loop' }).close();
  execFileSync('prlimit', ['--pid', String(process.pid), '--nproc=1:1']);
  const before = openFds();
  let error;
  try {
    new EpollInstance({ dispatch: 'thread' });
  } catch (e) {
    error = e;
  }
  const { name, code, errno, syscall } = error ?? {};
  const shape = { name, code, errno, syscall, isError: error instanceof Error };
  // The refused thread's wake eventfd is closed by its thread-safe function's finalizer, which
  // the runtime runs on a later turn of the loop: wait for that (bounded), not for a guess.
  const deadline = Date.now() + 5000;
  (function settle() {
    const leaked = openFds() - before;
    if (leaked === 0 || Date.now() > deadline) return console.log(JSON.stringify({ ...shape, leaked }));
    setTimeout(settle, 5);
  })();
`;

test('pthread_create refused: the constructor throws EAGAIN with errno and syscall, and closes its epoll fd', async () => {
  const result = await runScript(SCRIPT, { prefix: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] });
  expect({ code: result.code, signal: result.signal, stderr: result.stderr }).toEqual({
    code: 0,
    signal: null,
    stderr: '',
  });
  expect(JSON.parse(result.stdout)).toEqual({
    name: 'Error',
    code: 'EAGAIN',
    errno: -11,
    syscall: 'pthread_create',
    isError: true,
    leaked: 0,
  });
});
