import type { Deadline } from '@blueprints/common';
import type { QueryResult, QueryResultRow } from 'pg';

/** An article as the API returns it. */
export interface Article {
  id: number;
  type: string;
  title: string;
  summary: string;
  publishedAt: string;
}

/** Anything that runs a parameterised read: `Database` (reader endpoint) or a plain `pg` client. */
export interface ArticleReader {
  query<Row extends QueryResultRow>(
    text: string,
    values: unknown[],
    options: { readOnly: true; deadline?: Deadline },
  ): Promise<QueryResult<Row>>;
}

interface ArticleRow {
  id: string;
  type: string;
  title: string;
  summary: string;
  published_at: Date;
}

/**
 * The newest articles of one type. The type travels as a bind parameter, never inside the SQL
 * text, so whatever it contains is compared as a value.
 *
 * @example
 * const articles = await listArticles(database, 'news', 10, Deadline.in(5000, { safetyMarginMs: 0 }));
 */
export async function listArticles(
  reader: ArticleReader,
  type: string,
  limit: number,
  deadline?: Deadline,
): Promise<Article[]> {
  const { rows } = await reader.query<ArticleRow>(
    `SELECT id, type, title, summary, published_at
       FROM articles
      WHERE type = $1
      ORDER BY published_at DESC, id DESC
      LIMIT $2`,
    [type, limit],
    { readOnly: true, deadline },
  );
  return rows.map((row) => ({
    id: Number(row.id),
    type: row.type,
    title: row.title,
    summary: row.summary,
    publishedAt: row.published_at.toISOString(),
  }));
}
