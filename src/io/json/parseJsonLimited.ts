import { ForgetscopeError } from '../../util/errors.js';

/** Where a JSON text sits in its file, for messages. */
export interface JsonPlace {
  file: string;
  /** 1-based line of the text's first character (JSON Lines: the record's line). */
  line: number;
}

/**
 * Parses one JSON text with a nesting limit: arrays and objects deeper than `maxDepth` are a `parse`
 * error at file:line:column before `JSON.parse` sees them, so a record nested 5,000 deep is an input
 * error rather than a stack overflow anywhere downstream. Invalid JSON is a `parse` error too.
 */
export function parseJsonLimited(text: string, place: JsonPlace, maxDepth: number): unknown {
  // Cheap pre-check: a text with fewer brackets than the limit cannot be too deep.
  if (text.length > maxDepth && countBrackets(text, maxDepth + 1) > maxDepth) checkDepth(text, place, maxDepth);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ForgetscopeError('parse', `not valid JSON: ${shortMessage(e)}`, {
      file: place.file,
      line: place.line,
      column: 1,
    });
  }
}

/** JSON.parse's message, cut short (V8 quotes the whole input in some messages). */
function shortMessage(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.length > 200 ? msg.slice(0, 200) + '…' : msg;
}

/** Counts `[` and `{` (inside strings too: an over-estimate), stopping at `stop`. */
function countBrackets(text: string, stop: number): number {
  let n = 0;
  for (let k = 0; k < text.length && n < stop; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x5b || c === 0x7b) n++;
  }
  return n;
}

/** Throws at the first bracket that opens level `maxDepth + 1` (strings skipped). */
function checkDepth(text: string, place: JsonPlace, maxDepth: number): void {
  let depth = 0;
  let line = place.line;
  let lineStart = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x22) {
      k = stringEnd(text, k);
      continue;
    }
    if (c === 0x0a) {
      line++;
      lineStart = k + 1;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) {
        throw new ForgetscopeError('parse', `JSON nested deeper than ${maxDepth} levels`, {
          file: place.file,
          line,
          column: k - lineStart + 1,
        });
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

/** Index of the closing quote of the string opening at `k` (or the end of the text). */
function stringEnd(text: string, k: number): number {
  for (let p = k + 1; p < text.length; p++) {
    const c = text.charCodeAt(p);
    if (c === 0x5c) p++;
    else if (c === 0x22) return p;
  }
  return text.length;
}

/**
 * The raw source text of the number that is the value of `key` in the top-level object of `text`
 * (JSON Lines records, task objects), or null when that value is not a number. Ids written as JSON
 * numbers keep their exact digits this way: `12345678901234567891` stays that, where `JSON.parse`
 * would round it to `12345678901234567000`.
 * @example
 * rawNumberOf('{"id": 12345678901234567891, "x": 1}', 'id'); // '12345678901234567891'
 */
export function rawNumberOf(text: string, key: string): string | null {
  // A repeated key keeps its last value in JSON.parse: so the last occurrence wins here too.
  const at = keyValueOffsets(text, key).at(-1);
  if (at === undefined) return null;
  let p = at;
  while (p < text.length && (text[p] === ' ' || text[p] === '\t' || text[p] === '\n' || text[p] === '\r')) p++;
  const m = NUMBER.exec(text.slice(p, p + 1100));
  return m ? m[0] : null;
}

/** Offsets just after the `:` of each occurrence of `key` in the top-level object of `text`, in order. */
function keyValueOffsets(text: string, key: string): number[] {
  const out: number[] = [];
  let depth = 0;
  let lastString: string | null = null;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x22) {
      const end = stringEnd(text, k);
      if (depth === 1) lastString = text.slice(k, end + 1);
      k = end;
      continue;
    }
    if (c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x2c) lastString = null;
    else if (c === 0x3a && depth === 1 && lastString !== null) {
      let name: unknown;
      try {
        name = JSON.parse(lastString);
      } catch {
        name = null;
      }
      lastString = null;
      if (name === key) out.push(k + 1);
    }
  }
  return out;
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/;

/**
 * The id held by `value` (a JSON field already parsed from `text`): a string as is, a number as its
 * exact source digits. Anything else returns null (the caller words the error).
 */
export function jsonId(value: unknown, text: string, key: string): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Fast path: the shortest form of the number is written right after the (only) key.
    const short = String(value);
    const quoted = JSON.stringify(key);
    const at = text.indexOf(`${quoted}:${short}`);
    if (at >= 0 && text.indexOf(quoted, at + 1) < 0) {
      const next = text.charCodeAt(at + quoted.length + 1 + short.length);
      if (next === 0x2c || next === 0x7d || next === 0x20) return short;
    }
    return rawNumberOf(text, key) ?? short;
  }
  return null;
}

/**
 * Parses a JSON list of ids — an array, or an object whose `key` holds the array (what the Python
 * harness writes as heldout_examples.json: `{"example_ids": [...]}`) — keeping number ids as their
 * exact source digits. Anything else is an `input` error naming the file; nesting is depth-limited.
 * @example
 * parseJsonIdList('[12345678901234567891, "b"]', 'ids.json'); // ['12345678901234567891', 'b']
 */
export function parseJsonIdList(text: string, file: string, key = 'example_ids', maxDepth = 256): string[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const json = parseJsonLimited(text, { file, line: 1 }, maxDepth);
  const list = Array.isArray(json)
    ? json
    : json !== null && typeof json === 'object'
      ? (json as Record<string, unknown>)[key]
      : undefined;
  if (!Array.isArray(list))
    throw new ForgetscopeError('input', `expected a JSON list of ids or an object with "${key}"`, {
      file,
      line: 1,
      column: 1,
    });
  // Raw tokens of the list's elements, so number ids keep their digits.
  const open = Array.isArray(json) ? text.indexOf('[') : arrayOfKey(text, key);
  const tokens = open >= 0 ? elementTokens(text, open) : [];
  return list.map((v, k) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return NUMBER.exec(tokens[k] ?? '')?.[0] ?? String(v);
    throw new ForgetscopeError(
      'input',
      `id ${k + 1} of the list is ${v === null ? 'null' : typeof v}, not a string or number`,
      { file, line: 1, column: 1 },
    );
  });
}

/** Offset of the `[` that opens the value of top-level `key` (its last occurrence, as JSON.parse; -1 when not found). */
function arrayOfKey(text: string, key: string): number {
  const at = keyValueOffsets(text, key).at(-1);
  return at === undefined ? -1 : text.indexOf('[', at);
}

/** Source text of each element of the array opening at `open` (trimmed; strings skipped over). */
function elementTokens(text: string, open: number): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let k = open; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x22) {
      k = stringEnd(text, k);
      continue;
    }
    if (c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x5d || c === 0x7d) {
      depth--;
      if (depth === 0) {
        const last = text.slice(start, k).trim();
        if (last !== '') out.push(last);
        return out;
      }
    } else if (c === 0x2c && depth === 1) {
      out.push(text.slice(start, k).trim());
      start = k + 1;
    }
  }
  return out;
}
