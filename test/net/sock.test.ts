// sock against the real kernel: loopback TCP (IPv4 and IPv6), Unix stream sockets at a path and in
// the abstract namespace, UDP, and the options servers need.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { EPOLLOUT, EPOLLPRI, EpollInstance, io, sock } from '../../lib';
import { binding } from '../../lib/core/binding';
import { FdPool, openFdCount, openFlags } from '../support/fds';
import { describeEachMode } from '../support/modes';
import { errorFrom } from '../support/thrown';
import { untilReady, waitFor } from '../support/wait';

const pool = new FdPool();
afterEach(() => pool.closeAll());

const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;

// A connected pair over loopback TCP: [client, server].
function tcpPair(host = '127.0.0.1'): [number, number] {
  const listener = pool.adopt(sock.listenTcp({ host }));
  const { fd } = sock.connectTo(sock.localAddress(listener));
  pool.adopt(fd);
  return [fd, pool.adopt(untilReady(() => sock.accept(listener), 'accept').fd)];
}

describe('sock: TCP', () => {
  test('listenTcp binds a free port and every socket is non-blocking and close-on-exec', () => {
    const listener = pool.adopt(sock.listenTcp({ port: 0 }));
    const address = sock.localAddress(listener);
    expect(address).toMatchObject({ family: 'IPv4', address: '127.0.0.1' });
    expect((address as sock.InetSocketAddress).port).toBeGreaterThan(0);
    const [client, server] = tcpPair();
    for (const fd of [listener, client, server])
      expect(openFlags(fd) & (O_NONBLOCK | O_CLOEXEC)).toBe(O_NONBLOCK | O_CLOEXEC);
  });

  test('accept returns null when no connection is pending, then the peer address', () => {
    const listener = pool.adopt(sock.listenTcp());
    expect(sock.accept(listener)).toBeNull();
    const { fd } = sock.connectTo(sock.localAddress(listener));
    pool.adopt(fd);
    const accepted = untilReady(() => sock.accept(listener), 'accept');
    pool.adopt(accepted.fd);
    expect(accepted.address).toEqual(sock.localAddress(fd));
    expect(sock.peerAddress(accepted.fd)).toEqual(sock.localAddress(fd));
    expect(sock.peerAddress(fd)).toEqual(sock.localAddress(listener));
  });

  test('IPv6 loopback, with the address formatted as Node formats it', () => {
    const [client, server] = tcpPair('::1');
    expect(sock.localAddress(client)).toMatchObject({ family: 'IPv6', address: '::1', scopeId: 0 });
    expect(io.write(client, Buffer.from('six'))).toBe(3);
    const into = Buffer.alloc(8);
    const count = untilReady(() => io.read(server, into), 'read');
    expect(into.subarray(0, count).toString()).toBe('six');
  });

  test('an IPv4-mapped IPv6 listener reports ::ffff:a.b.c.d', () => {
    const listener = pool.adopt(sock.listenTcp({ host: '::ffff:127.0.0.1' }));
    expect(sock.localAddress(listener)).toMatchObject({ family: 'IPv6', address: '::ffff:127.0.0.1' });
  });

  test('SO_REUSEPORT lets two sockets listen on one port; without it the second gets EADDRINUSE', () => {
    const first = pool.adopt(sock.listenTcp({ reusePort: true }));
    const { port } = sock.localAddress(first) as sock.InetSocketAddress;
    pool.adopt(sock.listenTcp({ port, reusePort: true }));
    const plain = pool.adopt(sock.listenTcp());
    const taken = (sock.localAddress(plain) as sock.InetSocketAddress).port;
    expect(errorFrom(() => sock.listenTcp({ port: taken }))).toMatchObject({ code: 'EADDRINUSE', syscall: 'bind' });
  });

  test('connect to a closed port reports ECONNREFUSED through socketError once EPOLLOUT fires', async () => {
    const listener = sock.listenTcp();
    const address = sock.localAddress(listener);
    io.close(listener);
    const { fd, connected } = sock.connectTo(address);
    pool.adopt(fd);
    expect(connected).toBe(false);
    const epoll = new EpollInstance({ dispatch: 'loop' });
    let events = 0;
    epoll.add(fd, EPOLLOUT, (e) => (events = e));
    await waitFor(() => events !== 0, 'EPOLLOUT');
    epoll.close();
    expect(sock.socketError(fd)).toMatchObject({
      code: 'ECONNREFUSED',
      syscall: 'connect',
      errno: -os.constants.errno.ECONNREFUSED,
    });
    expect(sock.socketError(fd)).toBeNull();
  });

  test('a successful connect completes with EPOLLOUT and socketError null', async () => {
    const listener = pool.adopt(sock.listenTcp());
    const { fd } = sock.connectTo(sock.localAddress(listener));
    pool.adopt(fd);
    const epoll = new EpollInstance({ dispatch: 'loop' });
    let events = 0;
    epoll.add(fd, EPOLLOUT, (e) => (events = e));
    await waitFor(() => events !== 0, 'EPOLLOUT');
    epoll.close();
    expect(sock.socketError(fd)).toBeNull();
  });

  test('writev and readv move several buffers in one call, in order', () => {
    const [client, server] = tcpPair();
    expect(sock.writev(client, [Buffer.from('ab'), new Uint8Array([99]), Buffer.alloc(0), Buffer.from('def')])).toBe(6);
    const a = Buffer.alloc(1);
    const b = Buffer.alloc(10);
    expect(untilReady(() => sock.readv(server, [a, b]), 'readv')).toBe(6);
    expect(a.toString() + b.subarray(0, 5).toString()).toBe('abcdef');
    expect(sock.readv(server, [a])).toBeNull();
  });

  test('shutdown("write") is a half-close: the peer reads end of stream and can still send', () => {
    const [client, server] = tcpPair();
    sock.shutdown(client, 'write');
    const into = Buffer.alloc(4);
    expect(untilReady(() => io.read(server, into), 'read')).toBe(0);
    expect(io.write(server, Buffer.from('back'))).toBe(4);
    expect(untilReady(() => io.read(client, into), 'read')).toBe(4);
    expect(into.toString()).toBe('back');
  });

  test('SO_LINGER 0 makes close() a reset: the peer reads ECONNRESET', () => {
    const [client, server] = tcpPair();
    sock.setLinger(client, 0);
    pool.close(client);
    const into = Buffer.alloc(4);
    let error: { code?: string } | undefined;
    for (let i = 0; i < 100000 && error === undefined; i++) {
      try {
        io.read(server, into);
      } catch (e) {
        error = e as { code?: string };
      }
    }
    expect(error?.code).toBe('ECONNRESET');
  });

  test('buffer sizes, TCP_NODELAY, SO_KEEPALIVE, SO_LINGER and SO_REUSEADDR are set', () => {
    const [client] = tcpPair();
    const k = binding.sock.constants;
    // The kernel's own answer; SO_LINGER's first int is l_onoff.
    const option = (level: number, name: number): number => binding.sock.getIntOption(client, level, name);
    sock.setSendBufferSize(client, 8192);
    sock.setReceiveBufferSize(client, 8192);
    // Linux doubles the value for its bookkeeping.
    expect(sock.sendBufferSize(client)).toBe(16384);
    expect(sock.receiveBufferSize(client)).toBe(16384);
    for (const on of [true, false]) {
      sock.setNoDelay(client, on);
      sock.setKeepAlive(client, on);
      sock.setReuseAddress(client, on);
      expect([
        option(k.IPPROTO_TCP, k.TCP_NODELAY),
        option(k.SOL_SOCKET, k.SO_KEEPALIVE),
        option(k.SOL_SOCKET, k.SO_REUSEADDR),
      ]).toEqual(on ? [1, 1, 1] : [0, 0, 0]);
    }
    sock.setLinger(client, 5);
    expect(option(k.SOL_SOCKET, k.SO_LINGER)).toBe(1);
    sock.setLinger(client, null);
    expect(option(k.SOL_SOCKET, k.SO_LINGER)).toBe(0);
  });

  describeEachMode('out-of-band data', (dispatch) => {
    test('send with outOfBand raises EPOLLPRI at the peer, and recv with outOfBand reads the byte', async () => {
      const [client, server] = tcpPair();
      const epoll = new EpollInstance({ dispatch });
      let events = 0;
      epoll.add(server, EPOLLPRI, (e) => (events |= e));
      expect(sock.send(client, Buffer.from('!'), 0, 1, { outOfBand: true })).toBe(1);
      await waitFor(() => (events & EPOLLPRI) !== 0, 'EPOLLPRI');
      epoll.close();
      const into = Buffer.alloc(1);
      expect(sock.recv(server, into, 0, 1, { outOfBand: true })).toBe(1);
      expect(into.toString()).toBe('!');
    });
  });

  test('recv with peek leaves the data queued', () => {
    const [client, server] = tcpPair();
    sock.send(client, Buffer.from('peek'));
    const into = Buffer.alloc(4);
    expect(untilReady(() => sock.recv(server, into, 0, 4, { peek: true }), 'recv')).toBe(4);
    expect(into.toString()).toBe('peek');
    const again = Buffer.alloc(4);
    expect(io.read(server, again)).toBe(4);
    expect(again.toString()).toBe('peek');
  });
});

describe('sock: Unix stream sockets', () => {
  test.each([
    ['a filesystem path', path.join(os.tmpdir(), `linux-epoll-${process.pid}-${Date.now()}.sock`)],
    ['the abstract namespace', `\0linux-epoll-${process.pid}-${Date.now()}`],
  ])('listen, connect and accept at %s', (_where, where) => {
    const listener = pool.adopt(sock.listenUnix({ path: where }));
    expect(sock.localAddress(listener)).toEqual({ family: 'unix', path: where });
    const { fd, connected } = sock.connectTo({ family: 'unix', path: where });
    pool.adopt(fd);
    expect(connected).toBe(true);
    const accepted = sock.accept(listener)!;
    pool.adopt(accepted.fd);
    expect(accepted.address).toEqual({ family: 'unix', path: '' });
    expect(sock.peerAddress(fd)).toEqual({ family: 'unix', path: where });
    expect(io.write(fd, Buffer.from('unix'))).toBe(4);
    const into = Buffer.alloc(4);
    expect(io.read(accepted.fd, into)).toBe(4);
    expect(into.toString()).toBe('unix');
    if (!where.startsWith('\0')) fs.rmSync(where);
  });
});

describe('sock: UDP', () => {
  test('sendto and recvfrom carry datagrams and the sender address', () => {
    const a = pool.adopt(sock.bindUdp());
    const b = pool.adopt(sock.bindUdp({ host: '127.0.0.1', port: 0 }));
    expect(sock.sendto(a, Buffer.from('datagram'), sock.localAddress(b))).toBe(8);
    const into = Buffer.alloc(16);
    expect(untilReady(() => sock.recvfrom(b, into), 'recvfrom')).toEqual({ bytes: 8, address: sock.localAddress(a) });
    expect(into.subarray(0, 8).toString()).toBe('datagram');
    expect(sock.recvfrom(b, into)).toBeNull();
  });

  test('socket() makes a datagram socket that bind() and connect() accept', () => {
    const fd = pool.adopt(sock.socket('IPv6', 'datagram'));
    sock.bind(fd, { family: 'IPv6', address: '::1', port: 0 });
    const { port } = sock.localAddress(fd) as sock.InetSocketAddress;
    expect(port).toBeGreaterThan(0);
    expect(sock.connect(fd, { address: '::1', port })).toBe(true);
    expect(sock.peerAddress(fd)).toEqual(sock.localAddress(fd));
    const stream = pool.adopt(sock.socket('IPv4'));
    sock.listen(stream);
    // listen() on an unbound socket binds it to a port of the kernel's choosing.
    expect((sock.localAddress(stream) as sock.InetSocketAddress).port).toBeGreaterThan(0);
    expect(sock.accept(stream)).toBeNull();
  });
});

describe('sock: bad arguments throw documented errors and change nothing', () => {
  const fdCases: [string, (fd: unknown) => unknown][] = [
    ['bind', (fd) => sock.bind(fd as number, { address: '127.0.0.1', port: 0 })],
    ['listen', (fd) => sock.listen(fd as number)],
    ['connect', (fd) => sock.connect(fd as number, { address: '127.0.0.1', port: 1 })],
    ['accept', (fd) => sock.accept(fd as number)],
    ['socketError', (fd) => sock.socketError(fd as number)],
    ['localAddress', (fd) => sock.localAddress(fd as number)],
    ['peerAddress', (fd) => sock.peerAddress(fd as number)],
    ['setNoDelay', (fd) => sock.setNoDelay(fd as number, true)],
    ['setKeepAlive', (fd) => sock.setKeepAlive(fd as number, true)],
    ['setReusePort', (fd) => sock.setReusePort(fd as number, true)],
    ['setReuseAddress', (fd) => sock.setReuseAddress(fd as number, true)],
    ['setReceiveBufferSize', (fd) => sock.setReceiveBufferSize(fd as number, 4096)],
    ['setSendBufferSize', (fd) => sock.setSendBufferSize(fd as number, 4096)],
    ['receiveBufferSize', (fd) => sock.receiveBufferSize(fd as number)],
    ['sendBufferSize', (fd) => sock.sendBufferSize(fd as number)],
    ['setLinger', (fd) => sock.setLinger(fd as number, 0)],
    ['shutdown', (fd) => sock.shutdown(fd as number, 'both')],
    ['writev', (fd) => sock.writev(fd as number, [])],
    ['readv', (fd) => sock.readv(fd as number, [])],
    ['send', (fd) => sock.send(fd as number, Buffer.alloc(1))],
    ['recv', (fd) => sock.recv(fd as number, Buffer.alloc(1))],
    ['sendto', (fd) => sock.sendto(fd as number, Buffer.alloc(1), { address: '127.0.0.1', port: 9 })],
    ['recvfrom', (fd) => sock.recvfrom(fd as number, Buffer.alloc(1))],
  ];

  test.each(fdCases)('%s: a non-number fd is ERR_INVALID_ARG_TYPE, a negative one ERR_OUT_OF_RANGE', (_name, call) => {
    expect(errorFrom(() => call('3'))).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE', name: 'TypeError' });
    expect(errorFrom(() => call(-1))).toMatchObject({ code: 'ERR_OUT_OF_RANGE', name: 'RangeError' });
    expect(errorFrom(() => call(1.5))).toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
  });

  test.each(fdCases)('%s: a closed fd is EBADF from the kernel', (_name, call) => {
    const fd = sock.socket('IPv4');
    io.close(fd);
    const error = errorFrom(() => call(fd));
    expect(error.code).toBe('EBADF');
    expect(typeof error.syscall).toBe('string');
  });

  test.each([
    ['socket family', () => sock.socket('IPX' as never), 'ERR_INVALID_ARG_VALUE'],
    ['socket type', () => sock.socket('IPv4', 'raw' as never), 'ERR_INVALID_ARG_VALUE'],
    ['listenTcp options', () => sock.listenTcp(42 as never), 'ERR_INVALID_ARG_TYPE'],
    ['listenTcp host name', () => sock.listenTcp({ host: 'localhost' }), 'ERR_INVALID_ARG_VALUE'],
    ['listenTcp host type', () => sock.listenTcp({ host: 127 as never }), 'ERR_INVALID_ARG_TYPE'],
    ['listenTcp bad IPv4', () => sock.listenTcp({ host: '127.0.0.256' }), 'ERR_INVALID_ARG_VALUE'],
    ['listenTcp named scope', () => sock.listenTcp({ host: 'fe80::1%eth0' }), 'ERR_INVALID_ARG_VALUE'],
    ['listenTcp port', () => sock.listenTcp({ port: 65536 }), 'ERR_OUT_OF_RANGE'],
    ['listenTcp port type', () => sock.listenTcp({ port: '80' as never }), 'ERR_INVALID_ARG_TYPE'],
    ['listenTcp backlog', () => sock.listenTcp({ backlog: -1 }), 'ERR_OUT_OF_RANGE'],
    ['listenTcp reusePort', () => sock.listenTcp({ reusePort: 1 as never }), 'ERR_INVALID_ARG_TYPE'],
    ['listenTcp reuseAddress', () => sock.listenTcp({ reuseAddress: 'yes' as never }), 'ERR_INVALID_ARG_TYPE'],
    ['listenTcp ipv6Only', () => sock.listenTcp({ ipv6Only: 0 as never }), 'ERR_INVALID_ARG_TYPE'],
    ['listenUnix missing options', () => sock.listenUnix(undefined as never), 'ERR_INVALID_ARG_TYPE'],
    ['listenUnix empty path', () => sock.listenUnix({ path: '' }), 'ERR_INVALID_ARG_VALUE'],
    ['listenUnix long path', () => sock.listenUnix({ path: `/tmp/${'x'.repeat(200)}` }), 'ERR_INVALID_ARG_VALUE'],
    ['listenUnix NUL in path', () => sock.listenUnix({ path: '/tmp/a\0b' }), 'ERR_INVALID_ARG_VALUE'],
    ['listenUnix path type', () => sock.listenUnix({ path: 5 as never }), 'ERR_INVALID_ARG_TYPE'],
    ['connectTo missing address', () => sock.connectTo(undefined as never), 'ERR_INVALID_ARG_TYPE'],
    [
      'connectTo family',
      () => sock.connectTo({ family: 'IPv9' as never, address: '1.2.3.4', port: 1 }),
      'ERR_INVALID_ARG_VALUE',
    ],
    [
      'connectTo family mismatch',
      () => sock.connectTo({ family: 'IPv6', address: '127.0.0.1', port: 1 }),
      'ERR_INVALID_ARG_VALUE',
    ],
    ['connectTo missing port', () => sock.connectTo({ address: '127.0.0.1' } as never), 'ERR_INVALID_ARG_TYPE'],
    ['connectTo scopeId', () => sock.connectTo({ address: '::1', port: 1, scopeId: -1 }), 'ERR_OUT_OF_RANGE'],
    ['bindUdp host', () => sock.bindUdp({ host: 'example.com' }), 'ERR_INVALID_ARG_VALUE'],
    ['bindUdp port', () => sock.bindUdp({ port: -1 }), 'ERR_OUT_OF_RANGE'],
  ])('%s', (_name, call, code) => {
    expect(errorFrom(call).code).toBe(code);
  });

  test('argument checks on a valid socket', () => {
    const [client] = tcpPair();
    const cases: [() => unknown, string][] = [
      [() => sock.setNoDelay(client, 1 as never), 'ERR_INVALID_ARG_TYPE'],
      [() => sock.setKeepAlive(client, undefined as never), 'ERR_INVALID_ARG_TYPE'],
      [() => sock.setSendBufferSize(client, 0), 'ERR_OUT_OF_RANGE'],
      [() => sock.setReceiveBufferSize(client, 2 ** 31), 'ERR_OUT_OF_RANGE'],
      [() => sock.setLinger(client, -1), 'ERR_OUT_OF_RANGE'],
      [() => sock.setLinger(client, '1' as never), 'ERR_INVALID_ARG_TYPE'],
      [() => sock.shutdown(client, 'sideways' as never), 'ERR_INVALID_ARG_VALUE'],
      [() => sock.writev(client, Buffer.alloc(1) as never), 'ERR_INVALID_ARG_TYPE'],
      [() => sock.writev(client, ['x'] as never), 'ERR_INVALID_ARG_TYPE'],
      [() => sock.writev(client, new Array(1025).fill(Buffer.alloc(1))), 'ERR_OUT_OF_RANGE'],
      [() => sock.readv(client, [{}] as never), 'ERR_INVALID_ARG_TYPE'],
      [() => sock.send(client, 'x' as never), 'ERR_INVALID_ARG_TYPE'],
      [() => sock.send(client, Buffer.alloc(2), 3), 'ERR_OUT_OF_RANGE'],
      [() => sock.send(client, Buffer.alloc(2), 0, 3), 'ERR_OUT_OF_RANGE'],
      [() => sock.send(client, Buffer.alloc(2), 0, 1, { outOfBand: 'yes' as never }), 'ERR_INVALID_ARG_TYPE'],
      [() => sock.send(client, Buffer.alloc(2), 0, 1, 7 as never), 'ERR_INVALID_ARG_TYPE'],
      [() => sock.recv(client, Buffer.alloc(2), 0, 1, { peek: 1 as never }), 'ERR_INVALID_ARG_TYPE'],
      [() => sock.sendto(client, Buffer.alloc(1), { address: 'nowhere', port: 1 }), 'ERR_INVALID_ARG_VALUE'],
      [() => sock.recvfrom(client, new ArrayBuffer(1) as never), 'ERR_INVALID_ARG_TYPE'],
      [() => sock.bind(client, null as never), 'ERR_INVALID_ARG_TYPE'],
      [() => sock.connect(client, { family: 'unix', path: 7 } as never), 'ERR_INVALID_ARG_TYPE'],
    ];
    for (const [call, code] of cases) expect(errorFrom(call).code).toBe(code);
    // Nothing changed: the socket still works.
    expect(io.write(client, Buffer.from('ok'))).toBe(2);
  });

  test('system errors carry code, errno and syscall', () => {
    const fd = pool.adopt(sock.socket('IPv4'));
    expect(errorFrom(() => sock.peerAddress(fd))).toMatchObject({ code: 'ENOTCONN', syscall: 'getpeername' });
    expect(errorFrom(() => sock.listenUnix({ path: '/nonexistent-dir/x.sock' }))).toMatchObject({
      code: 'ENOENT',
      syscall: 'bind',
    });
    expect(errorFrom(() => sock.setNoDelay(pool.adopt(sock.socket('unix')), true))).toMatchObject({
      code: 'ENOTSUP',
      syscall: 'setsockopt',
    });
  });

  test('a listener that fails to bind leaves no fd behind', () => {
    const taken = pool.adopt(sock.listenTcp());
    const { port } = sock.localAddress(taken) as sock.InetSocketAddress;
    const before = openFdCount();
    for (let i = 0; i < 10; i++) errorFrom(() => sock.listenTcp({ port }));
    expect(openFdCount()).toBe(before);
  });
});
