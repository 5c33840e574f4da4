// PidFd: a process as a pollable fd (pidfd_open, Linux 5.3+). It is readable once the process has
// exited, it signals that process and no other even after its pid is reused, and for a child of
// this process it gives the exit status without reaping, so that whoever owns the child (Node's
// child_process) still reaps it and still reports its 'exit'.
import * as os from 'node:os';

import { binding } from '../core/binding';
import { check, illegalConstructor, invalidArgType, invalidArgValue } from '../core/errors';
import { validateInteger } from '../core/validate';
import { FdObject, objectFd as openFd } from '../core/fd-owner';

const native = binding.pidFd;
const { CLD_EXITED, CLD_DUMPED } = native.constants;
const MAX_PID = 0x7fffffff;
// The highest real-time signal Linux has (SIGRTMAX); 0 only checks that the process is there.
const MAX_SIGNAL = 64;
const SIGNAL_NUMBERS: Readonly<Record<string, number>> = os.constants.signals;
const status = new Int32Array(3);
const OPENING = Symbol('PidFd.open');

/** Linux's signal names, as os.constants.signals has them. */
export type SignalName =
  | 'SIGHUP'
  | 'SIGINT'
  | 'SIGQUIT'
  | 'SIGILL'
  | 'SIGTRAP'
  | 'SIGABRT'
  | 'SIGIOT'
  | 'SIGBUS'
  | 'SIGFPE'
  | 'SIGKILL'
  | 'SIGUSR1'
  | 'SIGSEGV'
  | 'SIGUSR2'
  | 'SIGPIPE'
  | 'SIGALRM'
  | 'SIGTERM'
  | 'SIGSTKFLT'
  | 'SIGCHLD'
  | 'SIGCONT'
  | 'SIGSTOP'
  | 'SIGTSTP'
  | 'SIGTTIN'
  | 'SIGTTOU'
  | 'SIGURG'
  | 'SIGXCPU'
  | 'SIGXFSZ'
  | 'SIGVTALRM'
  | 'SIGPROF'
  | 'SIGWINCH'
  | 'SIGIO'
  | 'SIGPOLL'
  | 'SIGPWR'
  | 'SIGSYS';

/** How a process ended, as child_process reports it: an exit code, or the signal that killed it. */
export interface ExitStatus {
  pid: number;
  /** The exit code, or null if a signal killed it. */
  code: number | null;
  /** The signal's name ('SIG35' for a real-time one), or null if it exited. */
  signal: string | null;
  /** Whether it dumped core when the signal killed it. */
  coreDumped: boolean;
}

function signalNumber(signal: unknown): number {
  if (typeof signal === 'number') return validateInteger(signal, 'signal', 0, MAX_SIGNAL);
  if (typeof signal !== 'string') throw invalidArgType('signal', 'of type string or number', signal);
  if (!Object.hasOwn(SIGNAL_NUMBERS, signal)) {
    throw invalidArgValue(TypeError, 'signal', signal, 'must be a signal name such as SIGTERM');
  }
  return SIGNAL_NUMBERS[signal];
}

function signalName(signal: number): string {
  return Object.keys(SIGNAL_NUMBERS).find((key) => SIGNAL_NUMBERS[key] === signal) ?? `SIG${signal}`;
}

export class PidFd extends FdObject {
  /** The pid it was opened on. The fd keeps meaning that process after the pid is reused. */
  readonly pid: number;

  // Private to TypeScript only: JS could still call it, so it takes the token that open() alone has,
  // and never an fd from its caller.
  private constructor(opening: typeof OPENING, pid: number) {
    if (opening !== OPENING) throw illegalConstructor('PidFd', 'PidFd.open(pid)');
    super(check(native.pidfdOpen(pid), 'pidfd_open'));
    this.pid = pid;
  }

  /**
   * A non-blocking, close-on-exec pidfd for process pid (any process this one may see). Throws
   * ESRCH (with a hint) if there is no such process: it has exited and been reaped, or never was.
   */
  static open(pid: number): PidFd {
    return new PidFd(OPENING, validateInteger(pid, 'pid', 1, MAX_PID));
  }

  /**
   * Sends signal (a name such as 'SIGTERM', or a number from 0 to 64; default 'SIGTERM') to the
   * process, through the fd: never to another process that reused its pid. ESRCH once it has been reaped.
   */
  sendSignal(signal: SignalName | number = 'SIGTERM'): void {
    const fd = openFd(this);
    check(native.pidfdSendSignal(fd, signalNumber(signal)), 'pidfd_send_signal', fd);
  }

  /**
   * The exit status, or null while the process runs. Only a parent learns it, and only before it
   * reaps the child: for any other process this throws ECHILD (with a hint); watch the fd for
   * EPOLLIN to learn that it exited. It never reaps, so child_process still reports 'exit'.
   */
  exitStatus(): ExitStatus | null {
    const fd = openFd(this);
    check(native.pidfdExitStatus(fd, status), 'waitid', fd);
    const [pid, code, value] = status;
    if (pid === 0) return null;
    if (code === CLD_EXITED) return { pid, code: value, signal: null, coreDumped: false };
    return { pid, code: null, signal: signalName(value), coreDumped: code === CLD_DUMPED };
  }
}
