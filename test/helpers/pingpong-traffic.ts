/**
 * Paced TCP request/response traffic for the live-mode tests: an echo server, and a client that
 * sends 100 bytes, waits for the echo and pauses, COUNT times. helpers/live.ts runs them in the
 * test's own process on the host's loopback, and through pingpong.js (a process of its own)
 * inside a network namespace.
 */
import { connect, createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const MESSAGE_BYTES = 100;

export interface EchoServer {
  port: number;
  /** Stops listening and ends the connections still open (as the server's process ending would). */
  close(): Promise<void>;
}

/** An echo server on HOST, on an ephemeral port; resolves once it listens. */
export function echoServer(host: string): Promise<EchoServer> {
  const open = new Set<Socket>();
  const server = createServer((socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    socket.setNoDelay(true);
    socket.on('data', (data) => socket.write(data));
    socket.on('error', () => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const close = (): Promise<void> =>
        new Promise((closed) => {
          server.close(() => closed());
          for (const socket of open) socket.destroy();
        });
      resolve({ port: typeof address === 'object' && address ? address.port : 0, close });
    });
  });
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

/** COUNT exchanges of 100 bytes, GAP_MS apart; then HOLD_MS idle before closing. */
export async function exchange(host: string, port: number, count: number, gapMs: number, localHost: string | undefined, holdMs: number): Promise<void> {
  const socket = connect({ host, port, ...(localHost ? { localAddress: localHost } : {}) });
  socket.setNoDelay(true);
  try {
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
  } finally {
    socket.destroy();
  }
}
