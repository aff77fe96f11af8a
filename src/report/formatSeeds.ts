/** "0-4" for three or more consecutive seeds (or rows), otherwise a comma list; "—" for none. */
export function formatSeeds(seeds: readonly number[]): string {
  if (seeds.length === 0) return '—';
  const consecutive = seeds.every((s, i) => i === 0 || s === (seeds[i - 1] ?? Number.NaN) + 1);
  return consecutive && seeds.length > 2 ? `${seeds[0]}-${seeds[seeds.length - 1]}` : seeds.join(',');
}
