// npm run audit:key -- <name>: prints a new signing key for AUDIT_SIGNING_KEY, and its
// verifier key (to publish) on standard error. The name is the log's origin, by
// convention `<host>/audit-log`. Keep the old key's verifier text: checkpoints it
// signed stay verifiable (the portal keeps every key that signed in audit_keys).
import { generateSigningKey, verifierKeyText } from '../domain/audit/signedNote.js'

const name = process.argv[2]
if (!name) {
  process.stderr.write('usage: npm run audit:key -- <origin, e.g. dichvucong.example.vn/audit-log>\n')
  process.exit(2)
}
const { key, text } = generateSigningKey(name)
process.stdout.write(`${text}\n`)
process.stderr.write(`verifier key: ${verifierKeyText(key)}\n`)
