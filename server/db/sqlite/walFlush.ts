import { closeSync, fdatasync, fsyncSync, openSync } from 'node:fs'
import path from 'node:path'

interface Waiting { upTo: number, resolve: () => void, reject: (error: Error) => void }

/**
 * A commit made durable before it is acknowledged, with the disk flush off the event
 * loop. With `synchronous=FULL` SQLite syncs the write-ahead log inside COMMIT, and
 * better-sqlite3 runs COMMIT on the calling thread: every request the web thread serves
 * waited for the disk at each group commit. The connection now commits with
 * `synchronous=NORMAL` (the log is written, not synced) and whoever committed awaits
 * `flushed()`: an fdatasync of the log file in libuv's thread pool, which covers every
 * frame written before it began, this thread's and the background thread's. What
 * `synchronous=FULL` adds to NORMAL in WAL mode is exactly that sync at each commit
 * (https://sqlite.org/pragma.html#pragma_synchronous), so an acknowledged commit
 * survives power loss as before. Flushes asked for while one is under way share the
 * next (group commit again, one level down). docs/decisions/durable-commits.md.
 */
export class WalFlusher {
  /** Flushes completed, for tests. */
  syncs = 0
  /** The flush the last transaction's COMMIT asked for (sqlite/immediateDialect.ts). */
  lastCommit: Promise<void> = Promise.resolve()
  #fd: number | undefined
  #asked = 0
  #running = false
  #closing = false
  readonly #waiting: Waiting[] = []

  constructor(private readonly walFile: string) {}

  /** Settles once all that was written to the log before this call is on disk; rejects if the disk refused it. */
  flushed(): Promise<void> {
    const upTo = ++this.#asked
    return new Promise((resolve, reject) => {
      this.#waiting.push({ upTo, resolve, reject })
      if (!this.#running) this.#sync()
    })
  }

  /** Lets go of the log file (when the database closes); a flush under way finishes first. */
  close(): void {
    if (this.#running) {
      this.#closing = true
      return
    }
    this.#closing = false
    if (this.#fd !== undefined) closeSync(this.#fd)
    this.#fd = undefined
  }

  #sync(): void {
    this.#running = true
    // Covers every call made so far: their frames are in the file before the sync starts.
    const upTo = this.#asked
    try {
      this.#fd ??= this.#open()
    } catch (error) {
      this.#done(upTo, error as Error)
      return
    }
    fdatasync(this.#fd, (error) => this.#done(upTo, error))
  }

  /**
   * The log file is opened once: SQLite deletes it only when the last connection to the
   * database closes, and this process's connection is open as long as the flusher is used.
   * Its directory is synced once, so the file's name survives power loss too.
   */
  #open(): number {
    const fd = openSync(this.walFile, 'r')
    const dir = openSync(path.dirname(this.walFile), 'r')
    try {
      fsyncSync(dir)
    } finally {
      closeSync(dir)
    }
    return fd
  }

  #done(upTo: number, error: Error | null): void {
    this.#running = false
    if (error || this.#closing) {
      // After an error the file is opened anew next time (those waiting are told their
      // commit is not known to be on disk); after close() it is let go.
      try {
        this.close()
      } catch { /* already unusable */ }
    }
    if (!error) this.syncs++
    while (this.#waiting.length && this.#waiting[0]!.upTo <= upTo) {
      const waiting = this.#waiting.shift()!
      if (error) waiting.reject(error)
      else waiting.resolve()
    }
    if (this.#waiting.length) this.#sync()
  }
}
