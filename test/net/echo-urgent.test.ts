// examples/echo-core and TCP urgent data (issue 11, item 11). A read stops at the urgent mark with
// data still queued, so with drain 'short' the data behind an urgent byte was never echoed; with
// 'eagain' the urgent byte itself was dropped. The server now keeps urgent data inline
// (SO_OOBINLINE) and echoes it in order, and reads to EAGAIN while EPOLLPRI is reported.
import { startEchoServer, type EchoServer } from '../../examples/echo-core';
import { io, sock } from '../../lib';
import { describeEachMode } from '../support/modes';
import { errorFrom } from '../support/thrown';
import { sendAroundUrgent } from '../support/urgent';
import { waitFor } from '../support/wait';

async function connected(port: number): Promise<number> {
  const { fd } = sock.connectTo({ address: '127.0.0.1', port });
  await waitFor(() => {
    try {
      sock.peerAddress(fd);
      return true;
    } catch {
      return false;
    }
  }, 'the connection');
  return fd;
}

describeEachMode('echo server with TCP urgent data', (dispatch) => {
  let server: EchoServer | undefined;
  let client: number | undefined;
  afterEach(() => {
    if (client !== undefined) io.close(client);
    client = undefined;
    server?.close();
  });

  test.each(['short', 'eagain'] as const)(
    'the bytes around an urgent byte were lost (drain: %s): all come back, the urgent one inline and in order',
    async (drain) => {
      server = startEchoServer({ port: 0, dispatch, drain });
      const fd = (client = await connected((server.address as sock.InetSocketAddress).port));
      // Registered and read empty first, so that all three arrive behind one edge.
      await waitFor(() => server!.stats.accepted === 1, 'the server to accept');
      sendAroundUrgent(fd, 'hello', '!', 'world');
      const into = Buffer.alloc(64);
      let received = '';
      const whole = waitFor(() => {
        for (let count = io.read(fd, into); count; count = io.read(fd, into))
          received += into.toString('latin1', 0, count);
        return received.length >= 'hello!world'.length;
      }, 'the whole echo');
      // On a timeout, what did come back says more than the timeout.
      await whole.catch(() => undefined);
      expect(received).toBe('hello!world');
      // Nothing came back out of band: the urgent byte was an ordinary one for the echo.
      expect(errorFrom(() => sock.recv(fd, into, 0, 1, { outOfBand: true })).code).toBe('EINVAL');
    },
  );
});

test('setOutOfBandInline takes a boolean and an fd', () => {
  expect(errorFrom(() => sock.setOutOfBandInline(0, 'yes' as never)).code).toBe('ERR_INVALID_ARG_TYPE');
  expect(errorFrom(() => sock.setOutOfBandInline(-1, true)).code).toBe('ERR_OUT_OF_RANGE');
});
