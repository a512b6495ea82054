import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'

// Checkpoints of the audit log as C2SP signed notes (c2sp.org/signed-note and
// c2sp.org/tlog-checkpoint), the format Go's sumdb and the transparency-log witnesses
// read: a text, a blank line, then one line per signature, "— <key name> <base64 of
// key id ‖ signature>". Ed25519 keys; the key id is the first four bytes of
// SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key).

const ed25519 = 0x01
const pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex')
const namePattern = /^[^\s+—]+$/

/** Splits at the first `n - 1` plus signs, as Go's strings.SplitN: base64 holds "+" too. */
function splitN(text: string, n: number): string[] {
  const parts = text.split('+')
  return parts.length <= n ? parts : [...parts.slice(0, n - 1), parts.slice(n - 1).join('+')]
}

export interface SigningKey {
  name: string
  /** 4 bytes, hex */
  keyId: string
  privateKey: KeyObject
  publicKey: Buffer
}

export interface VerifierKey {
  name: string
  keyId: string
  publicKey: Buffer
}

export function keyIdOf(name: string, publicKey: Buffer): string {
  return createHash('sha256').update(`${name}\n`).update(Buffer.from([ed25519])).update(publicKey).digest().subarray(0, 4).toString('hex')
}

function rawPublicKey(key: KeyObject): Buffer {
  const jwk = createPublicKey(key).export({ format: 'jwk' })
  return Buffer.from(jwk.x!, 'base64url')
}

function fromSeed(name: string, seed: Buffer): SigningKey {
  if (!namePattern.test(name)) throw new Error(`a key name has no spaces, "+" or "—": ${name}`)
  if (seed.length !== 32) throw new Error('an Ed25519 private key is 32 bytes')
  const privateKey = createPrivateKey({ key: Buffer.concat([pkcs8Prefix, seed]), format: 'der', type: 'pkcs8' })
  const publicKey = rawPublicKey(privateKey)
  return { name, keyId: keyIdOf(name, publicKey), privateKey, publicKey }
}

/** A new key, and its text: PRIVATE+KEY+<name>+<key id>+<base64(0x01 ‖ seed)>, as Go's note.GenerateKey writes it. */
export function generateSigningKey(name: string): { key: SigningKey, text: string } {
  const { privateKey } = generateKeyPairSync('ed25519')
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url')
  const key = fromSeed(name, seed)
  return { key, text: `PRIVATE+KEY+${name}+${key.keyId}+${Buffer.concat([Buffer.from([ed25519]), seed]).toString('base64')}` }
}

/** Reads a key written by generateSigningKey (or Go's note.GenerateKey). */
export function parseSigningKey(text: string): SigningKey {
  const parts = splitN(text.trim(), 5)
  if (parts.length !== 5 || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') throw new Error('not a signed-note private key (PRIVATE+KEY+<name>+<id>+<key>)')
  const raw = Buffer.from(parts[4]!, 'base64')
  if (raw[0] !== ed25519) throw new Error('only Ed25519 signed-note keys are supported')
  const key = fromSeed(parts[2]!, raw.subarray(1))
  if (key.keyId !== parts[3]) throw new Error('the key id does not match the key')
  return key
}

/** The public half as a verifier key: <name>+<key id>+<base64(0x01 ‖ public key)>. */
export function verifierKeyText(key: VerifierKey): string {
  return `${key.name}+${key.keyId}+${Buffer.concat([Buffer.from([ed25519]), key.publicKey]).toString('base64')}`
}

export function parseVerifierKey(text: string): VerifierKey {
  const parts = splitN(text.trim(), 3)
  if (parts.length !== 3) throw new Error('not a signed-note verifier key (<name>+<id>+<key>)')
  const raw = Buffer.from(parts[2]!, 'base64')
  if (raw[0] !== ed25519 || raw.length !== 33) throw new Error('only Ed25519 signed-note keys are supported')
  const key = { name: parts[0]!, keyId: parts[1]!, publicKey: raw.subarray(1) }
  if (keyIdOf(key.name, key.publicKey) !== key.keyId) throw new Error('the key id does not match the key')
  return key
}

/** The signed note: the text (each line ending in a newline), a blank line and the signature line. */
export function signNote(text: string, key: SigningKey): string {
  if (!text.endsWith('\n')) throw new Error('a note\'s text ends with a newline')
  const signature = sign(null, Buffer.from(text, 'utf8'), key.privateKey)
  return `${text}\n— ${key.name} ${Buffer.concat([Buffer.from(key.keyId, 'hex'), signature]).toString('base64')}\n`
}

/**
 * The text of a note and the keys among `keys` whose signature on it verifies;
 * signatures by other keys are ignored, as the format says.
 */
export function openNote(note: string, keys: VerifierKey[]): { text: string, signedBy: VerifierKey[] } {
  const split = note.lastIndexOf('\n\n')
  if (split === -1) throw new Error('not a signed note: no blank line before the signatures')
  const text = note.slice(0, split + 1)
  const signedBy: VerifierKey[] = []
  for (const line of note.slice(split + 2).split('\n').filter(Boolean)) {
    const match = /^— (\S+) ([A-Za-z0-9+/=]+)$/.exec(line)
    if (!match) throw new Error(`not a signature line: ${line}`)
    const raw = Buffer.from(match[2]!, 'base64')
    const key = keys.find((k) => k.name === match[1] && k.keyId === raw.subarray(0, 4).toString('hex'))
    if (!key) continue
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.publicKey.toString('base64url') }, format: 'jwk' })
    if (verify(null, Buffer.from(text, 'utf8'), publicKey, raw.subarray(4))) signedBy.push(key)
  }
  return { text, signedBy }
}

export interface Checkpoint { origin: string, size: number, root: Buffer }

/** The checkpoint's text (c2sp.org/tlog-checkpoint): origin, size, base64 root hash. */
export function checkpointText(checkpoint: Checkpoint): string {
  return `${checkpoint.origin}\n${checkpoint.size}\n${checkpoint.root.toString('base64')}\n`
}

export function parseCheckpointText(text: string): Checkpoint {
  const [origin, size, root] = text.split('\n')
  if (!origin || !size || !/^\d+$/.test(size) || !root) throw new Error('not a checkpoint: origin, size and root hash on three lines')
  return { origin, size: Number(size), root: Buffer.from(root, 'base64') }
}
