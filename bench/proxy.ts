// A loopback HTTP proxy for the bench, in a process of its own: each request goes to the
// next of the backends in turn (BACKENDS=port,port…), as a load balancer in front of
// several portal instances would send it. Keep-alive both ways; no body buffered.
import http from 'node:http'

const backends = (process.env['BACKENDS'] ?? '').split(',').map(Number).filter(Boolean)
if (backends.length === 0) throw new Error('BACKENDS: one or more ports')
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
let next = 0

const server = http.createServer((req, res) => {
  const port = backends[next++ % backends.length]!
  const upstream = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers)
    answer.pipe(res)
  })
  upstream.on('error', () => res.writeHead(502).end())
  req.pipe(upstream)
})
server.keepAliveTimeout = 30_000
server.listen(Number(process.env['PORT']), '127.0.0.1', () => process.stdout.write(`proxy listening on ${process.env['PORT']} for ${backends.join(', ')}\n`))
