// npm run example:tun [-- --count 3]: a userspace host behind a TUN interface, answering ping.
// The kernel routes a /24 to the interface; every ICMP echo request it sends there is read from
// the fd and written back as the reply, so `ping 10.77.0.2` is answered by this process.
// Needs root (CAP_NET_ADMIN) and iproute2's ip; run it in a namespace to leave the host alone:
//   sudo unshare -n sh -c 'ip link set lo up; node dist/examples/tun-responder.js & sleep 1; ping -c 3 10.77.0.2'
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';

import { EPOLLIN, EpollInstance, TunDevice, type DispatchMode } from '../lib';
import { exitWith, onStopSignal } from './echo-args';
import { answerEcho } from './tun-packets';

const PROGRAM = 'tun-responder';
const USAGE = `usage: ${PROGRAM} [options]
Creates a TUN interface, gives the kernel ADDRESS/24 on it and answers every ICMP echo request
sent to another address of that /24. Needs root, or CAP_NET_ADMIN, and iproute2's ip: it adds a
real interface, so try it in a network namespace (sudo unshare -n ...).
  --name NAME                  the interface's name; a %d is filled in by the kernel (default tunresp%d)
  --address A.B.C.D            the kernel's address on it (default 10.77.0.1); ping any other in its /24
  --count N                    exit after answering N requests (default: until SIGINT or SIGTERM)
  --dispatch auto|loop|thread  who waits for packets (default auto)
  --help                       print this and exit`;

interface Options {
  name: string;
  address: string;
  count: number;
  dispatch: DispatchMode;
}

function parseOptions(argv: string[]): Options {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        name: { type: 'string', default: 'tunresp%d' },
        address: { type: 'string', default: '10.77.0.1' },
        count: { type: 'string' },
        dispatch: { type: 'string', default: 'auto' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    exitWith(PROGRAM, 2, (error as Error).message.split(/\.\s/)[0]);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (!/^(\d{1,3})(\.\d{1,3}){3}$/.test(values.address)) exitWith(PROGRAM, 2, `--address must be A.B.C.D`);
  const count = values.count === undefined ? Infinity : Number(values.count);
  if (!((count >= 1 && Number.isInteger(count)) || count === Infinity))
    exitWith(PROGRAM, 2, `--count must be 1 or more`);
  if (!['auto', 'loop', 'thread'].includes(values.dispatch))
    exitWith(PROGRAM, 2, `--dispatch must be auto, loop or thread`);
  return { name: values.name, address: values.address, count, dispatch: values.dispatch as DispatchMode };
}

function openDevice(name: string): TunDevice {
  try {
    return TunDevice.open({ name, mode: 'tun' });
  } catch (error) {
    const { hint, message } = error as { hint?: string; message?: string };
    exitWith(PROGRAM, 1, hint ? `cannot create the interface: ${hint}` : `${message}`);
  }
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  const device = openDevice(options.name);
  execFileSync('ip', ['addr', 'add', `${options.address}/24`, 'dev', device.name]);
  execFileSync('ip', ['link', 'set', device.name, 'up']);
  const epoll = new EpollInstance({ dispatch: options.dispatch });
  // One buffer for every packet: the interface's MTU is 1500, and the kernel drops what does not fit.
  const packet = new Uint8Array(65536);
  let answered = 0;
  const stop = (): void => {
    epoll.remove(device.fd);
    device.close();
    epoll.close();
    console.log(`answered ${answered} echo requests`);
  };
  epoll.add(device.fd, EPOLLIN, () => {
    for (let length = device.read(packet); length !== null; length = device.read(packet)) {
      if (!answerEcho(packet, length)) continue;
      device.write(packet, 0, length);
      answered++;
      console.log(`echo reply to ${packet.subarray(16, 20).join('.')} (${length} bytes)`);
      if (answered === options.count) return stop();
    }
  });
  const peer = options.address.replace(/\d+$/, (last) => String((Number(last) % 254) + 1));
  console.log(`${device.name} is up with ${options.address}/24 (dispatch: ${epoll.dispatch}); try: ping ${peer}`);
  onStopSignal(stop);
}

main();
