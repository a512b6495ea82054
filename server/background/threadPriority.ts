import { readlinkSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/**
 * Lowers the CPU priority of the calling thread alone, to `nice` (0–19), and returns its
 * thread id; undefined where that cannot be done for one thread. On Linux the nice value
 * belongs to each thread: setpriority(2) given a thread id changes that thread only
 * (/proc/thread-self names it). Elsewhere the same call given a process id would lower
 * the whole process, the web with it, so nothing is done. A priority is only ever
 * lowered: raising it back needs a privilege the portal does not have.
 */
export function lowerThisThreadPriority(nice: number): number | undefined {
  let tid: number
  try {
    tid = Number(path.basename(readlinkSync('/proc/thread-self')))
  } catch {
    return undefined
  }
  if (!Number.isInteger(tid) || tid <= 0) return undefined
  if (nice > os.getPriority(tid)) os.setPriority(tid, nice)
  return tid
}
