// Each fuzz family counts what its runs did, so a property can show it exercised its class.

/** Adds one run's counts into the property's totals, when the caller keeps totals. */
export function addCounts<T extends { [K in keyof T]: number | bigint }>(totals: T | undefined, run: T): void {
  if (totals === undefined) return;
  // Each key holds numbers or bigints in both records alike, and + adds either kind.
  for (const key of Object.keys(totals) as (keyof T)[])
    totals[key] = ((totals[key] as number) + (run[key] as number)) as T[keyof T];
}
