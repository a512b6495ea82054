import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { compactVerify, CompactSign, createLocalJWKSet, type JWK } from 'jose'

// The keys that sign result tokens (JWS, EdDSA over Ed25519): the current private key
// from RESULT_SIGNING_KEY (a private JWK), and the public keys of earlier ones
// (RESULT_VERIFIER_KEYS), published together at /.well-known/jwks.json so that a result
// signed before a rotation still verifies. Only the settings say which keys are trusted.

export interface ResultSigner {
  keyId: string
  sign(payload: Record<string, unknown>): Promise<string>
  /** the payload when the token is signed by a published key; undefined otherwise */
  verify(token: string): Promise<Record<string, unknown> | undefined>
  /** the public keys, as a JWK Set */
  jwks: { keys: JWK[] }
}

export class ResultKeyError extends Error {}

const publicJwkOf = (key: KeyObject, kid: string): JWK => ({ ...(key.export({ format: 'jwk' }) as JWK), kid, alg: 'EdDSA', use: 'sig' })

/**
 * A new private key as the JWK text RESULT_SIGNING_KEY takes (npm run result:key); its kid is
 * the start of its RFC 7638 thumbprint, short because every QR code carries it.
 */
export function generateResultKey(): string {
  const { privateKey } = generateKeyPairSync('ed25519')
  const jwk = privateKey.export({ format: 'jwk' }) as JWK
  const kid = createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x })).digest('base64url').slice(0, 16)
  return JSON.stringify({ ...jwk, kid, alg: 'EdDSA' })
}

function parseJwk(text: string, what: string): JWK {
  try {
    const jwk = JSON.parse(text) as JWK
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.x || !jwk.kid) throw new Error('not an Ed25519 JWK with a kid')
    return jwk
  } catch (e) {
    throw new ResultKeyError(`${what} must be an Ed25519 JWK with a kid (npm run result:key): ${(e as Error).message}`)
  }
}

export function createResultSigner(privateJwkText: string, earlierPublicJwks: string[] = []): ResultSigner {
  const jwk = parseJwk(privateJwkText, 'RESULT_SIGNING_KEY')
  if (!jwk.d) throw new ResultKeyError('RESULT_SIGNING_KEY must be a private key (it has no "d")')
  const privateKey = createPrivateKey({ key: jwk as never, format: 'jwk' })
  const keyId = jwk.kid!
  const current = publicJwkOf(createPublicKey(privateKey), keyId)
  const earlier = earlierPublicJwks.map((t) => parseJwk(t, 'RESULT_VERIFIER_KEYS'))
    .filter((k) => k.kid !== keyId).map((k) => ({ kty: k.kty, crv: k.crv, x: k.x, kid: k.kid, alg: 'EdDSA', use: 'sig' }) as JWK)
  const jwks = { keys: [current, ...earlier] }
  const keySet = createLocalJWKSet(jwks)
  return {
    keyId,
    jwks,
    sign: (payload) => new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: 'EdDSA', kid: keyId }).sign(privateKey),
    async verify(token) {
      try {
        const { payload } = await compactVerify(token, keySet, { algorithms: ['EdDSA'] })
        const value = JSON.parse(new TextDecoder().decode(payload)) as unknown
        return typeof value === 'object' && value !== null ? value as Record<string, unknown> : undefined
      } catch {
        return undefined
      }
    },
  }
}
