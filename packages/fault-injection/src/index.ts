export {
  FaultyEventBridge,
  type FaultyEventBridgeOptions,
  type PutEventsEntryOutcome,
  type PutEventsFault,
  type PutEventsPlan,
  type PutEventsWireEntry,
} from './faultyEventBridge.js';
export {
  type FaultyAnswer,
  FaultyHttpServer,
  type FaultyRequest,
  type HttpFault,
  type HttpFaultPlan,
} from './faultyHttpServer.js';
export { type FaultMode, type FaultyTcpProxy, startFaultyTcpProxy } from './faultyTcpProxy.js';
export { awsJsonHeaders, postOversizedBody, type RawAnswer, rawPost } from './rawRequests.js';
