// What linux-epoll promises on every runtime it claims (README: Runtimes), in plain JavaScript so
// that Bun and Deno run it as they are: `bun test/runtimes/suite.cjs`, `deno run -A
// test/runtimes/suite.cjs`, `node test/runtimes/suite.cjs`. Real fds and sockets throughout.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { AsyncLocalStorage } = require('node:async_hooks');

const net = require('node:net');

const {
  assert,
  test,
  run,
  runFile,
  runScript,
  spawnRuntime,
  waitFor,
  RUNTIME,
  PACKAGE,
  ROOT,
  scratch,
} = require('./runner.cjs');
const {
  ConnectionServer,
  EpollInstance,
  EventFd,
  TimerFd,
  PidFd,
  Inotify,
  pairRenames,
  io,
  sock,
  EPOLLIN,
  EPOLLOUT,
  EPOLLET,
  EPOLLONESHOT,
  EPOLLRDHUP,
  IN_CREATE,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  IN_OPEN,
  IN_CLOSE_NOWRITE,
  IN_Q_OVERFLOW,
} = require(PACKAGE);
const { spawn } = require('node:child_process');
const { Epoll } = require(path.join(ROOT, 'dist/lib/compat.js'));

const ON_NODE = RUNTIME === 'node';
// 'loop' needs libuv's uv_poll, which only Node has (lib/core/runtime.ts).
const MODES = ON_NODE ? ['thread', 'loop'] : ['thread'];

// Starts an echo example on a free port, echoes one message through it, stops it with SIGTERM and
// checks that it exited cleanly; returns what it printed.
async function echoOnce(example, message) {
  const server = spawnRuntime(path.join(ROOT, 'dist/examples', `${example}.js`), ['--port', '0']);
  let out = '';
  server.stdout.on('data', (d) => (out += d));
  server.stderr.on('data', (d) => (out += d));
  const exited = new Promise((resolve) => server.on('close', (code, signal) => resolve({ code, signal })));
  try {
    await waitFor(() => /echo server on 127\.0\.0\.1:\d+/.test(out), `${example} to listen`);
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(out)[1]);
    const echoed = await new Promise((resolve, reject) => {
      const client = net.connect(port, '127.0.0.1', () => client.end(message));
      let data = '';
      client.on('data', (d) => (data += d));
      client.on('end', () => resolve(data));
      client.on('error', reject);
    });
    assert.equal(echoed, message, example);
  } finally {
    // Not server.kill(): Deno's child_process then reports the signal it sent, not how the child ended.
    process.kill(server.pid, 'SIGTERM');
  }
  assert.deepEqual(await exited, { code: 0, signal: null }, out);
  return out;
}

test("dispatch 'loop' is refused with a clear error where it cannot work, and 'auto' picks what works", async () => {
  const result = await runScript(`
    const { EpollInstance } = LINUX_EPOLL;
    const attempt = () => {
      try { const ep = new EpollInstance({ dispatch: 'loop' }); ep.close(); return 'loop'; } catch (e) { return e.code + ' ' + /not supported on this runtime/.test(e.message); }
    };
    const auto = new EpollInstance({ dispatch: 'auto' });
    console.log(attempt(), auto.dispatch);
    auto.close();
    const { Worker } = require('worker_threads');
    const worker = new Worker(${JSON.stringify(`
      const { EpollInstance } = require(${JSON.stringify(PACKAGE)});
      let answer;
      try { new EpollInstance({ dispatch: 'loop' }).close(); answer = 'loop'; } catch (e) { answer = e.code; }
      require('worker_threads').parentPort.postMessage(answer);
    `)}, { eval: true });
    worker.once('message', (answer) => { console.log('worker', answer); worker.terminate(); });`);
  assert.equal(result.stderr, '');
  assert.deepEqual([result.code, result.signal], [0, null]);
  const expected = ON_NODE
    ? 'loop loop\nworker loop\n'
    : 'ERR_EPOLL_DISPATCH_UNSUPPORTED true thread\nworker ERR_EPOLL_DISPATCH_UNSUPPORTED\n';
  assert.equal(result.stdout, expected);
});

for (const dispatch of MODES) {
  test(`${dispatch}: level-triggered repeats, edge-triggered reports each arrival once, modify and remove`, async () => {
    const ep = new EpollInstance({ dispatch });
    const level = new EventFd(1);
    const edge = new EventFd(1);
    try {
      let levelCalls = 0;
      let edgeCalls = 0;
      ep.add(level.fd, EPOLLIN, (events, fd) => {
        assert.deepEqual([events, fd], [EPOLLIN, level.fd]);
        levelCalls++;
      });
      ep.add(edge.fd, EPOLLIN | EPOLLET, () => edgeCalls++);
      assert.equal(ep.size, 2);
      assert.equal(ep.has(level.fd), true);
      await waitFor(() => levelCalls >= 3 && edgeCalls === 1, 'level to repeat and the edge once');
      ep.remove(level.fd);
      const after = levelCalls;
      edge.write(1);
      await waitFor(() => edgeCalls === 2, 'a second edge');
      assert.equal(levelCalls, after, 'a removed handler ran');
      let oneshot = 0;
      ep.modify(edge.fd, EPOLLIN | EPOLLONESHOT, () => oneshot++);
      await waitFor(() => oneshot === 1, 'the one-shot event');
      ep.modify(edge.fd, EPOLLIN | EPOLLONESHOT);
      await waitFor(() => oneshot === 2, 'the re-armed one-shot event');
      assert.throws(() => ep.remove(level.fd), { code: 'ENOENT', syscall: 'epoll_ctl' });
    } finally {
      ep.close();
      level.close();
      edge.close();
    }
    assert.equal(ep.closed, true);
    assert.throws(() => ep.add(0, EPOLLIN, () => {}), { code: 'ERR_EPOLL_CLOSED' });
  });

  test(`${dispatch}: EventFd, TimerFd, pipes and socketpairs`, async () => {
    const ep = new EpollInstance({ dispatch });
    const sem = new EventFd(2, { semaphore: true });
    const timer = new TimerFd();
    const [r, w] = io.pipe();
    const [a, b] = io.socketpair();
    try {
      assert.equal(sem.read(), 1n);
      assert.equal(sem.read(), 1n);
      assert.equal(sem.read(), null);
      let ticks = 0n;
      ep.add(timer.fd, EPOLLIN, () => (ticks += timer.read() ?? 0n));
      timer.start(5, 5);
      const chunk = Buffer.alloc(16);
      let piped = '';
      ep.add(r, EPOLLIN | EPOLLET, () => {
        let n;
        while ((n = io.read(r, chunk)) !== null && n > 0) piped += chunk.toString('utf8', 0, n);
      });
      let hungUp = false;
      ep.add(a, EPOLLIN | EPOLLRDHUP, (events) => {
        if (events & EPOLLRDHUP) {
          hungUp = true;
          ep.remove(a);
        }
      });
      assert.equal(io.write(w, Buffer.from('through the pipe')), 16);
      io.close(b);
      await waitFor(
        () => ticks >= 3n && piped === 'through the pipe' && hungUp,
        'timer ticks, pipe data and the hang-up',
      );
      timer.stop();
    } finally {
      ep.close();
      for (const fd of [r, w, a]) io.close(fd);
      sem.close();
      timer.close();
    }
  });

  test(`${dispatch}: a TCP echo over 127.0.0.1, UDP datagrams, a Unix socket`, async () => {
    const ep = new EpollInstance({ dispatch });
    const listener = sock.listenTcp({ host: '127.0.0.1', port: 0 });
    const { port } = sock.localAddress(listener);
    const open = [listener];
    try {
      const buffer = Buffer.alloc(4096);
      ep.add(listener, EPOLLIN | EPOLLET, () => {
        let accepted;
        while ((accepted = sock.accept(listener)) !== null) {
          const fd = accepted.fd;
          open.push(fd);
          ep.add(fd, EPOLLIN | EPOLLET, () => {
            let n;
            while ((n = sock.recv(fd, buffer)) !== null && n > 0) sock.send(fd, buffer, 0, n);
          });
        }
      });
      const client = sock.connectTo({ address: '127.0.0.1', port });
      open.push(client.fd);
      let connected = client.connected;
      let echoed = '';
      ep.add(client.fd, EPOLLOUT | EPOLLIN, (events) => {
        if (!connected && events & EPOLLOUT) {
          assert.equal(sock.socketError(client.fd), null);
          connected = true;
          ep.modify(client.fd, EPOLLIN);
          sock.send(client.fd, Buffer.from('ping over tcp'));
        }
        let n;
        while ((n = sock.recv(client.fd, buffer)) !== null && n > 0) echoed += buffer.toString('utf8', 0, n);
      });
      if (connected) sock.send(client.fd, Buffer.from('ping over tcp'));
      await waitFor(() => echoed === 'ping over tcp', 'the echo');

      const udp = sock.bindUdp({ host: '127.0.0.1', port: 0 });
      open.push(udp);
      let datagram;
      ep.add(udp, EPOLLIN, () => {
        const got = sock.recvfrom(udp, buffer);
        if (got !== null) datagram = buffer.toString('utf8', 0, got.bytes);
      });
      sock.sendto(udp, Buffer.from('a datagram'), sock.localAddress(udp));
      await waitFor(() => datagram === 'a datagram', 'the datagram');

      const unix = sock.listenUnix({ path: path.join(scratch, `echo-${dispatch}.sock`) });
      open.push(unix);
      let unixAccepted = false;
      ep.add(unix, EPOLLIN, () => {
        const accepted = sock.accept(unix);
        if (accepted !== null) {
          open.push(accepted.fd);
          unixAccepted = true;
        }
      });
      open.push(sock.connectTo({ family: 'unix', path: path.join(scratch, `echo-${dispatch}.sock`) }).fd);
      await waitFor(() => unixAccepted, 'the Unix connection');
    } finally {
      ep.close();
      for (const fd of open) io.close(fd);
    }
  });
}

// Every kind of view the runtime has (Float16Array only on newer ones) moves its whole bytes: native
// code sizes each element from the engine's own record, whichever headers it was built against.
test('io.write and io.read move every byte of each TypedArray kind and of a DataView', () => {
  const kinds = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array]
    .concat([Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView])
    .concat(typeof Float16Array === 'function' ? [Float16Array] : []);
  const [r, w] = io.pipe();
  try {
    for (const Kind of kinds) {
      const bytes = new Uint8Array(24).map((_, i) => i + 1);
      const view = Kind === DataView ? new DataView(bytes.buffer) : new Kind(bytes.buffer);
      assert.equal(io.write(w, view), 24, `${Kind.name} written`);
      const into = new Uint8Array(24);
      const target = Kind === DataView ? new DataView(into.buffer) : new Kind(into.buffer);
      assert.equal(io.read(r, target), 24, `${Kind.name} read`);
      assert.deepEqual([...into], [...bytes], `${Kind.name} bytes`);
    }
  } finally {
    io.close(r);
    io.close(w);
  }
});
for (const dispatch of MODES) {
  test(`${dispatch}: a PidFd turns readable when a child exits, which child_process still reports`, async () => {
    const ep = new EpollInstance({ dispatch });
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const pidfd = PidFd.open(child.pid);
    try {
      let outcome = null;
      ep.add(pidfd.fd, EPOLLIN, () => {
        // The runtime may have reaped its child already, in the same turn: then ECHILD.
        try {
          outcome = pidfd.exitStatus();
        } catch (error) {
          outcome = error.code;
        }
        ep.remove(pidfd.fd);
      });
      assert.equal(pidfd.exitStatus(), null);
      pidfd.sendSignal('SIGTERM');
      await waitFor(() => outcome !== null, 'the pidfd to turn readable');
      if (outcome !== 'ECHILD')
        assert.deepEqual(outcome, { pid: child.pid, code: null, signal: 'SIGTERM', coreDumped: false });
      assert.deepEqual(await exited, { code: null, signal: 'SIGTERM' });
      const gone = (() => {
        try {
          PidFd.open(0x7fffffff);
        } catch (error) {
          return error;
        }
      })();
      assert.equal(gone.code, 'ESRCH');
      assert.match(gone.hint, /no such process/);
    } finally {
      ep.close();
      pidfd.close();
    }
  });

  test(`${dispatch}: Inotify reports a directory's changes, renames pair, and an overflow is an event`, async () => {
    const ep = new EpollInstance({ dispatch });
    const inotify = new Inotify({ overflow: 'event' });
    const dir = fs.mkdtempSync(path.join(scratch, `inotify-${dispatch}-`));
    try {
      const wd = inotify.watch(dir, IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO);
      const events = [];
      ep.add(inotify.fd, EPOLLIN, () => {
        for (let batch = inotify.read(); batch !== null; batch = inotify.read()) events.push(...batch);
      });
      fs.writeFileSync(path.join(dir, 'a'), '');
      fs.renameSync(path.join(dir, 'a'), path.join(dir, 'b'));
      await waitFor(() => events.length === 3, 'three events');
      const paired = pairRenames(events);
      assert.deepEqual(paired[0], { wd, mask: IN_CREATE, cookie: 0, name: 'a' });
      assert.deepEqual([paired.length, paired[1].from.name, paired[1].to.name], [2, 'a', 'b']);
      ep.remove(inotify.fd);
      const max = Number(fs.readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8'));
      inotify.watch(path.join(dir, 'b'), IN_OPEN | IN_CLOSE_NOWRITE);
      for (let i = 0; i <= max / 2 + 10; i++) fs.closeSync(fs.openSync(path.join(dir, 'b'), 'r'));
      let overflowed = 0;
      for (let batch = inotify.read(); batch !== null; batch = inotify.read()) {
        overflowed += batch.filter((event) => event.mask & IN_Q_OVERFLOW).length;
      }
      assert.equal(overflowed, 1);
    } finally {
      ep.close();
      inotify.close();
    }
  });
}
test('awaits: readable, writable, a watch, abort, timeout, a reused signal and asyncDispose, in every mode', async () => {
  for (const dispatch of MODES) {
    const ep = new EpollInstance({ dispatch });
    const [a, b] = io.socketpair();
    try {
      const controller = new AbortController();
      const { signal } = controller;
      for (let i = 0; i < 100; i++) assert.equal(await ep.writable(a, { signal, timeout: 60000 }), EPOLLOUT, dispatch);
      const readable = ep.readable(a, { signal });
      io.write(b, Buffer.from('x'));
      assert.equal(await readable, EPOLLIN, dispatch);
      const timedOut = await ep.readable(b, { timeout: 1 }).catch((error) => error);
      assert.deepEqual([timedOut.name, timedOut.code], ['TimeoutError', 'ERR_EPOLL_TIMEOUT'], dispatch);
      const aborted = ep.readable(b, { signal });
      controller.abort('why');
      const error = await aborted.catch((e) => e);
      assert.deepEqual([error.name, error.code, error.cause], ['AbortError', 'ABORT_ERR', 'why'], dispatch);
      let seen = 0;
      for await (const events of ep.watch(a, EPOLLIN | EPOLLET)) {
        assert.equal(events, EPOLLIN, dispatch);
        if (++seen === 2) break;
        io.write(b, Buffer.from('y'));
      }
      const pending = ep.readable(b);
      await ep[Symbol.asyncDispose]();
      assert.equal((await pending.catch((e) => e)).code, 'ERR_EPOLL_CLOSED', dispatch);
    } finally {
      ep.close();
      io.close(a);
      io.close(b);
    }
  }
});

test('examples/echo-async echoes, and stops on SIGTERM', async () => {
  await echoOnce('echo-async', 'hello, async echo');
});

test('compat: the epoll@4 API calls back (err, fd, events)', async () => {
  const [r, w] = io.pipe();
  const calls = [];
  const poller = new Epoll((err, fd, events) => {
    calls.push([err, fd, events]);
    poller.remove(fd).close();
  });
  try {
    poller.add(r, Epoll.EPOLLIN);
    io.write(w, Buffer.from('x'));
    await waitFor(() => calls.length === 1, 'the callback');
    assert.deepEqual(calls[0], [null, r, Epoll.EPOLLIN]);
  } finally {
    io.close(r);
    io.close(w);
  }
});

test('import: the ESM entry points of a linked checkout, the same instances as require', async () => {
  const consumer = path.join(scratch, 'consumer');
  fs.mkdirSync(path.join(consumer, 'node_modules'), { recursive: true });
  fs.symlinkSync(ROOT, path.join(consumer, 'node_modules', 'linux-epoll'), 'dir');
  fs.writeFileSync(path.join(consumer, 'package.json'), '{ "name": "consumer", "private": true }\n');
  const result = await runScript(
    `import { EpollInstance } from 'linux-epoll';
     import epoll, { Epoll } from 'linux-epoll/compat';
     import { createRequire } from 'node:module';
     const require = createRequire(import.meta.url);
     console.log(EpollInstance === require('linux-epoll').EpollInstance, Epoll === epoll.Epoll, typeof Epoll.EPOLLIN);`,
    { name: 'consumer/import.mjs', prelude: false },
  );
  assert.equal(result.stderr, '');
  assert.equal(result.stdout, 'true true number\n');
});

test('a worker_thread gets events from the main thread, and a terminated one leaves no thread or fd', async () => {
  const result = await runScript(`
    const { Worker } = require('worker_threads');
    const { EventFd } = LINUX_EPOLL;
    const source = ${JSON.stringify(`
      const { EpollInstance, EPOLLIN } = require(${JSON.stringify(PACKAGE)});
      const { parentPort, workerData } = require('worker_threads');
      const ep = new EpollInstance({ dispatch: 'auto' });
      ep.add(workerData.wake, EPOLLIN, () => { ep.close(); parentPort.postMessage('woken'); });
      // Held open, never closed: the worker is terminated with these waiting.
      for (const fd of workerData.ready) new EpollInstance().add(fd, EPOLLIN, () => {});
      parentPort.postMessage('waiting');
    `)};
    // Objects, not numbers, are kept: an EventFd that nothing references is closed when collected.
    const ready = [1, 2, 3].map(() => new EventFd(1));
    const wake = new EventFd();
    const before = counts();
    let rounds = 0;
    const round = () => {
      const worker = new Worker(source, { eval: true, workerData: { wake: wake.fd, ready: ready.map((efd) => efd.fd) } });
      worker.on('message', (message) => {
        if (message === 'waiting') wake.write(1);
        else { wake.read(); worker.terminate(); }
      });
      worker.once('exit', () => {
        if (++rounds < 5) return round();
        const report = (n) => {
          const after = counts();
          const delta = { fds: after.fds - before.fds, threads: after.threads - before.threads };
          if ((delta.fds !== 0 || delta.threads !== 0) && n > 0) return setTimeout(() => report(n - 1), 20);
          console.log(rounds, JSON.stringify(delta));
        };
        report(100);
      });
    };
    round();`);
  assert.equal(result.stderr, '');
  assert.deepEqual([result.code, result.signal], [0, null]);
  assert.equal(result.stdout, '5 {"fds":0,"threads":0}\n');
});

// The handler drains its fd: Bun ends a process on an uncaught error only once its event loop has
// nothing queued, and an fd that stays ready always queues the next batch (README: Runtimes).
test('a handler that throws with no listener ends the process as an uncaught error, with its message', async () => {
  const result = await runScript(`
    const { EpollInstance, EventFd, EPOLLIN } = LINUX_EPOLL;
    const ep = new EpollInstance({ dispatch: 'auto' });
    const efd = new EventFd(1);
    ep.add(efd.fd, EPOLLIN, function explodingHandler() { efd.read(); throw new Error('boom from the handler'); });`);
  assert.deepEqual([result.code, result.signal], [1, null]);
  assert.match(result.stderr, /boom from the handler/);
  assert.doesNotMatch(result.stderr, /Fatal|panic/);
});

test('with an uncaughtException listener the error is reported and the instance keeps working', async () => {
  const result = await runScript(`
    const { EpollInstance, EventFd, EPOLLIN } = LINUX_EPOLL;
    const ep = new EpollInstance({ dispatch: 'auto' });
    const a = new EventFd(1), b = new EventFd(1);
    let thrown = 0, other = 0;
    process.on('uncaughtException', (error) => { console.log('caught', error.message); if (thrown === 1) a.write(1); });
    ep.add(a.fd, EPOLLIN, () => { a.read(); thrown++; throw new Error('bad ' + thrown); });
    // Level-triggered and never read: reported at every batch.
    ep.add(b.fd, EPOLLIN, () => other++);
    const check = setInterval(() => {
      if (thrown === 2 && other > 2) { clearInterval(check); ep.close(); a.close(); b.close(); console.log('thrown', thrown); }
    }, 5);`);
  assert.equal(result.stderr, '');
  assert.deepEqual([result.code, result.signal], [0, null]);
  assert.equal(result.stdout, 'caught bad 1\ncaught bad 2\nthrown 2\n');
});

test('unclosed, unreachable instances are collected: their threads stop and their fds close', async () => {
  const result = await runScript(
    `
    const { EpollInstance, EventFd, EPOLLIN } = LINUX_EPOLL;
    const ready = new EventFd(1);
    const before = counts();
    (function () {
      for (let i = 0; i < 10; i++) {
        const ep = new EpollInstance({ dispatch: 'thread' });
        ep.add(ready.fd, EPOLLIN, () => {});
        ep.unref();
      }
    })();
    const during = counts();
    const settle = (n) => {
      collect();
      const now = counts();
      if (n > 0 && (now.fds !== before.fds || now.threads !== before.threads)) return setTimeout(() => settle(n - 1), 10);
      console.log(JSON.stringify({ grew: during.fds - before.fds >= 10 && during.threads - before.threads === 10, fds: now.fds - before.fds, threads: now.threads - before.threads }));
    };
    settle(200);`,
    { gc: true },
  );
  assert.equal(result.stderr, '');
  assert.deepEqual(JSON.parse(result.stdout), { grew: true, fds: 0, threads: 0 });
});

test('process exit: held while registered and ref()ed, free once unref()ed or closed, process.exit() in a handler', async () => {
  const held = await runScript(`
    const { EpollInstance, EventFd, EPOLLIN, io } = LINUX_EPOLL;
    const ep = new EpollInstance({ dispatch: 'auto' });
    const [r, w] = io.pipe();
    const idle = new EpollInstance({ dispatch: 'auto' });
    const loose = new EpollInstance({ dispatch: 'auto' });
    const spare = new EventFd();
    loose.add(spare.fd, EPOLLIN, () => spare.read()).unref();
    ep.add(r, EPOLLIN, () => { console.log('event'); ep.close(); });
    // Only the instance holds the process: the byte comes from another process later on.
    require('child_process').spawn('sh', ['-c', 'sleep 0.2; printf x > /proc/' + process.pid + '/fd/' + w], { stdio: 'ignore' }).unref();
    process.on('exit', () => console.log('exit'));`);
  assert.equal(held.stderr, '');
  assert.deepEqual([held.code, held.signal, held.stdout], [0, null, 'event\nexit\n']);
  const exited = await runScript(`
    const { EpollInstance, EventFd, EPOLLIN } = LINUX_EPOLL;
    const ep = new EpollInstance({ dispatch: 'auto' });
    const efd = new EventFd(1);
    ep.add(efd.fd, EPOLLIN, () => { efd.read(); process.exit(42); });`);
  assert.deepEqual([exited.code, exited.signal, exited.stderr], [42, null, '']);
});

test("the examples run as they are, with the dispatch 'auto' picks: the echo server echoes and stops on SIGTERM", async () => {
  for (const [example, last] of [
    // The last tick is the 10th or later: one read can count several periods (tick 8, then tick 12).
    ['timerfd', /tick \d{2,} \(\+\d+\)\n$/],
    ['demo', /end of stream: closing/],
    ['eventfd-worker', /5 of 5 signals/],
  ]) {
    const ran = await runFile(path.join(ROOT, 'dist/examples', `${example}.js`));
    assert.deepEqual([ran.code, ran.signal, ran.stderr], [0, null, ''], example);
    assert.match(ran.stdout, last);
  }
  const out = await echoOnce('echo-server', 'hello, echo');
  assert.match(out, new RegExp(`dispatch: ${ON_NODE ? 'loop' : 'thread'}`));
  assert.match(out, /closed after 1 connections/);
});

// TUN/TAP needs a network namespace to leave the host alone: where none can be made (no root, no
// unshare), only the refusals before any syscall run, and the case says so in its output.
test('TunDevice: bad options refused before any syscall; in a network namespace, packets exchanged with the kernel', async () => {
  const { TunDevice } = require(PACKAGE);
  const refusals = [
    [{ mode: 'tun', name: 'a'.repeat(16) }, 'ERR_INVALID_ARG_VALUE'],
    [{ mode: 'tun', name: 'a\0b' }, 'ERR_INVALID_ARG_VALUE'],
    [{ mode: 'ethernet' }, 'ERR_INVALID_ARG_VALUE'],
    [{ mode: 'tap', multiQueue: 'yes' }, 'ERR_INVALID_ARG_TYPE'],
    [null, 'ERR_INVALID_ARG_TYPE'],
  ];
  for (const [options, code] of refusals) {
    assert.throws(
      () => TunDevice.open(options),
      (error) => error.code === code,
      JSON.stringify(options),
    );
  }
  const probe = require('node:child_process').spawnSync('unshare', ['--net', 'true']);
  if (probe.status !== 0) {
    console.log(`  # no network namespace here (unshare: ${probe.error?.code ?? probe.status}): TUN exchange not run`);
    return;
  }
  const scenarios = path.join(ROOT, 'test/net/tun-scenarios.cjs');
  for (const dispatch of MODES) {
    for (const scenario of ['udp', 'tap', 'worker']) {
      const result = await runScript(
        `require(${JSON.stringify(scenarios)}).run(${JSON.stringify(scenario)}, ${JSON.stringify({ dispatch, packetInfo: true })});`,
        { prelude: false, prefix: ['unshare', '--net', '--'] },
      );
      assert.equal(result.stderr, '', `${scenario} (${dispatch})`);
      const report = JSON.parse(result.stdout);
      const exchange = report.exchange ?? report;
      assert.deepEqual(
        exchange.received,
        { text: 'pong', from: scenario === 'tap' ? '10.2.0.2:9999' : '10.1.0.2:9999' },
        `${scenario} (${dispatch})`,
      );
      if (scenario === 'udp') assert.deepEqual(report.request.packetInfo, [0, 0, 8, 0]);
      if (scenario === 'worker') assert.deepEqual([report.listed, report.gone], [true, true]);
    }
  }
});

// Only Node's AsyncLocalStorage sees a Node-API async context (README: Runtimes).
test(`AsyncLocalStorage ${ON_NODE ? 'reaches' : 'does not reach'} handlers`, async () => {
  for (const dispatch of MODES) {
    const als = new AsyncLocalStorage();
    const ep = als.run('created', () => new EpollInstance({ dispatch }));
    const efd = new EventFd(1);
    let store = 'unset';
    ep.add(efd.fd, EPOLLIN, () => (store = als.getStore()));
    try {
      await waitFor(() => store !== 'unset', 'an event');
    } finally {
      ep.close();
      efd.close();
    }
    assert.equal(store, ON_NODE ? 'created' : undefined, dispatch);
  }
});

// GPIO on a runtime with no GPIO chip (the hosts): the entries load, refuse what is no chip, and the
// iterator under both runtimes' dispatch works on an eventfd; test:kernel runs the rest on gpio-sim.
test('linux-epoll/gpio and linux-epoll/onoff load; no chip is ENOTTY; the async iterator waits on the shared instance', async () => {
  const gpio = require(path.join(ROOT, 'dist/lib/gpio.js'));
  const { Gpio } = require(path.join(ROOT, 'dist/lib/onoff.js'));
  const { BatchIterator } = require(path.join(ROOT, 'dist/lib/gpio/readiness.js'));
  const chips = fs.readdirSync('/dev').filter((name) => /^gpiochip\d+$/.test(name));
  assert.equal(gpio.listChips().length, chips.length);
  assert.throws(
    () => gpio.openChip('/dev/null'),
    (error) => error.code === 'ENOTTY' && error.syscall === 'ioctl',
  );
  assert.equal(Gpio.accessible, chips.length > 0);
  const efd = new EventFd();
  const iterator = new BatchIterator(
    {
      fd: efd.fd,
      read: () => {
        const n = efd.read();
        return n === null ? null : [n];
      },
    },
    () => {},
  );
  try {
    const next = iterator.next();
    efd.write(3);
    assert.deepEqual(await next, { done: false, value: 3n });
  } finally {
    await iterator.return();
    efd.close();
  }
});

run();

for (const dispatch of MODES) {
  test(`${dispatch}: the connection layer serves lines split across reads, a 1 MiB reply and a half-close, to 20 clients`, async () => {
    const closed = [];
    const server = new ConnectionServer({
      dispatch,
      sendBufferSize: 4096,
      onConnection: (connection) => ({
        // Every whole line, each answered; a partial one waits for the rest.
        data(buffer, start, end) {
          let at = start;
          for (let newline = buffer.indexOf(10, at); newline >= 0 && newline < end; newline = buffer.indexOf(10, at)) {
            const line = buffer.toString('latin1', at, newline);
            connection.write(line === 'big' ? Buffer.alloc(1 << 20, 'b') : `${line.toUpperCase()}\n`);
            at = newline + 1;
          }
          return at - start;
        },
        close: (c, error) => closed.push(error),
      }),
    });
    try {
      const { port } = server.address;
      const replies = await Promise.all(
        Array.from(
          { length: 20 },
          (_, i) =>
            new Promise((resolve, reject) => {
              const client = net.connect(port, '127.0.0.1');
              let data = '';
              client.on('data', (d) => (data += d.toString('latin1')));
              client.on('end', () => resolve(data));
              client.on('error', reject);
              client.write(`client ${i} `);
              client.write(`line\nbi`);
              client.end('g\n');
            }),
        ),
      );
      const expected = (i) => `CLIENT ${i} LINE\n${'b'.repeat(1 << 20)}`;
      assert.deepEqual(
        replies.map((reply, i) => reply === expected(i)),
        Array(20).fill(true),
      );
      await waitFor(() => closed.length === 20, 'every connection closed');
      assert.deepEqual(closed, Array(20).fill(null));
      assert.equal(server.stats.open, 0);
    } finally {
      server.close();
    }
  });
}

const { HttpServer } = require(path.join(ROOT, 'dist/examples/http/server.js'));

for (const dispatch of MODES) {
  test(`${dispatch}: the HTTP example answers pipelined GET and chunked POST, refuses a bare LF, and closes`, async () => {
    // The Date timer and the idle sweeper are unref'd where the runtime's timers can be.
    const server = new HttpServer({ port: 0, dispatch, idleTimeout: 5000 });
    try {
      const exchange = (request) =>
        new Promise((resolve, reject) => {
          const client = net.connect(server.address.port, '127.0.0.1');
          let data = '';
          client.on('data', (d) => (data += d.toString('latin1')));
          client.on('end', () => resolve(data));
          client.on('error', reject);
          client.end(request);
        });
      const ok = await exchange(
        'GET / HTTP/1.1\r\nHost: h\r\n\r\n' +
          'POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n',
      );
      assert.match(
        ok,
        /^HTTP\/1\.1 200 OK\r\nDate: \w{3}, \d\d \w{3} \d{4} [\d:]{8} GMT\r\n[^]*\r\n\r\nHello, World!HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nabcde$/,
      );
      const refused = await exchange('GET / HTTP/1.1\nHost: h\n\n');
      assert.match(refused, /^HTTP\/1\.1 400 Bad Request\r\n[^]*Connection: close\r\n\r\nline not ended by CRLF\n$/);
      await waitFor(() => server.stats.open === 0, 'every connection closed');
    } finally {
      server.close();
    }
  });
}
