// The OpenAPI 3.1 description of the open-data API and the Agency API;
// test/integration/openApi.test.ts calls every operation and checks each answer against it.
import { agencyPaths, agencySchemas, agencySecuritySchemes } from './agencyOpenApi.js'
import { statisticsPaths, statisticsSchemas } from './statisticsOpenApi.js'

const localized = {
  type: 'object',
  required: ['vi', 'en', 'fr'],
  properties: { vi: { type: 'string' }, en: { type: 'string' }, fr: { type: 'string' } },
}

const serviceSummary = {
  type: 'object',
  required: ['id', 'name', 'description', 'agency', 'feeVnd', 'processingDays', 'onlineLevel', 'appliesOnline', 'applicants', 'url'],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9-]+$', examples: ['dang-ky-khai-sinh'] },
    name: { $ref: '#/components/schemas/Localized' },
    description: { $ref: '#/components/schemas/Localized' },
    agency: {
      type: 'object', required: ['id', 'name'],
      properties: { id: { type: 'string' }, name: { $ref: '#/components/schemas/Localized' } },
    },
    feeVnd: { type: ['integer', 'null'], minimum: 0, description: 'Fee in Vietnamese đồng; 0 is free; null when it depends on the case' },
    processingDays: { type: ['integer', 'null'], minimum: 0, description: 'Statutory processing time in working days; 0 is the same day' },
    onlineLevel: { type: 'string', enum: ['full', 'partial'], description: 'the level set by law: full: "toàn trình"; partial: "một phần" (Decree 42/2022)' },
    appliesOnline: { type: 'boolean', description: 'true when this portal takes the application online; otherwise it is made at the agency' },
    applicants: { type: 'array', items: { type: 'string', enum: ['citizen', 'business'] } },
    url: { type: 'string', format: 'uri' },
  },
}

const service = {
  allOf: [
    { $ref: '#/components/schemas/ServiceSummary' },
    {
      type: 'object',
      required: ['code', 'documents', 'feeNote', 'lifeEvents', 'legalBasis', 'sourceNote', 'updatedAt'],
      properties: {
        code: { type: ['string', 'null'] },
        documents: { type: 'array', items: { $ref: '#/components/schemas/Localized' } },
        feeNote: { oneOf: [{ $ref: '#/components/schemas/Localized' }, { type: 'null' }] },
        lifeEvents: { type: 'array', items: { type: 'string' } },
        legalBasis: { type: ['string', 'null'] },
        sourceNote: { oneOf: [{ $ref: '#/components/schemas/Localized' }, { type: 'null' }], description: 'a note on sources or recent changes, in vi, en and fr' },
        updatedAt: { type: 'string', format: 'date-time' },
      },
    },
  ],
}

const problem = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    requestId: { type: 'string' },
    'invalid-params': {
      type: 'array',
      items: { type: 'object', required: ['name', 'reason'], properties: { name: { type: 'string' }, reason: { type: 'string' } } },
    },
  },
}

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
})

const query = (name: string, description: string, schema: object) => ({ name, in: 'query', required: false, description, schema })

export function openApiDocument(serverUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cổng Dịch vụ công — open data and Agency API',
      version: '1.2.0',
      description: 'The public catalogue of services, in Vietnamese, English and French, and the open statistics (no key), and the Agency API: an agency’s system, '
        + 'with its bearer key, reads the applications routed to it, posts status changes, registers its services and reads its delivery log. '
        + 'Errors are RFC 9457 problem details; messages follow Accept-Language or ?lang=.',
      license: { name: 'Open data', identifier: 'CC-BY-4.0' },
    },
    servers: [{ url: serverUrl }],
    security: [],
    paths: {
      '/services': {
        get: {
          operationId: 'listServices', security: [],
          summary: 'Search or list services',
          parameters: [
            query('q', 'Words to search for; case, tone marks and đ are ignored; every word must match', { type: 'string', maxLength: 200 }),
            query('lang', 'Language whose titles rank first, and of error messages', { type: 'string', enum: ['vi', 'en', 'fr'] }),
            query('agency', 'Only services of this agency id', { type: 'string' }),
            query('category', 'Only services of this life event id', { type: 'string' }),
            query('page', 'Page number, from 1', { type: 'integer', minimum: 1, maximum: 1000, default: 1 }),
            query('pageSize', 'Items per page', { type: 'integer', minimum: 1, maximum: 100, default: 20 }),
          ],
          responses: {
            200: {
              description: 'A page of services, best match first (or most used first without q)',
              content: {
                'application/json': {
                  schema: {
                    type: 'object', required: ['items', 'total', 'page', 'pageSize'],
                    properties: {
                      items: { type: 'array', items: { $ref: '#/components/schemas/ServiceSummary' } },
                      total: { type: 'integer' }, page: { type: 'integer' }, pageSize: { type: 'integer' },
                      suggestion: { type: 'string', description: 'When nothing matched: a query, in folded words, that finds something ("did you mean")' },
                    },
                  },
                },
              },
            },
            400: problemResponse('Invalid parameters, each named in invalid-params'),
          },
        },
      },
      '/services/{id}': {
        get: {
          operationId: 'getService', security: [],
          summary: 'One service',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            200: { description: 'The service', content: { 'application/json': { schema: { $ref: '#/components/schemas/Service' } } } },
            404: problemResponse('No service with this id'),
          },
        },
      },
      ...statisticsPaths,
      ...agencyPaths,
    },
    components: {
      schemas: { Localized: localized, ServiceSummary: serviceSummary, Service: service, Problem: problem, ...statisticsSchemas, ...agencySchemas },
      securitySchemes: agencySecuritySchemes,
    },
  }
}
