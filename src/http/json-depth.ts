/** Deepest JSON nesting a request body may have; real payloads stay far below it. */
export const MAX_JSON_DEPTH = 64;

/**
 * True when JSON text nests objects/arrays deeper than `limit`. Scans the raw text once (brackets inside
 * strings do not count), before anything recursive (ajv, JSON.stringify) can overflow the stack on it:
 * a body nested 20 000 deep used to end in a 500.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > limit) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}
