// Model-based testing of nesting (README, "Nesting"): random graphs of EpollInstances of both
// dispatch modes, each watching others' epoll fds, built in the first tick after creation or later,
// with instances closed mid-chain and their fd numbers reused. The model predicts every add() from
// the documented rule: the kernel allows at most 5 epoll sets on any path (EP_MAX_NESTS, 4 levels
// below the top one), a 'loop' instance has the event loop's own set above it from its creation on
// (on kernels that count the levels above the set being added to), and a cycle is refused too. So
// an add() succeeds or is refused as predicted (a cycle with ELOOP, too deep a chain with the
// kernel's code for it: test/support/nesting.ts), and never makes libuv abort (the jest worker
// would die with it). Besides, every set that watches a ready one must be dispatched.
import fc from 'fast-check';

import { EPOLLIN, EpollInstance, EventFd, type DispatchMode } from '../../lib';
import { MODES } from '../support/modes';
import { isNestingRefusal } from '../support/nesting';
import { nextMacrotask, waitFor } from '../support/wait';
import { addCounts } from './stats';

export const EP_MAX_NESTS = 4;
/** A prediction that the kernel refuses a chain as too deep, with whichever code it uses for that. */
export const TOO_DEEP = 'too deep';
const MAX_LIVE = 16;

export type NestOp =
  /** New instances, each then watching the one made before it: a chain of that depth, bottom-up. */
  | { kind: 'chain'; modes: DispatchMode[]; tickFirst: boolean }
  | { kind: 'nest' | 'unnest'; parent: number; child: number }
  | { kind: 'close' | 'watchReady'; inst: number }
  | { kind: 'tick' | 'settle' };

const index = fc.nat(31);
const mode = fc.constantFrom(...MODES);
export const nestOpArbitrary: fc.Arbitrary<NestOp> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('chain' as const),
      modes: fc.array(mode, { minLength: 1, maxLength: 7 }),
      tickFirst: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constantFrom('nest' as const, 'unnest' as const), parent: index, child: index }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), inst: index }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('watchReady' as const), inst: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('tick' as const, 'settle' as const) }) },
);
export const nestSequenceArbitrary = fc.array(nestOpArbitrary, { minLength: 1, maxLength: 25 });

interface Node {
  ep: EpollInstance;
  mode: DispatchMode;
  name: string;
  /** What the instance has on record, by fd: a closed node there is a registration the kernel dropped. */
  regs: Map<number, Node | 'ready'>;
  /** Handler calls, by the fd they were for. */
  calls: Map<number, number>;
}

// Built top-down, each new instance below the bottom one: only a kernel that counts the levels
// above the set being added to refuses the sixth.
let countsLevelsAbove: boolean | undefined;
export function kernelCountsLevelsAbove(): boolean {
  if (countsLevelsAbove !== undefined) return countsLevelsAbove;
  const chain = [new EpollInstance()];
  try {
    while (chain.length <= EP_MAX_NESTS + 2) {
      const next = new EpollInstance();
      chain.push(next);
      chain[chain.length - 2].add(next.fd, EPOLLIN, () => undefined);
    }
    countsLevelsAbove = false;
  } catch (error) {
    if (!isNestingRefusal((error as { code?: string }).code)) throw error;
    countsLevelsAbove = true;
  } finally {
    for (const ep of chain) ep.close();
  }
  return countsLevelsAbove;
}

export class NestingRun {
  readonly violations: string[] = [];
  readonly stats = { ops: 0, nested: 0, refused: 0, dispatched: 0 };
  readonly #nodes: Node[] = [];
  // Always readable: a set that watches it, directly or through others, is always ready.
  readonly #ready = new EventFd(1);

  async run(ops: readonly NestOp[]): Promise<void> {
    try {
      for (const op of ops) {
        this.stats.ops++;
        await this.#apply(op);
        if (this.violations.length > 0) return;
      }
      await this.#settle();
    } finally {
      for (const node of this.#nodes) node.ep.close();
      this.#ready.close();
    }
  }

  async #apply(op: NestOp): Promise<void> {
    switch (op.kind) {
      case 'chain':
        return this.#chain(op.modes, op.tickFirst);
      case 'nest':
        return this.#nest(this.#at(op.parent), this.#at(op.child));
      case 'unnest':
        return this.#unnest(this.#at(op.parent), this.#at(op.child));
      case 'close':
        return this.#close(this.#at(op.inst));
      case 'watchReady':
        return this.#watchReady(this.#at(op.inst));
      case 'tick':
        return nextMacrotask();
      case 'settle':
        return this.#settle();
    }
  }

  async #chain(modes: readonly DispatchMode[], tickFirst: boolean): Promise<void> {
    const room = MAX_LIVE - this.#nodes.filter((node) => !node.ep.closed).length;
    const made = modes.slice(0, Math.max(room, 0)).map((m) => this.#create(m));
    if (tickFirst) await nextMacrotask();
    for (let i = 1; i < made.length; i++) this.#nest(made[i], made[i - 1]);
  }

  #create(dispatch: DispatchMode): Node {
    const node: Node = {
      ep: new EpollInstance({ dispatch }),
      mode: dispatch,
      name: `#${this.#nodes.length} (${dispatch})`,
      regs: new Map(),
      calls: new Map(),
    };
    this.#nodes.push(node);
    return node;
  }

  #at(i: number): Node | null {
    return this.#nodes.length === 0 ? null : this.#nodes[i % this.#nodes.length];
  }

  #nest(parent: Node | null, child: Node | null): void {
    if (parent === null || child === null || child.ep.closed) return;
    const fd = child.ep.fd;
    const expected = this.#predictAdd(parent, child);
    const before = parent.ep.closed ? null : { size: parent.ep.size, has: parent.ep.has(fd) };
    let code: string | null = null;
    try {
      parent.ep.add(fd, EPOLLIN, this.#counter(parent, fd));
    } catch (error) {
      code = String((error as { code?: string }).code);
    }
    const what = `${parent.name}.add(${child.name}), down ${this.#down(child)}, up ${this.#up(parent)}`;
    if (expected === TOO_DEEP ? !isNestingRefusal(code) : code !== expected) {
      this.#violation(`${what}: expected ${expected ?? 'success'}, got ${code ?? 'success'}`);
      return;
    }
    if (code === null) {
      this.stats.nested++;
      parent.regs.set(fd, child);
    } else {
      this.stats.refused++;
      // A refused add changes nothing.
      if (before !== null && (parent.ep.size !== before.size || parent.ep.has(fd) !== before.has))
        this.#violation(`${what} refused with ${code} changed the registrations`);
    }
    this.#compare(parent);
  }

  #predictAdd(parent: Node, child: Node): string | null {
    if (parent.ep.closed) return 'ERR_EPOLL_CLOSED';
    if (parent === child) return 'EINVAL';
    if (parent.regs.get(child.ep.fd) === child) return 'EEXIST';
    if (this.#reaches(child, parent)) return 'ELOOP';
    const levels = (kernelCountsLevelsAbove() ? this.#up(parent) : 0) + 1 + this.#down(child);
    return levels > EP_MAX_NESTS ? TOO_DEEP : null;
  }

  #unnest(parent: Node | null, child: Node | null): void {
    if (parent === null || child === null || child.ep.closed) return;
    const fd = child.ep.fd;
    const expected = parent.ep.closed ? 'ERR_EPOLL_CLOSED' : parent.regs.has(fd) ? null : 'ENOENT';
    let code: string | null = null;
    try {
      parent.ep.remove(fd);
    } catch (error) {
      code = String((error as { code?: string }).code);
    }
    if (code !== expected)
      this.#violation(
        `${parent.name}.remove(${child.name}): expected ${expected ?? 'success'}, got ${code ?? 'success'}`,
      );
    parent.regs.delete(fd);
    this.#compare(parent);
  }

  // Mid-chain too: the kernel drops the set from those watching it, which keep their record of it
  // until it is removed or its number added again.
  #close(node: Node | null): void {
    node?.ep.close();
  }

  #watchReady(node: Node | null): void {
    if (node === null || node.ep.closed || node.regs.has(this.#ready.fd)) return;
    node.ep.add(this.#ready.fd, EPOLLIN, this.#counter(node, this.#ready.fd));
    node.regs.set(this.#ready.fd, 'ready');
    this.#compare(node);
  }

  /** Every live registration of a ready fd or a ready set gets a handler call, within a bounded wait. */
  async #settle(): Promise<void> {
    const owed = this.#nodes.flatMap((node) =>
      node.ep.closed
        ? []
        : [...node.regs]
            .filter(([, target]) => this.#isReady(target))
            .map(([fd]) => ({ node, fd, calls: node.calls.get(fd) ?? 0 })),
    );
    const outstanding = (): typeof owed => owed.filter((o) => (o.node.calls.get(o.fd) ?? 0) === o.calls);
    try {
      await waitFor(() => outstanding().length === 0, 'nested readiness', 2000);
      this.stats.dispatched += owed.length;
    } catch {
      this.#violation(
        `never dispatched: ${outstanding()
          .map((o) => `${o.node.name} fd ${o.fd}`)
          .join('; ')}`,
      );
    }
  }

  #counter(node: Node, fd: number): () => void {
    return () => node.calls.set(fd, (node.calls.get(fd) ?? 0) + 1);
  }

  // --- the graph the kernel has: live sets and the live sets they watch -----------------------

  #children(node: Node): Node[] {
    return [...node.regs.values()].filter((t): t is Node => t !== 'ready' && !t.ep.closed);
  }

  #parents(node: Node): Node[] {
    return this.#nodes.filter((p) => !p.ep.closed && this.#children(p).includes(node));
  }

  /** Levels below the node: 0 for a set that watches no set. */
  #down(node: Node): number {
    return Math.max(0, ...this.#children(node).map((c) => this.#down(c) + 1));
  }

  /** Levels above the node, the event loop's own set above a 'loop' instance included. */
  #up(node: Node): number {
    return Math.max(node.mode === 'loop' ? 1 : 0, ...this.#parents(node).map((p) => this.#up(p) + 1));
  }

  #reaches(from: Node, to: Node): boolean {
    return from === to || this.#children(from).some((c) => this.#reaches(c, to));
  }

  #isReady(target: Node | 'ready'): boolean {
    return (
      target === 'ready' ||
      (!target.ep.closed && [...target.regs.values()].some((t) => (t === 'ready' || !t.ep.closed) && this.#isReady(t)))
    );
  }

  #compare(node: Node): void {
    if (node.ep.closed) return;
    if (node.ep.size !== node.regs.size) this.#violation(`${node.name}: size ${node.ep.size}, model ${node.regs.size}`);
    for (const fd of node.regs.keys()) if (!node.ep.has(fd)) this.#violation(`${node.name}: has(${fd}) is false`);
  }

  #violation(message: string): void {
    this.violations.push(message);
  }
}

export async function checkNesting(ops: readonly NestOp[], totals?: NestingRun['stats']): Promise<void> {
  const run = new NestingRun();
  await run.run(ops);
  addCounts(totals, run.stats);
  if (run.violations.length > 0) throw new Error(run.violations.join('\n'));
}
