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

/**
 * Format from the first bytes of a file: `.npy` magic, Parquet `PAR1`, Arrow file `ARROW1`, Arrow
 * stream (continuation marker 0xFFFFFFFF), JSON Lines (`{`), otherwise delimited text (tabs in the
 * first line → tsv, else csv). Returns null for an empty input.
 */
export function formatFromBytes(head: Uint8Array): InputFormat | null {
  if (head.length === 0) return null;
  if (
    head[0] === 0x93 &&
    head[1] === 0x4e &&
    head[2] === 0x55 &&
    head[3] === 0x4d &&
    head[4] === 0x50 &&
    head[5] === 0x59
  )
    return 'npy';
  if (head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31) return 'parquet';
  if (
    head[0] === 0x41 &&
    head[1] === 0x52 &&
    head[2] === 0x52 &&
    head[3] === 0x4f &&
    head[4] === 0x57 &&
    head[5] === 0x31
  )
    return 'arrow';
  if (head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff) return 'arrow-stream';
  let k = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (k < head.length && (head[k] === 0x20 || head[k] === 0x0a || head[k] === 0x0d)) k++;
  if (head[k] === 0x7b) return 'jsonl';
  const nl = head.indexOf(0x0a);
  const first = head.subarray(0, nl < 0 ? head.length : nl);
  return first.includes(0x09) && !first.includes(0x2c) ? 'tsv' : 'csv';
}
