import { csvColumns } from './statisticsCsv.js'

// The open statistics in the OpenAPI document (openApiDocument.ts): /statistics, and per
// agency and per service. Every count is an integer, or null when it was from 1 to 4
// (suppressed so that no person can be singled out).
const count = { type: ['integer', 'null'], minimum: 0, description: 'null: from 1 to 4, not published' }
const ratio = {
  type: 'object', required: ['numerator', 'denominator', 'rate'],
  properties: {
    numerator: count, denominator: count,
    rate: { type: ['number', 'null'], minimum: 0, maximum: 1, description: 'numerator / denominator, 3 decimals; null when either is suppressed or the denominator is 0' },
  },
}
const tally = {
  type: 'object',
  required: ['received', 'decided', 'approved', 'rejected', 'withdrawn', 'completion', 'processingDays', 'onTime', 'electronicResults', 'satisfaction', 'delivery'],
  properties: {
    received: { ...count, description: 'applications submitted in the period' },
    decided: { ...count, description: 'approved or refused in the period' },
    approved: count, rejected: count,
    withdrawn: { ...count, description: 'withdrawn by the applicant in the period' },
    completion: { ...ratio, description: 'of the applications started in the period, those submitted' },
    processingDays: {
      type: 'object', required: ['p50', 'p90', 'decisions'],
      description: 'working days from receipt to decision, the days waiting for the applicant excluded; nearest-rank percentiles, null under 5 decisions',
      properties: { p50: { type: ['integer', 'null'] }, p90: { type: ['integer', 'null'] }, decisions: count },
    },
    onTime: { ...ratio, description: 'decisions by the due date without an apology for lateness, of decisions with a due date' },
    electronicResults: { ...ratio, description: 'approvals with an electronic result document (signed, not revoked), of approvals' },
    satisfaction: {
      type: 'object', required: ['answers', 'average', 'satisfied'],
      properties: {
        answers: count,
        average: { type: ['number', 'null'], minimum: 1, maximum: 5, description: 'one decimal; null under 5 answers' },
        satisfied: { ...ratio, description: 'answers of 4 or 5, of answers with a score' },
      },
    },
    delivery: {
      type: 'object', required: ['delivered', 'firstAttempt'],
      description: 'applications sent to agencies’ own endpoints whose sending finished',
      properties: { delivered: ratio, firstAttempt: ratio },
    },
  },
}
const scope = {
  type: 'object', required: ['computedAt', 'suppressedBelow', 'total', 'months', 'open', 'overdue', 'index', 'notMeasured'],
  properties: {
    computedAt: { type: 'string', format: 'date-time', description: 'when the figures were computed (at most an hour before)' },
    suppressedBelow: { type: 'integer', description: 'counts from 1 to this less one are null' },
    total: { $ref: '#/components/schemas/StatisticsTally' },
    months: {
      type: 'array', minItems: 12, maxItems: 12, description: 'the 12 months to the current one (so far), oldest first, in Vietnam’s time',
      items: { allOf: [{ $ref: '#/components/schemas/StatisticsTally' }, { type: 'object', required: ['month'], properties: { month: { type: 'string', pattern: '^\\d{4}-\\d{2}$' } } }] },
    },
    open: { ...count, description: 'applications with the agency today' },
    overdue: { ...count, description: 'of those, past their due date (never one waiting for the applicant)' },
    index: {
      type: 'array', description: 'the Decision 766/QĐ-TTg indicators the portal can measure, over 12 months',
      items: {
        type: 'object', required: ['id', 'group', 'numerator', 'denominator', 'rate'],
        properties: {
          id: { type: 'string' }, group: { type: 'string', enum: ['transparency', 'progress', 'online', 'satisfaction', 'digitisation'] },
          numerator: count, denominator: count, rate: ratio.properties.rate,
        },
      },
    },
    notMeasured: {
      type: 'array', description: 'the indicators the portal cannot measure from its own records',
      items: { type: 'object', required: ['id', 'group'], properties: { id: { type: 'string' }, group: { type: 'string' } } },
    },
  },
}

const json = (schema: object) => ({ 'application/json': { schema } })
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } })
const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } }

export const statisticsSchemas = { StatisticsTally: tally, StatisticsScope: scope }

export const statisticsPaths = {
  '/statistics.csv': {
    get: {
      operationId: 'getStatisticsCsv', security: [], summary: 'Every scope’s figures as CSV (UTF-8 with a byte-order mark), one row per scope and month and one per scope for the 12 months',
      responses: {
        200: {
          description: 'Columns: scope (portal, agency or service), id, month (yyyy-mm, or total), then '
            + `${csvColumns.map(([name]) => name).join(', ')}. An empty cell is a count from 1 to 4, or a rate or time not published (see StatisticsTally).`,
          content: { 'text/csv': { schema: { type: 'string' } } },
        },
      },
    },
  },
  '/statistics': {
    get: {
      operationId: 'getStatistics', security: [], summary: 'The whole portal’s open statistics and service index, with its agencies',
      responses: {
        200: {
          description: 'Figures per month over 12 and in total',
          content: json({
            allOf: [{ $ref: '#/components/schemas/StatisticsScope' }, {
              type: 'object', required: ['agencies'],
              properties: {
                agencies: {
                  type: 'array',
                  items: { type: 'object', required: ['id', 'received', 'url'], properties: { id: { type: 'string' }, received: count, url: { type: 'string', format: 'uri' } } },
                },
              },
            }],
          }),
        },
      },
    },
  },
  '/statistics/agencies/{id}': {
    get: {
      operationId: 'getAgencyStatistics', security: [], summary: 'An agency’s open statistics and service index',
      parameters: [idParameter],
      responses: {
        200: { description: 'Figures per month over 12 and in total', content: json({ allOf: [{ $ref: '#/components/schemas/StatisticsScope' }, { type: 'object', required: ['agency'], properties: { agency: { type: 'string' } } }] }) },
        404: problem('No agency with a service in the catalogue has this id'),
      },
    },
  },
  '/statistics/services/{id}': {
    get: {
      operationId: 'getServiceStatistics', security: [], summary: 'A service’s open statistics, and how long its recent decisions took',
      parameters: [idParameter],
      responses: {
        200: {
          description: 'Figures per month over 12 and in total, and the estimate its page shows',
          content: json({
            allOf: [{ $ref: '#/components/schemas/StatisticsScope' }, {
              type: 'object', required: ['service', 'estimate'],
              properties: {
                service: { type: 'string' },
                estimate: {
                  type: 'object', required: ['decisions', 'minimumDecisions', 'p50', 'p90'],
                  description: 'working days of its decisions over the last 6 months; p50 and p90 null under minimumDecisions',
                  properties: { decisions: count, minimumDecisions: { type: 'integer' }, p50: { type: ['integer', 'null'] }, p90: { type: ['integer', 'null'] } },
                },
              },
            }],
          }),
        },
        404: problem('No service in force has this id'),
      },
    },
  },
}
