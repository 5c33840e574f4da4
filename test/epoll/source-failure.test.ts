// No native failure is silent (issue 17, item 2): when the event source meets an error it cannot
// recover from, the instance reports it as a system error through a throwing handler's path
// ('uncaughtException') and closes, instead of going deaf. Each failure is made for real, by
// closing or replacing the epoll fd behind the instance's back, in a child process.
import { runScript, type ChildResult } from '../support/child';

interface Report {
  name: string;
  code: string;
  errno: number;
  syscall: string;
  fd: number;
  epfd: number;
  closed: boolean;
  size: number;
  /** Whether the file that now has the epoll fd's number is still open after the instance closed. */
  replacementOpen?: boolean;
}

// Prints what 'uncaughtException' received, then lets the process end by itself: an instance that
// stayed open would hold it until the timeout.
const PRELUDE = `
  const { EpollInstance, EventFd, EPOLLIN, io } = LINUX_EPOLL;
  let replacement;
  function report(ep, epfd) {
    process.on('uncaughtException', (error) => {
      const { name, code, errno, syscall, fd } = error;
      const result = { name, code, errno, syscall, fd, epfd, closed: ep.closed, size: ep.size };
      if (replacement !== undefined) {
        result.replacementOpen = replacement.write(1);
        replacement.close();
      }
      console.log(JSON.stringify(result));
      efd.close();
    });
  }
  // The lowest free number, which the kernel hands out next: the one just closed.
  function replace(fd) {
    io.close(fd);
    replacement = new EventFd(1);
    if (replacement.fd !== fd) throw new Error('the number was not reused');
  }
`;

async function failure(script: string): Promise<{ result: ChildResult; report: Report }> {
  const result = await runScript(PRELUDE + script);
  expect({ signal: result.signal, code: result.code, stderr: result.stderr }).toEqual({
    signal: null,
    code: 0,
    stderr: '',
  });
  return { result, report: JSON.parse(result.stdout) as Report };
}

// A thread-mode instance whose handler does harm to the epoll fd once it has read its event.
// What an instance reports, and is left as, when its epoll fd's number came to name another file.
function replacedNumberFailure(epfd: unknown): Record<string, unknown> {
  return {
    name: 'Error',
    code: 'EINVAL',
    errno: -22,
    syscall: 'epoll_wait',
    fd: epfd,
    epfd,
    closed: true,
    size: 0,
    replacementOpen: true,
  };
}

function threadScript(harm: string): string {
  return `
    const ep = new EpollInstance({ dispatch: 'thread' });
    const efd = new EventFd(1);
    const epfd = ep.fd;
    report(ep, epfd);
    ep.add(efd.fd, EPOLLIN, () => { efd.read(); ${harm}; });
  `;
}

describe("the wait thread's epoll_wait fails ('thread' mode)", () => {
  it('reports EBADF when a handler closed the epoll fd, and closes the instance', async () => {
    const { report } = await failure(threadScript('io.close(ep.fd)'));
    expect(report).toEqual({
      name: 'Error',
      code: 'EBADF',
      errno: -9,
      syscall: 'epoll_wait',
      fd: report.epfd,
      epfd: report.epfd,
      closed: true,
      size: 0,
    });
  });

  it('reports EINVAL when the number now names another file, and leaves that file open', async () => {
    const { report } = await failure(threadScript('replace(ep.fd)'));
    expect(report).toEqual(replacedNumberFailure(report.epfd));
  });
});

describe("the loop's epoll_wait fails ('loop' mode)", () => {
  // libuv adds the watched number to its own set at the next poll, so it watches the replacement,
  // which is readable: the instance's epoll_wait on a number that is no epoll fd fails.
  it('reports EINVAL when the number names another file by the first poll, and leaves that file open', async () => {
    const { report } = await failure(`
      const ep = new EpollInstance({ dispatch: 'loop' });
      const efd = new EventFd();
      const epfd = ep.fd;
      report(ep, epfd);
      ep.add(efd.fd, EPOLLIN, () => {});
      replace(epfd);
    `);
    expect(report).toEqual(replacedNumberFailure(report.epfd));
  });
});

describe('without an uncaughtException listener', () => {
  // In 'thread' mode the number is replaced from the handler, while the wait thread waits for the
  // batch to be handed back: replaced from the top level, the thread could meet the closed number
  // between the close and the reuse (EBADF, not EINVAL). 'loop' mode has no thread to race.
  it.each([
    ['thread', 'efd.read(); replace(epfd);', ''],
    ['loop', 'efd.read();', 'replace(epfd);'],
  ])('the failure ends the process with the error (%s)', async (dispatch, inHandler, atTop) => {
    // The prelude's replace(), and no report(): nothing listens for the error.
    const result = await runScript(`${PRELUDE}
      const ep = new EpollInstance({ dispatch: '${dispatch}' });
      const efd = new EventFd(1);
      const epfd = ep.fd;
      ep.add(efd.fd, EPOLLIN, () => { ${inHandler} });
      ${atTop}
    `);
    expect({ signal: result.signal, code: result.code }).toEqual({ signal: null, code: 1 });
    expect(result.stderr).toMatch(/EINVAL: invalid argument, epoll_wait \(fd \d+\)/);
  });
});
