// npm run result:key: prints a new private key for RESULT_SIGNING_KEY (an Ed25519 JWK),
// and on standard error its public JWK: after a rotation, add that public JWK to
// RESULT_VERIFIER_KEYS so that results signed with the old key still verify.
import { generateResultKey } from '../domain/results/resultKeys.js'

const text = generateResultKey()
const { kty, crv, x, kid } = JSON.parse(text) as Record<string, string>
process.stdout.write(`${text}\n`)
process.stderr.write(`public key (for RESULT_VERIFIER_KEYS after a rotation): ${JSON.stringify({ kty, crv, x, kid })}\n`)
