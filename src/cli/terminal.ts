/**
 * What the terminal allows, decided once per run from the environment, as most CLI tools do:
 * colours on a terminal unless NO_COLOR (any value) or TERM=dumb; FORCE_COLOR=1..3 (or empty)
 * forces them on, FORCE_COLOR=0 or false off, even in a pipe. The width of stdout when it is a
 * terminal, for tables.
 */

/** Whether to colour what goes to stdout. */
export function colorsWanted(env: NodeJS.ProcessEnv, stdoutIsTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !(force === '0' || force.toLowerCase() === 'false');
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stdoutIsTTY;
}

/** The usual width when there is no terminal to ask. */
export const DEFAULT_COLUMNS = 80;

/** Columns of stdout when it is a terminal that knows its size; otherwise 80. */
export function stdoutColumns(): number {
  const columns = process.stdout.isTTY ? process.stdout.columns : undefined;
  return columns !== undefined && columns > 0 ? columns : DEFAULT_COLUMNS;
}
