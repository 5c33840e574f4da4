// examples/resp-server's engine on the connection layer, through a RESP client of our own: each
// command's replies and Redis's error wording, partial commands across reads, pipelining, inline
// commands and protocol errors, in both dispatch modes.
import { randomBytes } from 'node:crypto';

import { startRespServer, type RespServer } from '../../examples/resp-core';
import type { sock } from '../../lib';
import { describeEachMode } from '../support/modes';
import { seededRandom } from '../support/random';
import { RespClient, encode, type RespValue } from '../support/resp-client';
import { waitFor } from '../support/wait';

describeEachMode('RESP server', (dispatch) => {
  let server: RespServer;
  let client: RespClient;
  let port: number;
  const call = (...args: string[]): Promise<RespValue> => client.call(...args);

  beforeEach(() => {
    server = startRespServer({ port: 0, dispatch });
    port = (server.address as sock.InetSocketAddress).port;
    client = new RespClient(port);
  });
  afterEach(() => {
    client.close();
    server.close();
  });

  test('PING, ECHO, SET and GET', async () => {
    expect(await call('PING')).toBe('PONG');
    expect(await call('ping', 'hello')).toBe('hello');
    expect(await call('ECHO', 'a b\r\nc')).toBe('a b\r\nc');
    expect(await call('SET', 'k', 'v')).toBe('OK');
    expect(await call('GET', 'k')).toBe('v');
    expect(await call('GET', 'missing')).toBeNull();
    expect(await call('set', 'k', 'a longer value than before')).toBe('OK');
    expect(await call('get', 'k')).toBe('a longer value than before');
    expect(await call('SET', 'k', 'short')).toBe('OK');
    expect(await call('GET', 'k')).toBe('short');
  });

  test('SET with NX, XX, EX, PX and KEEPTTL, and their errors', async () => {
    expect(await call('SET', 'k', '1', 'XX')).toBeNull();
    expect(await call('SET', 'k', '1', 'NX')).toBe('OK');
    expect(await call('SET', 'k', '2', 'NX')).toBeNull();
    expect(await call('SET', 'k', '3', 'XX')).toBe('OK');
    expect(await call('GET', 'k')).toBe('3');
    expect(await call('SET', 'k', '4', 'EX', '100')).toBe('OK');
    expect(await call('TTL', 'k')).toBeGreaterThanOrEqual(95);
    expect(await call('SET', 'k', '5', 'KEEPTTL')).toBe('OK');
    expect(await call('TTL', 'k')).toBeGreaterThanOrEqual(95);
    expect(await call('SET', 'k', '6')).toBe('OK');
    expect(await call('TTL', 'k')).toBe(-1);
    expect(await call('SET', 'k', '1', 'EX', 'ten')).toEqual({ error: 'ERR value is not an integer or out of range' });
    expect(await call('SET', 'k', '1', 'EX', '0')).toEqual({ error: "ERR invalid expire time in 'set' command" });
    expect(await call('SET', 'k', '1', 'PX', '-5')).toEqual({ error: "ERR invalid expire time in 'set' command" });
    expect(await call('SET', 'k', '1', 'NX', 'XX')).toEqual({ error: 'ERR syntax error' });
    expect(await call('SET', 'k', '1', 'EX', '1', 'PX', '1')).toEqual({ error: 'ERR syntax error' });
    expect(await call('SET', 'k', '1', 'EX')).toEqual({ error: 'ERR syntax error' });
    expect(await call('SET', 'k')).toEqual({ error: "ERR wrong number of arguments for 'set' command" });
    expect(await call('GET', 'k')).toBe('6');
  });

  test('a key set with PX expires, and TTL and PTTL say -2 for it', async () => {
    expect(await call('SET', 'long', 'x', 'PX', '100000')).toBe('OK');
    const pttl = await call('PTTL', 'long');
    expect(pttl).toBeGreaterThan(90000);
    expect(pttl).toBeLessThanOrEqual(100000);
    expect(await call('SET', 'brief', 'x', 'PX', '20')).toBe('OK');
    // Asked again until it is gone, within a bound: the expiry is the thing waited for.
    const deadline = Date.now() + 5000;
    while ((await call('GET', 'brief')) !== null) {
      if (Date.now() > deadline) throw new Error('the key did not expire within 5 s');
    }
    expect(await call('TTL', 'brief')).toBe(-2);
    expect(await call('EXISTS', 'brief')).toBe(0);
  });

  test('EXPIRE, TTL, DEL, EXISTS, FLUSHALL and DBSIZE', async () => {
    expect(await call('EXPIRE', 'nothing', '10')).toBe(0);
    expect(await call('TTL', 'nothing')).toBe(-2);
    await call('MSET', 'a', '1', 'b', '2', 'c', '3');
    expect(await call('EXPIRE', 'a', '50')).toBe(1);
    expect(await call('TTL', 'a')).toBeGreaterThanOrEqual(45);
    expect(await call('EXPIRE', 'a', 'soon')).toEqual({ error: 'ERR value is not an integer or out of range' });
    expect(await call('EXISTS', 'a', 'b', 'zz', 'a')).toBe(3);
    expect(await call('DEL', 'a', 'zz', 'b')).toBe(2);
    expect(await call('DBSIZE')).toBe(1);
    expect(await call('EXPIRE', 'c', '-1')).toBe(1);
    expect(await call('EXISTS', 'c')).toBe(0);
    await call('SET', 'd', '4');
    expect(await call('FLUSHALL')).toBe('OK');
    expect(await call('DBSIZE')).toBe(0);
    expect(await call('FLUSHALL', 'LATER')).toEqual({ error: 'ERR syntax error' });
  });

  test('INCR, INCRBY, DECR, DECRBY and their errors', async () => {
    expect(await call('INCR', 'n')).toBe(1);
    expect(await call('INCRBY', 'n', '41')).toBe(42);
    expect(await call('DECR', 'n')).toBe(41);
    expect(await call('DECRBY', 'n', '-9')).toBe(50);
    expect(await call('GET', 'n')).toBe('50');
    expect(await call('INCRBY', 'n', 'x')).toEqual({ error: 'ERR value is not an integer or out of range' });
    expect(await call('INCRBY', 'n', '007')).toEqual({ error: 'ERR value is not an integer or out of range' });
    await call('SET', 's', 'text');
    expect(await call('INCR', 's')).toEqual({ error: 'ERR value is not an integer or out of range' });
    await call('SET', 'big', String(Number.MAX_SAFE_INTEGER));
    expect(await call('INCR', 'big')).toEqual({ error: 'ERR increment or decrement would overflow' });
    await call('SET', 'e', '1', 'EX', '100');
    expect(await call('INCR', 'e')).toBe(2);
    expect(await call('TTL', 'e')).toBeGreaterThanOrEqual(95);
  });

  test('MGET and MSET', async () => {
    expect(await call('MSET', 'x', '1', 'y', '2')).toBe('OK');
    expect(await call('MGET', 'x', 'nope', 'y')).toEqual(['1', null, '2']);
    expect(await call('MSET', 'x', '1', 'y')).toEqual({ error: "ERR wrong number of arguments for 'mset' command" });
    expect(await call('MGET')).toEqual({ error: "ERR wrong number of arguments for 'mget' command" });
  });

  test('CONFIG GET and COMMAND, as redis-benchmark and redis-cli ask', async () => {
    expect(await call('CONFIG', 'GET', 'save')).toEqual(['save', '']);
    expect(await call('CONFIG', 'GET', 'appendonly')).toEqual(['appendonly', 'no']);
    expect(await call('CONFIG', 'GET', 'maxmemory-nothing')).toEqual([]);
    expect(await call('CONFIG', 'SET', 'save', '')).toEqual({
      error: "ERR unknown subcommand 'SET'. Try CONFIG HELP.",
    });
    expect(await call('COMMAND', 'DOCS')).toEqual([]);
    expect(await call('COMMAND', 'COUNT')).toBeGreaterThan(15);
  });

  test('unknown commands and wrong arities are worded as Redis words them', async () => {
    expect(await call('FOO', 'bar', 'baz')).toEqual({
      error: "ERR unknown command 'FOO', with args beginning with: 'bar' 'baz' ",
    });
    expect(await call('nope')).toEqual({ error: "ERR unknown command 'nope', with args beginning with: " });
    expect(await call('GET')).toEqual({ error: "ERR wrong number of arguments for 'get' command" });
    expect(await call('get', 'a', 'b')).toEqual({ error: "ERR wrong number of arguments for 'get' command" });
    expect(await call('PING', 'a', 'b')).toEqual({ error: "ERR wrong number of arguments for 'ping' command" });
  });

  test('inline commands, with CRLF or bare LF, and empty lines skipped', async () => {
    expect(await client.send('PING\r\n')).toBe('PONG');
    expect(await client.send('set  inline   value\n')).toBe('OK');
    const replies = [client.next(), client.next()];
    client.socket.write('\r\n\nGET inline\r\nEXISTS inline other\n');
    expect(await Promise.all(replies)).toEqual(['value', 1]);
  });

  test('a pipeline of 2,000 commands split at random points across reads: every reply in order', async () => {
    const random = seededRandom(5);
    const commands: string[][] = [];
    const expected: RespValue[] = [];
    for (let i = 0; i < 2000; i++) {
      const key = `key:${i % 50}`;
      if (random() < 0.5) {
        const value = randomBytes(Math.floor(random() * (random() < 0.05 ? 100000 : 40))).toString('hex');
        commands.push(['SET', key, value]);
        expected.push('OK');
      } else {
        commands.push(['GET', key]);
        const last = [...commands].reverse().find((c) => c[0] === 'SET' && c[1] === key);
        expected.push(last === undefined ? null : last[2]);
      }
    }
    const bytes = Buffer.concat(commands.map(encode));
    const replies = commands.map(() => client.next());
    for (let at = 0; at < bytes.length;) {
      const size = 1 + Math.floor(random() * (random() < 0.5 ? 5 : 30000));
      client.socket.write(bytes.subarray(at, at + size));
      at += size;
    }
    expect(await Promise.all(replies)).toEqual(expected);
  });

  test('a 5 MiB value comes back whole', async () => {
    const value = randomBytes(5 << 20).toString('latin1');
    expect(await client.call('SET', 'huge', Buffer.from(value, 'latin1'))).toBe('OK');
    expect(await call('GET', 'huge')).toBe(value);
  });

  test.each([
    ['*x\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*2\r\n$3\r\nGET\r\n:1\r\n', "ERR Protocol error: expected '$', got ':'"],
    ['*1\r\n$-4\r\n', 'ERR Protocol error: invalid bulk length'],
    [`${'A'.repeat(70000)}`, 'ERR Protocol error: too big inline request'],
  ])('a protocol error (%#) is answered, as Redis does, and the connection closed', async (request, message) => {
    expect(await client.send(request)).toEqual({ error: message });
    await client.closed;
    const other = new RespClient(port);
    expect(await other.call('PING')).toBe('PONG');
    other.close();
  });

  test('QUIT answers OK and closes; the server counts the connection closed', async () => {
    expect(await call('QUIT')).toBe('OK');
    await client.closed;
    await waitFor(() => server.stats.open === 0, 'the server side closed');
  });

  test('100 clients at once, each on its own keys', async () => {
    const clients = Array.from({ length: 100 }, () => new RespClient(port));
    try {
      const results = await Promise.all(
        clients.map(async (c, i) => {
          await c.call('SET', `own:${i}`, `value ${i}`);
          await c.call('INCRBY', 'shared', String(i));
          return c.call('GET', `own:${i}`);
        }),
      );
      expect(results).toEqual(clients.map((_, i) => `value ${i}`));
      expect(await call('GET', 'shared')).toBe(String((99 * 100) / 2));
    } finally {
      for (const c of clients) c.close();
    }
  });
});
