import type { Kysely } from 'kysely'
import type { Tx } from '../domain/ports.js'
import type { Database } from './schema.js'

/**
 * The Kysely transaction behind a domain unit of work. The domain holds a Tx without
 * knowing what it is; only repositories, which made it, look inside.
 */
export const kyselyOf = (tx: Tx): Kysely<Database> => tx as unknown as Kysely<Database>

/** The other way: a Kysely transaction (or connection) handed to the domain as a Tx. */
export const asTx = (executor: Kysely<Database>): Tx => executor as unknown as Tx
