/**
 * Lists as people write them on the command line: comma-separated, and an option given twice
 * adds to it (`--lport 80,443 --lport 8080`). Items are trimmed.
 */

/** Every comma-separated item of each value, trimmed, empty ones kept (for a caller that refuses them). */
export function commaItems(values: string | readonly string[]): string[] {
  return (typeof values === 'string' ? [values] : values).flatMap((v) => v.split(',')).map((v) => v.trim());
}

/** The comma-separated items of each value, trimmed, empty ones dropped. */
export function listItems(values: string | readonly string[]): string[] {
  return commaItems(values).filter((v) => v !== '');
}
