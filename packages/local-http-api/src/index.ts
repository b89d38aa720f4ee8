export {
  httpRoutesFromTemplate,
  LOCAL_IAM_CALLER_HEADER,
  LocalHttpApi,
  type LocalHttpApiOptions,
  type LocalHttpRoute,
  matchRoutePath,
  toHttpResponse,
} from './LocalHttpApi.js';
