import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { listEnv } from '@blueprints/common';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { brandDimension } from '../fairQueue/brandDimension.js';
import { receiveBrandOrder } from '../fairQueue/brandOrder.js';

/** Brands with their own metric; the rest share `other` (bounded metric count, bounded cost). */
const METRIC_BRANDS = listEnv('METRIC_BRANDS');

const processor = new BatchProcessor(EventType.SQS);
const logger = new Logger();
// Namespace and service come from POWERTOOLS_METRICS_NAMESPACE / POWERTOOLS_SERVICE_NAME.
const metrics = new Metrics();

async function consume(record: SQSRecord): Promise<void> {
  const receipt = receiveBrandOrder(record);
  // One metric per listed brand: the dashboards that show a noisy brand is not starving the others.
  const perBrand = metrics.singleMetric();
  perBrand.addDimension('brand', brandDimension(receipt.brand, METRIC_BRANDS));
  perBrand.addMetric('QueueWait', MetricUnit.Milliseconds, receipt.queueWaitMs);
  logger.info('brand order received', { ...receipt });
}

/**
 * Fair queue consumer: messages arrive grouped by brand (the SQS MessageGroupId), so a burst from one brand
 * does not delay the others. Failed records are reported alone (partial batch response) and go to the DLQ
 * after maxReceiveCount.
 */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
  processPartialResponse(event, consume, processor, { context });
