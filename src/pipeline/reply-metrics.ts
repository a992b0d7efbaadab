// How an answer semroute gives itself is counted: semroute_requests_total by outcome, and
// semroute_errors_total for the errors.
import type { RouterMetrics } from '../telemetry/metrics.js';

export function recordReply(metrics: RouterMetrics, reply: { reason: string; status: number; decision?: string | undefined; model?: string | undefined }): void {
  if (reply.reason === 'models_list') {
    metrics.recordRequest({ decision: 'none', model: 'none', outcome: 'models_list' });
  } else if (reply.reason === 'cache_hit') {
    metrics.recordRequest({ decision: reply.decision ?? 'none', model: reply.model ?? 'none', outcome: 'cache_hit' });
  } else if (reply.reason === 'count_tokens' || reply.reason === 'stored_response') {
    metrics.recordRequest({ decision: 'none', model: 'none', outcome: reply.reason });
  } else if (reply.reason === 'blocked') {
    metrics.recordRequest({ decision: reply.decision ?? 'none', model: 'none', outcome: 'blocked' });
  } else {
    metrics.recordRequest({ decision: 'none', model: 'none', outcome: 'error' });
    metrics.recordError({ code: reply.reason, status: reply.status });
  }
}
