// npm run idp: the development identity provider on http://localhost:4000 (IDP_PORT),
// accepting the portal at PUBLIC_URL (http://localhost:3000) as its client.
import { demoPeople, devClient, startDevIdentityProvider } from './identityProvider.js'

const port = Number(process.env['IDP_PORT'] ?? 4000)
const portal = (process.env['PUBLIC_URL'] ?? 'http://localhost:3000').replace(/\/$/, '')
const idp = await startDevIdentityProvider({ port, host: '127.0.0.1', issuer: `http://localhost:${port}`, redirectUris: [`${portal}/auth/national/callback`] })
process.stdout.write(`Development identity provider (not the national one) at ${idp.issuer}
client id ${devClient.clientId}, redirect ${portal}/auth/national/callback
demo people: ${demoPeople.map((p) => `${p.name} (level ${p.assurance_level})`).join(', ')}
`)
const stop = () => { void idp.close().then(() => process.exit(0)) }
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
