// snake_case stops here: repositories hand the domain camelCase objects (STYLE.md 12).

type Camel<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S
type Snake<S extends string> = S extends `${infer C}${infer Rest}` ? `${C extends Lowercase<C> ? C : `_${Lowercase<C>}`}${Snake<Rest>}` : S

/** A row's type with its column names in camelCase. */
export type Camelized<T> = { [K in keyof T as K extends string ? Camel<K> : K]: T[K] }
/** A domain object's type with its names as columns. */
export type Snaked<T> = { [K in keyof T as K extends string ? Snake<K> : K]: T[K] }

const camelKeys = new Map<string, string>()
const snakeKeys = new Map<string, string>()
/** full_name → fullName, remembered: the same few names come back on every row. */
export const camelOf = (key: string) => camelKeys.get(key) ?? camelKeys.set(key, key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())).get(key)!
/** fullName → full_name. */
export const snakeOf = (key: string) => snakeKeys.get(key) ?? snakeKeys.set(key, key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)).get(key)!

/** The three columns of a name (name_vi, name_en, name_fr) as one text in three languages. */
export const namesOf = (row: { name_vi: string, name_en: string, name_fr: string }) => ({ vi: row.name_vi, en: row.name_en, fr: row.name_fr })

/** The row with camelCase names; values are left as they are. */
export function camelize<T extends object>(row: T): Camelized<T> {
  const out: Record<string, unknown> = {}
  for (const key in row) out[camelOf(key)] = row[key]
  return out as Camelized<T>
}

/** The object with its names as columns (for inserts and updates). */
export function snakeize<T extends object>(values: T): Snaked<T> {
  const out: Record<string, unknown> = {}
  for (const key in values) if (values[key] !== undefined) out[snakeOf(key)] = values[key]
  return out as Snaked<T>
}
