import { assertValidServiceName, InvalidServiceNameError, renameService } from '../src/names.js';
import { inlineSharedFragment } from '../src/newService.js';

describe('Function: assertValidServiceName()', () => {
  it.each(['orders', 'shop-events', 'a1-b2'])('accepts %s', (name) => {
    expect(() => assertValidServiceName(name)).not.toThrow();
  });

  it.each([
    ['Shop', 'start with a lowercase letter'],
    ['shop_events', 'only lowercase letters, digits and hyphens'],
    ['shop events', 'only lowercase letters, digits and hyphens'],
    ['shop-', 'no trailing or doubled hyphens'],
    ['shop--events', 'no trailing or doubled hyphens'],
    ['1shop', 'start with a lowercase letter'],
    ['x', 'at least 2 characters'],
    ['a'.repeat(31), 'at most 30 characters'],
    ['../escape', 'start with a lowercase letter'],
  ])('rejects %j: %s', (name, why) => {
    expect(() => assertValidServiceName(name)).toThrow(InvalidServiceNameError);
    expect(() => assertValidServiceName(name)).toThrow(why);
  });
});

describe('Function: renameService()', () => {
  it('renames every spelling services use in resource names', () => {
    // Prepare
    const text = [
      'service: live-feed',
      'AuthorizerName: liveFeed${sls:stage}Authorizer',
      'RuleName: live_feed_${sls:stage}_sensor',
      'Export: LiveFeedApiUrl',
      'ENV: LIVE_FEED_TABLE',
      'describe("live-feed handlers")',
    ].join('\n');

    // Act
    const renamed = renameService(text, 'live-feed', 'shop-live');

    // Assess
    expect(renamed).toBe(
      [
        'service: shop-live',
        'AuthorizerName: shopLive${sls:stage}Authorizer',
        'RuleName: shop_live_${sls:stage}_sensor',
        'Export: ShopLiveApiUrl',
        'ENV: SHOP_LIVE_TABLE',
        'describe("shop-live handlers")',
      ].join('\n'),
    );
  });

  it('leaves longer names that merely contain the old one alone', () => {
    expect(renameService('live-feed-extra mylive-feed live-feeds', 'live-feed', 'x-y')).toBe(
      'x-y-extra mylive-feed live-feeds',
    );
  });
});

describe('Function: inlineSharedFragment()', () => {
  it('replaces each included section with its content at the including indentation', () => {
    // Prepare
    const shared = 'provider:\n  name: aws\n  runtime: nodejs22.x\n\nesbuild:\n  config: ../../esbuild.config.cjs\n';
    const service =
      'service: x\nprovider: ${file(../../serverless.shared.yml):provider}\ncustom:\n  esbuild: ${file(../../serverless.shared.yml):esbuild}\n  other: 1\n';

    // Act
    const inlined = inlineSharedFragment(service, shared);

    // Assess
    expect(inlined).toBe(
      'service: x\nprovider:\n  name: aws\n  runtime: nodejs22.x\ncustom:\n  esbuild:\n    config: ./esbuild.config.cjs\n  other: 1\n',
    );
  });
});
