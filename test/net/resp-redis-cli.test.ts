// examples/resp-server's engine against the clients people use: Debian's redis-cli and
// redis-benchmark (redis-tools), installed with apt-get when missing, in both dispatch modes.
import { execFile, execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { startRespServer, type RespServer } from '../../examples/resp-core';
import type { sock } from '../../lib';
import { describeEachMode } from '../support/modes';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

beforeAll(() => {
  execFileSync(
    path.join(ROOT, 'scripts/require-commands.sh'),
    ['redis-cli:redis-tools', 'redis-benchmark:redis-tools'],
    {
      stdio: 'inherit',
      timeout: 300000,
    },
  );
}, 300000);

describeEachMode('RESP server with redis-cli', (dispatch) => {
  let server: RespServer;
  let port: string;
  // The server runs in this process: the clients must run beside it, never block it.
  const cli = async (...args: string[]): Promise<string> =>
    (await run('redis-cli', ['-p', port, ...args], { timeout: 20000 })).stdout;

  beforeEach(() => {
    server = startRespServer({ port: 0, dispatch });
    port = String((server.address as sock.InetSocketAddress).port);
  });
  afterEach(() => server.close());

  test('commands and replies as redis-cli prints them', async () => {
    expect(await cli('PING')).toBe('PONG\n');
    expect(await cli('SET', 'greeting', 'hello world', 'EX', '60')).toBe('OK\n');
    expect(await cli('GET', 'greeting')).toBe('hello world\n');
    expect(await cli('--no-raw', 'GET', 'greeting')).toBe('"hello world"\n');
    // Whole seconds left, rounded: 60 unless the machine stalled for half a second.
    expect(Number(await cli('TTL', 'greeting'))).toBeGreaterThanOrEqual(55);
    expect(await cli('INCR', 'n')).toBe('1\n');
    expect(await cli('MSET', 'a', '1', 'b', '2')).toBe('OK\n');
    expect(await cli('--no-raw', 'MGET', 'a', 'b', 'c')).toBe('1) "1"\n2) "2"\n3) (nil)\n');
    expect(await cli('--no-raw', 'GET', 'greeting', 'extra')).toBe(
      "(error) ERR wrong number of arguments for 'get' command\n",
    );
    expect(await cli('--no-raw', 'NOSUCH', 'x')).toBe(
      "(error) ERR unknown command 'NOSUCH', with args beginning with: 'x' \n",
    );
    expect(await cli('DBSIZE')).toBe('4\n');
  });

  test('redis-cli --pipe: 20,000 pipelined commands, every reply counted, no errors', async () => {
    const lines = Array.from({ length: 20000 }, (_, i) => (i % 2 ? `GET key:${i - 1}` : `SET key:${i} value-${i}`));
    const child = execFile('redis-cli', ['-p', port, '--pipe'], { timeout: 30000 });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d));
    child.stdin!.end(`${lines.join('\r\n')}\r\n`);
    await new Promise((resolve) => child.on('close', resolve));
    expect(output).toContain('errors: 0, replies: 20000');
    expect(server.keyspace.size).toBe(10000);
  });

  test('redis-benchmark runs SET, GET, INCR and MSET, pipelined, to the end', async () => {
    const { stdout } = await run(
      'redis-benchmark',
      ['-p', port, '-n', '5000', '-c', '20', '-P', '8', '-t', 'set,get,incr,mset', '-q'],
      { timeout: 60000 },
    );
    const done = stdout
      .split(/[\r\n]/)
      .filter((line) => line.includes('requests per second'))
      .map((line) => line.split(':')[0].trim());
    expect(done).toEqual(['SET', 'GET', 'INCR', 'MSET (10 keys)']);
    // redis-benchmark's keys: key:__rand_int__, counter:__rand_int__ and MSET's.
    expect(server.keyspace.size).toBeGreaterThanOrEqual(2);
  });
});
