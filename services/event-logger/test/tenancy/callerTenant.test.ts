import { CallerNotATenantError, callerTenant } from '../../src/tenancy/callerTenant.js';
import { ACCOUNT_ID, httpApiEvent, TENANT_ROLE_PREFIX, tenantSessionArn } from '../helpers/factories.js';

describe('Function: callerTenant()', () => {
  it("returns the tenant named by the caller's role, ignoring any brand in the body", () => {
    // Prepare
    const event = httpApiEvent('POST /events', {
      caller: tenantSessionArn('brand-7'),
      body: { detailType: 'x', context: { brand: 'B' } },
    });

    // Act
    const tenant = callerTenant(event, TENANT_ROLE_PREFIX);

    // Assess
    expect(tenant).toBe('brand-7');
  });

  it.each([
    ['no IAM identity (an unsigned request)', null, /no IAM identity/],
    ['an IAM user', `arn:aws:iam::${ACCOUNT_ID}:user/alice`, /only sessions of a tenant role/],
    ['a role of another account', tenantSessionArn('A', '210987654321'), /another account/],
    ['a role without the tenant prefix', `arn:aws:sts::${ACCOUNT_ID}:assumed-role/admin/sess`, /not a tenant role/],
    ['the bare prefix', `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${TENANT_ROLE_PREFIX}/sess`, /invalid tenant part/],
    ['a tenant with a character outside [A-Za-z0-9_.-]', tenantSessionArn('A@b'), /invalid tenant part/],
  ])('throws a 403 CallerNotATenantError for %s', (_case, caller, reason) => {
    // Prepare
    const event = httpApiEvent('GET /events', { caller });

    // Act
    const act = () => callerTenant(event, TENANT_ROLE_PREFIX);

    // Assess
    expect(act).toThrow(CallerNotATenantError);
    try {
      act();
    } catch (error) {
      expect((error as CallerNotATenantError).statusCode).toBe(403);
      expect((error as CallerNotATenantError).details.join()).toMatch(reason);
    }
  });
});
