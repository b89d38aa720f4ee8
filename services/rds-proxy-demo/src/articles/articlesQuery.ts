/** A validated `GET /articles` request. */
export interface ArticlesQuery {
  type: string;
  limit: number;
}

/** The request is malformed; `message` is safe to return to the caller. */
export class InvalidArticlesQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidArticlesQueryError';
  }
}

/** Article types are short lowercase slugs (the same rule the `articles.type` column checks). */
export const ARTICLE_TYPE_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/**
 * Validates the query string of `GET /articles?type=news&limit=10`.
 *
 * @example
 * parseArticlesQuery({ type: 'news' }); // { type: 'news', limit: 20 }
 * parseArticlesQuery({ type: "news'; DROP TABLE articles;--" }); // throws InvalidArticlesQueryError
 */
export function parseArticlesQuery(parameters: Record<string, string | undefined> | null | undefined): ArticlesQuery {
  const type = parameters?.type;
  if (type === undefined || type === '') {
    throw new InvalidArticlesQueryError('Query parameter "type" is required, e.g. /articles?type=news');
  }
  if (!ARTICLE_TYPE_PATTERN.test(type)) {
    throw new InvalidArticlesQueryError(
      'Query parameter "type" must be 1-32 characters: a lowercase letter, then lowercase letters, digits or "-"',
    );
  }
  const rawLimit = parameters?.limit;
  let limit = DEFAULT_LIMIT;
  if (rawLimit !== undefined) {
    limit = Number(rawLimit);
    if (!/^\d+$/.test(rawLimit) || limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidArticlesQueryError(`Query parameter "limit" must be an integer from 1 to ${MAX_LIMIT}`);
    }
  }
  return { type, limit };
}
