/**
 * `node cli-batch.js '[["file.pcap", "--table"], ...]'`: runs each command line in this process
 * (main() through runCliInProcess) in turn and prints their runs as one JSON array. See
 * runCliInChild in cli.ts.
 */
import { runCliInProcess, type CliRun } from './cli.js';

const argvs = JSON.parse(process.argv[2] ?? '[]') as string[][];
const runs: CliRun[] = [];
for (const argv of argvs) runs.push(await runCliInProcess(argv));
process.stdout.write(JSON.stringify(runs));
