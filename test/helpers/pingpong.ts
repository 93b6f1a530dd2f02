/**
 * Paced TCP request/response traffic for the live-mode tests (pingpong-traffic.ts), as a process
 * of its own so that it can run inside a network namespace (`ip netns exec NS node pingpong.js ...`):
 *
 *   node pingpong.js serve HOST          echo server on HOST, an ephemeral port printed on stdout
 *   node pingpong.js run HOST PORT COUNT GAP_MS [LOCAL_HOST] [HOLD_MS]
 *                                        COUNT times: send 100 bytes, wait for the echo, pause
 *                                        GAP_MS; then keep the connection open (idle) HOLD_MS
 *                                        more, and close it
 */
import { echoServer, exchange } from './pingpong-traffic.js';

function serve(host: string): void {
  echoServer(host).then(
    ({ port }) => process.stdout.write(`${port}\n`),
    (err: unknown) => {
      process.stderr.write(`pingpong: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
  process.on('SIGTERM', () => process.exit(0));
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'serve') serve(args[0]!);
else if (mode === 'run') {
  exchange(args[0]!, Number(args[1]), Number(args[2]), Number(args[3]), args[4] || undefined, Number(args[5] ?? 0)).catch((err: unknown) => {
    process.stderr.write(`pingpong: ${(err as Error).message}\n`);
    process.exit(1);
  });
} else {
  process.stderr.write('usage: pingpong.js serve HOST | run HOST PORT COUNT GAP_MS [LOCAL_HOST] [HOLD_MS]\n');
  process.exit(2);
}
