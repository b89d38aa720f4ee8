import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { InvalidArticlesQueryError, listArticles, parseArticlesQuery } from '../articles/index.js';
import { DatabaseConnectionError } from '../database/index.js';
import { database, invocationDeadline, logger } from './database.js';

/**
 * `GET /articles?type=news[&limit=10]`: the newest articles of a type, read from the reader endpoint.
 * A database that is down, frozen or slow gets a 503 before the function's timeout.
 */
export const handler = async (
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> => {
  let query: ReturnType<typeof parseArticlesQuery>;
  try {
    query = parseArticlesQuery(event.queryStringParameters);
  } catch (error) {
    if (error instanceof InvalidArticlesQueryError) return json(400, { error: 'InvalidQuery', message: error.message });
    throw error;
  }

  try {
    const articles = await listArticles(database, query.type, query.limit, invocationDeadline(context));
    return json(200, { type: query.type, count: articles.length, articles });
  } catch (error) {
    if (!(error instanceof DatabaseConnectionError)) throw error;
    logger.error('Database unavailable', error);
    return json(503, {
      error: 'DatabaseUnavailable',
      message: 'The database cannot be reached right now; retry shortly',
    });
  }
};

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
