// npm run idp: the development identity provider on http://127.0.0.1:4000 (IDP_PORT),
// the portal's default NATIONAL_ID_ISSUER. It accepts the portal at PUBLIC_URL
// (http://localhost:3000 by default) as its client; on a loopback address at any port.
import { defaultDevPort, demoPeople, devClient, devIssuer, startDevIdentityProvider } from './identityProvider.js'

const port = Number(process.env['IDP_PORT'] ?? defaultDevPort)
const portal = (process.env['PUBLIC_URL'] ?? 'http://localhost:3000').replace(/\/$/, '')
// localhost and 127.0.0.1 are the same machine: a portal reached by either is accepted.
const loopbackTwins = (url: string) => /^http:\/\/localhost[:/]/.test(url) ? [`${url.replace('localhost', '127.0.0.1')}/auth/national/callback`]
  : /^http:\/\/127\.0\.0\.1[:/]/.test(url) ? [`${url.replace('127.0.0.1', 'localhost')}/auth/national/callback`] : []
const idp = await startDevIdentityProvider({ port, host: '127.0.0.1', issuer: devIssuer(port), redirectUris: [`${portal}/auth/national/callback`, ...loopbackTwins(portal)] })
process.stdout.write(`Development identity provider (not the national one) at ${idp.issuer}
client id ${devClient.clientId}, redirect ${portal}/auth/national/callback
demo people: ${demoPeople.map((p) => `${p.name} (level ${p.assurance_level})`).join(', ')}
`)
const stop = () => { void idp.close().then(() => process.exit(0)) }
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
