export { awsJsonHeaders, postOversizedBody, type RawAnswer, rawPost } from './rawRequests.js';
