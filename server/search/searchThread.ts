import type { Logger } from 'pino'
import type { DatabaseOptions } from '../db/database.js'
import { startWorkerThread } from '../workerThread.js'
import type { SearchPage, SearchQuery } from '../web/searchPage.js'

export interface SearchThreadOptions {
  database: DatabaseOptions
  cacheSeconds: number
  /** compile each template once (production) */
  cacheTemplates: boolean
}

export type SearchThreadMessage = { id: number, query: SearchQuery } | 'forget' | 'stop'
export type SearchThreadReply = { id: number, body: Uint8Array, etag: string } | { id: number, error: string }

export interface SearchThread {
  page: SearchPage
  /** the catalogue changed in this instance: the thread forgets its index and what it kept */
  forget(): void
  stop(): Promise<void>
}

/**
 * The search page of a visitor without a session (the same page for all of them, as the
 * page cache has it) found and rendered on a thread of its own (./searchWorker.ts). A
 * search that no page cache has seen was the web thread's most expensive page: the
 * index, the summaries and the list of hits took about a third of its time, while the
 * machine's other core was partly idle (docs/performance.md). The web thread now sends
 * the query and sends on the bytes it gets back. Should the thread fail, the web thread
 * finds and renders the page itself (`fallback`).
 */
export async function startSearchThread(options: SearchThreadOptions, fallback: SearchPage, logger: Logger): Promise<SearchThread> {
  // Its own heap kept small: the index, the summaries its hits show and one query's
  // garbage at a time. Without limits V8 sizes it as for a process (about 80 MB resident
  // more than without the thread; about 50 MB with these). A thread that runs out of
  // heap stops, and the web thread takes its searches over.
  const worker = await startWorkerThread(new URL('./searchWorker', import.meta.url), {
    workerData: options, resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 },
  })
  const waiting = new Map<number, { resolve: (reply: SearchThreadReply) => void, reject: (err: Error) => void }>()
  let next = 0
  let alive = true
  let stopping = false
  worker.on('message', (reply: SearchThreadReply) => {
    const pending = waiting.get(reply.id)
    waiting.delete(reply.id)
    pending?.resolve(reply)
  })
  const gone = (why: object) => {
    if (!alive) return
    alive = false
    if (!stopping) logger.error(why, 'search thread stopped; searches are served by the web thread')
    for (const pending of waiting.values()) pending.reject(new Error('search thread stopped'))
    waiting.clear()
  }
  worker.on('error', (err) => gone({ err }))
  worker.on('exit', (code) => gone({ code }))

  return {
    async page(query) {
      if (!alive) return fallback(query)
      const id = next++
      worker.postMessage({ id, query } satisfies SearchThreadMessage)
      let reply: SearchThreadReply
      try {
        reply = await new Promise<SearchThreadReply>((resolve, reject) => waiting.set(id, { resolve, reject }))
      } catch {
        return fallback(query) // the thread stopped meanwhile
      }
      if ('error' in reply) throw new Error(`search thread: ${reply.error}`)
      return { body: Buffer.from(reply.body.buffer, reply.body.byteOffset, reply.body.byteLength), etag: reply.etag }
    },
    forget: () => { if (alive) worker.postMessage('forget' satisfies SearchThreadMessage) },
    async stop() {
      if (!alive) return
      stopping = true
      const exited = new Promise((resolve) => worker.once('exit', resolve))
      worker.postMessage('stop' satisfies SearchThreadMessage)
      await exited
    },
  }
}
