/**
 * Every value of a database enum, as the list zod needs at run time. The generated type is the
 * source: the compiler rejects a list that misses a value of the enum or names one it lacks.
 * Usage: `enumValues<OpportunityStatus>()(['pending_verification', …])`.
 */
export function enumValues<T extends string>() {
  return <const V extends readonly [T, ...T[]]>(
    values: V & ([Exclude<T, V[number]>] extends [never] ? unknown : { missing: Exclude<T, V[number]> }),
  ): V => values;
}
