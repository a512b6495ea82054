import { CompiledQuery, sql, type Kysely, type Transaction } from 'kysely'
import { deferWrites } from './prepared.js'
import { flusherOf, runDirectly } from './sqlite/directPath.js'
import type { Database, Dialect } from './schema.js'

type Work<T> = (trx: Transaction<Database>) => Promise<T>

export interface BatcherOptions {
  maxBatch?: number
  dialect?: Dialect
  /**
   * How long a batch waits for more work after its first piece arrives (ms; 0: the next
   * turn of the event loop). For work no one waits on, such as the background thread's
   * delivery results and emails, which come in one by one as agencies and the mail
   * server answer: waiting a few milliseconds puts dozens in one transaction.
   */
  lingerMs?: number
}

const savepoint = CompiledQuery.raw('savepoint work')
const release = CompiledQuery.raw('release work')
const rollbackTo = CompiledQuery.raw('rollback to work')
interface Job { work: Work<unknown>, single: boolean, resolve: (value: unknown) => void, reject: (err: unknown) => void }

/**
 * Group commit. Each piece of work is its own all-or-nothing unit (a savepoint), but the
 * pieces that arrive while a commit is under way share the next transaction, so one
 * disk flush makes many of them durable at once. Nothing is acknowledged before its
 * commit: a caller's promise settles only after the transaction holding its work has
 * committed (or failed) and its commit is on disk (on SQLite, sqlite/walFlush.ts). A
 * disk flush costs a tenth to half a millisecond here, so flushing each submission
 * alone would cap the portal at a few thousand writes a second for all it does.
 */
export function createCommitBatcher(db: Kysely<Database>, options: BatcherOptions = {}) {
  if (options.dialect === 'postgres') return postgresBatcher(db, options.maxBatch ?? 200, options.lingerMs ?? 0)
  const maxBatch = options.maxBatch ?? 200
  const flusher = flusherOf(db)

  // On SQLite's connection at once (server/db/sqlite/directPath.ts).
  const control = async (trx: Transaction<Database>, query: CompiledQuery) => runDirectly(trx, query) ?? trx.executeQuery(query)

  async function commitBatch(jobs: Job[]): Promise<void> {
    const outcomes: Array<{ ok: true, value: unknown } | { ok: false, error: unknown }> = []
    try {
      const trx = await db.startTransaction().execute()
      try {
        for (const job of jobs) {
          // One statement is all-or-nothing by itself in SQLite: it needs no savepoint.
          if (job.single) {
            try {
              outcomes.push({ ok: true, value: await job.work(trx) })
            } catch (error) {
              outcomes.push({ ok: false, error })
            }
            continue
          }
          // One savepoint name serves every piece: each is released (or rolled back to
          // and released) before the next begins.
          await control(trx, savepoint)
          try {
            outcomes.push({ ok: true, value: await job.work(trx) })
            await control(trx, release)
          } catch (error) {
            await control(trx, rollbackTo)
            await control(trx, release)
            outcomes.push({ ok: false, error })
          }
        }
        await trx.commit().execute()
      } catch (error) {
        await trx.rollback().execute().catch(() => {})
        throw error
      }
    } catch (error) {
      for (const job of jobs) job.reject(error)
      return
    }
    // The pieces settle once the commit is on disk; the next batch need not wait for that
    // (sqlite/walFlush.ts): its transaction begins while this one's log syncs.
    const settle = () => outcomes.forEach((outcome, i) => (outcome.ok ? jobs[i]!.resolve(outcome.value) : jobs[i]!.reject(outcome.error)))
    if (!flusher) return settle()
    flusher.lastCommit.then(settle, (error: unknown) => jobs.forEach((job) => job.reject(error)))
  }

  return batches(maxBatch, commitBatch, options.lingerMs ?? 0)
}

/**
 * Group commit on PostgreSQL. The pieces of work that arrive while a transaction is
 * under way share the next one: one BEGIN, one COMMIT and one flush of the write-ahead
 * log (synchronous_commit=on) for all of them, where each had three round trips and a
 * flush of its own. PostgreSQL gives up a whole transaction at its first error and a
 * savepoint per piece would cost two round trips more, so a batch runs without them;
 * when one piece fails, the batch is rolled back and each piece runs again alone, in
 * its own transaction, and settles with its own outcome. Nothing is acknowledged before
 * its commit. The pieces' deferred writes (events, audit entries, outbox rows: see
 * prepared.ts) go together at the end of the transaction, in one statement.
 */
function postgresBatcher(db: Kysely<Database>, maxBatch: number, lingerMs: number) {
  async function alone(job: Job): Promise<void> {
    try {
      job.resolve(await db.transaction().execute(async (trx) => {
        const deferred = deferWrites(trx)
        const value = await job.work(trx)
        await deferred.flush()
        return value
      }))
    } catch (error) {
      job.reject(error)
    }
  }

  async function commitBatch(jobs: Job[]): Promise<void> {
    if (jobs.length === 1) return alone(jobs[0]!)
    const values: unknown[] = []
    try {
      await db.transaction().execute(async (trx) => {
        const deferred = deferWrites(trx)
        for (const job of jobs) values.push(await job.work(trx))
        // A piece may have caught a statement's error and gone on: PostgreSQL has then given
        // the transaction up, and COMMIT would roll back every piece without an error. The
        // pieces' deferred writes (prepared.ts), or else this probe, fail in that case, and
        // the pieces run again, each alone.
        if (!(await deferred.flush())) await sql`select 1`.execute(trx)
      })
    } catch {
      await Promise.all(jobs.map(alone))
      return
    }
    jobs.forEach((job, i) => job.resolve(values[i]))
  }

  return batches(maxBatch, commitBatch, lingerMs)
}

/**
 * The queue both engines share. better-sqlite3 runs a whole transaction without yielding
 * to I/O, so work queued by other requests could never join it: each batch starts on
 * the next turn of the event loop (setImmediate, after pending I/O callbacks), and what
 * the requests parsed in the meantime has queued commits with it; with `lingerMs`, that
 * long after its first piece arrived, or as soon as a whole batch is waiting.
 */
function batches(maxBatch: number, commitBatch: (jobs: Job[]) => Promise<void>, lingerMs: number) {
  let queue: Job[] = []
  let running = false
  let lingering: NodeJS.Timeout | undefined

  function schedule(): void {
    if (lingerMs > 0 && queue.length < maxBatch) lingering = setTimeout(begin, lingerMs)
    else setImmediate(begin)
  }
  function begin(): void {
    lingering = undefined
    void drain()
  }

  async function drain(): Promise<void> {
    const jobs = queue.slice(0, maxBatch)
    queue = queue.slice(jobs.length)
    await commitBatch(jobs)
    if (queue.length) schedule()
    else running = false
  }

  return {
    /**
     * Runs `work` inside a transaction shared with whatever else is waiting; settles after
     * the commit. `single`: the work is one statement, atomic by itself, so on SQLite it
     * runs without a savepoint of its own.
     */
    run<T>(work: Work<T>, single = false): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, single, resolve: resolve as (value: unknown) => void, reject })
        if (!running) {
          running = true
          schedule()
        } else if (lingering && queue.length >= maxBatch) {
          clearTimeout(lingering)
          lingering = undefined
          setImmediate(begin)
        }
      })
    },
  }
}

export type CommitBatcher = ReturnType<typeof createCommitBatcher>
