/**
 * `{ [key]: value }`, or nothing when there is no value: spread into an
 * answer, it leaves out the members a record has no value for, as Systems
 * Manager's answers do, instead of sending them as null.
 */
export function optionalMember<K extends string, V>(key: K, value: V | undefined | null): Partial<Record<K, V>> {
  return (value === undefined || value === null ? {} : { [key]: value }) as Partial<Record<K, V>>;
}
