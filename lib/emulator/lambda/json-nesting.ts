/**
 * How deeply JSON text nests, found by one linear scan of the text: no parse, no recursion. JSON.parse itself
 * copes with any depth, but what Lambda does with an event next (structured clone into the function's worker,
 * JSON.stringify of a record or a result) recurses, and overflows the stack a few thousand levels down.
 */

/** The deepest event the emulator takes: Jackson's default (StreamReadConstraints), well inside V8's stack. */
export const MAX_JSON_NESTING = 1000;

/** Whether `text` opens more than `max` arrays or objects inside each other (brackets in strings do not count). */
export function nestsDeeperThan(text: string, max: number = MAX_JSON_NESTING): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}
