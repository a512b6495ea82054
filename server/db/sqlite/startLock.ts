import path from 'node:path'
import SQLite from 'better-sqlite3'

/**
 * Runs `fn` while no other process starting on the same SQLite file does: migrations
 * there take no lock across processes. A second SQLite file holds an exclusive lock for
 * the time (the operating system lets go of it if the process dies).
 */
export async function aloneOnFile<T>(dataDir: string, file: string, fn: () => Promise<T>): Promise<T> {
  const lock = new SQLite(path.join(dataDir, `${file}.start-lock`))
  try {
    lock.pragma('busy_timeout = 120000')
    lock.exec('begin exclusive')
    try {
      return await fn()
    } finally {
      lock.exec('commit')
    }
  } finally {
    lock.close()
  }
}
