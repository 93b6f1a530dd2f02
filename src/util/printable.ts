/**
 * Text from outside (file names, keys and values of a read document) as it may be shown in a
 * one-line message: control characters (C0, DEL, C1), line and paragraph separators and the
 * bidirectional overrides become visible escapes (`\n`, `\x1b`, `\u202e`), so a name cannot
 * break a message into lines, move the cursor, recolour the terminal or reorder what it shows.
 * Everything else, backslashes included, stays as it is.
 */

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const short = SHORT[c];
    if (short !== undefined) return short;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
