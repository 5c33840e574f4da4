// A node:net client for the echo servers under test.
import * as net from 'node:net';

/** A port on 127.0.0.1, a Unix socket path, or a host and port. */
export type Target = number | string | { host: string; port: number };

function connectOptions(target: Target): net.NetConnectOpts {
  if (typeof target === 'string') return { path: target };
  if (typeof target === 'number') return { host: '127.0.0.1', port: target };
  return target;
}

/** Sends payload, half-closes, and resolves with everything echoed before the server's FIN. */
export function echo(target: Target, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(connectOptions(target));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
    socket.end(payload);
  });
}

/**
 * Sends payload and half-closes like echo(), but reads slowly: a little every few milliseconds,
 * stalled in between, so the server meets a full send buffer again and again.
 */
export function slowEcho(target: Target, payload: Buffer | string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(connectOptions(target));
    const chunks: Buffer[] = [];
    socket.pause();
    // Read a little, then stall again, until the end.
    const drip = setInterval(() => {
      socket.resume();
      setTimeout(() => socket.pause(), 2);
    }, 10);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      clearInterval(drip);
      resolve(Buffer.concat(chunks));
    });
    socket.on('error', (error) => {
      clearInterval(drip);
      reject(error);
    });
    socket.end(payload);
  });
}
