// The columns of /statistics.csv after scope, id and month: one place for the route that
// writes it and the OpenAPI document that describes it.
import type { PublishedTally } from '../domain/statistics/figures.js'

// One row per scope and month, and one for the 12 months together ("total").
export const csvColumns: Array<[string, (t: PublishedTally) => number | null]> = [
  ['received', (t) => t.received],
  ['decided', (t) => t.decided],
  ['approved', (t) => t.approved],
  ['rejected', (t) => t.rejected],
  ['withdrawn', (t) => t.withdrawn],
  ['completion_submitted', (t) => t.completion.numerator],
  ['completion_started', (t) => t.completion.denominator],
  ['completion_rate', (t) => t.completion.rate],
  ['processing_days_p50', (t) => t.processingDays.p50],
  ['processing_days_p90', (t) => t.processingDays.p90],
  ['processing_decisions', (t) => t.processingDays.decisions],
  ['on_time', (t) => t.onTime.numerator],
  ['on_time_of', (t) => t.onTime.denominator],
  ['on_time_rate', (t) => t.onTime.rate],
  ['electronic_results', (t) => t.electronicResults.numerator],
  ['electronic_results_of', (t) => t.electronicResults.denominator],
  ['electronic_results_rate', (t) => t.electronicResults.rate],
  ['satisfaction_answers', (t) => t.satisfaction.answers],
  ['satisfaction_average', (t) => t.satisfaction.average],
  ['satisfied', (t) => t.satisfaction.satisfied.numerator],
  ['satisfied_rate', (t) => t.satisfaction.satisfied.rate],
  ['remote_deliveries', (t) => t.delivery.delivered.denominator],
  ['remote_delivered', (t) => t.delivery.delivered.numerator],
  ['remote_delivered_rate', (t) => t.delivery.delivered.rate],
  ['remote_first_attempt', (t) => t.delivery.firstAttempt.numerator],
  ['remote_first_attempt_rate', (t) => t.delivery.firstAttempt.rate],
]
