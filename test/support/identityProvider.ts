import { generateKeyPairSync } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'

/**
 * The development identity provider: a real OpenID Connect provider (oidc-provider),
 * standing in for the national one (VNeID), which cannot be reached from here. Its demo
 * people carry claims shaped like the national ones. It is for development and tests
 * only: anyone can sign in as anyone by picking a name.
 */
export interface DemoPerson {
  sub: string
  name: string
  birthdate: string
  gender: 'male' | 'female'
  citizen_id: string
  phone_number: string
  assurance_level: 1 | 2
}

export const demoPeople: DemoPerson[] = [
  { sub: 'vn-demo-0001', name: 'Nguyễn Văn An', birthdate: '1985-04-12', gender: 'male', citizen_id: '001085012345', phone_number: '+84912345678', assurance_level: 2 },
  { sub: 'vn-demo-0002', name: 'Đặng Thị Hoa', birthdate: '2001-09-30', gender: 'female', citizen_id: '079301004567', phone_number: '+84987654321', assurance_level: 2 },
  { sub: 'vn-demo-0003', name: 'Lê Minh Châu', birthdate: '1990-01-15', gender: 'female', citizen_id: '048190007890', phone_number: '+84905111222', assurance_level: 1 },
  { sub: 'vn-demo-0004', name: 'Phạm Quốc Dũng', birthdate: '2006-06-06', gender: 'male', citizen_id: '031206000777', phone_number: '+84933444555', assurance_level: 2 },
]

/** npm run idp listens here, and names itself so: the portal's default NATIONAL_ID_ISSUER outside production. */
export const defaultDevPort = 4000
export const devIssuer = (port: number) => `http://127.0.0.1:${port}`

export const devClient = { clientId: 'portal-dev', clientSecret: 'portal-dev-secret-not-for-production' }

export interface DevIdentityProvider {
  issuer: string
  close(): Promise<void>
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function chooserPage(uid: string, clientId: string): string {
  const options = demoPeople.map((p, i) => `
      <li><label><input type="radio" name="sub" value="${escape(p.sub)}"${i === 0 ? ' checked' : ''}>
        ${escape(p.name)} · ${escape(p.birthdate)} · CCCD ${escape(p.citizen_id)} · mức ${p.assurance_level} / level ${p.assurance_level}</label></li>`).join('')
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Định danh thử nghiệm / Development identity provider</title></head>
<body><main>
  <h1>Định danh thử nghiệm <span lang="en">(development identity provider)</span></h1>
  <p>Không phải tài khoản định danh quốc gia thật. <span lang="en">Not the national identity provider: for development and tests only.</span></p>
  <p>Ứng dụng: ${escape(clientId)}</p>
  <form method="post" action="/interaction/${escape(uid)}/login">
    <fieldset><legend>Đăng nhập với tư cách <span lang="en">(sign in as)</span></legend><ul>${options}</ul></fieldset>
    <button type="submit">Đăng nhập <span lang="en">(sign in)</span></button>
  </form>
</main></body></html>`
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  let body = ''
  for await (const chunk of req) {
    body += String(chunk)
    if (body.length > 10_000) break
  }
  return new URLSearchParams(body)
}

/** Starts the provider; port 0 picks a free one. */
export async function startDevIdentityProvider(options: { port?: number, host?: string, redirectUris: string[], issuer?: string }) {
  const server = http.createServer()
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve))
  const issuer = options.issuer ?? `http://${host === '0.0.0.0' ? 'localhost' : host}:${(server.address() as AddressInfo).port}`
  const people = new Map(demoPeople.map((p) => [p.sub, p]))
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })

  // A portal on a loopback address may use any port (RFC 8252 §7.3, as oidc-provider
  // allows for native clients); anywhere else the callback must match exactly.
  const loopbackOnly = options.redirectUris.every((uri) => /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?\//.test(uri))
  const provider = new Provider(issuer, {
    clients: [{
      application_type: loopbackOnly ? 'native' : 'web',
      client_id: devClient.clientId,
      client_secret: devClient.clientSecret,
      redirect_uris: options.redirectUris,
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    pkce: { methods: ['S256'], required: () => true },
    scopes: ['openid', 'profile', 'phone', 'national_id'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'birthdate', 'gender'],
      phone: ['phone_number', 'phone_number_verified'],
      national_id: ['citizen_id', 'assurance_level'],
    },
    findAccount: (_ctx, sub) => {
      const person = people.get(sub)
      if (!person) return undefined
      return {
        accountId: sub,
        claims: () => ({ ...person, phone_number_verified: true }),
      }
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: ['development-identity-provider-cookie-key'] },
    jwks: { keys: [{ ...key, kid: 'dev-1', use: 'sig', alg: 'RS256' } as never] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    renderError: (ctx, out) => {
      ctx.type = 'text/plain; charset=utf-8'
      ctx.body = `${out.error}: ${out.error_description ?? ''}`
    },
  })
  const callback = provider.callback()

  server.on('request', (req, res) => {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(req.url ?? '')
    if (!match) return callback(req, res)
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res)
        const clientId = String(details.params['client_id'])
        let accountId = details.session?.accountId
        if (req.method === 'POST' && match[2]) {
          const sub = (await readForm(req)).get('sub') ?? ''
          if (!people.has(sub)) {
            res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('unknown person')
            return
          }
          accountId = sub
        } else if (details.prompt.name === 'login') {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(chooserPage(details.uid, clientId))
          return
        }
        // The portal is a first-party client: consent is given on the person's behalf.
        const grant = new provider.Grant({ accountId: accountId!, clientId })
        grant.addOIDCScope(String(details.params['scope']))
        const grantId = await grant.save()
        await provider.interactionFinished(req, res, { login: { accountId: accountId! }, consent: { grantId } }, { mergeWithLastSubmission: false })
      } catch (err) {
        res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(err instanceof Error ? err.message : 'error')
      }
    })()
  })

  return {
    issuer,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}
