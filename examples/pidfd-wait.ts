// npm run example:pidfd [-- PID]: a process as an fd.
//   With a PID: waits for that process, any process, to exit (Node's child_process only knows its own).
//   Without: spawns a shell that writes 1 MiB and exits at once, and reports its exit only once
//   its stdout is drained: the pidfd may turn readable while the last bytes still sit in the pipe.
import { spawn } from 'node:child_process';

import { EPOLLIN, EpollInstance, PidFd, type ExitStatus } from '../lib';

const epoll = new EpollInstance({ dispatch: 'auto' });

function whenExited(pidfd: PidFd, then: () => void): void {
  epoll.add(pidfd.fd, EPOLLIN, () => {
    epoll.remove(pidfd.fd);
    then();
    pidfd.close();
    epoll.close();
  });
}

function waitForPid(pid: number): void {
  const pidfd = PidFd.open(pid);
  console.log(`waiting for pid ${pid} to exit`);
  whenExited(pidfd, () => console.log(`pid ${pid} exited`));
}

function describeExit(status: ExitStatus | { code: number | null; signal: string | null }): string {
  return status.signal === null ? `code ${status.code}` : `signal ${status.signal}`;
}

function drainedChild(): void {
  const BYTES = 1 << 20;
  const child = spawn(
    process.execPath,
    ['-e', `process.stdout.write(Buffer.alloc(${BYTES}, 120), () => process.exit(3))`],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const pidfd = PidFd.open(child.pid!);
  let read = 0;
  let exit: string | null = null;
  const report = (): void => {
    if (exit !== null && child.stdout.readableEnded)
      console.log(`child ${child.pid} exited with ${exit}, reported after all ${read} bytes of its stdout`);
  };
  whenExited(pidfd, () => {
    // Node reaps its children on its next turn: if that came first, child_process has the status.
    let status: ExitStatus | null = null;
    try {
      status = pidfd.exitStatus();
    } catch {
      // ECHILD: reaped already.
    }
    exit = describeExit(status ?? { code: child.exitCode, signal: child.signalCode });
    console.log(
      `pidfd: child ${child.pid} exited, ${read} of ${BYTES} bytes read so far; reporting once its stdout is drained`,
    );
    report();
  });
  child.stdout.on('data', (chunk: Buffer) => (read += chunk.length));
  child.stdout.on('end', report);
}

const pid = process.argv[2];
if (pid === undefined) drainedChild();
else waitForPid(Number(pid));
