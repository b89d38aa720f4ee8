export {
  buildIotAuthorizerEvent,
  InvalidIotAuthorizerResponseError,
  IOT_AUTHORIZER_NAME_KEY,
  type IotAuthorizerEventInput,
  type IotAuthorizerGrant,
  type IotAuthorizerHandler,
  type IotGatewayAuthorizer,
  iotUsernameQuery,
  parseIotQueryString,
  validateIotAuthorizerResponse,
} from './authorizer.js';
export { evaluateIotPolicy, type IotAuthorizationRequest, type IotPolicyDecision } from './evaluateIotPolicy.js';
export {
  type IotDisconnectReason,
  type IotGateway,
  type IotGatewayCredential,
  IotGatewayError,
  type IotGatewayMessage,
  type IotGatewayOptions,
} from './gateway/types.js';
export { startIotGateway } from './gateway.js';
export { InvalidPresignedUrlError, type PresignedUrlRejection } from './presignedUrlErrors.js';
export {
  type IotRuleActivity,
  IotRulesEngine,
  type IotRuleTargets,
  type LocalRuleAction,
  type LocalTopicRule,
  RuleActionTargetMissingError,
} from './rules.js';
export {
  evaluateIotSql,
  type IotSqlContext,
  type IotSqlExpression,
  type IotSqlOutput,
  type IotSqlSelectItem,
  IotSqlSyntaxError,
  type ParsedIotSql,
  parseIotSql,
  parseIotSqlExpression,
  substituteIotTemplate,
} from './sql.js';
export {
  type IotRuleSqsTarget,
  iotGatewayOptionsFromTemplate,
  iotPoliciesOfFunction,
  iotPoliciesOfRole,
  topicRulesFromTemplate,
  UnsupportedTopicRuleError,
} from './template.js';
export { IOT_LIMITS, iotTopicLimitViolation, mqttTopicMatches, parseBasicIngestTopic } from './topics.js';
export {
  type VerifiedPresignedIotUrl,
  type VerifyPresignedIotUrlOptions,
  verifyPresignedIotUrl,
} from './verifyPresignedIotUrl.js';
