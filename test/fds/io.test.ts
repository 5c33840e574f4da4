import { io } from '../../lib';
import { openFlags } from '../support/fds';
import { codeOf } from '../support/thrown';

describe('io', () => {
  test.each([
    ['pipe', io.pipe],
    ['socketpair', io.socketpair],
  ])('%s gives two non-blocking, close-on-exec fds', (_name, make) => {
    const [a, b] = make();
    for (const fd of [a, b]) {
      expect(openFlags(fd) & 0o4000).toBe(0o4000);
      expect(openFlags(fd) & 0o2000000).toBe(0o2000000);
    }
    io.close(a);
    io.close(b);
  });

  test('read and write move bytes, honour offset and length, and return null when they would block', () => {
    const [r, w] = io.pipe();
    const out = Buffer.from('hello world');
    expect(io.write(w, out, 6, 5)).toBe(5);
    expect(io.write(w, out, 0, 1)).toBe(1);
    const into = Buffer.alloc(16);
    expect(io.read(r, into, 2)).toBe(6);
    expect(into.subarray(2, 8).toString()).toBe('worldh');
    expect(io.read(r, into)).toBeNull();
    io.close(w);
    expect(io.read(r, into)).toBe(0);
    io.close(r);
  });

  test('accepts any ArrayBufferView, with offsets in bytes', () => {
    const [a, b] = io.socketpair();
    expect(io.write(a, new Uint32Array([0x01020304, 0x05060708]), 4)).toBe(4);
    const view = new DataView(new ArrayBuffer(8), 2, 4);
    expect(io.read(b, view)).toBe(4);
    expect(view.getUint32(0, true)).toBe(0x05060708);
    io.close(a);
    io.close(b);
  });

  test('a full pipe makes write return null, and no bytes are lost', () => {
    const [r, w] = io.pipe();
    const chunk = Buffer.alloc(65536, 7);
    let written = 0;
    let result: number | null;
    while ((result = io.write(w, chunk)) !== null) written += result;
    expect(written).toBeGreaterThan(0);
    const into = Buffer.alloc(65536);
    let read = 0;
    while ((result = io.read(r, into)) !== null) read += result;
    expect(read).toBe(written);
    io.close(r);
    io.close(w);
  });

  test('kernel failures are system errors with code, errno, syscall and fd', () => {
    const [r, w] = io.pipe();
    io.close(r);
    let caught: Record<string, unknown> = {};
    try {
      io.write(w, Buffer.from('x'));
    } catch (error) {
      caught = error as Record<string, unknown>;
    }
    expect(caught).toMatchObject({ code: 'EPIPE', syscall: 'write', fd: w, errno: -32 });
    io.close(w);
    expect(codeOf(() => io.close(w))).toBe('EBADF');
    expect(codeOf(() => io.read(w, Buffer.alloc(1)))).toBe('EBADF');
  });

  test.each([
    ['a buffer that is a string', () => io.read(0, 'x' as never), 'ERR_INVALID_ARG_TYPE'],
    ['an offset past the end', () => io.read(0, Buffer.alloc(4), 5), 'ERR_OUT_OF_RANGE'],
    ['a length past the end', () => io.write(1, Buffer.alloc(4), 2, 3), 'ERR_OUT_OF_RANGE'],
    ['a negative length', () => io.write(1, Buffer.alloc(4), 0, -1), 'ERR_OUT_OF_RANGE'],
    ['an fd of -1', () => io.close(-1), 'ERR_OUT_OF_RANGE'],
    ['an fd as a string', () => io.write('1' as never, Buffer.alloc(1)), 'ERR_INVALID_ARG_TYPE'],
  ])('refuses %s', (_what, call, code) => {
    expect(codeOf(call)).toBe(code);
  });
});
