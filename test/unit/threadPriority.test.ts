import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import os from 'node:os'
import { Worker } from 'node:worker_threads'
import { niceOf } from '../support/process.js'

describe('lowerThisThreadPriority (Linux)', () => {
  it('lowers the calling thread only, and never raises it again', async () => {
    const module = new URL('../../server/background/threadPriority.ts', import.meta.url).href
    // A worker thread calls it twice: to 7, then to 3 (which must leave it at 7).
    const worker = new Worker(`
      const { parentPort } = require('node:worker_threads')
      import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(module)}) })
        .then((m) => parentPort.postMessage([m.lowerThisThreadPriority(7), m.lowerThisThreadPriority(3)]))`, { eval: true })
    try {
      const [tid, again] = await new Promise<[number, number]>((resolve, reject) => {
        worker.once('message', resolve)
        worker.once('error', reject)
      })
      assert.equal(again, tid)
      assert.notEqual(tid, process.pid)
      assert.equal(niceOf(process.pid, tid), 7)
      assert.equal(niceOf(process.pid, process.pid), os.getPriority(process.pid), 'the main thread keeps its priority')
      assert.ok(os.getPriority(process.pid) < 7)
    } finally {
      await worker.terminate()
    }
  })
})
