export type { ArticlesQuery } from './articlesQuery.js';
export {
  ARTICLE_TYPE_PATTERN,
  DEFAULT_LIMIT,
  InvalidArticlesQueryError,
  MAX_LIMIT,
  parseArticlesQuery,
} from './articlesQuery.js';
export type { Article, ArticleReader } from './listArticles.js';
export { listArticles } from './listArticles.js';
