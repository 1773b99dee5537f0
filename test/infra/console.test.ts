/**
 * The web console in the synthesized stack: served by the API (its two routes, no authorizer),
 * Cognito managed login with the authorization code grant for a public client whose only
 * callback is the console, ID tokens of that client accepted by the API's JWT authorizer, and
 * the API function told where the login is. The bundling hook that copies web/dist is checked
 * by the console serving test (functions/api/routes/console-assets.ts reads `console/`).
 */
import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { FUNCTIONS } from '../../infra/functions.js';
import { CONSOLE_ENTRY } from '../../infra/console.js';
import { resourcesOf, synth } from './synth.js';

const s = synth();

describe('console in the app stack', () => {
  it('is served through the API: GET /console and its assets, without the JWT authorizer', () => {
    for (const key of ['GET /console', 'GET /console/{proxy+}']) {
      s.app.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: key, AuthorizationType: 'NONE' });
    }
  });

  it('signs in with Cognito managed login: code grant + PKCE for a public client, console callback only', () => {
    const clients = resourcesOf(s.appJson, 'AWS::Cognito::UserPoolClient').map(([, r]) => r.Properties!);
    const consoleClient = clients.find((c) => JSON.stringify(c.CallbackURLs ?? []).includes('/console'));
    expect(consoleClient).toBeDefined();
    expect(consoleClient!.AllowedOAuthFlows).toEqual(['code']);
    expect(consoleClient!.GenerateSecret).toBe(false);
    expect(consoleClient!.AllowedOAuthScopes).toEqual(expect.arrayContaining(['openid', 'email', 'profile']));
    expect(JSON.stringify(consoleClient!.CallbackURLs)).toContain('/console');
    expect(consoleClient!.CallbackURLs).toHaveLength(1);
    s.app.hasResourceProperties('AWS::Cognito::UserPoolDomain', { ManagedLoginVersion: 2 });
    s.app.resourceCountIs('AWS::Cognito::ManagedLoginBranding', 1);
  });

  it('the API accepts the console client\'s tokens and knows the login domain', () => {
    const [, authorizer] = resourcesOf(s.appJson, 'AWS::ApiGatewayV2::Authorizer')[0]!;
    expect(authorizer.Properties!.JwtConfiguration.Audience).toHaveLength(2);
    const api = resourcesOf(s.appJson, 'AWS::Lambda::Function').find(([, r]) => r.Metadata?.['suiji:entry'] === FUNCTIONS.find((f) => f.id === 'Api')!.entry)!;
    expect(Object.keys(api[1].Properties!.Environment.Variables)).toEqual(expect.arrayContaining(['CONSOLE_AUTH_DOMAIN', 'CONSOLE_CLIENT_ID']));
    s.app.hasOutput('ConsoleUrl', { Value: Match.anyValue() });
  });

  it('the console travels in the bundle of the API function', () => {
    expect(FUNCTIONS.find((f) => f.id === 'Api')!.entry).toBe(CONSOLE_ENTRY);
  });
});
