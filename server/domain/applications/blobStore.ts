import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

/** Where uploaded documents' bytes live, addressed by their SHA-256. */
export interface BlobStore {
  put(bytes: Buffer): Promise<string>
  /** Takes a file written to `incoming` (an upload streamed to disk): hashed as it is read, then moved into place. */
  adopt(file: string): Promise<string>
  /** Where uploads are streamed to before they are checked: on the same disk, so adopting is a rename. */
  incoming: string
  open(sha256: string): Readable
}

/**
 * Files under DATA_DIR/files/ab/cd/<sha256>. The same bytes are stored once; a file is
 * written to a temporary name and renamed, so a crash never leaves half a document
 * under its final name.
 */
export function createFileBlobStore(root: string): BlobStore {
  const pathOf = (sha: string) => path.join(root, sha.slice(0, 2), sha.slice(2, 4), sha)
  return {
    async put(bytes) {
      const sha = createHash('sha256').update(bytes).digest('hex')
      const file = pathOf(sha)
      if (await stat(file).then(() => true, () => false)) return sha
      await mkdir(path.dirname(file), { recursive: true })
      const temporary = `${file}.${process.pid}.${Date.now()}.tmp`
      await writeFile(temporary, bytes, { flush: true })
      await rename(temporary, file)
      return sha
    },
    incoming: path.join(root, 'incoming'),
    async adopt(incomingFile) {
      const hash = createHash('sha256')
      await pipeline(createReadStream(incomingFile), hash)
      const sha = hash.digest('hex')
      const file = pathOf(sha)
      if (await stat(file).then(() => true, () => false)) {
        await unlink(incomingFile)
        return sha
      }
      await mkdir(path.dirname(file), { recursive: true })
      await rename(incomingFile, file)
      return sha
    },
    open(sha) {
      if (!/^[0-9a-f]{64}$/.test(sha)) throw new Error('not a sha256')
      return createReadStream(pathOf(sha))
    },
  }
}
