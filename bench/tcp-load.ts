/**
 * TCP load for the live soak (bench/live-soak.ts), as processes of their own so that they can
 * run inside network namespaces:
 *
 *   node tcp-load.js serve HOST                 echo server, its port printed on stdout
 *   node tcp-load.js run HOST PORT CONNS SECONDS EXCHANGES
 *       CONNS connections at once, each sending 64 bytes and waiting for the echo, as fast as
 *       they come back; after EXCHANGES a connection closes and a new one opens (so flows come
 *       and go, and the flow table must let them go). Prints {"exchanges","connections"} at
 *       the end.
 */
import { connect, createServer } from 'node:net';

const MESSAGE_BYTES = 64;

function serve(host: string): void {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('data', (data) => socket.write(data));
    socket.on('error', () => socket.destroy());
  });
  server.listen(0, host, () => {
    const address = server.address();
    process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
  });
  process.on('SIGTERM', () => process.exit(0));
}

async function run(host: string, port: number, conns: number, seconds: number, exchangesPerConn: number): Promise<void> {
  const until = Date.now() + seconds * 1000;
  const message = Buffer.alloc(MESSAGE_BYTES, 0x62);
  let exchanges = 0;
  let connections = 0;
  const loop = async (): Promise<void> => {
    while (Date.now() < until) {
      connections++;
      await new Promise<void>((resolve) => {
        const socket = connect({ host, port });
        socket.setNoDelay(true);
        let done = 0;
        let got = 0;
        socket.on('connect', () => socket.write(message));
        socket.on('data', (data) => {
          got += data.length;
          while (got >= MESSAGE_BYTES) {
            got -= MESSAGE_BYTES;
            exchanges++;
            if (++done >= exchangesPerConn || Date.now() >= until) {
              socket.end();
              return;
            }
            socket.write(message);
          }
        });
        socket.on('close', () => resolve());
        socket.on('error', () => socket.destroy());
      });
    }
  };
  await Promise.all(Array.from({ length: conns }, loop));
  process.stdout.write(JSON.stringify({ exchanges, connections }) + '\n');
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'serve') serve(args[0]!);
else if (mode === 'run') void run(args[0]!, Number(args[1]), Number(args[2]), Number(args[3]), Number(args[4]));
else {
  process.stderr.write('usage: tcp-load.js serve HOST | run HOST PORT CONNS SECONDS EXCHANGES\n');
  process.exit(2);
}
