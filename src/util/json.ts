/**
 * Turns results (plain objects of numbers and typed arrays) into JSON-ready values: typed arrays
 * become arrays, non-finite numbers become null, Maps become objects. The CLI, the report and
 * notebooks all print through this one helper.
 */
export function toJSONValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>, (x) => toJSONValue(x));
  }
  if (Array.isArray(value)) return value.map(toJSONValue);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJSONValue(v)]));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined && typeof v !== 'function') out[k] = toJSONValue(v);
    }
    return out;
  }
  return null;
}

/** `JSON.stringify(toJSONValue(value))`. */
export function stringifyResult(value: unknown, indent?: number): string {
  return JSON.stringify(toJSONValue(value), null, indent);
}
