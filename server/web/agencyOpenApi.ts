// The Agency API's part of the OpenAPI 3.1 document (./openApiDocument.ts):
// test/integration/openApi.test.ts calls every operation and checks each answer against it.

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
})
const json = (description: string, schema: object) => ({ description, content: { 'application/json': { schema } } })
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const nullable = (type: string, extra: object = {}) => ({ type: [type, 'null'], ...extra })
const path = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } })
const query = (name: string, description: string, schema: object) => ({ name, in: 'query', required: false, description, schema })

/** The refusals every Agency API operation may answer. */
const refusals = {
  401: problem('No key, or an unknown, revoked or expired one; WWW-Authenticate says so'),
  403: problem('The key lacks the scope, is used from an address outside its allowlist, or is a test key reading citizens’ data'),
  429: problem('The key’s rate limit; Retry-After says when to try again'),
}
const secured = (scope: string) => ({ security: [{ agencyKey: [] }], 'x-scope': scope })

const statuses = ['submitted', 'received', 'in_review', 'info_requested', 'approved', 'rejected', 'withdrawn']

const summaryRequired = ['reference', 'serviceId', 'status', 'submittedAt', 'updatedAt', 'decidedAt', 'agencyReference']
const summaryProperties = {
  reference: { type: 'string', examples: ['HS-2612-7K3F-9QX2'] },
  serviceId: { type: 'string' },
  status: { type: 'string', enum: statuses },
  submittedAt: nullable('string', { format: 'date-time' }),
  updatedAt: { type: 'string', format: 'date-time' },
  decidedAt: nullable('string', { format: 'date-time' }),
  agencyReference: nullable('string'),
}

export const agencySchemas = {
  ApplicationSummary: { type: 'object', additionalProperties: false, required: summaryRequired, properties: summaryProperties },
  Application: {
    type: 'object', additionalProperties: false,
    required: [...summaryRequired, 'assuranceLevel', 'onBehalfOf', 'profile', 'answers', 'documents'],
    properties: {
      ...summaryProperties,
      assuranceLevel: { type: 'integer', minimum: 0, maximum: 2, description: '0: password; 1 or 2: the national identity level' },
      onBehalfOf: { oneOf: [{ type: 'null' }, { type: 'object', required: ['enterpriseCode', 'name'], properties: { enterpriseCode: { type: 'string' }, name: { type: 'string' } } }] },
      profile: { type: 'object', additionalProperties: { type: 'string' }, description: 'only the profile fields the service declared, as at submission' },
      answers: { type: 'object', additionalProperties: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } },
      documents: {
        type: 'array',
        items: {
          type: 'object', additionalProperties: false, required: ['id', 'field', 'filename', 'contentType', 'size', 'sha256', 'url'],
          properties: {
            id: { type: 'string' }, field: { type: 'string' }, filename: { type: 'string' }, contentType: { type: 'string' },
            size: { type: 'integer' }, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' }, url: { type: 'string' },
          },
        },
      },
    },
  },
  StatusEvent: {
    type: 'object', required: ['status'], additionalProperties: false,
    properties: {
      status: { type: 'string', enum: ['in_review', 'info_requested', 'approved', 'rejected'] },
      message: { type: 'string', maxLength: 2000, description: 'shown to the applicant; required for info_requested and rejected' },
      note: { type: 'string', maxLength: 2000, description: 'internal, never shown to the applicant' },
    },
  },
  StatusChanged: {
    type: 'object', additionalProperties: false, required: ['reference', 'status', 'from'],
    properties: {
      reference: { type: 'string' }, status: { type: 'string', enum: statuses }, from: { type: 'string', enum: statuses },
      updatedAt: { type: 'string', format: 'date-time' }, dryRun: { type: 'boolean', description: 'a test key: checked, not applied' },
    },
  },
  ResultIssued: {
    type: 'object', additionalProperties: false,
    required: ['reference', 'code', 'source', 'issuedAt', 'sha256', 'agencyDocumentSha256', 'verifyUrl', 'revoked'],
    properties: {
      reference: { type: 'string' },
      code: { type: 'string', pattern: '^[0-9A-Z]{5}-[0-9A-Z]{5}$', description: 'the verification code printed on the document' },
      source: { type: 'string', enum: ['portal', 'agency'], description: 'portal: the portal made the document; agency: the agency sent its own signed PDF' },
      issuedAt: { type: 'string', format: 'date-time' },
      sha256: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'the PDF the applicant downloads (for an agency PDF, the portal’s page around it)' },
      agencyDocumentSha256: nullable('string', { description: 'the agency’s own PDF, as sent' }),
      verifyUrl: { type: 'string', description: 'where anyone checks it' },
      revoked: { type: 'boolean' },
    },
  },
  ResultDryRun: {
    type: 'object', additionalProperties: false, required: ['reference', 'source', 'dryRun'],
    properties: { reference: { type: 'string' }, source: { type: 'string', enum: ['portal', 'agency'] }, dryRun: { type: 'boolean' } },
  },
  ServiceVersion: {
    type: 'object', additionalProperties: false, required: ['version', 'state', 'createdAt', 'updatedAt', 'submittedAt', 'reviewedAt', 'reviewNote'],
    properties: {
      id: { type: 'string' },
      version: { type: 'integer', minimum: 1 },
      state: { type: 'string', enum: ['draft', 'in_review', 'approved', 'rejected'] },
      createdAt: { type: 'string', format: 'date-time' }, updatedAt: { type: 'string', format: 'date-time' },
      submittedAt: nullable('string', { format: 'date-time' }), reviewedAt: nullable('string', { format: 'date-time' }), reviewNote: nullable('string'),
    },
  },
  ServiceContent: {
    type: 'object',
    description: 'A service in the manifest format (services/README.md): name, description, documents, fee, processingDays, onlineLevel, applicants, '
      + 'lifeEvents, legalBasis, and form; checked by the same schema as the manifests, each error named by its path in invalid-params',
    required: ['name', 'description', 'documents', 'fee', 'processingDays', 'onlineLevel', 'applicants', 'lifeEvents'],
  },
  Delivery: {
    type: 'object', additionalProperties: false,
    required: ['id', 'deliveryId', 'reference', 'attempt', 'at', 'target', 'outcome', 'statusCode', 'latencyMs', 'error'],
    properties: {
      id: { type: 'integer' }, deliveryId: { type: 'string', description: 'the webhook-id' }, reference: nullable('string'), attempt: { type: 'integer' },
      at: { type: 'string', format: 'date-time' }, target: { type: 'string' }, outcome: { type: 'string', enum: ['accepted', 'retry', 'final', 'dead'] },
      statusCode: nullable('integer'), latencyMs: { type: 'integer' }, error: nullable('string'),
    },
  },
  Endpoint: {
    type: 'object', additionalProperties: false,
    required: ['url', 'state', 'origin', 'verifiedAt', 'suspendedAt', 'suspendedReason', 'previousSecretUntil', 'consecutiveFailures', 'lastError', 'lastErrorAt', 'lastSuccessAt', 'last24Hours'],
    properties: {
      url: { type: 'string' }, state: { type: 'string', enum: ['unverified', 'active', 'suspended'] }, origin: { type: 'string', enum: ['settings', 'agency'] },
      verifiedAt: nullable('string'), suspendedAt: nullable('string'), suspendedReason: nullable('string'), previousSecretUntil: nullable('string'),
      consecutiveFailures: { type: 'integer' }, lastError: nullable('string'), lastErrorAt: nullable('string'), lastSuccessAt: nullable('string'),
      last24Hours: {
        type: 'object', additionalProperties: false, required: ['attempts', 'succeeded', 'successRate', 'p50Ms', 'p95Ms'],
        properties: { attempts: { type: 'integer' }, succeeded: { type: 'integer' }, successRate: nullable('number'), p50Ms: nullable('number'), p95Ms: nullable('number') },
      },
    },
  },
}

const reference = path('reference', 'The application’s reference, e.g. HS-2612-7K3F-9QX2')
const serviceId = path('id', 'The service id (kebab-case)')

export const agencyPaths = {
  '/agency/applications': {
    get: {
      operationId: 'listAgencyApplications', summary: 'Applications routed to the key’s agency, in (updatedAt, id) order', ...secured('applications:read'),
      parameters: [
        query('status', 'Only applications in this status', { type: 'string', enum: statuses }),
        query('updatedSince', 'Only applications changed at or after this time', { type: 'string', format: 'date-time' }),
        query('cursor', 'nextCursor of the previous page: stable, an application changed meanwhile comes again later', { type: 'string' }),
        query('limit', 'Items per page', { type: 'integer', minimum: 1, maximum: 200, default: 50 }),
      ],
      responses: {
        200: json('A page of applications', {
          type: 'object', additionalProperties: false, required: ['items', 'nextCursor'],
          properties: { items: { type: 'array', items: ref('ApplicationSummary') }, nextCursor: nullable('string') },
        }),
        400: problem('Invalid parameters, each named in invalid-params'), ...refusals,
      },
    },
  },
  '/agency/applications/{reference}': {
    get: {
      operationId: 'getAgencyApplication', summary: 'One application with its answers, declared profile fields and document links; each read is audited', ...secured('applications:read'),
      parameters: [reference],
      responses: { 200: json('The application', ref('Application')), 404: problem('No such application for this agency'), ...refusals },
    },
  },
  '/agency/applications/{reference}/documents/{id}': {
    get: {
      operationId: 'getAgencyApplicationDocument', summary: 'One document of the application', ...secured('applications:read'),
      parameters: [reference, path('id', 'The document id')],
      responses: {
        200: { description: 'The file as uploaded', content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
        404: problem('No such document'), ...refusals,
      },
    },
  },
  '/agency/applications/{reference}/events': {
    post: {
      operationId: 'postStatusEvent', summary: 'Move the application; with Idempotency-Key a repeat changes nothing and answers as the first time', ...secured('applications:write'),
      parameters: [reference, {
        name: 'Idempotency-Key', in: 'header', required: false, description: 'Kept 24 hours per agency; 1–255 visible ASCII characters', schema: { type: 'string', maxLength: 255 },
      }],
      requestBody: { required: true, content: { 'application/json': { schema: ref('StatusEvent') } } },
      responses: {
        201: { ...json('Moved', ref('StatusChanged')), headers: { 'Idempotent-Replayed': { description: 'true when this is the first request’s answer, replayed', schema: { type: 'string' } } } },
        200: json('A test key: checked, not applied', ref('StatusChanged')),
        400: problem('Invalid body or Idempotency-Key'), 404: problem('No such application for this agency'),
        409: problem('Not allowed from the application’s status, or the first request with this Idempotency-Key is still running'),
        422: problem('The Idempotency-Key was used with another body'), ...refusals,
      },
    },
  },
  '/agency/applications/{reference}/result': {
    post: {
      operationId: 'postResult',
      summary: 'Issue the result of an approved application: the portal’s document (no body), or the agency’s own signed PDF, which the portal wraps with '
        + 'its verification code and QR code; once per application',
      ...secured('applications:write'),
      parameters: [reference],
      requestBody: {
        required: false,
        content: { 'application/pdf': { schema: { type: 'string', contentMediaType: 'application/pdf', description: 'the agency’s signed PDF, at most 10 MB' } } },
      },
      responses: {
        201: json('Issued', ref('ResultIssued')),
        200: json('Already issued with the same document (or a test key: checked, not applied)', { oneOf: [ref('ResultIssued'), ref('ResultDryRun')] }),
        404: problem('No such application for this agency'),
        409: problem('The application is not approved, or has another result already'),
        422: problem('The body is not a PDF'), ...refusals,
      },
    },
  },
  '/agency/services': {
    get: {
      operationId: 'listAgencyServices', summary: 'The newest version of each service the agency registered', ...secured('services:write'),
      responses: {
        200: json('Services', {
          type: 'object', required: ['items'],
          properties: { items: { type: 'array', items: { type: 'object', required: ['id', 'name', 'latest'], properties: { id: { type: 'string' }, name: ref('Localized'), latest: ref('ServiceVersion') } } } },
        }),
        ...refusals,
      },
    },
  },
  '/agency/services/{id}': {
    get: {
      operationId: 'getAgencyService', summary: 'A service: the version in force and every version', ...secured('services:write'),
      parameters: [serviceId],
      responses: {
        200: json('The service', {
          type: 'object', required: ['id', 'inForce', 'versions', 'latest'],
          properties: {
            id: { type: 'string' },
            inForce: { oneOf: [{ type: 'null' }, { type: 'object', required: ['version', 'status', 'origin', 'updatedAt'] }] },
            versions: { type: 'array', items: ref('ServiceVersion') },
            latest: { oneOf: [{ type: 'null' }, ref('ServiceContent')] },
          },
        }),
        404: problem('No such service for this agency'), ...refusals,
      },
    },
    put: {
      operationId: 'putAgencyService', summary: 'Create or edit the draft (a new version when the newest is in force)', ...secured('services:write'),
      parameters: [serviceId],
      requestBody: { required: true, content: { 'application/json': { schema: ref('ServiceContent') } } },
      responses: {
        201: json('A new service, version 1, draft', ref('ServiceVersion')), 200: json('The draft, saved', ref('ServiceVersion')),
        400: problem('Not JSON'), 404: problem('Another agency’s service'), 409: problem('In review, or managed by a manifest'),
        422: problem('Not a valid service: each field named by its path'), ...refusals,
      },
    },
  },
  '/agency/services/{id}/submit': {
    post: {
      operationId: 'submitAgencyService', summary: 'Submit the draft for a portal administrator’s approval', ...secured('services:write'),
      parameters: [serviceId],
      responses: { 200: json('In review', ref('ServiceVersion')), 404: problem('No such service for this agency'), 409: problem('No draft to submit'), ...refusals },
    },
  },
  '/agency/deliveries': {
    get: {
      operationId: 'listDeliveries', summary: 'The agency’s delivery log, newest first (status, latency, error; never a body)', ...secured('deliveries:read'),
      parameters: [query('before', 'Only attempts older than this id (the next page)', { type: 'integer', minimum: 1 }), query('limit', 'Items per page', { type: 'integer', minimum: 1, maximum: 200, default: 50 })],
      responses: {
        200: json('Attempts', {
          type: 'object', additionalProperties: false, required: ['items', 'next'],
          properties: { items: { type: 'array', items: ref('Delivery') }, next: nullable('string') },
        }),
        400: problem('Invalid parameters'), ...refusals,
      },
    },
  },
  '/agency/deliveries/{id}/redeliver': {
    post: {
      operationId: 'redeliver', summary: 'Send a delivery again, with its webhook-id', ...secured('deliveries:write'),
      parameters: [path('id', 'The delivery id (webhook-id)')],
      responses: {
        202: json('Queued', { type: 'object', required: ['deliveryId', 'status'], properties: { deliveryId: { type: 'string' }, status: { const: 'pending' } } }),
        200: json('A test key: nothing queued', { type: 'object', required: ['deliveryId', 'dryRun'] }),
        404: problem('No such delivery for this agency'), ...refusals,
      },
    },
  },
  '/agency/endpoint': {
    get: {
      operationId: 'getEndpoint', summary: 'The agency’s endpoint and its health over the last 24 hours', ...secured('deliveries:read'),
      responses: { 200: json('The endpoint', ref('Endpoint')), 404: problem('No endpoint registered'), ...refusals },
    },
  },
}

export const agencySecuritySchemes = {
  agencyKey: {
    type: 'http', scheme: 'bearer', bearerFormat: 'dvc_<live|test>_<id>_<secret>',
    description: 'An agency API key, made by the agency’s administrator at /agency/keys; its scopes are in each operation’s x-scope',
  },
}
