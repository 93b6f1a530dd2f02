/**
 * Records a process's peak RSS as it exits, from getrusage (the kernel's own high-water mark,
 * exact however short the run): a child started as `node --import <PEAK_RSS_URL> bin/rttscan ...`
 * with PEAK_RSS_FILE set writes its peak in kB to that file. Sampling /proc/PID/status from
 * outside misses a peak reached in the last moments before exit; rttscan knows nothing of this.
 */
import { writeFileSync } from 'node:fs';

/** What to give `node --import`. */
export const PEAK_RSS_URL = import.meta.url;

const file = process.env.PEAK_RSS_FILE;
if (file !== undefined && file !== '') process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
