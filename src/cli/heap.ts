/**
 * The CLI's heap policy, set before anything is allocated (main.ts imports this first). A flood
 * of short flows (a SYN scan: every packet a new flow, evicted at --max-flows) turns over
 * hundreds of bytes of flow state per packet; V8 by default lets the heap grow to about four
 * times what survived the last full collection before collecting again, so an 8 M-flow scan
 * with --max-flows 100000 (some 70 MB live) peaked at 409 MB RSS. Growing by a quarter at most
 * holds it at 249-292 MB (npm run bench, the flood row; issue 16 asks for 300 MB at most) and
 * costs nothing measurable where little is allocated, as in the 2 M-packet capture (0.84-0.87 s
 * of CPU either way). The library leaves the heap to whoever embeds it.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--heap-growing-percent=25');
