import type { InputFormat } from './types.js';

const EXTENSIONS: Record<string, InputFormat> = {
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  arrow: 'arrow',
  feather: 'arrow',
  ipc: 'arrow',
  arrows: 'arrow-stream',
  parquet: 'parquet',
  pq: 'parquet',
  npy: 'npy',
};

/** Format from a file name's extension (case-insensitive), or null when it says nothing. */
export function formatFromName(name: string): InputFormat | null {
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1];
  return ext !== undefined ? (EXTENSIONS[ext.toLowerCase()] ?? null) : null;
}

/** `\x93NUMPY`, `PAR1`, `ARROW1` and the Arrow stream's continuation marker 0xFFFFFFFF. */
const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const PARQUET_MAGIC = [0x50, 0x41, 0x52, 0x31];
const ARROW_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31];
const ARROW_CONTINUATION = [0xff, 0xff, 0xff, 0xff];

/** Whether `head` begins with the bytes `magic`. */
function startsWith(head: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((b, k) => head[k] === b);
}

/**
 * Format from the first bytes of a file: `.npy` magic, Parquet `PAR1`, Arrow file `ARROW1`, Arrow
 * stream (continuation marker 0xFFFFFFFF), JSON Lines (`{`), otherwise delimited text (tabs in the
 * first line → tsv, else csv). Returns null for an empty input.
 */
export function formatFromBytes(head: Uint8Array): InputFormat | null {
  if (head.length === 0) return null;
  if (startsWith(head, NPY_MAGIC)) return 'npy';
  if (startsWith(head, PARQUET_MAGIC)) return 'parquet';
  if (startsWith(head, ARROW_MAGIC)) return 'arrow';
  if (startsWith(head, ARROW_CONTINUATION)) return 'arrow-stream';
  let k = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (k < head.length && (head[k] === 0x20 || head[k] === 0x0a || head[k] === 0x0d)) k++;
  if (head[k] === 0x7b) return 'jsonl';
  const nl = head.indexOf(0x0a);
  const first = head.subarray(0, nl < 0 ? head.length : nl);
  return first.includes(0x09) && !first.includes(0x2c) ? 'tsv' : 'csv';
}
