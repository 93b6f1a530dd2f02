/**
 * Paced TCP request/response traffic for the live-mode tests, as a process of its own so that
 * it can run inside a network namespace (`ip netns exec NS node pingpong.js ...`):
 *
 *   node pingpong.js serve HOST          echo server on HOST, an ephemeral port printed on stdout
 *   node pingpong.js run HOST PORT COUNT GAP_MS [LOCAL_HOST] [HOLD_MS]
 *                                        COUNT times: send 100 bytes, wait for the echo, pause
 *                                        GAP_MS; then keep the connection open (idle) HOLD_MS
 *                                        more, and close it
 */
import { connect, createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const MESSAGE_BYTES = 100;

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

function received(socket: Socket, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let got = 0;
    const onData = (data: Buffer): void => {
      got += data.length;
      if (got >= bytes) {
        socket.off('data', onData).off('error', reject);
        resolve();
      }
    };
    socket.on('data', onData).once('error', reject);
  });
}

async function run(host: string, port: number, count: number, gapMs: number, localHost: string | undefined, holdMs: number): Promise<void> {
  const socket = connect({ host, port, ...(localHost ? { localAddress: localHost } : {}) });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const message = Buffer.alloc(MESSAGE_BYTES, 0x61);
  for (let i = 0; i < count; i++) {
    const echoed = received(socket, MESSAGE_BYTES);
    socket.write(message);
    await echoed;
    if (gapMs > 0) await sleep(gapMs);
  }
  if (holdMs > 0) await sleep(holdMs);
  await new Promise<void>((resolve) => socket.end(resolve));
  socket.destroy();
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'serve') serve(args[0]!);
else if (mode === 'run') {
  run(args[0]!, Number(args[1]), Number(args[2]), Number(args[3]), args[4] || undefined, Number(args[5] ?? 0)).catch((err: unknown) => {
    process.stderr.write(`pingpong: ${(err as Error).message}\n`);
    process.exit(1);
  });
} else {
  process.stderr.write('usage: pingpong.js serve HOST | run HOST PORT COUNT GAP_MS [LOCAL_HOST] [HOLD_MS]\n');
  process.exit(2);
}
