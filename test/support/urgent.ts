// TCP urgent data (MSG_OOB) raises EPOLLPRI on a real socket: the stand-in for a GPIO interrupt,
// which raises EPOLLPRI on a sysfs value file. Node cannot send MSG_OOB, so a python3 peer does,
// or linux-epoll's own sock.send.
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';

import { sock } from '../../lib';

const PEER = `
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.send(b'!', socket.MSG_OOB)
s.recv(1)  # holds the connection open until the server closes it
`;

export interface UrgentConnection {
  /** The accepted socket's fd, with one urgent byte pending on it. */
  fd: number;
  close(): Promise<void>;
}

export async function urgentConnection(): Promise<UrgentConnection> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const { port } = server.address() as net.AddressInfo;
  const peer: ChildProcess = spawn('python3', ['-c', PEER, String(port)], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => peer.once('exit', () => resolve()));
  const socket = await accepted;
  const fd = (socket as unknown as { _handle: { fd: number } })._handle.fd;
  return {
    fd,
    async close() {
      socket.destroy();
      server.close();
      await exited;
    },
  };
}

/**
 * Sends before, then urgent as one MSG_OOB byte, then after, on a connected TCP socket, all in one
 * synchronous run: a peer in this process reads none of it before all three are queued.
 */
export function sendAroundUrgent(fd: number, before: string, urgent: string, after: string): void {
  const parts: [string, boolean][] = [
    [before, false],
    [urgent, true],
    [after, false],
  ];
  for (const [text, outOfBand] of parts) {
    const bytes = Buffer.from(text);
    if (sock.send(fd, bytes, 0, bytes.length, { outOfBand }) !== bytes.length)
      throw new Error(`sending ${JSON.stringify(text)} would block`);
  }
}
