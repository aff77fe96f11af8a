/**
 * One `embedding.<i>` column of a long table while it streams by: the number each example carries
 * (one per example, however many task rows repeat it), with whether two rows of an example disagree
 * and whether some value was not a number at all. Values live in a growing Float64Array (8 bytes per
 * example), not as strings, so a table with many embedding columns costs no more than its numbers.
 */
export class EmbeddingColumn {
  private values = new Float64Array(0);
  /** 0 = no value seen for the example yet, 1 = seen (the value may be NaN or ±Infinity). */
  private seen = new Uint8Array(0);
  /** Some example has two different values. */
  conflict = false;
  /** Some value was text that is not a number. */
  notNumeric = false;

  /** Whether anything can still change what `perExample` returns. */
  get settled(): boolean {
    return this.conflict || this.notNumeric;
  }

  /** Records example `e`'s value (the first one wins; a different later one is a conflict). */
  add(e: number, value: number): void {
    if (e >= this.seen.length) {
      const cap = Math.max(e + 1, this.seen.length * 2, 8);
      const values = new Float64Array(cap);
      values.set(this.values);
      const seen = new Uint8Array(cap);
      seen.set(this.seen);
      this.values = values;
      this.seen = seen;
    }
    if (this.seen[e] === 0) {
      this.values[e] = value;
      this.seen[e] = 1;
      return;
    }
    const old = this.values[e] as number;
    if (!(old === value || (Number.isNaN(old) && Number.isNaN(value)))) this.conflict = true;
  }

  /**
   * The value of each of the first `n` examples, with `undefined` for an example that has none or
   * whose value is not finite (a missing coordinate is never a measured one), and how many of those
   * were not finite.
   */
  perExample(n: number): { values: (number | undefined)[]; nonFinite: number } {
    const out: (number | undefined)[] = new Array<number | undefined>(n).fill(undefined);
    let nonFinite = 0;
    for (let e = 0; e < Math.min(n, this.seen.length); e++) {
      if (this.seen[e] === 0) continue;
      const v = this.values[e] as number;
      if (v - v === 0) out[e] = v;
      else nonFinite++;
    }
    return { values: out, nonFinite };
  }
}
