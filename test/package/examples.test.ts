// The examples as users run them: compiled, in child processes, stopped by signals.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { echo } from '../support/echo-client';
import { RespClient } from '../support/resp-client';
import { bound } from '../support/slowdown';
import { waitFor } from '../support/wait';

const EXAMPLES = path.resolve(__dirname, '../../dist/examples');

interface Running {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number | null>;
}

// Killed after each test, so that a failing one leaves no server behind.
const running: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of running.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function run(command: string, args: string[]): Running {
  const child = spawn(command, args, { stdio: 'pipe' });
  running.push(child);
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function listeningPort(running: Running): Promise<number> {
  await waitFor(() => /try: nc \S+ \d+/.test(running.output()), 'the connect hint', 10000);
  return Number(/try: nc \S+ (\d+)/.exec(running.output())![1]);
}

async function echoText(port: number, payload: string): Promise<string> {
  return (await echo(port, Buffer.from(payload))).toString();
}

// User plus system CPU time of a process, in clock ticks.
function cpuTicks(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

describe('examples', () => {
  test.each([[[]], [['--workers', '2']]])(
    'resp-server %p: prints how to connect, answers redis commands, and exits cleanly on SIGTERM',
    async (workers) => {
      const server = run(process.execPath, [path.join(EXAMPLES, 'resp-server.js'), '--port', '0', ...workers]);
      await waitFor(() => /try: redis-cli -p \d+ ping/.test(server.output()), 'the connect hint', 10000);
      const port = Number(/redis-cli -p (\d+)/.exec(server.output())![1]);
      const client = new RespClient(port);
      expect(await client.call('SET', 'k', 'v')).toBe('OK');
      expect(await client.call('GET', 'k')).toBe('v');
      client.close();
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(server.output()).toMatch(
        workers.length === 0 ? /closed after 1 connections/ : /connections per thread: \d+ \d+/,
      );
    },
  );

  test('echo-server: prints how to connect, echoes, and exits cleanly on SIGTERM', async () => {
    const server = run(process.execPath, [
      path.join(EXAMPLES, 'echo-server.js'),
      '--port',
      '0',
      '--dispatch',
      'thread',
    ]);
    const port = await listeningPort(server);
    expect(server.output()).toContain('dispatch: thread');
    expect(await echoText(port, 'hello')).toBe('hello');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('closed after 1 connections');
  });

  // Every flag's bad values, for both programs: one line on stderr, no stack, status 2.
  const BAD_COMMAND_LINES: [string, string[], RegExp][] = [
    ['echo-server', ['--colour'], /Unknown option '--colour'/],
    ['echo-server', ['extra'], /Unexpected argument 'extra'/],
    ['echo-server', ['--port'], /Option '--port <value>' argument missing/],
    ['echo-server', ['--port', 'abc'], /--port must be an integer from 0 to 65535, not 'abc'/],
    ['echo-server', ['--port=-1'], /--port must be an integer from 0 to 65535, not '-1'/],
    ['echo-server', ['--port', '65536'], /--port must be an integer from 0 to 65535, not '65536'/],
    ['echo-server', ['--port', '0x10'], /--port must be an integer/],
    ['echo-server', ['--host', 'localhost', '--port', '0'], /--host must be a literal IPv4 or IPv6 address/],
    [
      'echo-server',
      ['--path', '/tmp/echo.sock', '--port', '0'],
      /--path listens on a Unix socket: it takes no --host or --port/,
    ],
    ['echo-server', ['--path', `/tmp/${'x'.repeat(120)}`], /--path must be a non-empty path of at most 107 bytes/],
    ['echo-server', ['--dispatch', 'poll'], /--dispatch must be auto, loop or thread, not 'poll'/],
    ['echo-server', ['--epollout', 'never'], /--epollout must be always or pending, not 'never'/],
    ['echo-server', ['--drain', 'sometimes'], /--drain must be short or eagain, not 'sometimes'/],
    ['echo-cluster', ['--workers', '0'], /--workers must be an integer from 1 to 256, not '0'/],
    ['echo-cluster', ['--workers', 'many'], /--workers must be an integer from 1 to 256, not 'many'/],
    ['echo-cluster', ['--path', '/tmp/echo.sock'], /--path: SO_REUSEPORT needs TCP/],
    ['echo-cluster', ['--port', 'abc'], /--port must be an integer from 0 to 65535, not 'abc'/],
    ['resp-server', ['--port', 'abc'], /--port must be an integer from 0 to 65535, not 'abc'/],
    ['resp-server', ['--workers', '0'], /--workers must be an integer from 1 to 256, not '0'/],
    ['resp-server', ['--workers', '2', '--path', '/tmp/resp.sock'], /--path: SO_REUSEPORT needs TCP/],
    ['http-server', ['--workers', '0'], /--workers must be an integer from 1 to 256, not '0'/],
    [
      'http-server',
      ['--path', '/tmp/http.sock', '--workers', '2'],
      /--path: SO_REUSEPORT needs TCP, so --workers must be 1/,
    ],
    ['http-server', ['--port', '65536'], /--port must be an integer from 0 to 65535, not '65536'/],
    ['http-server', ['--dispatch', 'poll'], /--dispatch must be auto, loop or thread, not 'poll'/],
  ];
  test.each(BAD_COMMAND_LINES)('%s %p: one line saying what is wrong, status 2', async (program, args, message) => {
    const child = run(process.execPath, [path.join(EXAMPLES, `${program}.js`), ...args]);
    expect(await child.exited).toBe(2);
    expect(child.output()).toMatch(
      new RegExp(`^${program}: ${message.source}.*\\(${program} --help lists the options\\)\n$`),
    );
  });

  test.each(['echo-server', 'echo-cluster', 'resp-server', 'http-server'])(
    '%s --help: the usage with every option, status 0',
    async (program) => {
      const child = run(process.execPath, [path.join(EXAMPLES, `${program}.js`), '--help']);
      expect(await child.exited).toBe(0);
      const options = [...child.output().matchAll(/^ {2}--(\w+)/gm)].map((m) => m[1]);
      expect(child.output()).toMatch(new RegExp(`^usage: ${program} \\[options\\]\n`));
      expect(options).toEqual(
        expect.arrayContaining(['host', 'port', 'path', 'dispatch', 'epollout', 'drain', 'help']),
      );
      if (program !== 'echo-server') expect(options).toContain('workers');
      if (program === 'http-server') expect(child.output()).toMatch(/--port N +.*\(default 8080\)\n/);
    },
  );

  test.each(['echo-server', 'echo-cluster', 'resp-server', 'http-server'])(
    '%s on a port in use: one line naming it and EADDRINUSE, status 1',
    async (program) => {
      const taken = net.createServer().listen(0, '127.0.0.1');
      await new Promise((resolve) => taken.once('listening', resolve));
      const { port } = taken.address() as net.AddressInfo;
      try {
        // The port is held without SO_REUSEPORT, so the cluster's first worker cannot bind it either.
        const workers = program === 'echo-cluster' ? ['--workers', '2'] : [];
        const child = run(process.execPath, [path.join(EXAMPLES, `${program}.js`), '--port', String(port), ...workers]);
        expect(await child.exited).toBe(1);
        expect(child.output()).toBe(
          `${program}: cannot listen on 127.0.0.1:${port}: address already in use (EADDRINUSE)\n`,
        );
      } finally {
        taken.close();
      }
    },
  );

  test.each(['echo-server', 'echo-cluster', 'http-server'])(
    '%s on a privileged port without privilege: one line with EACCES, status 1',
    async (program) => {
      // Ports below net.ipv4.ip_unprivileged_port_start (1024 by default) need CAP_NET_BIND_SERVICE:
      // root runs the program without it (and keeps the rest, so it still reads this checkout).
      const privileged = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8')) - 1;
      expect(privileged).toBeGreaterThan(0);
      const command = [process.execPath, path.join(EXAMPLES, `${program}.js`), '--port', String(privileged)];
      const unprivileged =
        process.getuid!() === 0 ? ['setpriv', '--bounding-set', '-net_bind_service', ...command] : command;
      const child = run(unprivileged[0], unprivileged.slice(1));
      expect(await child.exited).toBe(1);
      expect(child.output()).toBe(`${program}: cannot listen on 127.0.0.1:${privileged}: permission denied (EACCES)\n`);
    },
  );

  test(
    'echo-server out of fds (RLIMIT_NOFILE 40) sheds connections without spinning, then recovers',
    async () => {
      const server = run('prlimit', [
        '--nofile=40:40',
        process.execPath,
        path.join(EXAMPLES, 'echo-server.js'),
        '--port',
        '0',
      ]);
      const port = await listeningPort(server);
      const clients: net.Socket[] = [];
      let closedByServer = 0;
      for (let i = 0; i < 60; i++) {
        const socket = net.connect({ host: '127.0.0.1', port });
        socket.on('error', () => undefined);
        socket.on('close', () => closedByServer++);
        clients.push(socket);
      }
      // Those beyond the limit are accepted and closed at once; the rest stay open.
      await waitFor(() => closedByServer >= 30, 'the excess connections shed', 10000);
      const before = cpuTicks(server.child.pid!);
      await new Promise((resolve) => setTimeout(resolve, 500));
      // A listener left ready would burn the whole half second (50 ticks at 100 Hz).
      expect(cpuTicks(server.child.pid!) - before).toBeLessThan(10);
      for (const socket of clients) socket.destroy();
      await waitFor(() => closedByServer === 60, 'every client closed');
      expect(await echoText(port, 'recovered')).toBe('recovered');
      server.child.kill('SIGINT');
      expect(await server.exited).toBe(0);
    },
    bound(30000),
  );

  test(
    'echo-cluster: two threads share one port through SO_REUSEPORT',
    async () => {
      const cluster = run(process.execPath, [path.join(EXAMPLES, 'echo-cluster.js'), '--workers', '2', '--port', '0']);
      const port = await listeningPort(cluster);
      expect(cluster.output()).toContain('echo cluster of 2 threads');
      const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => echoText(port, `message ${i}`)));
      expect(replies).toEqual(Array.from({ length: 40 }, (_, i) => `message ${i}`));
      cluster.child.kill('SIGTERM');
      expect(await cluster.exited).toBe(0);
      const perThread = /connections per thread: (\d+) (\d+)/.exec(cluster.output())!.slice(1).map(Number);
      // The kernel hashes each connection to a listener: all 40 on one thread has odds of 2^-39.
      expect(perThread[0] + perThread[1]).toBe(40);
      expect(Math.min(...perThread)).toBeGreaterThan(0);
    },
    bound(20000),
  );

  test.each([[1], [2]])(
    'http-server --workers %i: answers fetch, and exits cleanly on SIGTERM',
    async (workers) => {
      const server = run(process.execPath, [
        path.join(EXAMPLES, 'http-server.js'),
        '--port',
        '0',
        '--workers',
        String(workers),
      ]);
      await waitFor(() => /try: curl http:\/\/127\.0\.0\.1:\d+\//.test(server.output()), 'the start line', 10000);
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(server.output())![1]);
      expect(server.output()).toMatch(workers === 1 ? /\(dispatch: loop\)/ : /2 worker threads/);
      // A connection each (Connection: close), so that the kernel spreads them over the threads.
      const texts = await Promise.all(
        Array.from({ length: 40 }, () =>
          fetch(`http://127.0.0.1:${port}/`, { headers: { Connection: 'close' } }).then((r) => r.text()),
        ),
      );
      expect(new Set(texts)).toEqual(new Set(['Hello, World!']));
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      if (workers === 1) {
        expect(server.output()).toContain('closed after 40 connections');
      } else {
        const perThread = /connections per thread: (\d+) (\d+)/.exec(server.output())!.slice(1).map(Number);
        expect(perThread[0] + perThread[1]).toBe(40);
        expect(Math.min(...perThread)).toBeGreaterThan(0);
      }
    },
    bound(20000),
  );

  test('timerfd: ten ticks, the blocked stretch reported as several expirations in one read', async () => {
    const example = run(process.execPath, [path.join(EXAMPLES, 'timerfd.js')]);
    expect(await example.exited).toBe(0);
    const counts = [...example.output().matchAll(/\(\+(\d+)\)/g)].map((m) => Number(m[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...counts)).toBeGreaterThan(1);
  });

  test('eventfd-worker: the main thread sees every signal the worker wrote', async () => {
    const example = run(process.execPath, [path.join(EXAMPLES, 'eventfd-worker.js')]);
    expect(await example.exited).toBe(0);
    expect(example.output()).toContain('main thread: 5 of 5 signals');
  });

  test('pidfd-wait: waits for a process it did not spawn, and reports a child only after its stdout is drained', async () => {
    const stranger = run('sleep', ['30']);
    const waiting = run(process.execPath, [path.join(EXAMPLES, 'pidfd-wait.js'), String(stranger.child.pid)]);
    await waitFor(() => waiting.output().includes(`waiting for pid ${stranger.child.pid}`), 'the example to wait');
    stranger.child.kill('SIGTERM');
    expect(await waiting.exited).toBe(0);
    expect(waiting.output()).toContain(`pid ${stranger.child.pid} exited`);
    const drained = run(process.execPath, [path.join(EXAMPLES, 'pidfd-wait.js')]);
    expect(await drained.exited).toBe(0);
    expect(drained.output()).toMatch(/pidfd: child \d+ exited, \d+ of 1048576 bytes read so far/);
    expect(drained.output()).toMatch(/child \d+ exited with code 3, reported after all 1048576 bytes of its stdout\n$/);
  });

  test('inotify-tree: prints changes anywhere in the tree, renames paired, new directories watched', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inotify-example-'));
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'inotify-example-outside-'));
    try {
      fs.mkdirSync(path.join(dir, 'a'));
      const example = run(process.execPath, [path.join(EXAMPLES, 'inotify-tree.js'), dir]);
      await waitFor(() => example.output().includes('watching 2 directories'), 'the example to watch');
      fs.mkdirSync(path.join(dir, 'a', 'new'));
      await waitFor(() => example.output().includes('created: a/new/'), 'the new directory');
      fs.writeFileSync(path.join(dir, 'a', 'new', 'file'), 'x');
      fs.renameSync(path.join(dir, 'a', 'new', 'file'), path.join(dir, 'moved'));
      await waitFor(() => example.output().includes('renamed: a/new/file -> moved'), 'the rename');
      expect(example.output()).toContain('written: a/new/file');
      // Out of the tree: an IN_MOVED_FROM that no IN_MOVED_TO follows, held for its pair, then printed.
      fs.renameSync(path.join(dir, 'moved'), path.join(outside, 'gone'));
      await waitFor(() => example.output().includes('moved out: moved\n'), 'the move out');
      example.child.kill('SIGTERM');
      expect(await example.exited).toBe(0);
      expect(example.output()).not.toMatch(/moved out: a\/new\/file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});
