// The codes this kernel refuses too deep a chain of epoll sets with, asked of the kernel by another
// program (python3's select.epoll calls epoll_ctl itself), for a chain of bare sets and for one
// whose sets also watch an ordinary file, as every linux-epoll instance watches its own eventfd.
// 6.x says ELOOP to both; 5.10 says ELOOP to the first and EINVAL to the second, from the check on
// the ordinary files' wake-up paths that it makes first (docs/KERNELS.md). linux-epoll must report
// the kernel's own code, so the tests accept what this kernel says, and only that.
import { spawnSync } from 'node:child_process';

import { bound } from './slowdown';

const PROBE = `
import errno, os, select
def refusal(watch_a_pipe):
    reader, writer = os.pipe()
    chain = [select.epoll()]
    try:
        for _ in range(8):
            if watch_a_pipe: chain[-1].register(reader, select.EPOLLIN)
            chain.append(select.epoll())
            chain[-1].register(chain[-2].fileno(), select.EPOLLIN)
        return 'accepted'
    except OSError as error:
        return errno.errorcode[error.errno]
print(refusal(False), refusal(True))`;

let refusals: readonly string[] | undefined;

export function nestingRefusals(): readonly string[] {
  if (refusals !== undefined) return refusals;
  const result = spawnSync('python3', ['-c', PROBE], { encoding: 'utf8', timeout: bound(10000) });
  if (result.status !== 0) throw new Error(`python3 could not build an epoll chain: ${result.stderr}`);
  refusals = [...new Set(result.stdout.trim().split(' '))];
  return refusals;
}

export function isNestingRefusal(code: string | null | undefined): boolean {
  return code !== null && code !== undefined && nestingRefusals().includes(code);
}
